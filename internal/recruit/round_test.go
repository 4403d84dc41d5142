package recruit_test

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"time"

	"hcs/data"
	"hcs/internal/framework"
	"hcs/internal/recruit"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func testRound() *recruit.Round {
	return &recruit.Round{Programme: "stp", Name: "STP 2027",
		ApplicationsOpen: day("2027-01-11"), ShortlistingOpen: day("2027-02-01"), InterviewsOpen: day("2027-03-01"),
		PreferencesOpen: day("2027-04-01"), OffersOpen: day("2027-05-03"), StartDate: day("2027-09-01"),
		TieBreakSeed: "stp-2027-published-seed", ScoreMargin: 15, ShortlistWeight: 1, InterviewWeight: 2, OfferWorkingDays: 2}
}

func loadFramework(t *testing.T) *framework.Framework {
	t.Helper()
	sub, _ := fs.Sub(data.Framework, "framework")
	f, err := framework.Load(sub)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestRoundWindows(t *testing.T) {
	r := testRound()
	if err := r.Validate(loadFramework(t)); err != nil {
		t.Fatal(err)
	}
	if err := r.RequireStage(recruit.StageApplications, "applying", day("2027-01-05")); err == nil || !strings.Contains(err.Error(), "Applying opens on 11 January 2027") {
		t.Errorf("before: %v", err)
	}
	if err := r.RequireStage(recruit.StageApplications, "applying", day("2027-01-20")); err != nil {
		t.Errorf("during: %v", err)
	}
	if err := r.RequireStage(recruit.StageApplications, "applying", day("2027-02-02")); err == nil || !strings.Contains(err.Error(), "Applying closed on 1 February 2027") {
		t.Errorf("after: %v", err)
	}
	bad := testRound()
	bad.InterviewsOpen = day("2027-01-20")
	if err := bad.Validate(loadFramework(t)); err == nil || !strings.Contains(err.Error(), "in order") {
		t.Errorf("out-of-order timetable: %v", err)
	}
}

func TestEligibility(t *testing.T) {
	f := loadFramework(t)
	if e := recruit.CheckEligibility(f, "stp", []string{"gcse", "degree-21"}); !e.Eligible {
		t.Errorf("2:1: %+v", e)
	}
	if e := recruit.CheckEligibility(f, "stp", []string{"degree-22", "masters"}); !e.Eligible {
		t.Errorf("2:2 and master's: %+v", e)
	}
	e := recruit.CheckEligibility(f, "stp", []string{"degree-22"})
	if e.Eligible || !strings.Contains(e.Reason, "master's") {
		t.Errorf("2:2 alone: %+v", e)
	}
}

func TestAddWorkingDays(t *testing.T) {
	friday := time.Date(2027, 5, 7, 17, 0, 0, 0, time.UTC)
	if got := recruit.AddWorkingDays(friday, 2); !got.Equal(time.Date(2027, 5, 11, 17, 0, 0, 0, time.UTC)) {
		t.Errorf("Friday + 2 working days = %s, want Tuesday", got.Format(time.RFC1123))
	}
}

func TestNationalRankBreaksTiesByStatedRules(t *testing.T) {
	r := testRound()
	ranked := recruit.NationalRank(r, []recruit.Candidate{
		{ApplicationID: 1, ShortlistScore: 60, InterviewScore: 70}, // 200
		{ApplicationID: 2, ShortlistScore: 80, InterviewScore: 60}, // 200, lower interview
		{ApplicationID: 3, ShortlistScore: 90, InterviewScore: 80}, // 250
		{ApplicationID: 4, ShortlistScore: 60, InterviewScore: 70}, // 200, exact tie with 1
	})
	if ranked[0].ApplicationID != 3 || ranked[3].ApplicationID != 2 {
		t.Fatalf("order %+v", ranked)
	}
	if ranked[1].DecidedBy != "weighted score" || ranked[2].DecidedBy != "lottery" || ranked[3].DecidedBy != "interview score" {
		t.Errorf("tie rules %q %q %q", ranked[1].DecidedBy, ranked[2].DecidedBy, ranked[3].DecidedBy)
	}
	again := recruit.NationalRank(r, []recruit.Candidate{ranked[2].Candidate, ranked[0].Candidate, ranked[3].Candidate, ranked[1].Candidate})
	for i := range ranked {
		if again[i].ApplicationID != ranked[i].ApplicationID {
			t.Fatal("the rank depends on input order")
		}
	}
	other := *r
	other.TieBreakSeed = "another seed"
	flipped := false
	for seed := range 20 {
		other.TieBreakSeed = string(rune('a' + seed))
		o := recruit.NationalRank(&other, []recruit.Candidate{{ApplicationID: 1, ShortlistScore: 5}, {ApplicationID: 4, ShortlistScore: 5}})
		flipped = flipped || o[0].ApplicationID == 4
	}
	if !flipped {
		t.Error("the lottery never depends on the seed")
	}
}

// The lottery is reproducible by anyone: lower SHA-256(seed:id) first.
// Shortlisting breaks a tie that interview scores leave.
func TestNationalRankLotteryAndShortlistTies(t *testing.T) {
	r := testRound()
	r.ShortlistWeight, r.InterviewWeight = 0, 1 // weighted = interview score alone
	cands := []recruit.Candidate{
		{ApplicationID: 25, ShortlistScore: 90, InterviewScore: 70}, // wins on shortlisting
		{ApplicationID: 26, ShortlistScore: 10, InterviewScore: 70}, // loses on shortlisting
	}
	var tied []int64
	for id := int64(11); id <= 20; id++ {
		tied = append(tied, id)
		cands = append(cands, recruit.Candidate{ApplicationID: id, ShortlistScore: 50, InterviewScore: 70})
	}
	draw := func(id int64) uint64 {
		sum := sha256.Sum256([]byte(fmt.Sprintf("%s:%d", r.TieBreakSeed, id)))
		return binary.BigEndian.Uint64(sum[:8])
	}
	slices.SortFunc(tied, func(a, b int64) int { return cmp.Compare(draw(a), draw(b)) })
	if slices.IsSorted(tied) {
		t.Fatal("the draws follow the application numbers: the test cannot tell the lottery from them")
	}
	want := append(append([]int64{25}, tied...), 26)
	ranked := recruit.NationalRank(r, cands)
	var got []int64
	for i, rk := range ranked {
		got = append(got, rk.ApplicationID)
		if rk.Rank != i+1 {
			t.Errorf("%d has rank %d at place %d", rk.ApplicationID, rk.Rank, i+1)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
	decided := []string{"first place", "shortlisting score", "lottery", "lottery", "lottery", "lottery", "lottery", "lottery", "lottery", "lottery", "lottery", "shortlisting score"}
	for i, rk := range ranked {
		if rk.DecidedBy != decided[i] {
			t.Errorf("place %d decided by %q, want %q", i+1, rk.DecidedBy, decided[i])
		}
	}
}

func TestExplain(t *testing.T) {
	in := instance{capacity: []int32{1, 1}, prefs: [][]int32{{0, 1}, {0, 1}}, rankLists: [][]int32{{0, 1}, {0, 1}}}
	m := in.market()
	assign := m.Match()
	reasons := m.Explain(assign, 1)
	if len(reasons) != 1 || reasons[0].YourRank != 2 || reasons[0].CutOffRank != 1 || !strings.Contains(reasons[0].Explanation, "you were ranked 2") {
		t.Fatalf("reasons %+v", reasons)
	}
	if len(m.Explain(assign, 0)) != 0 {
		t.Error("applicant 0 got their first choice but has reasons")
	}
}

// TestExplainCutOffIsTheWorstHolder: a post's cut-off is the rank of its
// lowest-ranked holder, whichever order its holders come in, and a post
// with no places says so.
func TestExplainCutOffIsTheWorstHolder(t *testing.T) {
	for _, order := range [][]int32{{0, 1, 2, 3}, {1, 0, 2, 3}} {
		// Post 0 has two places, post 1 none, post 2 one. Applicants 0
		// and 1 hold post 0; 2 and 3 wanted it, then post 1, then post 2.
		in := instance{capacity: []int32{2, 0, 1}, prefs: [][]int32{{0}, {0}, {0, 1, 2}, {0, 1, 2}},
			rankLists: [][]int32{order, {2, 3}, {3, 2}}}
		m := in.market()
		assign := m.Match()
		if assign[0] != 0 || assign[1] != 0 || assign[3] != 2 || assign[2] != recruit.Unmatched {
			t.Fatalf("post order %v: the match %v", order, assign)
		}
		reasons := m.Explain(assign, 2)
		if len(reasons) != 3 {
			t.Fatalf("post order %v: %d reasons, want 3: %+v", order, len(reasons), reasons)
		}
		if r := reasons[0]; r.YourRank != 3 || r.CutOffRank != 2 || r.Places != 2 || !strings.Contains(r.Explanation, "the last place went to the applicant ranked 2") {
			t.Errorf("post order %v: post 0's reason %+v", order, r)
		}
		if r := reasons[1]; r.Places != 0 || r.Explanation != "This post had no places." {
			t.Errorf("post order %v: post 1's reason %+v", order, r)
		}
		if r := reasons[2]; r.YourRank != 2 || r.CutOffRank != 1 {
			t.Errorf("post order %v: post 2's reason %+v", order, r)
		}
		// Applicant 3 holds post 2, so the reasons stop there.
		if got := m.Explain(assign, 3); len(got) != 2 {
			t.Errorf("post order %v: applicant 3's reasons %+v; want posts 0 and 1 alone", order, got)
		}
	}
}

// TestNationalRankNoTestScore: where the test breaks ties, an application
// without a test score ranks below one that scored nothing.
func TestNationalRankNoTestScore(t *testing.T) {
	r := testRound()
	r.Test = recruit.TestRule{Rule: recruit.TestRuleThreshold, TieBreak: true}
	zero := recruit.TestMark(0)
	for _, cands := range [][]recruit.Candidate{
		{{ApplicationID: 1, ShortlistScore: 60, InterviewScore: 70}, {ApplicationID: 2, ShortlistScore: 60, InterviewScore: 70, TestScore: &zero}},
		{{ApplicationID: 2, ShortlistScore: 60, InterviewScore: 70, TestScore: &zero}, {ApplicationID: 1, ShortlistScore: 60, InterviewScore: 70}},
	} {
		rk := recruit.NationalRank(r, cands)
		if rk[0].ApplicationID != 2 || rk[1].DecidedBy != "online test score" || rk[1].Rank != 2 {
			t.Errorf("%+v", rk)
		}
	}
}
