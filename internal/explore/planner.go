// Package explore holds the public careers explorer's rules: the pathway
// planner, role comparison and the interest quiz. They read the framework
// and know nothing of HTTP.
package explore

import (
	"fmt"
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
	Status     string                   `json:"status"`
	Message    string                   `json:"message"`
	From       *framework.StartingPoint `json:"from"`
	Specialism *framework.Specialism    `json:"-"`
	Level      *framework.Level         `json:"-"`
	// Routes holds the recommended route first, then alternatives.
	Routes []Route `json:"routes"`
}

// Route is an ordered list of steps with its total time.
type Route struct {
	Steps       []Step `json:"steps"`
	TotalMonths int    `json:"total_months"`
}

// Step is one programme or education step on a route.
type Step struct {
	Programme *framework.Programme `json:"-"`
}

// maxSteps bounds the route search; no real route has more steps.
const maxSteps = 7

// maxRoutes is the recommended route plus alternatives.
const maxRoutes = 4

// PlanPathway finds the routes from a starting point to a level in a
// specialism. Unknown ids are invalid input; impossible requests get a Plan
// whose Status and Message say why.
func PlanPathway(f *framework.Framework, fromID, specialismID, levelID string) (*Plan, error) {
	from := f.StartingPoint(fromID)
	if from == nil {
		ids := make([]string, len(f.StartingPoints))
		for i, sp := range f.StartingPoints {
			ids[i] = sp.ID
		}
		return nil, apperr.Invalidf("from", "%q is not a starting point we know; choose one of: %s", fromID, strings.Join(ids, ", "))
	}
	spec := f.Specialism(specialismID)
	if spec == nil {
		return nil, apperr.Invalidf("specialism", "%q is not a specialism we know", specialismID)
	}
	level := f.Level(levelID)
	if level == nil {
		return nil, apperr.Invalidf("level", "%q is not a career level; choose associate-assistant, practitioner, clinical-scientist or consultant", levelID)
	}
	plan := &Plan{From: from, Specialism: spec, Level: level}

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

	g := newGraph(f)
	start := g.mask(from.Holds)
	for _, lv := range f.Levels {
		if lv.Order >= level.Order && start&g.mask(lv.ReachedBy) != 0 {
			plan.Status = PlanAlreadyQualified
			if lv == level {
				plan.Message = fmt.Sprintf("You are already qualified at %s level. Open training posts and career stages are shown on the %s page.", strings.ToLower(level.Name), spec.Name)
			} else {
				plan.Message = fmt.Sprintf("You are already qualified beyond %s level, at %s level.", strings.ToLower(level.Name), strings.ToLower(lv.Name))
			}
			return plan, nil
		}
	}

	var programmes []*framework.Programme
	for _, p := range f.Programmes {
		// Programmes for higher levels never help to reach this one.
		if p.RunsIn(spec) && (p.Level == nil || p.Level.Order <= level.Order) {
			programmes = append(programmes, p)
		}
	}
	paths := g.search(start, g.mask(level.ReachedBy), programmes)
	if len(paths) == 0 {
		plan.Status = PlanNoRoute
		plan.Message = fmt.Sprintf("We could not find a route from %q to %s in %s. Try a different starting point, or contact the National School of Healthcare Science for advice.",
			from.Name, strings.ToLower(level.Name), spec.Name)
		return plan, nil
	}
	for _, path := range paths {
		r := Route{}
		for _, p := range path {
			r.Steps = append(r.Steps, Step{Programme: p})
			r.TotalMonths += p.DurationMonths
		}
		plan.Routes = append(plan.Routes, r)
	}
	plan.Status = PlanRoute
	plan.Message = fmt.Sprintf("The quickest route takes about %s.", FormatMonths(plan.Routes[0].TotalMonths))
	return plan, nil
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
func (g *graph) search(start, goal uint64, programmes []*framework.Programme) [][]*framework.Programme {
	type edge struct {
		p        *framework.Programme
		requires []uint64
		grants   uint64
	}
	edges := make([]edge, len(programmes))
	for i, p := range programmes {
		e := edge{p: p, grants: g.mask(p.Grants)}
		for _, set := range p.Requires {
			e.requires = append(e.requires, g.mask(set))
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
		return strings.Compare(routeKey(a), routeKey(b))
	})
	if len(minimal) > maxRoutes {
		minimal = minimal[:maxRoutes]
	}
	return minimal
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
