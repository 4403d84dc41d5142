package recruit

import (
	"context"
	"fmt"
	"slices"
)

// Feedback is an application's result at each stage, for its applicant:
// a stage's result once that stage has closed, and nothing about anyone
// else but the rank of the last person holding a place at each post they
// preferred.
type Feedback struct {
	ApplicationID int64 `json:"application_id"`
	// Test is the online test's outcome, once published.
	Test *TestOutcome `json:"test,omitempty"`
	// Shortlisting, once shortlisting has closed, for an application that
	// went on to it.
	Shortlisting *ShortlistFeedback `json:"shortlisting,omitempty"`
	// Interview, once interviews have closed, for an application that was
	// shortlisted.
	Interview *InterviewFeedback `json:"interview,omitempty"`
	// NationalRank is the application's place in its specialism, once
	// ranked.
	NationalRank *int `json:"national_rank,omitempty"`
	// Posts are the posts the applicant ranked, in their order, once the
	// match is published: where each stands now, after every offer
	// answered, expired and passed on.
	Posts []PostFeedback `json:"posts,omitempty"`
}

// ShortlistFeedback is the shortlisting result: the two reviewers' scores,
// the moderator's where there is one, and the score they make.
type ShortlistFeedback struct {
	Reviews     []int `json:"reviews"`
	Moderated   *int  `json:"moderated,omitempty"`
	Score       *int  `json:"score,omitempty"` // unset when the reviews were never completed
	PassMark    int   `json:"pass_mark"`       // the benchmark every specialism shares
	Shortlisted bool  `json:"shortlisted"`     // invited to interview
	// Outcome is the published outcome, in a round with an interview
	// allocation: interview, reserve or unsuccessful, with the
	// application's place in its specialism's shortlisting rank; and
	// Explanation says what it means.
	Outcome     *ShortlistResult `json:"outcome,omitempty"`
	Explanation string           `json:"explanation,omitempty"`
	// InService: an in-service nominee's application, which skipped
	// shortlisting and went straight to interview (no reviews, no score).
	InService bool `json:"in_service,omitempty"`
}

// InterviewFeedback is each station's score and the weighted interview
// score.
type InterviewFeedback struct {
	Stations []StationScore `json:"stations"`
	Score    *int           `json:"score,omitempty"` // unset when a station was not scored
}

// StationScore is one station's score, unset when it was not scored.
type StationScore struct {
	Name   string `json:"name"`
	Weight int    `json:"weight"`
	Score  *int   `json:"score,omitempty"`
}

// PostFeedback is one post the applicant ranked, as it stands now.
type PostFeedback struct {
	PostID     int64 `json:"post_id"`
	Preference int   `json:"preference"` // 1 for the applicant's first choice
	Places     int   `json:"places"`
	// YourRank is the post's rank of the applicant (by national rank, or
	// by the employer's own list); unset when the post did not rank them.
	YourRank *int `json:"your_rank,omitempty"`
	// LastPlacedRank is the post's rank of the lowest-ranked person who
	// holds one of its places now; unset when nobody does.
	LastPlacedRank *int   `json:"last_placed_rank,omitempty"`
	Holding        bool   `json:"holding"`
	Explanation    string `json:"explanation"`
}

// Feedback gathers an application's feedback.
func (s *Service) Feedback(ctx context.Context, applicationID int64) (*Feedback, error) {
	return read(ctx, s, func(tx Tx) (*Feedback, error) {
		a, err := tx.Application(applicationID)
		if err != nil {
			return nil, err
		}
		r, err := tx.Round(a.RoundID)
		if err != nil {
			return nil, err
		}
		now := tx.Now()
		fb := &Feedback{ApplicationID: a.ID, NationalRank: a.NationalRank}
		went := true // on from the online test
		if r.Test.Rule != TestRuleNone {
			went = false
			if r.TestPublishedAt != nil {
				_, outcomes, err := longlist(tx, r)
				if err != nil {
					return nil, err
				}
				if o, ok := outcomes[a.ID]; ok {
					fb.Test, went = &o, o.GoesOn
				}
			}
		}
		st, err := loadState(tx, Query{ApplicationID: a.ID})
		if err != nil {
			return nil, err
		}
		shortlisted := false
		if went && !now.Before(r.InterviewsOpen) {
			sf := &ShortlistFeedback{Reviews: []int{}, PassMark: r.ShortlistPassMark}
			for _, rv := range st.reviews[a.ID] {
				sf.Reviews = append(sf.Reviews, rv.Score)
			}
			if m := st.moderations[a.ID]; m != nil {
				sf.Moderated = &m.Score
			}
			score, done, ok := st.shortlist(r, a.ID)
			_, sf.InService = st.nominated[a.ID]
			if done && !sf.InService {
				sf.Score = &score
			}
			shortlisted, sf.Shortlisted = ok, ok
			if res, published := st.outcomes[a.ID]; published {
				sf.Outcome, sf.Explanation = &res, res.Explain(r)
			}
			fb.Shortlisting = sf
		}
		if shortlisted && !now.Before(r.PreferencesOpen) {
			stations, err := tx.Stations(r.ID)
			if err != nil {
				return nil, err
			}
			fb.Interview = interviewFeedback(stations, st.interviews[a.ID])
		}
		if r.MatchedAt != nil && a.NationalRank != nil {
			rm, err := market(tx, r.ID, nil)
			if err != nil {
				return nil, err
			}
			live, err := tx.Offers(OfferFilter{RoundID: r.ID, Live: true})
			if err != nil {
				return nil, err
			}
			mine, err := tx.Offers(OfferFilter{ApplicationID: a.ID})
			if err != nil {
				return nil, err
			}
			fb.Posts = postFeedback(rm, a, live, mine)
		}
		return fb, nil
	})
}

