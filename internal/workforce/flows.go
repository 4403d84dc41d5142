package workforce

import (
	"math"
	"sync"
	"time"

	"hcs/internal/apperr"
)

// Joiners and leavers, as NHS workforce statistics count them: between
// two counts a year apart, a joiner is someone in the workforce at the
// second and not at the first, counted where they work at the second; a
// leaver is someone in it at the first and not at the second, counted
// where they worked at the first. Someone who moves between employers,
// regions or bands stays in the workforce and is neither.
//
// Both are suppressed like the headcount, and within the headcounts: a
// group's joiners are at most its staff now, its leavers at most its
// staff a year before, as far as the published headcounts tell. Flows
// are published for one dimension at a time (FlowBreakdowns): the
// headcounts bound every flow cell, and in the finer cells they bound
// so many that small counts could not be protected without withholding
// the national totals.
// Between the two counts, every group's headcount changes by its joiners
// less its leavers plus those who moved in less those who moved out;
// moves are not published, so that sum pins nothing, except for the
// whole workforce, which no one moves into or out of but by joining or
// leaving. So when either national total is small, no flows are shown.

// FlowBreakdowns is how many dimensions a joiners or leavers figure may
// narrow: a region, or a specialism, or a level, or a band.
const FlowBreakdowns = 1

// flowCube is the joiners and leavers in the year to a point.
type flowCube struct {
	joiners, leavers []int32
	jl, ll           []label
	// tooFew is set when a national total is small: nothing is shown.
	tooFew bool
}

// flowsAt counts the year to point p on first use; p is at least 4.
func (m *Model) flowsAt(p int) *flowCube {
	m.count()
	m.flowOnce.Do(func() {
		m.flowCubes = make([]flowCube, len(m.Points))
		m.flowDone = make([]sync.Once, len(m.Points))
		m.flowLat = newLatticeNarrowing(m.Dims[:], FlowBreakdowns)
	})
	m.flowDone[p].Do(func() {
		fc := &m.flowCubes[p]
		before, after := m.whereAt(m.Points[p-4]), m.whereAt(m.Points[p])
		fc.joiners, fc.leavers = make([]int32, m.cells), make([]int32, m.cells)
		for person := range after {
			switch {
			case after[person] >= 0 && before[person] < 0:
				fc.joiners[after[person]]++
			case before[person] >= 0 && after[person] < 0:
				fc.leavers[before[person]]++
			}
		}
		m.rollUp(fc.joiners)
		m.rollUp(fc.leavers)
		// No group has more joiners than staff now, or more leavers than
		// staff a year before: readers know it, so no move breaks it.
		fc.jl = m.flowLat.suppressWithin(fc.joiners, m.headcountBound(p), m.Threshold)
		fc.ll = m.flowLat.suppressWithin(fc.leavers, m.headcountBound(p-4), m.Threshold)
		fc.tooFew = fc.jl[0] != labelShown || fc.ll[0] != labelShown
	})
	return &m.flowCubes[p]
}

// headcountBound is, for each cell, the most staff a reader of point p's
// published headcounts knows it can hold: the count where it is shown,
// Threshold-1 where it reads "fewer than", and no bound where it is
// withheld or not published.
func (m *Model) headcountBound(p int) []int32 {
	cb := &m.cubes[p]
	out := make([]int32, len(cb.count))
	for i, l := range cb.labels {
		switch {
		case !m.lat.published[i] || l == labelWithheld:
			out[i] = math.MaxInt32
		case l == labelFewer:
			out[i] = int32(m.Threshold - 1)
		default:
			out[i] = cb.count[i]
		}
	}
	return out
}

// whereAt is each person's leaf cell on a day, or -1 when they are not
// in the workforce that day.
func (m *Model) whereAt(day Day) []int32 {
	n := 0
	for i := range m.facts {
		n = max(n, int(m.facts[i].person)+1)
	}
	at := make([]int32, n)
	for i := range at {
		at[i] = -1
	}
	for i := range m.facts {
		if ft := &m.facts[i]; ft.start <= day && day <= ft.end {
			at[ft.person] = ft.leaf
		}
	}
	return at
}

// FlowCell is a group's joiners and leavers.
type FlowCell struct {
	Code    string `json:"code"`
	Name    string `json:"name"`
	Joiners Figure `json:"joiners"`
	Leavers Figure `json:"leavers"`
}

