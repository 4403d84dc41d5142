package testkit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"io/fs"
	"slices"
	"sync"
	"testing"

	"hcs/data"
	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/recruit"
	"hcs/internal/train"
)

var (
	curriculaOnce sync.Once
	curricula     *train.Curricula
	curriculaErr  error
)

// Curricula returns the embedded curricula, loaded once per test binary.
func Curricula(tb testing.TB) *train.Curricula {
	tb.Helper()
	f := Framework(tb)
	curriculaOnce.Do(func() {
		var sub fs.FS
		if sub, curriculaErr = fs.Sub(data.Curricula, "curricula"); curriculaErr == nil {
			curricula, curriculaErr = train.Load(sub, f)
		}
	})
	if curriculaErr != nil {
		tb.Fatal(curriculaErr)
	}
	return curricula
}

// IssuerKey is the key tests sign certificates with: fixed, so that a
// test can check a signature against it.
var IssuerKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))

// Train returns the training service over the given database, signing
// certificates with IssuerKey.
func Train(tb testing.TB, db *database.DB) *train.Service {
	tb.Helper()
	svc := train.NewService(db.Training(), Framework(tb), Curricula(tb), PublicURL)
	if err := svc.UseIssuer(context.Background(), IssuerKey); err != nil {
		tb.Fatal(err)
	}
	return svc
}

// FinishTraining takes an active trainee to completion through the
// service: a reflection on every module, which the supervisor signs off
// (optional modules aside), each record the curriculum's rules name, on
// the given date, and completion, which issues the certificate.
func FinishTraining(tb testing.TB, svc *train.Service, tr *train.Trainee, trainee, supervisor, school auth.Actor, on string) (*train.Trainee, *train.Certificate) {
	tb.Helper()
	ctx := context.Background()
	must := func(err error) {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
	}
	cu := svc.Curricula().Curriculum(tr.Curriculum)
	p, err := svc.Portfolio(ctx, tr.ID)
	must(err)
	for _, m := range cu.Modules {
		if so := p.SignOff(m.Code, ""); so != nil && so.Status == train.SignedOff {
			continue
		}
		e, err := svc.AddEvidence(ctx, trainee, tr.ID, train.Draft{Kind: train.EvidenceReflection, Module: m.Code,
			Title: "Reflection on " + m.Code, OccurredOn: on, Body: "What I learned."})
		must(err)
		_, err = svc.SubmitEvidence(ctx, trainee, e.ID)
		must(err)
		if !m.Optional {
			_, err = svc.SignOff(ctx, supervisor, tr.ID, m.Code, "")
			must(err)
		}
	}
	for _, rec := range cu.Records() {
		if slices.ContainsFunc(p.Records, func(r train.Record) bool { return r.Name == rec }) {
			continue
		}
		_, err := svc.AddRecord(ctx, school, tr.ID, rec, on)
		must(err)
	}
	done, err := svc.Complete(ctx, school, tr.ID)
	must(err)
	certs, err := svc.CertificatesOf(ctx, tr.ID)
	must(err)
	if len(certs) == 0 {
		tb.Fatal("completion issued no certificate")
	}
	return done, &certs[0]
}

// StagedTraining is a matched recruitment round whose applicants have
// accepted their offers, with a training department around them: its
// training officer and two supervisors, and a second department of the
// same trust (in cardiac science) with its own, who have nothing to do
// with these trainees.
type StagedTraining struct {
	*StagedRound
	Train           *train.Service
	Dept, OtherDept *auth.Department
	Officer         *auth.User
	Supervisors     []*auth.User
	OtherOfficer    *auth.User
	OtherSupervisor *auth.User
	Offers          []recruit.Offer // Offers[i] is Applicants[i]'s, accepted
}

// StageTraining stages a round with n applicants and n places, publishes
// its match and has everyone accept.
func StageTraining(tb testing.TB, db *database.DB, n int) *StagedTraining {
	tb.Helper()
	ctx := context.Background()
	must := func(err error) {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
	}
	sr := StageRound(tb, db, StageOptions{Applicants: n, Places: []int{n}, Reviewers: 2, Until: UntilRanked})
	st := &StagedTraining{StagedRound: sr, Train: Train(tb, db)}
	_, err := sr.Service.PublishMatch(ctx, auth.Actor{UserID: sr.School.ID}, sr.Round.ID)
	must(err)
	for i, a := range sr.Apps {
		offers, err := sr.Service.Offers(ctx, recruit.OfferFilter{ApplicationID: a.ID, Live: true})
		must(err)
		if len(offers) != 1 {
			tb.Fatalf("applicant %d has %d live offers, want 1", i, len(offers))
		}
		_, err = sr.Service.AnswerOffer(ctx, auth.Actor{UserID: sr.Applicants[i].ID}, offers[0].ID, recruit.AnswerAccept, false)
		must(err)
		st.Offers = append(st.Offers, *sr.PassChecks(tb, offers[0].ID))
	}
	system := auth.System("test set-up")
	dept := func(name, specialism string) *auth.Department {
		d := &auth.Department{OrganisationID: sr.Trust.ID, Name: name, Specialism: specialism}
		must(db.CreateDepartment(ctx, system, d))
		return d
	}
	person := func(name string, role auth.Role, d *auth.Department) *auth.User {
		u := &auth.User{Name: name, Email: slug(name) + "@example.org"}
		must(db.CreateUser(ctx, system, u, "", []auth.Grant{{Role: role, OrganisationID: d.OrganisationID, DepartmentID: d.ID}}))
		return u
	}
	st.Dept, st.OtherDept = dept("Audiology", "audiology"), dept("Cardiac Physiology", "cardiac-science")
	st.Officer = person("Olive Officer", auth.RoleTrainingOfficer, st.Dept)
	st.Supervisors = []*auth.User{person("Sam Supervisor", auth.RoleSupervisor, st.Dept), person("Sue Supervisor", auth.RoleSupervisor, st.Dept)}
	st.OtherOfficer = person("Otto Officer", auth.RoleTrainingOfficer, st.OtherDept)
	st.OtherSupervisor = person("Oscar Supervisor", auth.RoleSupervisor, st.OtherDept)
	return st
}

// Enrol makes and confirms the training record of applicant i, supervised
// by the department's first supervisor.
func (st *StagedTraining) Enrol(tb testing.TB, i int) *train.Trainee {
	tb.Helper()
	ctx := context.Background()
	t, err := st.Train.Enrol(ctx, auth.Actor{UserID: st.Officer.ID}, train.Enrolment{OfferID: st.Offers[i].ID,
		Team: train.Team{DepartmentID: st.Dept.ID, TrainingOfficerID: st.Officer.ID, Supervisors: []int64{st.Supervisors[0].ID}}})
	if err != nil {
		tb.Fatal(err)
	}
	if t, err = st.Train.Confirm(ctx, auth.Actor{UserID: st.Officer.ID}, t.ID); err != nil {
		tb.Fatal(err)
	}
	return t
}
