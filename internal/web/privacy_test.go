package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/recruit"
	"hcs/internal/testkit"
	"hcs/internal/train"
)

// The data-protection tests answer findings 6 (erasure left personal data
// behind, and could be blocked) and 7 (the download of one's data was
// incomplete and leaked other people's) of the security review. They run
// a person through recruitment, in the browser's way where an address is
// recorded, then read every table the database's catalogue lists.

const (
	subjectName = "Zebedee Quill"
	subjectIP   = "198.51.100.77"
	staffIP     = "203.0.113.50"
	otherName   = "Yolanda Pike"
)

type privacyWorld struct {
	sr      *testkit.StagedRound
	h       http.Handler
	subject *auth.User
	app     *recruit.Application
	person  *attacker // the subject, from their own address
	admin   *attacker // a system administrator, from the office
}

// newPrivacyWorld takes a round to offers: the subject is ranked first,
// is offered the one place, signs in, asks for a reset link, tries to sign
// up again, and declines the place, which cascades to the next applicant.
// An administrator gives and takes back a role on the subject's account.
func newPrivacyWorld(t *testing.T, db *database.DB) *privacyWorld {
	t.Helper()
	ctx := context.Background()
	sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 3, Places: []int{1}, Reviewers: 2, Until: testkit.UntilRanked,
		Names: []string{subjectName, otherName, "Xavier Moss"}})
	w := &privacyWorld{sr: sr, h: testkit.ServerWith(t, db), subject: sr.Applicants[0], app: sr.Apps[0]}
	if err := db.SetPassword(ctx, auth.System("test"), w.subject.ID, testkit.PasswordHash(t, "zebedee's password"), ""); err != nil {
		t.Fatal(err)
	}
	w.person, w.admin = newAttacker(t, w.h), newAttacker(t, w.h)
	w.person.addr, w.admin.addr = subjectIP+":5000", staffIP+":5000"

	// The subject, signed out: asks for a reset link, and tries to sign up
	// with the address they already use.
	w.person.send("POST", "/password-reset", url.Values{"email": {w.subject.Email}})
	w.person.send("POST", "/sign-up", url.Values{"name": {subjectName}, "email": {w.subject.Email},
		"password": {"another password 1"}, "confirm": {"another password 1"}})
	if rec := w.person.signIn(w.subject.Email, "zebedee's password"); rec.Code != http.StatusSeeOther {
		t.Fatalf("the subject signs in: %d", rec.Code)
	}

	// A system administrator, from the office, acts on the account.
	admin := &auth.User{Name: "Office Admin", Email: "office.admin@example.org"}
	if err := db.CreateUser(ctx, auth.System("test"), admin, testkit.PasswordHash(t, "office admin password"), []auth.Grant{{Role: auth.RoleSystemAdmin}}); err != nil {
		t.Fatal(err)
	}
	w.admin.signIn(admin.Email, "office admin password")
	w.admin.send("POST", fmt.Sprintf("/admin/users/%d/grants", w.subject.ID), url.Values{"role": {"workforce-planner"}})
	grants, _ := db.User(ctx, w.subject.ID)
	for _, g := range grants.Grants {
		if g.Role == auth.RoleWorkforcePlanner {
			w.admin.send("POST", fmt.Sprintf("/admin/users/%d/grants/%d/revoke", w.subject.ID, g.ID), url.Values{})
		}
	}

	// The match offers the subject the place; they decline it, and the
	// cascade offers it to the next applicant.
	if _, err := sr.Service.PublishMatch(ctx, auth.Actor{UserID: sr.School.ID}, sr.Round.ID); err != nil {
		t.Fatal(err)
	}
	offers, err := sr.Service.Offers(ctx, recruit.OfferFilter{ApplicationID: w.app.ID, Live: true})
	if err != nil || len(offers) != 1 {
		t.Fatalf("the subject's offers: %v %v", offers, err)
	}
	rec := w.person.send("POST", fmt.Sprintf("/offers/%d", offers[0].ID), url.Values{"answer": {"decline"}, "confirm": {"yes"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("declining: %d %s", rec.Code, excerpt(rec.Body.String()))
	}
	if live, _ := sr.Service.Offers(ctx, recruit.OfferFilter{ApplicationID: sr.Apps[1].ID, Live: true}); len(live) != 1 {
		t.Fatalf("the cascade did not offer the place on: %v", live)
	}
	return w
}

// TestExportHoldsEverythingAboutThePersonAndNothingElse: the download
// holds every record about the person, table by table, and nothing about
// anyone else: no other applicant, no staff member's id or address.
func TestExportHoldsEverythingAboutThePersonAndNothingElse(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		w := newPrivacyWorld(t, db)
		rec := w.person.send("GET", "/account/data", nil)
		if rec.Code != 200 {
			t.Fatalf("download: %d", rec.Code)
		}
		raw := rec.Body.String()
		var export struct {
			Records []struct {
				Table, As string
				Rows      []map[string]any
			}
			Audit []map[string]any
		}
		if err := json.Unmarshal([]byte(raw), &export); err != nil {
			t.Fatal(err)
		}

		// Everything about them: each table's rows, counted independently.
		app := fmt.Sprint(w.app.ID)
		uid := fmt.Sprint(w.subject.ID)
		want := map[string]int{
			"users":              1,
			"grants":             1,
			"profiles":           1,
			"applications":       1,
			"sessions":           testkit.Count(t, db, "SELECT COUNT(*) FROM sessions WHERE user_id = $1", w.subject.ID),
			"password_resets":    1,
			"sign_in_limits":     testkit.Count(t, db, "SELECT COUNT(*) FROM sign_in_limits WHERE key = $1", auth.AccountKey(w.subject.Email)),
			"outbox":             testkit.Count(t, db, "SELECT COUNT(*) FROM outbox WHERE recipient = $1", w.subject.Email),
			"offers":             testkit.Count(t, db, "SELECT COUNT(*) FROM offers WHERE application_id = $1", w.app.ID),
			"preferences":        testkit.Count(t, db, "SELECT COUNT(*) FROM preferences WHERE application_id = $1", w.app.ID),
			"reviews":            2,
			"review_assignments": 2,
			"interview_scores":   2,
		}
		got := map[string]int{}
		for _, r := range export.Records {
			got[r.Table] += len(r.Rows)
		}
		for table, n := range want {
			if got[table] != n || n == 0 && table != "sign_in_limits" {
				t.Errorf("the export holds %d rows of %s, want %d", got[table], table, n)
			}
		}
		auditAbout := testkit.Count(t, db, `SELECT COUNT(*) FROM audit_log WHERE actor_id = $1 OR (record_type = 'user' AND record_id = $2)
			OR (record_type = 'application' AND record_id = $3) OR (record_type = 'offer' AND record_id IN
			(SELECT CAST(id AS TEXT) FROM offers WHERE application_id = $1))`, w.subject.ID, uid, app)
		if len(export.Audit) < auditAbout {
			t.Errorf("the export has %d audit lines; %d entries are about the subject or by them", len(export.Audit), auditAbout)
		}
		for _, want := range []string{w.subject.Email, subjectName, "Statement of " + subjectName, subjectName + "'s physics", subjectIP} {
			if !strings.Contains(raw, want) {
				t.Errorf("the export lacks %q", want)
			}
		}

		// Nothing about anyone else.
		for _, other := range append(slices.Clone(w.sr.Applicants[1:]), w.sr.Reviewers...) {
			for _, s := range []string{other.Name, other.Email} {
				if strings.Contains(raw, s) {
					t.Errorf("the export holds another person's %q", s)
				}
			}
		}
		for _, s := range []string{staffIP, "office.admin", "Statement of " + otherName} {
			if strings.Contains(raw, s) {
				t.Errorf("the export holds %q", s)
			}
		}
		for _, r := range export.Records {
			for _, row := range r.Rows {
				for col, v := range row {
					switch col {
					case "user_id":
						if fmt.Sprint(v) != uid {
							t.Errorf("%s holds user %v", r.Table, v)
						}
					case "application_id":
						if fmt.Sprint(v) != app {
							t.Errorf("%s holds application %v", r.Table, v)
						}
					case "reviewer_id", "assessor_id", "moderator_id", "actor_id":
						t.Errorf("%s shows the %s of whoever scored or acted: %v", r.Table, col, v)
					}
				}
			}
		}
		others := 0
		for _, line := range export.Audit {
			if line["by"] != "you" && line["address"] != nil {
				t.Errorf("an audit line shows where someone else acted from: %v", line)
			}
			if line["by"] == "someone else" {
				others++
			}
			if line["record_type"] == "offer" && line["record_id"] != nil {
				if n := testkit.Count(t, db, "SELECT COUNT(*) FROM offers WHERE id = $1 AND application_id = $2", fmt.Sprint(line["record_id"]), w.app.ID); n != 1 {
					t.Errorf("the export shows offer %v, which is not the subject's", line["record_id"])
				}
			}
		}
		if others == 0 {
			t.Error("the export does not show what the administrator did to the account")
		}
	})
}

