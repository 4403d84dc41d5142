package workforce

import (
	"io/fs"
	"slices"
	"testing"

	"hcs/data"
	"hcs/internal/framework"
)

func loadFramework(t testing.TB) *framework.Framework {
	sub, err := fs.Sub(data.Framework, "framework")
	if err != nil {
		t.Fatal(err)
	}
	f, err := framework.Load(sub)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// flat is a dimension of a whole and n leaves.
func flat(n int) *Dimension {
	d := &Dimension{Levels: []string{"Part"}}
	d.add("", "All", 0)
	for i := range n {
		d.add(string(rune('a'+i)), string(rune('A'+i)), 0)
	}
	return d
}

// one builds a table of parts and their total (cell 0).
func one(parts ...int32) (*lattice, []int32) {
	l := newLattice([]*Dimension{flat(len(parts))})
	count := append([]int32{0}, parts...)
	for _, p := range parts {
		count[0] += p
	}
	return l, count
}

func TestSuppressOneTable(t *testing.T) {
	cases := []struct {
		name   string
		parts  []int32
		hidden []int // cells hidden, 0 being the total
	}{
		{"nothing small", []int32{5, 10, 12}, nil},
		{"one small hides the next smallest", []int32{3, 10, 12}, []int{1, 2}},
		{"a zero is withheld before a count", []int32{2, 0, 30, 0}, []int{1, 2}},
		{"two small that add up to little", []int32{1, 1, 40}, []int{1, 2}},
		{"two small whose sum leaves room", []int32{2, 3, 40}, []int{1, 2}},
		{"a small total hides everything", []int32{1, 2}, []int{0, 1, 2}},
		{"all ones", []int32{1, 1, 1, 1, 1, 1, 50}, []int{1, 2, 3, 4, 5, 6}},
		{"a one beside fours", []int32{1, 4, 4, 30}, []int{1, 2, 3}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l, count := one(c.parts...)
			labels := l.suppress(count, 5)
			var got []int
			for i, l := range labels {
				if l != labelShown {
					got = append(got, i)
				}
			}
			if !slices.Equal(got, c.hidden) {
				t.Fatalf("parts %v (total %d): hidden %v, want %v", c.parts, count[0], got, c.hidden)
			}
			audit(t, count, labels, l.equations(), 5, nil)
		})
	}
}

// audit fails when anyone who knows the equations and the labels can
// work out a hidden count.
func audit(t testing.TB, count []int32, labels []label, eqs []equation, threshold int, published []bool) {
	t.Helper()
	auditWithin(t, count, nil, labels, eqs, threshold, published)
}

// auditWithin is audit for a reader who also knows that no cell exceeds
// upper (nil: no bound).
func auditWithin(t testing.TB, count, upper []int32, labels []label, eqs []equation, threshold int, published []bool) {
	t.Helper()
	of := make([][]int32, len(count))
	for e := range eqs {
		of[eqs[e].parent] = append(of[eqs[e].parent], int32(e))
		for _, c := range eqs[e].children {
			of[c] = append(of[c], int32(e))
		}
	}
	b := tighten(count, upper, labels, eqs, of, threshold)
	for i, l := range labels {
		h := l != labelShown
		if b.lo[i] > int64(count[i]) || b.hi[i] < int64(count[i]) {
			t.Fatalf("cell %d (%d): bounds %d to %d do not hold it", i, count[i], b.lo[i], b.hi[i])
		}
		if published != nil && !published[i] {
			continue
		}
		if h && count[i] > 0 && int(count[i]) < threshold && b.lo[i] == b.hi[i] {
			t.Fatalf("cell %d is hidden, and its count %d can be worked out", i, count[i])
		}
		if count[i] > 0 && int(count[i]) < threshold && l == labelShown {
			t.Fatalf("cell %d shows %d", i, count[i])
		}
		if l == labelFewer && (count[i] == 0 || int(count[i]) >= threshold) {
			t.Fatalf("cell %d reads fewer than %d and holds %d", i, threshold, count[i])
		}
	}
}

