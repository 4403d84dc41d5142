package recruit_test

import (
	"slices"
	"testing"

	"pgregory.net/rapid"

	"hcs/internal/recruit"
)

// instance is a matching problem as people write it: each applicant's
// list of posts, best first, and each post's list of applicants, best
// first, with capacities. The tests check results against these lists
// directly, not against the Market's internal arrays.
type instance struct {
	capacity  []int32
	prefs     [][]int32 // applicant → posts, best first
	rankLists [][]int32 // post → applicants, best first
}

func (in instance) rank(p, a int32) (int32, bool) {
	i := slices.Index(in.rankLists[p], a)
	return int32(i), i >= 0
}

func (in instance) market() *recruit.Market {
	return recruit.NewMarket(in.capacity, in.prefs, in.rank)
}

func (in instance) mutual(a, p int32) bool {
	_, ok := in.rank(p, a)
	return ok && slices.Contains(in.prefs[a], p)
}

// prefers reports whether applicant a prefers post p to its assignment.
func (in instance) prefers(a, p, current int32) bool {
	if current == recruit.Unmatched {
		return true
	}
	return slices.Index(in.prefs[a], p) < slices.Index(in.prefs[a], current)
}

// blockingPairs counts blocking pairs by brute force over every pair.
func (in instance) blockingPairs(assign []int32) int {
	n := 0
	for a := range in.prefs {
		for p := range in.capacity {
			if !in.mutual(int32(a), int32(p)) || !in.prefers(int32(a), int32(p), assign[a]) {
				continue
			}
			held := 0
			wants := false
			ra, _ := in.rank(int32(p), int32(a))
			for b, q := range assign {
				if q == int32(p) {
					held++
					if rb, _ := in.rank(int32(p), int32(b)); rb > ra {
						wants = true
					}
				}
			}
			if held < int(in.capacity[p]) || wants {
				n++
			}
		}
	}
	return n
}

func (in instance) valid(assign []int32) bool {
	count := make([]int32, len(in.capacity))
	for a, p := range assign {
		if p == recruit.Unmatched {
			continue
		}
		if !in.mutual(int32(a), p) {
			return false
		}
		count[p]++
	}
	for p, c := range count {
		if c > in.capacity[p] {
			return false
		}
	}
	return true
}

func genInstance(t *rapid.T, minApplicants, maxApplicants, maxPosts, maxCapacity int) instance {
	nA := rapid.IntRange(minApplicants, maxApplicants).Draw(t, "applicants")
	nP := rapid.IntRange(min(2, maxPosts), maxPosts).Draw(t, "posts")
	in := instance{capacity: make([]int32, nP), prefs: make([][]int32, nA), rankLists: make([][]int32, nP)}
	posts := make([]int32, nP)
	for p := range nP {
		in.capacity[p] = int32(rapid.IntRange(0, maxCapacity).Draw(t, "capacity"))
		posts[p] = int32(p)
	}
	applicants := make([]int32, nA)
	for a := range nA {
		applicants[a] = int32(a)
	}
	for a := range nA {
		in.prefs[a] = rapid.SliceOfNDistinct(rapid.SampledFrom(posts), 1, nP, rapid.ID[int32]).Draw(t, "prefs")
	}
	for p := range nP {
		if nA > 0 {
			in.rankLists[p] = rapid.SliceOfNDistinct(rapid.SampledFrom(applicants), 1, nA, rapid.ID[int32]).Draw(t, "ranking")
		}
	}
	return in
}

// genComplete makes instances where everyone ranks everyone in a random
// order: the kind with several stable matchings, where applicant-optimality
// means something.
func genComplete(t *rapid.T, minApplicants, maxApplicants, maxPosts, maxCapacity int) instance {
	nA := rapid.IntRange(minApplicants, maxApplicants).Draw(t, "applicants")
	nP := rapid.IntRange(2, maxPosts).Draw(t, "posts")
	in := instance{capacity: make([]int32, nP), prefs: make([][]int32, nA), rankLists: make([][]int32, nP)}
	for p := range nP {
		in.capacity[p] = int32(rapid.IntRange(1, maxCapacity).Draw(t, "capacity"))
		ids := make([]int32, nA)
		for a := range ids {
			ids[a] = int32(a)
		}
		in.rankLists[p] = rapid.Permutation(ids).Draw(t, "ranking")
	}
	for a := range nA {
		ids := make([]int32, nP)
		for p := range ids {
			ids[p] = int32(p)
		}
		in.prefs[a] = rapid.Permutation(ids).Draw(t, "prefs")
	}
	return in
}

