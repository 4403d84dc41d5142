package workforce

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/auth"
)

func day(t *testing.T, s string) Day {
	t.Helper()
	d, err := ParseDay(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// A pipeline small enough to count by hand.
func TestPipelineByHand(t *testing.T) {
	f := loadFramework(t)
	sp := f.CurrentSpecialisms()
	a, b := sp[0].ID, sp[len(sp)-1].ID
	trainees := []Trainee{
		{Programme: "stp", Specialism: a, Region: "London", ExpectedEnd: day(t, "2027-09-30")},
		{Programme: "stp", Specialism: a, Region: "London", ExpectedEnd: day(t, "2028-09-30")},
		{Programme: "stp", Specialism: b, Region: "Wales", ExpectedEnd: day(t, "2028-09-30")},
		{Programme: "ptp", Specialism: b, Region: "Wales", ExpectedEnd: day(t, "2029-07-31")},
	}
	posts := []Post{
		{Round: "STP 2025", Programme: "stp", Specialism: a, Region: "London", Places: 3, Accepted: 2, Awaiting: 1},
		{Round: "STP 2025", Programme: "stp", Specialism: b, Region: "Wales", Places: 2, Accepted: 1},
		{Round: "PTP 2026", Programme: "ptp", Specialism: b, Region: "Wales", Places: 4, Accepted: 0, Awaiting: 2},
	}
	// In 2026 the years run from 2025 or before to 2032 or later, and a
	// trainee expected in 2022 (late) and one in 2034 fall in those.
	trainees = append(trainees,
		Trainee{Programme: "stp", Specialism: a, Region: "London", ExpectedEnd: day(t, "2022-09-30")},
		Trainee{Programme: "hsst", Specialism: a, Region: "London", ExpectedEnd: day(t, "2034-09-30")})
	p, err := pipeline(f, 2026, trainees, posts, PipelineQuery{}, true, DefaultThreshold)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{2025, 2026, 2027, 2028, 2029, 2030, 2031, 2032}; !slices.Equal(p.Years, want) {
		t.Fatalf("years %v, want %v", p.Years, want)
	}
	if p.YearNames[0] != "2025 or before" || p.YearNames[1] != "2026" || p.YearNames[6] != "2031" || p.YearNames[7] != "2032 or later" {
		t.Fatalf("year names %q", p.YearNames)
	}
	counts := func(r PipelineRow) []int {
		var out []int
		for _, c := range r.Years {
			out = append(out, c.Count)
		}
		return append(out, r.Total.Count)
	}
	// Every programme recruited to nationally has a row, in the
	// framework's order, trainees or none.
	var codes []string
	rows := map[string]PipelineRow{}
	for _, r := range p.Rows {
		codes = append(codes, r.Code)
		rows[r.Code] = r
	}
	if len(p.Rows) != len(p.Programmes) || len(p.Rows) < 8 || slices.Index(codes, "ptp") > slices.Index(codes, "stp") ||
		slices.Contains(codes, "stp-equivalence") || slices.Contains(codes, "science-degree") {
		t.Fatalf("programmes %v, want every programme recruited to, in the framework's order", codes)
	}
	for _, c := range []struct {
		got  []int
		want []int
	}{
		{counts(rows["ptp"]), []int{0, 0, 0, 0, 1, 0, 0, 0, 1}},
		{counts(rows["stp"]), []int{1, 0, 1, 2, 0, 0, 0, 0, 4}},
		{counts(rows["hsst"]), []int{0, 0, 0, 0, 0, 0, 0, 1, 1}},
		{counts(rows["apprenticeship-level-2"]), []int{0, 0, 0, 0, 0, 0, 0, 0, 0}},
		{counts(p.Total), []int{1, 0, 1, 2, 1, 0, 0, 1, 6}},
	} {
		if len(c.got) != len(c.want) {
			t.Fatalf("got %v, want %v", c.got, c.want)
		}
		for i := range c.got {
			if c.got[i] != c.want[i] {
				t.Fatalf("got %v, want %v", c.got, c.want)
			}
		}
	}
	if len(p.Rounds) != 2 {
		t.Fatalf("%d rounds, want 2", len(p.Rounds))
	}
	r := p.Rounds[0]
	if r.Places != 5 || r.Filled.Count != 2+1 || r.Unfilled.Count != 2 || *r.Awaiting != 1 || *r.FillRate != 60 {
		t.Fatalf("STP 2025: %+v, want 5 places, 3 filled, 2 not, 1 awaiting, 60%%", r)
	}

	// Narrowed to Wales: one STP trainee and the PTP one; the rounds'
	// places in Wales alone.
	p, err = pipeline(f, 2026, trainees, posts, PipelineQuery{Region: "Wales"}, true, DefaultThreshold)
	if err != nil {
		t.Fatal(err)
	}
	if got := counts(p.Total); !slices.Equal(got, []int{0, 0, 0, 1, 1, 0, 0, 0, 2}) {
		t.Fatalf("Wales: %v, want one in 2028, one in 2029, 2 in all", got)
	}
	if r := p.Rounds[0]; r.Places != 2 || r.Filled.Count != 1 || *r.FillRate != 50 {
		t.Fatalf("STP 2025 in Wales: %+v", r)
	}

	// Narrowed to a programme: its row and rounds alone.
	p, err = pipeline(f, 2026, trainees, posts, PipelineQuery{Programme: "ptp"}, true, DefaultThreshold)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Rows) != 1 || p.Total.Total.Count != 1 || len(p.Rounds) != 1 || p.Rounds[0].Round != "PTP 2026" {
		t.Fatalf("PTP alone: %+v", p)
	}

	// Outside the national school every count but the total is small.
	p, err = pipeline(f, 2026, trainees, posts, PipelineQuery{}, false, DefaultThreshold)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Rows) != len(p.Programmes) || len(p.YearNames) != 8 {
		t.Fatalf("a planner reads %d rows and %d years, want every programme and the same years", len(p.Rows), len(p.YearNames))
	}
	for _, r := range append(p.Rows, p.Total) {
		for _, c := range append(r.Years, r.Total) {
			if c.Shown == ShownCount && c.Count > 0 && c.Count < DefaultThreshold {
				t.Fatalf("%s shows %d to a planner", r.Name, c.Count)
			}
		}
	}
	// STP 2025 filled 3 of 5: fewer than 5, so neither the places not
	// filled nor the rate; PTP 2026 filled none of its 4.
	if r := p.Rounds[0]; r.Awaiting != nil || r.Places != 5 || r.Filled.Shown != ShownFewer || r.Unfilled.Shown != ShownHidden || r.FillRate != nil {
		t.Fatalf("STP 2025 shows a planner %+v", r)
	}
	if r := p.Rounds[1]; r.Awaiting != nil || r.Filled != (Figure{Shown: ShownCount}) || r.Unfilled.Count != 4 || *r.FillRate != 0 {
		t.Fatalf("PTP 2026 shows a planner %+v", r)
	}
	// Narrowed to a region, a planner reads the places and not what
	// filled them, even a round that filled none.
	p, err = pipeline(f, 2026, trainees, posts, PipelineQuery{Region: "Wales"}, false, DefaultThreshold)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range p.Rounds {
		if !p.RoundsWhole || r.Filled.Shown != ShownHidden || r.Unfilled.Shown != ShownHidden || r.FillRate != nil || r.Places == 0 {
			t.Fatalf("round %s in Wales shows a planner %+v", r.Round, r)
		}
	}

	for _, q := range []struct {
		q     PipelineQuery
		field string
	}{
		{PipelineQuery{Programme: "nope"}, "programme"},
		{PipelineQuery{Region: "Atlantis"}, "region"},
		{PipelineQuery{Specialism: "nope"}, "specialism"},
	} {
		_, err := pipeline(f, 2026, trainees, posts, q.q, true, DefaultThreshold)
		var e *apperr.Error
		if !errors.As(err, &e) || e.Code != apperr.Invalid || e.Field != q.field {
			t.Errorf("%+v: %v, want an invalid %s", q.q, err, q.field)
		}
	}
}

