package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/recruit"
	"hcs/internal/train"
)

// The demo's national recruitment: three rounds at different stages, so
// that every role has live work the moment hcs starts.
//
//   - STP 2026 (demo): matched yesterday, offers out, a few answered and one
//     declined (its place cascaded). The demo applicant holds an offer.
//   - STP 2027 (demo): applications closed two days ago; reviewers are
//     assigned and part-way through their queues, some applications await
//     moderation. The demo reviewer has applications to score. Its
//     interview allocation (two interviews and a reserve per place) shows
//     the school the outcomes as they would be published now.
//   - PTP 2027 (demo): taking applications now; the demo applicant may
//     apply.
//
// The rounds are created through the recruitment service with its clock
// moved back to when each step would have happened, so every record and
// audit entry is one the service itself made. Their dates are set from
// the first start; delete the data folder to start the demo afresh.

const (
	matchedRound = "STP 2026 (demo)"
	reviewRound  = "STP 2027 (demo)"
	openRound    = "PTP 2027 (demo)"
)

var firstNames = []string{"Aisha", "Ben", "Chloe", "Daniel", "Efua", "Farhan", "Grace", "Harry", "Imani", "Jack", "Kiran", "Lucy",
	"Mohammed", "Niamh", "Oliver", "Priya", "Quinn", "Rosa", "Sanjay", "Tomos", "Uma", "Vikram", "Wen", "Yusuf", "Zara", "Aled", "Bethan",
	"Callum", "Deepa", "Ewan", "Fatima", "Gareth", "Hana", "Isla", "Jamal", "Kezia"}

var lastNames = []string{"Adeyemi", "Brown", "Chowdhury", "Davies", "Evans", "Fraser", "Ghosh", "Hughes", "Iqbal", "Jones", "Khan",
	"Lewis", "Morgan", "Nwosu", "O'Neill", "Patel", "Quayle", "Roberts", "Singh", "Thomas", "Usman", "Vaughan", "Walsh", "Yates"}

// statements are synthetic supporting statements, one per specialism.
var statements = map[string]string{
	"audiology": "During my degree I volunteered at a hearing-aid clinic, and saw how much a well-fitted aid changes someone's day. " +
		"I want to train as a clinical scientist in audiology to work with patients of every age, from newborn screening to adults with tinnitus.\n\n" +
		"My final-year project measured otoacoustic emissions, which taught me to be careful with equipment and honest about uncertainty.",
	"clinical-biochemistry": "I have worked for two years as a laboratory assistant in a hospital blood sciences department. " +
		"I want to be the scientist who interprets results and advises clinicians, not only the one who runs the analysers.\n\n" +
		"I have audited turnaround times and helped validate a new immunoassay, and I enjoy explaining results to colleagues.",
	"cardiac-science": "A placement in a cardiac physiology department showed me how echocardiography and ECGs guide treatment within minutes. " +
		"I want to train as a clinical scientist in cardiac science and take part in research on arrhythmias.\n\n" +
		"I am calm with patients, and I have taught first aid to volunteers for three years.",
}

// demoTrusts are the employers with posts, their region and specialisms.
var demoTrusts = []struct {
	name, region string
	specialisms  []string
}{
	{"Northshire Teaching Hospitals NHS Foundation Trust", "North West", []string{"audiology", "clinical-biochemistry"}},
	{"Southvale University Hospitals NHS Trust", "South West", []string{"cardiac-science", "audiology"}},
	{"Eastmere University Hospitals NHS Trust", "East of England", []string{"clinical-biochemistry", "cardiac-science"}},
	{"Westbridge Healthcare NHS Foundation Trust", "Midlands", []string{"audiology", "cardiac-science"}},
	{"Kingsford Hospitals NHS Trust", "London", []string{"clinical-biochemistry", "audiology", "cardiac-science"}},
}

// seeder holds what the recruitment demo needs as it goes.
type seeder struct {
	ctx    context.Context
	store  auth.Store
	rec    *recruit.Service
	at     func(time.Time)
	now    time.Time
	rng    *rand.Rand
	school auth.Actor
	trusts map[string]int64
	// staff are each trust's employer recruiters, who interview.
	staff map[int64][]int64
}

