package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/idempotency"
	"hcs/internal/testkit"
)

// idempotencyFixture is two servers on one database (as two processes
// would be) and a system administrator's session.
type idempotencyFixture struct {
	db     *database.DB
	a, b   http.Handler
	admin  *auth.User
	cookie string
}

func newIdempotencyFixture(t *testing.T, db *database.DB) *idempotencyFixture {
	t.Helper()
	ctx := context.Background()
	f := &idempotencyFixture{db: db, a: testkit.ServerWith(t, db), b: testkit.ServerWith(t, db),
		admin: &auth.User{Name: "Ida Admin", Email: "ida@example.org"}}
	if err := db.CreateUser(ctx, auth.System("test"), f.admin, "", []auth.Grant{{Role: auth.RoleSystemAdmin}}); err != nil {
		t.Fatal(err)
	}
	token, hash, _ := auth.NewToken()
	if err := db.CreateSession(ctx, auth.System("test"), f.admin.ID, hash, time.Hour); err != nil {
		t.Fatal(err)
	}
	f.cookie = "hcs_session=" + token
	return f
}

// create asks a server to create an organisation.
func (f *idempotencyFixture) create(h http.Handler, key, name string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", "/api/v1/organisations", strings.NewReader(fmt.Sprintf(`{"kind":"trust","name":%q,"region":"London"}`, name)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Cookie", f.cookie)
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func (f *idempotencyFixture) count(t *testing.T, name string) int {
	return testkit.Count(t, f.db, "SELECT COUNT(*) FROM organisations WHERE name = $1", name)
}

