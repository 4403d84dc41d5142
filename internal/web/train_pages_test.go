package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/testkit"
	"hcs/internal/train"
	"hcs/internal/web"
)

// trainingWorld is a staged training department served over HTTP, with a
// session for each of its people.
type trainingWorld struct {
	*testkit.StagedTraining
	t       *testing.T
	h       http.Handler
	cookies map[int64]string
}

func newTrainingWorld(t *testing.T, db *database.DB, applicants int) *trainingWorld {
	t.Helper()
	st := testkit.StageTraining(t, db, applicants)
	return &trainingWorld{StagedTraining: st, t: t, h: testkit.ServerWith(t, db), cookies: map[int64]string{}}
}

// as sends a request as a person (nil: signed out); a body makes it a
// form post.
func (w *trainingWorld) as(u *auth.User, method, path string, form url.Values) *httptest.ResponseRecorder {
	w.t.Helper()
	if form == nil {
		return w.serve(w.request(u, method, path, "", nil))
	}
	return w.serve(w.request(u, method, path, "application/x-www-form-urlencoded", []byte(form.Encode())))
}

// request makes a request with a body of any type as a person (nil:
// signed out), with a session made for them on first use.
func (w *trainingWorld) request(u *auth.User, method, path, contentType string, body []byte) *http.Request {
	w.t.Helper()
	return signedRequest(w.t, w.DB, w.cookies, u, method, path, contentType, body)
}

// signedRequest makes a request with a body of any type as a person (nil:
// signed out), with a session made for them on first use and kept in
// cookies.
func signedRequest(t testing.TB, db *database.DB, cookies map[int64]string, u *auth.User, method, path, contentType string, body []byte) *http.Request {
	t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if u != nil {
		token, ok := cookies[u.ID]
		if !ok {
			var hash string
			token, hash, _ = auth.NewToken()
			if err := db.CreateSession(context.Background(), auth.Actor{}, u.ID, hash, 24*365*time.Hour); err != nil {
				t.Fatal(err)
			}
			cookies[u.ID] = token
		}
		req.AddCookie(&http.Cookie{Name: "hcs_session", Value: token})
	}
	return req
}

// serve answers a request.
func (w *trainingWorld) serve(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, req)
	return rec
}

func (w *trainingWorld) want(rec *httptest.ResponseRecorder, code int, contains ...string) string {
	w.t.Helper()
	body := rec.Body.String()
	if rec.Code != code {
		w.t.Fatalf("status %d, want %d: %s", rec.Code, code, excerpt(body))
	}
	for _, c := range contains {
		if !strings.Contains(body, c) {
			w.t.Fatalf("the answer lacks %q: %s", c, excerpt(body))
		}
	}
	return body
}

var assessLink = regexp.MustCompile(`/assess/([A-Za-z0-9_-]+)`)