// A forecast's trainees completing are what the pipeline publishes: the
// group's own count for the year a forecast year ends in where it is
// shown, otherwise the group's share of the nation's.
func TestForecastCompletingIsPublished(t *testing.T) {
	f := loadFramework(t)
	sp := f.CurrentSpecialisms()
	a, b := sp[0].ID, sp[len(sp)-1].ID
	var trainees []Trainee
	add := func(n int, region, specialism, end string) {
		for range n {
			trainees = append(trainees, Trainee{Programme: "stp", Specialism: specialism, Region: region, ExpectedEnd: day(t, end)})
		}
	}
	add(1, "Wales", a, "2027-09-30")
	add(7, "London", b, "2027-09-30")
	add(6, "London", a, "2028-09-30")
	add(40, "North East and Yorkshire", b, "2029-09-30")
	add(12, "Midlands", b, "2027-09-30")
	add(9, "Midlands", a, "2027-09-30")
	add(2, "Wales", b, "2027-09-30")
	nation, err := pipeline(f, 2026, trainees, nil, PipelineQuery{}, false, DefaultThreshold)
	if err != nil {
		t.Fatal(err)
	}
	from := day(t, "2026-09-30")
	branches := map[string]bool{}
	for _, region := range []string{"Wales", "London", "North East and Yorkshire"} {
		group, err := pipeline(f, 2026, trainees, nil, PipelineQuery{Region: region}, false, DefaultThreshold)
		if err != nil {
			t.Fatal(err)
		}
		got := completing(group, nation, from, 0.25)
		for y, year := range []int{2027, 2028, 2029, 2030, 2031} {
			i := slices.Index(group.Years, year)
			g, n := group.Total.Years[i], nation.Total.Years[i]
			want := 0.0
			switch {
			case g.Shown == ShownCount:
				want, branches["own"] = float64(g.Count), true
			case n.Shown == ShownCount:
				want, branches["share"] = float64(n.Count)/4, true
			}
			if got[y] != want {
				t.Errorf("%s, year to %d: %v completing, want %v (group %+v, nation %+v)", region, year, got[y], want, g, n)
			}
		}
	}
	if !branches["own"] || !branches["share"] {
		t.Fatalf("the case reads %v: it should read a group's own count and a share", branches)
	}
	// Wales's three are not its own figure: 2027 reads a quarter of the
	// nation's 31.
	wales, _ := pipeline(f, 2026, trainees, nil, PipelineQuery{Region: "Wales"}, false, DefaultThreshold)
	if got := completing(wales, nation, from, 0.25); got[0] != 7.75 {
		t.Errorf("Wales, year to 2027: %v, want 7.75", got[0])
	}
}

