package recruit

import (
	"math/rand/v2"
	"testing"
)

// TestProgressGivesNoSmallCountAway: on thousands of random small
// rounds, everyone who reads the published progress and knows every
// specialism's places (public) lists, by brute force, every table of
// counts that fits it: accepted + awaiting + unfilled = places, offers
// made at least accepted + awaiting, each figure's label, and the totals
// shown. No count from 1 to 4 may be shown, and each must take at least
// two values across those tables. Shown figures must be the counts.
func TestProgressGivesNoSmallCountAway(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 4))
	const maxM = 14
	for trial := range 3000 {
		n := 1 + rng.IntN(3)
		rows := make([]progressCounts, n)
		for i := range rows {
			p := 1 + rng.IntN(7)
			a := rng.IntN(p + 1)
			w := rng.IntN(p - a + 1)
			ended := rng.IntN(4)
			if rng.IntN(3) == 0 {
				ended = 0
			}
			rows[i] = progressCounts{specialism: string(rune('a' + i)), posts: 1, places: p, accepted: a, awaiting: w, unfilled: p - a - w, offersMade: a + w + ended}
		}
		pub, total := publishProgress(rows)
		fit := func(f Figure, actual, v int) bool {
			switch f.Shown {
			case ShownCount:
				if f.Count != actual {
					t.Fatalf("trial %d: a figure shows %d, the count is %d", trial, f.Count, actual)
				}
				if small(actual) {
					t.Fatalf("trial %d: a figure shows %d", trial, actual)
				}
				return v == actual
			case ShownFewer:
				if !small(actual) {
					t.Fatalf("trial %d: %d reads fewer than 5", trial, actual)
				}
				return v >= 1 && v <= 4
			}
			return true
		}
		// Each row's own tables, from its figures alone.
		type table struct{ a, w, m int }
		options := make([][]table, n)
		for i, r := range rows {
			f := pub[i]
			for a := 0; a <= r.places; a++ {
				for w := 0; a+w <= r.places; w++ {
					for m := a + w; m <= maxM; m++ {
						if fit(f.Accepted, r.accepted, a) && fit(f.Awaiting, r.awaiting, w) && fit(f.Unfilled, r.unfilled, r.places-a-w) && fit(f.OffersMade, r.offersMade, m) {
							options[i] = append(options[i], table{a, w, m})
						}
					}
				}
			}
		}
		sums := func(c func(r progressCounts) int) int {
			s := 0
			for _, r := range rows {
				s += c(r)
			}
			return s
		}
		tot := [4]int{sums(func(r progressCounts) int { return r.accepted }), sums(func(r progressCounts) int { return r.awaiting }),
			sums(func(r progressCounts) int { return r.unfilled }), sums(func(r progressCounts) int { return r.offersMade })}
		// Every combination of the rows' tables that fits the totals.
		seen := make([][4]map[int]bool, n)
		for i := range seen {
			for c := range 4 {
				seen[i][c] = map[int]bool{}
			}
		}
		pick := make([]table, n)
		var walk func(i int)
		walk = func(i int) {
			if i < n {
				for _, o := range options[i] {
					pick[i] = o
					walk(i + 1)
				}
				return
			}
			var s [4]int
			for j, o := range pick {
				s[0] += o.a
				s[1] += o.w
				s[2] += rows[j].places - o.a - o.w
				s[3] += o.m
			}
			if !fit(total.Accepted, tot[0], s[0]) || !fit(total.Awaiting, tot[1], s[1]) || !fit(total.Unfilled, tot[2], s[2]) || !fit(total.OffersMade, tot[3], s[3]) {
				return
			}
			for j, o := range pick {
				for c, v := range []int{o.a, o.w, rows[j].places - o.a - o.w, o.m} {
					seen[j][c][v] = true
				}
			}
		}
		walk(0)
		for j, r := range rows {
			for c, actual := range []int{r.accepted, r.awaiting, r.unfilled, r.offersMade} {
				if !seen[j][c][actual] {
					t.Fatalf("trial %d: row %d's count %d (column %d) fits no table: %+v", trial, j, actual, c, rows)
				}
				if small(actual) && len(seen[j][c]) < 2 {
					t.Fatalf("trial %d: row %d's count %d (column %d) can be worked out from %+v published as %+v, total %+v", trial, j, actual, c, rows, pub, total)
				}
			}
		}
		for c, f := range []Figure{total.Accepted, total.Awaiting, total.Unfilled, total.OffersMade} {
			fit(f, tot[c], tot[c])
		}
	}
}

// TestProgressShowsWhatItCan: a round with nothing small shows every
// count and total, and one small count hides no more than it must.
func TestProgressShowsWhatItCan(t *testing.T) {
	rows := []progressCounts{
		{specialism: "a", posts: 3, places: 20, accepted: 10, awaiting: 5, unfilled: 5, offersMade: 18},
		{specialism: "b", posts: 2, places: 12, accepted: 7, awaiting: 0, unfilled: 5, offersMade: 9},
	}
	pub, total := publishProgress(rows)
	for _, f := range []Figure{pub[0].Accepted, pub[1].Awaiting, total.Accepted, total.Unfilled, total.OffersMade} {
		if f.Shown != ShownCount {
			t.Errorf("nothing small, and %+v is not shown", f)
		}
	}
	rows[1].accepted, rows[1].unfilled = 3, 9
	pub, total = publishProgress(rows)
	if pub[1].Accepted.Shown != ShownFewer || pub[0].Accepted.Shown != ShownCount || pub[0].Unfilled.Shown != ShownCount {
		t.Errorf("one small count: %+v, %+v", pub, total)
	}
}
