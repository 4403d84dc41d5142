package recruit

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/auth"
)

// OpenRound opens a round with its timetable and published rules, and the
// interview stations, which may be set later until interviews begin.
func (s *Service) OpenRound(ctx context.Context, by auth.Actor, r *Round, stations []Station) error {
	if err := r.Validate(s.f); err != nil {
		return err
	}
	if len(stations) > 0 {
		if err := ValidateStations(stations); err != nil {
			return err
		}
	}
	return s.store.Write(ctx, func(tx Tx) error {
		if err := tx.InsertRound(r); err != nil {
			return err
		}
		if len(stations) > 0 {
			if err := tx.ReplaceStations(r.ID, stations); err != nil {
				return err
			}
		}
		return auditf(tx, by, "round.create", "round", r.ID, "%s %s, tie-break seed %s, pass mark %d, %d station(s)", r.Programme, r.Name, r.TieBreakSeed, r.ShortlistPassMark, len(stations))
	})
}

// Timetable is a round's dates, as the school changes them.
type Timetable struct {
	ApplicationsOpen, ShortlistingOpen, InterviewsOpen, PreferencesOpen, OffersOpen, StartDate time.Time
}

// ChangeTimetable moves a round's dates, so that a round can be moved on
// or given more time. The dates must stay in order; once the match is
// published only the start date may change.
func (s *Service) ChangeTimetable(ctx context.Context, by auth.Actor, roundID int64, t Timetable) (*Round, error) {
	return write(ctx, s, func(tx Tx) (*Round, error) {
		r, err := tx.LockRound(roundID)
		if err != nil {
			return nil, err
		}
		old := *r
		r.ApplicationsOpen, r.ShortlistingOpen, r.InterviewsOpen, r.PreferencesOpen, r.OffersOpen, r.StartDate =
			t.ApplicationsOpen, t.ShortlistingOpen, t.InterviewsOpen, t.PreferencesOpen, t.OffersOpen, t.StartDate
		if err := r.Validate(s.f); err != nil {
			return nil, err
		}
		if err := CheckTimetableChange(&old, r, tx.Now()); err != nil {
			return nil, err
		}
		if err := tx.UpdateTimetable(r); err != nil {
			return nil, err
		}
		var changes []string
		for _, w := range []struct {
			name     string
			from, to time.Time
		}{{"applications", old.ApplicationsOpen, r.ApplicationsOpen}, {"shortlisting", old.ShortlistingOpen, r.ShortlistingOpen},
			{"interviews", old.InterviewsOpen, r.InterviewsOpen}, {"preferences", old.PreferencesOpen, r.PreferencesOpen},
			{"offers", old.OffersOpen, r.OffersOpen}, {"start", old.StartDate, r.StartDate}} {
			if !w.from.Equal(w.to) {
				changes = append(changes, fmt.Sprintf("%s %s → %s", w.name, w.from.UTC().Format(time.RFC3339), w.to.UTC().Format(time.RFC3339)))
			}
		}
		if len(changes) == 0 {
			return r, nil
		}
		return r, auditf(tx, by, "round.timetable", "round", roundID, "%s", strings.Join(changes, "; "))
	})
}

// SetStations replaces a round's interview stations, until interviews
// begin.
func (s *Service) SetStations(ctx context.Context, by auth.Actor, roundID int64, stations []Station) error {
	if err := ValidateStations(stations); err != nil {
		return err
	}
	return s.store.Write(ctx, func(tx Tx) error {
		r, err := tx.LockRound(roundID)
		if err != nil {
			return err
		}
		if err := CanSetStations(r, tx.Now()); err != nil {
			return err
		}
		if err := tx.ReplaceStations(roundID, stations); err != nil {
			return err
		}
		var names []string
		for _, st := range stations {
			names = append(names, fmt.Sprintf("%s (weight %d)", st.Name, st.Weight))
		}
		return auditf(tx, by, "round.stations", "round", roundID, "%s", strings.Join(names, ", "))
	})
}

