package demo

import (
	"fmt"
	"regexp"
	"slices"

	"hcs/internal/auth"
	"hcs/internal/recruit"
	"hcs/internal/train"
)

// The demo's training: two earlier STP cohorts, recruited through the
// recruitment service and carried into training through the training
// service, with evidence, assessments through assessors' links, sign-offs
// and reviews made on the days they would have happened.
//
//   - STP 2023 (demo): finished. Both completed the programme this
//     summer and hold their CCSTP certificates; one was issued again
//     after the first, issued too early, was revoked.
//   - STP 2024 (demo): in their third year. One has met every review; one
//     was found behind at the end of year 2; one has everything but the
//     MSc on the record.
//   - STP 2025 (demo): in their second year. The demo trainee has
//     rotations ready for their supervisor's sign-off, an assessor waiting
//     for the training officer's approval, a shared draft and a private
//     one, and an end-of-year-1 review overdue; a colleague works part
//     time after time out, and another's assessor has not answered.
//   - STP 2026 (demo): one accepted offer has a record waiting for its
//     training officer to confirm; the others wait to be started.

const (
	cohort2023 = "STP 2023 (demo)"
	cohort2024 = "STP 2024 (demo)"
	cohort2025 = "STP 2025 (demo)"
)

// trainingSeeder carries the training demo's people.
type trainingSeeder struct {
	*seeder
	tr *train.Service
	// depts maps a specialism to its demo department, officer and
	// supervisors.
	depts map[string]*demoDept
}

type demoDept struct {
	org, dept   int64
	officer     int64
	supervisors []int64
}

var assessorLink = regexp.MustCompile(`/assess/([A-Za-z0-9_-]+)`)

// seedTraining makes the demo's trainees unless they exist.
func (s *seeder) seedTraining(tr *train.Service, deptIDs map[string]int64, people map[auth.Role]*auth.User) error {
	rounds, err := s.rec.Rounds(s.ctx)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(rounds, func(r recruit.Round) bool { return r.Name == cohort2024 }) {
		return nil
	}
	ts := &trainingSeeder{seeder: s, tr: tr, depts: map[string]*demoDept{}}
	north, south := s.trusts[demoTrusts[0].name], s.trusts[demoTrusts[1].name]
	s.setDay(-900)
	// Each department's training officer and supervisors. The demo
	// training officer runs Northshire's audiology, where the demo
	// supervisor works.
	for _, d := range []struct {
		specialism, dept string
		org              int64
		officer          *auth.User
		supervisors      []*auth.User
	}{
		{"audiology", "Audiology", north, people[auth.RoleTrainingOfficer], []*auth.User{people[auth.RoleSupervisor]}},
		{"clinical-biochemistry", "Clinical Biochemistry", north, nil, nil},
		{"cardiac-science", "Cardiac Physiology", south, nil, nil},
	} {
		dd := &demoDept{org: d.org, dept: deptIDs[d.dept]}
		officer := d.officer
		if officer == nil {
			if officer, err = s.user(fmt.Sprintf("%s %s", firstNames[len(ts.depts)*4+2], lastNames[len(ts.depts)*5+1]),
				fmt.Sprintf("officer.dept%d@demo.hcs.test", dd.dept), auth.Grant{Role: auth.RoleTrainingOfficer, OrganisationID: d.org, DepartmentID: dd.dept}); err != nil {
				return err
			}
		}
		dd.officer = officer.ID
		sups := d.supervisors
		extra, err := s.user(fmt.Sprintf("%s %s", firstNames[len(ts.depts)*4+3], lastNames[len(ts.depts)*5+3]),
			fmt.Sprintf("supervisor.dept%d@demo.hcs.test", dd.dept), auth.Grant{Role: auth.RoleSupervisor, OrganisationID: d.org, DepartmentID: dd.dept})
		if err != nil {
			return err
		}
		for _, u := range append(sups, extra) {
			dd.supervisors = append(dd.supervisors, u.ID)
		}
		ts.depts[d.specialism] = dd
	}

	done, err := ts.cohort(cohort2023, -1190, 2023, nil, "audiology", "clinical-biochemistry")
	if err != nil {
		return fmt.Errorf("demo cohort %s: %w", cohort2023, err)
	}
	if err := ts.completed(done, -1190); err != nil {
		return err
	}
	older, err := ts.cohort(cohort2024, -850, 2024, nil, cohortSpecialisms...)
	if err != nil {
		return fmt.Errorf("demo cohort %s: %w", cohort2024, err)
	}
	newer, err := ts.cohort(cohort2025, -470, 2025, people[auth.RoleTrainee], cohortSpecialisms...)
	if err != nil {
		return fmt.Errorf("demo cohort %s: %w", cohort2025, err)
	}
	if err := ts.thirdYear(older, -850); err != nil {
		return err
	}
	if err := ts.secondYear(newer, -470); err != nil {
		return err
	}
	return ts.waitingToStart()
}

