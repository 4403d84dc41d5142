// Package database stores hcs's records in SQLite (the embedded default) or
// PostgreSQL, behind one API. It owns the schema and its migrations, and
// turns driver errors into application error codes so that nothing above
// it knows which database it runs on.
package database

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"hcs/internal/apperr"
)

// Dialects.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

//go:embed migrations
var migrations embed.FS

// DB is an open database. SQLite gets two pools: a single writer, whose
// writes queue in Go and commit in groups (writer.go), and readers that
// run alongside it under WAL. PostgreSQL uses one pool for both.
type DB struct {
	Dialect string
	// Now is the clock; every transaction takes one reading of it.
	Now func() time.Time
	// Committed, set while no write is under way, is told how many writes
	// each of SQLite's group commits made durable: for logs and tests.
	Committed func(writes int)

	write *sql.DB
	read  *sql.DB
	// writer runs SQLite's writes; nil on PostgreSQL.
	writer *writer
	// readStmts are the SQLite readers' prepared statements; PostgreSQL's
	// driver keeps its own per connection.
	readStmts *statements
	// slots admits the pool's users first come, first served (see admit):
	// PostgreSQL's one pool, SQLite's readers.
	slots atomic.Pointer[chan struct{}]
	// writing holds the goroutines running a Write's fn, to refuse a
	// Write from inside one (ErrNestedWrite) instead of deadlocking.
	writing sync.Map
	// principals keeps signed-in people looked up by session
	// (PostgreSQL only; principals.go).
	principals principalCache
	poolSize   int
	// source is the file path (SQLite) or URL (PostgreSQL), for messages.
	source string
	url    string
}

// Open opens the database named by source: a postgres:// or postgresql://
// URL, or else a SQLite file path (an optional "sqlite:" prefix is
// allowed). It does not migrate; call Migrate.
func Open(ctx context.Context, source string) (*DB, error) {
	db := &DB{Now: func() time.Time { return time.Now().UTC() }}
	switch {
	case strings.HasPrefix(source, "postgres://"), strings.HasPrefix(source, "postgresql://"):
		pool, err := sql.Open("pgx", source)
		if err != nil {
			return nil, fmt.Errorf("open postgresql: %w", err)
		}
		db.poolSize = postgresPoolSize()
		pool.SetMaxOpenConns(db.poolSize)
		pool.SetMaxIdleConns(db.poolSize)
		pool.SetConnMaxIdleTime(5 * time.Minute)
		db.Dialect, db.write, db.read, db.source, db.url = Postgres, pool, pool, redactURL(source), source
	default:
		path := strings.TrimPrefix(source, "sqlite:")
		if path == "" {
			return nil, apperr.Invalidf("db", "no database given")
		}
		if path != ":memory:" {
			if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
				return nil, fmt.Errorf("create data folder: %w", err)
			}
		}
		// busy_timeout first, so the later pragmas wait rather than fail.
		pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_time_format=sqlite"
		// The writer overwrites what it deletes (secure_delete), so that
		// erased personal data and files do not linger in free pages.
		write, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=secure_delete(1)&_pragma=cache_size(-32768)&_txlock=immediate")
		if err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", path, err)
		}
		write.SetMaxOpenConns(1)
		read, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)")
		if err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", path, err)
		}
		// Keep every reader open between requests: database/sql keeps only
		// two idle by default, so a burst reopened (and re-prepared) the
		// rest each time.
		db.poolSize = 8
		read.SetMaxOpenConns(db.poolSize)
		read.SetMaxIdleConns(db.poolSize)
		read.SetConnMaxIdleTime(5 * time.Minute)
		write.SetMaxIdleConns(1)
		db.Dialect, db.write, db.read, db.source, db.url = SQLite, write, read, path, path
		db.readStmts = &statements{pool: read, m: map[string]*sql.Stmt{}}
	}
	db.setSlots(db.poolSize)
	// Opening a SQLite connection runs its pragmas, which wait up to the
	// busy timeout for another process's write (a demo being set up, a
	// long import); a process starting beside it waits a few times over
	// rather than fail. A full PostgreSQL is waited for as a request
	// waits (whileRefused).
	_, err := whileRefused(ctx, func() (struct{}, error) { return struct{}{}, db.write.PingContext(ctx) })
	for try := 1; err != nil && db.Dialect == SQLite && try < 6 && strings.Contains(err.Error(), "SQLITE_BUSY"); try++ {
		err = db.write.PingContext(ctx)
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s: %w", db.source, err)
	}
	if db.Dialect == SQLite {
		w, err := newWriter(ctx, db)
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("connect to %s: %w", db.source, err)
		}
		db.writer = w
	}
	return db, nil
}

