package recruit

import (
	"fmt"
	"slices"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/text"
)

// Application is one applicant's application in a round: one specialism,
// one supporting statement. The scores and national rank are filled in
// when the round is ranked.
type Application struct {
	ID             int64     `json:"id"`
	RoundID        int64     `json:"round_id"`
	UserID         int64     `json:"user_id"`
	Specialism     string    `json:"specialism"`
	Statement      string    `json:"statement"`
	CreatedAt      time.Time `json:"created_at"`
	ShortlistScore *int      `json:"shortlist_score,omitempty"`
	InterviewScore *int      `json:"interview_score,omitempty"`
	NationalRank   *int      `json:"national_rank,omitempty"`
	DecidedBy      string    `json:"decided_by,omitempty"`
	Preferences    []int64   `json:"preferences"`
	// Submitted is the profile the application was made with, which
	// reviewers read: later changes to the profile do not reach it.
	Submitted Submission `json:"submitted"`
	// WithdrawnAt is when the applicant left the round. A withdrawn
	// application stays, for the round's counts, but nothing further
	// counts it: no review, interview, ranking, match or cascade.
	WithdrawnAt *time.Time `json:"withdrawn_at,omitempty"`
	// InService marks an in-service nominee's application in a round's
	// ranking (Service.Ranking): its national rank is among the
	// specialism's nominees alone. It is not stored.
	InService bool `json:"in_service,omitempty"`
}

// Withdrawn reports whether the applicant has left the round.
func (a *Application) Withdrawn() bool { return a.WithdrawnAt != nil }

// InRound lists the applications still in their round: not withdrawn.
func InRound(apps []Application) []Application {
	return slices.DeleteFunc(slices.Clone(apps), func(a Application) bool { return a.Withdrawn() })
}

// errWithdrawn is the answer to anything done to a withdrawn application.
func errWithdrawn(a *Application) error {
	return apperr.Errorf(apperr.Conflict, "%s has been withdrawn from the round.", Reference(a.ID))
}

// Submission is the part of a profile an application keeps.
type Submission struct {
	Qualifications []Qualification `json:"qualifications"`
	Registrations  []Registration  `json:"registrations"`
	Notes          string          `json:"notes"`
	EmployerID     int64           `json:"employer_id,omitempty"`
}

// MaxStatement bounds a supporting statement, in characters.
const MaxStatement = 10000

// Reference is how an application is named without naming its applicant.
func Reference(applicationID int64) string { return fmt.Sprintf("APP-%06d", applicationID) }

// CheckStatement checks a supporting statement and returns it trimmed.
func CheckStatement(s string) (string, error) {
	s, err := text.Para("statement", "Your supporting statement", s, MaxStatement)
	if err != nil {
		return "", err
	}
	if !text.Visible(s) {
		return "", apperr.Invalidf("statement", "Write a supporting statement of up to %d characters", MaxStatement)
	}
	return s, nil
}

// BlindApplication is what a reviewer sees: the reference, the specialism,
// the supporting statement and the qualifications as submitted, and
// nothing personal (no name, email, employer, registration number or
// year of qualification).
type BlindApplication struct {
	Reference      string          `json:"reference"`
	ID             int64           `json:"id"`
	Specialism     string          `json:"specialism"`
	Statement      string          `json:"statement"`
	Qualifications []Qualification `json:"qualifications"`
	Notes          string          `json:"notes"`     // the applicant's other qualifications
	Registers      []string        `json:"registers"` // the registers held, without numbers
	YourScore      *int            `json:"your_score,omitempty"`
}

// Blind makes the reviewer's view of an application, from what was
// submitted. Years are left out, since they hint at age.
func Blind(a *Application) BlindApplication {
	b := BlindApplication{Reference: Reference(a.ID), ID: a.ID, Specialism: a.Specialism, Statement: a.Statement,
		Qualifications: []Qualification{}, Registers: []string{}, Notes: a.Submitted.Notes}
	for _, q := range a.Submitted.Qualifications {
		q.Year = 0
		b.Qualifications = append(b.Qualifications, q)
	}
	for _, r := range a.Submitted.Registrations {
		b.Registers = append(b.Registers, r.Body)
	}
	return b
}

// Standing is where an application stands, for its applicant.
type Standing struct {
	Step    string `json:"step"`
	Message string `json:"message"`
}

// Steps of an application.
const (
	StepSubmitted      = "submitted"
	StepTest           = "test"
	StepNotLonglisted  = "not-longlisted"
	StepShortlisting   = "shortlisting"
	StepNotShortlisted = "not-shortlisted"
	StepReserve        = "reserve"
	StepWithdrawn      = "withdrawn"
	StepInterview      = "interview"
	StepRanked         = "ranked"
	StepNotRanked      = "not-ranked"
	StepOffered        = "offered"
	StepPlaced         = "placed"
	StepUnplaced       = "unplaced"
)