// cohortSpecialisms are the specialisms of a full demo cohort's seven
// trainees.
var cohortSpecialisms = []string{"audiology", "audiology", "audiology", "clinical-biochemistry", "clinical-biochemistry", "cardiac-science", "cardiac-science"}

// cohort recruits an applicant for each specialism through a whole round starting on a
// day (relative to now), everyone accepts, and their training records
// are made and confirmed a month before the start.
func (ts *trainingSeeder) cohort(name string, start float64, year int, first *auth.User, specialisms ...string) ([]*train.Trainee, error) {
	s := ts.seeder
	s.setDay(start - 320)
	var people []*auth.User
	for i := range specialisms {
		u := first
		if i > 0 || u == nil {
			var err error
			if u, err = s.user(fmt.Sprintf("%s %s", firstNames[(year+i*5)%len(firstNames)], lastNames[(year*3+i*7)%len(lastNames)]),
				fmt.Sprintf("stp%d.trainee%d@demo.hcs.test", year, i+1), auth.Grant{Role: auth.RoleApplicant}); err != nil {
				return nil, err
			}
		}
		seed := i + year
		if len(specialisms) < 3 {
			// A small cohort has only the two reviewers: none of its
			// applicants may work at either reviewer's trust, or they
			// could not be reviewed twice.
			seed++
		}
		if err := s.profile(u, seed); err != nil {
			return nil, err
		}
		people = append(people, u)
	}
	r := &recruit.Round{Programme: "stp", Name: name, ApplicationsOpen: s.day(start - 310), ShortlistingOpen: s.day(start - 290),
		InterviewsOpen: s.day(start - 270), PreferencesOpen: s.day(start - 250), OffersOpen: s.day(start - 220), StartDate: s.day(start),
		TieBreakSeed: fmt.Sprintf("demo-%d-seed", year), ScoreMargin: 15, ShortlistWeight: 1, InterviewWeight: 1, OfferWorkingDays: 10, ShortlistPassMark: 50,
		ShortlistCriteria: "Understanding of the specialism and of the role of a clinical scientist; scientific curiosity; communication; commitment to patients."}
	if err := s.rec.OpenRound(s.ctx, s.school, r, demoStations); err != nil {
		return nil, err
	}
	posts := map[string]int64{}
	for _, sp := range []string{"audiology", "clinical-biochemistry", "cardiac-science"} {
		dd := ts.depts[sp]
		p := &recruit.Post{RoundID: r.ID, OrganisationID: dd.org, Specialism: sp, Site: "Royal Infirmary", Contact: fmt.Sprintf("training%d@demo.hcs.test", dd.dept)}
		for _, x := range specialisms {
			if x == sp {
				p.Places++ // one place for each applicant in the specialism
			}
		}
		if p.Places == 0 {
			continue
		}
		if err := s.rec.PublishPost(s.ctx, auth.Actor{UserID: s.staff[dd.org][0], Address: "demo set-up"}, p); err != nil {
			return nil, err
		}
		posts[sp] = p.ID
	}
	s.setDay(start - 300)
	var apps []*recruit.Application
	for i, u := range people {
		a := &recruit.Application{RoundID: r.ID, UserID: u.ID, Specialism: specialisms[i], Statement: statements[specialisms[i]]}
		if err := s.rec.Apply(s.ctx, auth.Actor{UserID: u.ID, Address: "demo set-up"}, a); err != nil {
			return nil, err
		}
		apps = append(apps, a)
	}
	s.setDay(start - 289)
	for i := range 2 {
		rv, err := s.user(fmt.Sprintf("%s %s", firstNames[(i*7+3)%len(firstNames)], lastNames[(i*5+2)%len(lastNames)]), fmt.Sprintf("reviewer%d@demo.hcs.test", i+1))
		if err != nil {
			return nil, err
		}
		if _, err := s.rec.AppointReviewer(s.ctx, s.school, r.ID, rv.Email, s.trusts[demoTrusts[2+i].name]); err != nil {
			return nil, err
		}
	}
	if _, err := s.rec.AssignReviewers(s.ctx, s.school, r.ID); err != nil {
		return nil, err
	}
	s.setDay(start - 285)
	for i := range 2 {
		rv, err := s.store.UserByEmail(s.ctx, fmt.Sprintf("reviewer%d@demo.hcs.test", i+1))
		if err != nil {
			return nil, err
		}
		if err := s.review(r, []*auth.User{rv}, func(_ int, app int64) int { return 70 + int(app)%20 }); err != nil {
			return nil, err
		}
	}
	stations, err := s.rec.Stations(s.ctx, r.ID)
	if err != nil {
		return nil, err
	}
	s.setDay(start - 265)
	for _, a := range apps {
		staff := s.staff[ts.depts[a.Specialism].org]
		for j, st := range stations {
			if _, err := s.rec.ScoreInterview(s.ctx, auth.Actor{UserID: staff[j%len(staff)], Address: "demo set-up"}, a.ID, st.ID, 60+s.rng.IntN(35)); err != nil {
				return nil, err
			}
		}
	}
	s.setDay(start - 245)
	if _, err := s.rec.RankRound(s.ctx, s.school, r.ID); err != nil {
		return nil, err
	}
	for _, a := range apps {
		if _, err := s.rec.SetPreferences(s.ctx, auth.Actor{UserID: a.UserID, Address: "demo set-up"}, a.ID, []int64{posts[a.Specialism]}); err != nil {
			return nil, err
		}
	}
	s.setDay(start - 219)
	if _, err := s.rec.PublishMatch(s.ctx, s.school, r.ID); err != nil {
		return nil, err
	}
	offers, err := s.rec.Offers(s.ctx, recruit.OfferFilter{RoundID: r.ID, Live: true})
	if err != nil {
		return nil, err
	}
	s.setDay(start - 215)
	owner := map[int64]*recruit.Application{}
	for _, a := range apps {
		owner[a.ID] = a
	}
	for _, o := range offers {
		if _, err := s.rec.AnswerOffer(s.ctx, auth.Actor{UserID: owner[o.ApplicationID].UserID, Address: "demo set-up"}, o.ID, recruit.AnswerAccept, false); err != nil {
			return nil, err
		}
		if err := s.check(o, passedChecks()); err != nil {
			return nil, err
		}
	}
	var out []*train.Trainee
	for i, o := range offers {
		dd := ts.depts[owner[o.ApplicationID].Specialism]
		s.setDay(start - 30)
		t, err := ts.tr.Enrol(s.ctx, auth.Actor{UserID: dd.officer, Address: "demo set-up"}, train.Enrolment{OfferID: o.ID,
			Team: train.Team{DepartmentID: dd.dept, TrainingOfficerID: dd.officer, Supervisors: dd.supervisors[i%len(dd.supervisors) : i%len(dd.supervisors)+1]}})
		if err != nil {
			return nil, err
		}
		s.setDay(start - 25)
		if t, err = ts.tr.Confirm(s.ctx, auth.Actor{UserID: dd.officer, Address: "demo set-up"}, t.ID); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	// The demo trainee, when there is one, first.
	slices.SortStableFunc(out, func(a, b *train.Trainee) int {
		switch {
		case first != nil && a.UserID == first.ID:
			return -1
		case first != nil && b.UserID == first.ID:
			return 1
		}
		return 0
	})
	return out, nil
}

// as is a trainee's, their supervisor's or their officer's actor.
func as(id int64) auth.Actor { return auth.Actor{UserID: id, Address: "demo set-up"} }

// entry is how a demo entry ends: submitted and, for an assessment,
// answered by its assessor three days later; or left as a draft (shared
// with supervisors or not); or left waiting for an assessor the
// department knows (sent, unanswered) or one it does not (waiting for the
// training officer's approval).
type entry int

const (
	answered entry = iota
	privateDraft
	sharedDraft
	unanswered
	unapproved
)

// evidence records an entry on a day of a trainee's training.
func (ts *trainingSeeder) evidence(t *train.Trainee, start, day float64, kind, module, title, body string, end entry) error {
	draft, shared, wait := end == privateDraft || end == sharedDraft, end == sharedDraft, end == unanswered || end == unapproved
	s := ts.seeder
	s.setDay(start + day)
	d := train.Draft{Kind: kind, Module: module, Title: title, OccurredOn: s.day(start + day - 1).Format(train.DateFormat), Body: body, Shared: shared}
	dd := ts.depts[t.Specialism]
	if train.Assessed(kind) {
		d.AssessorName, d.AssessorEmail = fmt.Sprintf("Dr %s", lastNames[int(dd.dept)%len(lastNames)]), fmt.Sprintf("assessor.dept%d@demo.hcs.test", dd.dept)
		if end == unapproved {
			d.AssessorName, d.AssessorEmail = "Dr Nadia Kowalski", fmt.Sprintf("new.assessor%d@demo.hcs.test", t.ID)
		}
	}
	e, err := ts.tr.AddEvidence(s.ctx, as(t.UserID), t.ID, d)
	if err != nil {
		return err
	}
	if kind == train.EvidenceDOPS {
		// The checklist the trainee worked through, attached as a file.
		notes := fmt.Sprintf("Checklist for %q\n\n1. Identified the patient and explained the procedure.\n2. Checked the equipment.\n3. Carried out the procedure under observation.\n4. Recorded and reported the result.\n", title)
		if _, err := ts.tr.Attach(s.ctx, as(t.UserID), e.ID, "checklist.txt", []byte(notes)); err != nil {
			return err
		}
	}
	if draft {
		return nil
	}
	if _, err := ts.tr.SubmitEvidence(s.ctx, as(t.UserID), e.ID); err != nil || !train.Assessed(kind) {
		return err
	}
	invs, err := ts.tr.Invitations(s.ctx, t.ID)
	if err != nil {
		return err
	}
	inv := invs[len(invs)-1]
	if inv.Status == train.InvitationAwaitingApproval {
		if wait {
			return nil
		}
		if _, err := ts.tr.ApproveAssessor(s.ctx, as(dd.officer), inv.ID, true); err != nil {
			return err
		}
	}
	if wait {
		return nil
	}
	msgs, err := s.store.Outbox(s.ctx, 5)
	if err != nil {
		return err
	}
	var token string
	for _, m := range msgs {
		if m.Recipient == d.AssessorEmail {
			if sub := assessorLink.FindStringSubmatch(m.Body); sub != nil {
				token = sub[1]
				break
			}
		}
	}
	if token == "" {
		return fmt.Errorf("no link was sent to %s", d.AssessorEmail)
	}
	s.setDay(start + day + 3)
	_, err = ts.tr.Assess(s.ctx, auth.Actor{Address: "demo set-up"}, token, train.JudgementSatisfactory,
		"Well prepared and clear with the patient. Next time, explain the result's limits before the patient asks.")
	return err
}

func (ts *trainingSeeder) signOff(t *train.Trainee, start, day float64, modules ...string) error {
	ts.setDay(start + day)
	for _, m := range modules {
		if _, err := ts.tr.SignOff(ts.ctx, as(t.Supervisors[0]), t.ID, m, ""); err != nil {
			return fmt.Errorf("sign off %s for %s: %w", m, t.Name, err)
		}
	}
	return nil
}

func (ts *trainingSeeder) review(t *train.Trainee, start, day float64, review string, month int) error {
	ts.setDay(start + day)
	_, err := ts.tr.RecordReview(ts.ctx, ts.school, t.ID, train.ReviewRecord{Review: review, Month: month,
		HeldOn: ts.day(start + day).Format(train.DateFormat), Panel: "Dr Helen Ashworth (chair)\nDr Marcus Obi\nA lay member", Notes: "Discussed the e-portfolio with the trainee and the training officer."})
	return err
}

// firstYear is what every trainee of a cohort did in their first year:
// the introduction, rotations with a reflection and two DOPS, the
// six-month check-in, sign-offs, and the end-of-year-1 review.
func (ts *trainingSeeder) firstYear(t *train.Trainee, start float64, review bool) error {
	steps := []func() error{
		func() error {
			return ts.evidence(t, start, 20, train.EvidenceReflection, "INTRO", "Induction to the department",
				"I met the department's teams, learned its safety procedures and shadowed the duty scientist for a week.", answered)
		},
		func() error { return ts.signOff(t, start, 40, "INTRO") },
		func() error {
			return ts.evidence(t, start, 70, train.EvidenceDOPS, "ROTATIONS", "Calibrating the analyser before a clinic",
				"Observed while calibrating and checking the equipment against its quality control limits.", answered)
		},
		func() error { return ts.review(t, start, 175, "six-month-check-in", 6) },
		func() error {
			return ts.evidence(t, start, 200, train.EvidenceDOPS, "ROTATIONS", "Explaining a test to an anxious patient",
				"Observed taking consent and explaining what the test involves to a patient who had been worried about it.", answered)
		},
		func() error {
			return ts.evidence(t, start, 300, train.EvidenceRotation, "ROTATIONS", "Rotations completed",
				"Completed the rotations in the three other specialisms of the division, with their learning logs.", answered)
		},
	}
	if review {
		steps = append(steps, func() error { return ts.signOff(t, start, 330, "ROTATIONS") },
			func() error { return ts.review(t, start, 360, "end-of-year-1", 12) })
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("%s: %w", t.Name, err)
		}
	}
	return nil
}

