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

// TestShortlistOutcomesAPI runs a round with an interview allocation
// through the HTTP API, each answer checked against openapi.json: the
// allocation set with the round, the outcomes previewed, published once,
// an invitee's withdrawal promoting the reserve, and what each applicant
// and their data export then say. It runs on SQLite and PostgreSQL.
func TestShortlistOutcomesAPI(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		t0 := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
		w, trustA, _ := newRoundWorld(t, db, t0)
		day := func(n int) time.Time { return t0.AddDate(0, 0, n) }
		w.person("school", auth.Grant{Role: auth.RoleSchoolAdmin})
		names := []string{"ada", "ben", "cat", "dan"}
		for _, name := range names {
			w.person(name, auth.Grant{Role: auth.RoleApplicant})
		}
		open := map[string]any{
			"programme": "stp", "name": "STP 2027", "applications_open": day(1), "shortlisting_open": day(10), "interviews_open": day(20),
			"preferences_open": day(30), "offers_open": day(40), "start_date": day(200),
			"tie_break_seed": "seed", "score_margin": 100, "shortlist_weight": 1, "interview_weight": 1, "offer_working_days": 2,
			"shortlist_criteria": "Curiosity.", "shortlist_pass_mark": 40, "interviews_per_place": 1, "reserves_per_place": 1,
			"stations": []map[string]any{{"name": "communication", "weight": 1}},
		}
		bad := map[string]any{}
		for k, v := range open {
			bad[k] = v
		}
		bad["name"], bad["interviews_per_place"] = "Reserves alone", 0
		if e := w.call("school", "POST", "/api/v1/rounds", bad, 400); !strings.Contains(fmt.Sprint(e), "reserve list needs an interview allocation") {
			t.Errorf("reserves without interviews: %v", e)
		}
		round := w.call("school", "POST", "/api/v1/rounds", open, 201)
		rid := fmt.Sprint(num(round["id"]))
		if num(round["interviews_per_place"]) != 1 || num(round["reserves_per_place"]) != 1 {
			t.Errorf("the new round's allocation: %v", round)
		}
		w.call("school", "POST", "/api/v1/rounds/"+rid+"/posts", map[string]any{
			"organisation_id": trustA.ID, "specialism": "audiology", "site": "St Elsewhere", "places": 1, "contact": "audiology@trust-a.example"}, 201)
		for _, name := range []string{"reviewer", "reviewer2"} {
			w.person(name, auth.Grant{})
			w.call("school", "POST", "/api/v1/rounds/"+rid+"/reviewers", map[string]any{"email": name + "@example.org"}, 201)
		}
		w.clock.Set(day(2))
		apps := map[string]string{}
		for _, name := range names {
			w.call(name, "PUT", "/api/v1/me/profile", map[string]any{"qualifications": qualifications("gcse", "a-levels-science", "degree-21"), "right_to_work": true}, 200)
			apps[name] = fmt.Sprint(num(w.call(name, "POST", "/api/v1/rounds/"+rid+"/applications", map[string]any{"specialism": "audiology", "statement": "I want to help people hear."}, 201)["id"]))
		}
		w.clock.Set(day(11))
		w.call("school", "POST", "/api/v1/rounds/"+rid+"/assignments", nil, 200)
		// Ada 80, ben 70 (the reserve), cat 60, dan 30 (below the benchmark).
		score := map[string]int{apps["ada"]: 80, apps["ben"]: 70, apps["cat"]: 60, apps["dan"]: 30}
		for _, rv := range []string{"reviewer", "reviewer2"} {
			for _, a := range w.call(rv, "GET", "/api/v1/rounds/"+rid+"/review", nil, 200)["applications"].([]any) {
				id := fmt.Sprint(num(a.(map[string]any)["id"]))
				w.call(rv, "POST", "/api/v1/applications/"+id+"/reviews", map[string]any{"score": score[id]}, 201)
			}
		}
		w.call("school", "POST", "/api/v1/rounds/"+rid+"/shortlist/publish", nil, 409) // shortlisting is open
		w.clock.Set(day(21))
		w.call("ada", "GET", "/api/v1/rounds/"+rid+"/shortlist", nil, 403)
		preview := w.call("school", "GET", "/api/v1/rounds/"+rid+"/shortlist", nil, 200)
		if preview["published"] != false || len(preview["outcomes"].([]any)) != 4 || !strings.Contains(preview["rules"].(string), "1 interview(s) and 1 reserve place(s)") {
			t.Errorf("the preview: %v", preview)
		}
		st := w.call("school", "POST", "/api/v1/rounds/"+rid+"/shortlist/publish", nil, 200)
		outcome := map[string]string{}
		for _, o := range st["outcomes"].([]any) {
			o := o.(map[string]any)
			outcome[fmt.Sprint(num(o["application_id"]))] = o["outcome"].(string)
		}
		if outcome[apps["ada"]] != "interview" || outcome[apps["ben"]] != "reserve" || outcome[apps["cat"]] != "unsuccessful" || outcome[apps["dan"]] != "unsuccessful" {
			t.Errorf("published outcomes: %v", outcome)
		}
		w.call("school", "POST", "/api/v1/rounds/"+rid+"/shortlist/publish", nil, 409)
		ben := w.call("ben", "GET", "/api/v1/applications/"+apps["ben"], nil, 200)
		if ben["standing"].(map[string]any)["step"] != "reserve" || ben["shortlist"].(map[string]any)["reserve_place"].(float64) != 1 {
			t.Errorf("ben, the reserve: %v", ben)
		}

		// Ada cannot come to interview: she withdraws, and ben is invited.
		w.call("ben", "POST", "/api/v1/applications/"+apps["ada"]+"/withdraw", nil, 404)
		gone := w.call("ada", "POST", "/api/v1/applications/"+apps["ada"]+"/withdraw", nil, 200)
		if gone["application"].(map[string]any)["withdrawn_at"] == nil {
			t.Errorf("ada's withdrawn application: %v", gone["application"])
		}
		w.call("ada", "POST", "/api/v1/applications/"+apps["ada"]+"/withdraw", nil, 409)
		ben = w.call("ben", "GET", "/api/v1/applications/"+apps["ben"], nil, 200)
		if ben["standing"].(map[string]any)["step"] != "interview" || ben["shortlist"].(map[string]any)["promoted_at"] == nil {
			t.Errorf("ben after ada withdrew: %v", ben)
		}
		fb := w.call("dan", "GET", "/api/v1/applications/"+apps["dan"]+"/feedback", nil, 200)["shortlisting"].(map[string]any)
		if !strings.Contains(fb["explanation"].(string), "below the benchmark of 40") {
			t.Errorf("dan's feedback: %v", fb)
		}
		data := w.call("ben", "GET", "/api/v1/me/data", nil, 200)
		if !strings.Contains(fmt.Sprint(data), "shortlist_outcomes") {
			t.Errorf("ben's data export has no shortlisting outcome: %v", data)
		}
		w.spec.checkExercised(t, "Recruitment: shortlisting outcomes")
	})
}
