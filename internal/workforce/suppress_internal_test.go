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

// one builds a single equation: cell 0 is the total of cells 1...
func one(parts ...int32) ([]int32, []equation) {
	count := append([]int32{0}, parts...)
	e := equation{parent: 0}
	for i, p := range parts {
		count[0] += p
		e.children = append(e.children, int32(i+1))
	}
	return count, []equation{e}
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
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			count, eqs := one(c.parts...)
			labels := suppress(count, eqs, 5)
			var got []int
			for i, l := range labels {
				if l != labelShown {
					got = append(got, i)
				}
			}
			if !slices.Equal(got, c.hidden) {
				t.Fatalf("parts %v (total %d): hidden %v, want %v", c.parts, count[0], got, c.hidden)
			}
			audit(t, count, labels, eqs, 5)
		})
	}
}

// audit fails when anyone who knows the equations and the labels can
// work out a hidden count.
func audit(t testing.TB, count []int32, labels []label, eqs []equation, threshold int) {
	t.Helper()
	of := make([][]int32, len(count))
	for e := range eqs {
		of[eqs[e].parent] = append(of[eqs[e].parent], int32(e))
		for _, c := range eqs[e].children {
			of[c] = append(of[c], int32(e))
		}
	}
	b := tighten(count, labels, eqs, of, threshold)
	for i, l := range labels {
		h := l != labelShown
		if b.lo[i] > int64(count[i]) || b.hi[i] < int64(count[i]) {
			t.Fatalf("cell %d (%d): bounds %d to %d do not hold it", i, count[i], b.lo[i], b.hi[i])
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
	// 3 x 3 with margins: cells r*4+c, row totals at c=3, column totals at r=3.
	grid := [3][3]int32{{3, 20, 30}, {25, 2, 40}, {50, 60, 1}}
	count := make([]int32, 16)
	for r := range 3 {
		for c := range 3 {
			v := grid[r][c]
			count[r*4+c] += v
			count[r*4+3] += v
			count[12+c] += v
			count[15] += v
		}
	}
	var eqs []equation
	for r := range 4 {
		eqs = append(eqs, equation{parent: int32(r*4 + 3), children: []int32{int32(r * 4), int32(r*4 + 1), int32(r*4 + 2)}})
	}
	for c := range 4 {
		eqs = append(eqs, equation{parent: int32(12 + c), children: []int32{int32(c), int32(4 + c), int32(8 + c)}})
	}
	labels := suppress(count, eqs, 5)
	audit(t, count, labels, eqs, 5)
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
	small := 0
	for p := range m.cubes {
		c := &m.cubes[p]
		audit(t, c.count, c.labels, m.eqs, 5)
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
