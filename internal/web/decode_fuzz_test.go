package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/testkit"
)

// writeRoutes are every route that decodes a request body, with a valid
// body as a seed.
var writeRoutes = []struct {
	method, path, contentType, seed string
}{
	{"POST", "/api/v1/session", "application/json", `{"email":"a@b.org","password":"correct horse battery"}`},
	{"POST", "/api/v1/organisations", "application/json", `{"kind":"trust","name":"Fuzz Trust","region":"London"}`},
	{"POST", "/api/v1/organisations/1/departments", "application/json", `{"name":"Fuzz Dept","specialism":"audiology"}`},
	{"POST", "/api/v1/users", "application/json", `{"name":"Fuzz Person","email":"fuzz@example.org","grants":[{"role":"applicant"}]}`},
	{"POST", "/api/v1/users/2/grants", "application/json", `{"role":"workforce-planner"}`},
	{"POST", "/sign-in", "application/x-www-form-urlencoded", "email=a%40b.org&password=x"},
	{"POST", "/sign-up", "application/x-www-form-urlencoded", "name=Fuzz&email=fuzz2%40example.org&password=correct+horse+battery&confirm=correct+horse+battery"},
	{"POST", "/password-reset", "application/x-www-form-urlencoded", "email=a%40b.org"},
	{"POST", "/password-reset/abc", "application/x-www-form-urlencoded", "password=correct+horse+battery&confirm=correct+horse+battery"},
	{"POST", "/organisations", "application/x-www-form-urlencoded", "kind=trust&name=Form+Trust&region=Wales"},
	{"POST", "/organisations/1/departments", "application/x-www-form-urlencoded", "name=Form+Dept"},
	{"POST", "/admin/users", "application/x-www-form-urlencoded", "name=Form+Person&email=form%40example.org"},
	{"POST", "/admin/users/2/grants", "application/x-www-form-urlencoded", "role=employer-recruiter&organisation_id=1"},
}

// FuzzRequestDecoders sends arbitrary bodies to every route that decodes
// one, signed in as a system administrator (who may call all of them).
// Nothing may answer 5xx, and a 4xx answer must change nothing: the audit
// log, which every change writes to, must not grow.
func FuzzRequestDecoders(f *testing.F) {
	for i, r := range writeRoutes {
		f.Add(uint8(i), r.seed)
		f.Add(uint8(i), `{"name": 12}`)
		f.Add(uint8(i), strings.Repeat("x", 70<<10))
	}
	f.Add(uint8(1), `{"kind":"trust","name":"A","region":"London"} {}`)
	f.Add(uint8(1), `{"kind":"trust","name":"A","region":"London","extra":true}`)
	f.Add(uint8(3), `{"grants":[{"role":"employer-recruiter","organisation_id":-1}]}`)
	db := testkit.SQLiteDB(f)
	h := testkit.ServerWith(f, db)
	ctx := context.Background()
	org := &auth.Organisation{Kind: auth.OrgTrust, Name: "Seed Trust", Region: "London"}
	db.CreateOrganisation(ctx, auth.Actor{}, org)
	token := adminSession(f, db)
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		r := writeRoutes[int(which)%len(writeRoutes)]
		before := auditCount(t, db)
		req := httptest.NewRequest(r.method, r.path, strings.NewReader(body))
		req.Header.Set("Content-Type", r.contentType)
		req.AddCookie(&http.Cookie{Name: "hcs_session", Value: token})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s with %q: %d %s", r.method, r.path, body, rec.Code, rec.Body)
		}
		if rec.Code >= 400 {
			if after := auditCount(t, db); after != before && !strings.Contains(r.path, "session") && r.path != "/sign-in" {
				t.Fatalf("%s %s answered %d but the audit log grew from %d to %d", r.method, r.path, rec.Code, before, after)
			}
			if strings.HasPrefix(r.path, "/api/") && !strings.Contains(rec.Body.String(), `"message"`) {
				t.Fatalf("%s %s: %d without an error message: %s", r.method, r.path, rec.Code, rec.Body)
			}
		}
	})
}