// A national pipeline of a few hundred trainees, suppressed for planners:
// no count below the threshold can be worked out from the published
// figures of either table, through every sum they share.
func TestPipelineRevealsNoSmallCount(t *testing.T) {
	f := loadFramework(t)
	sp := f.CurrentSpecialisms()
	rng := rand.New(rand.NewPCG(7, 11))
	programmes := []string{"stp", "ptp", "stp-in-service"}
	var trainees []Trainee
	for range 400 {
		trainees = append(trainees, Trainee{
			Programme:   programmes[rng.IntN(len(programmes))],
			Specialism:  sp[rng.IntN(12)].ID,
			Region:      auth.Regions[rng.IntN(5)],
			ExpectedEnd: day(t, "2027-09-30") + Day(365*rng.IntN(4)),
		})
	}
	var posts []Post
	for _, round := range []string{"STP 2025", "STP 2026"} {
		for range 60 {
			places := 1 + rng.IntN(3)
			posts = append(posts, Post{Round: round, Programme: "stp", Specialism: sp[rng.IntN(12)].ID,
				Region: auth.Regions[rng.IntN(5)], Places: places, Accepted: rng.IntN(places + 1)})
		}
	}

	dims, years := pipelineDims(f, 2026)
	lat := newLattice(dims[:])
	count := traineeCounts(f, lat, years, trainees)
	audit(t, count, lat.suppress(count, DefaultThreshold), lat.equations(), DefaultThreshold, lat.published)

	// And what the pages read is that suppression: no small count shown,
	// whatever the query.
	small := 0
	for _, q := range []PipelineQuery{{}, {Region: auth.Regions[0]}, {Specialism: sp[0].ID}, {Region: auth.Regions[1], Specialism: "group:" + sp[0].RoleGroupID}} {
		p, err := pipeline(f, 2026, trainees, posts, q, false, DefaultThreshold)
		if err != nil {
			t.Fatal(err)
		}
		if p.RoundsWhole != (q != PipelineQuery{}) {
			t.Fatalf("%+v: rounds whole only %v", q, p.RoundsWhole)
		}
		for _, r := range append(p.Rows, p.Total) {
			for _, c := range append(r.Years, r.Total) {
				if c.Shown == ShownCount && c.Count > 0 && c.Count < DefaultThreshold {
					t.Fatalf("%+v: %s shows %d", q, r.Name, c.Count)
				}
				if c.Shown == ShownFewer {
					small++
				}
			}
		}
		for _, r := range p.Rounds {
			if r.Filled.Shown == ShownCount && r.Filled.Count > 0 && r.Filled.Count < DefaultThreshold {
				t.Fatalf("%+v: round %s shows %d filled", q, r.Round, r.Filled.Count)
			}
			if r.Filled.Shown != ShownCount && (r.FillRate != nil || r.Unfilled.Shown == ShownCount) {
				t.Fatalf("%+v: round %s hides filled and shows what gives it away: %+v", q, r.Round, r)
			}
			// A round's filled places are published whole or not at all:
			// no part of a round is subtracted from it.
			if p.RoundsWhole && r.Filled.Shown != ShownHidden {
				t.Fatalf("%+v: round %s shows part of a round's filled places: %+v", q, r.Round, r)
			}
		}
	}
	if small == 0 {
		t.Fatal("no figure read fewer than 5: the case does not test suppression")
	}
}

