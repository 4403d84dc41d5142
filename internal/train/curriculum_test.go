package train_test

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"hcs/data"
	"hcs/internal/testkit"
	"hcs/internal/train"
)

func curricula(t *testing.T) *train.Curricula {
	t.Helper()
	sub, err := fs.Sub(data.Curricula, "curricula")
	if err != nil {
		t.Fatal(err)
	}
	c, err := train.Load(sub, testkit.Framework(t))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestEmbeddedCurriculaAreValid(t *testing.T) {
	c := curricula(t)
	for _, id := range []string{"stp-2023", "hsst", "ptp"} {
		if c.Curriculum(id) == nil {
			t.Errorf("no curriculum %q", id)
		}
	}
	if cu := c.InForce("stp", "audiology", "2024-09-02"); cu == nil || cu.ID != "stp-2023" {
		t.Errorf("an audiology STP trainee starting in 2024 follows %v, want stp-2023", cu)
	}
	if cu := c.InForce("stp", "audiology", "2022-09-05"); cu != nil {
		t.Errorf("a 2022 STP starter follows %s; the data holds no curriculum for them", cu.ID)
	}
	if cu := c.InForce("hsst", "clinical-biochemistry", "2020-01-01"); cu == nil || cu.ID != "hsst" {
		t.Errorf("an HSST trainee follows %v, want hsst (undated, so in force for every start)", cu)
	}
	// No competency is invented: every module the references do not
	// describe is an outline that says what to fill.
	for _, cu := range c.List {
		for _, m := range cu.Modules {
			if m.Status != train.StatusOutline || m.ToFill == "" || len(m.Competencies) > 0 {
				t.Errorf("%s %s: status %s with %d competencies; the references hold none, so it must be an outline saying what to fill", cu.ID, m.Code, m.Status, len(m.Competencies))
			}
		}
	}
}

func TestValidationNamesEveryProblem(t *testing.T) {
	bad := `
id: broken
programme: no-such-programme
name: Broken
version: "1"
in_force_from: 2023-13-01
specialisms: [audiology, no-such-specialism]
all_specialisms: true
sources: [{source: no-such-source}]
modules:
  - {code: A, title: A, kind: core, status: outline, competencies: [{code: A1, title: x}], sources: [{source: seed}]}
  - {code: A, kind: wizardry, status: complete, sources: [{source: seed}]}
  - {code: B, title: B, kind: rotation, status: draft, to_fill: x, assessments: {cbd: -1}, sources: []}
reviews:
  - id: r1
    title: R1
    due_month: 0
    rule:
      all:
        - {module: Z, percent: 50}
        - {phase: 9, percent: 100}
        - {overall: true, percent: 0}
        - {meeting: m, percent: 10}
        - {module: A, meeting: m, percent: 10}
    sources: [{source: seed}]
  - {id: r1, title: again, due_month: 3, sources: [{source: seed}]}
`
	fsys := fstest.MapFS{"broken.yaml": {Data: []byte(bad)}}
	_, err := train.Load(fsys, testkit.Framework(t))
	ve, ok := err.(*train.ValidationError)
	if !ok {
		t.Fatalf("got %v, want a ValidationError", err)
	}
	want := []string{
		`programme "no-such-programme" is not a programme of the framework`,
		`in_force_from "2023-13-01" is not a date`,
		`specialism "no-such-specialism" is not in the framework`,
		`either all_specialisms or a list of specialisms, not both`,
		`source "no-such-source" is not in the framework's sources.yaml`,
		`module 1 (A): an outline has no competencies`,
		`module 1 (A): an outline says in to_fill`,
		`module 2 (A): module code "A" is used twice`,
		`module 2 (A): kind "wizardry"`,
		`module 2 (A): a complete module has a title and its competencies`,
		`module 3 (B): status "draft"`,
		`module 3 (B): assessment counts are 0 or more`,
		`module 3 (B): cite at least one source`,
		`review 1 (r1): due_month`,
		`review 1 (r1): rule: module "Z" is not in this curriculum`,
		`review 1 (r1): rule: no module every trainee takes is in phase 9`,
		`review 1 (r1): rule: percent 0`,
		`review 1 (r1): rule: percent applies to module, phase or overall`,
		`review 1 (r1): rule: each requirement is exactly one of`,
		`review 2 (r1): review id "r1" is used twice`,
		`review 2 (r1): a review has a rule, or the outcomes`,
		`completion (the rule for completing the programme) is required`,
	}
	got := ve.Error()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("no problem saying %q in:\n%s", w, got)
		}
	}
	for _, p := range ve.Problems {
		if p.File != "broken.yaml" {
			t.Errorf("problem %q names file %q", p.Message, p.File)
		}
	}

	for name, c := range map[string]struct{ yaml, want string }{
		"unknown field":                  {"id: x\nwhat: 1\n", "field what not found"},
		"second document":                {"id: x\n---\nid: y\n", "one curriculum per file"},
		"empty module":                   {"id: x\nmodules: [~]\n", "module 1 is empty"},
		"empty competency":               {"id: x\nmodules: [{code: A, competencies: [~]}]\n", "competency 1 is empty"},
		"empty requirement":              {"id: x\ncompletion: {all: [~]}\n", "an empty requirement in all or any"},
		"optional-only phase":            {"id: x\nmodules: [{code: E, phase: 3, optional: true}]\ncompletion: {phase: 3, percent: 50}\n", "no module every trainee takes is in phase 3"},
		"review without a meeting":       {"id: x\nreviews: [{id: r, title: R, due_month: 6, rule: {record: y}}]\n", "meeting names the meeting that recording the review holds"},
		"two reviews, one meeting":       {"id: x\nreviews: [{id: r, title: R, due_month: 6, meeting: m, rule: {record: y}}, {id: s, title: S, due_month: 9, meeting: m, rule: {record: y}}]\n", `meeting "m" is held by two reviews`},
		"a meeting no review holds":      {"id: x\nreviews: [{id: r, title: R, due_month: 6, meeting: m, rule: {meeting: other}}]\n", `meeting "other" is not held by any review`},
		"repeat without its end":         {"id: x\nreviews: [{id: r, title: R, due_month: 24, every_months: 12, meeting: m, rule: {record: y}}]\n", "a repeated review gives every_months and a last_month"},
		"repeat ending before it starts": {"id: x\nreviews: [{id: r, title: R, due_month: 24, every_months: 12, last_month: 12, meeting: m, rule: {record: y}}]\n", "a repeated review gives every_months and a last_month"},
	} {
		_, err := train.Load(fstest.MapFS{"x.yaml": {Data: []byte(c.yaml)}}, testkit.Framework(t))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want a problem saying %q", name, err, c.want)
		}
	}
}

