package workforce

import (
	"slices"
	"sort"
	"strings"

	"hcs/internal/apperr"
)

// Shown says how a figure may be shown.
type Shown string

const (
	// ShownCount shows the count.
	ShownCount Shown = "count"
	// ShownFewer hides a count from 1 to the threshold less one: "fewer
	// than 5".
	ShownFewer Shown = "fewer"
	// ShownHidden withholds a count (of any size, zero included) that
	// would let a small one be worked out.
	ShownHidden Shown = "hidden"
)

// Cell is one figure: headcount and FTE of a group of staff on a day.
type Cell struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	Headcount int    `json:"headcount"`
	FTE       FTE    `json:"fte"`
	Shown     Shown  `json:"shown"`
	// Deeper says whether the cell's group breaks down further.
	Deeper bool `json:"-"`
}

// Query asks for figures: on which day, broken down by which dimension
// and to which depth, within which node of each dimension.
type Query struct {
	// At is one of the model's points; zero is the latest.
	At Day
	By Dim
	// Depth is the depth of By's nodes to list; zero lists the children
	// of the filter's node in By.
	Depth int
	// Filter is a node of each dimension, by code ("" for all).
	Filter [numDims]string
}

// Table is a breakdown: one cell per group, and their total.
type Table struct {
	At     Day          `json:"at"`
	By     Dim          `json:"-"`
	Level  string       `json:"level"`
	Filter [4]FilterOpt `json:"-"`
	Rows   []Cell       `json:"rows"`
	Total  Cell         `json:"total"`
}

// FilterOpt is a filter's node.
type FilterOpt struct {
	Code, Name string
}

// Series is a group's figure at each point.
type Series struct {
	Name   string `json:"name"`
	Points []Day  `json:"points"`
	Cells  []Cell `json:"cells"`
}

// point returns the index of the model's point for a day; zero is the
// latest.
func (m *Model) point(at Day) (int, error) {
	if len(m.Points) == 0 {
		return 0, apperr.Errorf(apperr.NotFound, "there are no staff records to count")
	}
	if at == 0 {
		return len(m.Points) - 1, nil
	}
	i := sort.Search(len(m.Points), func(j int) bool { return m.Points[j] >= at })
	if i == len(m.Points) || m.Points[i] != at {
		return 0, apperr.Invalidf("at", "figures are counted at the end of each quarter from %s to %s; %s is not one", m.Points[0], m.Points[len(m.Points)-1], at)
	}
	return i, nil
}

// filter resolves a query's filter codes to nodes. by, when not -1,
// is the dimension the figures are broken down by, which counts towards
// the dimensions a figure may narrow.
func (m *Model) filter(codes [numDims]string, by Dim) ([numDims]int, error) {
	var c [numDims]int
	narrowed := 0
	for k := range numDims {
		n, ok := m.Dims[k].Node(codes[k])
		if !ok {
			return c, apperr.Invalidf(Dim(k).String(), "%q is not a %s figures are counted by", codes[k], Dim(k))
		}
		c[k] = n
		if n != 0 || Dim(k) == by {
			narrowed++
		}
	}
	if narrowed > MaxBreakdowns {
		return c, apperr.Invalidf("by", "Figures narrow at most %d of region, specialism, career level and band at once: clear a filter, or break the figures down by one of those filtered", MaxBreakdowns)
	}
	return c, nil
}

// shown is how a cell of a cube may be shown.
func (m *Model) shown(cb *cube, i int) Cell {
	c := Cell{Headcount: int(cb.count[i]), FTE: FTE(cb.fte[i]), Shown: ShownCount}
	switch cb.labels[i] {
	case labelFewer:
		c.Headcount, c.FTE, c.Shown = 0, 0, ShownFewer
	case labelWithheld:
		c.Headcount, c.FTE, c.Shown = 0, 0, ShownHidden
	}
	return c
}

// Breakdown answers a query: the groups of the By dimension at the depth
// asked, within the filter, with small numbers suppressed.
func (m *Model) Breakdown(q Query) (*Table, error) {
	p, err := m.point(q.At)
	if err != nil {
		return nil, err
	}
	at, err := m.filter(q.Filter, q.By)
	if err != nil {
		return nil, err
	}
	d := m.Dims[q.By]
	within := at[q.By]
	depth := q.Depth
	if depth == 0 {
		depth = d.Nodes[within].Depth + 1
	}
	if depth <= d.Nodes[within].Depth || depth > len(d.Levels) {
		return nil, apperr.Invalidf("depth", "%s has no level %d below %s", q.By, depth, d.Nodes[within].Name)
	}
	m.count()
	cb := &m.cubes[p]
	t := &Table{At: m.Points[p], By: q.By, Level: d.Levels[depth-1]}
	for k := range numDims {
		t.Filter[k] = FilterOpt{Code: m.Dims[k].Nodes[at[k]].Code, Name: m.Dims[k].Nodes[at[k]].Name}
	}
	c := at
	for n, node := range d.Nodes {
		if node.Depth != depth || !d.Under(n, within) {
			continue
		}
		c[q.By] = n
		cell := m.shown(cb, m.cell(c))
		cell.Code, cell.Name, cell.Deeper = node.Code, node.Name, len(node.Children) > 0
		t.Rows = append(t.Rows, cell)
	}
	t.Total = m.shown(cb, m.cell(at))
	t.Total.Code, t.Total.Name = d.Nodes[within].Code, d.Nodes[within].Name
	return t, nil
}

