package web_test

import (
	"encoding/json"
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

// TestOnlineTestAPI runs a round's online test stage through the HTTP API,
// each answer checked against openapi.json: the rule set with the round
// and changed, a provider's file refused whole on a fault and imported,
// again as a no-op, a changed score refused until confirmed, the outcomes
// published once, and each applicant's result. It runs on SQLite and
// PostgreSQL.
func TestOnlineTestAPI(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		t0 := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
		w, trustA, _ := newRoundWorld(t, db, t0)
		day := func(n int) time.Time { return t0.AddDate(0, 0, n) }
		w.person("school", auth.Grant{Role: auth.RoleSchoolAdmin})
		names := []string{"ada", "ben", "cat"}
		for _, name := range names {
			w.person(name, auth.Grant{Role: auth.RoleApplicant})
		}
		round := w.call("school", "POST", "/api/v1/rounds", map[string]any{
			"programme": "stp", "name": "STP 2027", "applications_open": day(1), "shortlisting_open": day(10), "interviews_open": day(20),
			"preferences_open": day(30), "offers_open": day(40), "start_date": day(200),
			"tie_break_seed": "seed", "score_margin": 10, "shortlist_weight": 1, "interview_weight": 1, "offer_working_days": 2,
			"shortlist_criteria": "Curiosity.", "test": map[string]any{"rule": "top", "top": 1},
			"stations": []map[string]any{{"name": "communication", "weight": 1}},
		}, 201)
		rid := fmt.Sprint(num(round["id"]))
		if rule := round["test"].(map[string]any); rule["rule"] != "top" || num(rule["top"]) != 1 {
			t.Errorf("the new round's test rule: %v", rule)
		}
		w.call("school", "POST", "/api/v1/rounds", map[string]any{"programme": "stp", "name": "Bad", "applications_open": day(1), "shortlisting_open": day(10),
			"interviews_open": day(20), "preferences_open": day(30), "offers_open": day(40), "start_date": day(200), "tie_break_seed": "s", "shortlist_weight": 1,
			"offer_working_days": 2, "stations": []map[string]any{{"name": "c", "weight": 1}}, "test": map[string]any{"rule": "top"}}, 400)
		rd := w.call("school", "PUT", "/api/v1/rounds/"+rid+"/test/rule", map[string]any{"rule": "threshold", "threshold": 60}, 200)
		if rule := rd["test"].(map[string]any); rule["rule"] != "threshold" || rule["threshold"].(float64) != 60 {
			t.Errorf("the changed rule: %v", rule)
		}
		w.call("school", "PUT", "/api/v1/rounds/"+rid+"/test/rule", map[string]any{"rule": "threshold", "threshold": 60.005}, 400)
		if e := w.call("school", "PUT", "/api/v1/rounds/"+rid+"/test/rule", map[string]any{"rule": "threshold"}, 400); !strings.Contains(fmt.Sprint(e), "needs its threshold") {
			t.Errorf("a threshold rule without its threshold: %v", e)
		}
		w.call("ada", "GET", "/api/v1/rounds/"+rid+"/test", nil, 403)
		w.call("school", "POST", "/api/v1/rounds/"+rid+"/posts", map[string]any{
			"organisation_id": trustA.ID, "specialism": "audiology", "site": "St Elsewhere", "places": 1, "contact": "audiology@trust-a.example"}, 201)

		w.clock.Set(day(2))
		apps := map[string]string{}
		for _, name := range names {
			w.call(name, "PUT", "/api/v1/me/profile", map[string]any{"qualifications": qualifications("gcse", "a-levels-science", "degree-21"), "right_to_work": true}, 200)
			app := w.call(name, "POST", "/api/v1/rounds/"+rid+"/applications", map[string]any{"specialism": "audiology", "statement": "I want to help people hear."}, 201)
			apps[name] = fmt.Sprintf("APP-%06d", num(app["id"]))
		}
		csv := func(who, body, query string, want int) map[string]any {
			t.Helper()
			req := httptest.NewRequest("POST", "/api/v1/rounds/"+rid+"/test/scores"+query, strings.NewReader(body))
			req.Header.Set("Content-Type", "text/csv")
			w.mu.Lock()
			req.AddCookie(&http.Cookie{Name: "hcs_session", Value: w.cookies[who]})
			w.mu.Unlock()
			rec := httptest.NewRecorder()
			w.h.ServeHTTP(rec, req)
			w.spec.validate(t, req, rec)
			if rec.Code != want {
				t.Fatalf("importing as %s: %d, want %d: %s", who, rec.Code, want, rec.Body)
			}
			out := map[string]any{}
			if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
				t.Fatalf("not JSON: %s", rec.Body)
			}
			return out
		}
		taken := day(3).Format("2006-01-02")
		w.clock.Set(day(4))
		file := fmt.Sprintf("applicant_reference,score,taken_on\n%s,61,%s\n%s,60,%s\n%s,59.5,%s\n", apps["ada"], taken, apps["ben"], taken, apps["cat"], taken)
		bad := csv("school", strings.Replace(file, "59.5", "59,5", 1), "", 400)
		if !strings.Contains(fmt.Sprint(bad), "line 4: 4 values where the header has 3 columns") {
			t.Errorf("a faulty file: %v", bad)
		}
		if st := w.call("school", "GET", "/api/v1/rounds/"+rid+"/test", nil, 200); num(st["scored"]) != 0 {
			t.Fatalf("a refused file imported %v scores", st["scored"])
		}
		csv("ada", file, "", 403)
		if im := csv("school", file, "", 200); num(im["added"]) != 3 {
			t.Errorf("the import: %v", im)
		}
		if im := csv("school", file, "", 200); num(im["added"]) != 0 || num(im["unchanged"]) != 3 {
			t.Errorf("the same file again: %v", im)
		}
		changed := strings.Replace(file, ",61,", ",62,", 1)
		csv("school", changed, "", 409)
		csv("school", changed, "?confirm_corrections=maybe", 400)
		if im := csv("school", changed, "?confirm_corrections=true", 200); num(im["corrected"]) != 1 {
			t.Errorf("a confirmed correction: %v", im)
		}

		w.call("school", "POST", "/api/v1/rounds/"+rid+"/test/publish", nil, 409) // applications are open
		w.clock.Set(day(11))
		st := w.call("school", "POST", "/api/v1/rounds/"+rid+"/test/publish", nil, 200)
		if st["published"] != true || num(st["going_on"]) != 2 {
			t.Errorf("published: %v", st)
		}
		w.call("school", "POST", "/api/v1/rounds/"+rid+"/test/publish", nil, 409)
		mine := w.call("cat", "GET", "/api/v1/me/applications", nil, 200)["applications"].([]any)[0].(map[string]any)
		test := mine["test"].(map[string]any)
		if mine["standing"].(map[string]any)["step"] != "not-longlisted" || test["score"].(float64) != 59.5 || test["cut"].(float64) != 60 || test["goes_on"] != false {
			t.Errorf("cat's application after publishing: %v", mine)
		}
		// Cat's data export carries the same result.
		data := w.call("cat", "GET", "/api/v1/me/data", nil, 200)
		results, _ := data["application_results"].([]any)
		if len(results) != 1 || results[0].(map[string]any)["test"].(map[string]any)["goes_on"] != false {
			t.Errorf("cat's data export's application results: %v", data["application_results"])
		}
		w.spec.checkExercised(t, "Recruitment: online test")
	})
}