// TestErasureLeavesNothing: after erasure no table, in either database,
// holds the person's name, email address, statement, qualifications,
// notes or network address. The round's numbers stay, the place they
// declined stays with the next applicant, and nobody can block the
// erasure by taking the pseudonym first.
func TestErasureLeavesNothing(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		w := newPrivacyWorld(t, db)
		// Someone takes the address an earlier version used as the
		// pseudonym, and tries the one used now.
		squatter := newAttacker(t, w.h)
		squatter.addr = "192.0.2.99:1"
		for _, email := range []string{fmt.Sprintf("erased-%d@erased.invalid", w.subject.ID), fmt.Sprintf("erased-%d", w.subject.ID)} {
			squatter.send("POST", "/sign-up", url.Values{"name": {"Squatter"}, "email": {email}, "password": {"squatting password"}, "confirm": {"squatting password"}})
		}
		if link := signUpLinkIfAny(t, db, fmt.Sprintf("erased-%d@erased.invalid", w.subject.ID)); link != "" {
			squatter.send("POST", link, url.Values{})
		}
		applications := testkit.Count(t, db, "SELECT COUNT(*) FROM applications")
		scores := testkit.Count(t, db, "SELECT COUNT(*) FROM reviews")

		rec := w.admin.send("POST", fmt.Sprintf("/api/v1/users/%d/erase", w.subject.ID), nil)
		if rec.Code != http.StatusOK {
			t.Fatalf("erase: %d %s", rec.Code, rec.Body)
		}

		marks := []string{subjectName, w.subject.Email, "zebedee", "Statement of " + subjectName, subjectName + "'s physics", "Notes of " + subjectName, subjectIP}
		for _, f := range findText(t, db, marks) {
			t.Errorf("after erasure %s", f)
		}
		if n := testkit.Count(t, db, "SELECT COUNT(*) FROM applications"); n != applications {
			t.Errorf("erasure changed the number of applications from %d to %d", applications, n)
		}
		if n := testkit.Count(t, db, "SELECT COUNT(*) FROM reviews"); n != scores {
			t.Errorf("erasure changed the number of review scores from %d to %d", scores, n)
		}
		if n := testkit.Count(t, db, "SELECT COUNT(*) FROM applications WHERE id = $1 AND shortlist_score IS NOT NULL AND withdrawn_at IS NOT NULL", w.app.ID); n != 1 {
			t.Error("the erased applicant's application lost its score or was not withdrawn")
		}
		if live, _ := w.sr.Service.Offers(ctx, recruit.OfferFilter{ApplicationID: w.sr.Apps[1].ID, Live: true}); len(live) != 1 {
			t.Error("the next applicant lost the place the erased applicant declined")
		}
		if n := len(findText(t, db, []string{otherName, "Statement of " + otherName})); n == 0 {
			t.Error("erasure removed another applicant's data")
		}
		// The erased account cannot sign in, and the download is gone.
		if rec := newAttacker(t, w.h).signIn(w.subject.Email, "zebedee's password"); rec.Code == http.StatusSeeOther {
			t.Error("the erased account can still sign in")
		}
		if rec := w.person.send("GET", "/account/data", nil); rec.Code == http.StatusOK {
			t.Error("the erased person's session still downloads data")
		}
	})
}