// AppointReviewer appoints a person to review a round's applications,
// naming the organisation they work for, if any. They get the reviewer
// role for that round.
func (s *Service) AppointReviewer(ctx context.Context, by auth.Actor, roundID int64, email string, organisationID int64) (*Appointment, error) {
	return write(ctx, s, func(tx Tx) (*Appointment, error) {
		r, err := tx.LockRound(roundID)
		if err != nil {
			return nil, err
		}
		if !tx.Now().Before(r.InterviewsOpen) {
			return nil, apperr.Errorf(apperr.Conflict, "Reviewers could be appointed until shortlisting closed on %s.", r.InterviewsOpen.UTC().Format(dateFormat))
		}
		p, err := tx.PersonByEmail(auth.NormaliseEmail(email))
		if apperr.Code(err) == apperr.NotFound {
			return nil, apperr.Invalidf("email", "There is no account for %q: they need an hcs account first", email)
		}
		if err != nil {
			return nil, err
		}
		a := &Appointment{RoundID: roundID, UserID: p.ID, Name: p.Name, OrganisationID: organisationID}
		apps, err := tx.Applications(roundID)
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(apps, func(ap Application) bool { return ap.UserID == p.ID }) {
			return nil, &apperr.Error{Code: apperr.Conflict, Field: "email", Message: p.Name + " has applied in this round, so cannot review it."}
		}
		employers, err := tx.EmployersOf(p.ID)
		if err != nil {
			return nil, err
		}
		if err := CheckReviewerEmployer(employers, organisationID); err != nil {
			return nil, err
		}
		if organisationID != 0 {
			o, err := tx.Organisation(organisationID)
			if err != nil || o.Kind != auth.OrgTrust {
				return nil, apperr.Invalidf("organisation_id", "choose the NHS employer the reviewer works for, or none")
			}
			a.Organisation = o.Name
		}
		if err := tx.InsertAppointment(a); err != nil {
			if apperr.Code(err) == apperr.Conflict {
				return nil, &apperr.Error{Code: apperr.Conflict, Field: "email", Message: p.Name + " is already a reviewer in this round.", Err: err}
			}
			return nil, err
		}
		return a, auditf(tx, by, "round.reviewer", "round", roundID, "appointed user %d, organisation %d", p.ID, organisationID)
	})
}

// AssignResult says what assigning reviewers did.
type AssignResult struct {
	Assigned int      `json:"assigned"` // new assignments
	Short    []string `json:"short"`    // applications that still lack a reviewer
}

// AssignReviewers gives every application of the round its two reviewers,
// balanced across the appointed reviewers and never to someone from the
// applicant's own employer. It may run again when reviewers or
// applications are added; existing assignments stay.
func (s *Service) AssignReviewers(ctx context.Context, by auth.Actor, roundID int64) (*AssignResult, error) {
	return write(ctx, s, func(tx Tx) (*AssignResult, error) {
		r, err := tx.LockRound(roundID)
		if err != nil {
			return nil, err
		}
		if err := r.RequireStage(StageShortlisting, "assigning reviewers", tx.Now()); err != nil {
			return nil, err
		}
		apps, err := tx.Applications(roundID)
		if err != nil {
			return nil, err
		}
		if r.Test.Rule != TestRuleNone && r.TestPublishedAt == nil {
			return nil, apperr.Errorf(apperr.Conflict, "Publish the online test's outcomes before assigning reviewers: only applications that go on from the test are reviewed.")
		}
		if apps, err = goingOn(tx, r, InRound(apps)); err != nil {
			return nil, err
		}
		// In-service nominees skip shortlisting.
		nominated, err := nominators(tx, Query{RoundID: roundID})
		if err != nil {
			return nil, err
		}
		apps = slices.DeleteFunc(apps, func(a Application) bool { _, ok := nominated[a.ID]; return ok })
		reviewers, err := tx.Appointments(roundID)
		if err != nil {
			return nil, err
		}
		existing, err := tx.Assignments(Query{RoundID: roundID})
		if err != nil {
			return nil, err
		}
		var todo []ToAssign
		for _, a := range apps {
			todo = append(todo, ToAssign{ApplicationID: a.ID, ApplicantID: a.UserID, EmployerID: a.Submitted.EmployerID})
		}
		added, short := AssignReviewers(todo, reviewers, existing)
		for _, as := range added {
			if err := tx.InsertAssignment(as); err != nil {
				return nil, err
			}
		}
		res := &AssignResult{Assigned: len(added), Short: []string{}}
		for _, id := range short {
			res.Short = append(res.Short, Reference(id))
		}
		return res, auditf(tx, by, "round.assign", "round", roundID, "%d assignment(s) to %d reviewer(s); %d application(s) short of reviewers", len(added), len(reviewers), len(short))
	})
}