// ApplicationStanding says where an application stands at t, from the
// round's stage, the online test's outcome (nil until it is published, or
// when the round has no test), the shortlisting result (score and whether
// it is complete), whether it is an in-service nominee's (which skips
// shortlisting), the published shortlisting outcome (nil until published,
// or when the round allocates no interviews), the national rank and the
// offers.
func ApplicationStanding(r *Round, a *Application, test *TestOutcome, shortlist int, shortlistDone, nominee bool, outcome *ShortlistResult, offers []Offer, t time.Time) Standing {
	stage := r.Stage(t)
	for _, o := range offers {
		switch o.Status {
		case OfferAccepted:
			return Standing{StepPlaced, "You have accepted a training post. The offer is conditional until the employer has completed its pre-employment checks; the post starts on " + r.StartDate.UTC().Format("2 January 2006") + "."}
		case OfferUnconditional:
			return Standing{StepPlaced, "Your training post is confirmed: every pre-employment check has passed. It starts on " + r.StartDate.UTC().Format("2 January 2006") + "."}
		case OfferOffered, OfferHeld:
			return Standing{StepOffered, "You have an offer: answer it by its deadline."}
		}
	}
	if a.Withdrawn() {
		return Standing{StepWithdrawn, "You withdrew this application on " + a.WithdrawnAt.UTC().Format(dateFormat) + ": nothing further counts it in this round."}
	}
	shortlisted := nominee || shortlistDone && shortlist >= r.ShortlistPassMark
	if r.Allocated() && !nominee {
		shortlisted = outcome != nil && outcome.Outcome == ShortlistInterview
	}
	switch {
	case stage == StageApplications:
		return Standing{StepSubmitted, "Your application is in. Applications close on " + r.ShortlistingOpen.UTC().Format(dateFormat) + "."}
	case r.Test.Rule != TestRuleNone && r.TestPublishedAt == nil && stage == StageShortlisting:
		return Standing{StepTest, "The online test's results are being collected. Everyone will be told whether their application goes on to shortlisting."}
	case test != nil && !test.GoesOn:
		return Standing{StepNotLonglisted, test.Reason}
	case stage == StageShortlisting && nominee:
		return Standing{StepShortlisting, "Your employer nominated you for an in-service post, so your application skips shortlisting and goes to interview."}
	case stage == StageShortlisting:
		return Standing{StepShortlisting, "Reviewers are scoring applications against the published criteria."}
	case r.Allocated() && !nominee && outcome == nil && stage == StageInterviews:
		return Standing{StepShortlisting, "Shortlisting has closed. Everyone will be told their outcome (interview, reserve or unsuccessful) when the national school publishes them."}
	case outcome != nil && outcome.Outcome == ShortlistReserve && stage == StageInterviews:
		return Standing{StepReserve, outcome.Explain(r)}
	case outcome != nil && outcome.Outcome == ShortlistReserve:
		return Standing{StepNotShortlisted, "You were on the reserve list, and no interview place came free before interviews closed, so your application in this round has ended."}
	case outcome != nil && !shortlisted:
		return Standing{StepNotShortlisted, outcome.Explain(r)}
	case !shortlisted:
		return Standing{StepNotShortlisted, "Your application was not shortlisted for interview in this round."}
	case stage == StageInterviews && outcome != nil:
		return Standing{StepInterview, outcome.Explain(r)}
	case stage == StageInterviews:
		return Standing{StepInterview, "You have been shortlisted for interview."}
	case a.NationalRank == nil && r.MatchedAt == nil:
		return Standing{StepInterview, "Interviews are finished; the national rank is being drawn up."}
	case a.NationalRank == nil:
		return Standing{StepNotRanked, "Your application was not ranked in this round."}
	case r.MatchedAt == nil && nominee:
		return Standing{StepRanked, fmt.Sprintf("You are ranked %d among the in-service nominees in your specialism. Rank the posts you would accept before matching begins on %s.",
			*a.NationalRank, r.OffersOpen.UTC().Format(dateFormat))}
	case r.MatchedAt == nil:
		return Standing{StepRanked, fmt.Sprintf("You are ranked %d nationally in your specialism. Rank the posts you would accept before matching begins on %s.",
			*a.NationalRank, r.OffersOpen.UTC().Format(dateFormat))}
	case len(offers) > 0:
		switch offers[len(offers)-1].Status {
		case OfferDeclined:
			return Standing{StepUnplaced, "You declined your offer, so your application in this round has ended."}
		case OfferExpired:
			return Standing{StepUnplaced, "Your offer was not answered by its deadline, so your application in this round has ended."}
		case OfferWithdrawn:
			return Standing{StepUnplaced, "The employer withdrew your offer because a pre-employment check did not pass, so your application in this round has ended. Their reason: " + offers[len(offers)-1].Reason}
		}
		return Standing{StepUnplaced, "Your offers have ended."}
	}
	return Standing{StepUnplaced, "The match did not give you a post. Places that come free are offered down the ranking."}
}
