// Package explore holds the public careers explorer's rules: the pathway
// planner, role comparison and the interest quiz. They read the framework
// and know nothing of HTTP.
package explore

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"hcs/internal/apperr"
	"hcs/internal/framework"
)

// Plan outcomes.
const (
	PlanRoute            = "route"             // one or more routes found
	PlanAlreadyQualified = "already-qualified" // the person is already at or past the level
	PlanLevelUnavailable = "level-unavailable" // the specialism has no such level
	PlanNoRoute          = "no-route"          // no route in the data leads there
)

// Plan is the pathway planner's answer.
type Plan struct {
	Status         string                   `json:"status"`
	Message        string                   `json:"message"`
	From           *framework.StartingPoint `json:"from"`
	FromSpecialism *framework.Specialism    `json:"-"`
	Specialism     *framework.Specialism    `json:"-"`
	Level          *framework.Level         `json:"-"`
	// Notes say how the person's starting point was read: what carried
	// over from their own specialism, what counts in this one.
	Notes []string `json:"notes"`
	// Routes holds the recommended route first, then alternatives.
	Routes []Route `json:"routes"`
}

// Route is an ordered list of steps with its total time.
type Route struct {
	Steps       []Step `json:"steps"`
	TotalMonths int    `json:"total_months"`
}

// Step is one programme or education step on a route, with what the
// person should know about taking it in this specialism.
type Step struct {
	Programme *framework.Programme `json:"-"`
	// NeedsJob is set for steps taken in a job; HasJob when the person
	// already works in the specialism.
	NeedsJob bool `json:"needs_job"`
	HasJob   bool `json:"has_job"`
	// AlsoRequires lists credentials this specialism adds to the
	// programme's usual entry (GDC registration for reconstructive science).
	AlsoRequires []*framework.Credential `json:"-"`
	// Competition is the STP's published competition ratio per post in the
	// specialism, for direct-entry steps.
	Competition *framework.Competition `json:"-"`
	// HSSTUnconfirmed is set on an HSST step where no source confirms the
	// specialism has a programme.
	HSSTUnconfirmed bool `json:"hsst_unconfirmed"`
}

// PlanRequest is what a person tells the planner: where they start (and,
// for a starting point that belongs to a specialism, which one), and the
// specialism and level they want to reach.
type PlanRequest struct {
	From           string
	FromSpecialism string
	Specialism     string
	Level          string
}

// maxSteps bounds the route search; no real route has more steps.
const maxSteps = 7

// maxRoutes is the recommended route plus alternatives.
const maxRoutes = 4

// competitionProgrammes are the direct-entry programmes whose competition
// the published STP ratios describe.
var competitionProgrammes = []string{"stp"}

