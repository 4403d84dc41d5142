package recruit

import (
	"fmt"

	"hcs/internal/apperr"
)

// RoundMarket is a round's stable-matching market: its ranked applications
// and open posts. Each post ranks the applicants of its specialism by
// national rank, or by its employer's own list when it has one (then only
// those listed are acceptable).
type RoundMarket struct {
	Market  *Market
	Apps    []int64 // market applicant index → application id
	Posts   []Post  // market post index → post
	postIdx map[int64]int32
}

// NewRoundMarket builds the market from the round's posts, its
// applications (only those with a national rank take part), each
// application's preferences, the posts' own lists, and the in-service
// nominees (application → the employer that nominated it): an
// in-service post accepts only its employer's nominees, and a nominee
// only in-service posts of their employer (MayHold). capacities, for a
// what-if, replace posts' places.
func NewRoundMarket(posts []Post, apps []Application, own map[int64][]int64, nominated map[int64]int64, capacities map[int64]int) (*RoundMarket, error) {
	rm := &RoundMarket{postIdx: map[int64]int32{}}
	for _, p := range posts {
		if p.Status != PostWithdrawn {
			rm.postIdx[p.ID] = int32(len(rm.Posts))
			rm.Posts = append(rm.Posts, p)
		}
	}
	capacity := make([]int32, len(rm.Posts))
	for i, p := range rm.Posts {
		capacity[i] = int32(p.Places)
	}
	for id, c := range capacities {
		i, ok := rm.postIdx[id]
		switch {
		case !ok:
			return nil, invalidCapacity("post %d is not an open post of this round", id)
		case c < 0 || c > MaxPlaces:
			return nil, invalidCapacity("post %d: capacity %d must be 0 to %d", id, c, MaxPlaces)
		}
		capacity[i] = int32(c)
	}
	var ranks []int
	var specs []string
	var prefs [][]int32
	for _, a := range apps {
		if a.NationalRank == nil {
			continue
		}
		var mine []int32
		for _, p := range a.Preferences {
			if i, ok := rm.postIdx[p]; ok {
				mine = append(mine, i)
			}
		}
		rm.Apps, ranks, specs, prefs = append(rm.Apps, a.ID), append(ranks, *a.NationalRank), append(specs, a.Specialism), append(prefs, mine)
	}
	lists := map[int32]map[int64]int32{} // post index → application → rank
	for post, list := range own {
		i, ok := rm.postIdx[post]
		if !ok || len(list) == 0 {
			continue
		}
		lists[i] = map[int64]int32{}
		for r, app := range list {
			lists[i][app] = int32(r + 1)
		}
	}
	rm.Market = NewMarket(capacity, prefs, func(post, applicant int32) (int32, bool) {
		if rm.Posts[post].Specialism != specs[applicant] || !MayHold(&rm.Posts[post], nominated[rm.Apps[applicant]]) {
			return 0, false
		}
		if list, ok := lists[post]; ok {
			r, listed := list[rm.Apps[applicant]]
			return r, listed
		}
		return int32(ranks[applicant]), true
	})
	return rm, nil
}

func invalidCapacity(format string, args ...any) error {
	return apperr.Invalidf("capacities", format, args...)
}

// MatchOutcome is a match's result, published or not.
type MatchOutcome struct {
	Matched      int             `json:"matched"`
	Unmatched    int             `json:"unmatched"`
	Places       int             `json:"places"`
	Unfilled     int             `json:"unfilled"`
	Verification Verification    `json:"verification"`
	Assignments  map[int64]int64 `json:"assignments"` // application → post (0: unmatched)
}

// Run matches the market and verifies the result.
func (rm *RoundMarket) Run() (assigned []int32, out *MatchOutcome) {
	assigned = rm.Market.Match()
	out = &MatchOutcome{Verification: rm.Market.Verify(assigned), Assignments: map[int64]int64{}}
	for p := range rm.Posts {
		out.Places += int(rm.Market.Capacity(int32(p)))
	}
	for i, p := range assigned {
		if p == Unmatched {
			out.Unmatched++
			out.Assignments[rm.Apps[i]] = 0
			continue
		}
		out.Matched++
		out.Assignments[rm.Apps[i]] = rm.Posts[p].ID
	}
	out.Unfilled = out.Places - out.Matched
	return assigned, out
}

// Result is what an applicant sees about their match.
type Result struct {
	ApplicationID int64        `json:"application_id"`
	PostID        int64        `json:"post_id,omitempty"`
	NationalRank  int          `json:"national_rank"`
	Reasons       []PostReason `json:"reasons"`
}

// PostReason explains one post the applicant preferred to their result.
type PostReason struct {
	PostID int64 `json:"post_id"`
	Reason
}

// Explain says, for each post an application preferred to the one the
// match gave it, why it did not get it, without revealing anyone else.
// Posts' ranks count from 1.
func (rm *RoundMarket) Explain(assigned []int32, applicationID int64, nationalRank int) *Result {
	res := &Result{ApplicationID: applicationID, NationalRank: nationalRank, Reasons: []PostReason{}}
	me := int32(-1)
	for i, id := range rm.Apps {
		if id == applicationID {
			me = int32(i)
		}
	}
	if me < 0 {
		return res
	}
	if p := assigned[me]; p != Unmatched {
		res.PostID = rm.Posts[p].ID
	}
	for _, reason := range rm.Market.Explain(assigned, me) {
		// The market counts ranks from its own values plus one; posts rank
		// by national rank or own list, both already counted from 1.
		reason.YourRank, reason.CutOffRank = reason.YourRank-1, reason.CutOffRank-1
		reason.Explanation = fmt.Sprintf("All %d place(s) went to applicants this post ranked above you: you were ranked %d and the last place went to the applicant ranked %d.",
			reason.Places, reason.YourRank, reason.CutOffRank)
		if reason.Places == 0 {
			reason.Explanation = "This post had no places."
		}
		res.Reasons = append(res.Reasons, PostReason{PostID: rm.Posts[reason.PostIndex].ID, Reason: reason})
	}
	return res
}