func auditCount(t *testing.T, db *database.DB) int {
	t.Helper()
	entries, err := db.Audit(context.Background(), auth.AuditFilter{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

func TestDecoderErrorsNameTheField(t *testing.T) {
	db := testkit.SQLiteDB(t)
	h := testkit.ServerWith(t, db)
	ctx := context.Background()
	token := adminSession(t, db)
	for _, tc := range []struct{ body, field, words string }{
		{`{"kind":"trust","name":"X","region":"London","colour":"red"}`, "colour", "not a field"},
		{`{"kind":"trust","name":7,"region":"London"}`, "name", "must be a string"},
		{`{"kind":"trust","name":"X","region":"Mars"}`, "region", "Mars"},
		{`{"kind":"trust","name":"X"`, "body", "ends in the middle"},
		{`[1,2]`, "body", "must be a JSON object"},
		{``, "body", "empty"},
		{`{"kind":"trust","name":"` + strings.Repeat("x", 70<<10) + `"}`, "body", "larger than"},
	} {
		req := httptest.NewRequest("POST", "/api/v1/organisations", strings.NewReader(tc.body))
		req.Header.Set("Content-Type", "application/json")
		req.AddCookie(&http.Cookie{Name: "hcs_session", Value: token})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		b := rec.Body.String()
		if rec.Code != http.StatusBadRequest || !strings.Contains(b, `"field":"`+tc.field+`"`) || !strings.Contains(b, tc.words) {
			t.Errorf("body %.40q: %d %s; want 400 naming %s and saying %q", tc.body, rec.Code, b, tc.field, tc.words)
		}
	}
	if orgs, _ := db.Organisations(ctx, nil); len(orgs) != 0 {
		t.Errorf("bad requests created %d organisations", len(orgs))
	}
}

// adminSession creates a system administrator and returns a session token.
func adminSession(tb testing.TB, db *database.DB) string {
	tb.Helper()
	ctx := context.Background()
	admin := &auth.User{Name: "Admin", Email: "admin@example.org"}
	if err := db.CreateUser(ctx, auth.Actor{}, admin, "", []auth.Grant{{Role: auth.RoleSystemAdmin}}); err != nil {
		tb.Fatal(err)
	}
	token, hash, _ := auth.NewToken()
	if err := db.CreateSession(ctx, auth.Actor{}, admin.ID, hash, time.Hour); err != nil {
		tb.Fatal(err)
	}
	return token
}

// TestAuditNamesWhoActed: someone signing up is the actor of their own
// account's creation; an account made by an administrator names the
// administrator.
func TestAuditNamesWhoActed(t *testing.T) {
	db := testkit.SQLiteDB(t)
	h := testkit.ServerWith(t, db)
	ctx := context.Background()
	req := httptest.NewRequest("POST", "/sign-up", strings.NewReader("name=New+Person&email=new%40example.org&password=correct+horse+battery&confirm=correct+horse+battery"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("sign-up: %d %s", rec.Code, rec.Body)
	}
	req = httptest.NewRequest("POST", signUpLink(t, db, "new@example.org"), nil)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("following the sign-up link: %d %s", rec.Code, rec.Body)
	}
	u, err := db.UserByEmail(ctx, "new@example.org")
	if err != nil {
		t.Fatal(err)
	}
	token := adminSession(t, db)
	req = httptest.NewRequest("POST", "/api/v1/users", strings.NewReader(`{"name":"Made By Admin","email":"made@example.org"}`))
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(&http.Cookie{Name: "hcs_session", Value: token})
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusCreated {
		t.Fatalf("create user: %d %s", rec.Code, rec.Body)
	}
	admin, _ := db.UserByEmail(ctx, "admin@example.org")
	made, _ := db.UserByEmail(ctx, "made@example.org")
	for _, tc := range []struct{ user, actor int64 }{{u.ID, u.ID}, {made.ID, admin.ID}} {
		entries, _ := db.Audit(ctx, auth.AuditFilter{RecordType: "user", RecordID: fmt.Sprint(tc.user)})
		found := false
		for _, e := range entries {
			if e.Action == "user.create" {
				found = true
				if e.ActorID != tc.actor || e.Address == "" {
					t.Errorf("user %d created by actor %d from %q, want actor %d", tc.user, e.ActorID, e.Address, tc.actor)
				}
			}
		}
		if !found {
			t.Errorf("no user.create entry for user %d", tc.user)
		}
	}
}