func (s *seeder) setDay(d float64) { s.at(s.now.Add(time.Duration(d * 24 * float64(time.Hour)))) }

func (s *seeder) day(d float64) time.Time {
	return s.now.Add(time.Duration(d * 24 * float64(time.Hour))).Truncate(time.Hour)
}

func (s *seeder) user(name, email string, grants ...auth.Grant) (*auth.User, error) {
	u, err := s.store.UserByEmail(s.ctx, email)
	if apperr.Code(err) != apperr.NotFound {
		return u, err
	}
	u = &auth.User{Name: name, Email: email}
	return u, s.store.CreateUser(s.ctx, system, u, "", grants)
}

// seedRecruitment creates the demo's rounds unless they exist. It
// appoints the demo reviewer and gives the demo applicant an offer.
func seedRecruitment(ctx context.Context, store auth.Store, rec *recruit.Service, tr *train.Service, at func(time.Time), orgs, depts map[string]int64,
	people map[auth.Role]*auth.User) error {
	rounds, err := rec.Rounds(ctx)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(rounds, func(r recruit.Round) bool { return r.Name == matchedRound }) {
		return nil
	}
	s := &seeder{ctx: ctx, store: store, rec: rec, at: at, now: time.Now().UTC().Truncate(time.Hour), rng: rand.New(rand.NewPCG(2026, 12)),
		school: auth.Actor{UserID: people[auth.RoleSchoolAdmin].ID, Address: "demo set-up"}, trusts: map[string]int64{}, staff: map[int64][]int64{}}
	defer at(time.Time{})
	for _, t := range demoTrusts {
		id, ok := orgs[t.name]
		if !ok {
			o := &auth.Organisation{Kind: auth.OrgTrust, Name: t.name, Region: t.region}
			if err := store.CreateOrganisation(ctx, system, o); err != nil {
				return err
			}
			id = o.ID
		}
		s.trusts[t.name] = id
		if t.name == demoTrusts[0].name {
			s.staff[id] = append(s.staff[id], people[auth.RoleEmployer].ID)
		}
		for i := len(s.staff[id]); i < 3; i++ {
			u, err := s.user(fmt.Sprintf("%s %s", firstNames[(len(s.trusts)*5+i)%len(firstNames)], lastNames[(len(s.trusts)*3+i)%len(lastNames)]),
				fmt.Sprintf("staff%d.org%d@demo.hcs.test", i+1, id), auth.Grant{Role: auth.RoleEmployer, OrganisationID: id})
			if err != nil {
				return err
			}
			s.staff[id] = append(s.staff[id], u.ID)
		}
	}
	var reviewers []*auth.User
	for i := range 5 {
		u, err := s.user(fmt.Sprintf("%s %s", firstNames[(i*7+3)%len(firstNames)], lastNames[(i*5+2)%len(lastNames)]),
			fmt.Sprintf("reviewer%d@demo.hcs.test", i+1))
		if err != nil {
			return err
		}
		reviewers = append(reviewers, u)
	}
	applicants, err := s.applicants(40)
	if err != nil {
		return err
	}
	alex := people[auth.RoleApplicant]
	if err := s.profile(alex, 3); err != nil {
		return err
	}
	if err := s.matched(append([]*auth.User{alex}, applicants[:27]...), reviewers); err != nil {
		return fmt.Errorf("demo round %s: %w", matchedRound, err)
	}
	if err := s.shortlisting(applicants[10:40], append(reviewers[1:], people[auth.RoleReviewer])); err != nil {
		return fmt.Errorf("demo round %s: %w", reviewRound, err)
	}
	if err := s.open(applicants[30:36]); err != nil {
		return fmt.Errorf("demo round %s: %w", openRound, err)
	}
	return s.seedTraining(tr, depts, people)
}

