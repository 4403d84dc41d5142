package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/testkit"
)

// TestInServiceAPI runs the in-service route's nominations through the
// HTTP API, each answer checked against openapi.json: an employee
// nominated through an in-service post by their trust's recruiter (not
// the national school, not another trust), listed, the nomination
// withdrawn and made again, and withdrawal refused once applications
// close. It runs on SQLite and PostgreSQL.
func TestInServiceAPI(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		t0 := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
		w, trustA, trustB := newRoundWorld(t, db, t0)
		day := func(n int) time.Time { return t0.AddDate(0, 0, n) }
		w.person("school", auth.Grant{Role: auth.RoleSchoolAdmin})
		w.person("employerA", auth.Grant{Role: auth.RoleEmployer, OrganisationID: trustA.ID})
		w.person("employerB", auth.Grant{Role: auth.RoleEmployer, OrganisationID: trustB.ID})
		w.person("nia", auth.Grant{Role: auth.RoleApplicant})
		round := w.call("school", "POST", "/api/v1/rounds", map[string]any{
			"programme": "stp", "name": "STP 2027", "applications_open": day(1), "shortlisting_open": day(10), "interviews_open": day(20),
			"preferences_open": day(30), "offers_open": day(40), "start_date": day(200),
			"tie_break_seed": "seed", "score_margin": 10, "shortlist_weight": 1, "interview_weight": 1, "offer_working_days": 2,
			"shortlist_criteria": "Curiosity.", "stations": []map[string]any{{"name": "communication", "weight": 1}},
		}, 201)
		rid := fmt.Sprint(num(round["id"]))
		post := w.call("employerA", "POST", "/api/v1/rounds/"+rid+"/posts", map[string]any{
			"organisation_id": trustA.ID, "specialism": "audiology", "site": "St Elsewhere", "places": 1, "contact": "audiology@trust-a.example", "in_service": true}, 201)
		pid := fmt.Sprint(num(post["id"]))
		w.clock.Set(day(2))
		w.call("nia", "PUT", "/api/v1/me/profile", map[string]any{"qualifications": qualifications("gcse", "a-levels-science", "degree-21"), "right_to_work": true,
			"employer_id": trustA.ID}, 200)

		nominate := map[string]any{"email": "NIA@example.org"}
		w.call("school", "POST", "/api/v1/posts/"+pid+"/nominations", nominate, 403)
		w.call("employerB", "POST", "/api/v1/posts/"+pid+"/nominations", nominate, 404)
		n := w.call("employerA", "POST", "/api/v1/posts/"+pid+"/nominations", nominate, 201)
		nid := fmt.Sprint(num(n["id"]))
		w.call("employerA", "POST", "/api/v1/posts/"+pid+"/nominations", nominate, 409)
		if list := w.call("employerA", "GET", "/api/v1/posts/"+pid+"/nominations", nil, 200)["nominations"].([]any); len(list) != 1 {
			t.Errorf("the post's nominations: %v", list)
		}
		w.call("employerB", "DELETE", "/api/v1/posts/"+pid+"/nominations/"+nid, nil, 404)
		w.call("school", "DELETE", "/api/v1/posts/"+pid+"/nominations/"+nid, nil, 403)
		gone := w.call("employerA", "DELETE", "/api/v1/posts/"+pid+"/nominations/"+nid, nil, 200)
		if num(gone["id"]) != num(n["id"]) {
			t.Errorf("the withdrawn nomination: %v", gone)
		}
		w.call("employerA", "DELETE", "/api/v1/posts/"+pid+"/nominations/"+nid, nil, 404)
		if list := w.call("employerA", "GET", "/api/v1/posts/"+pid+"/nominations", nil, 200)["nominations"].([]any); len(list) != 0 {
			t.Errorf("nominations after the withdrawal: %v", list)
		}
		msgs, err := db.Outbox(t.Context(), 100)
		if err != nil {
			t.Fatal(err)
		}
		told := false
		for _, m := range msgs {
			told = told || m.Recipient == "nia@example.org" && strings.Contains(m.Subject, "nomination for an in-service post has been withdrawn")
		}
		if !told {
			t.Error("the employee was not told of the withdrawal")
		}
		again := w.call("employerA", "POST", "/api/v1/posts/"+pid+"/nominations", nominate, 201)
		w.clock.Set(day(11))
		if e := w.call("employerA", "DELETE", fmt.Sprintf("/api/v1/posts/%s/nominations/%d", pid, num(again["id"])), nil, 409); !strings.Contains(fmt.Sprint(e), "until applications closed") {
			t.Errorf("a withdrawal after applications closed: %v", e)
		}
		w.spec.checkExercised(t, "Recruitment: in-service route")
	})
}
