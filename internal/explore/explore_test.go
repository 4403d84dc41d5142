package explore_test

import (
	"strings"
	"testing"

	"hcs/internal/apperr"
	"hcs/internal/explore"
	"hcs/internal/framework"
	"hcs/internal/testkit"
)

func routeIDs(r explore.Route) string {
	var ids []string
	for _, s := range r.Steps {
		ids = append(ids, s.Programme.ID)
	}
	return strings.Join(ids, " > ")
}

func TestPlanPathway(t *testing.T) {
	f := testkit.Framework(t)
	tests := []struct {
		from, specialism, level string
		status                  string
		first                   string // the recommended route
		also                    string // a route that must be among the alternatives
		months                  int
	}{
		{"science-degree-21", "genomics", "clinical-scientist", explore.PlanRoute, "stp", "apprenticeship-level-7", 36},
		{"science-degree-22", "genomics", "clinical-scientist", explore.PlanRoute, "masters-degree > stp", "", 48},
		{"science-degree-22-masters", "audiology", "clinical-scientist", explore.PlanRoute, "stp", "", 36},
		{"a-levels-science", "audiology", "practitioner", explore.PlanRoute, "ptp", "apprenticeship-level-6", 36},
		{"a-levels-science", "audiology", "clinical-scientist", explore.PlanRoute, "science-degree > stp", "ptp > stp", 72},
		{"gcses", "cardiac-science", "consultant", explore.PlanRoute, "a-levels > science-degree > stp > hsst", "", 156},
		{"no-qualifications", "clinical-biochemistry", "associate-assistant", explore.PlanRoute, "apprenticeship-level-2", "", 12},
		{"a-levels-other", "histopathology", "clinical-scientist", explore.PlanRoute, "access-to-science > science-degree > stp", "", 84},
		{"healthcare-science-bsc", "neurophysiology", "clinical-scientist", explore.PlanRoute, "stp", "", 36},
		{"clinical-scientist-level-no-stp", "clinical-immunology", "clinical-scientist", explore.PlanRoute, "stp-equivalence", "acs-route-2", 6},
		{"registered-clinical-scientist", "genomics", "consultant", explore.PlanRoute, "hsst", "", 60},
		{"consultant-level-no-hsst", "genomics", "consultant", explore.PlanRoute, "hss-equivalence", "hsst", 6},
		{"practitioner-unaccredited", "vascular-science", "practitioner", explore.PlanRoute, "ptp-equivalence", "", 6},
		// GI physiology has no PTP pathway, so the degree apprenticeship is the way in.
		{"a-levels-science", "gastrointestinal-physiology", "practitioner", explore.PlanRoute, "apprenticeship-level-6", "", 36},
		{"gcses", "genomic-counselling", "practitioner", explore.PlanLevelUnavailable, "", "", 0},
		{"registered-clinical-scientist", "genomics", "practitioner", explore.PlanAlreadyQualified, "", "", 0},
		{"registered-clinical-scientist", "genomics", "clinical-scientist", explore.PlanAlreadyQualified, "", "", 0},
	}
	for _, tt := range tests {
		name := tt.from + " to " + tt.level + " in " + tt.specialism
		t.Run(name, func(t *testing.T) {
			plan, err := explore.PlanPathway(f, tt.from, tt.specialism, tt.level)
			if err != nil {
				t.Fatal(err)
			}
			if plan.Status != tt.status {
				t.Fatalf("status %q (%s), want %q", plan.Status, plan.Message, tt.status)
			}
			if plan.Message == "" {
				t.Error("no message")
			}
			if tt.status != explore.PlanRoute {
				if len(plan.Routes) != 0 {
					t.Errorf("routes given for status %s", plan.Status)
				}
				return
			}
			if got := routeIDs(plan.Routes[0]); got != tt.first {
				t.Errorf("first route %q, want %q", got, tt.first)
			}
			if plan.Routes[0].TotalMonths != tt.months {
				t.Errorf("first route takes %d months, want %d", plan.Routes[0].TotalMonths, tt.months)
			}
			var all []string
			for i, r := range plan.Routes {
				all = append(all, routeIDs(r))
				if i > 0 && r.TotalMonths < plan.Routes[i-1].TotalMonths {
					t.Errorf("routes are not quickest first: %v", all)
				}
				for _, st := range r.Steps {
					if !st.Programme.RunsIn(plan.Specialism) {
						t.Errorf("route %q uses %s, which does not run in %s", routeIDs(r), st.Programme.ID, tt.specialism)
					}
				}
			}
			if tt.also != "" && !strings.Contains(strings.Join(all, "|"), tt.also) {
				t.Errorf("routes %v do not include %q", all, tt.also)
			}
		})
	}
}

