package recruit_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/recruit"
)

func mark(t *testing.T, s string) recruit.TestMark {
	t.Helper()
	m, err := recruit.ParseTestMark(s)
	if err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return m
}

func TestParseTestMark(t *testing.T) {
	for in, want := range map[string]recruit.TestMark{"0": 0, "62": 6200, "62.5": 6250, "61.25": 6125, "1000": 100000, "007.1": 710} {
		if got, err := recruit.ParseTestMark(in); err != nil || got != want {
			t.Errorf("%q: %d, %v; want %d", in, got, err, want)
		}
		if want.String() != strings.TrimLeft(strings.TrimRight(strings.TrimRight(in, "0"), "."), "0") && in != "0" && in != "1000" && in != "62" {
			t.Errorf("%d written as %s", want, want)
		}
	}
	for _, in := range []string{"", "-1", "1000.01", "62.", ".5", "62.555", "6e1", "62,5", " 62", "10000"} {
		if _, err := recruit.ParseTestMark(in); err == nil {
			t.Errorf("%q was read as a score", in)
		}
	}
	if s := recruit.TestMark(100000).String(); s != "1000" {
		t.Errorf("1000 written as %s", s)
	}
}

// TestLonglistThreshold: a score exactly at the threshold goes on, one
// hundredth below does not; no score does not; withdrawn applications
// have no outcome.
func TestLonglistThreshold(t *testing.T) {
	r := testRound()
	r.Test = recruit.TestRule{Rule: recruit.TestRuleThreshold, Threshold: mark(t, "60")}
	withdrawn := time.Now()
	apps := []recruit.Application{{ID: 1, Specialism: "audiology"}, {ID: 2, Specialism: "audiology"}, {ID: 3, Specialism: "genomics"},
		{ID: 4, Specialism: "genomics"}, {ID: 5, Specialism: "genomics", WithdrawnAt: &withdrawn}, {ID: 6, Specialism: "genomics"}}
	scores := []recruit.TestScore{{ApplicationID: 1, Score: mark(t, "60")}, {ApplicationID: 2, Score: mark(t, "59.99")},
		{ApplicationID: 3, Score: mark(t, "99")}, {ApplicationID: 5, Score: mark(t, "99")}, {ApplicationID: 6, Score: mark(t, "70")}}
	out := recruit.Longlist(r, apps, scores)
	want := map[int64]bool{1: true, 2: false, 3: true, 4: false, 6: true}
	if len(out) != len(want) {
		t.Errorf("%d outcomes, want %d (the withdrawn application has none): %+v", len(out), len(want), out)
	}
	for id, goes := range want {
		o := out[id]
		if o.GoesOn != goes {
			t.Errorf("application %d: goes on %v, want %v (%s)", id, o.GoesOn, goes, o.Reason)
		}
		if o.Cut == nil || *o.Cut != mark(t, "60") {
			t.Errorf("application %d: cut %v, want the threshold 60", id, o.Cut)
		}
	}
	if !strings.Contains(out[2].Reason, "59.99 was below the threshold of 60") || !strings.Contains(out[1].Reason, "60 reached the threshold of 60") {
		t.Errorf("reasons: %q; %q", out[1].Reason, out[2].Reason)
	}
	if out[4].Score != nil || !strings.Contains(out[4].Reason, "no online test score") {
		t.Errorf("the unscored application: %+v", out[4])
	}
}