// PlanPathway finds the routes from a starting point to a level in a
// specialism. Unknown ids are invalid input; impossible requests get a Plan
// whose Status and Message say why.
func PlanPathway(f *framework.Framework, req PlanRequest) (*Plan, error) {
	from := f.StartingPoint(req.From)
	if from == nil {
		ids := make([]string, len(f.StartingPoints))
		for i, sp := range f.StartingPoints {
			ids[i] = sp.ID
		}
		return nil, apperr.Invalidf("from", "%q is not a starting point we know; choose one from the list (the API lists them at /api/v1/starting-points: %s)", req.From, strings.Join(ids, ", "))
	}
	var fromSpec *framework.Specialism
	if from.InSpecialism {
		if req.FromSpecialism == "" {
			return nil, apperr.Invalidf("from_specialism", "You are starting from %q: choose the specialism you work or trained in", from.Name)
		}
		if fromSpec = f.Specialism(req.FromSpecialism); fromSpec == nil {
			return nil, apperr.Invalidf("from_specialism", "%q is not a specialism we know", req.FromSpecialism)
		}
	}
	spec := f.Specialism(req.Specialism)
	if spec == nil {
		return nil, apperr.Invalidf("specialism", "%q is not a specialism we know", req.Specialism)
	}
	level := f.Level(req.Level)
	if level == nil {
		return nil, apperr.Invalidf("level", "%q is not a career level; choose associate-assistant, practitioner, clinical-scientist or consultant", req.Level)
	}
	plan := &Plan{From: from, FromSpecialism: fromSpec, Specialism: spec, Level: level, Notes: []string{}}

	if !spec.HasLevel(level.ID) {
		var names []string
		for _, lv := range spec.Levels {
			names = append(names, strings.ToLower(lv.Name))
		}
		plan.Status = PlanLevelUnavailable
		plan.Message = fmt.Sprintf("%s has no %s level. People work in it at these levels: %s.",
			spec.Name, strings.ToLower(level.Name), strings.Join(names, ", "))
		return plan, nil
	}

	holds := startingCredentials(f, plan)
	g := newGraph(f)
	start := g.mask(holds)
	for _, lv := range f.Levels {
		if lv.Order >= level.Order && start&g.mask(lv.ReachedBy) != 0 {
			plan.Status = PlanAlreadyQualified
			if lv == level {
				plan.Message = fmt.Sprintf("You are already qualified at %s level in %s. Open training posts and career stages are shown on the %s page.", strings.ToLower(level.Name), LowerFirst(spec.Name), spec.Name)
			} else {
				plan.Message = fmt.Sprintf("You are already qualified beyond %s level in %s, at %s level.", strings.ToLower(level.Name), LowerFirst(spec.Name), strings.ToLower(lv.Name))
			}
			return plan, nil
		}
	}

	var programmes []*framework.Programme
	extra := map[*framework.Programme][]string{}
	for _, p := range f.Programmes {
		// Programmes for higher levels never help to reach this one.
		if p.RunsIn(spec) && (p.Level == nil || p.Level.Order <= level.Order) {
			programmes = append(programmes, p)
			extra[p] = spec.ProgrammeRequires[p.ID]
		}
	}
	paths := g.search(start, g.mask(level.ReachedBy), programmes, func(p *framework.Programme) uint64 { return g.mask(extra[p]) })
	if len(paths) == 0 {
		plan.Status = PlanNoRoute
		plan.Message = fmt.Sprintf("We could not find a route from %q to %s in %s. Try a different starting point, or contact the National School of Healthcare Science for advice.",
			from.Name, strings.ToLower(level.Name), spec.Name)
		if level.ID == "consultant" && spec.HSST == framework.HSSTNone {
			plan.Message = fmt.Sprintf("There is no Higher Specialist Scientific Training programme in %s, so the only route we know to consultant level is the Academy for Healthcare Science's equivalence, which needs five years at that level first.", LowerFirst(spec.Name))
		}
		return plan, nil
	}
	hasJob := start&g.mask([]string{"employed"}) != 0
	for _, path := range paths {
		r := Route{}
		for _, p := range path {
			st := Step{Programme: p, NeedsJob: p.NeedsJob, HasJob: p.NeedsJob && hasJob,
				HSSTUnconfirmed: p.HSST && spec.HSST == framework.HSSTUnconfirmed}
			for _, id := range extra[p] {
				st.AlsoRequires = append(st.AlsoRequires, f.Credential(id))
			}
			if slices.Contains(competitionProgrammes, p.ID) {
				st.Competition = spec.STPCompetition()
			}
			r.Steps = append(r.Steps, st)
			r.TotalMonths += p.DurationMonths
		}
		plan.Routes = append(plan.Routes, r)
	}
	if level.ID == "consultant" && spec.HSST == framework.HSSTNone {
		plan.Notes = append(plan.Notes, fmt.Sprintf("There is no Higher Specialist Scientific Training programme in %s, so it is not offered here.", LowerFirst(spec.Name)))
	}
	plan.Status = PlanRoute
	plan.Message = fmt.Sprintf("The quickest route takes about %s.", FormatMonths(plan.Routes[0].TotalMonths))
	return plan, nil
}

// startingCredentials is what the person holds for a route in the plan's
// specialism: credentials that belong to another specialism are left
// behind, and the specialism's stand-ins are added. It records on the plan
// what it did.
func startingCredentials(f *framework.Framework, plan *Plan) []string {
	spec := plan.Specialism
	var holds []string
	left := false
	for _, id := range plan.From.Holds {
		if f.Credential(id).InSpecialism && !sameField(plan.FromSpecialism, spec) {
			left = true
			continue
		}
		holds = append(holds, id)
	}
	if left {
		plan.Notes = append(plan.Notes, fmt.Sprintf(
			"Your training and job in %s do not qualify you in %s, so these routes start from your school and university qualifications. "+
				"Any registration you hold stays yours, but you need training in the new specialism, and its programmes ask for a degree relevant to it.",
			LowerFirst(plan.FromSpecialism.Name), LowerFirst(spec.Name)))
	}
	for _, id := range slices.Sorted(maps.Keys(spec.AlsoCounts)) {
		if slices.Contains(holds, id) {
			continue
		}
		for _, alt := range spec.AlsoCounts[id] {
			if slices.Contains(holds, alt) {
				holds = append(holds, id)
				plan.Notes = append(plan.Notes, fmt.Sprintf("In %s, %s counts as %s.",
					LowerFirst(spec.Name), LowerFirst(f.Credential(alt).Name), LowerFirst(f.Credential(id).Name)))
				break
			}
		}
	}
	return holds
}

// sameField reports whether credentials earned in a carry over to b: the
// same specialism, or a specialism and its sub-specialisms.
func sameField(a, b *framework.Specialism) bool {
	if a == nil || b == nil {
		return false
	}
	root := func(s *framework.Specialism) *framework.Specialism {
		if s.Parent != nil {
			return s.Parent
		}
		return s
	}
	return root(a) == root(b)
}

