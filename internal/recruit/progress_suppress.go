package recruit

import "slices"

// Small numbers on the public offer-progress page. Each specialism's row
// has its places, which anyone can add up from the posts' pages, and four
// counts of people: places accepted (a), awaiting an answer (w) and
// unfilled (u), which add up to the places, and offers made (m), which
// are at least a + w (every live offer was made). The round's total row
// has the same columns. A count from 1 to 4 reads "fewer than 5"; other
// counts are withheld ("not shown": any count, zero included) until none
// from 1 to 4 can be worked out exactly by someone who knows all of that.
//
// The check is exact. A row's possible tables are every (a, w, m) its
// labels and places allow, few enough to list; a total shown ties the
// rows together, and a walk over the rows (the sums of a and of w that
// the rows before and after a row can reach) finds every value a row's
// count can take with the totals as published. A count from 1 to 4 that
// can take only one value is given away.
//
// Rows are protected first, alone: while a small count of a row can be
// worked out, the row's shown count whose withholding leaves the fewest
// given away is withheld (a "fewer than 5" becomes "not shown" when
// nothing else is left). Then the totals: of accepted, awaiting and
// unfilled, all three are shown (they add up to the places, so any two
// give the third) if that gives nothing away, else the one of them that
// gives nothing away, else none; offers made is shown when every row
// shows it. A total from 1 to 4 is never shown.

// progressLabel is how a count is published.
type progressLabel uint8

const (
	labelShown progressLabel = iota
	labelFewer
	labelHidden
)

// The counts of a row, by column.
const (
	colAccepted = iota
	colAwaiting
	colUnfilled
	colMade
	progressCols
)

// progressTable is the labels of every row's counts and of the totals.
type progressTable struct {
	rows   [][progressCols]progressLabel
	totals [progressCols]progressLabel
}

// suppressRow is one row as the suppression sees it.
type suppressRow struct {
	places int
	counts [progressCols]int
	labels [progressCols]progressLabel
}

func small(n int) bool { return n > 0 && n < ProgressThreshold }

// fits reports whether v is a value a count labelled l, whose shown
// value is count, may take.
func fits(l progressLabel, count, v int) bool {
	switch l {
	case labelShown:
		return v == count
	case labelFewer:
		return v >= 1 && v < ProgressThreshold
	}
	return v >= 0
}

// rowTable is a table a row's labels allow: a, w (u is the rest of the
// places) and the least and greatest m (maxMade for none).
type rowTable struct{ a, w, mLo, mHi int }

const maxMade = 1 << 30

// tables lists the tables the row's labels allow.
func (r *suppressRow) tables() []rowTable {
	var out []rowTable
	for a := 0; a <= r.places; a++ {
		if !fits(r.labels[colAccepted], r.counts[colAccepted], a) {
			continue
		}
		for w := 0; a+w <= r.places; w++ {
			if !fits(r.labels[colAwaiting], r.counts[colAwaiting], w) || !fits(r.labels[colUnfilled], r.counts[colUnfilled], r.places-a-w) {
				continue
			}
			lo, hi := a+w, maxMade
			switch r.labels[colMade] {
			case labelShown:
				lo, hi = r.counts[colMade], r.counts[colMade]
			case labelFewer:
				lo, hi = max(lo, 1), ProgressThreshold-1
			}
			if lo < a+w || lo > hi {
				continue
			}
			out = append(out, rowTable{a, w, lo, hi})
		}
	}
	return out
}

// values are the values each small count can take, as sets.
type values [progressCols]map[int]bool

func (v *values) add(t rowTable, places int) {
	for c, n := range []int{t.a, t.w, places - t.a - t.w} {
		if v[c] == nil {
			v[c] = map[int]bool{}
		}
		v[c][n] = true
	}
	if v[colMade] == nil {
		v[colMade] = map[int]bool{}
	}
	// Offers made ranges from lo to hi: two values are enough to know it
	// cannot be pinned.
	v[colMade][t.mLo] = true
	if t.mHi > t.mLo {
		v[colMade][t.mLo+1] = true
	}
}

// givenAway counts the row's small counts that can take only one value,
// given the values each column can take.
func (r *suppressRow) givenAway(v values) int {
	n := 0
	for c := range progressCols {
		if small(r.counts[c]) && len(v[c]) <= 1 {
			n++
		}
	}
	return n
}

// rowValues is the values of each count of a row on its own.
func (r *suppressRow) rowValues() values {
	var v values
	for _, t := range r.tables() {
		v.add(t, r.places)
	}
	return v
}

