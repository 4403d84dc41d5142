package database

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"os"
	"sync"
	"syscall"
)

// WithLock runs fn while holding the lock called name, which every process
// using the same database takes in turn: a PostgreSQL advisory lock, or
// for SQLite a lock on a file beside the database. It is for work that
// spans many transactions and must not run twice at once, such as setting
// up the demo; a single transaction needs no more than its row locks.
func (db *DB) WithLock(ctx context.Context, name string, fn func() error) error {
	if db.Dialect == Postgres {
		return db.withAdvisoryLock(ctx, name, fn)
	}
	if db.source == ":memory:" {
		mu := memoryLock(name)
		mu.Lock()
		defer mu.Unlock()
		return fn()
	}
	f, err := os.OpenFile(db.source+".lock-"+name, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("lock %s: %w", name, err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("lock %s: %w", name, err)
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return fn()
}

func (db *DB) withAdvisoryLock(ctx context.Context, name string, fn func() error) error {
	h := fnv.New64a()
	h.Write([]byte("hcs:" + name))
	key := int64(h.Sum64())
	// A transaction-level lock, held by a transaction kept open while fn
	// runs its own transactions on other connections: it is released
	// however this one ends, and it holds through PgBouncer's transaction
	// pooling, where a session-level lock would stay on whichever server
	// connection took it.
	tx, err := whileRefused(ctx, func() (*sql.Tx, error) { return db.read.BeginTx(ctx, nil) })
	if err != nil {
		return mapError(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", key); err != nil {
		return fmt.Errorf("lock %s: %w", name, mapError(err))
	}
	return fn()
}

var memoryLocks sync.Map // name → *sync.Mutex

func memoryLock(name string) *sync.Mutex {
	mu, _ := memoryLocks.LoadOrStore(name, &sync.Mutex{})
	return mu.(*sync.Mutex)
}