// RankRound draws up the national rank, in the preferences stage, once
// every application is reviewed, moderated where needed and, if
// shortlisted, interviewed at every station. It may run again until the
// match is published.
func (s *Service) RankRound(ctx context.Context, by auth.Actor, roundID int64) ([]Ranked, error) {
	return write(ctx, s, func(tx Tx) ([]Ranked, error) {
		r, err := tx.LockRound(roundID)
		if err != nil {
			return nil, err
		}
		if err := r.RequireStage(StagePreferences, "ranking", tx.Now()); err != nil {
			return nil, err
		}
		if r.Allocated() && r.ShortlistPublishedAt == nil {
			return nil, apperr.Errorf(apperr.Conflict, "The round cannot be ranked: its shortlisting outcomes were never published, so nobody was invited to interview.")
		}
		stations, err := tx.Stations(roundID)
		if err != nil {
			return nil, err
		}
		apps, err := tx.Applications(roundID)
		if err != nil {
			return nil, err
		}
		if apps, err = goingOn(tx, r, InRound(apps)); err != nil {
			return nil, err
		}
		st, err := loadState(tx, Query{RoundID: roundID})
		if err != nil {
			return nil, err
		}
		tests := map[int64]*TestMark{}
		if r.Test.Rule != TestRuleNone {
			scores, err := tx.TestScores(roundID)
			if err != nil {
				return nil, err
			}
			for _, t := range scores {
				tests[t.ApplicationID] = &t.Score
			}
		}
		scored := make([]Scored, len(apps))
		for i, a := range apps {
			_, nominee := st.nominated[a.ID]
			scored[i] = Scored{Application: a, Reviews: st.reviews[a.ID], Moderation: st.moderations[a.ID], Interviews: st.interviews[a.ID], Test: tests[a.ID],
				Nominee: nominee, Outcome: st.outcomes[a.ID].Outcome}
		}
		bySpecialism, missing := RankRound(r, stations, scored)
		if len(missing) > 0 {
			return nil, apperr.Errorf(apperr.Conflict, "The round cannot be ranked yet: %s.", strings.Join(missing, "; "))
		}
		var all []Ranked
		for _, sp := range sortedKeys(bySpecialism) {
			all = append(all, bySpecialism[sp]...)
		}
		if err := tx.SetRanks(roundID, all); err != nil {
			return nil, err
		}
		if all == nil {
			all = []Ranked{}
		}
		return all, auditf(tx, by, "round.rank", "round", roundID, "%d of %d applications ranked in %d specialism(s); ties broken by seed %q",
			len(all), len(apps), len(bySpecialism), r.TieBreakSeed)
	})
}

// market builds the round's market from its records.
func market(tx Tx, roundID int64, capacities map[int64]int) (*RoundMarket, error) {
	posts, err := tx.Posts(roundID)
	if err != nil {
		return nil, err
	}
	apps, err := tx.Applications(roundID)
	if err != nil {
		return nil, err
	}
	apps = InRound(apps)
	own, err := tx.PostRankings(roundID)
	if err != nil {
		return nil, err
	}
	nominated, err := nominators(tx, Query{RoundID: roundID})
	if err != nil {
		return nil, err
	}
	return NewRoundMarket(posts, apps, own, nominated, capacities)
}

