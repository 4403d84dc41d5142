package recruit

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	"hcs/internal/apperr"
)

// Shortlisting outcomes. A round with an interview allocation ranks each
// specialism's scored applications by their shortlisting score: the best
// fill the specialism's interviews, the next its reserve list, and the
// rest are unsuccessful. A round without one interviews everyone at or
// above the benchmark.
const (
	ShortlistInterview    = "interview"
	ShortlistReserve      = "reserve"
	ShortlistUnsuccessful = "unsuccessful"
)

// ShortlistOutcomeNames are the outcomes as applicants read them.
var ShortlistOutcomeNames = map[string]string{
	ShortlistInterview:    "Interview",
	ShortlistReserve:      "Shortlisted reserve",
	ShortlistUnsuccessful: "Shortlist unsuccessful",
}

// Bounds of a round's interview allocation.
const (
	MaxInterviewsPerPlace = 20
	MaxReservesPerPlace   = 50
)

// Allocated reports whether the round allocates interviews per post, so
// that shortlisting ends in published outcomes with a reserve list.
func (r *Round) Allocated() bool { return r.InterviewsPerPlace > 0 }

// validAllocation checks the round's interview allocation.
func (r *Round) validAllocation() error {
	switch {
	case r.InterviewsPerPlace < 0 || r.InterviewsPerPlace > MaxInterviewsPerPlace:
		return apperr.Invalidf("interviews_per_place", "Interviews per place must be 0 (interview everyone at or above the benchmark) to %d", MaxInterviewsPerPlace)
	case r.ReservesPerPlace < 0 || r.ReservesPerPlace > MaxReservesPerPlace:
		return apperr.Invalidf("reserves_per_place", "Reserves per place must be 0 to %d", MaxReservesPerPlace)
	case r.ReservesPerPlace > 0 && !r.Allocated():
		return apperr.Invalidf("reserves_per_place", "A reserve list needs an interview allocation: set interviews per place too")
	}
	return nil
}

// Allocation is one specialism's interview allocation: each open
// direct-entry post gives it InterviewsPerPlace interviews and
// ReservesPerPlace reserve places for each of its places. In-service
// posts take no part: their nominees skip shortlisting.
type Allocation struct {
	Specialism string `json:"specialism"`
	Posts      int    `json:"posts"`
	Places     int    `json:"places"`
	Interviews int    `json:"interviews"`
	Reserves   int    `json:"reserves"`
}

// Allocations works out each specialism's interview allocation from the
// round's posts.
func Allocations(r *Round, posts []Post) map[string]Allocation {
	out := map[string]Allocation{}
	for _, p := range posts {
		if p.Status == PostWithdrawn || p.InService {
			continue
		}
		a := out[p.Specialism]
		a.Specialism = p.Specialism
		a.Posts++
		a.Places += p.Places
		a.Interviews += p.Places * r.InterviewsPerPlace
		a.Reserves += p.Places * r.ReservesPerPlace
		out[p.Specialism] = a
	}
	return out
}

// ShortlistEntry is a scored application going into the shortlisting rank.
type ShortlistEntry struct {
	ApplicationID int64
	Specialism    string
	Score         int       // the shortlisting score, 0 to 100
	Test          *TestMark // the online test score, where the round has one
}

// ShortlistResult is an application's shortlisting outcome, as published.
type ShortlistResult struct {
	ApplicationID int64  `json:"application_id"`
	Specialism    string `json:"specialism"`
	Score         int    `json:"score"`
	Outcome       string `json:"outcome"`
	// Position is the application's place in its specialism's
	// shortlisting rank, from 1; 0 below the benchmark, which is not
	// ranked.
	Position int `json:"position"`
	// ReservePlace is the place on the reserve list, from 1, for an
	// application first published as a reserve (promoted or not).
	ReservePlace int `json:"reserve_place,omitempty"`
	// DecidedBy is the rule that placed the application below the one
	// above it: the score, the online test score or the lottery.
	DecidedBy string `json:"decided_by"`
	// Interviews and Reserves are the specialism's allocation.
	Interviews int `json:"interviews"`
	Reserves   int `json:"reserves"`
	// PromotedAt is when a reserve was invited to interview because an
	// interview allocation came free.
	PromotedAt *time.Time `json:"promoted_at,omitempty"`
}

