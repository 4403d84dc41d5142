package workforce

import (
	"fmt"
	"math"
	"slices"
	"time"

	"hcs/internal/apperr"
)

// The forecast: supply of staff against demand, year by year for five
// years from the latest quarter's end, for a group of staff (a region, a
// specialism or division, or both). Supply starts from the staff in post,
// counted by age; each year some retire (at the rate of their age band),
// some leave for other reasons, the rest grow a year older, and joiners
// and trainees completing their training arrive. Demand is the
// establishment: today's headcount and the vacancies above it, growing
// each year. Every rate is an assumption, shown with the forecast and
// editable in a scenario; the defaults are the whole workforce's rates over
// the last three years.

// ageGroups are the five-year bands a group's headcount is spread over:
// 20 to 24, 25 to 29, ... 65 to 69 (younger and older fall in the ends).
const ageGroups = 10

func ageGroup(age int) int { return min(max((age-20)/5, 0), ageGroups-1) }

// AgeBands are the bands retirement rates are given for.
var AgeBands = []string{"under 55", "55 to 59", "60 to 64", "65 and over"}

func ageBand(age int) int {
	switch {
	case age < 55:
		return 0
	case age < 60:
		return 1
	case age < 65:
		return 2
	}
	return 3
}

// Assumptions are a forecast's inputs.
type Assumptions struct {
	// LeaveRate is the yearly share of staff who leave other than by
	// retiring.
	LeaveRate float64 `json:"leave_rate"`
	// RetireRates is the yearly share of staff who retire, by age band.
	RetireRates [4]float64 `json:"retire_rates"`
	// JoinRate is the people joining each year (other than trainees
	// completing), as a share of the starting headcount.
	JoinRate float64 `json:"join_rate"`
	// JoinAge is the age at which joiners and completing trainees start.
	JoinAge int `json:"join_age"`
	// CompletionYield is the share of trainees completing who take a post
	// in the group.
	CompletionYield float64 `json:"completion_yield"`
	// Vacancy is the establishment above today's headcount, as a share of
	// it: 0.08 is 8% of posts vacant.
	Vacancy float64 `json:"vacancy"`
	// Growth is the yearly growth of the establishment.
	Growth float64 `json:"growth"`
}

// Check refuses assumptions that cannot be: rates outside 0 to 1, an
// implausible age, growth outside -50% to +50%.
func (a *Assumptions) Check() error {
	rates := map[string]float64{"leave_rate": a.LeaveRate, "join_rate": a.JoinRate, "completion_yield": a.CompletionYield, "vacancy": a.Vacancy}
	for i, r := range a.RetireRates {
		rates[fmt.Sprintf("retire_rate_%d", i)] = r
	}
	for field, r := range rates {
		if math.IsNaN(r) || r < 0 || r > 1 {
			return apperr.Invalidf(field, "%s must be a share from 0 to 1 (0.05 is 5%%), not %g", field, r)
		}
	}
	for i, r := range a.RetireRates {
		if r+a.LeaveRate > 1 {
			return apperr.Invalidf(fmt.Sprintf("retire_rate_%d", i), "retirement (%g) and leaving (%g) rates for %s add to more than everyone", r, a.LeaveRate, AgeBands[i])
		}
	}
	if a.JoinAge < 18 || a.JoinAge > 70 {
		return apperr.Invalidf("join_age", "the age joiners start at must be from 18 to 70, not %d", a.JoinAge)
	}
	if math.IsNaN(a.Growth) || a.Growth < -0.5 || a.Growth > 0.5 {
		return apperr.Invalidf("growth", "yearly growth must be from -0.5 to 0.5 (0.02 is 2%%), not %g", a.Growth)
	}
	return nil
}

// ForecastYears is how many years a forecast runs.
const ForecastYears = 5

// ForecastYear is one year of a forecast: the people at its start, what
// moved during it, and supply and demand at its end.
type ForecastYear struct {
	// End is the last day of the forecast year.
	End         Day     `json:"end"`
	Start       float64 `json:"start"`
	Retirements float64 `json:"retirements"`
	Leavers     float64 `json:"leavers"`
	Joiners     float64 `json:"joiners"`
	Completions float64 `json:"completions"`
	Supply      float64 `json:"supply"`
	Demand      float64 `json:"demand"`
	Gap         float64 `json:"gap"`
}