// TestLonglistTop: the best N scores of each specialism go on, with
// everyone tied with the Nth; a specialism with fewer scores than N sends
// all of them on.
func TestLonglistTop(t *testing.T) {
	r := testRound()
	r.Test = recruit.TestRule{Rule: recruit.TestRuleTop, Top: 2}
	var apps []recruit.Application
	var scores []recruit.TestScore
	add := func(id int64, sp, score string) {
		apps = append(apps, recruit.Application{ID: id, Specialism: sp})
		if score != "" {
			scores = append(scores, recruit.TestScore{ApplicationID: id, Score: mark(t, score)})
		}
	}
	add(1, "audiology", "80")
	add(2, "audiology", "70")
	add(3, "audiology", "70") // ties with the second best: goes on
	add(4, "audiology", "69.99")
	add(5, "audiology", "")
	add(6, "genomics", "10") // the only score in genomics
	add(7, "genomics", "")
	add(8, "cardiac-science", "30")
	add(9, "cardiac-science", "50")
	add(10, "cardiac-science", "40") // the second best: the cut
	add(11, "cardiac-science", "90") // withdrawn: takes no place
	left := time.Now()
	apps[len(apps)-1].WithdrawnAt = &left
	out := recruit.Longlist(r, apps, scores)
	if _, ok := out[11]; ok {
		t.Errorf("the withdrawn application has an outcome: %+v", out[11])
	}
	want := map[int64]bool{1: true, 2: true, 3: true, 4: false, 5: false, 6: true, 7: false, 8: false, 9: true, 10: true}
	for id, goes := range want {
		if out[id].GoesOn != goes {
			t.Errorf("application %d: goes on %v, want %v (%s)", id, out[id].GoesOn, goes, out[id].Reason)
		}
	}
	if c := out[4].Cut; c == nil || *c != mark(t, "70") {
		t.Errorf("audiology's cut is %v, want 70", c)
	}
	if c := out[8].Cut; c == nil || *c != mark(t, "40") {
		t.Errorf("cardiac science's cut is %v, want 40", c)
	}
	if c := out[7].Cut; c == nil || *c != mark(t, "10") {
		t.Errorf("genomics' cut is %v, want 10", c)
	}
	if !strings.Contains(out[3].Reason, "Your score of 70 was among the 2 best scores (with any that tie with the last) in your specialism") {
		t.Errorf("reason at the cut: %q", out[3].Reason)
	}
	if !strings.Contains(out[4].Reason, "below 70, the lowest of the 2 best scores (with any that tie with the last) in your specialism") {
		t.Errorf("reason: %q", out[4].Reason)
	}
	// Raising N past the specialism's scores sends every score on.
	r.Test.Top = 10
	if out := recruit.Longlist(r, apps, scores); !out[4].GoesOn || out[5].GoesOn {
		t.Errorf("top 10: %+v", out)
	}
}

func TestTestRuleValidate(t *testing.T) {
	for _, bad := range []recruit.TestRule{{Rule: "sometimes"}, {Rule: "top"}, {Rule: "top", Top: 10001}, {Rule: "threshold", Top: 3},
		{Rule: "threshold", Threshold: -1}, {Rule: "threshold", Threshold: 100001}, {Rule: "", Top: 5}, {Rule: "top", Top: 5, Threshold: 1}} {
		if err := bad.Validate(); apperr.Code(err) != apperr.Invalid {
			t.Errorf("%+v: %v, want invalid", bad, err)
		}
	}
	for _, good := range []recruit.TestRule{{}, {Rule: "threshold"}, {Rule: "threshold", Threshold: 100000}, {Rule: "top", Top: 1}, {Rule: "top", Top: recruit.MaxTestTop}} {
		if err := good.Validate(); err != nil {
			t.Errorf("%+v: %v", good, err)
		}
	}
}