// filled is a copy of a curriculum whose outline modules have n
// competencies each (as they will once the data is filled), so that its
// rules can be measured.
func filled(cu *train.Curriculum, n map[string]int) *train.Curriculum {
	c := *cu
	c.Modules = nil
	for _, m := range cu.Modules {
		m2 := *m
		m2.Status, m2.Competencies = train.StatusComplete, nil
		for i := range n[m.Code] {
			m2.Competencies = append(m2.Competencies, &train.Competency{Code: fmt.Sprint(i + 1), Title: "competency"})
		}
		c.Modules = append(c.Modules, &m2)
	}
	return &c
}

func review(t *testing.T, cu *train.Curriculum, id string) *train.Requirement {
	t.Helper()
	for _, r := range cu.Reviews {
		if r.ID == id {
			return r.Rule
		}
	}
	t.Fatalf("%s has no review %q", cu.ID, id)
	return nil
}

type ruleCase struct {
	name     string
	progress train.Progress
	met      bool
	missing  string // part of a missing requirement's words, when not met
}

func checkRule(t *testing.T, cu *train.Curriculum, rule *train.Requirement, cases []ruleCase) {
	t.Helper()
	for _, c := range cases {
		res := cu.Check(rule, c.progress)
		if res.Met != c.met {
			t.Errorf("%s: met %v, want %v (missing %q)", c.name, res.Met, c.met, res.Missing)
			continue
		}
		if !c.met && !strings.Contains(strings.Join(res.Missing, " | "), c.missing) {
			t.Errorf("%s: missing %q, want it to say %q", c.name, res.Missing, c.missing)
		}
		if c.met && len(res.Missing) > 0 {
			t.Errorf("%s: met, yet missing %q", c.name, res.Missing)
		}
	}
}

func signed(kv ...any) map[string]int {
	m := map[string]int{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1].(int)
	}
	return m
}

