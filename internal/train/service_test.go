package train_test

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/recruit"
	"hcs/internal/testkit"
	"hcs/internal/train"
)

var ctx = context.Background()

func actor(u *auth.User) auth.Actor { return auth.Actor{UserID: u.ID} }

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if apperr.Code(err) != code {
		t.Fatalf("got %v (%s), want a %s error", err, apperr.Code(err), code)
	}
}

func must[T any](t *testing.T) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// An unconditional offer becomes a pending record on the curriculum in
// force, once; only its training officer confirms it.
func TestEnrolFromUnconditionalOffer(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		st := testkit.StageTraining(t, db, 2)
		svc := st.Train
		team := train.Team{DepartmentID: st.Dept.ID, TrainingOfficerID: st.Officer.ID, Supervisors: []int64{st.Supervisors[1].ID, st.Supervisors[0].ID, st.Supervisors[0].ID}}
		_, err := svc.Enrol(ctx, actor(st.Employer), train.Enrolment{OfferID: st.Offers[0].ID, Team: team})
		if apperr.Field(err) != "supervisors" {
			t.Errorf("a supervisor named twice: %v", err)
		}
		team.Supervisors = team.Supervisors[:2]
		places := must[[]train.Placement](t)(svc.Placements(ctx, train.PlacementFilter{Organisations: []int64{st.Trust.ID}}))
		if len(places) != 2 || places[0].OfferStatus != "unconditional" || places[0].StartDate != "2027-07-23" {
			t.Fatalf("placements %+v, want the two unconditional offers starting 2027-07-23", places)
		}
		tr := must[*train.Trainee](t)(svc.Enrol(ctx, actor(st.Employer), train.Enrolment{OfferID: st.Offers[0].ID, Team: team}))
		if tr.Status != train.TraineePending || tr.Curriculum != "stp-2023" || tr.StartDate != "2027-07-23" || tr.ExpectedEnd != "2030-07-22" ||
			len(tr.Supervisors) != 2 || tr.Region != "London" || tr.UserID != st.Applicants[0].ID {
			t.Errorf("enrolled %+v", tr)
		}
		_, err = svc.Enrol(ctx, actor(st.Officer), train.Enrolment{OfferID: st.Offers[0].ID, Team: team})
		wantCode(t, err, apperr.Conflict)
		if n := len(must[[]train.Placement](t)(svc.Placements(ctx, train.PlacementFilter{All: true}))); n != 1 {
			t.Errorf("%d placements left, want 1", n)
		}
		_, err = svc.AddEvidence(ctx, actor(st.Applicants[0]), tr.ID, train.Draft{Kind: train.EvidenceReflection, Module: "IPD", Title: "x", OccurredOn: "2027-07-23"})
		wantCode(t, err, apperr.Conflict) // not confirmed yet
		_, err = svc.Confirm(ctx, actor(st.Supervisors[0]), tr.ID)
		wantCode(t, err, apperr.Forbidden)
		tr = must[*train.Trainee](t)(svc.Confirm(ctx, actor(st.Officer), tr.ID))
		if tr.Status != train.TraineeActive || tr.ConfirmedAt == nil {
			t.Errorf("confirmed %+v", tr)
		}
		_, err = svc.Confirm(ctx, actor(st.Officer), tr.ID)
		wantCode(t, err, apperr.Conflict)
		if n := testkit.Count(t, db, "SELECT COUNT(*) FROM grants WHERE user_id = $1 AND role = 'trainee'", tr.UserID); n != 1 {
			t.Errorf("%d trainee grants, want 1", n)
		}
		msgs := must[[]auth.Message](t)(db.Outbox(ctx, 50))
		var toOfficer, toTrainee bool
		for _, m := range msgs {
			toOfficer = toOfficer || m.Subject == "Confirm a new trainee" && m.Recipient == st.Officer.Email && strings.Contains(m.Body, "/training/trainees/")
			toTrainee = toTrainee || m.Subject == "Your training record is ready" && m.Recipient == st.Applicants[0].Email
		}
		if !toOfficer || !toTrainee {
			t.Errorf("messages to officer %v, to trainee %v", toOfficer, toTrainee)
		}
	})
}