// TestParseTestScores: every fault names its line and column.
func TestParseTestScores(t *testing.T) {
	rows, err := recruit.ParseTestScores(strings.NewReader("\ufeffScore,applicant_reference,taken_on\r\n61.5,APP-000001,2027-02-01\r\n\r\n,, \r\n70,app-000002,2027-02-10\r\n"))
	if err != nil || len(rows) != 2 || rows[0].ApplicationID != 1 || rows[0].Score != 6150 || rows[1].ApplicationID != 2 || rows[1].Line != 5 ||
		!rows[1].TakenOn.Equal(day("2027-02-10")) {
		t.Fatalf("rows %+v, %v", rows, err)
	}
	for _, tc := range []struct{ file, says string }{
		{"", "line 1: the file is empty"},
		{"applicant_reference,score\n", "line 1: the header has no taken_on column"},
		{"applicant_reference,score,taken_on,name\n", `line 1: the column "name" is not one of`},
		{"applicant_reference,score,score,taken_on\n", "line 1: the column score is given twice"},
		{"applicant_reference,score,taken_on\nAPP-000001,61,2027-02-01\nAPP-000002,6x,2027-02-01\n", `line 3, column score: "6x" is not a score`},
		{"applicant_reference,score,taken_on\nAPP-000001,1000.5,2027-02-01\n", `line 2, column score: "1000.5" is not a score`},
		{"applicant_reference,score,taken_on\nA-1,61,2027-02-01\n", `line 2, column applicant_reference: "A-1" is not an application reference`},
		{"applicant_reference,score,taken_on\nAPP-000001,61,01/02/2027\n", `line 2, column taken_on: "01/02/2027" is not a date`},
		{"applicant_reference,score,taken_on\nAPP-000001,61,2027-02-01\nAPP-000002,62,2027-02-01\nAPP-000001,63,2027-02-01\n", "line 4, column applicant_reference: APP-000001 is also on line 2"},
		{"applicant_reference,score,taken_on\nAPP-000001,61\n", "line 2: 2 values where the header has 3 columns"},
		{"applicant_reference,score,taken_on\nAPP-000001,\"61,2027-02-01\nAPP-000002,62,2027-02-01\n", "line 2: a quoted value that starts on this line is not closed"},
		{"applicant_reference,score,taken_on,\n", "line 1: column 4 of the header has no name"},
		{"\ufeff\"applicant_reference\",\"score\",\"taken_on\"\nAPP-000001,x,2027-02-01\n", `line 2, column score: "x" is not a score`},
		{"applicant_reference,score,taken_on\nAPP-000001," + strings.Repeat("9", 5000) + ",2027-02-01\n", `"9999999999999999999999999999999999999999"… is not a score`},
		// A value is quoted whole up to 40 characters and cut after.
		{"applicant_reference,score,taken_on\n" + strings.Repeat("x", 40) + ",61,2027-02-01\n", `line 2, column applicant_reference: "` + strings.Repeat("x", 40) + `" is not`},
		{"applicant_reference,score,taken_on\n" + strings.Repeat("x", 41) + ",61,2027-02-01\n", `line 2, column applicant_reference: "` + strings.Repeat("x", 40) + `"… is not`},
		// A CSV fault other than an open quote names its character.
		{"applicant_reference,score,taken_on\nAPP-000001,6\"1,2027-02-01\n", `line 2: not valid CSV at character 13 of line 2`},
		{"applicant_reference,score,taken_on\n\"APP-\n000001\",6\"1,2027-02-01\n", `line 2: not valid CSV at character 10 of line 3`},
	} {
		rows, err := recruit.ParseTestScores(strings.NewReader(tc.file))
		if apperr.Code(err) != apperr.Invalid || !strings.Contains(err.Error(), tc.says) || rows != nil {
			t.Errorf("%q: %v (%d rows); want invalid saying %q and no rows", tc.file, err, len(rows), tc.says)
		}
	}
}

