// Package recruit runs national recruitment into training posts: rounds,
// posts, applications, scoring, stable matching and offers. It holds the
// rules and the matching algorithm; it knows nothing of HTTP or SQL.
package recruit

import (
	"slices"
)

// Unmatched is the assignment of an applicant who gets no post.
const Unmatched = -1

// Market is a hospitals/residents instance over dense indexes: applicants
// 0..A-1 and posts 0..P-1. Only mutually acceptable pairs are kept: an
// applicant's preference for a post counts only when the post ranks the
// applicant too. It is built once and read by Match and Verify.
type Market struct {
	capacity []int32
	// Applicant a's acceptable posts, best first, are
	// prefs[start[a]:start[a+1]], each with the post's rank of a (lower is
	// better). A post and its rank sit together because every use of one
	// reads the other.
	start []int32
	prefs []pref
}

// NewMarket builds a market from capacities, each applicant's preferences
// (post indexes, best first) and a function giving a post's rank of an
// applicant (lower is better) and whether it ranks them at all.
// Preferences for posts that do not rank the applicant are dropped.
func NewMarket(capacity []int32, prefs [][]int32, rank func(post, applicant int32) (int32, bool)) *Market {
	m := &Market{capacity: slices.Clone(capacity), start: make([]int32, len(prefs)+1)}
	for a, list := range prefs {
		for _, p := range list {
			if r, ok := rank(p, int32(a)); ok {
				m.prefs = append(m.prefs, pref{p, r})
			}
		}
		m.start[a+1] = int32(len(m.prefs))
	}
	return m
}

// Applicants is the number of applicants.
func (m *Market) Applicants() int { return len(m.start) - 1 }

// Posts is the number of posts.
func (m *Market) Posts() int { return len(m.capacity) }

// Capacity is a post's number of places.
func (m *Market) Capacity(post int32) int32 { return m.capacity[post] }

// RankAt returns the post's rank of applicant a, if the pair is acceptable.
func (m *Market) RankAt(a, post int32) (int32, bool) {
	for i := m.start[a]; i < m.start[a+1]; i++ {
		if m.prefs[i].post == post {
			return m.prefs[i].rank, true
		}
	}
	return 0, false
}

// Match runs applicant-proposing deferred acceptance and returns each
// applicant's post, or Unmatched. The result is the stable matching that
// is best for every applicant, and it does not depend on the order in
// which applicants propose. Each post keeps its tentative assignees in a
// max-heap by rank, so a proposal costs O(log capacity).
func (m *Market) Match() []int32 {
	nA, nP := m.Applicants(), m.Posts()
	// What a proposal needs of a post sits together: where its heap is,
	// how full it is, its room and the rank of its worst assignee, so a
	// refusal (the usual answer from a full post) reads one place.
	type postState struct{ base, size, room, worst int32 }
	// A post never holds more than the applicants who accept it, so the
	// heaps need no more room than that, whatever the capacities.
	demand := make([]int32, nP)
	for _, e := range m.prefs {
		demand[e.post]++
	}
	posts := make([]postState, nP)
	places := int32(0)
	for p := range posts {
		room := min(m.capacity[p], demand[p])
		posts[p] = postState{base: places, room: room}
		places += room
	}
	type held struct{ rank, app int32 }
	heap := make([]held, places)

	assigned := make([]int32, nA)
	next := make([]int32, nA) // how far down its list each applicant has got
	for a := range assigned {
		assigned[a] = Unmatched
		next[a] = m.start[a]
	}
	free := make([]int32, nA)
	for a := range free {
		free[a] = int32(nA - 1 - a) // pop order: applicant 0 first
	}
	for len(free) > 0 {
		a := free[len(free)-1]
		free = free[:len(free)-1]
		i, end := next[a], m.start[a+1]
		for i < end {
			p, r := m.prefs[i].post, m.prefs[i].rank
			i++
			ps := &posts[p]
			h := heap[ps.base : ps.base+ps.room]
			if n := ps.size; n < ps.room {
				// Room: add a and sift up.
				j := n
				ps.size = n + 1
				for j > 0 {
					parent := (j - 1) / 2
					if h[parent].rank >= r {
						break
					}
					h[j] = h[parent]
					j = parent
				}
				h[j] = held{r, a}
				ps.worst = h[0].rank
				assigned[a] = p
				break
			}
			if ps.room == 0 || r >= ps.worst {
				continue // full of applicants the post prefers
			}
			// Replace the worst assignee with a and sift down.
			evicted := h[0].app
			assigned[evicted] = Unmatched
			free = append(free, evicted)
			n := ps.size
			j := int32(0)
			for {
				l := 2*j + 1
				if l >= n {
					break
				}
				c := l
				if rr := l + 1; rr < n && h[rr].rank > h[l].rank {
					c = rr
				}
				if h[c].rank <= r {
					break
				}
				h[j] = h[c]
				j = c
			}
			h[j] = held{r, a}
			ps.worst = h[0].rank
			assigned[a] = p
			break
		}
		next[a] = i
	}
	return assigned
}

// Verification is what the verifier found in a matching.
type Verification struct {
	BlockingPairs int `json:"blocking_pairs"`
	OverCapacity  int `json:"over_capacity"` // posts with more assignees than places
	Unacceptable  int `json:"unacceptable"`  // assignments the two sides do not both accept
}

// OK reports whether the matching is valid and stable.
func (v Verification) OK() bool { return v == Verification{} }

// Verify checks a matching in O(total list length): every assignment is
// mutually acceptable, no post is over capacity, and no applicant and post
// would both rather have each other (a blocking pair).
func (m *Market) Verify(assigned []int32) Verification {
	var v Verification
	nP := m.Posts()
	count := make([]int32, nP)
	worst := make([]int32, nP) // rank of the worst assignee
	for a, p := range assigned {
		if p == Unmatched {
			continue
		}
		r, ok := m.RankAt(int32(a), p)
		if !ok {
			v.Unacceptable++
			continue
		}
		count[p]++
		if count[p] == 1 || r > worst[p] {
			worst[p] = r
		}
	}
	for p := range count {
		if count[p] > m.capacity[p] {
			v.OverCapacity++
		}
	}
	for a := range assigned {
		for i := m.start[a]; i < m.start[a+1]; i++ {
			p, r := m.prefs[i].post, m.prefs[i].rank
			if p == assigned[a] {
				break // posts after its own are worse for the applicant
			}
			// worst means something only for a post that holds someone.
			if count[p] < m.capacity[p] || count[p] > 0 && r < worst[p] {
				v.BlockingPairs++
			}
		}
	}
	return v
}
