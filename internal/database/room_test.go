package database_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"hcs/internal/apperr"
	"hcs/internal/database"
	"hcs/internal/testkit"
)

// While PostgreSQL refuses new connections, requests wait for room rather
// than failing: reads, writes and session checks sent while every
// connection the server allows is taken all succeed once some are given
// back. Only a refusal that lasts gives up, with unavailable (503).
//
// PostgreSQL exempts superusers from connection limits, so the test
// connects as a role of its own with CONNECTION LIMIT 2, and takes both.
func TestRequestsWaitForRoom(t *testing.T) {
	admin := os.Getenv(testkit.PostgresEnv)
	if admin == "" {
		testkit.PostgresDB(t) // skips, or fails under CI
	}
	adminDB, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { adminDB.Close() }) // after the role is dropped
	b := make([]byte, 6)
	rand.Read(b)
	role := "hcs_room_" + hex.EncodeToString(b)
	if _, err := adminDB.Exec("CREATE ROLE " + role + " LOGIN CONNECTION LIMIT 2"); err != nil {
		t.Fatal(err)
	}
	// After the database is dropped (cleanups run last first), which
	// takes the role's privileges with it.
	t.Cleanup(func() { adminDB.Exec("DROP ROLE IF EXISTS " + role) })
	db := testkit.PostgresDB(t)
	testkit.Exec(t, db, "GRANT USAGE ON SCHEMA public TO "+role)
	testkit.Exec(t, db, "GRANT ALL ON ALL TABLES IN SCHEMA public TO "+role)
	testkit.Exec(t, db, "GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO "+role)

	u, err := url.Parse(db.URL())
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.User(role)
	limited, err := database.Open(context.Background(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	limited.SetPoolSize(8)
	// noneOpen closes a handle's idle connections and waits until
	// PostgreSQL has let them go (a listener's, once a session check has
	// started one, stays).
	noneOpen := func(h *database.DB) {
		h.CloseIdleConnections()
		for start := time.Now(); ; time.Sleep(10 * time.Millisecond) {
			var n int
			if err := adminDB.QueryRow("SELECT COUNT(*) FROM pg_stat_activity WHERE usename = $1 AND query <> 'LISTEN hcs_principals'", role).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				return
			}
			if time.Since(start) > 5*time.Second {
				t.Fatalf("%d connections are still open", n)
			}
		}
	}

	// Both of the role's connections taken by another client.
	noneOpen(limited)
	var held []*pgx.Conn
	for range 2 {
		c, err := pgx.Connect(context.Background(), u.String())
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	ctx := context.Background()
	read := func(h *database.DB) error {
		return h.Read(ctx, func(tx *database.Tx) error {
			var n int
			return tx.QueryRow(ctx, "SELECT COUNT(*) FROM organisations").Scan(&n)
		})
	}
	requests := []func(i int) error{
		func(int) error { return read(limited) },
		func(i int) error {
			return limited.Write(ctx, func(tx *database.Tx) error {
				_, err := tx.Exec(ctx, "INSERT INTO organisations (kind, name, region, created_at) VALUES ('trust', $1, 'London', $2)", fmt.Sprintf("Waited Trust %d", i), tx.Now)
				return err
			})
		},
		func(int) error {
			_, err := limited.SessionPrincipal(ctx, "no-such-session")
			if apperr.Code(err) == apperr.NotFound {
				return nil
			}
			return err
		},
	}
	errs := make([]error, 3*len(requests))
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() { errs[i] = requests[i%len(requests)](i) })
	}
	time.Sleep(300 * time.Millisecond) // every request has been refused by now
	for _, c := range held {
		c.Close(context.Background())
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("request %d, sent while PostgreSQL refused connections: %v", i, err)
		}
	}
	if n := testkit.Count(t, db, "SELECT COUNT(*) FROM organisations WHERE name LIKE 'Waited Trust %'"); n != 3 {
		t.Errorf("%d of the 3 waiting writes were made", n)
	}

	limited.Close()

	// A refusal that lasts: the request gives up, as unavailable. A
	// fresh handle, which has made no session check, so has no listener
	// and sends no pings.
	fresh, err := database.Open(context.Background(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if _, err := adminDB.Exec("ALTER ROLE " + role + " CONNECTION LIMIT 0"); err != nil {
		t.Fatal(err)
	}
	noneOpen(fresh)
	if err := read(fresh); apperr.Code(err) != apperr.Unavailable {
		t.Errorf("a request while PostgreSQL refused connections throughout: %v, want unavailable", err)
	}
}