// TestPlanTestImport: unknown applications are refused; a row equal to
// the stored one changes nothing; a changed score or date is a correction,
// refused unless confirmed.
func TestPlanTestImport(t *testing.T) {
	r := testRound()
	apps := []recruit.Application{{ID: 1}, {ID: 2}, {ID: 3}}
	taken := day("2027-02-01")
	existing := []recruit.TestScore{{ApplicationID: 1, Score: 6000, TakenOn: taken}, {ApplicationID: 2, Score: 7000, TakenOn: taken}}
	row := func(line int, id int64, score recruit.TestMark, on time.Time) recruit.TestScoreRow {
		return recruit.TestScoreRow{Line: line, Reference: recruit.Reference(id), ApplicationID: id, Score: score, TakenOn: on}
	}
	now := day("2027-02-10")
	plan, err := recruit.PlanTestImport(r, apps, existing, []recruit.TestScoreRow{row(2, 1, 6000, taken), row(3, 2, 7000, taken), row(4, 3, 5000, taken)}, false, now)
	if err != nil || plan.AddedCount != 1 || plan.CorrectedCount != 0 || plan.Unchanged != 2 {
		t.Fatalf("plan %+v, %v", plan, err)
	}
	left := time.Now()
	_, err = recruit.PlanTestImport(r, append(apps, recruit.Application{ID: 4, WithdrawnAt: &left}), existing, []recruit.TestScoreRow{row(5, 4, 6000, taken)}, true, now)
	if apperr.Code(err) != apperr.Invalid || !strings.Contains(err.Error(), "line 5, column applicant_reference: APP-000004 has left STP 2027") {
		t.Errorf("a withdrawn application: %v", err)
	}
	_, err = recruit.PlanTestImport(r, apps, existing, []recruit.TestScoreRow{row(2, 9, 6000, taken)}, true, now)
	if apperr.Code(err) != apperr.Invalid || !strings.Contains(err.Error(), "line 2, column applicant_reference: APP-000009 is not an application in STP 2027") {
		t.Errorf("an unknown application: %v", err)
	}
	changed := []recruit.TestScoreRow{row(2, 1, 6000, taken), row(3, 2, 7100, taken), row(4, 1, 6000, day("2027-02-02"))}
	_, err = recruit.PlanTestImport(r, apps, existing, changed[:2], false, now)
	if apperr.Code(err) != apperr.Conflict || !strings.Contains(err.Error(), "line 3: APP-000002 already has the score 70 (taken 2027-02-01) and this file says 71") {
		t.Errorf("a changed score without confirmation: %v", err)
	}
	_, err = recruit.PlanTestImport(r, apps, existing, changed[2:], false, now)
	if apperr.Code(err) != apperr.Conflict {
		t.Errorf("a changed date without confirmation: %v", err)
	}
	plan, err = recruit.PlanTestImport(r, apps, existing, changed[:2], true, now)
	if err != nil || plan.CorrectedCount != 1 || plan.Corrected[0].ApplicationID != 2 || plan.Was[2].Score != 7000 || plan.Unchanged != 1 {
		t.Errorf("confirmed corrections: %+v, %v", plan, err)
	}
	// The test is taken after applications open (11 January 2027), and not
	// after today.
	for _, tc := range []struct {
		on   string
		says string
	}{{"2027-02-11", "line 2, column taken_on: 2027-02-11 is in the future"}, {"2027-01-10", "line 2, column taken_on: 2027-01-10 is before applications to STP 2027 opened"}} {
		_, err = recruit.PlanTestImport(r, apps, nil, []recruit.TestScoreRow{row(2, 3, 5000, day(tc.on))}, false, now)
		if apperr.Code(err) != apperr.Invalid || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("taken on %s: %v; want %q", tc.on, err, tc.says)
		}
	}
	for _, on := range []string{"2027-01-11", "2027-02-10"} {
		if _, err = recruit.PlanTestImport(r, apps, nil, []recruit.TestScoreRow{row(2, 3, 5000, day(on))}, false, now); err != nil {
			t.Errorf("taken on %s: %v", on, err)
		}
	}
}

