package workforce

import "testing"

// Joiners and leavers counted directly from the assignments: in the
// workforce at one count and not at the count a year before (a joiner),
// or the other way round (a leaver); a move is neither. Every flow
// figure is audited for small counts, and the whole workforce's
// headcount changes by exactly its joiners less its leavers.
func TestFlowsAreCountedAndRevealNoSmallCount(t *testing.T) {
	f := loadFramework(t)
	today := Date(2026, 12, 1)
	employers, as := Synthesize(f, SynthOptions{Employers: 20, Staff: 4000, Years: 10, Today: today, Seed: 5})
	stored := make([]Stored, len(as))
	for i := range as {
		stored[i] = Stored{ID: int64(i + 1), Assignment: as[i]}
	}
	m := newModel(f, 1, employers, stored, today, 5)
	if _, err := m.FlowBreakdown(Query{At: m.Points[3], By: DimRegion}); err == nil {
		t.Fatal("joiners in the year to the fourth count: want an error, there is no count a year before")
	}
	inAt := func(d Day) map[string]*Assignment {
		out := map[string]*Assignment{}
		for i := range as {
			if as[i].ActiveOn(d) {
				out[as[i].Person] = &as[i]
			}
		}
		return out
	}
	eqs := (func() []equation { m.count(); return m.lat.equations() })()
	small, moves := 0, 0
	for p := 4; p < len(m.Points); p += 3 {
		if _, err := m.FlowBreakdown(Query{At: m.Points[p], By: DimBand, Filter: [numDims]string{DimLevel: "practitioner"}}); err == nil {
			t.Fatal("joiners by band of practitioners: want an error, flows narrow one dimension")
		}
		for _, q := range []Query{{By: DimRegion}, {By: DimSpecialism, Depth: 3}, {By: DimSpecialism, Depth: 1}, {By: DimBand}, {By: DimLevel}} {
			q.At = m.Points[p]
			ft, err := m.FlowBreakdown(q)
			if err != nil {
				t.Fatal(err)
			}
			before, after := inAt(m.Points[p-4]), inAt(m.Points[p])
			joiners, leavers := map[string]int{}, map[string]int{}
			total := [2]int{}
			for person, a := range after {
				if b, ok := before[person]; ok {
					if b.Employer != a.Employer || b.Band != a.Band {
						moves++
					}
					continue
				}
				if matches(f, employers, a, q.Filter) {
					joiners[nodeCode(f, employers, a, q.By, q.Depth)]++
					total[0]++
				}
			}
			for person, b := range before {
				if _, ok := after[person]; !ok && matches(f, employers, b, q.Filter) {
					leavers[nodeCode(f, employers, b, q.By, q.Depth)]++
					total[1]++
				}
			}
			if ft.TooFew {
				t.Fatalf("%s: the national flows are too few to show in a workforce of 4,000", ft.To)
			}
			for _, r := range append(ft.Rows, ft.Total) {
				want := [2]int{joiners[r.Code], leavers[r.Code]}
				if r.Code == ft.Total.Code && r.Name == ft.Total.Name {
					want = total
				}
				for i, fig := range []Figure{r.Joiners, r.Leavers} {
					switch {
					case fig.Shown == ShownCount && fig.Count != want[i]:
						t.Errorf("%s %+v: %s has %d, counted %d", ft.To, q.Filter, r.Name, fig.Count, want[i])
					case fig.Shown == ShownCount && want[i] > 0 && want[i] < 5:
						t.Errorf("%s: %s shows %d", ft.To, r.Name, want[i])
					case fig.Shown == ShownFewer:
						small++
					}
				}
			}
		}
		fc := m.flowsAt(p)
		// A reader knows no group has more joiners than staff now, nor more
		// leavers than staff a year before.
		auditWithin(t, fc.joiners, m.headcountBound(p), fc.jl, eqs, 5, m.flowLat.published)
		auditWithin(t, fc.leavers, m.headcountBound(p-4), fc.ll, eqs, 5, m.flowLat.published)
		// The whole workforce: headcount now = a year ago + joiners - leavers.
		if s0, s1 := m.cubes[p-4].count[0], m.cubes[p].count[0]; s1 != s0+fc.joiners[0]-fc.leavers[0] {
			t.Errorf("%s: %d staff, %d a year before, %d joined and %d left", m.Points[p], s1, s0, fc.joiners[0], fc.leavers[0])
		}
	}
	if small == 0 || moves == 0 {
		t.Fatalf("%d small flows, %d moves: the case tests too little", small, moves)
	}

	if _, err := m.FlowSeries([numDims]string{DimRegion: "London", DimLevel: "practitioner"}); err == nil {
		t.Fatal("joiners of London's practitioners: want an error, flows narrow one dimension")
	}
	s, err := m.FlowSeries([numDims]string{DimRegion: "London"})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Points) < 8 || s.Points[0].Time().Month() != 3 || s.Points[0].Time().Day() != 31 {
		t.Fatalf("series of years to %v", s.Points)
	}
}
