package workforce

import (
	"context"
	"errors"
	"math/rand/v2"
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
	p, err := pipeline(f, trainees, posts, PipelineQuery{}, true, DefaultThreshold)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{2027, 2028, 2029}; len(p.Years) != 3 || p.Years[0] != want[0] || p.Years[2] != want[2] {
		t.Fatalf("years %v, want %v", p.Years, want)
	}
	counts := func(r PipelineRow) []int {
		var out []int
		for _, c := range r.Years {
			out = append(out, c.Count)
		}
		return append(out, r.Total.Count)
	}
	if len(p.Rows) != 2 || p.Rows[0].Code != "ptp" || p.Rows[1].Code != "stp" {
		var codes []string
		for _, r := range p.Rows {
			codes = append(codes, r.Code)
		}
		t.Fatalf("programmes %v, want ptp and stp in the framework's order", codes)
	}
	for _, c := range []struct {
		got  []int
		want []int
	}{
		{counts(p.Rows[0]), []int{0, 0, 1, 1}},
		{counts(p.Rows[1]), []int{1, 2, 0, 3}},
		{counts(p.Total), []int{1, 2, 1, 4}},
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
	p, err = pipeline(f, trainees, posts, PipelineQuery{Region: "Wales"}, true, DefaultThreshold)
	if err != nil {
		t.Fatal(err)
	}
	if got := counts(p.Total); got[3] != 2 || got[1] != 1 || got[2] != 1 {
		t.Fatalf("Wales: %v, want 0, 1, 1 and 2 in all", got)
	}
	if r := p.Rounds[0]; r.Places != 2 || r.Filled.Count != 1 || *r.FillRate != 50 {
		t.Fatalf("STP 2025 in Wales: %+v", r)
	}

	// Narrowed to a programme: its row and rounds alone.
	p, err = pipeline(f, trainees, posts, PipelineQuery{Programme: "ptp"}, true, DefaultThreshold)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Rows) != 1 || p.Total.Total.Count != 1 || len(p.Rounds) != 1 || p.Rounds[0].Round != "PTP 2026" {
		t.Fatalf("PTP alone: %+v", p)
	}

	// Outside the national school every count here is small.
	p, err = pipeline(f, trainees, posts, PipelineQuery{}, false, DefaultThreshold)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range append(p.Rows, p.Total) {
		for _, c := range append(r.Years, r.Total) {
			if c.Shown == ShownCount && c.Count > 0 {
				t.Fatalf("%s shows %d to a planner", r.Name, c.Count)
			}
		}
	}
	for _, r := range p.Rounds {
		if r.Awaiting != nil || r.Filled.Shown == ShownCount && r.Filled.Count > 0 || r.FillRate != nil && r.Filled.Shown != ShownCount {
			t.Fatalf("round %s shows a planner %+v", r.Round, r)
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
		_, err := pipeline(f, trainees, posts, q.q, true, DefaultThreshold)
		var e *apperr.Error
		if !errors.As(err, &e) || e.Code != apperr.Invalid || e.Field != q.field {
			t.Errorf("%+v: %v, want an invalid %s", q.q, err, q.field)
		}
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

	dims, _ := pipelineDims(f, trainees)
	lat := newLattice(dims[:])
	count := traineeCounts(f, lat, trainees)
	audit(t, count, lat.suppress(count, DefaultThreshold), lat.equations(), DefaultThreshold, lat.published)
	rl, filled := filledCounts(f, posts, dims[pdRegion], dims[pdSpecialism])
	audit(t, filled, rl.suppress(filled, DefaultThreshold), rl.equations(), DefaultThreshold, rl.published)

	// And what the pages read is that suppression: no small count shown,
	// whatever the query.
	small := 0
	for _, q := range []PipelineQuery{{}, {Region: auth.Regions[0]}, {Specialism: sp[0].ID}, {Region: auth.Regions[1], Specialism: "group:" + sp[0].RoleGroupID}} {
		p, err := pipeline(f, trainees, posts, q, false, DefaultThreshold)
		if err != nil {
			t.Fatal(err)
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
			if _, err := pipeline(f, trainees, posts, PipelineQuery{Region: "London"}, false, DefaultThreshold); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		pc := countPipeline(f, trainees, posts, DefaultThreshold)
		regions := append([]string{""}, auth.Regions...)
		b.ResetTimer()
		for i := range b.N {
			pipelineKey(trainees, posts)
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