// A team is checked against the employer: its department, a training
// officer of that department, supervisors of the employer, never the
// trainee.
func TestEnrolChecksTheTeam(t *testing.T) {
	db := testkit.SQLiteDB(t)
	st := testkit.StageTraining(t, db, 1)
	other := &auth.Organisation{Kind: auth.OrgTrust, Name: "Other Trust", Region: "Wales"}
	if err := db.CreateOrganisation(ctx, auth.System("test"), other); err != nil {
		t.Fatal(err)
	}
	elsewhere := &auth.Department{OrganisationID: other.ID, Name: "Elsewhere"}
	if err := db.CreateDepartment(ctx, auth.System("test"), elsewhere); err != nil {
		t.Fatal(err)
	}
	sup := st.Supervisors[0].ID
	for _, tc := range []struct {
		name  string
		team  train.Team
		start string
		field string
	}{
		{"no department", train.Team{TrainingOfficerID: st.Officer.ID, Supervisors: []int64{sup}}, "", "department_id"},
		{"another employer's department", train.Team{DepartmentID: elsewhere.ID, TrainingOfficerID: st.Officer.ID, Supervisors: []int64{sup}}, "", "department_id"},
		{"officer of another department", train.Team{DepartmentID: st.Dept.ID, TrainingOfficerID: st.OtherOfficer.ID, Supervisors: []int64{sup}}, "", "training_officer_id"},
		{"a supervisor as officer", train.Team{DepartmentID: st.Dept.ID, TrainingOfficerID: sup, Supervisors: []int64{sup}}, "", "training_officer_id"},
		{"no supervisor", train.Team{DepartmentID: st.Dept.ID, TrainingOfficerID: st.Officer.ID}, "", "supervisors"},
		{"the trainee supervising", train.Team{DepartmentID: st.Dept.ID, TrainingOfficerID: st.Officer.ID, Supervisors: []int64{st.Applicants[0].ID}}, "", "supervisors"},
		{"a recruiter as supervisor", train.Team{DepartmentID: st.Dept.ID, TrainingOfficerID: st.Officer.ID, Supervisors: []int64{st.Employer.ID}}, "", "supervisors"},
		{"a bad start date", train.Team{DepartmentID: st.Dept.ID, TrainingOfficerID: st.Officer.ID, Supervisors: []int64{sup}}, "23/07/2027", "start_date"},
	} {
		_, err := st.Train.Enrol(ctx, actor(st.Officer), train.Enrolment{OfferID: st.Offers[0].ID, Team: tc.team, StartDate: tc.start})
		if apperr.Code(err) != apperr.Invalid || apperr.Field(err) != tc.field {
			t.Errorf("%s: got %v (field %q), want invalid %s", tc.name, err, apperr.Field(err), tc.field)
		}
	}
	// Another department's supervisor may supervise: supervisors are the
	// employer's, and the team scope follows the record.
	if _, err := st.Train.Enrol(ctx, actor(st.Officer), train.Enrolment{OfferID: st.Offers[0].ID,
		Team: train.Team{DepartmentID: st.Dept.ID, TrainingOfficerID: st.Officer.ID, Supervisors: []int64{st.OtherSupervisor.ID}}}); err != nil {
		t.Errorf("a supervisor of the trust's other department: %v", err)
	}
}

var linkToken = regexp.MustCompile(`/assess/([A-Za-z0-9_-]+)`)

// lastToken finds the token in the newest invitation sent to an address.
func lastToken(t *testing.T, db *database.DB, email string) string {
	t.Helper()
	for _, m := range must[[]auth.Message](t)(db.Outbox(ctx, 100)) {
		if m.Recipient == email {
			if sub := linkToken.FindStringSubmatch(m.Body); sub != nil {
				return sub[1]
			}
		}
	}
	t.Fatalf("no invitation to %s in the outbox", email)
	return ""
}