func TestPlanPathwayRejectsUnknownInput(t *testing.T) {
	f := testkit.Framework(t)
	for _, tc := range []struct{ from, spec, level, field string }{
		{"moon", "genomics", "practitioner", "from"},
		{"gcses", "astrology", "practitioner", "specialism"},
		{"gcses", "genomics", "wizard", "level"},
	} {
		_, err := explore.PlanPathway(f, tc.from, tc.spec, tc.level)
		if apperr.Code(err) != apperr.Invalid || apperr.Field(err) != tc.field {
			t.Errorf("PlanPathway(%q, %q, %q) = %v, want invalid %s", tc.from, tc.spec, tc.level, err, tc.field)
		}
	}
}

// Every starting point reaches every level that exists in every specialism,
// unless it is already there: the data has no dead ends.
func TestEveryStartReachesEveryLevel(t *testing.T) {
	f := testkit.Framework(t)
	for _, sp := range f.StartingPoints {
		for _, s := range f.Specialisms {
			for _, lv := range s.Levels {
				plan, err := explore.PlanPathway(f, sp.ID, s.ID, lv.ID)
				if err != nil {
					t.Fatal(err)
				}
				if plan.Status == explore.PlanNoRoute {
					t.Errorf("no route from %s to %s in %s", sp.ID, lv.ID, s.ID)
				}
			}
		}
	}
}

func TestCompare(t *testing.T) {
	f := testkit.Framework(t)
	c, err := explore.Compare(f, []string{"audiology", "genetics", "audiology"})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Specialisms) != 2 || c.Specialisms[1].ID != "genomics" {
		t.Fatalf("compared %v, want audiology and genomics (alias resolved, repeat dropped)", c.Specialisms)
	}
	rows := map[string]explore.CompareRow{}
	for _, r := range c.Rows {
		rows[r.Key] = r
	}
	for _, key := range []string{"levels", "bands", "entry", "duration", "patients", "settings", "registration"} {
		if _, ok := rows[key]; !ok {
			t.Errorf("no %s row", key)
		}
	}
	if !rows["patients"].Differs || !rows["area"].Differs {
		t.Error("audiology and genomics differ in patients and area, but the rows are not marked")
	}
	if rows["duration"].Differs {
		t.Error("both train through the three-year STP; the duration row should not differ")
	}
	for _, bad := range [][]string{{}, {"astrology"}, {"audiology", "genomics", "virology", "mycology"}} {
		if _, err := explore.Compare(f, bad); apperr.Code(err) != apperr.Invalid {
			t.Errorf("Compare(%v) = %v, want invalid", bad, err)
		}
	}
}

func code(values ...int) string {
	var b strings.Builder
	for _, v := range values {
		b.WriteByte(byte('0' + v))
	}
	return b.String()
}

