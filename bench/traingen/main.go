// Command traingen fills a database with a national cohort of trainees for
// the training load benchmark (bench/training.sh): by default 500 STP
// trainees in 20 departments of 10 trusts across the regions, each with
// 200 e-portfolio entries (reflections, rotations, DOPS, OCE and CBD, a
// few drafts and assessments waiting for their assessor), sign-offs and
// progress reviews as far as each has come, started over three yearly
// cohorts. Entries are written in the order they would have been made, a
// week at a time across every trainee, so one trainee's rows are spread
// through the table as they are in a real database, not stored together.
//
// It writes through the training store (train.Tx, and train.SaveEvidence
// for entries and their tallies), the same loads and saves the service
// uses, but not through the service's actions: a record starts from an
// accepted offer, and recruiting 500 people first would measure
// recruitment. The schema's constraints still hold every row.
//
//	go run ./bench/traingen -db bench/data/training.db -password secret
//
// It prints the national school administrator's email and one trainee id
// per line after it (for bench/training.lua's distinct record pages).
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"time"

	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/train"
)

func main() {
	source := flag.String("db", "", "database: a SQLite file path or a postgres:// URL (created and migrated)")
	trainees := flag.Int("trainees", 500, "trainees")
	entries := flag.Int("evidence", 200, "e-portfolio entries per trainee")
	password := flag.String("password", "", "password for the national school administrator's account")
	flag.Parse()
	if *source == "" || *password == "" {
		fmt.Fprintln(os.Stderr, "usage: traingen -db DB -password P [-trainees 500] [-evidence 200]")
		os.Exit(2)
	}
	if err := run(*source, *trainees, *entries, *password); err != nil {
		fmt.Fprintln(os.Stderr, "traingen:", err)
		os.Exit(1)
	}
}

var regions = []string{"London", "North West", "Midlands", "South West", "East of England", "North East and Yorkshire", "South East", "Wales", "Scotland", "Northern Ireland"}
var specialisms = []string{"audiology", "clinical-biochemistry"}

