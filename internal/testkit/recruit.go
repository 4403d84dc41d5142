package testkit

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/recruit"
)

// Clock is a settable clock for a database, so that tests can move a
// round through its timetable.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *Clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *Clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }

// Stages a StagedRound can be taken to.
const (
	UntilOpen        = "open"        // the round open and its posts published, clock in applications, nobody applied
	UntilApplied     = "applied"     // applications in, clock in shortlisting, reviewers assigned
	UntilShortlisted = "shortlisted" // reviewed, clock in interviews, shortlisting outcomes not published
	UntilInterviewed = "interviewed" // reviewed and interviewed, clock in preferences
	UntilRanked      = "ranked"      // ranked, every applicant has ranked every post, clock in matching
)

// StageOptions shape a staged round.
type StageOptions struct {
	Applicants int   // applicants, all eligible, all applying to audiology
	Places     []int // one post per entry, with these places, at one trust
	Reviewers  int   // reviewers appointed (at least 2 to go past UntilApplied)
	Until      string
	// EmployerRanking lets employers rank their posts' applicants.
	EmployerRanking bool
	// Test is the round's online test rule (none when zero).
	Test recruit.TestRule
	// InterviewsPerPlace and ReservesPerPlace are the round's interview
	// allocation; past UntilShortlisted its outcomes are published and
	// only those invited are interviewed.
	InterviewsPerPlace, ReservesPerPlace int
	// Names, when given, name the first applicants; their email
	// addresses, statements and qualifications' subjects carry the name,
	// so that a test can look for them.
	Names []string
}

// slug makes an email address's local part from a name.
func slug(name string) string {
	return strings.ToLower(strings.ReplaceAll(name, " ", "."))
}

// StagedRound is a recruitment round taken through the service to a stage,
// with everyone who took part. The timetable's days count from T0, a
// Monday: applications 1–10, shortlisting 10–20, interviews 20–30,
// preferences 30–40, offers from 40.
type StagedRound struct {
	DB         *database.DB
	Service    *recruit.Service
	Clock      *Clock
	Round      *recruit.Round
	Stations   []recruit.Station
	Posts      []recruit.Post
	Trust      *auth.Organisation
	School     *auth.User
	Employer   *auth.User
	Reviewers  []*auth.User
	Applicants []*auth.User
	Apps       []*recruit.Application // Apps[i] is Applicants[i]'s
}

// T0 is when a staged round's timetable starts counting.
var T0 = time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)

// Day is T0 plus n days.
func Day(n int) time.Time { return T0.AddDate(0, 0, n) }