func TestQuizRanksWhatPeopleLike(t *testing.T) {
	f := testkit.Framework(t)
	q := f.Quiz
	// Someone who loves the statements about one dimension and dislikes the
	// rest should see specialisms strong in that dimension first.
	for _, tc := range []struct{ dimension, want string }{
		{"physiology", framework.ContactMost},
		{"data", framework.ContactNone},
	} {
		values := make([]int, len(q.Items))
		for i, it := range q.Items {
			values[i] = 1
			if it.Dimensions[tc.dimension] > 0 {
				values[i] = 5
			}
		}
		answers, err := explore.ParseQuizCode(q, code(values...))
		if err != nil {
			t.Fatal(err)
		}
		res := explore.ScoreQuiz(f, answers)
		top := res.Matches[0]
		if top.Specialism.Interests[tc.dimension] != 3 {
			t.Errorf("%s lover: top match %s has %s interest %d, want 3", tc.dimension, top.Specialism.ID, tc.dimension, top.Specialism.Interests[tc.dimension])
		}
		if len(top.Drivers) == 0 {
			t.Errorf("%s lover: top match has no drivers", tc.dimension)
		}
		for _, d := range top.Drivers {
			if q.Items[d.Item-1].Dimensions[tc.dimension] == 0 && d.Answer >= 3 {
				t.Errorf("driver %+v is not about %s", d, tc.dimension)
			}
		}
		for i := 1; i < len(res.Matches); i++ {
			if res.Matches[i].Percent > res.Matches[i-1].Percent {
				t.Fatal("matches are not best first")
			}
		}
	}
}

func TestQuizDealBreakers(t *testing.T) {
	f := testkit.Framework(t)
	answers, err := explore.ParseQuizCode(f.Quiz, "5151515151-PR")
	if err != nil {
		t.Fatal(err)
	}
	res := explore.ScoreQuiz(f, answers)
	for _, m := range res.Matches {
		if m.Specialism.PatientContact != framework.ContactNone {
			t.Errorf("%s works with patients but was not excluded", m.Specialism.ID)
		}
		for _, e := range m.Specialism.Exposures {
			if e == "radiation" {
				t.Errorf("%s works with radiation but was not excluded", m.Specialism.ID)
			}
		}
	}
	if len(res.Excluded) == 0 || len(res.Matches)+len(res.Excluded) != len(f.Specialisms) {
		t.Errorf("%d matches and %d excluded of %d specialisms", len(res.Matches), len(res.Excluded), len(f.Specialisms))
	}
}

func TestQuizFlatAnswers(t *testing.T) {
	f := testkit.Framework(t)
	answers, _ := explore.ParseQuizCode(f.Quiz, strings.Repeat("5", len(f.Quiz.Items)))
	if res := explore.ScoreQuiz(f, answers); !res.Flat || len(res.Matches) != 0 {
		t.Errorf("all the same answers: flat=%v with %d matches, want flat and none", res.Flat, len(res.Matches))
	}
}

func TestParseQuizCodeErrors(t *testing.T) {
	f := testkit.Framework(t)
	for code, want := range map[string]string{
		"12x":                    "answer 3",
		"16":                     "answer 2",
		strings.Repeat("1", 31):  "31 answers",
		"123-Z":                  `"Z"`,
		strings.Repeat("1", 201): "too long",
	} {
		_, err := explore.ParseQuizCode(f.Quiz, code)
		if err == nil || !strings.Contains(err.Error(), want) || apperr.Field(err) != "code" {
			t.Errorf("ParseQuizCode(%q) = %v, want an error about the code mentioning %s", code, err, want)
		}
	}
}

// FuzzParseQuizCode: any code either fails with an invalid-input error or
// round-trips through Code unchanged in meaning.
func FuzzParseQuizCode(f *testing.F) {
	fw := testkit.Framework(f)
	for _, s := range []string{"", "5421003-PS", "0000", "-", "-pp", "12345123451234512345123451234512345", "1\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, code string) {
		a, err := explore.ParseQuizCode(fw.Quiz, code)
		if err != nil {
			if apperr.Code(err) != apperr.Invalid {
				t.Fatalf("error is not invalid input: %v", err)
			}
			return
		}
		again, err := explore.ParseQuizCode(fw.Quiz, a.Code(fw.Quiz))
		if err != nil {
			t.Fatalf("code %q written back as %q does not parse: %v", code, a.Code(fw.Quiz), err)
		}
		if again.Code(fw.Quiz) != a.Code(fw.Quiz) {
			t.Fatalf("round trip changed %q to %q", a.Code(fw.Quiz), again.Code(fw.Quiz))
		}
		explore.ScoreQuiz(fw, a) // must not panic
	})
}