// thirdYear takes the older cohort to month 28.
func (ts *trainingSeeder) thirdYear(ts24 []*train.Trainee, start float64) error {
	for i, t := range ts24 {
		if err := ts.firstYear(t, start, true); err != nil {
			return err
		}
		if err := ts.evidence(t, start, 420, train.EvidenceCBD, "S-C1", "A case of unexpected results",
			"Discussed how I investigated results that did not fit the clinical picture, and whom I told.", answered); err != nil {
			return err
		}
		if err := ts.signOff(t, start, 500, "S-C1"); err != nil {
			return err
		}
		behind := i == 1
		if !behind {
			if err := ts.evidence(t, start, 560, train.EvidenceOCE, "SPECIALIST", "Running a clinic on my own",
				"Observed running a full clinic list, from history-taking to reporting.", answered); err != nil {
				return err
			}
			if err := ts.signOff(t, start, 690, "SPECIALIST"); err != nil {
				return err
			}
		}
		if err := ts.review(t, start, 730, "end-of-year-2", 24); err != nil {
			return err
		}
		if i == 2 { // nearly finished: every module, and the final assessment
			for _, m := range []string{"S-C2", "IPD"} {
				if err := ts.evidence(t, start, 780, train.EvidenceReflection, m, "Reflection on "+m,
					"What this part of the programme taught me, and what I will do differently.", answered); err != nil {
					return err
				}
			}
			if err := ts.signOff(t, start, 800, "S-C2", "IPD"); err != nil {
				return err
			}
			ts.setDay(start + 820)
			if _, err := ts.tr.AddRecord(ts.ctx, ts.school, t.ID, "STP Final Year Assessment passed", ts.day(start+815).Format(train.DateFormat)); err != nil {
				return err
			}
		}
	}
	return nil
}