// graph turns credential ids into bits so that states compare cheaply. The
// framework loader allows at most framework.MaxCredentials credentials, so
// each has its own bit.
type graph struct {
	bit map[string]uint64
}

func newGraph(f *framework.Framework) *graph {
	g := &graph{bit: map[string]uint64{}}
	for i, c := range f.Credentials {
		g.bit[c.ID] = 1 << uint(i)
	}
	return g
}

func (g *graph) mask(ids []string) uint64 {
	var m uint64
	for _, id := range ids {
		m |= g.bit[id]
	}
	return m
}

// search returns the minimal routes from start to any goal credential,
// quickest first. A route is minimal when no other route uses a subset of
// its programmes; routes that are the same programmes in another order are
// the same route.
// extra gives credentials a programme also needs in this specialism.
func (g *graph) search(start, goal uint64, programmes []*framework.Programme, extra func(*framework.Programme) uint64) [][]*framework.Programme {
	type edge struct {
		p        *framework.Programme
		requires []uint64
		grants   uint64
	}
	edges := make([]edge, len(programmes))
	for i, p := range programmes {
		e := edge{p: p, grants: g.mask(p.Grants)}
		for _, set := range p.Requires {
			e.requires = append(e.requires, g.mask(set)|extra(p))
		}
		edges[i] = e
	}
	var found [][]*framework.Programme
	var usedSets []uint64 // bitsets of edge indexes, to drop duplicates
	var path []int
	var walk func(state uint64)
	walk = func(state uint64) {
		if state&goal != 0 {
			var used uint64
			for _, i := range path {
				used |= 1 << uint(i)
			}
			if slices.Contains(usedSets, used) {
				return
			}
			usedSets = append(usedSets, used)
			route := make([]*framework.Programme, len(path))
			for k, i := range path {
				route[k] = edges[i].p
			}
			found = append(found, route)
			return
		}
		if len(path) == maxSteps {
			return
		}
		for i, e := range edges {
			if e.grants&^state == 0 || slices.Contains(path, i) {
				continue // gives nothing new, or already taken
			}
			if !slices.ContainsFunc(e.requires, func(req uint64) bool { return req&^state == 0 }) {
				continue
			}
			path = append(path, i)
			walk(state | e.grants)
			path = path[:len(path)-1]
		}
	}
	walk(start)

	// Keep only minimal routes.
	var minimal [][]*framework.Programme
	for i, r := range found {
		dominated := false
		for j, other := range usedSets {
			if j != i && other != usedSets[i] && other&^usedSets[i] == 0 {
				dominated = true
				break
			}
		}
		if !dominated {
			minimal = append(minimal, r)
		}
	}
	slices.SortStableFunc(minimal, func(a, b []*framework.Programme) int {
		if d := months(a) - months(b); d != 0 {
			return d
		}
		if d := len(a) - len(b); d != 0 {
			return d
		}
		if d := kindRank(a) - kindRank(b); d != 0 {
			return d
		}
		// A general route before an equally quick specialised one (a
		// science degree before an IBMS-accredited one).
		if d := granted(a) - granted(b); d != 0 {
			return d
		}
		return strings.Compare(routeKey(a), routeKey(b))
	})
	if len(minimal) > maxRoutes {
		minimal = minimal[:maxRoutes]
	}
	return minimal
}

// granted counts the credentials a route's steps give.
func granted(route []*framework.Programme) int {
	n := 0
	for _, p := range route {
		n += len(p.Grants)
	}
	return n
}

func months(route []*framework.Programme) int {
	n := 0
	for _, p := range route {
		n += p.DurationMonths
	}
	return n
}

// kindRank orders routes of equal length: the usual degree-and-programme
// route first, then apprenticeships, then equivalence.
func kindRank(route []*framework.Programme) int {
	rank := 0
	for _, p := range route {
		switch p.Kind {
		case framework.ProgrammeTraining:
			rank++
		case framework.ProgrammeApprenticeship:
			rank += 2
		case framework.ProgrammeEquivalence:
			rank += 3
		}
	}
	return rank
}

func routeKey(route []*framework.Programme) string {
	ids := make([]string, len(route))
	for i, p := range route {
		ids[i] = p.ID
	}
	return strings.Join(ids, ">")
}

// FormatMonths writes a duration the way people say it: "18 months",
// "3 years", "4 years and 6 months".
func FormatMonths(m int) string {
	years, rest := m/12, m%12
	plural := func(n int, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	switch {
	case years == 0:
		return plural(rest, "month")
	case rest == 0:
		return plural(years, "year")
	default:
		return plural(years, "year") + " and " + plural(rest, "month")
	}
}