// A hand-made two-way table: the attack by subtraction across rows and
// columns at once.
func TestSuppressTwoWayTable(t *testing.T) {
	// 3 x 3 with margins: node 0 of each dimension is the total.
	grid := [3][3]int32{{3, 20, 30}, {25, 2, 40}, {50, 60, 1}}
	l := newLattice([]*Dimension{flat(3), flat(3)})
	count := make([]int32, l.cells)
	for r := range 3 {
		for c := range 3 {
			v := grid[r][c]
			for _, i := range []int{(r+1)*4 + c + 1, (r + 1) * 4, c + 1, 0} {
				count[i] += v
			}
		}
	}
	labels := l.suppress(count, 5)
	audit(t, count, labels, l.equations(), 5, nil)
	n := 0
	for _, l := range labels {
		if l != labelShown {
			n++
		}
	}
	if n < 6 {
		t.Fatalf("%d cells hidden; three small ones in a 3 x 3 table need at least six", n)
	}
}

// Every cube of a synthetic workforce, audited: no hidden count can be
// worked out from all the figures published for that day.
func TestSuppressedFiguresRevealNoSmallCount(t *testing.T) {
	f := loadFramework(t)
	today := Date(2026, 12, 1)
	employers, as := Synthesize(f, SynthOptions{Employers: 20, Staff: 4000, Years: 10, Today: today, Seed: 3})
	stored := make([]Stored, len(as))
	for i := range as {
		stored[i] = Stored{ID: int64(i + 1), Assignment: as[i]}
	}
	m := newModel(f, 1, employers, stored, today, 5)
	m.count()
	eqs := m.lat.equations()
	small := 0
	for p := range m.cubes {
		c := &m.cubes[p]
		audit(t, c.count, c.labels, eqs, 5, m.lat.published)
		for _, n := range c.count {
			if n > 0 && n < 5 {
				small++
			}
		}
	}
	if small == 0 {
		t.Fatal("no small counts to hide: the test shows nothing")
	}
	// And the figures are the staff counted directly.
	for _, q := range []Query{{By: DimRegion}, {By: DimSpecialism, Depth: 3}, {By: DimBand, Filter: [numDims]string{DimLevel: "practitioner"}},
		{By: DimLevel, At: m.Points[10], Filter: [numDims]string{DimRegion: "London", DimSpecialism: "division:life-sciences"}}} {
		table, err := m.Breakdown(q)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{}
		total := 0
		for _, a := range as {
			if !a.ActiveOn(table.At) || !matches(f, employers, &a, q.Filter) {
				continue
			}
			total++
			want[nodeCode(f, employers, &a, q.By, q.Depth)]++
		}
		if table.Total.Shown == ShownCount && table.Total.Headcount != total {
			t.Errorf("%+v: total %d, counted %d", q, table.Total.Headcount, total)
		}
		for _, r := range table.Rows {
			if r.Shown == ShownCount && r.Headcount != want[r.Code] {
				t.Errorf("%+v: %s has %d, counted %d", q, r.Name, r.Headcount, want[r.Code])
			}
			if r.Shown != ShownCount && r.Headcount != 0 {
				t.Errorf("%+v: %s is hidden and carries %d", q, r.Name, r.Headcount)
			}
		}
	}
}

func regionOf(employers []Employer, code string) string {
	for _, e := range employers {
		if e.Code == code {
			return e.Region
		}
	}
	return ""
}

// nodeCode names an assignment's node in a dimension, at a depth.
func nodeCode(f *framework.Framework, employers []Employer, a *Assignment, d Dim, depth int) string {
	switch d {
	case DimRegion:
		return regionOf(employers, a.Employer)
	case DimLevel:
		return a.Level
	case DimBand:
		return a.Band
	}
	s := countedSpecialism(f, a.Specialism)
	switch depth {
	case 1:
		return "division:" + f.RoleGroup(s.RoleGroupID).DivisionID
	case 2:
		return "group:" + s.RoleGroupID
	}
	return s.ID
}

func matches(f *framework.Framework, employers []Employer, a *Assignment, filter [numDims]string) bool {
	for k, want := range filter {
		if want == "" {
			continue
		}
		depth := 1
		if Dim(k) == DimSpecialism {
			switch want[:min(len(want), 6)] {
			case "divisi":
				depth = 1
			case "group:":
				depth = 2
			default:
				depth = 3
			}
		}
		if nodeCode(f, employers, a, Dim(k), depth) != want {
			return false
		}
	}
	return true
}

