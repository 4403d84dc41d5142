package web

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"hcs/internal/apperr"
	"hcs/internal/workforce"
)

// The forecast page: a group's supply against demand for five years,
// under its own rates or assumptions the planner changes, saved as named
// scenarios and compared.

// percentFields are the assumptions the form takes as percentages.
var percentFields = []struct{ Name, Label string }{
	{"leave_rate", "Leaving each year, other than by retiring (%)"},
	{"retire_0", "Retiring each year, under 55 (%)"},
	{"retire_1", "Retiring each year, 55 to 59 (%)"},
	{"retire_2", "Retiring each year, 60 to 64 (%)"},
	{"retire_3", "Retiring each year, 65 and over (%)"},
	{"join_rate", "Joining each year, other than trainees, as a share of today's staff (%)"},
	{"completion_yield", "Trainees completing who take a post here (%)"},
	{"vacancy", "Vacant posts today, as a share of today's staff (%)"},
	{"growth", "Growth of posts each year (%)"},
}

func percentOf(a *workforce.Assumptions) map[string]string {
	f := func(v float64) string { return strconv.FormatFloat(math.Round(v*10000)/100, 'f', -1, 64) }
	return map[string]string{"leave_rate": f(a.LeaveRate), "retire_0": f(a.RetireRates[0]), "retire_1": f(a.RetireRates[1]),
		"retire_2": f(a.RetireRates[2]), "retire_3": f(a.RetireRates[3]), "join_rate": f(a.JoinRate),
		"completion_yield": f(a.CompletionYield), "vacancy": f(a.Vacancy), "growth": f(a.Growth), "join_age": strconv.Itoa(a.JoinAge)}
}

// readAssumptions reads the form's assumptions over the defaults; ok is
// false when the form names none.
func readAssumptions(v url.Values, def workforce.Assumptions) (workforce.Assumptions, bool, error) {
	a := def
	given := false
	for _, pf := range percentFields {
		s := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v.Get(pf.Name)), "%"))
		if s == "" {
			continue
		}
		given = true
		p, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(p) || math.IsInf(p, 0) {
			return a, true, apperr.Invalidf(pf.Name, "%s: write a number, such as 7.5, not %q", pf.Label, s)
		}
		p /= 100
		switch pf.Name {
		case "leave_rate":
			a.LeaveRate = p
		case "retire_0", "retire_1", "retire_2", "retire_3":
			a.RetireRates[pf.Name[7]-'0'] = p
		case "join_rate":
			a.JoinRate = p
		case "completion_yield":
			a.CompletionYield = p
		case "vacancy":
			a.Vacancy = p
		case "growth":
			a.Growth = p
		}
	}
	if s := strings.TrimSpace(v.Get("join_age")); s != "" {
		given = true
		n, err := strconv.Atoi(s)
		if err != nil {
			return a, true, apperr.Invalidf("join_age", "The age joiners start at: write a whole number of years, not %q", s)
		}
		a.JoinAge = n
	}
	if err := a.Check(); err != nil {
		// Name the field as the form does.
		if f := apperr.Field(err); strings.HasPrefix(f, "retire_rate_") {
			return a, true, apperr.Invalidf("retire_"+f[len(f)-1:], "%s", apperr.Message(err))
		}
		return a, true, err
	}
	return a, given, nil
}

// scenarioRow is a saved scenario with its last year's figures.
type scenarioRow struct {
	workforce.Scenario
	GroupName string
	Last      *workforce.ForecastYear
	Problem   string
}

func (s *Server) groupName(m *workforce.Model, g workforce.Group) string {
	var parts []string
	if n, ok := m.Dims[workforce.DimRegion].Node(g.Region); ok && n != 0 {
		parts = append(parts, m.Dims[workforce.DimRegion].Nodes[n].Name)
	}
	if n, ok := m.Dims[workforce.DimSpecialism].Node(g.Specialism); ok && n != 0 {
		parts = append(parts, m.Dims[workforce.DimSpecialism].Nodes[n].Name)
	}
	if len(parts) == 0 {
		return "All healthcare science staff"
	}
	return strings.Join(parts, ", ")
}

func (s *Server) workforceForecastPage(w http.ResponseWriter, r *http.Request) error {
	return s.showForecast(w, r, r.URL.Query(), nil, takeNotice(w, r))
}