// TestNationalRankTestTieBreak: where the round's rule says so, the test
// score breaks a tie that the weighted, interview and shortlisting scores
// leave, before the lottery (no score ranks below any); otherwise it is
// ignored and the lottery decides.
func TestNationalRankTestTieBreak(t *testing.T) {
	r := testRound()
	m := func(s string) *recruit.TestMark { v := mark(t, s); return &v }
	cands := []recruit.Candidate{
		{ApplicationID: 1, ShortlistScore: 60, InterviewScore: 70, TestScore: m("50")},
		{ApplicationID: 2, ShortlistScore: 60, InterviewScore: 70, TestScore: m("80")},
		{ApplicationID: 3, ShortlistScore: 60, InterviewScore: 70, TestScore: m("79.99")},
		{ApplicationID: 4, ShortlistScore: 60, InterviewScore: 70},
		{ApplicationID: 5, ShortlistScore: 62, InterviewScore: 69, TestScore: m("10")}, // 200 too: loses on interview to all
		{ApplicationID: 6, ShortlistScore: 90, InterviewScore: 90, TestScore: m("0")},  // first on weighted score
	}
	order := func(rs []recruit.Ranked) (ids []int64, by []string) {
		for _, x := range rs {
			ids = append(ids, x.ApplicationID)
			by = append(by, x.DecidedBy)
		}
		return
	}
	r.Test = recruit.TestRule{Rule: recruit.TestRuleThreshold, TieBreak: true}
	ids, by := order(recruit.NationalRank(r, cands))
	if fmt.Sprint(ids) != "[6 2 3 1 4 5]" || fmt.Sprint(by) != "[first place weighted score online test score online test score online test score interview score]" {
		t.Errorf("with the test breaking ties: %v decided by %q", ids, by)
	}
	if !strings.Contains(r.RankOrder(), "then the shortlisting score, then the online test score, then a lottery") {
		t.Errorf("the published order: %s", r.RankOrder())
	}
	// Without it, the four tied go by the lottery.
	r.Test.TieBreak = false
	ids, by = order(recruit.NationalRank(r, cands))
	if ids[0] != 6 || ids[5] != 5 || by[2] != "lottery" || by[3] != "lottery" || by[4] != "lottery" {
		t.Errorf("without: %v decided by %q", ids, by)
	}
	if strings.Contains(r.RankOrder(), "test") {
		t.Errorf("the published order names the test: %s", r.RankOrder())
	}
	if err := (recruit.TestRule{TieBreak: true}).Validate(); apperr.Code(err) != apperr.Invalid {
		t.Errorf("a tie-break without a test: %v", err)
	}
}

// TestTestStageWindows: each of the test stage's windows opens and closes
// at its instant: scores are imported from the moment applications open
// until the outcomes are published; the outcomes are published from the
// moment applications close until interviews begin; the rule changes until
// interviews begin or the outcomes are published.
func TestTestStageWindows(t *testing.T) {
	r := testRound()
	second := time.Second
	check := func(what string, err error, wantOK bool, says string) {
		t.Helper()
		switch {
		case wantOK && err != nil:
			t.Errorf("%s: %v", what, err)
		case !wantOK && (apperr.Code(err) != apperr.Conflict || !strings.Contains(err.Error(), says)):
			t.Errorf("%s: %v; want a conflict saying %q", what, err, says)
		}
	}
	check("importing into a round with no test", recruit.CanImportTestScores(r, r.ShortlistingOpen), false, "STP 2027 has no online test stage; set its rule first")
	check("publishing in a round with no test", recruit.CanPublishTestOutcomes(r, r.ShortlistingOpen), false, "STP 2027 has no online test stage.")
	r.Test = recruit.TestRule{Rule: recruit.TestRuleThreshold, Threshold: 5000}

	check("importing a second before applications open", recruit.CanImportTestScores(r, r.ApplicationsOpen.Add(-second)), false, "Applications to STP 2027 open on 11 January 2027")
	check("importing as applications open", recruit.CanImportTestScores(r, r.ApplicationsOpen), true, "")
	check("importing during interviews, before publishing", recruit.CanImportTestScores(r, r.InterviewsOpen), true, "")

	check("publishing a second before applications close", recruit.CanPublishTestOutcomes(r, r.ShortlistingOpen.Add(-second)), false, "Applications close on 1 February 2027")
	check("publishing as applications close", recruit.CanPublishTestOutcomes(r, r.ShortlistingOpen), true, "")
	check("publishing a second before interviews", recruit.CanPublishTestOutcomes(r, r.InterviewsOpen.Add(-second)), true, "")
	check("publishing as interviews begin", recruit.CanPublishTestOutcomes(r, r.InterviewsOpen), false, "Interviews began on 1 March 2027 at 00:00 UTC; it is too late")

	check("a new rule a second before interviews", recruit.CanSetTestRule(r, r.InterviewsOpen.Add(-second)), true, "")
	check("a new rule as interviews begin", recruit.CanSetTestRule(r, r.InterviewsOpen), false, "Interviews began on 1 March 2027 at 00:00 UTC; the online test's rule")

	published := r.ShortlistingOpen.Add(time.Hour)
	r.TestPublishedAt = &published
	check("importing after publishing", recruit.CanImportTestScores(r, r.ShortlistingOpen.Add(2*time.Hour)), false, "were published on 1 February 2027 at 01:00 UTC; scores can no longer change")
	check("publishing twice", recruit.CanPublishTestOutcomes(r, r.ShortlistingOpen.Add(2*time.Hour)), false, "were published on 1 February 2027 at 01:00 UTC.")
	check("a new rule after publishing", recruit.CanSetTestRule(r, r.ShortlistingOpen.Add(2*time.Hour)), false, "were published on 1 February 2027 at 01:00 UTC; its rule")
}