// Shortlist ranks each specialism's scored applications and decides their
// outcomes. Below the benchmark (the round's pass mark) an application is
// unsuccessful whatever the allocation. Ranked applications are ordered by
// score, then (where the round's test rule breaks ties) the online test
// score, then the published lottery; the first fill the interviews, the
// next the reserve list.
func Shortlist(r *Round, alloc map[string]Allocation, entries []ShortlistEntry) []ShortlistResult {
	bySpecialism := map[string][]ShortlistEntry{}
	var out []ShortlistResult
	for _, e := range entries {
		if e.Score < r.ShortlistPassMark {
			a := alloc[e.Specialism]
			out = append(out, ShortlistResult{ApplicationID: e.ApplicationID, Specialism: e.Specialism, Score: e.Score, Outcome: ShortlistUnsuccessful,
				DecidedBy: "benchmark", Interviews: a.Interviews, Reserves: a.Reserves})
			continue
		}
		bySpecialism[e.Specialism] = append(bySpecialism[e.Specialism], e)
	}
	for sp, es := range bySpecialism {
		a := alloc[sp]
		order := func(x, y ShortlistEntry) (int, string) {
			switch {
			case x.Score != y.Score:
				return y.Score - x.Score, "shortlisting score"
			case r.Test.TieBreak && testMark(x.Test) != testMark(y.Test):
				return testMark(y.Test) - testMark(x.Test), "online test score"
			}
			if c := cmp.Compare(lottery(r.TieBreakSeed, x.ApplicationID), lottery(r.TieBreakSeed, y.ApplicationID)); c != 0 {
				return c, "lottery"
			}
			return cmp.Compare(x.ApplicationID, y.ApplicationID), "application number"
		}
		slices.SortFunc(es, func(x, y ShortlistEntry) int { c, _ := order(x, y); return c })
		for i, e := range es {
			res := ShortlistResult{ApplicationID: e.ApplicationID, Specialism: sp, Score: e.Score, Position: i + 1, DecidedBy: "first place",
				Interviews: a.Interviews, Reserves: a.Reserves}
			if i > 0 {
				_, res.DecidedBy = order(es[i-1], e)
			}
			switch {
			case i < a.Interviews:
				res.Outcome = ShortlistInterview
			case i < a.Interviews+a.Reserves:
				res.Outcome, res.ReservePlace = ShortlistReserve, i-a.Interviews+1
			default:
				res.Outcome = ShortlistUnsuccessful
			}
			out = append(out, res)
		}
	}
	slices.SortFunc(out, func(x, y ShortlistResult) int { return cmp.Compare(x.ApplicationID, y.ApplicationID) })
	return out
}

// lottery is an application's draw in the published tie-break lottery:
// the first eight bytes of SHA-256 of the seed and the application id, so
// anyone can reproduce it.
func lottery(seed string, applicationID int64) uint64 {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s:%d", seed, applicationID)))
	return binary.BigEndian.Uint64(sum[:8])
}

// CanPublishShortlist says whether the round's shortlisting outcomes may
// be published at t: in a round with an interview allocation, once
// shortlisting has closed and before interviews do, and once only.
func CanPublishShortlist(r *Round, published bool, t time.Time) error {
	switch {
	case !r.Allocated():
		return apperr.Errorf(apperr.Conflict, "This round has no interview allocation: everyone at or above the benchmark is interviewed, so there are no outcomes to publish.")
	case published:
		return apperr.Errorf(apperr.Conflict, "The shortlisting outcomes have already been published.")
	}
	return r.RequireStage(StageInterviews, "publishing the shortlisting outcomes", t)
}

// FreesAllocation reports whether an applicant leaving the round with
// this outcome at t frees an interview allocation for a reserve: an
// invitee leaving before interviews close.
func FreesAllocation(r *Round, left ShortlistResult, t time.Time) bool {
	return left.Outcome == ShortlistInterview && r.Stage(t) == StageInterviews
}

// NextReserve is the reserve to invite when an allocation in specialism
// sp frees: the first on its reserve list who is still in the round.
func NextReserve(results []ShortlistResult, sp string, inRound func(applicationID int64) bool) (ShortlistResult, bool) {
	best, found := ShortlistResult{}, false
	for _, res := range results {
		if res.Specialism != sp || res.Outcome != ShortlistReserve || !inRound(res.ApplicationID) {
			continue
		}
		if !found || res.ReservePlace < best.ReservePlace {
			best, found = res, true
		}
	}
	return best, found
}

// Explain says what a shortlisting outcome means, for its applicant.
func (res ShortlistResult) Explain(r *Round) string {
	switch {
	case res.Outcome == ShortlistInterview && res.PromotedAt != nil:
		return fmt.Sprintf("An interview place came free, so you have been invited to interview from the reserve list (you were place %d on it).", res.ReservePlace)
	case res.Outcome == ShortlistInterview:
		return fmt.Sprintf("You have been invited to interview: your shortlisting score of %d placed you %d in your specialism, within its %d interview place(s).",
			res.Score, res.Position, res.Interviews)
	case res.Outcome == ShortlistReserve:
		return fmt.Sprintf("You are on the reserve list, at place %d: your score of %d placed you %d in your specialism, after its %d interview place(s). If an interview place comes free before interviews close on %s, the first reserve still in the round is invited.",
			res.ReservePlace, res.Score, res.Position, res.Interviews, r.PreferencesOpen.UTC().Format(dateFormat))
	case res.Position == 0:
		return fmt.Sprintf("Your shortlisting score of %d was below the benchmark of %d that every specialism shares.", res.Score, r.ShortlistPassMark)
	}
	return fmt.Sprintf("Your shortlisting score of %d placed you %d in your specialism, after its %d interview place(s) and %d reserve place(s).",
		res.Score, res.Position, res.Interviews, res.Reserves)
}

// ShortlistRules states, for the round's published rules, how
// shortlisting decides who is interviewed.
func (r *Round) ShortlistRules() string {
	bench := "There is no benchmark score"
	if r.ShortlistPassMark > 0 {
		bench = fmt.Sprintf("One benchmark applies across every specialism: an application scoring below %d is not shortlisted", r.ShortlistPassMark)
	}
	if !r.Allocated() {
		return bench + "; every application at or above it is invited to interview."
	}
	ties := "the lottery drawn from the published seed"
	if r.Test.TieBreak {
		ties = "the online test score, then " + ties
	}
	return fmt.Sprintf("%s. The rest are ranked in their specialism by shortlisting score; ties are broken by %s. "+
		"Each direct-entry post gives its specialism %d interview(s) and %d reserve place(s) for each of its places: the best-ranked are invited to interview, "+
		"the next are shortlisted reserves, and the rest are unsuccessful. When an invited applicant leaves the round before interviews close, the first reserve still in the round is invited and told.",
		bench, ties, r.InterviewsPerPlace, r.ReservesPerPlace)
}