// MovableClock makes the database's clock settable: at(t) fixes it at t,
// and at with the zero time returns it to the real clock. Demo set-up uses
// it to make past rounds' records when they would have been made.
func (db *DB) MovableClock() (at func(time.Time)) {
	var moved atomic.Pointer[time.Time]
	real := db.Now
	db.Now = func() time.Time {
		if t := moved.Load(); t != nil {
			return *t
		}
		return real()
	}
	return func(t time.Time) {
		if t.IsZero() {
			moved.Store(nil)
			return
		}
		moved.Store(&t)
	}
}

// postgresPoolSize is the default size of a process's PostgreSQL pool:
// four connections per CPU, from 8 to 32. A pool larger than the work a
// process can keep going only moves the queue into PostgreSQL, where
// backends contend for CPUs and locks: under 200 connections of mixed
// traffic on two CPUs, a pool of 8 answered as many requests as a pool of
// 32 with half the 99th-percentile wait (docs/BENCHMARKS.md). A smaller
// pool also leaves room in max_connections for more servers.
func postgresPoolSize() int {
	return min(32, max(8, 4*runtime.GOMAXPROCS(0)))
}

// SetPoolSize sets how many connections may be open at once: the pool for
// PostgreSQL, the readers for SQLite (which always has one writer).
func (db *DB) SetPoolSize(n int) {
	db.poolSize = n
	db.read.SetMaxOpenConns(n)
	db.read.SetMaxIdleConns(n)
	db.setSlots(n)
}

func (db *DB) setSlots(n int) {
	slots := make(chan struct{}, n)
	db.slots.Store(&slots)
}