func run(source string, n, perTrainee int, password string) error {
	ctx := context.Background()
	db, err := database.Open(ctx, source)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Hour)
	rng := rand.New(rand.NewPCG(13, 500))
	system := auth.System("benchmark set-up")
	hash, err := auth.HashPassword(ctx, password)
	if err != nil {
		return err
	}
	school := &auth.User{Name: "School Bench", Email: "school@bench.hcs.test"}
	if err := db.CreateUser(ctx, system, school, hash, []auth.Grant{{Role: auth.RoleSchoolAdmin}}); err != nil {
		return err
	}
	type dept struct {
		org, id, officer int64
		supervisors      []int64
		specialism       string
		region           string
	}
	var depts []dept
	for i := range 10 {
		o := &auth.Organisation{Kind: auth.OrgTrust, Name: fmt.Sprintf("Bench Trust %02d", i+1), Region: regions[i]}
		if err := db.CreateOrganisation(ctx, system, o); err != nil {
			return err
		}
		for _, sp := range specialisms {
			d := &auth.Department{OrganisationID: o.ID, Name: sp, Specialism: sp}
			if err := db.CreateDepartment(ctx, system, d); err != nil {
				return err
			}
			dd := dept{org: o.ID, id: d.ID, specialism: sp, region: o.Region}
			officer := &auth.User{Name: fmt.Sprintf("Officer %d", d.ID), Email: fmt.Sprintf("officer%d@bench.hcs.test", d.ID)}
			if err := db.CreateUser(ctx, system, officer, "", []auth.Grant{{Role: auth.RoleTrainingOfficer, OrganisationID: o.ID, DepartmentID: d.ID}}); err != nil {
				return err
			}
			dd.officer = officer.ID
			for s := range 3 {
				u := &auth.User{Name: fmt.Sprintf("Supervisor %d-%d", d.ID, s), Email: fmt.Sprintf("supervisor%d.%d@bench.hcs.test", d.ID, s)}
				if err := db.CreateUser(ctx, system, u, "", []auth.Grant{{Role: auth.RoleSupervisor, OrganisationID: o.ID, DepartmentID: d.ID}}); err != nil {
					return err
				}
				dd.supervisors = append(dd.supervisors, u.ID)
			}
			depts = append(depts, dd)
		}
	}
	// The trainees: three yearly cohorts, started 2, 14 and 26 months ago.
	var ts []*train.Trainee
	for i := range n {
		u := &auth.User{Name: fmt.Sprintf("Trainee %04d", i+1), Email: fmt.Sprintf("trainee%04d@bench.hcs.test", i+1)}
		if err := db.CreateUser(ctx, system, u, "", []auth.Grant{{Role: auth.RoleTrainee}}); err != nil {
			return err
		}
		d := depts[rng.IntN(len(depts))]
		start := now.AddDate(0, -2-12*(i%3), -rng.IntN(20))
		confirmed := start.AddDate(0, 0, -20)
		ts = append(ts, &train.Trainee{UserID: u.ID, Programme: "stp", Specialism: d.specialism, Curriculum: "stp-2023", OrganisationID: d.org,
			DepartmentID: d.id, TrainingOfficerID: d.officer, Supervisors: []int64{d.supervisors[i%3]}, StartDate: start.Format(train.DateFormat),
			ExpectedEnd: start.AddDate(3, 0, -1).Format(train.DateFormat), Status: train.TraineeActive, ConfirmedAt: &confirmed})
	}
	if err := db.Training().Write(ctx, func(tx train.Tx) error {
		for _, t := range ts {
			if err := tx.InsertTrainee(t); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	// Evidence, a week's worth at a time across every trainee.
	modules := []string{"INTRO", "ROTATIONS", "ROTATIONS", "ROTATIONS", "S-C1", "S-C1", "S-C2", "SPECIALIST", "SPECIALIST", "SPECIALIST", "IPD"}
	kinds := []string{train.EvidenceReflection, train.EvidenceDOPS, train.EvidenceOCE, train.EvidenceCBD, train.EvidenceDOPS, train.EvidenceRotation, train.EvidenceMSF}
	const batch = 2000
	var pending []train.Evidence
	flush := func() error {
		err := db.Training().Write(ctx, func(tx train.Tx) error {
			for i := range pending {
				if err := train.SaveEvidence(tx, &pending[i]); err != nil {
					return err
				}
			}
			return nil
		})
		pending = pending[:0]
		return err
	}
	for k := range perTrainee {
		for i, t := range ts {
			start, _ := time.Parse(train.DateFormat, t.StartDate)
			span := now.Sub(start)
			at := start.Add(span * time.Duration(k+1) / time.Duration(perTrainee+1))
			kind := kinds[(k+i)%len(kinds)]
			e := train.Evidence{TraineeID: t.ID, Kind: kind, Module: modules[(k*len(modules)/perTrainee+i%2)%len(modules)], Competencies: []string{},
				Title: fmt.Sprintf("Entry %d of trainee %d", k+1, i+1), OccurredOn: at.Format(train.DateFormat),
				Body:   "What happened, what I did and what I learned, as a trainee writes it: a few sentences of reflection on the case and the next steps agreed with my supervisor.",
				Status: train.EvidenceSubmitted}
			submitted := at.Add(time.Hour)
			e.SubmittedAt = &submitted
			switch {
			case k >= perTrainee-2 && i%4 == 0:
				e.Status, e.SubmittedAt, e.Shared = train.EvidenceDraft, nil, i%8 == 0
			case train.Assessed(kind) && k >= perTrainee-3 && i%5 == 0:
				e.Status, e.AssessorName, e.AssessorEmail = train.EvidenceAwaiting, "Dr Bench", "assessor@bench.hcs.test"
			case train.Assessed(kind):
				assessed := at.Add(72 * time.Hour)
				e.Status, e.AssessorName, e.AssessorEmail, e.Judgement, e.Feedback, e.AssessedAt = train.EvidenceAssessed, "Dr Bench", "assessor@bench.hcs.test",
					train.JudgementSatisfactory, "Well done; next time explain the limits of the result.", &assessed
			}
			pending = append(pending, e)
			if len(pending) == batch {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	// Sign-offs and reviews as far as each cohort has come.
	if err := db.Training().Write(ctx, func(tx train.Tx) error {
		for i, t := range ts {
			start, _ := time.Parse(train.DateFormat, t.StartDate)
			year := i % 3
			signed := [][]string{{"INTRO"}, {"INTRO", "ROTATIONS"}, {"INTRO", "ROTATIONS", "S-C1", "SPECIALIST"}}[year]
			for j, m := range signed {
				if err := tx.InsertSignOff(&train.SignOff{TraineeID: t.ID, Module: m, Status: train.SignedOff, SignedBy: t.Supervisors[0],
					SignedAt: start.AddDate(0, 2+10*j, 0)}); err != nil {
					return err
				}
			}
			reviews := []struct {
				id    string
				month int
			}{{"six-month-check-in", 6}, {"end-of-year-1", 12}, {"end-of-year-2", 24}}
			for _, rv := range reviews[:year+1] {
				if rv.month > 2+12*year || (year == 2 && i%10 == 0 && rv.month == 24) {
					continue // not due yet, or (one in ten) overdue
				}
				if err := tx.InsertReview(&train.ReviewRecord{TraineeID: t.ID, Review: rv.id, Month: rv.month, HeldOn: start.AddDate(0, rv.month, -5).Format(train.DateFormat),
					Met: true, Panel: "Dr Chair\nDr Member", Notes: "", RecordedBy: school.ID}); err != nil {
					return err
				}
			}
		}
		return nil
	}); err != nil {
		return err
	}
	fmt.Println(school.Email)
	for _, t := range ts {
		fmt.Println(t.ID)
	}
	return nil
}