// TestTestRuleDescribe: the round's published rules say the test rule in
// words, the single best score apart, and whether it breaks ties.
func TestTestRuleDescribe(t *testing.T) {
	for _, tc := range []struct {
		rule recruit.TestRule
		says string
	}{
		{recruit.TestRule{}, "This round has no online test."},
		{recruit.TestRule{Rule: recruit.TestRuleThreshold, Threshold: 6250}, "Applicants who score 62.5 or more in the online test go on to shortlisting."},
		{recruit.TestRule{Rule: recruit.TestRuleThreshold, Threshold: 6000, TieBreak: true},
			"Applicants who score 60 or more in the online test go on to shortlisting. The test score also breaks ties in the national rank."},
		{recruit.TestRule{Rule: recruit.TestRuleTop, Top: 1}, "In each specialism, the best score in the online test goes on to shortlisting, with any that tie with it."},
		{recruit.TestRule{Rule: recruit.TestRuleTop, Top: 2}, "In each specialism, the 2 best scores (with any that tie with the last) in the online test go on to shortlisting."},
	} {
		if got := tc.rule.Describe(); got != tc.says {
			t.Errorf("%+v: %q, want %q", tc.rule, got, tc.says)
		}
	}
}

// TestTestMarkJSON: a mark is a JSON number with at most two decimal
// places; anything else is refused and leaves the mark as it was.
func TestTestMarkJSON(t *testing.T) {
	var v struct{ Score recruit.TestMark }
	if err := json.Unmarshal([]byte(`{"Score": 62.5}`), &v); err != nil || v.Score != 6250 {
		t.Fatalf("62.5: %d, %v", v.Score, err)
	}
	for _, bad := range []string{`{"Score": 62.555}`, `{"Score": "62"}`, `{"Score": -1}`} {
		if err := json.Unmarshal([]byte(bad), &v); err == nil || v.Score != 6250 {
			t.Errorf("%s: %d, %v", bad, v.Score, err)
		}
	}
	if b, err := json.Marshal(v); err != nil || string(b) != `{"Score":62.5}` {
		t.Errorf("written as %s, %v", b, err)
	}
}

// TestParseReference: APP- and six to twelve digits, a number from 1.
func TestParseReference(t *testing.T) {
	for in, want := range map[string]int64{"APP-000001": 1, "app-123456": 123456, "APP-000000000012": 12, "APP-999999999999": 999999999999} {
		if got, ok := recruit.ParseReference(in); !ok || got != want {
			t.Errorf("%q: %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "APP-", "APP-00001", "APP-0000000000001", "APP-000000", "APP-+00001", "APP--00001", "APP-00001a", "APX-000001", " APP-000001", "000123", "123456789"} {
		if got, ok := recruit.ParseReference(in); ok {
			t.Errorf("%q was read as application %d", in, got)
		}
	}
}
