package explore_test

import (
	"fmt"
	"slices"
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

func plan(t *testing.T, f *framework.Framework, from, fromSpec, spec, level string) *explore.Plan {
	t.Helper()
	p, err := explore.PlanPathway(f, explore.PlanRequest{From: from, FromSpecialism: fromSpec, Specialism: spec, Level: level})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPlanPathway(t *testing.T) {
	f := testkit.Framework(t)
	tests := []struct {
		from, fromSpec, specialism, level string
		status                            string
		first                             string // the recommended route
		also                              string // a route that must be among the alternatives
		months                            int
	}{
		{"science-degree-21", "", "genomics", "clinical-scientist", explore.PlanRoute, "stp", "apprenticeship-level-7", 36},
		{"science-degree-22", "", "genomics", "clinical-scientist", explore.PlanRoute, "masters-degree > stp", "", 48},
		{"science-degree-22-masters", "", "audiology", "clinical-scientist", explore.PlanRoute, "stp", "", 36},
		{"a-levels-science", "", "audiology", "practitioner", explore.PlanRoute, "ptp", "apprenticeship-level-6", 36},
		{"a-levels-science", "", "audiology", "clinical-scientist", explore.PlanRoute, "science-degree > stp", "ptp > stp", 72},
		{"gcses", "", "cardiac-science", "consultant", explore.PlanRoute, "a-levels > science-degree > stp > hsst", "", 156},
		{"no-qualifications", "", "clinical-biochemistry", "associate-assistant", explore.PlanRoute, "apprenticeship-level-2", "", 12},
		{"a-levels-other", "", "histopathology", "clinical-scientist", explore.PlanRoute, "access-to-science > science-degree > stp", "", 84},
		{"healthcare-science-bsc", "neurophysiology", "neurophysiology", "clinical-scientist", explore.PlanRoute, "stp", "", 36},
		{"clinical-scientist-level-no-stp", "clinical-immunology", "clinical-immunology", "clinical-scientist", explore.PlanRoute, "stp-equivalence", "acs-route-2", 6},
		{"registered-clinical-scientist", "genomics", "genomics", "consultant", explore.PlanRoute, "hsst", "", 60},
		{"consultant-level-no-hsst", "genomics", "genomics", "consultant", explore.PlanRoute, "hss-equivalence", "hsst", 6},
		{"practitioner-unaccredited", "vascular-science", "vascular-science", "practitioner", explore.PlanRoute, "ptp-equivalence", "", 6},
		// GI physiology has no PTP pathway, so the degree apprenticeship is the way in.
		{"a-levels-science", "", "gastrointestinal-physiology", "practitioner", explore.PlanRoute, "apprenticeship-level-6", "", 36},
		{"gcses", "", "genomic-counselling", "practitioner", explore.PlanLevelUnavailable, "", "", 0},
		{"registered-clinical-scientist", "genomics", "genomics", "practitioner", explore.PlanAlreadyQualified, "", "", 0},
		{"registered-clinical-scientist", "genomics", "genomics", "clinical-scientist", explore.PlanAlreadyQualified, "", "", 0},
		// A sub-specialism shares its parent's qualifications.
		{"registered-clinical-scientist", "haematology-and-transfusion-science", "transfusion-science", "clinical-scientist", explore.PlanAlreadyQualified, "", "", 0},
		// Qualifications do not carry over between specialisms: a
		// registered clinical biochemist starts radiotherapy physics from
		// their degree and master's, with the STP.
		{"registered-clinical-scientist", "clinical-biochemistry", "radiotherapy-physics", "clinical-scientist", explore.PlanRoute, "stp", "apprenticeship-level-7", 36},
		{"registered-clinical-scientist", "clinical-biochemistry", "audiology", "practitioner", explore.PlanRoute, "ptp", "apprenticeship-level-6", 36},
		{"registered-clinical-scientist", "audiology", "audiology", "practitioner", explore.PlanAlreadyQualified, "", "", 0},
		// In-service: someone employed in the specialism can take the STP
		// in their job.
		{"registered-practitioner", "audiology", "audiology", "clinical-scientist", explore.PlanRoute, "stp", "stp-in-service", 36},
		// Biomedical scientists: the IBMS degree and portfolio, or the
		// degree apprenticeship, and since 2021 HSST without clinical
		// scientist registration.
		{"a-levels-science", "", "clinical-biochemistry", "practitioner", explore.PlanRoute, "ptp", "biomedical-science-degree > ibms-registration-portfolio", 36},
		{"biomedical-science-degree", "", "clinical-microbiology", "practitioner", explore.PlanRoute, "ibms-registration-portfolio", "", 12},
		{"specialist-biomedical-scientist", "clinical-biochemistry", "clinical-biochemistry", "consultant", explore.PlanRoute, "hsst", "", 60},
		{"registered-biomedical-scientist", "haematology-and-transfusion-science", "transfusion-science", "consultant", explore.PlanRoute, "masters-degree > ibms-specialist-diploma > hsst", "stp > hsst", 84},
		// Reconstructive science's STP needs GDC registration as a dental
		// technician.
		{"science-degree-21", "", "reconstructive-science", "clinical-scientist", explore.PlanRoute, "dental-technology > stp", "", 72},
		{"dental-technician", "", "maxillofacial-prosthetics", "clinical-scientist", explore.PlanRoute, "stp", "", 36},
		// Genomic counselling's STP takes psychology, nursing and
		// midwifery degrees; genomics' does not.
		{"care-degree-21", "", "genomic-counselling", "clinical-scientist", explore.PlanRoute, "stp", "", 36},
		{"care-degree-21", "", "genomics", "clinical-scientist", explore.PlanRoute, "science-degree > stp", "", 72},
		// Histopathology has no HSST programme: only equivalence reaches
		// consultant level, after five years at that level.
		{"consultant-level-no-hsst", "histopathology", "histopathology", "consultant", explore.PlanRoute, "hss-equivalence", "", 6},
		{"registered-clinical-scientist", "histopathology", "histopathology", "consultant", explore.PlanNoRoute, "", "", 0},
	}
	for _, tt := range tests {
		name := tt.from + " (" + tt.fromSpec + ") to " + tt.level + " in " + tt.specialism
		t.Run(name, func(t *testing.T) {
			plan := plan(t, f, tt.from, tt.fromSpec, tt.specialism, tt.level)
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
				t.Errorf("first route %q, want %q (all: %v)", got, tt.first, allRoutes(plan))
			}
			if plan.Routes[0].TotalMonths != tt.months {
				t.Errorf("first route takes %d months, want %d", plan.Routes[0].TotalMonths, tt.months)
			}
			all := allRoutes(plan)
			for i, r := range plan.Routes {
				if i > 0 && r.TotalMonths < plan.Routes[i-1].TotalMonths {
					t.Errorf("routes are not quickest first: %v", all)
				}
				for _, st := range r.Steps {
					if !st.Programme.RunsIn(plan.Specialism) {
						t.Errorf("route %q uses %s, which does not run in %s", routeIDs(r), st.Programme.ID, tt.specialism)
					}
				}
			}
			if tt.also != "" && !slices.Contains(all, tt.also) {
				t.Errorf("routes %v do not include %q", all, tt.also)
			}
		})
	}
}

func allRoutes(p *explore.Plan) []string {
	var all []string
	for _, r := range p.Routes {
		all = append(all, routeIDs(r))
	}
	return all
}

// step finds a programme's step on any of the plan's routes.
func step(t *testing.T, p *explore.Plan, programme string) explore.Step {
	t.Helper()
	for _, r := range p.Routes {
		for _, st := range r.Steps {
			if st.Programme.ID == programme {
				return st
			}
		}
	}
	t.Fatalf("no route uses %s: %v", programme, allRoutes(p))
	return explore.Step{}
}

func usesProgramme(p *explore.Plan, programme string) bool {
	for _, r := range p.Routes {
		for _, st := range r.Steps {
			if st.Programme.ID == programme {
				return true
			}
		}
	}
	return false
}

// The facts below are as ../shared/reference/explorer-facts.md states them.

// §3.2: "There is no Histopathology HSST programme."
func TestPlannerOffersNoHSSTWhereNoneExists(t *testing.T) {
	f := testkit.Framework(t)
	for _, spec := range []string{"histopathology", "cytopathology"} {
		for _, sp := range f.StartingPoints {
			p := plan(t, f, sp.ID, "histopathology", spec, "consultant")
			if usesProgramme(p, "hsst") {
				t.Errorf("from %s: a route to consultant in %s uses HSST: %v", sp.ID, spec, allRoutes(p))
			}
			if p.Status == explore.PlanNoRoute && !strings.Contains(p.Message, "no Higher Specialist Scientific Training programme") {
				t.Errorf("from %s: no route, and the message does not say why: %q", sp.ID, p.Message)
			}
		}
	}
	p := plan(t, f, "consultant-level-no-hsst", "histopathology", "histopathology", "consultant")
	if !strings.Contains(strings.Join(p.Notes, " "), "no Higher Specialist Scientific Training programme in histopathology") {
		t.Errorf("notes %q do not say histopathology has no HSST", p.Notes)
	}
	// §3.3 confirms cardiac science; nothing confirms audiology either way.
	if st := step(t, plan(t, f, "registered-clinical-scientist", "cardiac-science", "cardiac-science", "consultant"), "hsst"); st.HSSTUnconfirmed {
		t.Error("cardiac science's HSST is confirmed, but the step says it is not")
	}
	if st := step(t, plan(t, f, "registered-clinical-scientist", "audiology", "audiology", "consultant"), "hsst"); !st.HSSTUnconfirmed {
		t.Error("audiology's HSST is unconfirmed in our sources, but the step does not say so")
	}
}

// §3.1: HSST takes HCPC biomedical scientists with the IBMS Specialist
// Diploma and a relevant MSc, without clinical scientist registration.
func TestPlannerHSSTForBiomedicalScientists(t *testing.T) {
	f := testkit.Framework(t)
	p := plan(t, f, "specialist-biomedical-scientist", "clinical-biochemistry", "clinical-biochemistry", "consultant")
	if got := routeIDs(p.Routes[0]); got != "hsst" {
		t.Fatalf("first route %q, want straight to HSST", got)
	}
	// A biomedical scientist without the diploma or an MSc gets neither
	// HSST route for free.
	p = plan(t, f, "registered-biomedical-scientist", "clinical-biochemistry", "clinical-biochemistry", "consultant")
	for _, r := range p.Routes {
		if routeIDs(r) == "hsst" {
			t.Errorf("HSST offered directly to a biomedical scientist without the Specialist Diploma and an MSc")
		}
	}
}

// §2 and §6.1: genomic counselling takes psychology, nursing and midwifery
// degrees; its STP had a published competition ratio of 25.8 in 2023.
func TestPlannerGenomicCounselling(t *testing.T) {
	f := testkit.Framework(t)
	p := plan(t, f, "care-degree-21", "", "genomic-counselling", "clinical-scientist")
	if !strings.Contains(strings.Join(p.Notes, " "), "psychology, nursing or midwifery degree") {
		t.Errorf("notes %q do not say the degree counts", p.Notes)
	}
	c := step(t, p, "stp").Competition
	if c == nil || c.Year != 2023 || c.RatioPerPost != 25.8 {
		t.Errorf("STP competition %+v, want a ratio of 25.8 in 2023", c)
	}
	gc := f.Specialism("genomic-counselling")
	if !strings.Contains(gc.Registration, "GCRAB") || !strings.Contains(gc.Registration, "Academy for Healthcare Science") || strings.Contains(gc.Registration, "Registration Board (GCRAB)") {
		t.Errorf("genomic counselling registration %q does not name the GCRAB register on the AHCS", gc.Registration)
	}
}

// §5: reconstructive science's STP needs GDC registration as a dental
// technician.
func TestPlannerReconstructiveScienceNeedsGDC(t *testing.T) {
	f := testkit.Framework(t)
	for _, spec := range []string{"reconstructive-science", "maxillofacial-prosthetics"} {
		p := plan(t, f, "science-degree-21", "", spec, "clinical-scientist")
		for _, r := range p.Routes {
			if !strings.Contains(routeIDs(r), "dental-technology") {
				t.Errorf("%s: route %q reaches the STP without GDC registration", spec, routeIDs(r))
			}
		}
		st := step(t, p, "stp")
		if len(st.AlsoRequires) != 1 || st.AlsoRequires[0].ID != "gdc-dental-technician" {
			t.Errorf("%s: the STP step does not say it needs GDC registration: %v", spec, st.AlsoRequires)
		}
		if c := st.Competition; c == nil || c.RatioPerPost != 2.8 {
			t.Errorf("%s: STP competition %+v, want a ratio of 2.8", spec, c)
		}
	}
}

// §4: biomedical scientists train through an IBMS-accredited degree and
// the registration portfolio, or the level 6 degree apprenticeship; both
// lead to HCPC registration, and both need a job in a laboratory.
func TestPlannerBiomedicalScientistRoutes(t *testing.T) {
	f := testkit.Framework(t)
	p := plan(t, f, "a-levels-science", "", "haematology-and-transfusion-science", "practitioner")
	for _, id := range []string{"ibms-registration-portfolio", "apprenticeship-biomedical-scientist"} {
		st := step(t, p, id)
		if !st.NeedsJob || st.HasJob {
			t.Errorf("%s: needs_job %v has_job %v, want a job needed and not held", id, st.NeedsJob, st.HasJob)
		}
		if !strings.Contains(st.Programme.Registration, "HCPC as a biomedical scientist") {
			t.Errorf("%s: registration %q", id, st.Programme.Registration)
		}
	}
	// Physiological sciences have no biomedical scientists.
	if p := plan(t, f, "a-levels-science", "", "audiology", "practitioner"); usesProgramme(p, "ibms-registration-portfolio") || usesProgramme(p, "apprenticeship-biomedical-scientist") {
		t.Errorf("audiology offered a biomedical scientist route: %v", allRoutes(p))
	}
}

// §6.2: the in-service STP is for people already working in the
// specialism; the level 7 apprenticeship needs a job too.
func TestPlannerInServiceAndJobs(t *testing.T) {
	f := testkit.Framework(t)
	p := plan(t, f, "registered-practitioner", "audiology", "audiology", "clinical-scientist")
	if st := step(t, p, "stp-in-service"); !st.NeedsJob || !st.HasJob {
		t.Errorf("in-service STP for someone in the department: needs_job %v has_job %v", st.NeedsJob, st.HasJob)
	}
	if st := step(t, p, "stp"); st.Competition == nil || st.Competition.RatioPerPost != 3.9 {
		t.Errorf("direct-entry STP competition %+v, want audiology's 3.9", st.Competition)
	}
	// Someone without a job in the specialism is not offered the
	// in-service route, and is told the apprenticeship needs a job.
	for _, from := range [][2]string{{"science-degree-21", ""}, {"registered-practitioner", "cardiac-science"}} {
		p := plan(t, f, from[0], from[1], "audiology", "clinical-scientist")
		if usesProgramme(p, "stp-in-service") {
			t.Errorf("from %v: in-service STP offered without a job in audiology", from)
		}
		if st := step(t, p, "apprenticeship-level-7"); !st.NeedsJob || st.HasJob {
			t.Errorf("from %v: L7 apprenticeship needs_job %v has_job %v", from, st.NeedsJob, st.HasJob)
		}
	}
	// The in-service STP does not take part in the national competition.
	if st := step(t, p, "stp-in-service"); st.Competition != nil {
		t.Errorf("in-service STP shows direct-entry competition %+v", st.Competition)
	}
}

func TestPlanPathwayRejectsUnknownInput(t *testing.T) {
	f := testkit.Framework(t)
	for _, tc := range []struct{ from, fromSpec, spec, level, field string }{
		{"moon", "", "genomics", "practitioner", "from"},
		{"gcses", "", "astrology", "practitioner", "specialism"},
		{"gcses", "", "genomics", "wizard", "level"},
		{"registered-clinical-scientist", "", "genomics", "consultant", "from_specialism"},
		{"registered-clinical-scientist", "alchemy", "genomics", "consultant", "from_specialism"},
	} {
		_, err := explore.PlanPathway(f, explore.PlanRequest{From: tc.from, FromSpecialism: tc.fromSpec, Specialism: tc.spec, Level: tc.level})
		if apperr.Code(err) != apperr.Invalid || apperr.Field(err) != tc.field {
			t.Errorf("PlanPathway(%+v) = %v, want invalid %s", tc, err, tc.field)
		}
	}
}

// Every starting point reaches every level that exists in every specialism,
// from its own specialism or another, unless it is already there: the data
// has no dead ends. The one exception is consultant level where there is
// no HSST, which only equivalence reaches.
func TestEveryStartReachesEveryLevel(t *testing.T) {
	f := testkit.Framework(t)
	for _, sp := range f.StartingPoints {
		for _, s := range f.Specialisms {
			fromSpecs := []string{""}
			if sp.InSpecialism {
				fromSpecs = []string{s.ID, "cardiac-science"}
			}
			for _, fs := range fromSpecs {
				for _, lv := range s.Levels {
					p := plan(t, f, sp.ID, fs, s.ID, lv.ID)
					if p.Status == explore.PlanNoRoute && !(lv.ID == "consultant" && s.HSST == framework.HSSTNone) {
						t.Errorf("no route from %s (%s) to %s in %s", sp.ID, fs, lv.ID, s.ID)
					}
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
	for _, key := range []string{"summary", "levels", "bands", "entry", "competition", "hsst", "patients", "settings", "registration"} {
		if _, ok := rows[key]; !ok {
			t.Errorf("no %s row", key)
		}
	}
	if !rows["patients"].Differs || !rows["area"].Differs {
		t.Error("audiology and genomics differ in patients and area, but the rows are not marked")
	}
	// Audiology had 3.9 applications per STP post in 2023, genomics 17.2.
	if got := rows["competition"].Values; got[0] != "a published ratio of 3.9 per post in 2023" || got[1] != "a published ratio of 17.2 per post in 2023" {
		t.Errorf("competition row %q", got)
	}
	if !strings.Contains(rows["bands"].Values[0], "£") {
		t.Errorf("pay row %q has no pounds", rows["bands"].Values[0])
	}
	// Rows the roles share are told once, not shown side by side.
	for _, r := range c.Differ() {
		if !r.Differs {
			t.Errorf("row %s is the same for both but shown side by side", r.Key)
		}
	}
	for _, r := range c.Same() {
		if r.Differs {
			t.Errorf("row %s differs but is listed as the same", r.Key)
		}
	}
	if len(c.Same())+len(c.Differ()) != len(c.Rows) {
		t.Error("Same and Differ do not split the rows")
	}
	one, _ := explore.Compare(f, []string{"audiology"})
	if len(one.Same()) != 0 || len(one.Differ()) != len(one.Rows) {
		t.Error("one role: every row should be shown")
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

// Reasons name what sets each role apart from the typical one, so the top
// matches for a varied set of answers do not all give the same reasons
// (roles whose interests the data rates alike, such as most physiological
// sciences, still share theirs).
func TestQuizReasonsDifferBetweenRoles(t *testing.T) {
	f := testkit.Framework(t)
	values := make([]int, len(f.Quiz.Items))
	for i := range values {
		values[i] = []int{5, 4, 2, 5, 1, 3, 4}[i%7]
	}
	answers, err := explore.ParseQuizCode(f.Quiz, code(values...))
	if err != nil {
		t.Fatal(err)
	}
	res := explore.ScoreQuiz(f, answers)
	sets := map[string]bool{}
	for _, m := range res.Matches[:10] {
		var items []string
		for _, d := range m.Drivers {
			items = append(items, fmt.Sprint(d.Item))
			if !strings.Contains(strings.ToLower(d.Reason), strings.ToLower(m.Specialism.Name)) {
				t.Errorf("%s: reason %q does not name the role", m.Specialism.ID, d.Reason)
			}
		}
		sets[strings.Join(items, ",")] = true
	}
	if len(sets) < 3 {
		t.Errorf("the top 10 matches share their reasons: %d distinct sets", len(sets))
	}
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