// The e-portfolio's path: a draft kept private then shared, submitted to an
// assessor the training officer approves, assessed once through the link,
// signed off by the supervisor, locked, reopened only by them with a
// reason, and every step in the record's history.
func TestEvidenceAssessorAndSignOff(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		st := testkit.StageTraining(t, db, 1)
		svc, me := st.Train, st.Applicants[0]
		tr := st.Enrol(t, 0)
		sam, sue := st.Supervisors[0], st.Supervisors[1]
		tr = must[*train.Trainee](t)(svc.ChangeTeam(ctx, actor(st.Officer), tr.ID, train.Team{TrainingOfficerID: st.Officer.ID, Supervisors: []int64{sam.ID, sue.ID}}))

		draft := train.Draft{Kind: train.EvidenceDOPS, Module: "ROTATIONS", Title: "Pure-tone audiometry", OccurredOn: "2027-08-02",
			Body: "Tested an adult's hearing under observation.", AssessorName: "Alex Assessor", AssessorEmail: "Alex@Example.org"}
		st.Clock.Set(testkit.Day(215))
		_, err := svc.AddEvidence(ctx, actor(sam), tr.ID, draft)
		wantCode(t, err, apperr.Forbidden)
		e := must[*train.Evidence](t)(svc.AddEvidence(ctx, actor(me), tr.ID, draft))
		if e.AssessorEmail != "alex@example.org" || e.Status != train.EvidenceDraft {
			t.Errorf("draft %+v", e)
		}
		p := must[*train.Portfolio](t)(svc.Portfolio(ctx, tr.ID))
		if n := len(train.VisibleEvidence(p.Trainee, sam.ID, p.Evidence)); n != 0 {
			t.Errorf("supervisor sees %d private drafts", n)
		}
		draft.Shared = true
		e = must[*train.Evidence](t)(svc.EditEvidence(ctx, actor(me), e.ID, draft))
		p = must[*train.Portfolio](t)(svc.Portfolio(ctx, tr.ID))
		if n := len(train.VisibleEvidence(p.Trainee, sam.ID, p.Evidence)); n != 1 {
			t.Errorf("supervisor sees %d shared drafts, want 1", n)
		}
		_, err = svc.SignOff(ctx, actor(sam), tr.ID, "ROTATIONS", "")
		wantCode(t, err, apperr.Conflict) // a draft is not evidence yet

		e = must[*train.Evidence](t)(svc.SubmitEvidence(ctx, actor(me), e.ID))
		if e.Status != train.EvidenceAwaiting {
			t.Errorf("submitted %+v", e)
		}
		_, err = svc.EditEvidence(ctx, actor(me), e.ID, draft)
		wantCode(t, err, apperr.Conflict)
		invs := must[[]train.Invitation](t)(invitations(t, db, tr.ID))
		if len(invs) != 1 || invs[0].Status != train.InvitationAwaitingApproval || invs[0].TokenHash != nil {
			t.Fatalf("invitations %+v, want one waiting for approval with no token", invs)
		}
		_, err = svc.ApproveAssessor(ctx, actor(sam), invs[0].ID, true)
		wantCode(t, err, apperr.Forbidden)
		must[*train.Invitation](t)(svc.ApproveAssessor(ctx, actor(st.Officer), invs[0].ID, true))
		token := lastToken(t, db, "alex@example.org")
		a := must[*train.Assignment](t)(svc.Assignment(ctx, token))
		if a.Evidence.ID != e.ID || a.Trainee.ID != tr.ID {
			t.Errorf("assignment %+v", a)
		}
		_, err = svc.Assess(ctx, auth.Actor{Address: "192.0.2.1"}, token, "brilliant", "Well done")
		wantCode(t, err, apperr.Invalid)
		_, err = svc.Assess(ctx, auth.Actor{Address: "192.0.2.1"}, token, train.JudgementSatisfactory, "  ")
		wantCode(t, err, apperr.Invalid)
		e = must[*train.Evidence](t)(svc.Assess(ctx, auth.Actor{Address: "192.0.2.1"}, token, train.JudgementSatisfactory, "Clear instructions to the patient."))
		if e.Status != train.EvidenceAssessed || e.AssessedAt == nil {
			t.Errorf("assessed %+v", e)
		}
		_, err = svc.Assess(ctx, auth.Actor{}, token, train.JudgementNotYet, "again")
		wantCode(t, err, apperr.Conflict) // the link works once
		_, err = svc.Assignment(ctx, token[:len(token)-1]+"x")
		wantCode(t, err, apperr.NotFound)

		_, err = svc.SignOff(ctx, actor(st.OtherSupervisor), tr.ID, "ROTATIONS", "")
		wantCode(t, err, apperr.Forbidden)
		so := must[*train.SignOff](t)(svc.SignOff(ctx, actor(sam), tr.ID, "ROTATIONS", ""))
		if !so.Signed() || so.SignedBy != sam.ID {
			t.Errorf("sign-off %+v", so)
		}
		_, err = svc.SignOff(ctx, actor(sue), tr.ID, "ROTATIONS", "")
		wantCode(t, err, apperr.Conflict) // locked
		_, err = svc.Reopen(ctx, actor(sue), tr.ID, "ROTATIONS", "", "I disagree")
		wantCode(t, err, apperr.Forbidden) // only the one who signed
		_, err = svc.Reopen(ctx, actor(sam), tr.ID, "ROTATIONS", "", " ")
		wantCode(t, err, apperr.Invalid)
		so = must[*train.SignOff](t)(svc.Reopen(ctx, actor(sam), tr.ID, "ROTATIONS", "", "Signed before the rotation ended"))
		if so.Signed() || so.ReopenReason != "Signed before the rotation ended" {
			t.Errorf("reopened %+v", so)
		}
		so = must[*train.SignOff](t)(svc.SignOff(ctx, actor(sue), tr.ID, "ROTATIONS", ""))
		if !so.Signed() || so.SignedBy != sue.ID || so.ReopenReason != "" {
			t.Errorf("signed again %+v", so)
		}
		// The store's counts of evidence, which the cohort reads, agree with
		// counting every entry.
		p = must[*train.Portfolio](t)(svc.Portfolio(ctx, tr.ID))
		one := must[train.Status](t)(svc.Status(ctx, p))
		all := must[[]train.Status](t)(svc.Cohort(ctx, train.Filter{All: true}))
		for i, m := range one.Modules {
			if c := all[0].Modules[i]; c.Evidence != m.Evidence || c.Counting != m.Counting || c.Quota != m.Quota {
				t.Errorf("module %s: the cohort counts %+v, the record %+v", m.Module.Code, c, m)
			}
		}
		hist := must[[]train.HistoryEntry](t)(svc.History(ctx, tr.ID))
		var actions []string
		for _, h := range hist {
			actions = append(actions, h.Action)
		}
		want := "trainee.enrol trainee.confirm trainee.team evidence.add evidence.edit evidence.submit assessor.approve evidence.assess signoff.sign signoff.reopen signoff.sign"
		if got := strings.Join(actions, " "); got != want {
			t.Errorf("history %s\nwant    %s", got, want)
		}
		if h := hist[9]; h.Actor != "Sam Supervisor" || !strings.Contains(h.Detail, "Signed before the rotation ended") {
			t.Errorf("reopening in the history: %+v", h)
		}
		if h := hist[7]; h.Actor != "assessor alex@example.org" {
			t.Errorf("assessment in the history: %+v", h)
		}
	})
}

func invitations(t *testing.T, db *database.DB, traineeID int64) ([]train.Invitation, error) {
	var out []train.Invitation
	err := db.Training().Read(ctx, func(tx train.Tx) error {
		var err error
		out, err = tx.Invitations([]int64{traineeID})
		return err
	})
	return out, err
}