// TestTrainingThroughThePages walks a trainee from an accepted offer to
// completion through the pages, as each role does it, with the mistakes
// people make along the way, on both databases.
func TestTrainingThroughThePages(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		w := newTrainingWorld(t, db, 1)
		me, officer, sup := w.Applicants[0], w.Officer, w.Supervisors[0]
		offer := fmt.Sprint(w.Offers[0].ID)

		w.want(w.as(officer, "GET", "/training", nil), 200, "/training/placements/"+offer, "Start applicant00")
		w.want(w.as(officer, "GET", "/training/placements/"+offer, nil), 200, "Sam Supervisor", "2027-07-23")
		w.want(w.as(officer, "POST", "/training/placements/"+offer, url.Values{"department_id": {fmt.Sprint(w.Dept.ID)},
			"training_officer_id": {fmt.Sprint(officer.ID)}, "start_date": {"2027-07-23"}}), 400, "Choose at least one supervisor")
		rec := w.as(officer, "POST", "/training/placements/"+offer, url.Values{"department_id": {fmt.Sprint(w.Dept.ID)},
			"training_officer_id": {fmt.Sprint(officer.ID)}, "supervisors": {fmt.Sprint(sup.ID)}, "start_date": {"2027-07-23"}})
		w.want(rec, 303)
		record := rec.Header().Get("Location")
		w.want(w.as(officer, "GET", record, nil), 200, "Confirm the training record", "Sam Supervisor")
		w.want(w.as(officer, "POST", record+"/confirm", url.Values{}), 303)
		w.want(w.as(officer, "GET", "/training/placements/"+offer, nil), 404) // started already
		w.want(w.as(officer, "GET", "/training", nil), 200, "Nobody is waiting to start training", "applicant00")

		w.Clock.Set(testkit.Day(215))
		w.want(w.as(me, "GET", "/trainee", nil), 200, "Add evidence", "Six-month check-in")
		id := strings.TrimPrefix(record, "/training/trainees/")
		w.want(w.as(me, "GET", "/trainee/evidence/new?trainee="+id, nil), 200, "Add evidence")
		dops := url.Values{"trainee": {id}, "kind": {"dops"}, "module": {"ROTATIONS"}, "title": {"Pure-tone audiometry"}, "occurred_on": {"2030-01-01"},
			"body": {"Tested an adult's hearing."}, "assessor_name": {"Alex Assessor"}, "assessor_email": {"alex@example.org"}, "do": {"submit"}}
		w.want(w.as(me, "POST", "/trainee/evidence", dops), 400, "cannot be in the future", `href="#occurred_on"`, "Tested an adult")
		dops.Set("occurred_on", "2027-08-02")
		rec = w.as(me, "POST", "/trainee/evidence", dops)
		w.want(rec, 303)
		evidence := rec.Header().Get("Location")
		w.want(w.as(me, "GET", evidence, nil), 200, "waiting for the assessor", "Send Alex Assessor a new link")
		w.want(w.as(me, "POST", evidence, dops), 409, "can no longer be changed")
		// A draft's mistakes are shown on its page; a refused submission
		// saves nothing.
		note := url.Values{"trainee": {id}, "kind": {"reflection"}, "module": {"IPD"}, "title": {"My plan"}, "occurred_on": {"2027-08-03"}, "do": {"save"}}
		rec = w.as(me, "POST", "/trainee/evidence", note)
		w.want(rec, 303)
		draft := rec.Header().Get("Location")
		note.Set("occurred_on", "2099-01-01")
		w.want(w.as(me, "POST", draft, note), 400, "cannot be in the future")
		note.Set("occurred_on", "2027-08-03")
		note.Set("title", "Changed")
		note.Set("do", "submit") // no body yet
		w.want(w.as(me, "POST", draft, note), 400, "Say what happened")
		w.want(w.as(me, "GET", draft, nil), 200, `value="My plan"`)

		body := w.want(w.as(officer, "GET", record, nil), 200, "Assessors waiting for your approval", "alex@example.org")
		inv := regexp.MustCompile(`/training/invitations/(\d+)`).FindStringSubmatch(body)[1]
		w.want(w.as(officer, "POST", "/training/invitations/"+inv, url.Values{"trainee": {id}, "decision": {"approve"}}), 303)
		msgs, err := db.Outbox(context.Background(), 5)
		if err != nil {
			t.Fatal(err)
		}
		token := assessLink.FindStringSubmatch(msgs[0].Body)[1]
		w.want(w.as(nil, "GET", "/assess/"+token, nil), 200, "Assess applicant00", "Pure-tone audiometry")
		w.want(w.as(nil, "POST", "/assess/"+token, url.Values{"judgement": {"satisfactory"}}), 400, "Give the trainee feedback")
		w.want(w.as(nil, "POST", "/assess/"+token, url.Values{"judgement": {"satisfactory"}, "feedback": {"Clear with the patient."}}), 200, "Thank you")
		w.want(w.as(nil, "POST", "/assess/"+token, url.Values{"judgement": {"not-yet"}, "feedback": {"again"}}), 409, "works once")

		w.want(w.as(sup, "GET", "/supervisor", nil), 200, "Module ROTATIONS (Rotations) is ready for sign-off")
		w.want(w.as(sup, "POST", record+"/sign-off", url.Values{"module": {"ROTATIONS"}}), 303)
		w.want(w.as(sup, "GET", record, nil), 200, "Yes, by Sam Supervisor", "Reopen module ROTATIONS")
		w.want(w.as(sup, "POST", record+"/reopen", url.Values{"module": {"ROTATIONS"}}), 400, `href="#reason-ROTATIONS"`)
		w.want(w.as(sup, "POST", record+"/reopen", url.Values{"module": {"ROTATIONS"}, "reason-ROTATIONS": {"Rotation not finished"}}), 303)
		w.want(w.as(me, "GET", record, nil), 200, "Reopened by Sam Supervisor: Rotation not finished")

		w.want(w.as(w.School, "GET", "/school/training", nil), 200, "applicant00")
		w.want(w.as(w.School, "GET", "/school/training?status=completed", nil), 200, "No trainees.")
		w.want(w.as(w.School, "POST", record+"/reviews", url.Values{"review": {"six-month-check-in:6"}, "held_on": {"2027-08-05"}}), 400, "Name the panel")
		w.want(w.as(w.School, "POST", record+"/reviews", url.Values{"review": {"six-month-check-in:6"}, "held_on": {"2027-08-05"}, "panel": {"Dr One\nDr Two"}}), 303)
		w.want(w.as(me, "GET", record, nil), 200, "rule met. Panel: Dr One")
		w.want(w.as(w.School, "POST", record+"/complete", url.Values{}), 409, "not complete yet")

		// Time out moves the expected end.
		w.want(w.as(officer, "POST", record+"/changes", url.Values{"kind": {"time-out"}, "from": {"2027-09-01"}, "to": {"2027-09-10"}, "reason": {"Illness"}}), 303)
		w.want(w.as(me, "GET", record, nil), 200, "expected to finish 1 August 2030")
	})
}

