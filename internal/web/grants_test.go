package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/testkit"
)

// TestDepartmentGrantIsTheSameHoweverMade: a training officer created with
// their department grant through the API, or through the administration
// page, holds exactly the grant, and is allowed exactly what, a person
// given the same department after their account was made is.
func TestDepartmentGrantIsTheSameHoweverMade(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newMatrixFixture(t, db)
		h := testkit.ServerWith(t, db)
		admin := f.cookie(t, auth.RoleSystemAdmin)
		send := func(method, path, contentType, body string, want int) {
			t.Helper()
			req := httptest.NewRequest(method, path, strings.NewReader(body))
			req.Header.Set("Content-Type", contentType)
			req.AddCookie(admin)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != want {
				t.Fatalf("%s %s: %d, want %d: %s", method, path, rec.Code, want, excerpt(rec.Body.String()))
			}
		}
		dept := fmt.Sprint(f.deptA)
		send("POST", "/api/v1/users", "application/json",
			`{"name":"By API","email":"api@example.org","grants":[{"role":"training-officer","department_id":`+dept+`}]}`, 201)
		send("POST", "/admin/users", "application/x-www-form-urlencoded",
			url.Values{"name": {"By Page"}, "email": {"page@example.org"}, "role": {"training-officer"}, "department_id": {dept}}.Encode(), 303)
		send("POST", "/api/v1/users", "application/json", `{"name":"Later","email":"later@example.org"}`, 201)
		later, err := db.UserByEmail(ctx, "later@example.org")
		if err != nil {
			t.Fatal(err)
		}
		send("POST", fmt.Sprintf("/api/v1/users/%d/grants", later.ID), "application/json", `{"role":"training-officer","department_id":`+dept+`}`, 201)

		principals := map[string]*auth.Principal{}
		for _, email := range []string{"api@example.org", "page@example.org", "later@example.org"} {
			u, err := db.UserByEmail(ctx, email)
			if err != nil {
				t.Fatal(err)
			}
			if len(u.Grants) != 1 || u.Grants[0].OrganisationID != f.orgA || u.Grants[0].DepartmentID != f.deptA || u.Grants[0].Role != auth.RoleTrainingOfficer {
				t.Errorf("%s holds %+v, want training officer of department %d in organisation %d", email, u.Grants, f.deptA, f.orgA)
			}
			principals[email] = &auth.Principal{User: u, Grants: u.Grants}
		}
		// Every action, on records of their own and others' departments,
		// organisations, rounds and people.
		var targets []auth.Target
		for _, org := range []int64{0, f.orgA, f.orgB} {
			for _, d := range []int64{0, f.deptA, f.deptA2, f.deptB} {
				for _, user := range []int64{0, later.ID, f.victim} {
					targets = append(targets, auth.Target{OrganisationID: org, DepartmentID: d, UserID: user}, auth.Target{OrganisationID: org, DepartmentID: d, UserID: user, RoundID: f.round1})
				}
			}
		}
		targets = append(targets, auth.AnyRecord)
		ref := principals["later@example.org"]
		allowedSomewhere := 0
		for _, a := range auth.Actions() {
			for _, tg := range targets {
				want := ref.Allowed(a, tg)
				if want {
					allowedSomewhere++
				}
				for email, p := range principals {
					// Each principal is allowed its own account; compare
					// self-scoped targets by each one's own id.
					tgp := tg
					if tg.UserID == later.ID {
						tgp.UserID = p.User.ID
					}
					if got := p.Allowed(a, tgp); got != want {
						t.Errorf("%s: %s on %+v allowed %v; the later grant gives %v", email, a, tg, got, want)
					}
				}
			}
		}
		if allowedSomewhere == 0 {
			t.Fatal("the training officer is allowed nothing: the comparison proves nothing")
		}
		// And through the pages: their department, not the other one.
		for email := range principals {
			u, _ := db.UserByEmail(ctx, email)
			token, hash, _ := auth.NewToken()
			if err := db.CreateSession(ctx, system, u.ID, hash, time.Hour); err != nil {
				t.Fatal(err)
			}
			for path, want := range map[string]int{"/training": 200, "/departments/" + dept: 200, fmt.Sprintf("/departments/%d", f.deptA2): 404} {
				req := httptest.NewRequest("GET", path, nil)
				req.AddCookie(&http.Cookie{Name: "hcs_session", Value: token})
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != want {
					t.Errorf("%s: GET %s = %d, want %d", email, path, rec.Code, want)
				}
				if path == "/training" && !strings.Contains(rec.Body.String(), "Audiology A") {
					t.Errorf("%s: /training does not list their department", email)
				}
			}
		}
	})
}