// An assessor's link stops at its expiry; the trainee sends a new one and
// the old stops working. A refused assessor returns the entry to a draft.
func TestInvitationExpiresAndIsReplaced(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		st := testkit.StageTraining(t, db, 1)
		svc, me := st.Train, st.Applicants[0]
		tr := st.Enrol(t, 0)
		st.Clock.Set(testkit.Day(215))
		draft := train.Draft{Kind: train.EvidenceCBD, Module: "S-C1", Title: "A case", OccurredOn: "2027-08-02", Body: "b", AssessorName: "Ann", AssessorEmail: "ann@example.org"}
		e := must[*train.Evidence](t)(svc.AddEvidence(ctx, actor(me), tr.ID, draft))
		must[*train.Evidence](t)(svc.SubmitEvidence(ctx, actor(me), e.ID))
		invs := must[[]train.Invitation](t)(invitations(t, db, tr.ID))
		must[*train.Invitation](t)(svc.ApproveAssessor(ctx, actor(st.Officer), invs[0].ID, false))
		e = &must[*train.Portfolio](t)(svc.Portfolio(ctx, tr.ID)).Evidence[0]
		if e.Status != train.EvidenceDraft {
			t.Errorf("after refusal %+v, want a draft", e)
		}
		must[*train.Evidence](t)(svc.SubmitEvidence(ctx, actor(me), e.ID))
		invs = must[[]train.Invitation](t)(invitations(t, db, tr.ID))
		must[*train.Invitation](t)(svc.ApproveAssessor(ctx, actor(st.Officer), invs[1].ID, true))
		old := lastToken(t, db, "ann@example.org")
		st.Clock.Set(testkit.Day(215 + 15))
		_, err := svc.Assignment(ctx, old)
		wantCode(t, err, apperr.Conflict)
		must[*train.Invitation](t)(svc.ResendInvitation(ctx, actor(me), e.ID))
		fresh := lastToken(t, db, "ann@example.org")
		if fresh == old {
			t.Fatal("the new link is the old one")
		}
		_, err = svc.Assignment(ctx, old)
		wantCode(t, err, apperr.NotFound)
		must[*train.Evidence](t)(svc.Assess(ctx, auth.Actor{}, fresh, train.JudgementNotYet, "Try again with a harder case."))
		// A second submission of the same entry needs a new assessment:
		// this one was judged "not yet", so it does not count.
		p := must[*train.Portfolio](t)(svc.Portfolio(ctx, tr.ID))
		if p.Evidence[0].Counts() {
			t.Error("a not-yet judgement counts towards sign-off")
		}
		// The second assessment by the same assessor goes straight out:
		// the department approved them.
		e2 := must[*train.Evidence](t)(svc.AddEvidence(ctx, actor(me), tr.ID, draft))
		must[*train.Evidence](t)(svc.SubmitEvidence(ctx, actor(me), e2.ID))
		invs = must[[]train.Invitation](t)(invitations(t, db, tr.ID))
		if last := invs[len(invs)-1]; last.Status != train.InvitationSent {
			t.Errorf("invitation to an approved assessor %+v, want sent", last)
		}
	})
}

// Reviews are recorded with their panel and what the rule found; the
// completion rule closes the record once every module is signed off and
// the school has recorded the final assessment and the MSc.
func TestReviewsAndCompletion(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		st := testkit.StageTraining(t, db, 1)
		svc, me, sam := st.Train, st.Applicants[0], st.Supervisors[0]
		tr := st.Enrol(t, 0)
		school := actor(st.School)
		st.Clock.Set(testkit.Day(400))
		review := train.ReviewRecord{Review: "end-of-year-1", Month: 12, HeldOn: "2028-03-20", Panel: "Dr A\nDr B"}
		_, err := svc.RecordReview(ctx, school, tr.ID, review)
		wantCode(t, err, apperr.Invalid) // in the future
		review.HeldOn = "2027-07-01"
		_, err = svc.RecordReview(ctx, school, tr.ID, review)
		wantCode(t, err, apperr.Invalid) // before the start
		review.HeldOn = "2028-01-25"
		r := must[*train.ReviewRecord](t)(svc.RecordReview(ctx, school, tr.ID, review))
		if r.Met || len(r.Missing) != 1 || !strings.Contains(r.Missing[0], "module ROTATIONS") {
			t.Errorf("end-of-year-1 with nothing signed off: %+v", r)
		}
		_, err = svc.RecordReview(ctx, school, tr.ID, review)
		wantCode(t, err, apperr.Conflict)
		cu := svc.Curricula().Curriculum("stp-2023")
		for _, m := range cu.Modules {
			e := must[*train.Evidence](t)(svc.AddEvidence(ctx, actor(me), tr.ID, train.Draft{Kind: train.EvidenceReflection, Module: m.Code,
				Title: "Reflection on " + m.Code, OccurredOn: "2028-01-10", Body: "What I learned."}))
			must[*train.Evidence](t)(svc.SubmitEvidence(ctx, actor(me), e.ID))
			if m.Optional {
				continue
			}
			must[*train.SignOff](t)(svc.SignOff(ctx, actor(sam), tr.ID, m.Code, ""))
		}
		_, err = svc.Complete(ctx, school, tr.ID)
		wantCode(t, err, apperr.Conflict)
		if !strings.Contains(apperr.Message(err), "STP Final Year Assessment passed is not on the record") {
			t.Errorf("completion refused with %q", apperr.Message(err))
		}
		_, err = svc.AddRecord(ctx, school, tr.ID, "A degree in something", "2028-01-10")
		wantCode(t, err, apperr.Invalid)
		for _, rec := range cu.Records() {
			must[*train.Record](t)(svc.AddRecord(ctx, school, tr.ID, rec, "2028-01-10"))
		}
		p := must[*train.Portfolio](t)(svc.Portfolio(ctx, tr.ID))
		status := must[train.Status](t)(svc.Status(ctx, p))
		if !status.Completion.Met {
			t.Errorf("completion %+v", status.Completion)
		}
		var eoy1 train.ReviewStatus
		for _, rs := range status.Reviews {
			if rs.Review.ID == "end-of-year-1" {
				eoy1 = rs
			}
		}
		if eoy1.Record == nil || eoy1.Record.Met || !eoy1.Now.Met || eoy1.Due != "2028-07-23" {
			t.Errorf("end-of-year-1 status %+v", eoy1)
		}
		tr = must[*train.Trainee](t)(svc.Complete(ctx, school, tr.ID))
		if tr.Status != train.TraineeCompleted {
			t.Errorf("completed %+v", tr)
		}
		_, err = svc.SignOff(ctx, actor(sam), tr.ID, "ELECTIVE", "")
		wantCode(t, err, apperr.Conflict) // closed
	})
}