// FlowTable is joiners and leavers in a year, broken down like a Table.
type FlowTable struct {
	From  Day        `json:"from"`
	To    Day        `json:"to"`
	Rows  []FlowCell `json:"rows"`
	Total FlowCell   `json:"total"`
	// TooFew says the whole workforce's joiners or leavers are too few to
	// show, and so nothing is.
	TooFew bool `json:"too_few"`
}

// narrowed counts the dimensions a figure narrows: those filtered, and
// the one broken down by.
func narrowed(at [numDims]int, by Dim) int {
	n := 0
	for k := range numDims {
		if at[k] != 0 || Dim(k) == by {
			n++
		}
	}
	return n
}

// flowFigure is a flow cube's cell as it may be shown.
func (fc *flowCube) figures(i int) (Figure, Figure) {
	if fc.tooFew {
		return Figure{Shown: ShownHidden}, Figure{Shown: ShownHidden}
	}
	return figureOf(fc.joiners, fc.jl, i), figureOf(fc.leavers, fc.ll, i)
}

// yearBefore is the point a year before point p, or an error when the
// records do not reach back that far.
func (m *Model) yearBefore(p int) error {
	if p < 4 {
		return apperr.Invalidf("at", "joiners and leavers need a year of records before %s: the first count is %s", m.Points[p], m.Points[0])
	}
	return nil
}

// FlowBreakdown answers a query for joiners and leavers in the year to its
// point, broken down as Breakdown does.
func (m *Model) FlowBreakdown(q Query) (*FlowTable, error) {
	t, err := m.Breakdown(q)
	if err != nil {
		return nil, err
	}
	p, _ := m.point(t.At)
	if err := m.yearBefore(p); err != nil {
		return nil, err
	}
	at, _ := m.filter(q.Filter, q.By)
	if narrowed(at, q.By) > FlowBreakdowns {
		return nil, apperr.Invalidf("by", "Joiners and leavers are published for one of region, specialism, career level or band at a time: clear the filters to see them")
	}
	fc := m.flowsAt(p)
	ft := &FlowTable{From: m.Points[p-4], To: t.At, TooFew: fc.tooFew}
	d := m.Dims[q.By]
	c := at
	for _, row := range t.Rows {
		n, _ := d.Node(row.Code)
		c[q.By] = n
		j, l := fc.figures(m.cell(c))
		ft.Rows = append(ft.Rows, FlowCell{Code: row.Code, Name: row.Name, Joiners: j, Leavers: l})
	}
	j, l := fc.figures(m.cell(at))
	ft.Total = FlowCell{Code: t.Total.Code, Name: t.Total.Name, Joiners: j, Leavers: l}
	return ft, nil
}

// FlowSeries is a group's joiners and leavers in each financial year to
// 31 March.
type FlowSeries struct {
	Name   string     `json:"name"`
	Points []Day      `json:"years_to"`
	Cells  []FlowCell `json:"cells"`
}

// FlowSeries is the filter's group's joiners and leavers in every
// financial year the records cover.
func (m *Model) FlowSeries(filter [numDims]string) (*FlowSeries, error) {
	s, err := m.Series(filter)
	if err != nil {
		return nil, err
	}
	at, _ := m.filter(filter, -1)
	fs := &FlowSeries{Name: s.Name, Points: []Day{}, Cells: []FlowCell{}}
	if narrowed(at, -1) > FlowBreakdowns {
		return nil, apperr.Invalidf("region", "Joiners and leavers are published for one of region, specialism, career level or band at a time: clear all filters but one to see them")
	}
	var years []int
	for p := 4; p < len(m.Points); p++ {
		if m.Points[p].Time().Month() == time.March {
			years = append(years, p)
		}
	}
	// The years not counted yet are counted at once, on every core.
	var wg sync.WaitGroup
	for _, p := range years {
		wg.Go(func() { m.flowsAt(p) })
	}
	wg.Wait()
	for _, p := range years {
		j, l := m.flowsAt(p).figures(m.cell(at))
		fs.Points = append(fs.Points, m.Points[p])
		fs.Cells = append(fs.Cells, FlowCell{Name: s.Name, Joiners: j, Leavers: l})
	}
	return fs, nil
}