// TestTrainingRecordsStayWithTheirPeople: every training route, tried by
// people who are not on the record (a supervisor and a training officer of
// the trust's other department, a supervisor of the same department not
// named on it, another trainee, the employer's recruiter), answers not
// found or forbidden and shows nothing of the record.
func TestTrainingRecordsStayWithTheirPeople(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		w := newTrainingWorld(t, db, 2)
		w.Clock.Set(testkit.Day(215))
		tr := w.Enrol(t, 0)
		other := w.Enrol(t, 1)
		ctx := context.Background()
		e, err := w.Train.AddEvidence(ctx, auth.Actor{UserID: w.Applicants[0].ID}, tr.ID, train.Draft{Kind: train.EvidenceDOPS, Module: "IPD",
			Title: "Secret title", OccurredOn: "2027-08-02", Body: "Secret body", AssessorName: "Ann", AssessorEmail: "ann@example.org"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Train.SubmitEvidence(ctx, auth.Actor{UserID: w.Applicants[0].ID}, e.ID); err != nil {
			t.Fatal(err)
		}
		invs, err := w.Train.Invitations(ctx, tr.ID)
		if err != nil {
			t.Fatal(err)
		}
		rec := fmt.Sprintf("/training/trainees/%d", tr.ID)
		ev := fmt.Sprintf("/trainee/evidence/%d", e.ID)
		routes := []struct {
			method, path string
			form         url.Values
		}{
			{"GET", rec, nil},
			{"POST", rec + "/confirm", url.Values{}},
			{"GET", rec + "/team", nil},
			{"POST", rec + "/team", url.Values{"department_id": {fmt.Sprint(w.Dept.ID)}, "training_officer_id": {fmt.Sprint(w.Officer.ID)}, "supervisors": {fmt.Sprint(w.Supervisors[1].ID)}}},
			{"POST", rec + "/changes", url.Values{"kind": {"time-out"}, "from": {"2027-09-01"}, "to": {"2027-09-02"}, "reason": {"x"}}},
			{"POST", fmt.Sprintf("/training/invitations/%d", invs[0].ID), url.Values{"trainee": {fmt.Sprint(tr.ID)}, "decision": {"approve"}}},
			{"POST", fmt.Sprintf("/training/invitations/%d", invs[0].ID), url.Values{"trainee": {fmt.Sprint(other.ID)}, "decision": {"approve"}}},
			{"POST", rec + "/sign-off", url.Values{"module": {"IPD"}}},
			{"POST", rec + "/reopen", url.Values{"module": {"IPD"}, "reason-IPD": {"x"}}},
			{"POST", rec + "/reviews", url.Values{"review": {"six-month-check-in:6"}, "held_on": {"2027-08-05"}, "panel": {"x"}}},
			{"POST", rec + "/records", url.Values{"name": {"MSc Clinical Science awarded"}, "recorded_on": {"2027-08-10"}}},
			{"POST", rec + "/complete", url.Values{}},
			{"GET", fmt.Sprintf("/training/placements/%d", w.Offers[0].ID), nil},
			{"POST", fmt.Sprintf("/training/placements/%d", w.Offers[0].ID), url.Values{"department_id": {fmt.Sprint(w.Dept.ID)}}},
			{"GET", "/trainee/evidence/new?trainee=" + fmt.Sprint(tr.ID), nil},
			{"POST", "/trainee/evidence", url.Values{"trainee": {fmt.Sprint(tr.ID)}, "kind": {"reflection"}, "module": {"IPD"}, "title": {"x"}, "occurred_on": {"2027-08-02"}}},
			{"GET", ev, nil},
			{"POST", ev, url.Values{"title": {"changed"}}},
			{"POST", ev + "/resend", url.Values{}},
		}
		intruders := map[string]*auth.User{"other department's supervisor": w.OtherSupervisor, "other department's training officer": w.OtherOfficer,
			"same department's supervisor not on the record": w.Supervisors[1], "another trainee": w.Applicants[1], "the employer's recruiter": w.Employer}
		for who, u := range intruders {
			for _, rt := range routes {
				if who == "same department's supervisor not on the record" && strings.HasPrefix(rt.path, "/training/placements/") {
					continue // a supervisor does not manage; the table refuses with 403, checked below
				}
				res := w.as(u, rt.method, rt.path, rt.form)
				if res.Code != http.StatusNotFound && res.Code != http.StatusForbidden {
					t.Errorf("%s: %s %s answered %d, want 404 or 403", who, rt.method, rt.path, res.Code)
				}
				if strings.Contains(res.Body.String(), "Secret") || strings.Contains(res.Body.String(), "applicant00") {
					t.Errorf("%s: %s %s shows the record", who, rt.method, rt.path)
				}
			}
		}
		// Lists show only one's own trainees.
		for _, tc := range []struct {
			u    *auth.User
			path string
		}{{w.OtherSupervisor, "/supervisor"}, {w.OtherOfficer, "/training"}, {w.Supervisors[1], "/supervisor"}, {w.Applicants[1], "/trainee"}} {
			res := w.as(tc.u, "GET", tc.path, nil)
			if res.Code != 200 || strings.Contains(res.Body.String(), "applicant00") {
				t.Errorf("%s %s: %d, shows the other trainee: %v", tc.u.Name, tc.path, res.Code, strings.Contains(res.Body.String(), "applicant00"))
			}
		}
		// Nothing changed.
		p, err := w.Train.Portfolio(ctx, tr.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.SignOffs)+len(p.Reviews)+len(p.Records)+len(p.Changes) != 0 || len(p.Evidence) != 1 || p.Evidence[0].Title != "Secret title" {
			t.Errorf("an intruder changed the record: %+v", p)
		}
	})
}