// admit waits for one of the pool's connections, first come first served,
// and returns the slot to give back with leave. database/sql on its own
// hands a freed connection to a random waiter, so under load a few
// requests waited behind hundreds that came later: a long tail.
func (db *DB) admit(ctx context.Context) (chan struct{}, error) {
	slots := *db.slots.Load()
	select {
	case slots <- struct{}{}:
		return slots, nil
	default:
	}
	select {
	case slots <- struct{}{}:
		return slots, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func leave(slots chan struct{}) { <-slots }

// busyWait is how long a request waits for a connection while PostgreSQL
// refuses new ones because it is full (or starting), before it gives up
// with the refusal (which the web answers 503 with Retry-After).
const busyWait = 3 * time.Second

// whileRefused calls open, which takes a connection from the pool, and
// calls it again while PostgreSQL refuses to open one, for up to
// busyWait: meanwhile this process's own connections come back to the
// pool, and other servers and tools close theirs. A server restarted
// under load opens its pool while the others still hold theirs; it waits
// for room rather than failing the requests it was sent. A refusal comes
// before any statement runs, so calling open again does nothing twice.
func whileRefused[T any](ctx context.Context, open func() (T, error)) (T, error) {
	wait := 5 * time.Millisecond
	deadline := time.Now().Add(busyWait)
	for {
		v, err := open()
		if err == nil || !refusedConnection(err) || time.Now().Add(wait).After(deadline) {
			return v, err
		}
		// A random part of each pause spreads out requests refused
		// together, which would otherwise all come back at once.
		select {
		case <-ctx.Done():
			return v, err
		case <-time.After(wait/2 + rand.N(wait)):
		}
		wait = min(2*wait, 100*time.Millisecond)
	}
}

// refusedConnection reports whether PostgreSQL refused a new connection:
// too many connections, or not accepting them yet.
func refusedConnection(err error) bool {
	pg, ok := errors.AsType[*pgconn.PgError](err)
	return ok && (pg.Code == "53300" || pg.Code == "57P03")
}

// Close closes the pools. Writes still queued fail; a batch under way
// finishes first.
func (db *DB) Close() error {
	db.principals.close()
	var err error
	if db.writer != nil {
		err = db.writer.close()
	}
	if db.readStmts != nil {
		db.readStmts.close()
	}
	err = errors.Join(err, db.write.Close())
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// URL is what Open was given, secrets included: for handing to another
// process, never for logs.
func (db *DB) URL() string { return db.url }

// Source names the database without secrets.
func (db *DB) Source() string { return db.source }

func redactURL(u string) string {
	if at := strings.LastIndex(u, "@"); at > 0 {
		if scheme := strings.Index(u, "://"); scheme > 0 && scheme < at {
			return u[:scheme+3] + "…" + u[at:]
		}
	}
	return u
}

// Tx is a transaction with one reading of the clock. It is not for use by
// several goroutines at once.
type Tx struct {
	Now     time.Time
	Dialect string

	// q runs statements: the *sql.Tx, or in a SQLite write batch the
	// write connection, whose transaction the batch holds.
	q interface {
		ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
		QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
		QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	}
	// sqlTx and stmts: a SQLite read binds the pool's prepared statements
	// to its transaction.
	sqlTx *sql.Tx
	stmts *statements
	// pg: a PostgreSQL transaction, its BEGIN sent with its first statement.
	pg *pgTx
	// writer: a SQLite write uses the write connection's statements.
	writer *writer
	// detached statements run without the caller's cancellation, which
	// would interrupt the whole batch's transaction; a write whose context
	// has ended fails at its next statement instead.
	detached bool
}

// Write runs fn in a read-write transaction, committing when fn returns nil.
// It returns once the commit is durable. fn must not call Write (see
// ErrNestedWrite). On SQLite, fn runs on the writer's goroutine, inside a
// savepoint of a transaction that other writes share (writer.go).
func (db *DB) Write(ctx context.Context, fn func(*Tx) error) error {
	gid := goroutineID()
	if _, nested := db.writing.Load(gid); nested {
		return &apperr.Error{Code: apperr.Internal, Message: "database error", Err: ErrNestedWrite}
	}
	now := db.Now().UTC().Truncate(time.Microsecond)
	if db.writer != nil {
		return db.writer.do(ctx, now, fn)
	}
	db.writing.Store(gid, true)
	defer db.writing.Delete(gid)
	return db.runPostgres(ctx, false, now, fn)
}

// Read runs fn in a read-only transaction.
func (db *DB) Read(ctx context.Context, fn func(*Tx) error) error {
	now := db.Now().UTC().Truncate(time.Microsecond)
	if db.Dialect == Postgres {
		return db.runPostgres(ctx, true, now, fn)
	}
	return db.readSQLite(ctx, now, fn)
}

// readSQLite runs fn in a transaction on one of SQLite's readers.
func (db *DB) readSQLite(ctx context.Context, now time.Time, fn func(*Tx) error) error {
	slots, err := db.admit(ctx)
	if err != nil {
		return mapError(err)
	}
	defer leave(slots)
	sqlTx, err := db.read.BeginTx(ctx, nil)
	if err != nil {
		return mapError(err)
	}
	tx := &Tx{q: sqlTx, sqlTx: sqlTx, stmts: db.readStmts, Now: now, Dialect: db.Dialect}
	if err := fn(tx); err != nil {
		sqlTx.Rollback()
		return mapError(err)
	}
	return mapError(sqlTx.Commit())
}

// queryRows runs one query outside a transaction (a single statement reads
// one snapshot), prepared on SQLite, and hands its rows to fn.
func (db *DB) queryRows(ctx context.Context, fn func(*sql.Rows) error, query string, args ...any) error {
	slots, err := db.admit(ctx)
	if err != nil {
		return mapError(err)
	}
	defer leave(slots)
	var rows *sql.Rows
	if db.readStmts != nil {
		rows, err = db.readStmts.query(ctx, query, args...)
	} else {
		rows, err = whileRefused(ctx, func() (*sql.Rows, error) { return db.read.QueryContext(ctx, query, args...) })
	}
	if err != nil {
		return mapError(err)
	}
	defer rows.Close()
	if err := fn(rows); err != nil {
		return mapError(err)
	}
	return mapError(rows.Err())
}

// prepared is the prepared statement for query on this transaction's
// connection, or nil to run it unprepared.
func (tx *Tx) prepared(ctx context.Context, query string) *sql.Stmt {
	switch {
	case tx.writer != nil:
		s, _ := tx.writer.stmt(query) // an error comes again, unprepared
		return s
	case tx.stmts != nil:
		if s := tx.stmts.get(query); s != nil {
			return tx.sqlTx.StmtContext(ctx, s)
		}
	}
	return nil
}

// context is the context a statement runs with, or the caller's error once
// it has ended: a statement does not start after its context has ended.
func (tx *Tx) context(ctx context.Context) (context.Context, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if tx.detached {
		return context.WithoutCancel(ctx), nil
	}
	return ctx, nil
}

// Exec runs a statement.
func (tx *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx, err := tx.context(ctx)
	if err != nil {
		return nil, mapError(err)
	}
	var res sql.Result
	if tx.pg != nil && tx.pg.unsent() {
		var tag pgconn.CommandTag
		tag, err = tx.pg.send(ctx, query, args, nil)
		res = pgResult(tag.RowsAffected())
	} else if s := tx.prepared(ctx, query); s != nil {
		res, err = s.ExecContext(ctx, args...)
	} else {
		res, err = tx.q.ExecContext(ctx, query, args...)
	}
	return res, mapError(err)
}

// ExecLater runs a statement whose result the caller does not need and
// that fails only when the database does (an audit entry: no constraint
// it could break). On SQLite it runs at once. On PostgreSQL it waits and
// goes in one round trip with the transaction's next statement or its
// COMMIT; should it fail, that statement or the commit fails with its
// error, and the transaction rolls back. Use it only in a Write.
func (tx *Tx) ExecLater(ctx context.Context, query string, args ...any) error {
	if tx.pg == nil {
		_, err := tx.Exec(ctx, query, args...)
		return err
	}
	if err := ctx.Err(); err != nil {
		return mapError(err)
	}
	tx.pg.later = append(tx.pg.later, waiting{query: query, args: args})
	return nil
}

// QueryRowLater runs a query that returns exactly one row, whose columns
// fit dest, and scans it into dest. On SQLite it runs at once. On
// PostgreSQL it waits, as ExecLater's statements do, and goes in one
// round trip with the transaction's next statement or its COMMIT: dest is
// filled only then, so fn must not read it, but the caller of Write may
// once Write returns without error. An error of the query is passed to
// fail (mapped, as every error Tx returns), which may word it for the
// caller; Write returns what fail returns (the error itself if fail
// returns nil), and the transaction rolls back. fail may be nil; it runs
// while the connection is busy, so it must not use tx. Use it only in a
// Write.
//
// A row that does not fit dest is a programming error: PostgreSQL has
// run the statement by then, and the COMMIT after it may have committed.
func (tx *Tx) QueryRowLater(ctx context.Context, dest []any, fail func(error) error, query string, args ...any) error {
	if tx.pg == nil {
		return worded(fail, mapError(tx.QueryRow(ctx, query, args...).Scan(dest...)))
	}
	if err := ctx.Err(); err != nil {
		return mapError(err)
	}
	tx.pg.later = append(tx.pg.later, waiting{query: query, args: args, dest: dest, fail: fail})
	return nil
}

// worded returns fail(err), or err when fail is nil or returns nil.
func worded(fail func(error) error, err error) error {
	if err == nil || fail == nil {
		return err
	}
	if w := fail(err); w != nil {
		return w
	}
	return err
}

// Query runs a query. It is never prepared ahead: a prepared statement
// serves one result at a time, and rows may still be open when the same
// text runs again.
func (tx *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx, err := tx.context(ctx)
	if err != nil {
		return nil, mapError(err)
	}
	if tx.pg != nil {
		if err := tx.pg.started(ctx); err != nil {
			return nil, mapError(err)
		}
	}
	rows, err := tx.q.QueryContext(ctx, query, args...)
	return rows, mapError(err)
}

// QueryRow runs a query for one row; Scan returns not_found when there is
// none.
func (tx *Tx) QueryRow(ctx context.Context, query string, args ...any) row {
	ctx, err := tx.context(ctx)
	if err != nil {
		return row{err: err}
	}
	if tx.pg != nil && tx.pg.unsent() {
		return row{first: func(dest []any) error {
			_, err := tx.pg.send(ctx, query, args, dest)
			return err
		}}
	}
	if s := tx.prepared(ctx, query); s != nil {
		return row{r: s.QueryRowContext(ctx, args...)}
	}
	return row{r: tx.q.QueryRowContext(ctx, query, args...)}
}

// row is a QueryRow's result: a *sql.Row, an error, or a PostgreSQL
// transaction's first statement, which runs with its BEGIN when scanned.
type row struct {
	r     *sql.Row
	err   error
	first func(dest []any) error
}

func (r row) Scan(dest ...any) error {
	switch {
	case r.err != nil:
		return mapError(r.err)
	case r.first != nil:
		return mapError(r.first(dest))
	}
	return mapError(r.r.Scan(dest...))
}

// Insert runs an INSERT … RETURNING id and returns the id.
func (tx *Tx) Insert(ctx context.Context, query string, args ...any) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, query+" RETURNING id", args...).Scan(&id)
	return id, err
}

// mapError turns driver errors into application errors: no rows is
// not_found; unique, foreign-key and check violations are conflict or
// invalid. Everything else stays internal, wrapped for the logs.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := errors.AsType[*apperr.Error](err); ok {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return &apperr.Error{Code: apperr.NotFound, Message: "not found", Err: err}
	}
	if pg, ok := errors.AsType[*pgconn.PgError](err); ok {
		switch pg.Code {
		case "23505":
			return &apperr.Error{Code: apperr.Conflict, Message: "that already exists", Err: err}
		case "23503":
			return &apperr.Error{Code: apperr.Invalid, Message: "that refers to a record that does not exist", Err: err}
		case "23514", "23502":
			return &apperr.Error{Code: apperr.Invalid, Message: "that value is not allowed", Err: err}
		case "53300", "57P03":
			// too_many_connections, cannot_connect_now: PostgreSQL is
			// full or starting (whileRefused waited); the request can be
			// tried again.
			return &apperr.Error{Code: apperr.Unavailable, Message: "the service is busy; try again in a moment", Err: err}
		}
	}
	if lite, ok := errors.AsType[*sqlite.Error](err); ok {
		switch lite.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &apperr.Error{Code: apperr.Conflict, Message: "that already exists", Err: err}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &apperr.Error{Code: apperr.Invalid, Message: "that refers to a record that does not exist", Err: err}
		case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
			return &apperr.Error{Code: apperr.Invalid, Message: "that value is not allowed", Err: err}
		}
	}
	return &apperr.Error{Code: apperr.Internal, Message: "database error", Err: err}
}

