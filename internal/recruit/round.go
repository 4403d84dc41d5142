package recruit

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/framework"
	"hcs/internal/text"
)

// Stages of a round, in order. Each action belongs to one stage and is
// refused outside its window.
const (
	StageApplications = "applications"
	StageShortlisting = "shortlisting"
	StageInterviews   = "interviews"
	StagePreferences  = "preferences"
	StageOffers       = "offers"
)

// Round is one national recruitment round for a programme, with its
// timetable. Each window runs from its start up to (not including) the
// next window's start.
type Round struct {
	ID        int64  `json:"id"`
	Programme string `json:"programme"`
	Name      string `json:"name"`

	ApplicationsOpen time.Time `json:"applications_open"`
	ShortlistingOpen time.Time `json:"shortlisting_open"` // applications close
	InterviewsOpen   time.Time `json:"interviews_open"`
	PreferencesOpen  time.Time `json:"preferences_open"`
	OffersOpen       time.Time `json:"offers_open"` // matching, then offers
	StartDate        time.Time `json:"start_date"`

	// TieBreakSeed is published with the round so that anyone can
	// reproduce the lottery that breaks exact ties.
	TieBreakSeed string `json:"tie_break_seed"`
	// ScoreMargin is how far apart two reviewers' scores may be before the
	// application goes to moderation.
	ScoreMargin int `json:"score_margin"`
	// Weights of the shortlisting and interview scores in the national rank.
	ShortlistWeight int `json:"shortlist_weight"`
	InterviewWeight int `json:"interview_weight"`
	// OfferWorkingDays is how long an applicant has to answer an offer.
	OfferWorkingDays int `json:"offer_working_days"`
	// ShortlistCriteria are the published criteria reviewers score
	// supporting statements and qualifications against.
	ShortlistCriteria string `json:"shortlist_criteria"`
	// ShortlistPassMark is the shortlisting benchmark (0 to 100), one
	// across every specialism: an application scoring below it is not
	// shortlisted. 0 sets no benchmark.
	ShortlistPassMark int `json:"shortlist_pass_mark"`
	// InterviewsPerPlace and ReservesPerPlace are the round's interview
	// allocation: each direct-entry post gives its specialism this many
	// interviews and reserve places per place. 0 interviews everyone at
	// or above the benchmark, with no reserve list.
	InterviewsPerPlace int `json:"interviews_per_place"`
	ReservesPerPlace   int `json:"reserves_per_place"`
	// ShortlistPublishedAt is when the shortlisting outcomes of a round
	// with an interview allocation were published.
	ShortlistPublishedAt *time.Time `json:"shortlist_published_at,omitempty"`
	// EmployerRanking lets employers rank their posts' applicants with
	// their own lists instead of the national rank.
	EmployerRanking bool `json:"employer_ranking"`
	// Test is the rule of the round's online test stage; its Rule is
	// empty when the round has none.
	Test TestRule `json:"test"`
	// TestPublishedAt is when the test's outcomes were published and
	// every applicant told theirs.
	TestPublishedAt *time.Time `json:"test_published_at,omitempty"`

	MatchedAt *time.Time `json:"matched_at,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
}

// MaxWeight bounds the weights of a round's shortlisting and interview
// scores, so that a weighted total can never overflow.
const MaxWeight = 100

// Validate checks a round before it is saved.
func (r *Round) Validate(f *framework.Framework) error {
	var err error
	if r.Name, err = text.Line("name", "The round's name", r.Name, 200); err != nil {
		return err
	}
	if r.TieBreakSeed, err = text.Line("tie_break_seed", "The tie-break seed", r.TieBreakSeed, 200); err != nil {
		return err
	}
	if r.ShortlistCriteria, err = text.Para("shortlist_criteria", "The shortlisting criteria", r.ShortlistCriteria, 5000); err != nil {
		return err
	}
	p := f.Programme(r.Programme)
	switch {
	case p == nil || p.Kind == framework.ProgrammeEducation || p.Kind == framework.ProgrammeEquivalence:
		return apperr.Invalidf("programme", "programme %q is not one recruited to nationally; use stp, ptp, hsst or an apprenticeship", r.Programme)
	case !text.Visible(r.Name):
		return apperr.Invalidf("name", "Give the round a name, such as STP 2027")
	case r.ApplicationsOpen.IsZero() || r.ShortlistingOpen.IsZero() || r.InterviewsOpen.IsZero() || r.PreferencesOpen.IsZero() || r.OffersOpen.IsZero() || r.StartDate.IsZero():
		return apperr.Invalidf("timetable", "every date of the timetable is needed")
	case outOfOrder(r) != "":
		field := outOfOrder(r)
		return apperr.Invalidf(field, "The dates must come in order (applications, shortlisting, interviews, preferences, offers, start): %s must be after the date before it",
			strings.ReplaceAll(field, "_", " "))
	case r.ScoreMargin < 0 || r.ScoreMargin > 100:
		return apperr.Invalidf("score_margin", "the moderation margin must be 0 to 100")
	case r.ShortlistWeight < 0 || r.ShortlistWeight > MaxWeight:
		return apperr.Invalidf("shortlist_weight", "the shortlisting weight must be 0 to %d", MaxWeight)
	case r.InterviewWeight < 0 || r.InterviewWeight > MaxWeight:
		return apperr.Invalidf("interview_weight", "the interview weight must be 0 to %d", MaxWeight)
	case r.ShortlistWeight+r.InterviewWeight == 0:
		return apperr.Invalidf("shortlist_weight", "the weights must not both be 0")
	case r.OfferWorkingDays < 1 || r.OfferWorkingDays > 20:
		return apperr.Invalidf("offer_working_days", "offers need 1 to 20 working days to answer")
	case !text.Visible(r.TieBreakSeed):
		return apperr.Invalidf("tie_break_seed", "publish a tie-break seed")
	case r.ShortlistPassMark < 0 || r.ShortlistPassMark > 100:
		return apperr.Invalidf("shortlist_pass_mark", "the shortlisting benchmark must be 0 to 100")
	}
	if err := r.validAllocation(); err != nil {
		return err
	}
	return r.Test.Validate()
}

// outOfOrder names the first date of the timetable that is not after the
// one before it, or "" when they are in order.
func outOfOrder(r *Round) string {
	dates := []struct {
		field string
		t     time.Time
	}{{"applications_open", r.ApplicationsOpen}, {"shortlisting_open", r.ShortlistingOpen}, {"interviews_open", r.InterviewsOpen},
		{"preferences_open", r.PreferencesOpen}, {"offers_open", r.OffersOpen}, {"start_date", r.StartDate}}
	for i := 1; i < len(dates); i++ {
		if !dates[i].t.After(dates[i-1].t) {
			return dates[i].field
		}
	}
	return ""
}

// stageOrder is each stage's place in the timetable; "" (not open yet)
// comes first.
var stageOrder = map[string]int{"": 0, StageApplications: 1, StageShortlisting: 2, StageInterviews: 3, StagePreferences: 4, StageOffers: 5}

// CheckTimetableChange says whether a round's dates may change from old
// to next at t: never back into a stage the round has left (its records
// would no longer fit the stage), and once the match is published only
// the start date.
func CheckTimetableChange(old, next *Round, t time.Time) error {
	if old.MatchedAt != nil && !(next.ApplicationsOpen.Equal(old.ApplicationsOpen) && next.ShortlistingOpen.Equal(old.ShortlistingOpen) &&
		next.InterviewsOpen.Equal(old.InterviewsOpen) && next.PreferencesOpen.Equal(old.PreferencesOpen) && next.OffersOpen.Equal(old.OffersOpen)) {
		return apperr.Errorf(apperr.Conflict, "The match was published on %s: only the start date can change now.", old.MatchedAt.UTC().Format(dateFormat))
	}
	if from, to := old.Stage(t), next.Stage(t); stageOrder[to] < stageOrder[from] {
		return apperr.Errorf(apperr.Conflict, "The round is in its %s stage; these dates would put it back into %s. Dates that have passed cannot move later.",
			strings.ToLower(StageNames[from]), strings.ToLower(StageNames[to]))
	}
	return nil
}

// StageNames are the stages as people read them.
var StageNames = map[string]string{
	"":                "Not open yet",
	StageApplications: "Applications",
	StageShortlisting: "Shortlisting",
	StageInterviews:   "Interviews",
	StagePreferences:  "Preferences and ranking",
	StageOffers:       "Matching and offers",
}

// Window is one stage of the timetable.
type Window struct {
	Stage  string    `json:"stage"`
	Opens  time.Time `json:"opens"`
	Closes time.Time `json:"closes"` // zero for the last stage
}

// Timetable lists the round's stages in order.
func (r *Round) Timetable() []Window {
	var out []Window
	for _, st := range []string{StageApplications, StageShortlisting, StageInterviews, StagePreferences, StageOffers} {
		opens, closes := r.window(st)
		out = append(out, Window{Stage: st, Opens: opens, Closes: closes})
	}
	return out
}

// Stage returns the stage the round is in at t, or "" before applications
// open; after the start date it stays in offers.
func (r *Round) Stage(t time.Time) string {
	switch {
	case t.Before(r.ApplicationsOpen):
		return ""
	case t.Before(r.ShortlistingOpen):
		return StageApplications
	case t.Before(r.InterviewsOpen):
		return StageShortlisting
	case t.Before(r.PreferencesOpen):
		return StageInterviews
	case t.Before(r.OffersOpen):
		return StagePreferences
	}
	return StageOffers
}

// window returns when a stage opens and closes.
func (r *Round) window(stage string) (opens, closes time.Time) {
	switch stage {
	case StageApplications:
		return r.ApplicationsOpen, r.ShortlistingOpen
	case StageShortlisting:
		return r.ShortlistingOpen, r.InterviewsOpen
	case StageInterviews:
		return r.InterviewsOpen, r.PreferencesOpen
	case StagePreferences:
		return r.PreferencesOpen, r.OffersOpen
	}
	return r.OffersOpen, time.Time{}
}

// dateFormat is how refusals name a window's dates.
const dateFormat = "2 January 2006 at 15:04 UTC"

// RequireStage refuses an action outside its stage's window, saying when
// the window opens or when it closed.
func (r *Round) RequireStage(stage, action string, t time.Time) error {
	if r.Stage(t) == stage {
		return nil
	}
	opens, closes := r.window(stage)
	if t.Before(opens) {
		return apperr.Errorf(apperr.Conflict, "%s opens on %s.", text.Capitalise(action), opens.UTC().Format(dateFormat))
	}
	return apperr.Errorf(apperr.Conflict, "%s closed on %s.", text.Capitalise(action), closes.UTC().Format(dateFormat))
}

// CheckEligibility compares held credentials with the programme's entry
// requirements from the framework.
func CheckEligibility(f *framework.Framework, programmeID string, holds []string) Eligibility {
	p := f.Programme(programmeID)
	if p == nil {
		return Eligibility{Reason: fmt.Sprintf("%q is not a programme", programmeID)}
	}
	var options []string
	for _, set := range p.Requires {
		ok := true
		var names []string
		for _, c := range set {
			if !slices.Contains(holds, c) {
				ok = false
			}
			names = append(names, strings.ToLower(f.Credential(c).Name))
		}
		if ok {
			return Eligibility{Eligible: true, Reason: "You meet the entry requirements for the " + p.Name + "."}
		}
		options = append(options, strings.Join(names, " and "))
	}
	return Eligibility{Reason: fmt.Sprintf("The %s needs %s. %s", p.Name, strings.Join(options, "; or "), p.Entry)}
}

// AddWorkingDays returns the moment n working days after t: weekends do
// not count (bank holidays do, as in national recruitment's rules).
func AddWorkingDays(t time.Time, n int) time.Time {
	for n > 0 {
		t = t.AddDate(0, 0, 1)
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return t
}