// signUpLinkIfAny is the newest sign-up link sent to an address, or "".
func signUpLinkIfAny(t *testing.T, db *database.DB, email string) string {
	for _, m := range outboxTo(t, db, email) {
		if p := signUpPath.FindStringSubmatch(m); p != nil {
			return p[1]
		}
	}
	return ""
}

// findText reads every text column of every table the catalogue lists
// and reports where any of the marks appears (case-insensitively).
func findText(t *testing.T, db *database.DB, marks []string) []string {
	t.Helper()
	ctx := context.Background()
	tables, err := db.Tables(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, table := range tables {
		for _, c := range table.Columns {
			for _, m := range marks {
				n := testkit.Count(t, db, fmt.Sprintf("SELECT COUNT(*) FROM %s WHERE LOWER(CAST(%s AS TEXT)) LIKE $1", table.Name, c.Name),
					"%"+strings.ToLower(m)+"%")
				if n > 0 {
					found = append(found, fmt.Sprintf("%s.%s holds %q in %d row(s)", table.Name, c.Name, m, n))
				}
			}
		}
	}
	return found
}

// Erasing a trainee ends their training first: the open record is closed
// as left and the assessor's link stops working; then what they wrote in
// the e-portfolio, and their name, are gone from every table. A completed
// trainee's certificate page goes with their data, while the credential
// they hold still verifies: erasure does not undo what they achieved.
func TestErasureEndsTrainingAndClearsThePortfolio(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		w := newTrainingWorld(t, db, 2)
		active, done := w.Enrol(t, 0), w.Enrol(t, 1)
		w.Clock.Set(testkit.Day(215))
		me := auth.Actor{UserID: w.Applicants[0].ID}
		e, err := w.Train.AddEvidence(ctx, me, active.ID, train.Draft{Kind: train.EvidenceDOPS, Module: "ROTATIONS", Title: "Quillfeather audiometry",
			OccurredOn: "2027-08-02", Body: "Marginalia of the erased trainee.", AssessorName: "Ann Assessor", AssessorEmail: "ann.assessor@example.org"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Train.Attach(ctx, me, e.ID, "Quillfeather-scan.txt", []byte("Marginalia, scanned.")); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Train.SubmitEvidence(ctx, me, e.ID); err != nil {
			t.Fatal(err)
		}
		w.Clock.Set(testkit.Day(400))
		_, cert := testkit.FinishTraining(t, w.Train, done, auth.Actor{UserID: w.Applicants[1].ID}, auth.Actor{UserID: w.Supervisors[0].ID},
			auth.Actor{UserID: w.School.ID}, "2028-01-10")

		admin := &auth.User{Name: "Office Admin", Email: "office.admin@example.org"}
		if err := db.CreateUser(ctx, auth.System("test"), admin, "", []auth.Grant{{Role: auth.RoleSystemAdmin}}); err != nil {
			t.Fatal(err)
		}
		for _, u := range w.Applicants {
			w.want(w.as(admin, "POST", fmt.Sprintf("/api/v1/users/%d/erase", u.ID), url.Values{}), 200)
		}
		left, err := w.Train.Trainee(ctx, active.ID)
		if err != nil || left.Status != train.TraineeLeft {
			t.Fatalf("the erased trainee's open record: %+v, %v", left, err)
		}
		invs, err := w.Train.Invitations(ctx, active.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, inv := range invs {
			if inv.Status == train.InvitationSent || inv.Status == train.InvitationAwaitingApproval {
				t.Errorf("an assessor's link still waits after erasure: %+v", inv)
			}
		}
		if n := testkit.Count(t, db, "SELECT COUNT(*) FROM evidence_files"); n != 0 {
			t.Errorf("%d attached files remain after erasure", n)
		}
		marks := []string{w.Applicants[0].Name, w.Applicants[1].Name, w.Applicants[0].Email, "Quillfeather", "Marginalia"}
		for _, f := range findText(t, db, marks) {
			t.Errorf("after erasure %s", f)
		}
		if still, err := w.Train.Trainee(ctx, done.ID); err != nil || still.Status != train.TraineeCompleted {
			t.Errorf("the completed record after erasure: %+v, %v", still, err)
		}
		w.want(w.as(nil, "GET", "/certificates/"+cert.ID, nil), 404)
		v, err := w.Train.Verify(ctx, cert.Credential)
		if err != nil || !v.Valid {
			t.Errorf("the credential its holder keeps, after erasure: %+v, %v", v, err)
		}
	})
}