// A national pipeline: some 1,500 trainees on four programmes and the
// posts of three rounds, counted and suppressed for a planner (cold),
// and a query read from the counts made before, which is what a request
// does while no record changes (cached).
func BenchmarkPipeline(b *testing.B) {
	f := loadFramework(b)
	sp := f.CurrentSpecialisms()
	rng := rand.New(rand.NewPCG(1, 2))
	programmes := []string{"stp", "ptp", "stp-in-service", "hsst"}
	var trainees []Trainee
	for range 1500 {
		trainees = append(trainees, Trainee{Programme: programmes[rng.IntN(len(programmes))], Specialism: sp[rng.IntN(len(sp))].ID,
			Region: auth.Regions[rng.IntN(len(auth.Regions))], ExpectedEnd: Date(2027+rng.IntN(5), 9, 30)})
	}
	var posts []Post
	for _, round := range []string{"STP 2025", "STP 2026", "PTP 2026"} {
		for range 150 {
			places := 1 + rng.IntN(3)
			posts = append(posts, Post{Round: round, Programme: "stp", Specialism: sp[rng.IntN(len(sp))].ID,
				Region: auth.Regions[rng.IntN(len(auth.Regions))], Places: places, Accepted: rng.IntN(places + 1)})
		}
	}
	b.Run("cold", func(b *testing.B) {
		for range b.N {
			if _, err := pipeline(f, 2026, trainees, posts, PipelineQuery{Region: "London"}, false, DefaultThreshold); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		pc := countPipeline(f, 2026, trainees, posts, DefaultThreshold)
		regions := append([]string{""}, auth.Regions...)
		b.ResetTimer()
		for i := range b.N {
			pipelineKey(2026, trainees, posts)
			q := PipelineQuery{Region: regions[i%len(regions)], Specialism: sp[i%len(sp)].ID}
			if _, err := pc.answer(q, false); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// fakePipelineTx serves the pipeline's rows; any other call panics.
type fakePipelineTx struct {
	Tx
	trainees []Trainee
	reads    int
}

func (f *fakePipelineTx) Now() time.Time                                   { return time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC) }
func (f *fakePipelineTx) Pipeline() ([]Trainee, error)                     { f.reads++; return f.trainees, nil }
func (f *fakePipelineTx) TrainingPosts() ([]Post, error)                   { return nil, nil }
func (f *fakePipelineTx) Read(_ context.Context, fn func(Tx) error) error  { return fn(f) }
func (f *fakePipelineTx) Write(_ context.Context, fn func(Tx) error) error { return fn(f) }

// The pipeline's counts are read again once they are PipelineFresh old,
// and a change in the records then shows.
func TestPipelineCountsFollowTheRecords(t *testing.T) {
	f := loadFramework(t)
	sp := f.CurrentSpecialisms()[0].ID
	tx := &fakePipelineTx{trainees: []Trainee{{Programme: "stp", Specialism: sp, Region: "London", ExpectedEnd: day(t, "2028-09-30")}}}
	s := NewService(tx, f, 0)
	total := func() int {
		t.Helper()
		p, err := s.Pipeline(context.Background(), PipelineQuery{}, true)
		if err != nil {
			t.Fatal(err)
		}
		return p.Total.Total.Count
	}
	if n := total(); n != 1 {
		t.Fatalf("%d trainees, want 1", n)
	}
	tx.trainees = append(tx.trainees, tx.trainees[0])
	if n := total(); n != 1 || tx.reads != 1 {
		t.Fatalf("within PipelineFresh: %d trainees after %d reads, want the 1 counted at the first read", n, tx.reads)
	}
	s.pipe.read = s.pipe.read.Add(-PipelineFresh - time.Second)
	if n := total(); n != 2 || tx.reads != 2 {
		t.Fatalf("after PipelineFresh: %d trainees after %d reads, want 2 after 2", n, tx.reads)
	}
	// Read again with nothing changed: the same counts, not made again.
	before := s.pipe.lat
	s.pipe.read = s.pipe.read.Add(-PipelineFresh - time.Second)
	if n := total(); n != 2 || s.pipe.lat != before {
		t.Fatalf("nothing changed: %d trainees, counted again: %v", n, s.pipe.lat != before)
	}
}

// Fill rates are rounded to one place, not cut short.
func TestFillRateRounds(t *testing.T) {
	for _, c := range []struct {
		filled, places int
		want           float64
	}{{2, 3, 66.7}, {1, 3, 33.3}, {1, 8, 12.5}, {5, 5, 100}, {0, 4, 0}} {
		if got := fillRate(c.filled, c.places); got == nil || *got != c.want {
			t.Errorf("%d of %d: %v, want %v", c.filled, c.places, got, c.want)
		}
	}
	if fillRate(0, 0) != nil {
		t.Error("a round with no places has a fill rate")
	}
}
