package testkit

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"hcs/internal/database"
)

// PostgresEnv names the environment variable that points the tests at a
// PostgreSQL server, as a URL with rights to create databases, such as
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable.
const PostgresEnv = "HCS_TEST_POSTGRES"

// EachDB runs fn once on a fresh, migrated SQLite database and once on a
// fresh PostgreSQL database when HCS_TEST_POSTGRES is set. Under CI=true an
// unset HCS_TEST_POSTGRES is a failure, so the PostgreSQL half never skips
// there.
func EachDB(t *testing.T, fn func(t *testing.T, db *database.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLiteDB(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, PostgresDB(t)) })
}

// SQLiteDB opens a migrated SQLite database in a temporary folder.
func SQLiteDB(t testing.TB) *database.DB {
	t.Helper()
	return open(t, filepath.Join(t.TempDir(), "hcs.db"), true)
}

// EachEmptyDB is EachDB with databases that are not migrated, for tests of
// the migrations themselves.
func EachEmptyDB(t *testing.T, fn func(t *testing.T, db *database.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, open(t, filepath.Join(t.TempDir(), "hcs.db"), false)) })
	t.Run("postgres", func(t *testing.T) { fn(t, postgres(t, false)) })
}

// PostgresDB creates an empty database on the test server, migrates it and
// drops it when the test ends. It skips (or fails under CI) without a
// server.
func PostgresDB(t testing.TB) *database.DB {
	t.Helper()
	return postgres(t, true)
}

func postgres(t testing.TB, migrate bool) *database.DB {
	t.Helper()
	admin := os.Getenv(PostgresEnv)
	if admin == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not set: CI must run the PostgreSQL tests", PostgresEnv)
		}
		t.Skipf("set %s to run the PostgreSQL tests", PostgresEnv)
	}
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("%s: %v", PostgresEnv, err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "hcs_test_" + hex.EncodeToString(b)
	adminDB, err := adminPool()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := adminDB.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create test database on %s: %v", u.Host, err)
	}
	u.Path = "/" + name
	db := open(t, u.String(), migrate)
	t.Cleanup(func() {
		db.Close()
		adminDB.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	})
	return db
}

// adminPool is the test process's connections for creating and dropping
// test databases: a few, shared by every test, since PostgreSQL makes
// databases one at a time anyway and each connection counts against its
// max_connections, which the whole suite shares.
var adminPool = sync.OnceValues(func() (*sql.DB, error) {
	pool, err := sql.Open("pgx", os.Getenv(PostgresEnv))
	if err != nil {
		return nil, err
	}
	pool.SetMaxOpenConns(2)
	return pool, nil
})

// PostgresURL creates an empty PostgreSQL database for a test and returns
// its URL, for tests that start their own hcs processes.
func PostgresURL(t testing.TB) string {
	t.Helper()
	db := PostgresDB(t)
	return db.URL()
}

func open(t testing.TB, source string, migrate bool) *database.DB {
	t.Helper()
	ctx := context.Background()
	db, err := database.Open(ctx, source)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if !migrate {
		return db
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

// PoolSize gives db a pool of n connections. On PostgreSQL a pool of more
// than fewConnections first takes the suite's lock on many connections
// (see ManyConnections), and gives them back, down to one, when the test
// ends.
func PoolSize(t testing.TB, db *database.DB, n int) {
	t.Helper()
	if db.Dialect == database.Postgres && n > fewConnections {
		ManyConnections(t)
		t.Cleanup(func() { db.SetPoolSize(1) }) // runs before the lock is let go
	}
	db.SetPoolSize(n)
}

// ManyConnections makes a test that holds many PostgreSQL connections at
// once — a pool of dozens, a fleet of servers — wait for any other such
// test, in this test process or another, to end. Every package's tests
// run at once against one server, whose max_connections (100 by default)
// they share: two such tests together could fill it, and a test that is
// refused a connection fails for a reason that is not its own. The lock
// is a PostgreSQL advisory lock, held by its own connection until the
// test ends. A test that holds it, and that test's subtests, may ask
// again: they already have it.
func ManyConnections(t testing.TB) {
	t.Helper()
	admin := os.Getenv(PostgresEnv)
	if admin == "" {
		return // no PostgreSQL: the caller skips or fails on its own
	}
	if lockHolders.holds(t.Name()) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), manyConnectionsWait)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("connect to take the lock on many connections: %v", err)
	}
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", manyConnectionsLock); err != nil {
		conn.Close(context.Background())
		t.Fatalf("take the lock on many connections (waited up to %v for the tests that held it): %v", manyConnectionsWait, err)
	}
	lockHolders.add(t.Name())
	t.Cleanup(func() {
		lockHolders.remove(t.Name())
		conn.Close(context.Background()) // ending the session lets the lock go
	})
}

// fewConnections is the largest pool a test may use without the lock on
// many connections: the smallest default pool (database.Open's, on a
// machine with one or two CPUs).
const fewConnections = 8

// manyConnectionsWait bounds the wait for the lock: each test that takes
// it runs for seconds, so minutes of waiting mean that something holds it
// and waits in turn.
const manyConnectionsWait = 10 * time.Minute

// lockHolders are the names of this process's tests that hold the lock on
// many connections.
var lockHolders = &holders{names: map[string]bool{}}

type holders struct {
	mu    sync.Mutex
	names map[string]bool
}

// holds reports whether the test named name, or a test it is a subtest
// of, holds the lock.
func (h *holders) holds(name string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for n := range h.names {
		if name == n || strings.HasPrefix(name, n+"/") {
			return true
		}
	}
	return false
}

func (h *holders) add(name string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.names[name] = true
}

func (h *holders) remove(name string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.names, name)
}

// manyConnectionsLock is the advisory lock's key, "hcsconns" in ASCII.
const manyConnectionsLock int64 = 0x68637363_6f6e6e73

// WarmPool opens n connections at once and returns them to the pool, so
// that concurrent requests in a test do not queue behind connection set-up.
func WarmPool(tb testing.TB, db *database.DB, n int) {
	tb.Helper()
	var open sync.WaitGroup
	open.Add(n)
	errs := make(chan error, n)
	for range n {
		go func() {
			errs <- db.Read(context.Background(), func(tx *database.Tx) error {
				open.Done()
				open.Wait()
				return nil
			})
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			tb.Fatal(err)
		}
	}
}

// Together runs fn(0) … fn(n-1) in n goroutines released at once by a
// barrier, and waits for all of them.
func Together(n int, fn func(i int)) {
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	ready.Add(n)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			fn(i)
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
}

// Count runs a COUNT query.
func Count(tb testing.TB, db *database.DB, query string, args ...any) int {
	tb.Helper()
	var n int
	err := db.Read(context.Background(), func(tx *database.Tx) error {
		return tx.QueryRow(context.Background(), query, args...).Scan(&n)
	})
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// AuditCount counts the audit entries of an action.
func AuditCount(tb testing.TB, db *database.DB, action string) int {
	tb.Helper()
	return Count(tb, db, "SELECT COUNT(*) FROM audit_log WHERE action = $1", action)
}

// TryExec runs one statement in its own write transaction, for tests that
// change rows behind the services' backs or check what the schema
// refuses.
func TryExec(db *database.DB, query string, args ...any) error {
	return db.Write(context.Background(), func(tx *database.Tx) error {
		_, err := tx.Exec(context.Background(), query, args...)
		return err
	})
}

// Exec is TryExec for a statement that must succeed.
func Exec(tb testing.TB, db *database.DB, query string, args ...any) {
	tb.Helper()
	if err := TryExec(db, query, args...); err != nil {
		tb.Fatal(err)
	}
}
