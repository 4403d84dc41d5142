package workforce_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"hcs/internal/apperr"
	"hcs/internal/database"
	"hcs/internal/testkit"
	"hcs/internal/workforce"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// The forecast worked by hand: 100 staff (80 aged 40, 10 aged 58, 10
// aged 62), leaving at 10% a year, retiring at 0%, 10%, 20% and 50% by
// age band, joiners at 5% of the start, half of the completing trainees
// (4 in the first year, 2 in the third) taking posts, 10% vacancies and
// 2% growth.
func TestProjectByHand(t *testing.T) {
	a := workforce.Assumptions{LeaveRate: 0.1, RetireRates: [4]float64{0, 0.1, 0.2, 0.5}, JoinRate: 0.05, JoinAge: 30,
		CompletionYield: 0.5, Vacancy: 0.1, Growth: 0.02}
	if err := a.Check(); err != nil {
		t.Fatal(err)
	}
	years := workforce.Project(workforce.Date(2026, 9, 30), map[int]float64{40: 80, 58: 10, 62: 10}, []float64{4, 0, 2, 0, 0}, a)
	want := []workforce.ForecastYear{
		{Start: 100, Retirements: 3, Leavers: 10, Joiners: 5, Completions: 2, Supply: 94, Demand: 112.2},
		{Start: 94, Retirements: 2.2, Leavers: 9.4, Joiners: 5, Completions: 0, Supply: 87.4, Demand: 114.444},
		{Start: 87.4, Retirements: 2.26, Leavers: 8.74, Joiners: 5, Completions: 1, Supply: 82.4, Demand: 116.73288},
		{Start: 82.4, Retirements: 2.611, Leavers: 8.24, Joiners: 5, Completions: 0, Supply: 76.549, Demand: 119.0675376},
		{Start: 76.549, Retirements: 1.3132, Leavers: 7.6549, Joiners: 5, Completions: 0, Supply: 72.5809, Demand: 121.448888352},
	}
	for i, w := range want {
		g := years[i]
		if !near(g.Start, w.Start) || !near(g.Retirements, w.Retirements) || !near(g.Leavers, w.Leavers) || !near(g.Joiners, w.Joiners) ||
			!near(g.Completions, w.Completions) || !near(g.Supply, w.Supply) || !near(g.Demand, w.Demand) || !near(g.Gap, w.Demand-w.Supply) {
			t.Errorf("year %d: got %+v\nwant %+v", i+1, g, w)
		}
		if g.End != workforce.Date(2027+i, 9, 30) {
			t.Errorf("year %d ends %s", i+1, g.End)
		}
	}
}

