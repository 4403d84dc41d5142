package recruit_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"hcs/internal/apperr"

	"hcs/internal/recruit"
)

func allocatedRound(interviews, reserves, benchmark int) *recruit.Round {
	r := testRound()
	r.TieBreakSeed, r.InterviewsPerPlace, r.ReservesPerPlace, r.ShortlistPassMark = "seed", interviews, reserves, benchmark
	return r
}

func TestAllocations(t *testing.T) {
	r := allocatedRound(3, 2, 0)
	posts := []recruit.Post{
		{Specialism: "audiology", Places: 2, Status: recruit.PostOpen},
		{Specialism: "audiology", Places: 1, Status: recruit.PostOpen},
		{Specialism: "audiology", Places: 4, Status: recruit.PostWithdrawn},
		{Specialism: "audiology", Places: 5, Status: recruit.PostOpen, InService: true},
		{Specialism: "genomics", Places: 1, Status: recruit.PostOpen},
	}
	got := recruit.Allocations(r, posts)
	want := map[string]recruit.Allocation{
		"audiology": {Specialism: "audiology", Posts: 2, Places: 3, Interviews: 9, Reserves: 6},
		"genomics":  {Specialism: "genomics", Posts: 1, Places: 1, Interviews: 3, Reserves: 2},
	}
	if len(got) != len(want) || got["audiology"] != want["audiology"] || got["genomics"] != want["genomics"] {
		t.Errorf("allocations: got %+v, want %+v (withdrawn and in-service posts give none)", got, want)
	}
}

func TestShortlistOutcomes(t *testing.T) {
	r := allocatedRound(1, 1, 50)
	alloc := map[string]recruit.Allocation{"audiology": {Interviews: 2, Reserves: 1}}
	entries := []recruit.ShortlistEntry{
		{ApplicationID: 1, Specialism: "audiology", Score: 80},
		{ApplicationID: 2, Specialism: "audiology", Score: 50}, // exactly at the benchmark
		{ApplicationID: 3, Specialism: "audiology", Score: 49}, // just below
		{ApplicationID: 4, Specialism: "audiology", Score: 70},
		{ApplicationID: 5, Specialism: "audiology", Score: 60},
		{ApplicationID: 6, Specialism: "genomics", Score: 90}, // no posts: no allocation
	}
	got := map[int64]recruit.ShortlistResult{}
	for _, res := range recruit.Shortlist(r, alloc, entries) {
		got[res.ApplicationID] = res
	}
	for _, c := range []struct {
		id                      int64
		outcome                 string
		position, reservePlace  int
		decidedBy, explainsWith string
	}{
		{1, recruit.ShortlistInterview, 1, 0, "first place", "within its 2 interview place(s)"},
		{4, recruit.ShortlistInterview, 2, 0, "shortlisting score", "placed you 2"},
		{5, recruit.ShortlistReserve, 3, 1, "shortlisting score", "reserve list, at place 1"},
		{2, recruit.ShortlistUnsuccessful, 4, 0, "shortlisting score", "after its 2 interview place(s) and 1 reserve place(s)"},
		{3, recruit.ShortlistUnsuccessful, 0, 0, "benchmark", "below the benchmark of 50"},
		{6, recruit.ShortlistUnsuccessful, 1, 0, "first place", "after its 0 interview place(s)"},
	} {
		res := got[c.id]
		if res.Outcome != c.outcome || res.Position != c.position || res.ReservePlace != c.reservePlace || res.DecidedBy != c.decidedBy {
			t.Errorf("application %d: got %+v, want %s at %d (reserve %d) by %q", c.id, res, c.outcome, c.position, c.reservePlace, c.decidedBy)
		}
		if !strings.Contains(res.Explain(r), c.explainsWith) {
			t.Errorf("application %d's explanation %q does not say %q", c.id, res.Explain(r), c.explainsWith)
		}
	}
	// With no benchmark, the one just below it is ranked too.
	r.ShortlistPassMark = 0
	for _, res := range recruit.Shortlist(r, alloc, entries) {
		if res.ApplicationID == 3 && (res.Position != 5 || res.Outcome != recruit.ShortlistUnsuccessful) {
			t.Errorf("no benchmark: %+v", res)
		}
	}
}