// Time out, part-time working and a transfer move the expected end; a
// transfer moves the record and its team.
func TestChangesMoveTheExpectedEnd(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		st := testkit.StageTraining(t, db, 1)
		svc, to := st.Train, actor(st.Officer)
		tr := st.Enrol(t, 0)
		// A second audiology department of the trust, with its people.
		north := &auth.Department{OrganisationID: st.Trust.ID, Name: "Audiology North", Specialism: "audiology"}
		if err := db.CreateDepartment(ctx, auth.System("test"), north); err != nil {
			t.Fatal(err)
		}
		northOfficer := &auth.User{Name: "Nia Officer", Email: "nia@example.org"}
		northSup := &auth.User{Name: "Ned Supervisor", Email: "ned@example.org"}
		for u, role := range map[*auth.User]auth.Role{northOfficer: auth.RoleTrainingOfficer, northSup: auth.RoleSupervisor} {
			if err := db.CreateUser(ctx, auth.System("test"), u, "", []auth.Grant{{Role: role, OrganisationID: st.Trust.ID, DepartmentID: north.ID}}); err != nil {
				t.Fatal(err)
			}
		}
		tr = must[*train.Trainee](t)(svc.RecordChange(ctx, to, tr.ID, train.Change{Kind: train.ChangeTimeOut, From: "2027-10-01", To: "2027-10-30", Reason: "Illness"}, train.Team{}))
		if tr.ExpectedEnd != "2030-08-21" {
			t.Errorf("after 30 days out, expected end %s, want 2030-08-21", tr.ExpectedEnd)
		}
		tr = must[*train.Trainee](t)(svc.RecordChange(ctx, to, tr.ID, train.Change{Kind: train.ChangePartTime, From: "2028-01-01", To: "2028-04-09", Percent: 60, Reason: "Caring"}, train.Team{}))
		if tr.ExpectedEnd != "2030-10-27" { // 100 days at 60% add 67
			t.Errorf("after part-time, expected end %s, want 2030-10-27", tr.ExpectedEnd)
		}
		_, err := svc.RecordChange(ctx, to, tr.ID, train.Change{Kind: train.ChangeTransfer, From: "2028-05-01", To: "2028-05-11", Reason: "Move"},
			train.Team{DepartmentID: north.ID, TrainingOfficerID: st.Officer.ID, Supervisors: []int64{northSup.ID}})
		if apperr.Field(err) != "training_officer_id" {
			t.Errorf("transfer keeping the old officer: %v", err)
		}
		_, err = svc.RecordChange(ctx, to, tr.ID, train.Change{Kind: train.ChangeTransfer, From: "2028-05-01", To: "2028-05-11", Reason: "Move"},
			train.Team{DepartmentID: st.OtherDept.ID, TrainingOfficerID: st.OtherOfficer.ID, Supervisors: []int64{st.OtherSupervisor.ID}})
		if apperr.Field(err) != "department_id" {
			t.Errorf("transfer to a cardiac science department: %v", err)
		}
		tr = must[*train.Trainee](t)(svc.RecordChange(ctx, to, tr.ID, train.Change{Kind: train.ChangeTransfer, From: "2028-05-01", To: "2028-05-11", Reason: "Move"},
			train.Team{DepartmentID: north.ID, TrainingOfficerID: northOfficer.ID, Supervisors: []int64{northSup.ID}}))
		if tr.ExpectedEnd != "2030-11-05" || tr.DepartmentID != north.ID || tr.TrainingOfficerID != northOfficer.ID {
			t.Errorf("after a transfer with 9 days between: %+v", tr)
		}
		_, err = svc.RecordChange(ctx, to, tr.ID, train.Change{Kind: train.ChangeTimeOut, From: "2027-01-01", To: "2027-01-05", Reason: "x"}, train.Team{})
		wantCode(t, err, apperr.Invalid) // before the start
	})
}

