package testkit

import (
	"context"
	"regexp"
	"testing"
	"time"

	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/idempotency"
	"hcs/internal/recruit"
	"hcs/internal/train"
	"hcs/internal/workforce"
)

// populateTraining makes the accepted offer a training record with a
// change, an assessed piece of evidence with a file, through an approved
// assessor's link, a sign-off, a review and a record.
func populateTraining(tb testing.TB, db *database.DB, sr *StagedRound, dept *auth.Department, offerID int64) {
	tb.Helper()
	ctx := context.Background()
	must := func(err error) {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
	}
	svc := Train(tb, db)
	system := auth.System("test set-up")
	defer sr.Clock.Set(sr.Clock.Now())
	officer := &auth.User{Name: "Tess Officer", Email: "tess.officer@example.org"}
	must(db.CreateUser(ctx, system, officer, "", []auth.Grant{{Role: auth.RoleTrainingOfficer, OrganisationID: sr.Trust.ID, DepartmentID: dept.ID}}))
	sup := &auth.User{Name: "Sol Supervisor", Email: "sol.supervisor@example.org"}
	must(db.CreateUser(ctx, system, sup, "", []auth.Grant{{Role: auth.RoleSupervisor, OrganisationID: sr.Trust.ID, DepartmentID: dept.ID}}))
	tr, err := svc.Enrol(ctx, auth.Actor{UserID: officer.ID}, train.Enrolment{OfferID: offerID,
		Team: train.Team{DepartmentID: dept.ID, TrainingOfficerID: officer.ID, Supervisors: []int64{sup.ID}}})
	must(err)
	_, err = svc.Confirm(ctx, auth.Actor{UserID: officer.ID}, tr.ID)
	must(err)
	sr.Clock.Set(Day(260))
	_, err = svc.RecordChange(ctx, auth.Actor{UserID: officer.ID}, tr.ID, train.Change{Kind: train.ChangeTimeOut, From: "2027-08-01", To: "2027-08-07", Reason: "Illness"}, train.Team{})
	must(err)
	me := auth.Actor{UserID: sr.Applicants[0].ID}
	e, err := svc.AddEvidence(ctx, me, tr.ID, train.Draft{Kind: train.EvidenceDOPS, Module: "IPD", Title: "Tympanometry", OccurredOn: "2027-09-01",
		Body: "Observed.", AssessorName: "Ann Assessor", AssessorEmail: "ann.assessor@example.org"})
	must(err)
	// A file whose bytes are not text, so that a backup must carry bytes.
	_, err = svc.Attach(ctx, me, e.ID, "tympanogram.png", append([]byte("\x89PNG\r\n\x1a\n\x00\xff"), "trace"...))
	must(err)
	_, err = svc.SubmitEvidence(ctx, me, e.ID)
	must(err)
	var invs []train.Invitation
	must(db.Training().Read(ctx, func(tx train.Tx) error {
		invs, err = tx.Invitations([]int64{tr.ID})
		return err
	}))
	_, err = svc.ApproveAssessor(ctx, auth.Actor{UserID: officer.ID}, invs[0].ID, true)
	must(err)
	msgs, err := db.Outbox(ctx, 10)
	must(err)
	token := assessLink.FindStringSubmatch(msgs[0].Body)
	if token == nil {
		tb.Fatalf("the newest message is not the assessor's link: %q", msgs[0].Body)
	}
	_, err = svc.Assess(ctx, auth.Actor{Address: "192.0.2.9"}, token[1], train.JudgementSatisfactory, "Careful and clear.")
	must(err)
	_, err = svc.SignOff(ctx, auth.Actor{UserID: sup.ID}, tr.ID, "IPD", "")
	must(err)
	_, err = svc.RecordReview(ctx, auth.Actor{UserID: sr.School.ID}, tr.ID, train.ReviewRecord{Review: "six-month-check-in", HeldOn: "2027-09-20", Panel: "Dr Panel"})
	must(err)
	_, err = svc.AddRecord(ctx, auth.Actor{UserID: sr.School.ID}, tr.ID, "MSc Clinical Science awarded", "2027-09-20")
	must(err)
	// Completion issues a certificate; revoking it and issuing another
	// fills every column of the certificates table.
	school := auth.Actor{UserID: sr.School.ID}
	_, cert := FinishTraining(tb, svc, tr, me, auth.Actor{UserID: sup.ID}, school, "2027-09-20")
	_, err = svc.RevokeCertificate(ctx, school, cert.TraineeID, cert.ID, "Issued with the wrong name")
	must(err)
	_, err = svc.IssueCertificate(ctx, school, tr.ID)
	must(err)
}

// assessLink finds the token in an assessor's link.
var assessLink = regexp.MustCompile(`/assess/([A-Za-z0-9_-]+)`)