func interviewFeedback(stations []Station, scores []InterviewScore) *InterviewFeedback {
	f := &InterviewFeedback{Stations: []StationScore{}}
	for _, st := range stations {
		ss := StationScore{Name: st.Name, Weight: st.Weight}
		if i := slices.IndexFunc(scores, func(sc InterviewScore) bool { return sc.StationID == st.ID }); i >= 0 {
			ss.Score = &scores[i].Score
		}
		f.Stations = append(f.Stations, ss)
	}
	if score, done := WeightedInterview(stations, scores); done {
		f.Score = &score
	}
	return f
}

// postFeedback says, for each post application a ranked, the post's rank
// of a, the rank of the last person holding one of its places now (by the
// live offers), and why a does or does not hold it (by a's own offers,
// mine).
func postFeedback(rm *RoundMarket, a *Application, live, mine []Offer) []PostFeedback {
	ended := map[int64]string{} // post → how a's offer of it ended
	for _, o := range mine {
		if !o.Live() {
			ended[o.PostID] = o.Status
		}
	}
	index := make(map[int64]int32, len(rm.Apps))
	for i, id := range rm.Apps {
		index[id] = int32(i)
	}
	rankAt := func(app, post int64) (int, bool) {
		ai, ok := index[app]
		pi, open := rm.postIdx[post]
		if !ok || !open {
			return 0, false
		}
		r, ranked := rm.Market.RankAt(ai, pi)
		return int(r), ranked
	}
	last := map[int64]int{}
	held := int64(0)
	for _, o := range live {
		if o.ApplicationID == a.ID {
			held = o.PostID
		}
		if r, ok := rankAt(o.ApplicationID, o.PostID); ok && r > last[o.PostID] {
			last[o.PostID] = r
		}
	}
	places := map[int64]int{}
	for _, p := range rm.Posts {
		places[p.ID] = p.Places
	}
	out := []PostFeedback{}
	past := false // a post above this one is held
	for i, postID := range a.Preferences {
		f := PostFeedback{PostID: postID, Preference: i + 1, Places: places[postID], Holding: postID == held}
		if r, ok := rankAt(a.ID, postID); ok {
			f.YourRank = &r
		}
		if l, ok := last[postID]; ok {
			f.LastPlacedRank = &l
		}
		switch {
		case f.Holding:
			f.Explanation = "You hold a place here."
		case past:
			f.Explanation = "You hold a place at a post you ranked higher."
		case ended[postID] == OfferDeclined:
			f.Explanation = "You were offered a place here and declined it."
		case ended[postID] == OfferExpired:
			f.Explanation = "You were offered a place here, and the offer expired unanswered."
		case ended[postID] == OfferWithdrawn:
			f.Explanation = "You accepted a place here, and the employer withdrew it because a pre-employment check did not pass."
		case ended[postID] == OfferSuperseded:
			f.Explanation = "You were offered a place here, then moved up to a post you ranked higher."
		case f.Places == 0:
			f.Explanation = "This post has no places, or was withdrawn."
		case f.YourRank == nil:
			f.Explanation = "This post did not rank you: its employer ranked its applicants with its own list, and you were not on it."
		case f.LastPlacedRank == nil:
			f.Explanation = fmt.Sprintf("You were ranked %d here. Nobody holds a place here now.", *f.YourRank)
		case *f.LastPlacedRank < *f.YourRank:
			f.Explanation = fmt.Sprintf("You were ranked %d here. Its places are held by people it ranked above you; the last of them is ranked %d.", *f.YourRank, *f.LastPlacedRank)
		default:
			f.Explanation = fmt.Sprintf("You were ranked %d here, above the last person holding a place (ranked %d), but it was not offered to you: your application had ended, or you had accepted a post without asking to move up.", *f.YourRank, *f.LastPlacedRank)
		}
		past = past || f.Holding
		out = append(out, f)
	}
	return out
}