// TestMatchProperties: on thousands of random instances the result is
// valid (capacities, mutual acceptability), stable by a brute-force check,
// agrees with the built-in verifier, and does not depend on the order in
// which applicants and posts are numbered.
func TestMatchProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := genInstance(t, 0, 30, 8, 4)
		m := in.market()
		assign := m.Match()
		if !in.valid(assign) {
			t.Fatalf("invalid matching %v", assign)
		}
		if n := in.blockingPairs(assign); n != 0 {
			t.Fatalf("%d blocking pairs in %v", n, assign)
		}
		if v := m.Verify(assign); !v.OK() {
			t.Fatalf("verifier: %+v", v)
		}
		if !slices.Equal(assign, m.Match()) {
			t.Fatal("two runs differ")
		}
		// Renumber applicants by a random permutation: the same people get
		// the same posts.
		perm := rapid.Permutation(indexes(len(in.prefs))).Draw(t, "perm")
		shuffled := instance{capacity: in.capacity, prefs: make([][]int32, len(in.prefs)), rankLists: make([][]int32, len(in.rankLists))}
		for old, nw := range perm {
			shuffled.prefs[nw] = in.prefs[old]
		}
		for p, list := range in.rankLists {
			for _, a := range list {
				shuffled.rankLists[p] = append(shuffled.rankLists[p], int32(perm[a]))
			}
		}
		again := shuffled.market().Match()
		for old, nw := range perm {
			if again[nw] != assign[old] {
				t.Fatalf("renumbering applicants changed applicant %d's post from %d to %d", old, assign[old], again[nw])
			}
		}
	})
}

func indexes(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// TestMatchIsApplicantOptimal: on small instances, enumerate every matching,
// keep the valid stable ones, and check that each applicant's result is
// the best post they get in any stable matching.
func TestMatchIsApplicantOptimal(t *testing.T) {
	var runs, several int
	defer func() {
		t.Logf("%d instances, %d with more than one stable matching", runs, several)
		if runs > 0 && several*20 < runs {
			t.Errorf("only %d of %d instances had a choice of stable matchings: the generator is too easy", several, runs)
		}
	}()
	rapid.Check(t, func(t *rapid.T) {
		runs++
		in := genComplete(t, 3, 5, 3, 2)
		assign := in.market().Match()
		nA, nP := len(in.prefs), len(in.capacity)
		best := make([]int32, nA)
		for a := range best {
			best[a] = recruit.Unmatched
		}
		stable := 0
		cand := make([]int32, nA)
		var walk func(a int)
		walk = func(a int) {
			if a == nA {
				if in.valid(cand) && in.blockingPairs(cand) == 0 {
					stable++
					for b := range cand {
						if cand[b] != recruit.Unmatched && in.prefers(int32(b), cand[b], best[b]) {
							best[b] = cand[b]
						}
					}
				}
				return
			}
			for p := int32(-1); p < int32(nP); p++ {
				cand[a] = p
				walk(a + 1)
			}
		}
		walk(0)
		if stable == 0 {
			t.Fatal("brute force found no stable matching; one always exists")
		}
		if stable > 1 {
			several++
		}
		if !slices.Equal(assign, best) {
			t.Fatalf("deferred acceptance gave %v; the applicant-optimal stable matching is %v", assign, best)
		}
	})
}

// TestVerifierFindsFaults: the verifier is not trusting: damaged matchings
// are reported.
func TestVerifierFindsFaults(t *testing.T) {
	in := instance{
		capacity:  []int32{1, 1},
		prefs:     [][]int32{{0, 1}, {0, 1}},
		rankLists: [][]int32{{0, 1}, {0, 1}},
	}
	m := in.market()
	if got := m.Match(); !slices.Equal(got, []int32{0, 1}) {
		t.Fatalf("match %v", got)
	}
	if v := m.Verify([]int32{1, 0}); v.BlockingPairs != 1 {
		t.Errorf("swapped: %+v, want one blocking pair", v)
	}
	if v := m.Verify([]int32{0, 0}); v.OverCapacity != 1 {
		t.Errorf("doubled: %+v", v)
	}
	if v := m.Verify([]int32{recruit.Unmatched, recruit.Unmatched}); v.BlockingPairs != 4 {
		t.Errorf("empty: %+v, want four blocking pairs (each applicant with each post)", v)
	}
	one := instance{capacity: []int32{1}, prefs: [][]int32{{0}}, rankLists: [][]int32{{}}}
	if v := one.market().Verify([]int32{0}); v.Unacceptable != 1 {
		t.Errorf("unranked assignment: %+v", v)
	}
}