// The same Idempotency-Key sent to two servers makes one write, and both
// answers are the same.
func TestIdempotencyKeyAcrossServers(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		f := newIdempotencyFixture(t, db)
		first := f.create(f.a, "key-1", "Retry Trust")
		again := f.create(f.b, "key-1", "Retry Trust")
		if first.Code != http.StatusCreated || again.Code != http.StatusCreated {
			t.Fatalf("first %d %s, retry %d %s", first.Code, first.Body, again.Code, again.Body)
		}
		if first.Body.String() != again.Body.String() || again.Header().Get("Idempotent-Replayed") != "true" {
			t.Errorf("the retry's answer differs or is not marked replayed:\n%s\n%s", first.Body, again.Body)
		}
		if n := f.count(t, "Retry Trust"); n != 1 {
			t.Errorf("%d organisations made, want 1", n)
		}
		// Another key is another request.
		if rec := f.create(f.a, "key-2", "Retry Trust"); rec.Code == http.StatusCreated {
			t.Errorf("a second organisation with the same name under a new key: %d", rec.Code)
		}
		// The same key for another request is refused, naming the header.
		rec := f.create(f.b, "key-1", "Another Trust")
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "Idempotency-Key") {
			t.Errorf("the key reused for another request: %d %s", rec.Code, rec.Body)
		}
		if n := f.count(t, "Another Trust"); n != 0 {
			t.Errorf("the reused key made %d organisations", n)
		}
		// Keys belong to an account: another person's key is theirs alone.
		other := newIdempotencyFixtureUser(t, f, "Ola Other", "ola@example.org")
		if rec := other.create(f.a, "key-1", "Ola Trust"); rec.Code != http.StatusCreated || other.count(t, "Ola Trust") != 1 {
			t.Errorf("another account's request with the same key: %d %s", rec.Code, rec.Body)
		}
		// Password changes and signing in ignore the key: their bodies
		// hold passwords, which are not kept even as a hash.
		req := httptest.NewRequest("POST", "/api/v1/me/password", strings.NewReader(`{"current":"wrong password here","password":"a new long password 1"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Cookie", f.cookie)
		req.Header.Set("Idempotency-Key", "pw-1")
		f.a.ServeHTTP(httptest.NewRecorder(), req)
		if n := testkit.Count(t, db, "SELECT COUNT(*) FROM idempotency_keys WHERE key = $1", "pw-1"); n != 0 {
			t.Errorf("a password change kept %d rows for its key", n)
		}
		// A key that is not visible ASCII is refused.
		if rec := f.create(f.a, "key with spaces", "Space Trust"); rec.Code != http.StatusBadRequest {
			t.Errorf("a key with spaces: %d", rec.Code)
		}
	})
}

func newIdempotencyFixtureUser(t *testing.T, f *idempotencyFixture, name, email string) *idempotencyFixture {
	t.Helper()
	ctx := context.Background()
	g := *f
	g.admin = &auth.User{Name: name, Email: email}
	if err := f.db.CreateUser(ctx, auth.System("test"), g.admin, "", []auth.Grant{{Role: auth.RoleSystemAdmin}}); err != nil {
		t.Fatal(err)
	}
	token, hash, _ := auth.NewToken()
	if err := f.db.CreateSession(ctx, auth.System("test"), g.admin.ID, hash, time.Hour); err != nil {
		t.Fatal(err)
	}
	g.cookie = "hcs_session=" + token
	return &g
}

// Many retries of one request at once, to both servers: one write; every
// answer is the first answer or "still being carried out".
func TestIdempotencyKeyConcurrentRetries(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		f := newIdempotencyFixture(t, db)
		codes := make([]int, 16)
		bodies := make([]string, 16)
		var wg sync.WaitGroup
		for i := range codes {
			wg.Go(func() {
				h := f.a
				if i%2 == 1 {
					h = f.b
				}
				rec := f.create(h, "burst", "Burst Trust")
				codes[i], bodies[i] = rec.Code, rec.Body.String()
			})
		}
		wg.Wait()
		if n := f.count(t, "Burst Trust"); n != 1 {
			t.Fatalf("%d organisations made, want 1 (codes %v)", n, codes)
		}
		created := ""
		for i, c := range codes {
			switch c {
			case http.StatusCreated:
				if created != "" && bodies[i] != created {
					t.Errorf("two different answers:\n%s\n%s", created, bodies[i])
				}
				created = bodies[i]
			case http.StatusConflict:
				if !strings.Contains(bodies[i], "still being carried out") {
					t.Errorf("409 %s", bodies[i])
				}
			default:
				t.Errorf("status %d %s", c, bodies[i])
			}
		}
		if rec := f.create(f.b, "burst", "Burst Trust"); rec.Code != http.StatusCreated || rec.Body.String() != created {
			t.Errorf("a retry after the burst: %d %s", rec.Code, rec.Body)
		}
	})
}

// After a crash: a key whose write was made but whose answer was lost is
// reported as carried out, never done again; a key whose request wrote
// nothing is taken over once it is stale, and the request carried out.
func TestIdempotencyKeyAfterACrash(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		f := newIdempotencyFixture(t, db)
		ctx := context.Background()
		fingerprint := func(name string) string {
			// What the server computes for this request.
			key := "probe-" + strings.ReplaceAll(name, " ", "-")
			rec := f.create(f.a, key, name)
			if rec.Code != http.StatusCreated {
				t.Fatalf("probe: %d %s", rec.Code, rec.Body)
			}
			var fp string
			if err := db.Read(ctx, func(tx *database.Tx) error {
				return tx.QueryRow(ctx, "SELECT fingerprint FROM idempotency_keys WHERE key = $1", key).Scan(&fp)
			}); err != nil {
				t.Fatal(err)
			}
			return fp
		}
		// The crashed process claimed the key and committed its write in
		// the same transaction that marked the key, then died.
		fp := fingerprint("Crash Trust")
		committed := idempotency.Claim{UserID: f.admin.ID, Key: "crashed-after-write"}
		if _, claimed, err := db.ClaimKey(ctx, committed, fp, time.Minute); err != nil || !claimed {
			t.Fatal(claimed, err)
		}
		if err := db.Write(idempotency.WithClaim(ctx, committed), func(tx *database.Tx) error { return nil }); err != nil {
			t.Fatal(err)
		}
		// Soon after, a retry is told to wait: the first may still be
		// keeping its answer.
		if rec := f.create(f.b, "crashed-after-write", "Crash Trust"); rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "still being carried out") {
			t.Errorf("a retry just after the write: %d %s", rec.Code, rec.Body)
		}
		if err := db.Write(ctx, func(tx *database.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE idempotency_keys SET created_at = $1 WHERE key = $2", tx.Now.Add(-2*time.Minute), committed.Key)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		rec := f.create(f.b, "crashed-after-write", "Crash Trust")
		if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "was carried out") {
			t.Errorf("a retry after the write was made: %d %s", rec.Code, rec.Body)
		}
		if n := f.count(t, "Crash Trust"); n != 1 {
			t.Errorf("%d organisations, want only the probe's", n)
		}

		// The crashed process claimed the key two minutes ago and wrote
		// nothing: the retry carries the request out.
		fp = fingerprint("Lost Trust")
		if err := db.Write(ctx, func(tx *database.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO idempotency_keys (user_id, key, fingerprint, created_at) VALUES ($1, $2, $3, $4)",
				f.admin.ID, "crashed-before-write", fp, tx.Now.Add(-2*time.Minute))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		// (the probe made "Lost Trust" already; the retry is refused as a
		// duplicate name, which is the request carried out once more)
		rec = f.create(f.b, "crashed-before-write", "Lost Trust")
		if !strings.Contains(rec.Body.String(), "already exists") {
			t.Errorf("a stale claim that wrote nothing still holds the key: %d %s", rec.Code, rec.Body)
		}
		// A fresh claim that wrote nothing holds retries off.
		fresh := idempotency.Claim{UserID: f.admin.ID, Key: "in-flight"}
		if _, _, err := db.ClaimKey(ctx, fresh, fingerprint("Flight Trust"), time.Minute); err != nil {
			t.Fatal(err)
		}
		if rec := f.create(f.a, "in-flight", "Flight Trust"); rec.Code != http.StatusConflict || rec.Header().Get("Retry-After") == "" {
			t.Errorf("a retry while the first is running: %d %s", rec.Code, rec.Body)
		}
	})
}

// An answer kept for one account can be about another person (an
// administrator creating their account); erasing that person deletes it,
// so a retry cannot bring their name and address back.
func TestErasureReachesKeptAnswers(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		f := newIdempotencyFixture(t, db)
		send := func(method, path, key, body string) *httptest.ResponseRecorder {
			req := httptest.NewRequest(method, path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Cookie", f.cookie)
			if key != "" {
				req.Header.Set("Idempotency-Key", key)
			}
			rec := httptest.NewRecorder()
			f.a.ServeHTTP(rec, req)
			return rec
		}
		body := `{"name":"Vera Victim","email":"vera.victim@example.org"}`
		rec := send("POST", "/api/v1/users", "create-vera", body)
		if rec.Code != http.StatusCreated {
			t.Fatalf("create: %d %s", rec.Code, rec.Body)
		}
		var id int64
		fmt.Sscanf(rec.Body.String()[strings.Index(rec.Body.String(), `"id":`)+5:], "%d", &id)
		if rec := send("POST", fmt.Sprintf("/api/v1/users/%d/grants", id), "", `{"role":"applicant"}`); rec.Code >= 300 {
			t.Fatalf("grant: %d %s", rec.Code, rec.Body)
		}
		if rec := send("POST", fmt.Sprintf("/api/v1/users/%d/erase", id), "", ""); rec.Code != http.StatusOK {
			t.Fatalf("erase %d: %d %s", id, rec.Code, rec.Body)
		}
		if n := testkit.Count(t, db, "SELECT COUNT(*) FROM idempotency_keys WHERE body LIKE '%vera.victim@example.org%'"); n != 0 {
			t.Errorf("%d kept answers still name the erased person", n)
		}
		if rec := send("POST", "/api/v1/users", "create-vera", body); rec.Header().Get("Idempotent-Replayed") == "true" {
			t.Errorf("a retry replayed the erased person's answer: %s", rec.Body)
		}
	})
}