func TestAssumptionsAreChecked(t *testing.T) {
	good := workforce.Assumptions{LeaveRate: 0.1, JoinAge: 30}
	for name, edit := range map[string]func(a *workforce.Assumptions){
		"leave_rate":       func(a *workforce.Assumptions) { a.LeaveRate = 1.2 },
		"retire_rate_3":    func(a *workforce.Assumptions) { a.RetireRates[3] = 0.95 },
		"join_age":         func(a *workforce.Assumptions) { a.JoinAge = 5 },
		"growth":           func(a *workforce.Assumptions) { a.Growth = 2 },
		"completion_yield": func(a *workforce.Assumptions) { a.CompletionYield = -0.1 },
	} {
		a := good
		edit(&a)
		if err := a.Check(); apperr.Field(err) != name {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// A saved scenario with changed assumptions gives the figures worked by
// hand: 20 staff in one team, whose ages are taken as the whole
// workforce's (half in their early forties, half in their early sixties:
// 2 at each age from 40 to 44 and from 60 to 64), leaving at 10%,
// retiring at 50% from 60 and 90% from 65, no joiners, 25% vacancies and
// no growth.
func TestSavedScenarioByHand(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		s := workforce.NewService(db.Workforce(), testkit.Framework(t), 0)
		if _, err := s.RegisterEmployers(ctx, planner, "e.csv", "", []workforce.Employer{{Code: "ZZT01", Name: "Test Hospitals NHS Trust", Region: "Wales"},
			{Code: "ZZT02", Name: "Small Health Board", Region: "Scotland"}}); err != nil {
			t.Fatal(err)
		}
		year := workforce.DayOf(db.Now()).Year()
		var rows []workforce.Row
		for i := range 20 {
			born := year - 40
			if i >= 10 {
				born = year - 62
			}
			rows = append(rows, workforce.Row{Line: i + 2, Assignment: workforce.Assignment{Number: fmt.Sprintf("T%d", i), Person: fmt.Sprintf("P%d", i),
				Employer: "ZZT01", StaffGroup: "06", Specialism: "audiology", Level: "practitioner", Band: "6", FTE: 100, Contract: "permanent",
				Start: workforce.Date(year-5, 1, 1), End: workforce.NoEnd, BirthYear: born}})
		}
		for i := range 2 {
			a := rows[i*10].Assignment
			a.Number, a.Person, a.Employer = fmt.Sprintf("U%d", i), fmt.Sprintf("Q%d", i), "ZZT02"
			rows = append(rows, workforce.Row{Line: len(rows) + 2, Assignment: a})
		}
		if _, err := s.ImportStaff(ctx, planner, rows, workforce.ImportOptions{File: "s.csv"}); err != nil {
			t.Fatal(err)
		}
		g := workforce.Group{Region: "Wales", Specialism: "audiology"}
		sc := &workforce.Scenario{Name: "Retirement bulge", Group: g, Assumptions: workforce.Assumptions{LeaveRate: 0.1,
			RetireRates: [4]float64{0, 0, 0.5, 0.9}, JoinAge: 30, Vacancy: 0.25}}
		if err := s.SaveScenario(ctx, planner, sc); err != nil {
			t.Fatal(err)
		}
		saved, err := s.Scenarios(ctx)
		if err != nil || len(saved) != 1 || saved[0].Assumptions != sc.Assumptions || saved[0].Group != g || saved[0].Name != sc.Name {
			t.Fatalf("saved %+v, %v", saved, err)
		}
		fc, err := s.Forecast(ctx, saved[0].Group, &saved[0].Assumptions)
		if err != nil {
			t.Fatal(err)
		}
		// Year 1: 5 of the 10 in their sixties retire, 2 of the 20 leave.
		// Year 2: of 0.8 left at each age from 61 to 65, half of those
		// under 65 retire (1.6) and 90% of those aged 65 (0.72); 1.3 of the
		// 13 leave.
		for i, w := range []float64{13, 13 - 2.32 - 1.3} {
			if !near(fc.Years[i].Supply, w) || !near(fc.Years[i].Demand, 25) {
				t.Errorf("year %d: supply %g demand %g, want %g and 25", i+1, fc.Years[i].Supply, fc.Years[i].Demand, w)
			}
		}
		if fc.Baseline.Staff != 20 || !near(fc.Baseline.ByAge[40], 2) || !near(fc.Baseline.ByAge[62], 2) || fc.Baseline.ByAge[50] != 0 {
			t.Errorf("baseline %d staff, by age %v", fc.Baseline.Staff, fc.Baseline.ByAge)
		}
		// The defaults are the whole workforce's rates: nobody left or joined.
		def, err := s.Forecast(ctx, g, nil)
		if err != nil || def.Assumptions.LeaveRate != 0 || def.Years[0].Start != 20 {
			t.Fatalf("default forecast %+v, %v", def, err)
		}
		// A bad scenario is refused, naming the field.
		bad := &workforce.Scenario{Name: "Bad", Group: g, Assumptions: workforce.Assumptions{LeaveRate: 3, JoinAge: 30}}
		if err := s.SaveScenario(ctx, planner, bad); apperr.Field(err) != "leave_rate" {
			t.Errorf("a leave rate of 3: %v", err)
		}
		if err := s.SaveScenario(ctx, planner, &workforce.Scenario{Name: " ", Group: g, Assumptions: sc.Assumptions}); apperr.Field(err) != "name" {
			t.Errorf("no name: %v", err)
		}
		// A group too small to show has no forecast.
		if _, err := s.Forecast(ctx, workforce.Group{Region: "Scotland"}, nil); err == nil || !strings.Contains(apperr.Message(err), "too small") {
			t.Errorf("Scotland, with two: %v", err)
		}
	})
}

// A forecast's defaults are the whole workforce's rates, whatever the
// group (trainees completing are read as the pipeline publishes them:
// TestForecastCompletingIsPublished).
func TestForecastGivesNothingSmallAway(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		employers, as := synth(t, 6, 1200)
		s := registered(t, db, employers)
		if _, err := s.ImportStaff(ctx, planner, staffFile(t, as), workforce.ImportOptions{File: "s.csv"}); err != nil {
			t.Fatal(err)
		}
		all, err := s.Forecast(ctx, workforce.Group{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		shown := 0
		for _, e := range employers {
			for _, g := range []workforce.Group{{Region: e.Region}, {Region: e.Region, Specialism: "division:life-sciences"}} {
				fc, err := s.Forecast(ctx, g, nil)
				if apperr.Code(err) == apperr.Invalid {
					continue // withheld in the figures: no forecast
				}
				if err != nil {
					t.Fatal(err)
				}
				shown++
				if fc.Assumptions != all.Assumptions {
					t.Errorf("%+v's defaults %+v differ from the whole workforce's %+v", g, fc.Assumptions, all.Assumptions)
				}
			}
		}
		if shown == 0 {
			t.Fatal("no region was forecast: the test shows nothing")
		}
	})
}