// Project runs the forecast: staff in post by age, trainees expected to
// complete in each forecast year, the assumptions. It is the whole rule,
// with no rounding, so that a forecast can be worked by hand.
func Project(from Day, byAge map[int]float64, completing []float64, a Assumptions) []ForecastYear {
	heads := map[int]float64{}
	h0 := 0.0
	for age, n := range byAge {
		heads[age] = n
		h0 += n
	}
	out := make([]ForecastYear, ForecastYears)
	t := from.Time()
	for y := range ForecastYears {
		fy := &out[y]
		fy.End = DayOf(t.AddDate(y+1, 0, 0))
		next := map[int]float64{}
		for age, n := range heads {
			fy.Start += n
			retire := n * a.RetireRates[ageBand(age)]
			leave := n * a.LeaveRate
			fy.Retirements += retire
			fy.Leavers += leave
			next[age+1] += n - retire - leave
		}
		fy.Joiners = h0 * a.JoinRate
		if y < len(completing) {
			fy.Completions = completing[y] * a.CompletionYield
		}
		next[a.JoinAge] += fy.Joiners + fy.Completions
		for _, n := range next {
			fy.Supply += n
		}
		heads = next
		fy.Demand = h0 * (1 + a.Vacancy) * math.Pow(1+a.Growth, float64(y+1))
		fy.Gap = fy.Demand - fy.Supply
	}
	return out
}

// Group is the staff a forecast is about: a region and a node of the
// specialism tree, by code ("" for all).
type Group struct {
	Region     string `json:"region"`
	Specialism string `json:"specialism"`
}

// group resolves a group to nodes.
func (m *Model) group(g Group) (int, int, error) {
	r, ok := m.Dims[DimRegion].Node(g.Region)
	if !ok {
		return 0, 0, apperr.Invalidf("region", "%q is not a region", g.Region)
	}
	s, ok := m.Dims[DimSpecialism].Node(g.Specialism)
	if !ok {
		return 0, 0, apperr.Invalidf("specialism", "%q is not a division, role group or specialism", g.Specialism)
	}
	return r, s, nil
}

// nationalAges counts the whole workforce on a day by five-year age band,
// each band's count rounded to a multiple of Threshold, so that the
// shares (which a forecast with a band's retirement rate at 100% shows)
// give away no small band.
func (m *Model) nationalAges(day Day) [ageGroups]float64 {
	var national [ageGroups]float64
	year := day.Year()
	for i := range m.facts {
		if ft := &m.facts[i]; ft.start <= day && day <= ft.end {
			national[ageGroup(year-int(ft.birth))]++
		}
	}
	for i, n := range national {
		national[i] = roundTo(n, float64(m.Threshold))
	}
	return national
}

// Baseline is what a forecast starts from: the staff in post by age at
// the latest quarter's end, and the whole workforce's rates over the three
// years before it, as default assumptions.
type Baseline struct {
	From    Day
	ByAge   map[int]float64
	Staff   int
	Default Assumptions
	// Shown is false when the group's headcount is not shown in the
	// figures (small numbers): the forecast is not shown either.
	Shown bool
}

// Baseline reads a group's baseline from the model.
func (m *Model) Baseline(g Group) (*Baseline, error) {
	r, s, err := m.group(g)
	if err != nil {
		return nil, err
	}
	if len(m.Points) == 0 {
		return nil, apperr.Errorf(apperr.NotFound, "there are no staff records to forecast from")
	}
	m.count()
	from := m.Points[len(m.Points)-1]
	var cell [numDims]int
	cell[DimRegion], cell[DimSpecialism] = r, s
	i := m.cell(cell)
	last := &m.cubes[len(m.cubes)-1]
	b := &Baseline{From: from, ByAge: map[int]float64{}, Shown: last.labels[i] == labelShown, Staff: int(last.count[i])}
	// The group's ages are never read: with rates a planner sets, a
	// forecast would give away how many of a small group are of each age.
	// The group's headcount (which the figures show) is spread over ages
	// as the whole workforce's is, by five-year band (a band of fewer than
	// Threshold people nationally is left out), evenly within each band.
	m.agesOnce.Do(func() { m.ages = m.nationalAges(from) })
	national, total := m.ages, 0.0
	for _, n := range national {
		total += n
	}
	if total == 0 {
		total = 1
	}
	for i, n := range national {
		if n == 0 {
			continue
		}
		for age := 20 + 5*i; age < 25+5*i; age++ {
			b.ByAge[age] = float64(b.Staff) * n / total / 5
		}
	}
	// The defaults are the whole workforce's rates: a group's own would
	// let its past headcounts and flows, which may be small, be worked
	// out from the rates and the published headcounts (and, by
	// subtraction, another group's). A national rate counted from 1 to
	// Threshold-1 people gives way to a set figure.
	m.nationalOnce.Do(func() { m.national = m.rates(from) })
	all := m.national
	d := &b.Default
	d.JoinAge, d.CompletionYield, d.Vacancy, d.Growth = 30, 0.9, 0.08, 0.02
	t := float64(m.Threshold)
	pick := func(events, heads, fallback float64) float64 {
		if heads > 0 && (events == 0 || events >= t) {
			return round4(events / heads)
		}
		return fallback
	}
	d.LeaveRate = pick(all.leavers, all.heads, 0.08)
	d.JoinRate = pick(all.joiners, all.heads, 0.08)
	for i := range all.bandHeads {
		d.RetireRates[i] = pick(all.retired[i], all.bandHeads[i], []float64{0.005, 0.03, 0.15, 0.5}[i])
	}
	return b, nil
}