// TestShortlistTieBreak: equal scores are ordered by the online test score
// only where the round's rule says so, and otherwise by the seeded lottery,
// which the published seed reproduces.
func TestShortlistTieBreak(t *testing.T) {
	mark := func(m int) *recruit.TestMark { v := recruit.TestMark(m); return &v }
	alloc := map[string]recruit.Allocation{"audiology": {Interviews: 1, Reserves: 1}}
	entries := []recruit.ShortlistEntry{
		{ApplicationID: 1, Specialism: "audiology", Score: 70, Test: mark(5000)},
		{ApplicationID: 2, Specialism: "audiology", Score: 70, Test: mark(9000)},
		{ApplicationID: 3, Specialism: "audiology", Score: 70},
	}
	r := allocatedRound(1, 1, 0)
	r.Test = recruit.TestRule{Rule: recruit.TestRuleThreshold, TieBreak: true}
	byPos := func(r *recruit.Round) map[int]recruit.ShortlistResult {
		out := map[int]recruit.ShortlistResult{}
		for _, res := range recruit.Shortlist(r, alloc, entries) {
			out[res.Position] = res
		}
		return out
	}
	got := byPos(r)
	if got[1].ApplicationID != 2 || got[2].ApplicationID != 1 || got[3].ApplicationID != 3 || got[2].DecidedBy != "online test score" || got[3].DecidedBy != "online test score" {
		t.Errorf("with the test breaking ties: %+v", got)
	}
	if !strings.Contains(r.ShortlistRules(), "the online test score, then the lottery") {
		t.Errorf("the rules do not say the test breaks ties: %s", r.ShortlistRules())
	}
	r.Test.TieBreak = false
	seen := map[string]bool{}
	for _, seed := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		r.TieBreakSeed = seed
		first := byPos(r)
		again := byPos(r)
		for pos := 1; pos <= 3; pos++ {
			if first[pos].ApplicationID != again[pos].ApplicationID {
				t.Fatalf("seed %q gives two orders", seed)
			}
			if pos > 1 && first[pos].DecidedBy != "lottery" {
				t.Errorf("seed %q: position %d decided by %q, want the lottery", seed, pos, first[pos].DecidedBy)
			}
		}
		seen[string(rune('0'+first[1].ApplicationID))] = true
	}
	if len(seen) < 2 {
		t.Errorf("eight seeds put the same application first: the lottery does not depend on the seed")
	}
	if strings.Contains(r.ShortlistRules(), "online test") {
		t.Errorf("the rules mention the test though it breaks no ties: %s", r.ShortlistRules())
	}
}

