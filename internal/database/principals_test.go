package database_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/testkit"
)

// roles returns the roles of the signed-in person for a session, or an
// error (not_found once the session is gone).
func roles(db *database.DB, tokenHash string) (string, error) {
	p, err := db.SessionPrincipal(context.Background(), tokenHash)
	if err != nil {
		return "", err
	}
	s := ""
	for _, g := range p.Grants {
		s += string(g.Role) + " "
	}
	return s, nil
}

// eventually waits up to five seconds for roles(db, hash) to give want
// (or, with want "gone", not_found), and says how long it took.
func eventually(t *testing.T, db *database.DB, hash, want string) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		got, err := roles(db, hash)
		if want == "gone" && apperr.Code(err) == apperr.NotFound || err == nil && got == want {
			return time.Since(start)
		}
		if err != nil && apperr.Code(err) != apperr.NotFound {
			t.Fatal(err)
		}
		if time.Since(start) > 5*time.Second {
			t.Fatalf("after 5 s the session gives %q (%v), want %q", got, err, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// signedInElsewhere makes a national school administrator called name
// with a session whose token hash is hash, and opens a second handle on
// a's database, standing for another process.
func signedInElsewhere(t *testing.T, a *database.DB, name, hash string) (*database.DB, *auth.User) {
	t.Helper()
	ctx := context.Background()
	b, err := database.Open(ctx, a.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	u := &auth.User{Name: name, Email: strings.ToLower(name) + "@example.org"}
	if err := a.CreateUser(ctx, system, u, "", []auth.Grant{{Role: auth.RoleSchoolAdmin}}); err != nil {
		t.Fatal(err)
	}
	if err := a.CreateSession(ctx, system, u.ID, hash, time.Hour); err != nil {
		t.Fatal(err)
	}
	return b, u
}

// TestSignedInChangesAreSeen: the signed-in person a session stands for
// follows every change to the session, the account and its grants. The
// process that makes a change sees it at once; another process using the
// same database sees it within moments (on PostgreSQL each process keeps
// what it looked up, and forgets it when told of a change). What a lookup
// returns is the caller's to change.
func TestSignedInChangesAreSeen(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, a *database.DB) {
		ctx := context.Background()
		b, u := signedInElsewhere(t, a, "Kept", "hash-1")
		// PostgreSQL keeps the lookup once its listener listens; SQLite
		// never keeps one.
		for start := time.Now(); ; time.Sleep(5 * time.Millisecond) {
			if got, err := roles(a, "hash-1"); err != nil || got != "national-school-admin " {
				t.Fatalf("roles %q, %v", got, err)
			}
			if kept := a.KeptPrincipals(); a.Dialect == database.SQLite || kept == 1 {
				if a.Dialect == database.SQLite && kept != 0 {
					t.Fatalf("SQLite keeps %d principals", kept)
				}
				break
			}
			if time.Since(start) > 5*time.Second {
				t.Fatal("PostgreSQL kept no principal")
			}
		}
		if a.Dialect == database.Postgres {
			// A statement that changes nothing (a sign-out with an
			// unknown cookie) tells no process to forget.
			if err := b.DeleteSession(ctx, system, "no-such-session"); err != nil {
				t.Fatal(err)
			}
			time.Sleep(50 * time.Millisecond)
			if kept := a.KeptPrincipals(); kept != 1 {
				t.Fatalf("after a sign-out that ended no session, %d principals are kept, want 1", kept)
			}
		}
		p, _ := a.SessionPrincipal(ctx, "hash-1")
		p.Grants[0].Role = auth.RoleSystemAdmin
		p.User.Name = "Changed"
		if again, _ := a.SessionPrincipal(ctx, "hash-1"); again.Grants[0].Role != auth.RoleSchoolAdmin || again.User.Name != "Kept" {
			t.Fatalf("a caller's change to a principal reached the next caller: %+v", again)
		}

		// A change made by this process is seen at once.
		planner := &auth.Grant{UserID: u.ID, Role: auth.RoleWorkforcePlanner}
		if err := a.AddGrant(ctx, system, planner); err != nil {
			t.Fatal(err)
		}
		if got, err := roles(a, "hash-1"); err != nil || got != "national-school-admin workforce-planner " {
			t.Fatalf("after this process added a grant: %q, %v", got, err)
		}

		// A change made by another process is seen within moments, by
		// both: the other process at once.
		if _, err := roles(b, "hash-1"); err != nil {
			t.Fatal(err)
		}
		if err := b.RevokeGrant(ctx, system, u.ID, planner.ID); err != nil {
			t.Fatal(err)
		}
		if got, err := roles(b, "hash-1"); err != nil || got != "national-school-admin " {
			t.Fatalf("after it revoked a grant, the other process sees %q, %v", got, err)
		}
		lag := eventually(t, a, "hash-1", "national-school-admin ")
		if err := b.DeleteSession(ctx, system, "hash-1"); err != nil {
			t.Fatal(err)
		}
		lag = max(lag, eventually(t, a, "hash-1", "gone"))
		t.Logf("another process's change was seen after %v at most", lag)

		// Signing out everywhere, from this process: at once.
		if err := a.CreateSession(ctx, system, u.ID, "hash-2", time.Hour); err != nil {
			t.Fatal(err)
		}
		if _, err := roles(a, "hash-2"); err != nil {
			t.Fatal(err)
		}
		if err := a.DeleteUserSessions(ctx, system, u.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := roles(a, "hash-2"); apperr.Code(err) != apperr.NotFound {
			t.Fatalf("a session this process ended still signs in: %v", err)
		}

		// A session kept past its end is not used.
		if err := a.CreateSession(ctx, system, u.ID, "hash-3", time.Hour); err != nil {
			t.Fatal(err)
		}
		if _, err := roles(a, "hash-3"); err != nil {
			t.Fatal(err)
		}
		now := a.Now
		a.Now = func() time.Time { return now().Add(61 * time.Minute) }
		defer func() { a.Now = now }()
		if _, err := roles(a, "hash-3"); apperr.Code(err) != apperr.NotFound {
			t.Fatalf("an expired session still signs in: %v", err)
		}
	})
}

// TestSignedInChangesSurviveALostListener: on PostgreSQL, when the
// connection that listens for changes is cut, a change made meanwhile
// (whose notification is lost) is still seen, as soon as the loss is
// noticed, and well before a kept entry would run out. A TRUNCATE, which
// no Go code does but an operator might, is heard as well.
func TestSignedInChangesSurviveALostListener(t *testing.T) {
	a := testkit.PostgresDB(t)
	ctx := context.Background()
	b, u := signedInElsewhere(t, a, "Listened", "hash-l")
	admin, err := sql.Open("pgx", a.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	for round := range 3 {
		// Wait until a's listener is connected and its lookups are kept.
		var listeners int
		for start := time.Now(); ; time.Sleep(5 * time.Millisecond) {
			if _, err := roles(a, "hash-l"); err != nil {
				t.Fatal(err)
			}
			admin.QueryRow("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN hcs_principals'").Scan(&listeners)
			if listeners > 0 {
				break
			}
			if time.Since(start) > 5*time.Second {
				t.Fatal("no process listens for changes")
			}
		}
		if _, err := roles(a, "hash-l"); err != nil {
			t.Fatal(err)
		}
		var cut int
		if err := admin.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE datname = current_database() AND query = 'LISTEN hcs_principals'`).Scan(&cut); err != nil || cut == 0 {
			t.Fatalf("cut %d listeners: %v", cut, err)
		}
		g := &auth.Grant{UserID: u.ID, Role: auth.RoleWorkforcePlanner}
		if err := b.AddGrant(ctx, system, g); err != nil {
			t.Fatal(err)
		}
		lag := eventually(t, a, "hash-l", "national-school-admin workforce-planner ")
		if err := b.RevokeGrant(ctx, system, u.ID, g.ID); err != nil {
			t.Fatal(err)
		}
		lag = max(lag, eventually(t, a, "hash-l", "national-school-admin "))
		t.Logf("round %d: seen after %v at most", round, lag)
	}

	// Emptying the sessions table is heard too.
	if _, err := admin.Exec("TRUNCATE sessions"); err != nil {
		t.Fatal(err)
	}
	eventually(t, a, "hash-l", "gone")
}
