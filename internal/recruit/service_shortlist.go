package recruit

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"hcs/internal/apperr"
	"hcs/internal/auth"
)

// ShortlistStage is a round's shortlisting outcomes, for the national
// school: each specialism's interview allocation and what became of its
// applications, by reference. Before publication it shows the outcomes as
// they would be published now.
type ShortlistStage struct {
	Round       Round                   `json:"round"`
	Published   bool                    `json:"published"`
	Rules       string                  `json:"rules"`
	Specialisms []ShortlistSpecialism   `json:"specialisms"`
	Outcomes    []ShortlistStageOutcome `json:"outcomes"`
	// Missing names the applications whose shortlisting is not complete,
	// which hold publication back.
	Missing []string `json:"missing"`
}

// ShortlistSpecialism is one specialism's allocation and outcomes.
type ShortlistSpecialism struct {
	Allocation
	Name         string `json:"name"`
	Interview    int    `json:"interview"` // invited, promoted reserves among them
	Promoted     int    `json:"promoted"`
	Reserve      int    `json:"reserve"` // reserves not invited
	Unsuccessful int    `json:"unsuccessful"`
	Left         int    `json:"left"` // invited or reserve, then withdrew
}

// ShortlistStageOutcome is one application's outcome, by reference.
type ShortlistStageOutcome struct {
	Reference string `json:"reference"`
	ShortlistResult
	Withdrawn bool `json:"withdrawn"`
}

// Shortlisting shows a round's shortlisting outcomes.
func (s *Service) Shortlisting(ctx context.Context, roundID int64) (*ShortlistStage, error) {
	return read(ctx, s, func(tx Tx) (*ShortlistStage, error) {
		r, err := tx.Round(roundID)
		if err != nil {
			return nil, err
		}
		return s.shortlisting(tx, r)
	})
}