// migration is one numbered schema change for one dialect.
type migration struct {
	version int
	name    string
	sql     string
}

func (db *DB) migrations() ([]migration, error) {
	dir := "migrations/" + db.Dialect
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must be NNNN_description.sql", e.Name())
		}
		b, err := fs.ReadFile(migrations, dir+"/"+e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, migration{v, name, string(b)})
	}
	slices.SortFunc(out, func(a, b migration) int { return a.version - b.version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("migrations for %s must be numbered 1, 2, 3…; found %d in place %d", db.Dialect, m.version, i+1)
		}
	}
	return out, nil
}

// LatestVersion is the schema version this build migrates to.
func (db *DB) LatestVersion() int {
	ms, _ := db.migrations()
	return len(ms)
}

// Migrate applies every pending migration, all in one transaction: a
// migration that fails leaves the schema as it was. On PostgreSQL an
// advisory lock lets several processes start at once.
func (db *DB) Migrate(ctx context.Context) (applied int, err error) {
	return db.migrateTo(ctx, db.LatestVersion())
}

// migrateTo applies the pending migrations up to and including version.
func (db *DB) migrateTo(ctx context.Context, version int) (applied int, err error) {
	ms, err := db.migrations()
	if err != nil {
		return 0, err
	}
	ms = ms[:min(version, len(ms))]
	// Most starts find every migration applied: one read says so.
	if v, err := db.SchemaVersion(ctx); err == nil && v >= len(ms) {
		return 0, nil
	}
	err = db.Write(ctx, func(tx *Tx) error {
		applied = 0
		if db.Dialect == Postgres {
			if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(4807)"); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
			return err
		}
		// Read under the lock: another process may have migrated since.
		rows, err := tx.Query(ctx, "SELECT version FROM schema_migrations")
		if err != nil {
			return err
		}
		done := map[int]bool{}
		for rows.Next() {
			var v int
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return err
			}
			done[v] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, m := range ms {
			if done[m.version] {
				continue
			}
			// A script, run unprepared: it runs once.
			sctx, err := tx.context(ctx)
			if err != nil {
				return err
			}
			if tx.pg != nil {
				if err := tx.pg.started(ctx); err != nil {
					return err
				}
			}
			if _, err := tx.q.ExecContext(sctx, m.sql); err != nil {
				return fmt.Errorf("migration %04d_%s: %w", m.version, m.name, err)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
				m.version, m.name, tx.Now.Format(time.RFC3339)); err != nil {
				return err
			}
			applied++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return applied, nil
}

// SchemaVersion is the highest migration applied, 0 for an empty database.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v sql.NullInt64
	err := db.Read(ctx, func(tx *Tx) error {
		err := tx.QueryRow(ctx, "SELECT MAX(version) FROM schema_migrations").Scan(&v)
		if err != nil && strings.Contains(err.Error(), "schema_migrations") {
			return nil // not migrated yet
		}
		return err
	})
	return int(v.Int64), err
}

// CheckIntegrity runs the database's own consistency check.
func (db *DB) CheckIntegrity(ctx context.Context) error {
	if db.Dialect == Postgres {
		// PostgreSQL checks constraints on every write; confirm that the
		// catalogue and every table can be read.
		return db.Read(ctx, func(tx *Tx) error {
			tables, err := catalogue(ctx, tx)
			if err != nil {
				return err
			}
			for _, table := range tables {
				var n int64
				if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM "+table.Name).Scan(&n); err != nil {
					return fmt.Errorf("read %s: %w", table.Name, err)
				}
			}
			return nil
		})
	}
	return db.Read(ctx, func(tx *Tx) error {
		var result string
		if err := tx.QueryRow(ctx, "PRAGMA integrity_check").Scan(&result); err != nil {
			return err
		}
		if result != "ok" {
			return fmt.Errorf("sqlite integrity check: %s", result)
		}
		rows, err := tx.Query(ctx, "PRAGMA foreign_key_check")
		if err != nil {
			return err
		}
		defer rows.Close()
		if rows.Next() {
			return errors.New("sqlite foreign key check found orphaned rows")
		}
		return rows.Err()
	})
}
