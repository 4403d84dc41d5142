package database

import (
	"context"
	"database/sql"
)

// PoolStats reports the connection pools' use: PostgreSQL's one pool, or
// SQLite's readers and its writer together.
func (db *DB) PoolStats() sql.DBStats {
	s := db.read.Stats()
	if db.write != db.read {
		w := db.write.Stats()
		s.MaxOpenConnections += w.MaxOpenConnections
		s.OpenConnections += w.OpenConnections
		s.InUse += w.InUse
		s.Idle += w.Idle
		s.WaitCount += w.WaitCount
		s.WaitDuration += w.WaitDuration
	}
	return s
}

// OutboxBacklog counts the messages waiting to be sent.
func (db *DB) OutboxBacklog(ctx context.Context) (int, error) {
	var n int
	err := db.Read(ctx, func(tx *Tx) error {
		return tx.QueryRow(ctx, "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL").Scan(&n)
	})
	return n, err
}
