package testkit

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

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
	adminDB, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := adminDB.Exec("CREATE DATABASE " + name); err != nil {
		adminDB.Close()
		t.Fatalf("create test database on %s: %v", u.Host, err)
	}
	u.Path = "/" + name
	db := open(t, u.String(), migrate)
	t.Cleanup(func() {
		db.Close()
		adminDB.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		adminDB.Close()
	})
	return db
}

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