// TestShortlistProperty: over random specialisms, scores and allocations,
// every outcome follows from its place in a rank ordered by score, the
// allocation is filled exactly, and reserve places run 1, 2, 3… without
// gaps.
func TestShortlistProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		r := allocatedRound(rapid.IntRange(1, 3).Draw(t, "interviews"), rapid.IntRange(0, 3).Draw(t, "reserves"), rapid.IntRange(0, 60).Draw(t, "benchmark"))
		r.Test = recruit.TestRule{Rule: recruit.TestRuleThreshold, TieBreak: rapid.Bool().Draw(t, "tiebreak")}
		sps := []string{"audiology", "genomics"}
		var posts []recruit.Post
		for range rapid.IntRange(0, 4).Draw(t, "posts") {
			posts = append(posts, recruit.Post{Specialism: rapid.SampledFrom(sps).Draw(t, "sp"), Places: rapid.IntRange(1, 3).Draw(t, "places"), Status: recruit.PostOpen})
		}
		alloc := recruit.Allocations(r, posts)
		var entries []recruit.ShortlistEntry
		for i := range rapid.IntRange(0, 25).Draw(t, "apps") {
			e := recruit.ShortlistEntry{ApplicationID: int64(i + 1), Specialism: rapid.SampledFrom(sps).Draw(t, "sp"), Score: rapid.IntRange(0, 100).Draw(t, "score")}
			if rapid.Bool().Draw(t, "tested") {
				m := recruit.TestMark(rapid.IntRange(0, 3).Draw(t, "test") * 1000)
				e.Test = &m
			}
			entries = append(entries, e)
		}
		results := recruit.Shortlist(r, alloc, entries)
		if len(results) != len(entries) {
			t.Fatalf("%d results for %d entries", len(results), len(entries))
		}
		score := map[int64]int{}
		for _, e := range entries {
			score[e.ApplicationID] = e.Score
		}
		ranked := map[string][]recruit.ShortlistResult{}
		for _, res := range results {
			if res.Score < r.ShortlistPassMark {
				if res.Outcome != recruit.ShortlistUnsuccessful || res.Position != 0 {
					t.Fatalf("below the benchmark: %+v", res)
				}
				continue
			}
			ranked[res.Specialism] = append(ranked[res.Specialism], res)
		}
		for sp, rs := range ranked {
			a := alloc[sp]
			at := make([]recruit.ShortlistResult, len(rs))
			for _, res := range rs {
				if res.Position < 1 || res.Position > len(rs) || at[res.Position-1].ApplicationID != 0 {
					t.Fatalf("%s: position %d is out of range or taken", sp, res.Position)
				}
				at[res.Position-1] = res
			}
			for i, res := range at {
				if i > 0 && score[at[i-1].ApplicationID] < score[res.ApplicationID] {
					t.Fatalf("%s: score %d ranked above %d", sp, score[at[i-1].ApplicationID], score[res.ApplicationID])
				}
				want, place := recruit.ShortlistUnsuccessful, 0
				switch {
				case i < a.Interviews:
					want = recruit.ShortlistInterview
				case i < a.Interviews+a.Reserves:
					want, place = recruit.ShortlistReserve, i-a.Interviews+1
				}
				if res.Outcome != want || res.ReservePlace != place {
					t.Fatalf("%s position %d of allocation %+v: %s (reserve %d), want %s (reserve %d)", sp, i+1, a, res.Outcome, res.ReservePlace, want, place)
				}
			}
		}
	})
}

func TestNextReserveAndFreeing(t *testing.T) {
	r := allocatedRound(1, 2, 0)
	results := []recruit.ShortlistResult{
		{ApplicationID: 1, Specialism: "audiology", Outcome: recruit.ShortlistInterview},
		{ApplicationID: 2, Specialism: "audiology", Outcome: recruit.ShortlistReserve, ReservePlace: 2},
		{ApplicationID: 3, Specialism: "audiology", Outcome: recruit.ShortlistReserve, ReservePlace: 1},
		{ApplicationID: 4, Specialism: "audiology", Outcome: recruit.ShortlistReserve, ReservePlace: 3},
		{ApplicationID: 5, Specialism: "genomics", Outcome: recruit.ShortlistReserve, ReservePlace: 1},
		{ApplicationID: 6, Specialism: "audiology", Outcome: recruit.ShortlistInterview, ReservePlace: 4}, // promoted already
	}
	in := map[int64]bool{1: true, 2: true, 3: true, 4: true, 5: true, 6: true}
	inRound := func(id int64) bool { return in[id] }
	if next, ok := recruit.NextReserve(results, "audiology", inRound); !ok || next.ApplicationID != 3 {
		t.Errorf("next reserve: %+v, %v; want application 3 (place 1)", next, ok)
	}
	in[3] = false
	if next, ok := recruit.NextReserve(results, "audiology", inRound); !ok || next.ApplicationID != 2 {
		t.Errorf("with the first reserve gone: %+v, %v; want application 2", next, ok)
	}
	in[2], in[4] = false, false
	if next, ok := recruit.NextReserve(results, "audiology", inRound); ok {
		t.Errorf("no reserve left, yet %+v", next)
	}

	during, closing := r.InterviewsOpen.Add(time.Hour), r.PreferencesOpen
	for _, c := range []struct {
		outcome string
		at      time.Time
		frees   bool
	}{
		{recruit.ShortlistInterview, during, true},
		{recruit.ShortlistInterview, closing.Add(-time.Second), true},
		{recruit.ShortlistInterview, closing, false}, // interviews have closed
		{recruit.ShortlistInterview, r.InterviewsOpen.Add(-time.Second), false},
		{recruit.ShortlistReserve, during, false},
		{recruit.ShortlistUnsuccessful, during, false},
	} {
		if got := recruit.FreesAllocation(r, recruit.ShortlistResult{Outcome: c.outcome}, c.at); got != c.frees {
			t.Errorf("%s leaving at %s: frees %v, want %v", c.outcome, c.at, got, c.frees)
		}
	}
}