func set(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

// Competency counts for the STP's outline modules in these tests: S-C1
// has 10 (so 50% is 5), rotations 8, specialist 10, S-C2 4, and the
// rest 6; the non-optional total is 10+4+8+10+6+6 = 44.
var stpCounts = map[string]int{"S-C1": 10, "S-C2": 4, "ROTATIONS": 8, "SPECIALIST": 10, "INTRO": 6, "IPD": 6, "ELECTIVE": 5}

func TestSTPSixMonthCheckIn(t *testing.T) {
	cu := filled(curricula(t).Curriculum("stp-2023"), stpCounts)
	checkRule(t, cu, review(t, cu, "six-month-check-in"), []ruleCase{
		{"not held", train.Progress{}, false, "six-month check-in meeting has not been held"},
		{"held", train.Progress{Meetings: set("six-month check-in")}, true, ""},
	})
}

func TestSTPEndOfYear1(t *testing.T) {
	cu := filled(curricula(t).Curriculum("stp-2023"), stpCounts)
	meeting := set("end-of-year-1 review")
	checkRule(t, cu, review(t, cu, "end-of-year-1"), []ruleCase{
		{"rotations 7 of 8", train.Progress{SignedOff: signed("ROTATIONS", 7), Meetings: meeting}, false, "87% of the Phase 1 modules signed off (7 of 8 competencies; 100% needed)"},
		{"rotations 8 of 8", train.Progress{SignedOff: signed("ROTATIONS", 8), Meetings: meeting}, true, ""},
		{"more sign-offs than competencies count as all", train.Progress{SignedOff: signed("ROTATIONS", 9), Meetings: meeting}, true, ""},
		{"no meeting", train.Progress{SignedOff: signed("ROTATIONS", 8)}, false, "end-of-year-1 review meeting has not been held"},
	})
}

func TestSTPEndOfYear2(t *testing.T) {
	cu := filled(curricula(t).Curriculum("stp-2023"), stpCounts)
	rule := review(t, cu, "end-of-year-2")
	meeting := set("end-of-year-2 review")
	// Route 1: 100% of Phase 2 (SPECIALIST, 10).
	// Route 2: 60% overall (of 44: 26.4, so 27) and 100% of S-C2 (4).
	checkRule(t, cu, rule, []ruleCase{
		// S-C1's 50% edge, with Phase 2 complete.
		{"S-C1 4 of 10", train.Progress{SignedOff: signed("S-C1", 4, "SPECIALIST", 10), Meetings: meeting}, false, "40% of module S-C1 signed off (4 of 10 competencies; 50% needed)"},
		{"S-C1 5 of 10", train.Progress{SignedOff: signed("S-C1", 5, "SPECIALIST", 10), Meetings: meeting}, true, ""},
		{"S-C1 6 of 10", train.Progress{SignedOff: signed("S-C1", 6, "SPECIALIST", 10), Meetings: meeting}, true, ""},
		{"no review meeting", train.Progress{SignedOff: signed("S-C1", 5, "SPECIALIST", 10)}, false, "end-of-year-2 review meeting has not been held"},
		// Phase 2's 100% edge, with nothing for route 2.
		{"Phase 2 9 of 10", train.Progress{SignedOff: signed("S-C1", 5, "SPECIALIST", 9), Meetings: meeting}, false, "one of: 90% of the Phase 2 modules signed off"},
		// Route 2: S-C2 complete and overall at 26, 27, 28 of 44.
		{"overall 26 of 44", train.Progress{SignedOff: signed("S-C1", 10, "S-C2", 4, "ROTATIONS", 8, "SPECIALIST", 4), Meetings: meeting}, false, "59% of the whole curriculum signed off (26 of 44 competencies; 60% needed)"},
		{"overall 27 of 44", train.Progress{SignedOff: signed("S-C1", 10, "S-C2", 4, "ROTATIONS", 8, "SPECIALIST", 5), Meetings: meeting}, true, ""},
		{"overall 28 of 44", train.Progress{SignedOff: signed("S-C1", 10, "S-C2", 4, "ROTATIONS", 8, "SPECIALIST", 6), Meetings: meeting}, true, ""},
		// The elective is optional: its sign-offs do not count overall.
		{"elective does not count", train.Progress{SignedOff: signed("S-C1", 10, "S-C2", 4, "ROTATIONS", 8, "SPECIALIST", 4, "ELECTIVE", 5), Meetings: meeting}, false, "26 of 44"},
		// S-C2's 100% edge with 60% overall.
		{"S-C2 3 of 4", train.Progress{SignedOff: signed("S-C1", 10, "S-C2", 3, "ROTATIONS", 8, "SPECIALIST", 6, "INTRO", 6), Meetings: meeting}, false, "75% of module S-C2 signed off (3 of 4 competencies; 100% needed)"},
	})
}

func TestSTPCompletion(t *testing.T) {
	cu := filled(curricula(t).Curriculum("stp-2023"), stpCounts)
	all := signed("S-C1", 10, "S-C2", 4, "ROTATIONS", 8, "SPECIALIST", 10, "INTRO", 6, "IPD", 6)
	almost := signed("S-C1", 10, "S-C2", 4, "ROTATIONS", 8, "SPECIALIST", 10, "INTRO", 6, "IPD", 5)
	records := set("STP Final Year Assessment passed", "MSc Clinical Science awarded")
	checkRule(t, cu, cu.Completion, []ruleCase{
		{"43 of 44", train.Progress{SignedOff: almost, Records: records}, false, "97% of the whole curriculum signed off (43 of 44 competencies; 100% needed)"},
		{"44 of 44", train.Progress{SignedOff: all, Records: records}, true, ""},
		{"no final assessment", train.Progress{SignedOff: all, Records: set("MSc Clinical Science awarded")}, false, "STP Final Year Assessment passed is not on the record"},
		{"no MSc", train.Progress{SignedOff: all, Records: set("STP Final Year Assessment passed")}, false, "MSc Clinical Science awarded is not on the record"},
	})
}

func TestHSSTAndPTPCompletion(t *testing.T) {
	c := curricula(t)
	hsst := c.Curriculum("hsst")
	degree := "Doctorate in Clinical Science awarded, or FRCPath in a life-science specialism"
	checkRule(t, hsst, hsst.Completion, []ruleCase{
		{"doctorate or FRCPath recorded", train.Progress{Records: set(degree)}, true, ""},
		{"nothing recorded", train.Progress{}, false, degree + " is not on the record"},
	})
	if res := hsst.Check(hsst.Reviews[0].Rule, train.Progress{}); res.Met || len(res.Missing) != 1 {
		t.Errorf("checking the annual review, which has outcomes and no rule: %+v", res)
	}
	if r := hsst.Reviews[0]; len(r.Outcomes) != 5 || r.Outcomes[0].Title != "Satisfactory progress" {
		t.Errorf("HSST annual review outcomes %+v, want the five outcome statements", r.Outcomes)
	}
	if m := hsst.Reviews[0].Months(); !slices.Equal(m, []int{24, 36, 48, 60, 72}) {
		t.Errorf("HSST annual review months %v, want every year from year 2 to year 6", m)
	}
	ptp := c.Curriculum("ptp")
	checkRule(t, ptp, ptp.Completion, []ruleCase{
		{"both", train.Progress{Records: set("50 weeks of work-based training completed", "BSc (Hons) Healthcare Science awarded")}, true, ""},
		{"no degree", train.Progress{Records: set("50 weeks of work-based training completed")}, false, "BSc (Hons) Healthcare Science awarded is not on the record"},
	})
}

// A rule over an outline module cannot be measured, and says so rather
// than passing or failing on made-up numbers, until the module is signed
// off as a whole; then it counts as done.
func TestOutlineModulesAreNotMeasured(t *testing.T) {
	cu := curricula(t).Curriculum("stp-2023")
	rule := review(t, cu, "end-of-year-1")
	res := cu.Check(rule, train.Progress{Meetings: set("end-of-year-1 review")})
	if res.Met || !strings.Contains(strings.Join(res.Missing, ""), "the Phase 1 modules: module ROTATIONS is not signed off yet") {
		t.Errorf("got %+v", res)
	}
	res = cu.Check(rule, train.Progress{Meetings: set("end-of-year-1 review"), Modules: set("ROTATIONS")})
	if !res.Met {
		t.Errorf("ROTATIONS signed off as a whole: got %+v, want met", res)
	}
	// 60% overall, with 4 of the 6 required outline modules signed off as
	// a whole, is measured only once every one is signed off or filled.
	res = cu.Check(&train.Requirement{Overall: true, Percent: 60}, train.Progress{Modules: set("INTRO", "S-C1", "S-C2", "ROTATIONS")})
	if res.Met || !strings.Contains(strings.Join(res.Missing, ""), "the whole curriculum: module SPECIALIST is not signed off yet") {
		t.Errorf("overall with outlines left: got %+v", res)
	}
	res = cu.Check(&train.Requirement{Overall: true, Percent: 100}, train.Progress{Modules: set("INTRO", "S-C1", "S-C2", "ROTATIONS", "SPECIALIST", "IPD")})
	if !res.Met {
		t.Errorf("every required module signed off: got %+v, want met (the optional elective is not needed)", res)
	}
}

// Every review with a rule, and every completion rule, in the data has
// its test above; a new one needs its own.
func TestEveryRuleInTheDataIsTested(t *testing.T) {
	tested := map[string]bool{
		"stp-2023 six-month-check-in": true, "stp-2023 end-of-year-1": true, "stp-2023 end-of-year-2": true,
		"stp-2023 completion": true, "hsst completion": true, "ptp completion": true,
	}
	for _, cu := range curricula(t).List {
		rules := []string{cu.ID + " completion"}
		for _, r := range cu.Reviews {
			if r.Rule != nil {
				rules = append(rules, cu.ID+" "+r.ID)
			}
		}
		for _, r := range rules {
			if !tested[r] {
				t.Errorf("rule %q has no test of its edges", r)
			}
		}
	}
}
