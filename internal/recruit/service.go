package recruit

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/framework"
)

// Service is national recruitment: every action loads what it needs in
// one transaction, decides by the rules in this package, saves, and writes
// its audit entry in the same transaction. Who may call each action is
// the permission table's business (the web package asks it first); the
// service refuses what no role may do: acting outside a stage's window,
// reviewing or scoring one's own application, exceeding limits.
type Service struct {
	store Store
	f     *framework.Framework
}

// NewService returns the service over a store, with the framework that
// names programmes, specialisms and credentials.
func NewService(store Store, f *framework.Framework) *Service {
	return &Service{store: store, f: f}
}

// The system processes that act on their own, as the audit log names them.
var (
	ExpiryProcess  = auth.System("offer expiry")
	CascadeProcess = auth.System("cascade")
)

// read runs fn in a read-only transaction and returns what it sets.
func read[T any](ctx context.Context, s *Service, fn func(tx Tx) (T, error)) (T, error) {
	var out T
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = fn(tx)
		return err
	})
	return out, err
}

// write runs fn in a read-write transaction and returns what it sets.
func write[T any](ctx context.Context, s *Service, fn func(tx Tx) (T, error)) (T, error) {
	var out T
	err := s.store.Write(ctx, func(tx Tx) error {
		var err error
		out, err = fn(tx)
		return err
	})
	return out, err
}

func (s *Service) Rounds(ctx context.Context) ([]Round, error) {
	return read(ctx, s, func(tx Tx) ([]Round, error) { return tx.Rounds() })
}

func (s *Service) Round(ctx context.Context, id int64) (*Round, error) {
	return read(ctx, s, func(tx Tx) (*Round, error) { return tx.Round(id) })
}

func (s *Service) Stations(ctx context.Context, roundID int64) ([]Station, error) {
	return read(ctx, s, func(tx Tx) ([]Station, error) { return tx.Stations(roundID) })
}

func (s *Service) Posts(ctx context.Context, roundID int64) ([]Post, error) {
	return read(ctx, s, func(tx Tx) ([]Post, error) {
		if _, err := tx.Round(roundID); err != nil {
			return nil, err
		}
		return tx.Posts(roundID)
	})
}

func (s *Service) Post(ctx context.Context, id int64) (*Post, error) {
	return read(ctx, s, func(tx Tx) (*Post, error) { return tx.Post(id) })
}

// PostsOf lists the posts of organisations, newest round first.
func (s *Service) PostsOf(ctx context.Context, organisationIDs []int64) ([]Post, error) {
	return read(ctx, s, func(tx Tx) ([]Post, error) { return tx.PostsOf(organisationIDs) })
}

// OpenPosts lists the posts of rounds taking applications now.
func (s *Service) OpenPosts(ctx context.Context, f PostFilter) ([]OpenPost, error) {
	return read(ctx, s, func(tx Tx) ([]OpenPost, error) { return tx.OpenPosts(f) })
}

func (s *Service) Profile(ctx context.Context, userID int64) (*Profile, error) {
	return read(ctx, s, func(tx Tx) (*Profile, error) { return tx.Profile(userID) })
}

func (s *Service) Application(ctx context.Context, id int64) (*Application, error) {
	return read(ctx, s, func(tx Tx) (*Application, error) { return tx.Application(id) })
}

func (s *Service) ApplicationsOf(ctx context.Context, userID int64) ([]Application, error) {
	return read(ctx, s, func(tx Tx) ([]Application, error) { return tx.ApplicationsOf(userID) })
}

func (s *Service) Appointments(ctx context.Context, roundID int64) ([]Appointment, error) {
	return read(ctx, s, func(tx Tx) ([]Appointment, error) { return tx.Appointments(roundID) })
}

func (s *Service) Offers(ctx context.Context, f OfferFilter) ([]Offer, error) {
	return read(ctx, s, func(tx Tx) ([]Offer, error) { return tx.Offers(f) })
}

func (s *Service) Offer(ctx context.Context, id int64) (*Offer, error) {
	return read(ctx, s, func(tx Tx) (*Offer, error) { return tx.Offer(id) })
}

// specialismRecruits checks that a specialism is one posts are offered in.
func (s *Service) specialismRecruits(id string) error {
	if id == "" {
		return apperr.Invalidf("specialism", "Choose the specialism")
	}
	sp := s.f.Specialism(id)
	if sp == nil || sp.Kind != framework.KindSpecialism {
		return apperr.Invalidf("specialism", "%q is not a specialism that recruits", id)
	}
	return nil
}

// roundState is what the rules read of one application's reviewing and
// interviewing.
type roundState struct {
	assignments map[int64][]Assignment
	reviews     map[int64][]Review
	moderations map[int64]*Moderation
	interviews  map[int64][]InterviewScore
	// nominated maps each in-service nominee's application to the
	// employer that nominated it; passedTest says which went on from the
	// online test (its published outcomes).
	nominated  map[int64]int64
	passedTest map[int64]bool
	// outcomes are the published shortlisting outcomes of a round with
	// an interview allocation.
	outcomes map[int64]ShortlistResult
}