// PopulateEveryTable fills a database with at least one row in every
// table hcs has today: a round taken to offers through the service, with
// an accepted place, and the accounts' records (a department, a session,
// a reset link, a sign-up waiting for its link, a sign-in counter). The
// records the staged round does not make (a moderated score, an
// employer's own list, an online test score and its outcome) are written
// directly. A test that needs every table filled checks the catalogue
// after calling this, so a new table must be added here.
func PopulateEveryTable(tb testing.TB, db *database.DB) *StagedRound {
	tb.Helper()
	ctx := context.Background()
	must := func(err error) {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
	}
	sr := StageRound(tb, db, StageOptions{Applicants: 3, Places: []int{1, 1}, Reviewers: 2, Until: UntilRanked,
		Names: []string{"Ada Byron", "Ben Okri", "Cat Stevens"}})
	_, err := sr.Service.PublishMatch(ctx, auth.Actor{UserID: sr.School.ID}, sr.Round.ID)
	must(err)
	live, err := sr.Service.Offers(ctx, recruit.OfferFilter{ApplicationID: sr.Apps[0].ID, Live: true})
	must(err)
	if len(live) > 0 {
		_, err = sr.Service.AnswerOffer(ctx, auth.Actor{UserID: sr.Applicants[0].ID}, live[0].ID, recruit.AnswerAccept, false)
		must(err)
	}
	system := auth.System("test set-up")
	dept := &auth.Department{OrganisationID: sr.Trust.ID, Name: "Audiology", Specialism: "audiology"}
	must(db.CreateDepartment(ctx, system, dept))
	if len(live) > 0 {
		sr.PassChecks(tb, live[0].ID)
		populateTraining(tb, db, sr, dept, live[0].ID)
	}
	token, hash, err := auth.NewToken()
	must(err)
	_ = token
	must(db.CreateSession(ctx, system, sr.Applicants[1].ID, hash, time.Hour))
	_, hash, _ = auth.NewToken()
	must(db.CreatePasswordReset(ctx, system, sr.Applicants[1].ID, hash, time.Hour,
		auth.Message{Recipient: sr.Applicants[1].Email, Subject: "Reset your hcs password", Body: "a link"}))
	_, hash, _ = auth.NewToken()
	must(db.RequestSignUp(ctx, system, auth.SignUpRequest{Name: "Dee Waiting", Email: "dee.waiting@example.org", PasswordHash: "x",
		TokenHash: hash, Lifetime: time.Hour, MaxPerHour: 5, Confirm: auth.Message{Subject: "Finish creating your hcs account", Body: "a link"}}))
	must(db.ClaimAttempts(ctx, []auth.AttemptLimit{{Key: auth.AccountKey(sr.Applicants[2].Email), Max: 5}}, time.Minute))
	// An answer kept for a retried request.
	claim := idempotency.Claim{UserID: sr.Applicants[1].ID, Key: "populate-1"}
	_, _, err = db.ClaimKey(ctx, claim, "POST /api/v1/profile", time.Minute)
	must(err)
	must(db.SaveAnswer(ctx, claim, 200, "application/json", `{"ok":true}`))
	must(db.Write(ctx, func(tx *database.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO moderations (application_id, moderator_id, score, created_at) VALUES ($1, $2, $3, $4)",
			sr.Apps[2].ID, sr.School.ID, 60, tx.Now); err != nil {
			return err
		}
		// A nomination for the in-service route (made, in a real round,
		// before applications close).
		if _, err := tx.Exec(ctx, "INSERT INTO nominations (round_id, post_id, organisation_id, user_id, nominated_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
			sr.Round.ID, sr.Posts[1].ID, sr.Trust.ID, sr.Applicants[2].ID, sr.Employer.ID, tx.Now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO post_rankings (post_id, application_id, rank) VALUES ($1, $2, 1)", sr.Posts[0].ID, sr.Apps[1].ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO test_scores (application_id, round_id, score_hundredths, taken_on, imported_at) VALUES ($1, $2, 6150, '2027-01-06', $3)",
			sr.Apps[2].ID, sr.Round.ID, tx.Now); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO test_outcomes (application_id, round_id, score_hundredths, cut_hundredths, goes_on, reason, published_at)
			VALUES ($1, $2, 6150, 6000, 1, 'Your score of 61.5 reached the threshold of 60.', $3)`, sr.Apps[2].ID, sr.Round.ID, tx.Now)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO shortlist_outcomes (application_id, round_id, specialism, score, outcome, position, reserve_place, decided_by,
			interviews, reserves, published_at, promoted_at) VALUES ($1, $2, 'audiology', 88, 'interview', 3, 1, 'shortlisting score', 2, 1, $3, $3)`,
			sr.Apps[2].ID, sr.Round.ID, tx.Now)
		return err
	}))
	populateWorkforce(tb, db, sr)
	return sr
}

// populateWorkforce registers the staged round's trust as an employer
// and imports one assignment of its staff, as a workforce planner.
func populateWorkforce(tb testing.TB, db *database.DB, sr *StagedRound) {
	ctx := context.Background()
	s := workforce.NewService(db.Workforce(), Framework(tb), 0)
	by := auth.Actor{UserID: sr.School.ID}
	trust := workforce.Employer{Code: "ZZ900", Name: sr.Trust.Name, Region: sr.Trust.Region}
	if _, err := s.RegisterEmployers(ctx, by, "employers.csv", "", []workforce.Employer{trust}); err != nil {
		tb.Fatal(err)
	}
	row := workforce.Row{Line: 2, Assignment: workforce.Assignment{Number: "900-1", Person: "S900", Employer: "ZZ900", StaffGroup: "06",
		Specialism: "audiology", Level: "practitioner", Band: "5", FTE: 100, Contract: "permanent",
		Start: workforce.Date(2020, 9, 1), End: workforce.NoEnd, BirthYear: 1995, RegBody: "RCCP", RegNumber: "PR900"}}
	if _, err := s.ImportStaff(ctx, by, []workforce.Row{row}, workforce.ImportOptions{File: "staff.csv"}); err != nil {
		tb.Fatal(err)
	}
	sc := &workforce.Scenario{Name: "Growth", Assumptions: workforce.Assumptions{LeaveRate: 0.08, JoinAge: 30, Growth: 0.03}}
	if err := s.SaveScenario(ctx, by, sc); err != nil {
		tb.Fatal(err)
	}
}
