package workforce

import (
	"slices"
	"sort"
	"sync"
	"time"

	"hcs/internal/framework"
)

// Model is what is held, read once per version into memory for figures:
// every assignment as a fact with its place in each dimension, and the
// figures at each quarter's end counted and suppressed on first use.
// A Model never changes; an import makes the next one.
type Model struct {
	Version int64
	// Points are the days figures are counted on: the end of each quarter
	// (31 March, 30 June, 30 September, 31 December) for up to ten years,
	// the last on or before the day the model was made.
	Points    []Day
	Employers []Employer
	Dims      [numDims]*Dimension
	Threshold int

	facts []fact
	// cells is the number of cells of one day's cube.
	cells  int
	size   [numDims]int
	stride [numDims]int

	once  sync.Once
	lat   *lattice
	cubes []cube

	// flowCubes are the joiners and leavers in the year to each point,
	// each counted on first use.
	flowOnce  sync.Once
	flowDone  []sync.Once
	flowCubes []flowCube
	flowLat   *lattice

	// national is the whole workforce's flows over the three years
	// before the last point, counted once for every forecast.
	nationalOnce sync.Once
	national     flowCounts
	// ages is the whole workforce at the last point by age band, rounded.
	agesOnce sync.Once
	ages     [ageGroups]float64
}

// fact is an assignment, reduced to what figures need.
type fact struct {
	start, end Day
	// leaf is the fact's cell: its region, specialism, level and band.
	leaf     int32
	employer int32
	person   int32
	fte      int16
	birth    int16
	// reason is the leaving reason's place in LeavingReasons, plus one;
	// 0 when none is recorded.
	reason int8
}

// reasonRetirement is a fact's reason for LeavingReasons[0], retirement.
const reasonRetirement = 1

// cube is one day's figures: every combination of a node of each
// dimension, with its headcount, FTE and whether it is hidden.
type cube struct {
	count  []int32
	fte    []int32
	labels []label
}

// quarterEnds returns the ends of quarters from the one on or after from
// to the last on or before to.
func quarterEnds(from, to Day) []Day {
	var out []Day
	t := from.Time()
	y, q := t.Year(), (int(t.Month())-1)/3
	for {
		d := Date(y, time.Month(3*q+4), 1) - 1 // the day before the next quarter starts
		if d > to {
			return out
		}
		if d >= from {
			out = append(out, d)
		}
		if q++; q == 4 {
			y, q = y+1, 0
		}
	}
}

// HistoryYears is how far back figures go.
const HistoryYears = 10

// newModel reads assignments into a model as at today.
func newModel(f *framework.Framework, version int64, employers []Employer, as []Stored, today Day, threshold int) *Model {
	m := &Model{Version: version, Employers: employers, Dims: dimensions(f), Threshold: threshold}
	m.cells = 1
	for k := numDims - 1; k >= 0; k-- {
		m.size[k] = len(m.Dims[k].Nodes)
		m.stride[k] = m.cells
		m.cells *= m.size[k]
	}
	first := today
	for i := range as {
		first = min(first, as[i].Start)
	}
	first = max(first, Date(today.Year()-HistoryYears, today.Time().Month(), today.Time().Day()))
	m.Points = quarterEnds(first, today)

	employer := map[string]int{}
	region := make([]int, len(employers))
	for i, e := range employers {
		employer[e.Code] = i
		region[i], _ = m.Dims[DimRegion].Node(e.Region)
	}
	persons := map[string]int32{}
	m.facts = make([]fact, 0, len(as))
	for i := range as {
		a := &as[i].Assignment
		ei, ok := employer[a.Employer]
		if !ok {
			continue
		}
		sp := countedSpecialism(f, a.Specialism)
		if sp == nil {
			continue
		}
		s, _ := m.Dims[DimSpecialism].Node(sp.ID)
		l, _ := m.Dims[DimLevel].Node(a.Level)
		b, _ := m.Dims[DimBand].Node(a.Band)
		p, ok := persons[a.Person]
		if !ok {
			p = int32(len(persons))
			persons[a.Person] = p
		}
		m.facts = append(m.facts, fact{start: a.Start, end: a.End, employer: int32(ei), person: p,
			leaf: int32(region[ei]*m.stride[DimRegion] + s*m.stride[DimSpecialism] + l*m.stride[DimLevel] + b*m.stride[DimBand]),
			fte:  int16(a.FTE), birth: int16(a.BirthYear), reason: int8(slices.Index(LeavingReasons, a.LeavingReason) + 1)})
	}
	return m
}

// count builds every point's cube on first use: each fact adds to its
// cell on the days it is active, then each dimension's groups are summed
// from their children, then small numbers are hidden.
func (m *Model) count() {
	m.once.Do(func() {
		m.lat = newLattice(m.Dims[:])
		m.cubes = make([]cube, len(m.Points))
		for i := range m.cubes {
			m.cubes[i] = cube{count: make([]int32, m.cells), fte: make([]int32, m.cells)}
		}
		for i := range m.facts {
			ft := &m.facts[i]
			p := sort.Search(len(m.Points), func(j int) bool { return m.Points[j] >= ft.start })
			for ; p < len(m.Points) && m.Points[p] <= ft.end; p++ {
				m.cubes[p].count[ft.leaf]++
				m.cubes[p].fte[ft.leaf] += int32(ft.fte)
			}
		}
		var wg sync.WaitGroup
		for i := range m.cubes {
			wg.Go(func() {
				c := &m.cubes[i]
				m.rollUp(c.count)
				m.rollUp(c.fte)
				c.labels = m.suppress(c.count)
			})
		}
		wg.Wait()
	})
}

// rollUp sums each dimension's groups from their children, so that every
// cell holds the sum of the leaves below it.
func (m *Model) rollUp(v []int32) { m.lat.rollUp(v) }

// coords splits a cell into its node in each dimension.
func (m *Model) coords(cell int) [numDims]int {
	var c [numDims]int
	for k := range numDims {
		c[k] = cell / m.stride[k] % m.size[k]
	}
	return c
}

// cell is the index of a combination of nodes.
func (m *Model) cell(c [numDims]int) int {
	i := 0
	for k := range numDims {
		i += c[k] * m.stride[k]
	}
	return i
}