// loadState loads the reviewing and interviewing of a round, or of one
// application when q names it.
func loadState(tx Tx, q Query) (*roundState, error) {
	st := &roundState{assignments: map[int64][]Assignment{}, reviews: map[int64][]Review{}, moderations: map[int64]*Moderation{}, interviews: map[int64][]InterviewScore{}}
	as, err := tx.Assignments(q)
	if err != nil {
		return nil, err
	}
	for _, a := range as {
		st.assignments[a.ApplicationID] = append(st.assignments[a.ApplicationID], a)
	}
	rs, err := tx.Reviews(q)
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		st.reviews[r.ApplicationID] = append(st.reviews[r.ApplicationID], r)
	}
	ms, err := tx.Moderations(q)
	if err != nil {
		return nil, err
	}
	for i := range ms {
		st.moderations[ms[i].ApplicationID] = &ms[i]
	}
	is, err := tx.InterviewScores(q)
	if err != nil {
		return nil, err
	}
	for _, sc := range is {
		st.interviews[sc.ApplicationID] = append(st.interviews[sc.ApplicationID], sc)
	}
	st.nominated, st.passedTest, st.outcomes = map[int64]int64{}, map[int64]bool{}, map[int64]ShortlistResult{}
	if q.RoundID == 0 && q.ApplicationID == 0 {
		return st, nil // a reviewer's or assessor's own records
	}
	results, err := tx.ShortlistResults(q)
	if err != nil {
		return nil, err
	}
	for _, res := range results {
		st.outcomes[res.ApplicationID] = res
	}
	ns, err := tx.Nominations(Query{RoundID: q.RoundID, ApplicationID: q.ApplicationID})
	if err != nil || len(ns) == 0 {
		return st, err
	}
	for _, n := range ns {
		if n.ApplicationID != 0 {
			st.nominated[n.ApplicationID] = n.OrganisationID
		}
	}
	outcomes, err := tx.TestOutcomes(ns[0].RoundID)
	if err != nil {
		return nil, err
	}
	for _, o := range outcomes {
		st.passedTest[o.ApplicationID] = o.GoesOn
	}
	return st, nil
}

// shortlist is an application's shortlisting result. An in-service
// nominee skips shortlisting: once through the online test (if the round
// has one) it goes to interview, with no shortlisting score. In a round
// with an interview allocation, only a published invitation to interview
// shortlists; in one without, a complete score at the benchmark does.
func (st *roundState) shortlist(r *Round, appID int64) (score int, done, shortlisted bool) {
	if _, ok := st.nominated[appID]; ok {
		return 0, true, r.Test.Rule == TestRuleNone || st.passedTest[appID]
	}
	score, done = ShortlistScore(r.ScoreMargin, st.reviews[appID], st.moderations[appID])
	if r.Allocated() {
		return score, done, st.outcomes[appID].Outcome == ShortlistInterview
	}
	return score, done, done && score >= r.ShortlistPassMark
}

// namedPerson loads a person, for messages and pages.
func namedPerson(tx Tx, id int64) (Person, error) {
	p, err := tx.Person(id)
	if err != nil {
		return Person{}, err
	}
	return *p, nil
}

// specialismName is a specialism's name, or its id when unknown.
func (s *Service) specialismName(id string) string {
	if sp := s.f.Specialism(id); sp != nil {
		return sp.Name
	}
	return id
}

// Summary is a round at a glance, for the national school's dashboard.
type Summary struct {
	Round        Round     `json:"round"`
	Stage        string    `json:"stage"`
	Stations     []Station `json:"stations"`
	Posts        int       `json:"posts"`
	Withdrawn    int       `json:"withdrawn"`
	Places       int       `json:"places"`
	Applications int       `json:"applications"`
	Reviewers    int       `json:"reviewers"`
	Unassigned   int       `json:"unassigned"` // applications to review without both reviewers
	// NotLonglisted counts applications the online test's published
	// outcomes stopped before shortlisting.
	NotLonglisted   int            `json:"not_longlisted"`
	Reviewed        int            `json:"reviewed"` // with both reviews
	NeedModeration  int            `json:"need_moderation"`
	Shortlisted     int            `json:"shortlisted"` // invited to interview
	Reserves        int            `json:"reserves"`    // shortlisted reserves not (yet) invited
	NotShortlisted  int            `json:"not_shortlisted"`
	Interviewed     int            `json:"interviewed"` // every station scored
	Ranked          int            `json:"ranked"`
	OffersByStatus  map[string]int `json:"offers_by_status"`
	FilledPlaces    int            `json:"filled_places"`   // held by live offers
	UnfilledPlaces  int            `json:"unfilled_places"` // after the match
	ModerationQueue []Moderatable  `json:"moderation_queue"`
}