// Series is the filter's group at every point.
func (m *Model) Series(filter [numDims]string) (*Series, error) {
	at, err := m.filter(filter, -1)
	if err != nil {
		return nil, err
	}
	m.count()
	i := m.cell(at)
	s := &Series{Points: m.Points, Cells: make([]Cell, len(m.Points))}
	var names []string
	for k := range numDims {
		if at[k] != 0 {
			names = append(names, m.Dims[k].Nodes[at[k]].Name)
		}
	}
	s.Name = "All staff"
	if len(names) > 0 {
		s.Name = strings.Join(names, ", ")
	}
	for p := range m.Points {
		s.Cells[p] = m.shown(&m.cubes[p], i)
	}
	return s, nil
}

// OwnBreakdown answers a query about one employer's own staff: every
// figure shown as counted, for the employer alone sees it. The region
// filter does not apply.
func (m *Model) OwnBreakdown(code string, q Query) (*Table, error) {
	ei := slices.IndexFunc(m.Employers, func(e Employer) bool { return e.Code == code })
	if ei < 0 {
		return nil, apperr.Errorf(apperr.NotFound, "no employer has the code %s", code)
	}
	p, err := m.point(q.At)
	if err != nil {
		return nil, err
	}
	q.Filter[DimRegion] = ""
	at, err := m.filter(q.Filter, q.By)
	if err != nil {
		return nil, err
	}
	d := m.Dims[q.By]
	within := at[q.By]
	depth := q.Depth
	if depth == 0 {
		depth = d.Nodes[within].Depth + 1
	}
	if q.By == DimRegion || depth <= d.Nodes[within].Depth || depth > len(d.Levels) {
		return nil, apperr.Invalidf("by", "break your staff down by division, role group, specialism, level or band")
	}
	day := m.Points[p]
	t := &Table{At: day, By: q.By, Level: d.Levels[depth-1]}
	for k := range numDims {
		t.Filter[k] = FilterOpt{Code: m.Dims[k].Nodes[at[k]].Code, Name: m.Dims[k].Nodes[at[k]].Name}
	}
	rows := map[int]*Cell{}
	var order []int
	for n, node := range d.Nodes {
		if node.Depth == depth && d.Under(n, within) {
			rows[n] = &Cell{Code: node.Code, Name: node.Name, Shown: ShownCount, Deeper: len(node.Children) > 0}
			order = append(order, n)
		}
	}
	t.Total = Cell{Code: d.Nodes[within].Code, Name: d.Nodes[within].Name, Shown: ShownCount}
	for i := range m.facts {
		ft := &m.facts[i]
		if int(ft.employer) != ei || ft.start > day || day > ft.end {
			continue
		}
		c := m.coords(int(ft.leaf))
		in := true
		for k := range numDims {
			if Dim(k) != DimRegion && !m.Dims[k].Under(c[k], at[k]) {
				in = false
			}
		}
		if !in {
			continue
		}
		t.Total.Headcount++
		t.Total.FTE += FTE(ft.fte)
		for n := c[q.By]; ; n = d.Nodes[n].Parent {
			if r, ok := rows[n]; ok {
				r.Headcount++
				r.FTE += FTE(ft.fte)
				break
			}
			if n == 0 {
				break
			}
		}
	}
	for _, n := range order {
		t.Rows = append(t.Rows, *rows[n])
	}
	return t, nil
}

// Flows are an employer's joiners and leavers in the year to a day.
type Flows struct {
	From, To  Day
	Joiners   int
	Leavers   int
	Retired   int
	Headcount int
}

// OwnFlows counts an employer's joiners (assignments starting there that
// were not moves within it) and leavers (assignments ending there that
// no later one there follows) in the year to the latest quarter's end.
func (m *Model) OwnFlows(code string) (*Flows, error) {
	ei := slices.IndexFunc(m.Employers, func(e Employer) bool { return e.Code == code })
	if ei < 0 || len(m.Points) == 0 {
		return nil, apperr.Errorf(apperr.NotFound, "there are no staff records of %s", code)
	}
	to := m.Points[len(m.Points)-1]
	fl := &Flows{To: to, From: DayOf(to.Time().AddDate(-1, 0, 0))}
	people := m.firstAndLast(func(ft *fact) bool {
		if int(ft.employer) != ei {
			return false
		}
		if ft.start <= to && to <= ft.end {
			fl.Headcount++
		}
		return true
	})
	for _, p := range people {
		if s := m.facts[p.first].start; s > fl.From && s <= to {
			fl.Joiners++
		}
		if l := &m.facts[p.last]; l.end != NoEnd && l.end > fl.From && l.end <= to {
			fl.Leavers++
			if l.reason == reasonRetirement {
				fl.Retired++
			}
		}
	}
	return fl, nil
}