// Two supervisors signing the same module at once, and two submissions of
// one assessor's form at once: one each succeeds, on both databases.
func TestConcurrentSignOffAndAssessment(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		st := testkit.StageTraining(t, db, 1)
		svc, me := st.Train, st.Applicants[0]
		tr := st.Enrol(t, 0)
		sam, sue := st.Supervisors[0], st.Supervisors[1]
		must[*train.Trainee](t)(svc.ChangeTeam(ctx, actor(st.Officer), tr.ID, train.Team{TrainingOfficerID: st.Officer.ID, Supervisors: []int64{sam.ID, sue.ID}}))
		st.Clock.Set(testkit.Day(215))
		e := must[*train.Evidence](t)(svc.AddEvidence(ctx, actor(me), tr.ID, train.Draft{Kind: train.EvidenceDOPS, Module: "IPD", Title: "t",
			OccurredOn: "2027-08-02", Body: "b", AssessorName: "Ann", AssessorEmail: "ann@example.org"}))
		must[*train.Evidence](t)(svc.SubmitEvidence(ctx, actor(me), e.ID))
		invs := must[[]train.Invitation](t)(invitations(t, db, tr.ID))
		must[*train.Invitation](t)(svc.ApproveAssessor(ctx, actor(st.Officer), invs[0].ID, true))
		token := lastToken(t, db, "ann@example.org")
		testkit.WarmPool(t, db, 8)
		var assessed atomic.Int32
		testkit.Together(8, func(i int) {
			if _, err := svc.Assess(ctx, auth.Actor{}, token, train.JudgementSatisfactory, "Good"); err == nil {
				assessed.Add(1)
			} else if apperr.Code(err) != apperr.Conflict {
				t.Errorf("assessment %d: %v", i, err)
			}
		})
		if assessed.Load() != 1 {
			t.Errorf("%d assessments through one link, want 1", assessed.Load())
		}
		var signed atomic.Int32
		testkit.Together(8, func(i int) {
			by := []*auth.User{sam, sue}[i%2]
			if _, err := svc.SignOff(ctx, actor(by), tr.ID, "IPD", ""); err == nil {
				signed.Add(1)
			} else if apperr.Code(err) != apperr.Conflict {
				t.Errorf("sign-off %d: %v", i, err)
			}
		})
		if signed.Load() != 1 || testkit.AuditCount(t, db, "signoff.sign") != 1 {
			t.Errorf("%d sign-offs succeeded (%d audited), want 1", signed.Load(), testkit.AuditCount(t, db, "signoff.sign"))
		}
	})
}

// The permission table keeps a record to its own people: the trainee,
// their supervisors and training officer, their department, the school.
func TestRecordTargetScopes(t *testing.T) {
	db := testkit.SQLiteDB(t)
	st := testkit.StageTraining(t, db, 2)
	tr := st.Enrol(t, 0)
	principal := func(u *auth.User) *auth.Principal {
		full, err := db.User(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return &auth.Principal{User: full, Grants: full.Grants}
	}
	for _, tc := range []struct {
		who    *auth.User
		action auth.Action
		want   bool
	}{
		{st.Applicants[0], auth.ActionTrainingView, true},
		{st.Applicants[0], auth.ActionEvidence, true},
		{st.Applicants[0], auth.ActionSignOff, false},
		{st.Applicants[1], auth.ActionTrainingView, false},
		{st.Supervisors[0], auth.ActionTrainingView, true},
		{st.Supervisors[0], auth.ActionSignOff, true},
		{st.Supervisors[0], auth.ActionEvidence, false},
		{st.Supervisors[1], auth.ActionTrainingView, false}, // same department, not on the record
		{st.OtherSupervisor, auth.ActionTrainingView, false},
		{st.OtherOfficer, auth.ActionTrainingView, false},
		{st.Officer, auth.ActionTrainingView, true},
		{st.Officer, auth.ActionTrainingManage, true},
		{st.Officer, auth.ActionSignOff, true},
		{st.OtherOfficer, auth.ActionTrainingManage, false},
		{st.Employer, auth.ActionTrainingView, false},
		{st.School, auth.ActionTrainingView, true},
		{st.School, auth.ActionTrainingReview, true},
		{st.Officer, auth.ActionTrainingReview, false},
	} {
		if got := principal(tc.who).Allowed(tc.action, tr.Target()); got != tc.want {
			t.Errorf("%s %s: %v, want %v", tc.who.Name, tc.action, got, tc.want)
		}
	}
}

// Eight training officers' clicks on one accepted offer at once make one
// record; eight panels recording one review at once record it once.
func TestConcurrentEnrolmentAndReview(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		st := testkit.StageTraining(t, db, 1)
		svc := st.Train
		testkit.WarmPool(t, db, 8)
		var made atomic.Int32
		testkit.Together(8, func(i int) {
			_, err := svc.Enrol(ctx, actor(st.Officer), train.Enrolment{OfferID: st.Offers[0].ID,
				Team: train.Team{DepartmentID: st.Dept.ID, TrainingOfficerID: st.Officer.ID, Supervisors: []int64{st.Supervisors[i%2].ID}}})
			if err == nil {
				made.Add(1)
			} else if apperr.Code(err) != apperr.Conflict {
				t.Errorf("enrolment %d: %v", i, err)
			}
		})
		if made.Load() != 1 || testkit.Count(t, db, "SELECT COUNT(*) FROM trainees") != 1 {
			t.Fatalf("%d enrolments succeeded, want 1", made.Load())
		}
		tr := must[[]train.Status](t)(svc.Cohort(ctx, train.Filter{All: true}))[0].Trainee
		must[*train.Trainee](t)(svc.Confirm(ctx, actor(st.Officer), tr.ID))
		st.Clock.Set(testkit.Day(215))
		var recorded atomic.Int32
		testkit.Together(8, func(i int) {
			_, err := svc.RecordReview(ctx, actor(st.School), tr.ID, train.ReviewRecord{Review: "six-month-check-in", HeldOn: "2027-08-05", Panel: "Panel"})
			if err == nil {
				recorded.Add(1)
			} else if apperr.Code(err) != apperr.Conflict {
				t.Errorf("review %d: %v", i, err)
			}
		})
		if recorded.Load() != 1 || testkit.Count(t, db, "SELECT COUNT(*) FROM training_reviews") != 1 {
			t.Errorf("%d reviews recorded, want 1", recorded.Load())
		}
	})
}