// The national school's list shows one page of trainees at a time, with
// counts over everyone, links to the other pages that keep the filters,
// and a clear answer to a page that does not exist.
func TestCohortPages(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		w := newTrainingWorld(t, db, 1)
		w.Enrol(t, 0)
		body := w.want(w.as(w.School, "GET", "/school/training", nil), 200, "Showing trainees 1 to 1 of 1", w.Applicants[0].Name)
		if strings.Contains(body, `id="pages"`) {
			t.Error("one page of trainees has page links")
		}
		w.want(w.as(w.School, "GET", "/school/training?page=2", nil), 404, "There is one page of trainees")
		w.want(w.as(w.School, "GET", "/school/training?page=zero", nil), 400, "page is a whole number")
		w.want(w.as(w.School, "GET", "/school/training?exceptions=yes&status=active", nil), 200, `value="yes" checked`)
	})
}

func TestPageLinks(t *testing.T) {
	link := func(n int) string { return fmt.Sprint(n) }
	got := ""
	for _, p := range web.PageLinks(6, 10, link) {
		if p.Ellipsis {
			got += "… "
		} else if p.Current {
			got += "[" + p.Href + "] "
		} else {
			got += p.Href + " "
		}
	}
	if got != "1 … 4 5 [6] 7 8 … 10 " {
		t.Errorf("page links %q", got)
	}
}
