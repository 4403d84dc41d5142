package testkit

import (
	"context"
	"io/fs"
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

// Train returns the training service over the given database.
func Train(tb testing.TB, db *database.DB) *train.Service {
	return train.NewService(db.Training(), Framework(tb), Curricula(tb), PublicURL)
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
		o, err := sr.Service.AnswerOffer(ctx, auth.Actor{UserID: sr.Applicants[i].ID}, offers[0].ID, recruit.AnswerAccept, false)
		must(err)
		st.Offers = append(st.Offers, *o)
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