// StageRound takes a round to the stage the options ask for. Shortlisting
// scores fall by one per applicant, so the first applicant is ranked first.
func StageRound(tb testing.TB, db *database.DB, o StageOptions) *StagedRound {
	tb.Helper()
	ctx := context.Background()
	must := func(err error) {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
	}
	clk := &Clock{now: T0}
	db.Now = clk.Now
	sr := &StagedRound{DB: db, Service: Recruit(tb, db), Clock: clk}
	svc := sr.Service
	system := auth.System("test set-up")
	person := func(name string, grants ...auth.Grant) *auth.User {
		u := &auth.User{Name: name, Email: fmt.Sprintf("%s@example.org", name)}
		must(db.CreateUser(ctx, system, u, "", grants))
		return u
	}
	sr.Trust = &auth.Organisation{Kind: auth.OrgTrust, Name: "Staged Trust", Region: "London"}
	must(db.CreateOrganisation(ctx, system, sr.Trust))
	sr.School = person("school", auth.Grant{Role: auth.RoleSchoolAdmin})
	sr.Employer = person("employer", auth.Grant{Role: auth.RoleEmployer, OrganisationID: sr.Trust.ID})
	assessor := person("assessor", auth.Grant{Role: auth.RoleEmployer, OrganisationID: sr.Trust.ID})
	sr.Round = &recruit.Round{Programme: "stp", Name: "STP staged", ApplicationsOpen: Day(1), ShortlistingOpen: Day(10), InterviewsOpen: Day(20),
		PreferencesOpen: Day(30), OffersOpen: Day(40), StartDate: Day(200), TieBreakSeed: "seed", ScoreMargin: 100, ShortlistWeight: 1, InterviewWeight: 1,
		OfferWorkingDays: 2, EmployerRanking: o.EmployerRanking, Test: o.Test, InterviewsPerPlace: o.InterviewsPerPlace, ReservesPerPlace: o.ReservesPerPlace}
	must(svc.OpenRound(ctx, auth.Actor{UserID: sr.School.ID}, sr.Round, []recruit.Station{{Name: "Communication", Weight: 1}, {Name: "Science", Weight: 1}}))
	var err error
	sr.Stations, err = svc.Stations(ctx, sr.Round.ID)
	must(err)
	for i, places := range o.Places {
		p := &recruit.Post{RoundID: sr.Round.ID, OrganisationID: sr.Trust.ID, Specialism: "audiology", Site: fmt.Sprintf("Site %d", i+1), Places: places, Contact: "c"}
		must(svc.PublishPost(ctx, auth.Actor{UserID: sr.Employer.ID}, p))
		sr.Posts = append(sr.Posts, *p)
	}
	for i := range o.Reviewers {
		u := person(fmt.Sprintf("reviewer%02d", i))
		_, err := svc.AppointReviewer(ctx, auth.Actor{UserID: sr.School.ID}, sr.Round.ID, u.Email, 0)
		must(err)
		sr.Reviewers = append(sr.Reviewers, u)
	}
	clk.Set(Day(2))
	if o.Until == UntilOpen {
		return sr
	}
	for i := range o.Applicants {
		name, subject, statement, notes := fmt.Sprintf("applicant%02d", i), "Physics", "I want to help people hear.", ""
		if i < len(o.Names) {
			name, subject, statement, notes = o.Names[i], o.Names[i]+"'s physics", "Statement of "+o.Names[i]+": I want to help people hear.", "Notes of "+o.Names[i]
		}
		u := &auth.User{Name: name, Email: slug(name) + "@example.org"}
		must(db.CreateUser(ctx, system, u, "", []auth.Grant{{Role: auth.RoleApplicant}}))
		by := auth.Actor{UserID: u.ID}
		must(svc.SaveProfile(ctx, by, &recruit.Profile{UserID: u.ID, RightToWork: true, Notes: notes,
			Qualifications: []recruit.Qualification{{Credential: "degree-21", Subject: subject}}}))
		a := &recruit.Application{RoundID: sr.Round.ID, UserID: u.ID, Specialism: "audiology", Statement: statement}
		must(svc.Apply(ctx, by, a))
		sr.Applicants, sr.Apps = append(sr.Applicants, u), append(sr.Apps, a)
	}
	clk.Set(Day(11))
	if o.Reviewers > 0 {
		_, err := svc.AssignReviewers(ctx, auth.Actor{UserID: sr.School.ID}, sr.Round.ID)
		must(err)
	}
	if o.Until == UntilApplied {
		return sr
	}
	score := map[int64]int{}
	for i, a := range sr.Apps {
		score[a.ID] = 90 - i
	}
	for _, rv := range sr.Reviewers {
		queue, err := svc.ReviewQueue(ctx, sr.Round.ID, rv.ID)
		must(err)
		for _, b := range queue {
			_, err := svc.Review(ctx, auth.Actor{UserID: rv.ID}, b.ID, score[b.ID])
			must(err)
		}
	}
	clk.Set(Day(21))
	if o.Until == UntilShortlisted {
		return sr
	}
	invited := map[int64]bool{}
	for _, a := range sr.Apps {
		invited[a.ID] = true
	}
	if sr.Round.Allocated() {
		st, err := svc.PublishShortlist(ctx, auth.Actor{UserID: sr.School.ID}, sr.Round.ID)
		must(err)
		for _, res := range st.Outcomes {
			invited[res.ApplicationID] = res.Outcome == recruit.ShortlistInterview
		}
	}
	for _, a := range sr.Apps {
		if !invited[a.ID] {
			continue
		}
		_, err := svc.ScoreInterview(ctx, auth.Actor{UserID: sr.Employer.ID}, a.ID, sr.Stations[0].ID, 50)
		must(err)
		_, err = svc.ScoreInterview(ctx, auth.Actor{UserID: assessor.ID}, a.ID, sr.Stations[1].ID, 50)
		must(err)
	}
	clk.Set(Day(31))
	if o.Until == UntilInterviewed {
		return sr
	}
	_, err = svc.RankRound(ctx, auth.Actor{UserID: sr.School.ID}, sr.Round.ID)
	must(err)
	ids := make([]int64, len(sr.Posts))
	for i, p := range sr.Posts {
		ids[i] = p.ID
	}
	for i, a := range sr.Apps {
		if !invited[a.ID] {
			continue // not shortlisted: no part in matching
		}
		_, err := svc.SetPreferences(ctx, auth.Actor{UserID: sr.Applicants[i].ID}, a.ID, ids)
		must(err)
	}
	clk.Set(Day(41))
	return sr
}

// PassChecks records every pre-employment check of an accepted offer as
// passed, by the staged round's employer, and returns the offer, now
// unconditional.
func (sr *StagedRound) PassChecks(tb testing.TB, offerID int64) *recruit.Offer {
	tb.Helper()
	var o *recruit.Offer
	for _, kind := range recruit.CheckKinds {
		status := recruit.CheckPassed
		if kind == recruit.CheckReferences {
			status = recruit.RefSuccess
		}
		p, err := sr.Service.Offer(context.Background(), offerID)
		if err != nil {
			tb.Fatal(err)
		}
		if o, _, err = sr.Service.RecordCheck(context.Background(), auth.Actor{UserID: sr.Employer.ID}, p.PostID, offerID, recruit.Check{Kind: kind, Status: status}); err != nil {
			tb.Fatal(err)
		}
	}
	return o
}