// The national school is told of an assessment that has waited three
// weeks for its assessor, counted by the store on both databases (SQLite
// gives a MIN of a time as text).
func TestAssessorWaitingIsAnException(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		st := testkit.StageTraining(t, db, 1)
		svc, me := st.Train, st.Applicants[0]
		tr := st.Enrol(t, 0)
		st.Clock.Set(testkit.Day(215))
		e := must[*train.Evidence](t)(svc.AddEvidence(ctx, actor(me), tr.ID, train.Draft{Kind: train.EvidenceOCE, Module: "IPD", Title: "t",
			OccurredOn: "2027-08-02", Body: "b", AssessorName: "Ann", AssessorEmail: "ann@example.org"}))
		must[*train.Evidence](t)(svc.SubmitEvidence(ctx, actor(me), e.ID))
		for _, c := range []struct {
			day  int
			want bool
		}{{215 + 21, false}, {215 + 22, true}} {
			st.Clock.Set(testkit.Day(c.day))
			cohort := must[[]train.Status](t)(svc.Cohort(ctx, train.Filter{All: true}))
			got := slices.Contains(cohort[0].Exceptions, train.ExceptionAssessorWaiting)
			if got != c.want {
				t.Errorf("day %d: assessor waiting %v, want %v (%v)", c.day, got, c.want, cohort[0].Exceptions)
			}
		}
	})
}

// What an independent review found, each refused with its reason: an
// assessor who is the trainee, a blank entry, an entry or a record dated
// before training, a period of time out recorded twice, a review recorded
// long before it is due or for a month it is not due in, a new link sent
// again within the hour; and the history does not show what a private
// draft says. A training officer reopens what they signed off.
func TestTrainingRefusesWhatAReviewFound(t *testing.T) {
	db := testkit.SQLiteDB(t)
	st := testkit.StageTraining(t, db, 1)
	svc, me, officer := st.Train, st.Applicants[0], st.Officer
	tr := st.Enrol(t, 0)
	st.Clock.Set(testkit.Day(215))
	good := train.Draft{Kind: train.EvidenceDOPS, Module: "IPD", Title: "t", OccurredOn: "2027-08-02", Body: "b", AssessorName: "Ann", AssessorEmail: "ann@example.org"}
	for _, tc := range []struct {
		name  string
		edit  func(d *train.Draft)
		field string
	}{
		{"the trainee as assessor", func(d *train.Draft) { d.AssessorEmail = strings.ToUpper(me.Email) }, "assessor_email"},
		{"no title", func(d *train.Draft) { d.Title = "  " }, "title"},
		{"before training", func(d *train.Draft) { d.OccurredOn = "2027-07-01" }, "occurred_on"},
	} {
		d := good
		tc.edit(&d)
		_, err := svc.AddEvidence(ctx, actor(me), tr.ID, d)
		if apperr.Field(err) != tc.field {
			t.Errorf("%s: %v, want invalid %s", tc.name, err, tc.field)
		}
	}
	blank := good
	blank.Body = ""
	e := must[*train.Evidence](t)(svc.AddEvidence(ctx, actor(me), tr.ID, blank))
	_, err := svc.SubmitEvidence(ctx, actor(me), e.ID)
	if apperr.Field(err) != "body" {
		t.Errorf("submitting a blank entry: %v", err)
	}
	// Save-and-submit that fails saves nothing.
	changed := good
	changed.Title, changed.AssessorEmail, changed.AssessorName = "Changed", "", ""
	_, err = svc.SaveAndSubmit(ctx, actor(me), tr.ID, e.ID, changed)
	if apperr.Field(err) != "assessor_email" {
		t.Errorf("submitting without an assessor: %v", err)
	}
	if p := must[*train.Portfolio](t)(svc.Portfolio(ctx, tr.ID)); p.Evidence[0].Title != "t" || p.Evidence[0].Status != train.EvidenceDraft {
		t.Errorf("a refused save-and-submit changed the draft: %+v", p.Evidence[0])
	}
	private := good
	private.Title = "PRIVATE: thinking of leaving"
	must[*train.Evidence](t)(svc.AddEvidence(ctx, actor(me), tr.ID, private))
	for _, h := range must[[]train.HistoryEntry](t)(svc.History(ctx, tr.ID)) {
		if strings.Contains(h.Detail, "PRIVATE") {
			t.Errorf("the history shows a private draft: %+v", h)
		}
	}
	must[*train.Trainee](t)(svc.RecordChange(ctx, actor(officer), tr.ID, train.Change{Kind: train.ChangeTimeOut, From: "2027-09-01", To: "2027-09-10", Reason: "Ill"}, train.Team{}))
	_, err = svc.RecordChange(ctx, actor(officer), tr.ID, train.Change{Kind: train.ChangeTimeOut, From: "2027-09-05", To: "2027-09-20", Reason: "Ill"}, train.Team{})
	wantCode(t, err, apperr.Conflict)
	_, err = svc.RecordChange(ctx, actor(officer), tr.ID, train.Change{Kind: train.ChangeTimeOut, From: "2027-10-05", To: "2027-10-06"}, train.Team{})
	if apperr.Field(err) != "reason" {
		t.Errorf("a change without a reason: %v", err)
	}
	_, err = svc.RecordReview(ctx, actor(st.School), tr.ID, train.ReviewRecord{Review: "end-of-year-2", Month: 24, HeldOn: "2027-08-05", Panel: "A"})
	if apperr.Field(err) != "held_on" {
		t.Errorf("end-of-year-2 in month 0: %v", err)
	}
	_, err = svc.RecordReview(ctx, actor(st.School), tr.ID, train.ReviewRecord{Review: "six-month-check-in", Month: 7, HeldOn: "2027-08-05", Panel: "A"})
	if apperr.Field(err) != "month" {
		t.Errorf("a review for a month it is not due in: %v", err)
	}
	_, err = svc.AddRecord(ctx, actor(st.School), tr.ID, "MSc Clinical Science awarded", "1900-01-01")
	if apperr.Field(err) != "recorded_on" {
		t.Errorf("a record from 1900: %v", err)
	}
	// Resending within the hour is refused; the training officer reopens
	// their own sign-off.
	good.Module = "ROTATIONS"
	sent := must[*train.Evidence](t)(svc.SaveAndSubmit(ctx, actor(me), tr.ID, 0, good))
	inv := must[[]train.Invitation](t)(svc.Invitations(ctx, tr.ID))
	must[*train.Invitation](t)(svc.ApproveAssessor(ctx, actor(officer), inv[len(inv)-1].ID, true))
	_, err = svc.ResendInvitation(ctx, actor(me), sent.ID)
	wantCode(t, err, apperr.TooManyRequests)
	reflection := train.Draft{Kind: train.EvidenceReflection, Module: "INTRO", Title: "Induction", OccurredOn: "2027-08-02", Body: "b"}
	must[*train.Evidence](t)(svc.SaveAndSubmit(ctx, actor(me), tr.ID, 0, reflection))
	must[*train.SignOff](t)(svc.SignOff(ctx, actor(officer), tr.ID, "INTRO", ""))
	must[*train.SignOff](t)(svc.Reopen(ctx, actor(officer), tr.ID, "INTRO", "", "Too early"))
}