// protectRow withholds the row's counts until none of its small counts
// can be worked out from the row alone.
func (r *suppressRow) protectRow() {
	for c := range progressCols {
		if small(r.counts[c]) {
			r.labels[c] = labelFewer
		}
	}
	for {
		lost := r.givenAway(r.rowValues())
		if lost == 0 {
			return
		}
		best, bestLost := -1, lost
		for c := range progressCols {
			if r.labels[c] != labelShown {
				continue
			}
			r.labels[c] = labelHidden
			n := r.givenAway(r.rowValues())
			r.labels[c] = labelShown
			if best < 0 || n < bestLost || n == bestLost && r.counts[c] < r.counts[best] {
				best, bestLost = c, n
			}
		}
		if best >= 0 {
			r.labels[best] = labelHidden
			continue
		}
		// Nothing left to withhold: a "fewer than 5" says the count is at
		// least 1, which is what gives it away.
		for c := range progressCols {
			if r.labels[c] == labelFewer {
				r.labels[c] = labelHidden
				break
			}
		}
	}
}

// totalsMode is which of the totals of accepted, awaiting and unfilled
// are shown; a walk over the rows keeps the sums the shown ones fix.
type totalsMode int

const (
	totalsNone totalsMode = iota
	totalsAll
	totalsAccepted
	totalsUnfilled
	totalsAwaiting
)

// key is what of a row's table a mode's totals add up.
func (m totalsMode) key(t rowTable, width int) int {
	switch m {
	case totalsAll:
		return t.a*width + t.w
	case totalsAccepted:
		return t.a
	case totalsAwaiting:
		return t.w
	case totalsUnfilled:
		return t.a + t.w // unfilled is the places less a + w
	}
	return 0
}

// valuesWithTotals is the values each row's counts can take when the
// mode's totals, target, are shown.
func valuesWithTotals(rows []*suppressRow, mode totalsMode, target, width int) []values {
	tables := make([][]rowTable, len(rows))
	for i, r := range rows {
		tables[i] = r.tables()
	}
	step := func(from map[int]bool, ts []rowTable) map[int]bool {
		to := map[int]bool{}
		for s := range from {
			for _, t := range ts {
				to[s+mode.key(t, width)] = true
			}
		}
		return to
	}
	// before[i] is the sums the rows before row i can reach; after[i] the
	// sums the rows after it can.
	before := make([]map[int]bool, len(rows)+1)
	after := make([]map[int]bool, len(rows)+1)
	before[0], after[len(rows)] = map[int]bool{0: true}, map[int]bool{0: true}
	for i := range rows {
		before[i+1] = step(before[i], tables[i])
	}
	for i := len(rows) - 1; i >= 0; i-- {
		after[i] = step(after[i+1], tables[i])
	}
	out := make([]values, len(rows))
	for i, r := range rows {
		for _, t := range tables[i] {
			need := target - mode.key(t, width)
			for s := range before[i] {
				if after[i+1][need-s] {
					out[i].add(t, r.places)
					break
				}
			}
		}
	}
	return out
}

// suppressProgress labels a round's counts so that no count of people
// from 1 to 4 is shown or can be worked out.
func suppressProgress(counts []progressCounts) progressTable {
	rows := make([]*suppressRow, len(counts))
	var sum [progressCols]int
	places := 0
	for i, c := range counts {
		rows[i] = &suppressRow{places: c.places, counts: [progressCols]int{c.accepted, c.awaiting, c.unfilled, c.offersMade}}
		rows[i].protectRow()
		for col, n := range rows[i].counts {
			sum[col] += n
		}
		places += c.places
	}
	width := places + 1
	t := progressTable{rows: make([][progressCols]progressLabel, len(rows))}
	for i, r := range rows {
		t.rows[i] = r.labels
	}
	for c := range t.totals {
		t.totals[c] = labelHidden
	}
	// Offers made in all: only when every row shows its own.
	if !slices.ContainsFunc(rows, func(r *suppressRow) bool { return r.labels[colMade] != labelShown }) {
		t.totals[colMade] = labelShown
	}
	shows := map[totalsMode][]int{totalsAll: {colAccepted, colAwaiting, colUnfilled}, totalsAccepted: {colAccepted},
		totalsUnfilled: {colUnfilled}, totalsAwaiting: {colAwaiting}}
	for _, mode := range []totalsMode{totalsAll, totalsAccepted, totalsUnfilled, totalsAwaiting} {
		if slices.ContainsFunc(shows[mode], func(c int) bool { return small(sum[c]) }) {
			continue
		}
		target := mode.key(rowTable{a: sum[colAccepted], w: sum[colAwaiting]}, width)
		vals := valuesWithTotals(rows, mode, target, width)
		lost := 0
		for i, r := range rows {
			lost += r.givenAway(vals[i])
		}
		if lost == 0 {
			for _, c := range shows[mode] {
				t.totals[c] = labelShown
			}
			break
		}
	}
	return t
}