// PublishMatch runs the round's stable match and makes its offers, once:
// only in the matching stage, only after the round is ranked, only if the
// verifier finds the result stable and within every capacity.
func (s *Service) PublishMatch(ctx context.Context, by auth.Actor, roundID int64) (*MatchOutcome, error) {
	return write(ctx, s, func(tx Tx) (*MatchOutcome, error) {
		r, err := tx.LockRound(roundID)
		if err != nil {
			return nil, err
		}
		if r.MatchedAt != nil {
			return nil, apperr.Errorf(apperr.Conflict, "This round's match was published on %s; offers now move by cascade.", r.MatchedAt.UTC().Format(dateFormat))
		}
		if err := r.RequireStage(StageOffers, "publishing the match", tx.Now()); err != nil {
			return nil, err
		}
		rm, err := market(tx, roundID, nil)
		if err != nil {
			return nil, err
		}
		if len(rm.Apps) == 0 {
			return nil, apperr.Errorf(apperr.Conflict, "Nobody is ranked in this round yet: rank it before publishing the match.")
		}
		assigned, out := rm.Run()
		if !out.Verification.OK() {
			return nil, fmt.Errorf("the verifier rejected round %d's match: %+v", roundID, out.Verification)
		}
		first, err := tx.MarkMatched(roundID)
		if err != nil {
			return nil, err
		}
		if !first {
			return nil, apperr.Errorf(apperr.Conflict, "This round's match has already been published.")
		}
		deadline := OfferDeadline(r, tx.Now())
		seats := map[int32]int{}
		for i, p := range assigned {
			if p == Unmatched {
				continue
			}
			seats[p]++
			o := &Offer{RoundID: roundID, ApplicationID: rm.Apps[i], PostID: rm.Posts[p].ID, Seat: seats[p], Deadline: deadline}
			if err := s.makeOffer(tx, by, o, "match"); err != nil {
				return nil, err
			}
		}
		return out, auditf(tx, by, "round.match", "round", roundID, "matched %d, unmatched %d, %d places; verifier: %d blocking pairs, %d over capacity",
			out.Matched, out.Unmatched, out.Places, out.Verification.BlockingPairs, out.Verification.OverCapacity)
	})
}

// WhatIf is a match run that publishes nothing, optionally with other
// capacities, and the difference from the match with today's capacities.
type WhatIf struct {
	WhatIf  *MatchOutcome `json:"what_if"`
	Current *MatchOutcome `json:"current"`
	Changes []Change      `json:"changes"`
}

// Change is one application whose result a what-if changes.
type Change struct {
	ApplicationID int64 `json:"application_id"`
	FromPost      int64 `json:"from_post"`
	ToPost        int64 `json:"to_post"`
}

// RunWhatIf runs the round's match without publishing it, once the round
// is ranked.
func (s *Service) RunWhatIf(ctx context.Context, roundID int64, capacities map[int64]int) (*WhatIf, error) {
	return read(ctx, s, func(tx Tx) (*WhatIf, error) {
		if _, err := tx.Round(roundID); err != nil {
			return nil, err
		}
		rm, err := market(tx, roundID, capacities)
		if err != nil {
			return nil, err
		}
		if len(rm.Apps) == 0 {
			return nil, apperr.Errorf(apperr.Conflict, "Nobody is ranked in this round yet: rank it before trying the match.")
		}
		_, what := rm.Run()
		base, err := market(tx, roundID, nil)
		if err != nil {
			return nil, err
		}
		_, current := base.Run()
		out := &WhatIf{WhatIf: what, Current: current, Changes: []Change{}}
		for _, id := range rm.Apps {
			if what.Assignments[id] != current.Assignments[id] {
				out.Changes = append(out.Changes, Change{ApplicationID: id, FromPost: current.Assignments[id], ToPost: what.Assignments[id]})
			}
		}
		return out, nil
	})
}

// Result explains an application's match: the post it got, and for each
// post it preferred, why not.
func (s *Service) Result(ctx context.Context, applicationID int64) (*Result, error) {
	return read(ctx, s, func(tx Tx) (*Result, error) {
		a, err := tx.Application(applicationID)
		if err != nil {
			return nil, err
		}
		r, err := tx.Round(a.RoundID)
		if err != nil {
			return nil, err
		}
		if r.MatchedAt == nil || a.NationalRank == nil {
			return nil, apperr.Errorf(apperr.NotFound, "there is no match result for this application yet")
		}
		rm, err := market(tx, a.RoundID, nil)
		if err != nil {
			return nil, err
		}
		assigned, _ := rm.Run()
		return rm.Explain(assigned, a.ID, *a.NationalRank), nil
	})
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