// flowCounts are what the whole workforce's rates are counted from, over
// the three years before a day: the headcount at the start of each year, summed,
// and the people who left (by their last assignment), retired (by age
// band) and joined (by their first).
type flowCounts struct {
	heads, leavers, joiners float64
	bandHeads, retired      [4]float64
}

// personSpan is a person's first and last assignment, as indexes of the
// model's facts.
type personSpan struct{ first, last int }

// firstAndLast finds each person's first and last assignment among the
// facts keep accepts (all of them when keep is nil).
func (m *Model) firstAndLast(keep func(*fact) bool) map[int32]*personSpan {
	people := map[int32]*personSpan{}
	for i := range m.facts {
		ft := &m.facts[i]
		if keep != nil && !keep(ft) {
			continue
		}
		p := people[ft.person]
		if p == nil {
			people[ft.person] = &personSpan{first: i, last: i}
			continue
		}
		if ft.start < m.facts[p.first].start {
			p.first = i
		}
		if ft.end > m.facts[p.last].end {
			p.last = i
		}
	}
	return people
}

func (m *Model) rates(from Day) flowCounts {
	const years = 3
	people := m.firstAndLast(nil)
	var c flowCounts
	for y := range years {
		start := DayOf(from.Time().AddDate(-years+y, 0, 0))
		end := DayOf(from.Time().AddDate(-years+y+1, 0, 0))
		for i := range m.facts {
			ft := &m.facts[i]
			if ft.start <= start && start <= ft.end {
				c.heads++
				c.bandHeads[ageBand(start.Year()-int(ft.birth))]++
			}
		}
		for _, p := range people {
			last, first := &m.facts[p.last], &m.facts[p.first]
			if last.end > start && last.end <= end && last.end != NoEnd {
				if last.reason == reasonRetirement {
					c.retired[ageBand(last.end.Year()-int(last.birth))]++
				} else {
					c.leavers++
				}
			}
			if first.start > start && first.start <= end {
				c.joiners++
			}
		}
	}
	return c
}

// staffShare is a headcount's share of the whole workforce's at the
// last point.
func (m *Model) staffShare(staff int) float64 {
	m.count()
	if all := m.cubes[len(m.cubes)-1].count[0]; all > 0 {
		return float64(staff) / float64(all)
	}
	return 0
}

func round4(f float64) float64 { return math.Round(f*10000) / 10000 }

// roundTo rounds a count to the nearest multiple of step.
func roundTo(n, step float64) float64 { return math.Round(n/step) * step }

// completing is the trainees expected to complete in each forecast year
// after from, read from what the pipeline publishes with small numbers
// suppressed: for the calendar year in which a forecast year ends, the
// group's own count where the pipeline shows it, and otherwise the
// group's share of the staff (share) of the national count, or nothing
// where that is not shown either. So a forecast tells no one anything
// the pipeline and the headcounts do not.
func completing(group, nation *Pipeline, from Day, share float64) []float64 {
	out := make([]float64, ForecastYears)
	for y := range out {
		year := from.Time().AddDate(y+1, 0, 0).Year()
		i, ok := slices.BinarySearch(group.Years, year)
		if !ok {
			i = 0
			if year > group.Years[0] {
				i = len(group.Years) - 1
			}
		}
		switch g, n := group.Total.Years[i], nation.Total.Years[i]; {
		case g.Shown == ShownCount:
			out[y] = float64(g.Count)
		case n.Shown == ShownCount:
			out[y] = round4(float64(n.Count) * share)
		}
	}
	return out
}

// Scenario is a forecast's assumptions for a group, saved by name.
type Scenario struct {
	ID          int64       `json:"id"`
	Name        string      `json:"name"`
	Group       Group       `json:"group"`
	Assumptions Assumptions `json:"assumptions"`
	By          int64       `json:"created_by,omitempty"`
	ByName      string      `json:"created_by_name,omitempty"`
	At          time.Time   `json:"created_at"`
}
