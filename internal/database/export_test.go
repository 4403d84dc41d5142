package database

import "context"

// MigrateTo applies migrations up to a version, for tests of a migration's
// effect on data written before it.
func (db *DB) MigrateTo(ctx context.Context, version int) (int, error) {
	return db.migrateTo(ctx, version)
}

// MapError is mapError, for tests of how driver errors are reported.
var MapError = mapError

// QueuedWrites is how many writes wait for SQLite's writer: tests queue a
// known batch behind a write that holds the writer.
func (db *DB) QueuedWrites() int {
	if db.writer == nil {
		return 0
	}
	return db.writer.queuedWrites()
}

// KeptPrincipals is how many signed-in people the process keeps
// (principals.go): tests check that keeping happens at all.
func (db *DB) KeptPrincipals() int {
	db.principals.mu.Lock()
	defer db.principals.mu.Unlock()
	return len(db.principals.entries)
}

// CloseIdleConnections closes the pool's idle connections, so that the
// next request must open one.
func (db *DB) CloseIdleConnections() {
	db.read.SetMaxIdleConns(0)
	db.read.SetMaxIdleConns(db.poolSize)
}