// An accepted offer whose pre-employment checks are not all passed is
// conditional: it does not start training, and is not listed as waiting.
func TestConditionalOfferDoesNotStartTraining(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 1, Places: []int{1}, Reviewers: 2, Until: testkit.UntilRanked})
		must[*recruit.MatchOutcome](t)(sr.Service.PublishMatch(ctx, actor(sr.School), sr.Round.ID))
		offers := must[[]recruit.Offer](t)(sr.Service.Offers(ctx, recruit.OfferFilter{RoundID: sr.Round.ID}))
		must[*recruit.Offer](t)(sr.Service.AnswerOffer(ctx, actor(sr.Applicants[0]), offers[0].ID, recruit.AnswerAccept, false))
		if _, _, err := sr.Service.RecordCheck(ctx, actor(sr.Employer), offers[0].PostID, offers[0].ID,
			recruit.Check{Kind: recruit.CheckIdentity, Status: recruit.CheckPassed}); err != nil {
			t.Fatal(err)
		}
		svc := testkit.Train(t, db)
		_, err := svc.Enrol(ctx, actor(sr.Employer), train.Enrolment{OfferID: offers[0].ID})
		wantCode(t, err, apperr.Conflict)
		if err == nil || !strings.Contains(err.Error(), "unconditional") {
			t.Errorf("enrolling from a conditional offer: %v", err)
		}
		if n := len(must[[]train.Placement](t)(svc.Placements(ctx, train.PlacementFilter{All: true}))); n != 0 {
			t.Errorf("%d placements listed, want none while the checks are outstanding", n)
		}
	})
}

// Once a training record is made from an unconditional offer, or its
// post has started, the offer can no longer be declined (nor its place
// offered on); before either, it can.
func TestStartedOfferCannotBeDeclined(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		st := testkit.StageTraining(t, db, 3)
		st.Enrol(t, 0)
		_, err := st.Service.AnswerOffer(ctx, actor(st.Applicants[0]), st.Offers[0].ID, recruit.AnswerDecline, false)
		wantCode(t, err, apperr.Conflict)
		if err == nil || !strings.Contains(err.Error(), "training record has been started") {
			t.Errorf("declining an offer training started from: %v", err)
		}
		st.Clock.Set(st.Round.StartDate)
		_, err = st.Service.AnswerOffer(ctx, actor(st.Applicants[1]), st.Offers[1].ID, recruit.AnswerDecline, false)
		if err == nil || !strings.Contains(err.Error(), "post started on") {
			t.Errorf("declining an unconditional offer once the post started: %v", err)
		}
		st.Clock.Set(st.Round.StartDate.Add(-time.Hour))
		if o, err := st.Service.AnswerOffer(ctx, actor(st.Applicants[2]), st.Offers[2].ID, recruit.AnswerDecline, false); err != nil || o.Status != recruit.OfferDeclined {
			t.Errorf("declining an unconditional offer before the post starts: %+v, %v", o, err)
		}
	})
}