// completed takes the oldest cohort through its third year to
// completion, which issues each certificate, three years after the start.
func (ts *trainingSeeder) completed(ts23 []*train.Trainee, start float64) error {
	if err := ts.thirdYear(ts23, start); err != nil {
		return err
	}
	for i, t := range ts23 {
		p, err := ts.tr.Portfolio(ts.ctx, t.ID)
		if err != nil {
			return err
		}
		cu := ts.tr.Curricula().Curriculum(t.Curriculum)
		for _, m := range cu.Modules {
			if m.Optional || p.SignOff(m.Code, "").Signed() {
				continue
			}
			if err := ts.evidence(t, start, 900, train.EvidenceReflection, m.Code, "Reflection on "+m.Code,
				"What this part of the programme taught me, and what I will do differently.", answered); err != nil {
				return err
			}
			if err := ts.signOff(t, start, 960, m.Code); err != nil {
				return err
			}
		}
		ts.setDay(start + 1080)
		for _, rec := range cu.Records() {
			if slices.ContainsFunc(p.Records, func(r train.Record) bool { return r.Name == rec }) {
				continue
			}
			if _, err := ts.tr.AddRecord(ts.ctx, ts.school, t.ID, rec, ts.day(start+1075).Format(train.DateFormat)); err != nil {
				return fmt.Errorf("%s: %w", t.Name, err)
			}
		}
		ts.setDay(start + 1085)
		if _, err := ts.tr.Complete(ts.ctx, ts.school, t.ID); err != nil {
			return fmt.Errorf("complete %s: %w", t.Name, err)
		}
		if i == 1 {
			certs, err := ts.tr.CertificatesOf(ts.ctx, t.ID)
			if err != nil {
				return err
			}
			ts.setDay(start + 1092)
			if _, err := ts.tr.RevokeCertificate(ts.ctx, ts.school, t.ID, certs[0].ID, "Issued before the final assessment's result was confirmed; a new certificate replaces it."); err != nil {
				return err
			}
			if _, err := ts.tr.IssueCertificate(ts.ctx, ts.school, t.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// secondYear takes the newer cohort to month 15, leaving the demo trainee
// and their people work to do.
func (ts *trainingSeeder) secondYear(ts25 []*train.Trainee, start float64) error {
	for i, t := range ts25 {
		if err := ts.firstYear(t, start, i != 0); err != nil {
			return err
		}
		switch i {
		case 0: // the demo trainee
			if err := ts.evidence(t, start, 440, train.EvidenceCBD, "S-C1", "A difficult conversation about results",
				"Presented a case where results had to be explained to a family, and what I learned about breaking news.", unapproved); err != nil {
				return err
			}
			if err := ts.evidence(t, start, 455, train.EvidenceReflection, "S-C1", "Reflection on my first audit",
				"Draft: what the audit of turnaround times showed, and what I still need to check with my supervisor.", sharedDraft); err != nil {
				return err
			}
			if err := ts.evidence(t, start, 460, train.EvidenceReflection, "IPD", "Notes for my development plan",
				"Private notes: what I want to be able to do by the end of the year.", privateDraft); err != nil {
				return err
			}
		case 1: // time out, then part time
			ts.setDay(start + 400)
			dd := ts.depts[t.Specialism]
			if _, err := ts.tr.RecordChange(ts.ctx, as(dd.officer), t.ID, train.Change{Kind: train.ChangeTimeOut, From: ts.day(start + 370).Format(train.DateFormat),
				To: ts.day(start + 399).Format(train.DateFormat), Reason: "Sick leave"}, train.Team{}); err != nil {
				return err
			}
			if _, err := ts.tr.RecordChange(ts.ctx, as(dd.officer), t.ID, train.Change{Kind: train.ChangePartTime, From: ts.day(start + 400).Format(train.DateFormat),
				To: ts.day(start + 580).Format(train.DateFormat), Percent: 80, Reason: "A phased return to work"}, train.Team{}); err != nil {
				return err
			}
		case 2: // an assessor who has not answered for a month
			if err := ts.evidence(t, start, 430, train.EvidenceDOPS, "S-C1", "Quality control of a new batch",
				"Observed checking a new reagent batch against the old one before releasing it.", unanswered); err != nil {
				return err
			}
		}
	}
	return nil
}

// waitingToStart makes one training record from the coming round's
// accepted offers, three weeks ago and not confirmed yet; the other
// accepted offers wait for their training officers to start them.
func (ts *trainingSeeder) waitingToStart() error {
	places, err := ts.tr.Placements(ts.ctx, train.PlacementFilter{All: true})
	if err != nil {
		return err
	}
	for _, p := range places {
		dd := ts.depts[p.Specialism]
		if dd == nil || p.OrganisationID != dd.org {
			continue
		}
		ts.setDay(-21)
		_, err := ts.tr.Enrol(ts.ctx, as(dd.officer), train.Enrolment{OfferID: p.OfferID,
			Team: train.Team{DepartmentID: dd.dept, TrainingOfficerID: dd.officer, Supervisors: dd.supervisors[:1]}})
		return err
	}
	return nil
}
