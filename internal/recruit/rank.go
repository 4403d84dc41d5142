package recruit

import (
	"cmp"
	"fmt"
	"slices"
)

// Candidate is an applicant's scores for the national rank.
type Candidate struct {
	ApplicationID  int64 `json:"application_id"`
	ShortlistScore int   `json:"shortlist_score"`
	InterviewScore int   `json:"interview_score"`
	// TestScore is the online test's score, when the round has a test;
	// it breaks ties only where the round's rule says so.
	TestScore *TestMark `json:"test_score,omitempty"`
}

// Ranked is a candidate's place in the national rank and the rule that
// decided it against the candidate above.
type Ranked struct {
	Candidate
	Rank      int    `json:"rank"`
	Weighted  int    `json:"weighted"`
	DecidedBy string `json:"decided_by"`
	// InService: an in-service nominee, ranked among the specialism's
	// nominees alone.
	InService bool `json:"in_service,omitempty"`
}

// NationalRank orders candidates by weighted score. Ties are broken in
// the order RankOrder states: the interview score, then the shortlisting
// score, then (where the round's test rule says so) the online test score,
// with no score below any, then a lottery drawn from the published seed
// (SHA-256 of seed and application id), so anyone can reproduce the
// order.
func NationalRank(r *Round, cands []Candidate) []Ranked {
	out := make([]Ranked, len(cands))
	draws := make(map[int64]uint64, len(cands))
	for i, c := range cands {
		out[i] = Ranked{Candidate: c, Weighted: r.ShortlistWeight*c.ShortlistScore + r.InterviewWeight*c.InterviewScore}
		draws[c.ApplicationID] = lottery(r.TieBreakSeed, c.ApplicationID)
	}
	order := func(a, b Ranked) (int, string) {
		switch {
		case a.Weighted != b.Weighted:
			return b.Weighted - a.Weighted, "weighted score"
		case a.InterviewScore != b.InterviewScore:
			return b.InterviewScore - a.InterviewScore, "interview score"
		case a.ShortlistScore != b.ShortlistScore:
			return b.ShortlistScore - a.ShortlistScore, "shortlisting score"
		case r.Test.TieBreak && testMark(a.TestScore) != testMark(b.TestScore):
			return testMark(b.TestScore) - testMark(a.TestScore), "online test score"
		case draws[a.ApplicationID] != draws[b.ApplicationID]:
			return cmp.Compare(draws[a.ApplicationID], draws[b.ApplicationID]), "lottery"
		}
		return cmp.Compare(a.ApplicationID, b.ApplicationID), "application number"
	}
	slices.SortFunc(out, func(a, b Ranked) int { c, _ := order(a, b); return c })
	for i := range out {
		out[i].Rank = i + 1
		out[i].DecidedBy = "first place"
		if i > 0 {
			_, out[i].DecidedBy = order(out[i-1], out[i])
		}
	}
	return out
}

// testMark is a test score for comparison: no score below any.
func testMark(m *TestMark) int {
	if m == nil {
		return -1
	}
	return int(*m)
}

// RankOrder states, for the round's published rules, how its national
// rank is drawn up.
func (r *Round) RankOrder() string {
	test := ""
	if r.Test.TieBreak {
		test = ", then the online test score"
	}
	return fmt.Sprintf("Applications are ranked in each specialism by their weighted score (the shortlisting score × %d plus the interview score × %d); ties are broken by the interview score, then the shortlisting score%s, then a lottery drawn from the published seed %q.",
		r.ShortlistWeight, r.InterviewWeight, test, r.TieBreakSeed)
}

// Reason explains, for one post an applicant preferred to the one they got,
// why they did not get it, without revealing anyone else.
type Reason struct {
	PostIndex   int32  `json:"-"`
	YourRank    int32  `json:"your_rank"`
	CutOffRank  int32  `json:"cut_off_rank"` // the post's rank of its lowest-ranked assignee
	Places      int32  `json:"places"`
	Explanation string `json:"explanation"`
}

