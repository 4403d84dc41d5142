package recruit

import (
	"context"
	"time"

	"hcs/internal/auth"
)

// Store runs the recruitment service's transactions. The service decides;
// the store loads and saves rows inside one transaction and holds, with
// constraints and row locks, what must stay true when many requests arrive
// at once.
type Store interface {
	// Write runs fn in one read-write transaction, committing when fn
	// returns nil and rolling back otherwise.
	Write(ctx context.Context, fn func(Tx) error) error
	// Read runs fn in one read-only transaction that sees one snapshot.
	Read(ctx context.Context, fn func(Tx) error) error
}

// Person is someone recruitment deals with, as messages and employers'
// pages name them.
type Person struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// Query narrows the records of a round's reviewing and interviewing to one
// round, one application or one person (the reviewer or assessor); zero
// fields do not narrow, and at least one is set.
type Query struct {
	RoundID       int64
	ApplicationID int64
	UserID        int64
}

// OfferFilter narrows offers; zero fields do not filter.
type OfferFilter struct {
	RoundID       int64
	ApplicationID int64
	PostID        int64
	Live          bool // only live offers: offered, held, accepted and unconditional
}

// Tx is one transaction's view of recruitment's records. It decides
// nothing. Its constraints refuse, with a conflict, what must never happen
// whatever a rule says: a third review of an application, a second review
// by one reviewer, two live offers on one seat of a post, a second score
// for a station or from one assessor, a second moderation, a second
// application by one person in a round. Lock methods hold the row until
// the transaction ends (SELECT … FOR UPDATE on PostgreSQL; SQLite has a
// single writer).
type Tx interface {
	// Now is the transaction's one reading of the clock.
	Now() time.Time
	// Audit appends an entry to the audit log.
	Audit(by auth.Actor, action, recordType string, recordID int64, detail string) error
	// Send puts a message to a person in the outbox.
	Send(to Person, subject, body string) error

	Person(userID int64) (*Person, error)
	PersonByEmail(email string) (*Person, error)
	// EmployersOf lists the organisations a person recruits for (their
	// employer recruiter grants).
	EmployersOf(userID int64) ([]int64, error)
	Organisation(id int64) (*auth.Organisation, error)

	InsertRound(r *Round) error
	Round(id int64) (*Round, error)
	LockRound(id int64) (*Round, error)
	Rounds() ([]Round, error)
	UpdateTimetable(r *Round) error
	// MarkMatched records the round's published match, and reports false
	// when it was already matched.
	MarkMatched(roundID int64) (bool, error)
	Stations(roundID int64) ([]Station, error)
	// SetTestRule saves the rule of a round's online test stage.
	SetTestRule(roundID int64, t TestRule) error
	// MarkTestPublished records that the round's test outcomes are
	// published, and reports false when they already were.
	MarkTestPublished(roundID int64) (bool, error)
	// TestScores lists a round's imported test scores.
	TestScores(roundID int64) ([]TestScore, error)
	// SaveTestScore adds an application's test score, or replaces it.
	SaveTestScore(roundID int64, s TestScore) error
	// SaveTestOutcomes records the test outcomes as published, once.
	SaveTestOutcomes(roundID int64, outcomes []TestOutcome) error
	// TestOutcomes lists a round's published test outcomes.
	TestOutcomes(roundID int64) ([]TestOutcome, error)
	ReplaceStations(roundID int64, stations []Station) error
	// MarkShortlistPublished records that the round's shortlisting
	// outcomes are published, and reports false when they already were.
	MarkShortlistPublished(roundID int64) (bool, error)
	// SaveShortlistResults records the shortlisting outcomes as
	// published, once.
	SaveShortlistResults(roundID int64, results []ShortlistResult) error
	// ShortlistResults lists published shortlisting outcomes, narrowed by
	// q's RoundID or ApplicationID.
	ShortlistResults(q Query) ([]ShortlistResult, error)
	// PromoteReserve invites a reserve to interview, and reports false
	// when the application is not (or no longer) a reserve.
	PromoteReserve(applicationID int64) (bool, error)

	InsertPost(p *Post) error
	UpdatePost(p *Post) error
	Post(id int64) (*Post, error)
	Posts(roundID int64) ([]Post, error)
	PostsOf(organisationIDs []int64) ([]Post, error)
	OpenPosts(f PostFilter) ([]OpenPost, error)

	Profile(userID int64) (*Profile, error)
	SaveProfile(p *Profile) error
	InsertApplication(a *Application) error
	Application(id int64) (*Application, error)
	LockApplication(id int64) (*Application, error)
	Applications(roundID int64) ([]Application, error)
	ApplicationsOf(userID int64) ([]Application, error)
	// WithdrawApplication records that the applicant has left the round.
	WithdrawApplication(id int64) error
	// SetRanks records the national rank; applications not in ranks lose
	// any rank they had.
	SetRanks(roundID int64, ranks []Ranked) error
	ReplacePreferences(applicationID int64, posts []int64) error
	ReplacePostRanking(postID int64, applications []int64) error
	// PostRankings maps each post of the round with its employer's own
	// list to that list, best first.
	PostRankings(roundID int64) (map[int64][]int64, error)

	// InsertAppointment appoints a reviewer to a round, with the reviewer
	// role scoped to it.
	InsertAppointment(a *Appointment) error
	Appointments(roundID int64) ([]Appointment, error)
	InsertAssignment(as Assignment) error
	Assignments(q Query) ([]Assignment, error)
	InsertReview(r Review) error
	Reviews(q Query) ([]Review, error)
	InsertModeration(m Moderation) error
	Moderations(q Query) ([]Moderation, error)
	InsertInterviewScore(s InterviewScore) error
	InterviewScores(q Query) ([]InterviewScore, error)

	// InsertNomination records a nomination; the schema refuses a second
	// nomination of one person in a round, with a conflict.
	InsertNomination(n *Nomination) error
	// DeleteNomination removes a nomination.
	DeleteNomination(id int64) error
	// Nominations lists nominations, with each nominee's application in
	// the round if they have applied, narrowed by q (RoundID, the
	// nominee's ApplicationID or UserID).
	Nominations(q Query) ([]Nomination, error)

	InsertOffer(o *Offer) error
	UpdateOffer(o *Offer) error
	Offer(id int64) (*Offer, error)
	Offers(f OfferFilter) ([]Offer, error)
	// TrainingStarted reports whether a training record was made from
	// the offer.
	TrainingStarted(offerID int64) (bool, error)
	// Checks lists the pre-employment checks recorded for an offer.
	Checks(offerID int64) ([]Check, error)
	// SaveCheck records one of an offer's checks, replacing what was
	// recorded for it before.
	SaveCheck(c Check) error
}