func (s *Service) shortlisting(tx Tx, r *Round) (*ShortlistStage, error) {
	st := &ShortlistStage{Round: *r, Published: r.ShortlistPublishedAt != nil, Rules: r.ShortlistRules(), Specialisms: []ShortlistSpecialism{},
		Outcomes: []ShortlistStageOutcome{}, Missing: []string{}}
	var results []ShortlistResult
	var err error
	if st.Published {
		results, err = tx.ShortlistResults(Query{RoundID: r.ID})
	} else {
		results, st.Missing, err = planShortlist(tx, r)
	}
	if err != nil {
		return nil, err
	}
	posts, err := tx.Posts(r.ID)
	if err != nil {
		return nil, err
	}
	apps, err := tx.Applications(r.ID)
	if err != nil {
		return nil, err
	}
	withdrawn := map[int64]bool{}
	for _, a := range apps {
		withdrawn[a.ID] = a.Withdrawn()
	}
	bySpecialism := map[string]*ShortlistSpecialism{}
	at := func(sp string, a Allocation) *ShortlistSpecialism {
		if bySpecialism[sp] == nil {
			a.Specialism = sp
			bySpecialism[sp] = &ShortlistSpecialism{Allocation: a, Name: s.specialismName(sp)}
		}
		return bySpecialism[sp]
	}
	for sp, a := range Allocations(r, posts) {
		at(sp, a)
	}
	for _, res := range results {
		sp := at(res.Specialism, Allocation{Interviews: res.Interviews, Reserves: res.Reserves})
		if st.Published {
			// The allocation as published, whatever posts did since.
			sp.Interviews, sp.Reserves = res.Interviews, res.Reserves
		}
		switch {
		case withdrawn[res.ApplicationID] && res.Outcome != ShortlistUnsuccessful:
			sp.Left++
		case res.Outcome == ShortlistInterview:
			sp.Interview++
		case res.Outcome == ShortlistReserve:
			sp.Reserve++
		default:
			sp.Unsuccessful++
		}
		if res.PromotedAt != nil {
			sp.Promoted++
		}
		st.Outcomes = append(st.Outcomes, ShortlistStageOutcome{Reference: Reference(res.ApplicationID), ShortlistResult: res, Withdrawn: withdrawn[res.ApplicationID]})
	}
	for _, sp := range bySpecialism {
		st.Specialisms = append(st.Specialisms, *sp)
	}
	slices.SortFunc(st.Specialisms, func(a, b ShortlistSpecialism) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(st.Outcomes, func(a, b ShortlistStageOutcome) int {
		return cmp.Or(strings.Compare(a.Specialism, b.Specialism), cmp.Compare(rankKey(a.Position), rankKey(b.Position)), cmp.Compare(a.ApplicationID, b.ApplicationID))
	})
	return st, nil
}

// rankKey orders positions with the unranked (0) last.
func rankKey(position int) int {
	if position == 0 {
		return math.MaxInt
	}
	return position
}

// planShortlist works out the shortlisting outcomes as they would be
// published now, from the applications still in the round that went on
// from the online test, nominees aside (they skip shortlisting). It names
// instead the applications whose scores are not complete.
func planShortlist(tx Tx, r *Round) (results []ShortlistResult, missing []string, err error) {
	posts, err := tx.Posts(r.ID)
	if err != nil {
		return nil, nil, err
	}
	apps, err := tx.Applications(r.ID)
	if err != nil {
		return nil, nil, err
	}
	if apps, err = goingOn(tx, r, InRound(apps)); err != nil {
		return nil, nil, err
	}
	st, err := loadState(tx, Query{RoundID: r.ID})
	if err != nil {
		return nil, nil, err
	}
	tests := map[int64]*TestMark{}
	if r.Test.Rule != TestRuleNone {
		scores, err := tx.TestScores(r.ID)
		if err != nil {
			return nil, nil, err
		}
		for _, t := range scores {
			tests[t.ApplicationID] = &t.Score
		}
	}
	var entries []ShortlistEntry
	missing = []string{}
	for _, a := range apps {
		if _, nominee := st.nominated[a.ID]; nominee {
			continue
		}
		reviews := st.reviews[a.ID]
		score, done := ShortlistScore(r.ScoreMargin, reviews, st.moderations[a.ID])
		switch {
		case len(reviews) < ReviewsPerApplication:
			missing = append(missing, fmt.Sprintf("%s has %d of 2 reviews", Reference(a.ID), len(reviews)))
			continue
		case !done:
			missing = append(missing, Reference(a.ID)+" needs moderation")
			continue
		}
		entries = append(entries, ShortlistEntry{ApplicationID: a.ID, Specialism: a.Specialism, Score: score, Test: tests[a.ID]})
	}
	return Shortlist(r, Allocations(r, posts), entries), missing, nil
}

// PublishShortlist fixes a round's shortlisting outcomes, once, after
// shortlisting closes: each scored application is invited to interview,
// made a shortlisted reserve or told it was unsuccessful, and everyone is
// told theirs and why. It is refused while any application still lacks
// its reviews or moderation.
func (s *Service) PublishShortlist(ctx context.Context, by auth.Actor, roundID int64) (*ShortlistStage, error) {
	return write(ctx, s, func(tx Tx) (*ShortlistStage, error) {
		r, err := tx.LockRound(roundID)
		if err != nil {
			return nil, err
		}
		if err := CanPublishShortlist(r, r.ShortlistPublishedAt != nil, tx.Now()); err != nil {
			return nil, err
		}
		if r.Test.Rule != TestRuleNone && r.TestPublishedAt == nil {
			return nil, apperr.Errorf(apperr.Conflict, "Publish the online test's outcomes first: shortlisting follows from them.")
		}
		results, missing, err := planShortlist(tx, r)
		if err != nil {
			return nil, err
		}
		if len(missing) > 0 {
			return nil, apperr.Errorf(apperr.Conflict, "The shortlisting outcomes cannot be published yet: %s.", strings.Join(missing, "; "))
		}
		marked, err := tx.MarkShortlistPublished(roundID)
		if err != nil {
			return nil, err
		}
		if !marked {
			return nil, apperr.Errorf(apperr.Conflict, "The shortlisting outcomes have already been published.")
		}
		if err := tx.SaveShortlistResults(roundID, results); err != nil {
			return nil, err
		}
		now := tx.Now()
		r.ShortlistPublishedAt = &now
		counts := map[string]int{}
		for _, res := range results {
			counts[res.Outcome]++
			a, err := tx.Application(res.ApplicationID)
			if err != nil {
				return nil, err
			}
			person, err := tx.Person(a.UserID)
			if err != nil {
				return nil, err
			}
			next := map[string]string{
				ShortlistInterview:    "The interview panel will contact you. Interviews close on " + r.PreferencesOpen.UTC().Format(dateFormat) + ".",
				ShortlistReserve:      "You need do nothing now: if you are invited, you will be told at once.",
				ShortlistUnsuccessful: "Your application in this round has ended. Your feedback is on your application's page.",
			}[res.Outcome]
			body := fmt.Sprintf("Your shortlisting outcome for %s (%s): %s.\n\n%s\n\n%s\n", r.Name, Reference(a.ID), ShortlistOutcomeNames[res.Outcome], res.Explain(r), next)
			if err := tx.Send(*person, "Your shortlisting outcome: "+ShortlistOutcomeNames[res.Outcome], body); err != nil {
				return nil, err
			}
		}
		st, err := s.shortlisting(tx, r)
		if err != nil {
			return nil, err
		}
		return st, auditf(tx, by, "round.shortlist_publish", "round", roundID, "shortlisting outcomes published: %d invited to interview, %d reserve(s), %d unsuccessful",
			counts[ShortlistInterview], counts[ShortlistReserve], counts[ShortlistUnsuccessful])
	})
}

// promoteFor invites the next reserve to interview when the application
// leaving the round frees an interview allocation, and tells them. The
// caller holds the round's lock, so two leaving at once promote two
// different reserves.
func (s *Service) promoteFor(tx Tx, by auth.Actor, r *Round, left *Application) error {
	if !r.Allocated() || r.ShortlistPublishedAt == nil {
		return nil
	}
	results, err := tx.ShortlistResults(Query{RoundID: r.ID})
	if err != nil {
		return err
	}
	i := slices.IndexFunc(results, func(res ShortlistResult) bool { return res.ApplicationID == left.ID })
	if i < 0 || !FreesAllocation(r, results[i], tx.Now()) {
		return nil
	}
	apps, err := tx.Applications(r.ID)
	if err != nil {
		return err
	}
	inRound := map[int64]bool{}
	for _, a := range InRound(apps) {
		inRound[a.ID] = true
	}
	next, ok := NextReserve(results, results[i].Specialism, func(id int64) bool { return inRound[id] })
	if !ok {
		return nil
	}
	promoted, err := tx.PromoteReserve(next.ApplicationID)
	if err != nil {
		return err
	}
	if !promoted {
		return fmt.Errorf("promoting %s: it is no longer a reserve", Reference(next.ApplicationID))
	}
	a, err := tx.Application(next.ApplicationID)
	if err != nil {
		return err
	}
	person, err := tx.Person(a.UserID)
	if err != nil {
		return err
	}
	body := fmt.Sprintf("An interview place has come free in %s, so you are invited to interview from the reserve list (%s, reserve place %d).\n\n"+
		"The interview panel will contact you. Interviews close on %s.\n", r.Name, Reference(a.ID), next.ReservePlace, r.PreferencesOpen.UTC().Format(dateFormat))
	if err := tx.Send(*person, "You are invited to interview", body); err != nil {
		return err
	}
	return auditf(tx, by, "shortlist.promote", "application", a.ID, "reserve place %d invited to interview after %s left the round",
		next.ReservePlace, Reference(left.ID))
}
