package web_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/testkit"
)

// TestAccountsAPI calls every accounts, organisations and administration
// operation, with answers that work and answers that refuse, and
// validates each response against openapi.json.
func TestAccountsAPI(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		w, trustA, _ := newRoundWorld(t, db, time.Now().UTC())
		ctx := context.Background()
		hash, _ := auth.HashPassword(ctx, "correct horse battery")
		if err := db.CreateUser(ctx, system, &auth.User{Name: "Signer", Email: "signer@example.org"}, hash, []auth.Grant{{Role: auth.RoleApplicant}}); err != nil {
			t.Fatal(err)
		}
		w.call("", "POST", "/api/v1/session", map[string]any{"email": "signer@example.org", "password": "correct horse battery"}, 201)
		w.call("", "POST", "/api/v1/session", map[string]any{"email": "signer@example.org", "password": "wrong horse battery"}, 400)
		w.call("", "POST", "/api/v1/session", map[string]any{"email": "signer@example.org"}, 400)
		w.person("admin", auth.Grant{Role: auth.RoleSystemAdmin})
		w.person("leaver", auth.Grant{Role: auth.RoleApplicant})
		w.person("employer", auth.Grant{Role: auth.RoleEmployer, OrganisationID: trustA.ID})
		if u := w.call("admin", "GET", "/api/v1/me", nil, 200)["user"].(map[string]any); u["email"] != "admin@example.org" {
			t.Errorf("me: %v", u)
		}
		w.call("admin", "GET", "/api/v1/me/data", nil, 200)
		w.person("changer", auth.Grant{Role: auth.RoleApplicant})
		if err := db.SetPassword(ctx, system, w.users["changer"], testkit.PasswordHash(t, "correct horse battery"), auth.HashToken(w.cookies["changer"])); err != nil {
			t.Fatal(err)
		}
		w.call("changer", "POST", "/api/v1/me/password", map[string]any{"current": "wrong horse battery", "password": "a new long password"}, 400)
		w.call("changer", "POST", "/api/v1/me/password", map[string]any{"current": "correct horse battery", "password": "short"}, 400)
		w.call("changer", "POST", "/api/v1/me/password", map[string]any{"current": "correct horse battery", "password": "a new long password"}, 204)
		w.call("changer", "GET", "/api/v1/me", nil, 200) // the session that changed it stays signed in
		w.call("leaver", "DELETE", "/api/v1/session", nil, 204)
		w.call("leaver", "GET", "/api/v1/me", nil, 401)

		if orgs := w.call("employer", "GET", "/api/v1/organisations", nil, 200)["organisations"].([]any); len(orgs) != 1 {
			t.Errorf("the employer sees %d organisations", len(orgs))
		}
		org := w.call("admin", "POST", "/api/v1/organisations", map[string]any{"kind": "trust", "name": "Trust C", "region": "Scotland"}, 201)
		w.call("admin", "POST", "/api/v1/organisations", map[string]any{"kind": "trust", "name": "Trust C", "region": "Scotland"}, 409)
		w.call("admin", "POST", "/api/v1/organisations", map[string]any{"kind": "shop", "name": "X", "region": "Scotland"}, 400)
		oid := fmt.Sprint(num(org["id"]))
		dept := w.call("admin", "POST", "/api/v1/organisations/"+oid+"/departments", map[string]any{"name": "Genomics", "specialism": "genomics"}, 201)
		w.call("employer", "POST", "/api/v1/organisations/"+oid+"/departments", map[string]any{"name": "Intrusion"}, 403)
		if d := w.call("admin", "GET", "/api/v1/organisations/"+oid, nil, 200)["departments"].([]any); len(d) != 1 {
			t.Errorf("departments: %v", d)
		}
		w.call("admin", "GET", "/api/v1/organisations/999999", nil, 404)

		made := w.call("admin", "POST", "/api/v1/users", map[string]any{"name": "New Officer", "email": "officer@example.org",
			"grants": []map[string]any{{"role": "training-officer", "department_id": num(dept["id"])}}}, 201)
		if g := made["grants"].([]any)[0].(map[string]any); num(g["organisation_id"]) != num(org["id"]) {
			t.Errorf("the new officer's grant has no organisation: %v", g)
		}
		w.call("admin", "POST", "/api/v1/users", map[string]any{"name": "Nobody", "email": "not an address"}, 400)
		bare := w.call("admin", "POST", "/api/v1/users", map[string]any{"name": "Bare", "email": "bare@example.org"}, 201)
		if g := bare["grants"].([]any); len(g) != 0 {
			t.Errorf("a user made without roles has %v", g)
		}
		uid := fmt.Sprint(num(made["id"]))
		g := w.call("admin", "POST", "/api/v1/users/"+uid+"/grants", map[string]any{"role": "employer-recruiter", "organisation_id": num(org["id"])}, 201)
		w.call("admin", "POST", "/api/v1/users/"+uid+"/grants", map[string]any{"role": "employer-recruiter"}, 400)
		w.call("admin", "DELETE", "/api/v1/users/"+uid+"/grants/"+fmt.Sprint(num(g["id"])), nil, 204)
		w.call("admin", "DELETE", "/api/v1/users/"+uid+"/grants/999999", nil, 404)
		w.call("admin", "POST", "/api/v1/users/"+uid+"/erase", nil, 400) // not only an applicant
		leaver := fmt.Sprint(w.users["leaver"])
		if e := w.call("admin", "POST", "/api/v1/users/"+leaver+"/erase", nil, 200); e["erased_at"] == nil {
			t.Errorf("erased: %v", e)
		}
		w.call("admin", "POST", "/api/v1/users/"+leaver+"/erase", nil, 409)
		if u := w.call("admin", "GET", "/api/v1/users", nil, 200)["users"].([]any); len(u) < 5 {
			t.Errorf("users: %d", len(u))
		}
		w.call("admin", "GET", "/api/v1/audit?record_type=user&limit=5", nil, 200)
		if m := w.call("admin", "GET", "/api/v1/outbox", nil, 200)["messages"].([]any); len(m) < 2 {
			t.Errorf("the outbox holds %d messages, want the new accounts' links", len(m))
		}
		w.call("employer", "GET", "/api/v1/users", nil, 403)
		w.call("", "GET", "/api/v1/audit", nil, 401)
		w.spec.checkExercised(t, "Accounts", "Organisations", "Administration")
	})
}