// Explain says, for each post applicant a preferred to its result, that
// its places went to applicants the post ranked above a. Ranks are the
// post's order of applicants, counted from 1.
func (m *Market) Explain(assigned []int32, a int32) []Reason {
	var out []Reason
	worst := map[int32]int32{}
	for b, p := range assigned {
		if p == Unmatched {
			continue
		}
		if r, ok := m.RankAt(int32(b), p); ok {
			worst[p] = max(worst[p], r+1)
		}
	}
	for i := m.start[a]; i < m.start[a+1]; i++ {
		p, r := m.prefs[i].post, m.prefs[i].rank
		if p == assigned[a] {
			break
		}
		reason := Reason{PostIndex: p, YourRank: r + 1, CutOffRank: worst[p], Places: m.capacity[p]}
		switch {
		case m.capacity[p] == 0:
			reason.Explanation = "This post had no places."
		default:
			reason.Explanation = fmt.Sprintf("All %d place(s) went to applicants this post ranked above you: you were ranked %d and the last place went to the applicant ranked %d.",
				m.capacity[p], r+1, worst[p])
		}
		out = append(out, reason)
	}
	return out
}

// Scored is an application with everything the national rank reads.
type Scored struct {
	Application Application
	Reviews     []Review
	Moderation  *Moderation
	Interviews  []InterviewScore
	Test        *TestMark // the online test's score, if any
	// Nominee: an in-service nominee, who skips shortlisting.
	Nominee bool
	// Outcome is the published shortlisting outcome, in a round with an
	// interview allocation: only those invited to interview are ranked.
	Outcome string
}

// RankRound draws up the national rank of each specialism: every
// shortlisted application (invited to interview where the round allocates
// interviews; else at or above the benchmark), weighted by the round's
// weights, ties broken as NationalRank says. Applications not shortlisted
// take no part. It returns the
// ranks, and instead, when any application still lacks its reviews, its
// moderation or an interview score, the list of what is missing.
func RankRound(r *Round, stations []Station, apps []Scored) (ranked map[string][]Ranked, missing []string) {
	bySpecialism := map[string][]Candidate{}
	inService := map[string][]Candidate{}
	for _, s := range apps {
		ref := Reference(s.Application.ID)
		shortlist, done := ShortlistScore(r.ScoreMargin, s.Reviews, s.Moderation)
		switch {
		case s.Nominee:
			shortlist = 0 // no shortlisting: straight to interview
		case len(s.Reviews) < ReviewsPerApplication:
			missing = append(missing, fmt.Sprintf("%s has %d of 2 reviews", ref, len(s.Reviews)))
			continue
		case !done:
			missing = append(missing, ref+" needs moderation")
			continue
		case r.Allocated() && s.Outcome != ShortlistInterview:
			continue // a reserve never invited, or unsuccessful
		case !r.Allocated() && shortlist < r.ShortlistPassMark:
			continue // below the benchmark
		}
		interview, done := WeightedInterview(stations, s.Interviews)
		if !done {
			missing = append(missing, fmt.Sprintf("%s has %d of %d interview stations scored", ref, len(s.Interviews), len(stations)))
			continue
		}
		sp := s.Application.Specialism
		c := Candidate{ApplicationID: s.Application.ID, ShortlistScore: shortlist, InterviewScore: interview, TestScore: s.Test}
		if s.Nominee {
			inService[sp] = append(inService[sp], c)
		} else {
			bySpecialism[sp] = append(bySpecialism[sp], c)
		}
	}
	if len(missing) > 0 {
		return nil, missing
	}
	// Nominees are ranked among themselves: they compete only with each
	// other, for in-service posts, never with direct entry.
	ranked = map[string][]Ranked{}
	for sp, cands := range bySpecialism {
		ranked[sp] = NationalRank(r, cands)
	}
	for sp, cands := range inService {
		for _, rk := range NationalRank(r, cands) {
			rk.InService = true
			ranked[sp] = append(ranked[sp], rk)
		}
	}
	return ranked, nil
}