// applicants makes n synthetic applicants, each with a profile.
func (s *seeder) applicants(n int) ([]*auth.User, error) {
	var out []*auth.User
	s.setDay(-130)
	for i := range n {
		first, last := firstNames[i%len(firstNames)], lastNames[(i*7)%len(lastNames)]
		u, err := s.user(first+" "+last, fmt.Sprintf("applicant%02d@demo.hcs.test", i+1), auth.Grant{Role: auth.RoleApplicant})
		if err != nil {
			return nil, err
		}
		if err := s.profile(u, i); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

func (s *seeder) profile(u *auth.User, i int) error {
	subjects := []string{"Biomedical Science", "Physics", "Biology", "Chemistry", "Physiology", "Audiology"}
	p := &recruit.Profile{UserID: u.ID, RightToWork: true, Qualifications: []recruit.Qualification{
		{Credential: "gcse", Subject: "9 subjects", Grade: "7–9", Year: 2014 + i%5},
		{Credential: "a-levels-science", Subject: "Biology, Chemistry, Maths", Grade: "AAB", Year: 2016 + i%5},
		{Credential: "degree-21", Subject: subjects[i%len(subjects)], Grade: []string{"First", "2:1"}[i%2], Year: 2019 + i%5},
	}}
	if i%4 == 0 {
		p.Qualifications = append(p.Qualifications, recruit.Qualification{Credential: "masters", Subject: "Clinical Science", Grade: "Merit", Year: 2024})
	}
	if i%6 == 1 {
		p.EmployerID = s.trusts[demoTrusts[i%len(demoTrusts)].name]
	}
	return s.rec.SaveProfile(s.ctx, auth.Actor{UserID: u.ID, Address: "demo set-up"}, p)
}

// round opens a round with its stations, and its posts at every trust in
// the trust's specialisms.
func (s *seeder) round(r *recruit.Round, stations []recruit.Station) ([]recruit.Post, error) {
	if err := s.rec.OpenRound(s.ctx, s.school, r, stations); err != nil {
		return nil, err
	}
	var posts []recruit.Post
	sites := []string{"Royal Infirmary", "General Hospital", "City Hospital", "Children's Hospital"}
	for i, t := range demoTrusts {
		org := s.trusts[t.name]
		for j, sp := range t.specialisms {
			p := &recruit.Post{RoundID: r.ID, OrganisationID: org, Specialism: sp, Site: sites[(i+j)%len(sites)], Places: 1 + (i+j)%2,
				Contact: fmt.Sprintf("recruitment@trust%d.demo.hcs.test", i+1)}
			if err := s.rec.PublishPost(s.ctx, auth.Actor{UserID: s.staff[org][0], Address: "demo set-up"}, p); err != nil {
				return nil, err
			}
			posts = append(posts, *p)
		}
	}
	return posts, nil
}

var demoStations = []recruit.Station{{Name: "Communication", Weight: 1}, {Name: "Scientific knowledge", Weight: 2}, {Name: "Values and behaviours", Weight: 1}}

var specialismOrder = []string{"audiology", "clinical-biochemistry", "cardiac-science"}

// apply submits each applicant's application to a specialism in turn.
func (s *seeder) apply(r *recruit.Round, people []*auth.User) ([]*recruit.Application, error) {
	var apps []*recruit.Application
	for i, u := range people {
		sp := specialismOrder[i%len(specialismOrder)]
		a := &recruit.Application{RoundID: r.ID, UserID: u.ID, Specialism: sp, Statement: statements[sp]}
		if err := s.rec.Apply(s.ctx, auth.Actor{UserID: u.ID, Address: "demo set-up"}, a); err != nil {
			return nil, err
		}
		apps = append(apps, a)
	}
	return apps, nil
}

// appoint appoints reviewers, each named with their employer, and assigns
// the round's applications.
func (s *seeder) appoint(r *recruit.Round, reviewers []*auth.User) error {
	for i, u := range reviewers {
		org := s.trusts[demoTrusts[i%len(demoTrusts)].name]
		if _, err := s.rec.AppointReviewer(s.ctx, s.school, r.ID, u.Email, org); err != nil {
			return err
		}
	}
	return nil
}

// review has each reviewer score their queue: score picks the score, or
// -1 to leave it unscored.
func (s *seeder) review(r *recruit.Round, reviewers []*auth.User, score func(reviewer int, app int64) int) error {
	for i, u := range reviewers {
		queue, err := s.rec.ReviewQueue(s.ctx, r.ID, u.ID)
		if err != nil {
			return err
		}
		for _, b := range queue {
			sc := score(i, b.ID)
			if sc < 0 {
				continue
			}
			if _, err := s.rec.Review(s.ctx, auth.Actor{UserID: u.ID, Address: "demo set-up"}, b.ID, sc); err != nil {
				return err
			}
		}
	}
	return nil
}

// matched takes a round through to its published match and some answers.
func (s *seeder) matched(people, reviewers []*auth.User) error {
	r := &recruit.Round{Programme: "stp", Name: matchedRound, ApplicationsOpen: s.day(-120), ShortlistingOpen: s.day(-100), InterviewsOpen: s.day(-80),
		PreferencesOpen: s.day(-60), OffersOpen: s.day(-30), StartDate: s.day(240), TieBreakSeed: "demo-2026-seed", ScoreMargin: 15, ShortlistWeight: 1,
		InterviewWeight: 1, OfferWorkingDays: 10, ShortlistPassMark: 50,
		ShortlistCriteria: "Understanding of the specialism and of the role of a clinical scientist; evidence of scientific curiosity; communication; commitment to patients and to the NHS's values."}
	s.setDay(-125)
	posts, err := s.round(r, demoStations)
	if err != nil {
		return err
	}
	s.setDay(-110)
	apps, err := s.apply(r, people)
	if err != nil {
		return err
	}
	s.setDay(-99)
	if err := s.appoint(r, reviewers); err != nil {
		return err
	}
	if _, err := s.rec.AssignReviewers(s.ctx, s.school, r.ID); err != nil {
		return err
	}
	s.setDay(-95)
	// The demo applicant (first) scores well; a few fall below the pass
	// mark; where reviewers disagree by more than the margin, the school
	// moderates.
	base := map[int64]int{}
	for i, a := range apps {
		base[a.ID] = 85 - (i*37)%45
	}
	if err := s.review(r, reviewers, func(rv int, app int64) int { return min(100, base[app]+20*(int(app)%4/3)*(rv%2)) }); err != nil {
		return err
	}
	sum, err := s.rec.Summary(s.ctx, r.ID)
	if err != nil {
		return err
	}
	for _, m := range sum.ModerationQueue {
		if _, err := s.rec.Moderate(s.ctx, s.school, m.ID, base[m.ID]); err != nil {
			return err
		}
	}
	stations, err := s.rec.Stations(s.ctx, r.ID)
	if err != nil {
		return err
	}
	s.setDay(-70)
	for _, a := range apps {
		panels, err := s.rec.InterviewPanelsOf(s.ctx, a.ID)
		if err != nil {
			return err
		}
		if base[a.ID] < r.ShortlistPassMark {
			continue // not shortlisted
		}
		staff := s.staff[panels[int(a.ID)%len(panels)]]
		for j, st := range stations {
			sc := 55 + int(s.rng.IntN(40))
			if _, err := s.rec.ScoreInterview(s.ctx, auth.Actor{UserID: staff[j], Address: "demo set-up"}, a.ID, st.ID, sc); err != nil {
				return err
			}
		}
	}
	s.setDay(-50)
	if _, err := s.rec.RankRound(s.ctx, s.school, r.ID); err != nil {
		return err
	}
	for i, a := range apps {
		if base[a.ID] < r.ShortlistPassMark {
			continue
		}
		var mine []int64
		for _, p := range posts {
			if p.Specialism == a.Specialism {
				mine = append(mine, p.ID)
			}
		}
		s.rng.Shuffle(len(mine), func(x, y int) { mine[x], mine[y] = mine[y], mine[x] })
		if i%5 == 4 && len(mine) > 1 {
			mine = mine[:len(mine)-1] // some would not accept every post
		}
		if _, err := s.rec.SetPreferences(s.ctx, auth.Actor{UserID: a.UserID, Address: "demo set-up"}, a.ID, mine); err != nil {
			return err
		}
	}
	s.setDay(-1)
	if _, err := s.rec.PublishMatch(s.ctx, s.school, r.ID); err != nil {
		return err
	}
	// Answers: most accept, some hold, one declines (its place cascades);
	// the demo applicant's offer waits for their answer.
	offers, err := s.rec.Offers(s.ctx, recruit.OfferFilter{RoundID: r.ID, Live: true})
	if err != nil {
		return err
	}
	s.setDay(-0.5)
	owner := map[int64]int64{}
	for _, a := range apps {
		owner[a.ID] = a.UserID
	}
	for i, o := range offers {
		if owner[o.ApplicationID] == people[0].ID {
			continue
		}
		answer := []recruit.Answer{recruit.AnswerAccept, recruit.AnswerAccept, recruit.AnswerHold, recruit.AnswerAccept}[i%4]
		if i == 1 {
			answer = recruit.AnswerDecline
		}
		if i%3 == 2 {
			continue // not answered yet
		}
		if _, err := s.rec.AnswerOffer(s.ctx, auth.Actor{UserID: owner[o.ApplicationID], Address: "demo set-up"}, o.ID, answer, answer == recruit.AnswerHold); err != nil {
			return err
		}
	}
	// Employers' pre-employment checks of the accepted offers: one offer
	// cleared (unconditional), one withdrawn after a failed check (its
	// place cascades), the rest part-way.
	s.setDay(-0.25)
	accepted, err := s.rec.Offers(s.ctx, recruit.OfferFilter{RoundID: r.ID, Live: true})
	if err != nil {
		return err
	}
	partWay := []recruit.Check{{Kind: recruit.CheckIdentity, Status: recruit.CheckPassed},
		{Kind: recruit.CheckReferences, Status: recruit.CheckInProgress, NextActor: recruit.ActsThirdParty},
		{Kind: recruit.CheckDBS, Status: recruit.CheckInProgress, NextActor: recruit.ActsApplicant}}
	failed := []recruit.Check{{Kind: recruit.CheckIdentity, Status: recruit.CheckPassed},
		{Kind: recruit.CheckRightToWork, Status: recruit.CheckFailed, Note: "The applicant could not show a right to work in the UK for the length of the training post."}}
	cleared, withdrawn := false, false
	for _, o := range accepted {
		if o.Status != recruit.OfferAccepted {
			continue
		}
		p, err := s.rec.Post(s.ctx, o.PostID)
		if err != nil {
			return err
		}
		plan := partWay // the demo employer's offers always wait part-way
		switch {
		case p.OrganisationID == s.trusts[demoTrusts[0].name]:
		case !cleared:
			plan, cleared = passedChecks(), true
		case !withdrawn:
			plan, withdrawn = failed, true
		}
		if err := s.check(o, plan); err != nil {
			return err
		}
	}
	return nil
}

// passedChecks is every pre-employment check, passed.
func passedChecks() []recruit.Check {
	var out []recruit.Check
	for _, kind := range recruit.CheckKinds {
		status := recruit.CheckPassed
		if kind == recruit.CheckReferences {
			status = recruit.RefSuccess
		}
		out = append(out, recruit.Check{Kind: kind, Status: status})
	}
	return out
}

// check records an offer's checks, as its employer's first recruiter.
func (s *seeder) check(o recruit.Offer, checks []recruit.Check) error {
	p, err := s.rec.Post(s.ctx, o.PostID)
	if err != nil {
		return err
	}
	by := auth.Actor{UserID: s.staff[p.OrganisationID][0], Address: "demo set-up"}
	for _, c := range checks {
		if _, _, err := s.rec.RecordCheck(s.ctx, by, o.PostID, o.ID, c); err != nil {
			return err
		}
	}
	return nil
}

// shortlisting takes a round to part-way through shortlisting.
func (s *seeder) shortlisting(people, reviewers []*auth.User) error {
	r := &recruit.Round{Programme: "stp", Name: reviewRound, ApplicationsOpen: s.day(-30), ShortlistingOpen: s.day(-2), InterviewsOpen: s.day(12),
		PreferencesOpen: s.day(30), OffersOpen: s.day(45), StartDate: s.day(300), TieBreakSeed: "demo-2027-seed", ScoreMargin: 15, ShortlistWeight: 1,
		InterviewWeight: 1, OfferWorkingDays: 5, ShortlistPassMark: 50, EmployerRanking: true, InterviewsPerPlace: 2, ReservesPerPlace: 1,
		ShortlistCriteria: "Understanding of the specialism and of the role of a clinical scientist; evidence of scientific curiosity; communication; commitment to patients and to the NHS's values."}
	s.setDay(-35)
	if _, err := s.round(r, demoStations); err != nil {
		return err
	}
	s.setDay(-20)
	if _, err := s.apply(r, people); err != nil {
		return err
	}
	s.setDay(-1.5)
	if err := s.appoint(r, reviewers); err != nil {
		return err
	}
	if _, err := s.rec.AssignReviewers(s.ctx, s.school, r.ID); err != nil {
		return err
	}
	// Everyone but the demo reviewer (last) is part-way through; some
	// pairs disagree by more than the margin.
	demoReviewer := len(reviewers) - 1
	return s.review(r, reviewers, func(rv int, app int64) int {
		if rv == demoReviewer || app%3 == 0 {
			return -1
		}
		if app%5 == 1 {
			return 40 + 35*(rv%2)
		}
		return 60 + int(app%30)
	})
}

// open opens a round taking applications now, with a few already in, and
// an online test stage whose first scores the test provider has sent.
func (s *seeder) open(people []*auth.User) error {
	r := &recruit.Round{Programme: "ptp", Name: openRound, ApplicationsOpen: s.day(-5), ShortlistingOpen: s.day(25), InterviewsOpen: s.day(45),
		PreferencesOpen: s.day(60), OffersOpen: s.day(75), StartDate: s.day(270), TieBreakSeed: "demo-ptp-2027-seed", ScoreMargin: 15, ShortlistWeight: 1,
		InterviewWeight: 1, OfferWorkingDays: 5, ShortlistPassMark: 50,
		ShortlistCriteria: "Interest in practical scientific work with patients; teamwork; reliability; communication."}
	s.setDay(-6)
	if _, err := s.round(r, demoStations); err != nil {
		return err
	}
	// The demo employer's trust fills one post through the in-service
	// route, and has nominated an employee, who has not applied yet.
	northshire := s.trusts[demoTrusts[0].name]
	by := auth.Actor{UserID: s.staff[northshire][0], Address: "demo set-up"}
	inService := &recruit.Post{RoundID: r.ID, OrganisationID: northshire, Specialism: "audiology", Site: "Royal Infirmary", Places: 1, InService: true,
		Contact: "recruitment@trust1.demo.hcs.test"}
	if err := s.rec.PublishPost(s.ctx, by, inService); err != nil {
		return err
	}
	employee, err := s.user("Nadia Okafor", "nadia.okafor@demo.hcs.test", auth.Grant{Role: auth.RoleApplicant})
	if err != nil {
		return err
	}
	if err := s.rec.SaveProfile(s.ctx, auth.Actor{UserID: employee.ID, Address: "demo set-up"}, &recruit.Profile{UserID: employee.ID, RightToWork: true,
		EmployerID: northshire, Qualifications: []recruit.Qualification{{Credential: "degree-21", Subject: "Audiology", Grade: "2:1", Year: 2021}}}); err != nil {
		return err
	}
	if _, err := s.rec.Nominate(s.ctx, by, inService.ID, employee.Email); err != nil {
		return err
	}
	s.setDay(-2)
	apps, err := s.apply(r, people)
	if err != nil {
		return err
	}
	s.setDay(-1)
	if _, err := s.rec.SetTestRule(s.ctx, s.school, r.ID, recruit.TestRule{Rule: recruit.TestRuleThreshold, Threshold: 5500}); err != nil {
		return err
	}
	var file strings.Builder
	file.WriteString("applicant_reference,score,taken_on\n")
	for i, a := range apps[:len(apps)-1] { // the last has not taken the test yet
		fmt.Fprintf(&file, "%s,%d.%d,%s\n", recruit.Reference(a.ID), 44+9*i%40, i%2*5, s.day(-1).Format("2006-01-02"))
	}
	_, err = s.rec.ImportTestScores(s.ctx, s.school, r.ID, strings.NewReader(file.String()), false)
	return err
}