// Moderatable is an application waiting for moderation, with its two
// reviews. It names no one.
type Moderatable struct {
	Reference      string          `json:"reference"`
	ID             int64           `json:"id"`
	Scores         []int           `json:"scores"`
	Statement      string          `json:"statement"`
	Qualifications []Qualification `json:"qualifications"` // as reviewers saw them
}

// Summary counts where a round's applications, offers and places stand.
func (s *Service) Summary(ctx context.Context, roundID int64) (*Summary, error) {
	return read(ctx, s, func(tx Tx) (*Summary, error) {
		r, err := tx.Round(roundID)
		if err != nil {
			return nil, err
		}
		sum := &Summary{Round: *r, Stage: r.Stage(tx.Now()), OffersByStatus: map[string]int{}, ModerationQueue: []Moderatable{}}
		if sum.Stations, err = tx.Stations(roundID); err != nil {
			return nil, err
		}
		posts, err := tx.Posts(roundID)
		if err != nil {
			return nil, err
		}
		for _, p := range posts {
			if p.Status == PostWithdrawn {
				sum.Withdrawn++
				continue
			}
			sum.Posts++
			sum.Places += p.Places
		}
		apps, err := tx.Applications(roundID)
		if err != nil {
			return nil, err
		}
		appts, err := tx.Appointments(roundID)
		if err != nil {
			return nil, err
		}
		sum.Applications, sum.Reviewers = len(apps), len(appts)
		st, err := loadState(tx, Query{RoundID: roundID})
		if err != nil {
			return nil, err
		}
		// toReview: in a round with an online test, the applications its
		// published outcomes sent on (none before they are published).
		toReview := func(Application) bool { return true }
		if r.Test.Rule != TestRuleNone {
			_, outcomes, err := longlist(tx, r)
			if err != nil {
				return nil, err
			}
			published := r.TestPublishedAt != nil
			toReview = func(a Application) bool { return published && outcomes[a.ID].GoesOn }
			for _, o := range outcomes {
				if published && !o.GoesOn {
					sum.NotLonglisted++
				}
			}
		}
		for _, a := range apps {
			_, nominee := st.nominated[a.ID] // skips shortlisting: no reviewers
			if len(st.assignments[a.ID]) < ReviewsPerApplication && toReview(a) && !nominee {
				sum.Unassigned++
			}
			if nominee && toReview(a) {
				sum.Reviewed++ // nothing to review
			}
			reviews := st.reviews[a.ID]
			if len(reviews) == ReviewsPerApplication {
				sum.Reviewed++
			}
			if NeedsModeration(r.ScoreMargin, reviews, st.moderations[a.ID]) {
				sum.NeedModeration++
				sum.ModerationQueue = append(sum.ModerationQueue, Moderatable{Reference: Reference(a.ID), ID: a.ID, Scores: []int{reviews[0].Score, reviews[1].Score},
					Statement: a.Statement, Qualifications: Blind(&a).Qualifications})
			}
			switch _, done, shortlisted := st.shortlist(r, a.ID); {
			case shortlisted:
				sum.Shortlisted++
			case st.outcomes[a.ID].Outcome == ShortlistReserve:
				sum.Reserves++
			case done && (!r.Allocated() || r.ShortlistPublishedAt != nil):
				sum.NotShortlisted++
			}
			if _, done := WeightedInterview(sum.Stations, st.interviews[a.ID]); done {
				sum.Interviewed++
			}
			if a.NationalRank != nil {
				sum.Ranked++
			}
		}
		offers, err := tx.Offers(OfferFilter{RoundID: roundID})
		if err != nil {
			return nil, err
		}
		for _, o := range offers {
			sum.OffersByStatus[o.Status]++
			if o.Live() {
				sum.FilledPlaces++
			}
		}
		if r.MatchedAt != nil {
			sum.UnfilledPlaces = sum.Places - sum.FilledPlaces
		}
		return sum, nil
	})
}

// Ranking lists a round's national rank, specialism by specialism, best
// first: direct entry, then the in-service nominees, who are ranked among
// themselves.
func (s *Service) Ranking(ctx context.Context, roundID int64) ([]Application, error) {
	return read(ctx, s, func(tx Tx) ([]Application, error) {
		apps, err := tx.Applications(roundID)
		if err != nil {
			return nil, err
		}
		apps = slices.DeleteFunc(apps, func(a Application) bool { return a.NationalRank == nil })
		nominated, err := nominators(tx, Query{RoundID: roundID})
		if err != nil {
			return nil, err
		}
		for i := range apps {
			_, apps[i].InService = nominated[apps[i].ID]
		}
		slices.SortFunc(apps, func(a, b Application) int {
			return cmp.Or(strings.Compare(a.Specialism, b.Specialism), compareBool(a.InService, b.InService), cmp.Compare(*a.NationalRank, *b.NationalRank))
		})
		return apps, nil
	})
}

// compareBool orders false before true.
func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// auditf writes an audit entry with a formatted detail.
func auditf(tx Tx, by auth.Actor, action, recordType string, id int64, format string, args ...any) error {
	return tx.Audit(by, action, recordType, id, fmt.Sprintf(format, args...))
}
