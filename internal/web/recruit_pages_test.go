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
	"hcs/internal/testkit"
)

// form posts a form as a person and returns the answer.
func (w *roundWorld) form(who, path string, values url.Values) *httptest.ResponseRecorder {
	w.t.Helper()
	req := httptest.NewRequest("POST", path, strings.NewReader(values.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w.mu.Lock()
	req.AddCookie(&http.Cookie{Name: "hcs_session", Value: w.cookies[who]})
	w.mu.Unlock()
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, req)
	return rec
}

// TestRecruitmentForms: the forms that could lose or change what nobody
// meant to change. The timetable form keeps each unchanged date's time; a
// post is withdrawn only once confirmed; an empty ranking of posts is
// refused with the reason.
func TestRecruitmentForms(t *testing.T) {
	w, trustA, _ := newRoundWorld(t, testkit.SQLiteDB(t), testkit.T0)
	w.person("school", auth.Grant{Role: auth.RoleSchoolAdmin})
	w.person("employer", auth.Grant{Role: auth.RoleEmployer, OrganisationID: trustA.ID})
	at := func(n int) time.Time { return testkit.Day(n) } // 09:00 UTC
	round := w.call("school", "POST", "/api/v1/rounds", map[string]any{
		"programme": "stp", "name": "STP forms", "applications_open": at(1), "shortlisting_open": at(10), "interviews_open": at(20),
		"preferences_open": at(30), "offers_open": at(40), "start_date": at(200), "tie_break_seed": "s", "shortlist_weight": 1, "offer_working_days": 2}, 201)
	rid := fmt.Sprint(num(round["id"]))
	dates := url.Values{}
	for field, day := range map[string]int{"applications_open": 1, "shortlisting_open": 10, "interviews_open": 20, "preferences_open": 30, "offers_open": 40, "start_date": 200} {
		dates.Set(field, at(day).Format("2006-01-02"))
	}
	if rec := w.form("school", "/school/rounds/"+rid+"/timetable", dates); rec.Code != http.StatusSeeOther {
		t.Fatalf("saving the dates unchanged: %d %s", rec.Code, excerpt(rec.Body.String()))
	}
	got := w.call("", "GET", "/api/v1/rounds/"+rid, nil, 200)
	if got["applications_open"] != at(1).Format(time.RFC3339) || got["start_date"] != at(200).Format(time.RFC3339) {
		t.Errorf("saving unchanged dates moved them: %v to %v", got["applications_open"], got["start_date"])
	}
	dates.Set("start_date", at(210).Format("2006-01-02"))
	w.form("school", "/school/rounds/"+rid+"/timetable", dates)
	got = w.call("", "GET", "/api/v1/rounds/"+rid, nil, 200)
	if got["start_date"] != at(210).Truncate(24*time.Hour).Format(time.RFC3339) || got["offers_open"] != at(40).Format(time.RFC3339) {
		t.Errorf("changing the start date: start %v, offers %v", got["start_date"], got["offers_open"])
	}
	dates.Set("interviews_open", at(5).Format("2006-01-02"))
	if rec := w.form("school", "/school/rounds/"+rid+"/timetable", dates); rec.Code != 400 || !strings.Contains(rec.Body.String(), `href="#interviews_open"`) {
		t.Errorf("dates out of order: %d, the error does not point at interviews_open", rec.Code)
	}

	post := w.call("employer", "POST", "/api/v1/rounds/"+rid+"/posts", map[string]any{
		"organisation_id": trustA.ID, "specialism": "audiology", "site": "Royal", "places": 1, "contact": "c"}, 201)
	pid := fmt.Sprint(num(post["id"]))
	if rec := w.form("employer", "/employer/posts/"+pid+"/withdraw", nil); rec.Code != 200 || !strings.Contains(rec.Body.String(), "Withdraw this post?") {
		t.Errorf("withdrawing without confirming: %d", rec.Code)
	}
	if st := w.call("", "GET", "/api/v1/posts/"+pid, nil, 200)["status"]; st != "open" {
		t.Errorf("the post was withdrawn before it was confirmed: %v", st)
	}
	if rec := w.form("employer", "/employer/posts/"+pid+"/withdraw", url.Values{"confirm": {"yes"}}); rec.Code != http.StatusSeeOther {
		t.Errorf("withdrawing, confirmed: %d", rec.Code)
	}
	if st := w.call("", "GET", "/api/v1/posts/"+pid, nil, 200)["status"]; st != "withdrawn" {
		t.Errorf("the confirmed withdrawal did not happen: %v", st)
	}
	if rec := w.form("school", "/school/rounds/"+rid+"/stations", url.Values{"stations": {"Alpha: 1\nBeta: 0"}}); rec.Code != 400 ||
		!strings.Contains(rec.Body.String(), `href="#stations"`) || !strings.Contains(rec.Body.String(), "station 2: the weight must be 1 to 10") {
		t.Errorf("a bad station weight: %d", rec.Code)
	}
}

// TestEmptyRankingIsRefused: an applicant who ranks no post is told that
// means taking no part in the match.
func TestEmptyRankingIsRefused(t *testing.T) {
	db := testkit.SQLiteDB(t)
	sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 1, Places: []int{1}, Reviewers: 2, Until: testkit.UntilInterviewed})
	if _, err := sr.Service.RankRound(ctxBackground(), auth.Actor{UserID: sr.School.ID}, sr.Round.ID); err != nil {
		t.Fatal(err)
	}
	w := &roundWorld{t: t, h: testkit.ServerWith(t, db), db: db, cookies: map[string]string{}, users: map[string]int64{}}
	token, hash, _ := auth.NewToken()
	if err := db.CreateSession(ctxBackground(), system, sr.Applicants[0].ID, hash, time.Hour*24*365); err != nil {
		t.Fatal(err)
	}
	w.cookies["applicant"] = token
	rec := w.form("applicant", fmt.Sprintf("/applications/%d/preferences", sr.Apps[0].ID), url.Values{})
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), "Rank at least one post") {
		t.Errorf("an empty ranking: %d %s", rec.Code, excerpt(rec.Body.String()))
	}
}

func ctxBackground() context.Context { return context.Background() }