func TestAllocationValidation(t *testing.T) {
	f := loadFramework(t)
	for _, c := range []struct {
		interviews, reserves int
		field                string
	}{
		{-1, 0, "interviews_per_place"},
		{recruit.MaxInterviewsPerPlace + 1, 0, "interviews_per_place"},
		{1, -1, "reserves_per_place"},
		{1, recruit.MaxReservesPerPlace + 1, "reserves_per_place"},
		{0, 1, "reserves_per_place"},
		{0, 0, ""},
		{recruit.MaxInterviewsPerPlace, recruit.MaxReservesPerPlace, ""},
	} {
		r := testRound()
		r.InterviewsPerPlace, r.ReservesPerPlace = c.interviews, c.reserves
		err := r.Validate(f)
		if c.field == "" && err != nil || c.field != "" && apperr.Field(err) != c.field {
			t.Errorf("interviews %d, reserves %d: %v; want a fault in %q", c.interviews, c.reserves, err, c.field)
		}
	}
}

// TestRankRoundWithAllocation: in a round with an interview allocation,
// the rank takes only those invited to interview, whatever their scores;
// a reserve never invited needs no interview, and an invitee without one
// is named.
func TestRankRoundWithAllocation(t *testing.T) {
	r := allocatedRound(1, 1, 50)
	stations := []recruit.Station{{ID: 1, Weight: 1}, {ID: 2, Weight: 1}}
	with := func(s recruit.Scored, outcome string) recruit.Scored { s.Outcome = outcome; return s }
	ranked, missing := recruit.RankRound(r, stations, []recruit.Scored{
		with(scored(1, "audiology", []int{90, 90}, nil), recruit.ShortlistReserve), // never invited: no interview
		with(scored(2, "audiology", []int{60, 60}, nil, 70, 70), recruit.ShortlistInterview),
		with(scored(3, "audiology", []int{95, 95}, nil, 90, 90), recruit.ShortlistUnsuccessful), // scores, yet not invited
		with(scored(4, "audiology", []int{80, 80}, nil, 50, 50), recruit.ShortlistInterview),    // promoted from reserve
	})
	if len(missing) != 0 || len(ranked["audiology"]) != 2 || ranked["audiology"][0].ApplicationID != 2 || ranked["audiology"][1].ApplicationID != 4 {
		t.Errorf("ranked %+v, missing %v; want 2 then 4", ranked, missing)
	}
	_, missing = recruit.RankRound(r, stations, []recruit.Scored{
		with(scored(1, "audiology", []int{90, 90}, nil), recruit.ShortlistInterview),
		with(scored(2, "audiology", []int{90, 90}, nil), recruit.ShortlistReserve),
	})
	if fmt.Sprint(missing) != "[APP-000001 has 0 of 2 interview stations scored]" {
		t.Errorf("missing: %q", missing)
	}
}

// TestShortlistRulesSayTheBenchmark: the round's published rules name the
// benchmark, or say there is none, and say whether interviews are
// allocated.
func TestShortlistRulesSayTheBenchmark(t *testing.T) {
	for _, c := range []struct {
		interviews, benchmark int
		says                  string
	}{
		{0, 0, "There is no benchmark score; every application at or above it is invited to interview."},
		{0, 1, "an application scoring below 1 is not shortlisted; every application at or above it is invited"},
		{2, 0, "There is no benchmark score. The rest are ranked"},
		{2, 50, "an application scoring below 50 is not shortlisted. The rest are ranked"},
	} {
		r := allocatedRound(c.interviews, 0, c.benchmark)
		if got := r.ShortlistRules(); !strings.Contains(got, c.says) {
			t.Errorf("interviews %d, benchmark %d: %q does not say %q", c.interviews, c.benchmark, got, c.says)
		}
	}
}