// infinite stands for no upper bound.
const infinite = int64(1) << 40

// Bounds is what someone reading the figures knows of each cell: its
// lowest and highest possible count.
type bounds struct{ lo, hi []int64 }

// tighten works out the bounds on every cell from the labels and the
// equations, until no bound moves.
func tighten(count, upper []int32, labels []label, eqs []equation, of [][]int32, threshold int) bounds {
	n := len(count)
	b := bounds{lo: make([]int64, n), hi: make([]int64, n)}
	var work []int32
	queued := make([]bool, len(eqs))
	for i := range n {
		switch labels[i] {
		case labelShown:
			b.lo[i], b.hi[i] = int64(count[i]), int64(count[i])
		case labelFewer:
			b.lo[i], b.hi[i] = 1, int64(threshold-1)
		default:
			b.lo[i], b.hi[i] = 0, infinite
		}
		if upper != nil {
			b.hi[i] = min(b.hi[i], int64(upper[i]))
		}
		if labels[i] != labelShown {
			for _, e := range of[i] {
				if !queued[e] {
					queued[e] = true
					work = append(work, e)
				}
			}
		}
	}
	changed := func(c int32, lo, hi int64) {
		if lo <= b.lo[c] && hi >= b.hi[c] {
			return
		}
		b.lo[c], b.hi[c] = max(lo, b.lo[c]), min(hi, b.hi[c])
		for _, e := range of[c] {
			if !queued[e] {
				queued[e] = true
				work = append(work, e)
			}
		}
	}
	// Bounds only narrow, and the counts hold them, so this ends; the
	// limit guards against a mistake that would make it run on.
	for steps := 0; len(work) > 0 && steps < 1000+100*len(eqs); steps++ {
		e := work[len(work)-1]
		work = work[:len(work)-1]
		queued[e] = false
		eq := &eqs[e]
		// The children's sums: lowest, and highest over those with a
		// highest (unbounded counts how many have none).
		var sumLo, sumHi int64
		unbounded := 0
		for _, c := range eq.children {
			sumLo += b.lo[c]
			if b.hi[c] >= infinite {
				unbounded++
			} else {
				sumHi += b.hi[c]
			}
		}
		p := eq.parent
		if unbounded > 0 {
			changed(p, sumLo, infinite)
		} else {
			changed(p, sumLo, sumHi)
		}
		for _, c := range eq.children {
			// The others' highest sum bounds this child from below.
			otherHi := infinite
			switch {
			case unbounded == 0:
				otherHi = sumHi - b.hi[c]
			case unbounded == 1 && b.hi[c] >= infinite:
				otherHi = sumHi
			}
			lo := int64(0)
			if otherHi < infinite && b.lo[p] > otherHi {
				lo = b.lo[p] - otherHi
			}
			hi := infinite
			if b.hi[p] < infinite {
				hi = b.hi[p] - (sumLo - b.lo[c])
			}
			changed(c, lo, hi)
		}
	}
	return b
}

// BenchmarkSuppress times the suppression of one quarter's cube of a
// synthetic workforce of 60,000 staff across 200 employers.
func BenchmarkSuppress(b *testing.B) {
	f := loadFramework(b)
	today := Date(2026, 12, 1)
	employers, as := Synthesize(f, SynthOptions{Employers: 200, Staff: 60000, Years: 10, Today: today, Seed: 1})
	stored := make([]Stored, len(as))
	for i := range as {
		stored[i] = Stored{ID: int64(i + 1), Assignment: as[i]}
	}
	m := newModel(f, 1, employers, stored, today, DefaultThreshold)
	m.lat = newLattice(m.Dims[:])
	c := make([]int32, m.cells)
	last := m.Points[len(m.Points)-1]
	for i := range m.facts {
		if ft := &m.facts[i]; ft.start <= last && last <= ft.end {
			c[ft.leaf]++
		}
	}
	m.rollUp(c)
	b.ResetTimer()
	for range b.N {
		m.suppress(c)
	}
}