func (s *Server) showForecast(w http.ResponseWriter, r *http.Request, v url.Values, formErr error, notice string) error {
	ctx := r.Context()
	m, err := s.workforce.Model(ctx)
	if err != nil {
		return err
	}
	scenarios, err := s.workforce.Scenarios(ctx)
	if err != nil {
		return err
	}
	g := workforce.Group{Region: v.Get("region"), Specialism: v.Get("specialism")}
	var chosen *workforce.Scenario
	if id := v.Get("scenario"); id != "" {
		for i := range scenarios {
			if strconv.FormatInt(scenarios[i].ID, 10) == id {
				chosen = &scenarios[i]
				g = chosen.Group
			}
		}
		if chosen == nil {
			return apperr.Errorf(apperr.NotFound, "there is no saved scenario %s", id)
		}
	}
	opts := s.figureOptions(m)
	data := map[string]any{"Options": opts, "Group": g, "Fields": percentFields, "Notice": notice, "Error": formErr,
		"Empty": len(m.Points) == 0, "Chosen": chosen, "Name": v.Get("name")}
	var rows []scenarioRow
	for _, sc := range scenarios {
		row := scenarioRow{Scenario: sc, GroupName: s.groupName(m, sc.Group)}
		if fc, err := s.workforce.Forecast(ctx, sc.Group, &sc.Assumptions); err == nil {
			row.Last = &fc.Years[len(fc.Years)-1]
		} else {
			row.Problem = apperr.Message(err)
		}
		rows = append(rows, row)
	}
	data["Scenarios"] = rows
	if len(m.Points) == 0 {
		return s.show(w, r, http.StatusOK, "workforce-forecast", "Forecast", []crumb{{"Workforce", "/workforce"}}, data)
	}
	base, err := s.workforce.Forecast(ctx, g, nil)
	status := http.StatusOK
	if err != nil {
		if apperr.Code(err) != apperr.Invalid {
			return err
		}
		data["Error"] = err
		return s.show(w, r, errorStatus(err), "workforce-forecast", "Forecast", []crumb{{"Workforce", "/workforce"}}, data)
	}
	a := base.Assumptions
	values := percentOf(&a)
	if chosen != nil {
		a = chosen.Assumptions
		values = percentOf(&a)
	} else if formErr == nil {
		got, given, err := readAssumptions(v, base.Assumptions)
		if err != nil {
			formErr, status = err, errorStatus(err)
			data["Error"] = err
		} else if given {
			a = got
		}
		for k := range values {
			if v.Has(k) {
				values[k] = v.Get(k)
			}
		}
	} else {
		for k := range values {
			if v.Has(k) {
				values[k] = v.Get(k)
			}
		}
		status = errorStatus(formErr)
	}
	fc := base
	if formErr == nil && a != base.Assumptions {
		if fc, err = s.workforce.Forecast(ctx, g, &a); err != nil {
			return err
		}
	}
	data["Forecast"], data["Values"], data["Defaults"] = fc, values, percentOf(&base.Assumptions)
	data["GroupName"], data["Staff"], data["From"] = s.groupName(m, g), base.Baseline.Staff, base.Baseline.From.String()
	dates := []string{base.Baseline.From.String()}
	start := int(math.Round(float64(base.Baseline.Staff)))
	supply, demand := []*int{&start}, []*int{nil}
	d0 := int(math.Round(fc.Years[0].Demand / math.Pow(1+fc.Assumptions.Growth, 1)))
	demand[0] = &d0
	for _, y := range fc.Years {
		dates = append(dates, y.End.String())
		sv, dv := int(math.Round(y.Supply)), int(math.Round(y.Demand))
		supply, demand = append(supply, &sv), append(demand, &dv)
	}
	data["Line"] = newLineChart("forecast", fmt.Sprintf("Supply and demand of %s, %s to %s", strings.ToLower(s.groupName(m, g)), dates[0][:4], dates[len(dates)-1][:4]),
		"Two lines: supply (solid) is the staff the forecast expects in post at the end of each year; demand (dashed) is the posts. The table after the chart has each figure.",
		dates, supply, demand)
	return s.show(w, r, status, "workforce-forecast", "Forecast", []crumb{{"Workforce", "/workforce"}}, data)
}

// workforceSaveScenario saves the form's assumptions as a named scenario.
func (s *Server) workforceSaveScenario(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("form", "The form could not be read")
	}
	v := r.PostForm
	g := workforce.Group{Region: v.Get("region"), Specialism: v.Get("specialism")}
	base, err := s.workforce.Forecast(r.Context(), g, nil)
	if err != nil {
		return formFailure(err, func(int) error { return s.showForecast(w, r, v, err, "") })
	}
	a, _, err := readAssumptions(v, base.Assumptions)
	sc := &workforce.Scenario{Name: v.Get("name"), Group: g, Assumptions: a}
	if err == nil {
		err = s.workforce.SaveScenario(r.Context(), actor(r), sc)
	}
	if err != nil {
		return formFailure(err, func(int) error { return s.showForecast(w, r, v, err, "") })
	}
	redirectBack(w, r, "/workforce/forecast?scenario="+strconv.FormatInt(sc.ID, 10), fmt.Sprintf("Scenario %q is saved.", sc.Name))
	return nil
}

// apiWorkforceForecast is the forecast as JSON: the whole workforce's rates, or
// a saved scenario's assumptions.
func (s *Server) apiWorkforceForecast(w http.ResponseWriter, r *http.Request) (int, any, error) {
	q := r.URL.Query()
	g := workforce.Group{Region: q.Get("region"), Specialism: q.Get("specialism")}
	var a *workforce.Assumptions
	if id := q.Get("scenario"); id != "" {
		list, err := s.workforce.Scenarios(r.Context())
		if err != nil {
			return 0, nil, err
		}
		for i := range list {
			if strconv.FormatInt(list[i].ID, 10) == id {
				g, a = list[i].Group, &list[i].Assumptions
			}
		}
		if a == nil {
			return 0, nil, apperr.Errorf(apperr.NotFound, "there is no saved scenario %s", id)
		}
	}
	fc, err := s.workforce.Forecast(r.Context(), g, a)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, fc, nil
}
