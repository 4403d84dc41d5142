package recruit

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"hcs/internal/apperr"
)

// The online test stage. A round may longlist its applicants by an
// external online test (the situational judgement test, delivered by a
// test provider) before shortlisting: the national school imports the
// provider's scores, and a rule decides who goes on to be shortlisted.
// Once the school publishes the outcomes, every applicant is told theirs,
// and only those who went on are given to reviewers.
const (
	// TestRuleNone: the round has no test stage.
	TestRuleNone = ""
	// TestRuleThreshold: a score at or above the threshold goes on.
	TestRuleThreshold = "threshold"
	// TestRuleTop: the best scores in each specialism go on, as many as
	// the rule says; everyone tied with the last of them goes on too.
	TestRuleTop = "top"
)

// Test score limits. Scores are kept in hundredths.
const (
	MaxTestScore     = 1000 * 100
	MaxTestTop       = 10000
	MaxTestScoreRows = 100000
)

// TestMark is a test score in hundredths of a point: 6250 is 62.5.
type TestMark int

// String writes the mark as the provider would: 62.5, 70, 61.25.
func (m TestMark) String() string {
	s := strconv.Itoa(int(m) / 100)
	if f := int(m) % 100; f != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%02d", f), "0")
	}
	return s
}

// MarshalJSON writes the mark as a JSON number.
func (m TestMark) MarshalJSON() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalJSON reads a JSON number with at most two decimal places.
func (m *TestMark) UnmarshalJSON(b []byte) error {
	v, err := ParseTestMark(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// errTestMark says what a score must look like.
var errTestMark = errors.New("not a score: use a number from 0 to 1000 with at most two decimal places, such as 62 or 62.5")

// ParseTestMark reads a score from 0 to 1000 with at most two decimal
// places.
func ParseTestMark(s string) (TestMark, error) {
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || len(whole) > 4 || len(frac) > 2 || dot && frac == "" {
		return 0, errTestMark
	}
	n := 0
	for _, c := range whole + (frac + "00")[:2] {
		if c < '0' || c > '9' {
			return 0, errTestMark
		}
		n = n*10 + int(c-'0')
	}
	if n > MaxTestScore {
		return 0, errTestMark
	}
	return TestMark(n), nil
}

// TestScore is an application's result in its round's online test.
type TestScore struct {
	ApplicationID int64     `json:"application_id"`
	Score         TestMark  `json:"score"`
	TakenOn       time.Time `json:"taken_on"`
	ImportedAt    time.Time `json:"imported_at"`
}

// TestRule is a round's rule for its test stage.
type TestRule struct {
	Rule      string   `json:"rule"`
	Threshold TestMark `json:"threshold"`
	Top       int      `json:"top"`
	// TieBreak: the test score breaks ties in the national rank, after
	// the interview and shortlisting scores and before the lottery.
	TieBreak bool `json:"tie_break"`
}

// Validate checks a test rule.
func (t TestRule) Validate() error {
	switch t.Rule {
	case TestRuleNone:
		if t.Threshold != 0 || t.Top != 0 {
			return apperr.Invalidf("rule", "Choose a rule for the test stage: a threshold or the best scores in each specialism")
		}
		if t.TieBreak {
			return apperr.Invalidf("tie_break", "Only a round with an online test can use its scores to break ties")
		}
	case TestRuleThreshold:
		if t.Top != 0 {
			return apperr.Invalidf("top", "A threshold rule takes no number of best scores")
		}
		if t.Threshold < 0 || t.Threshold > MaxTestScore {
			return apperr.Invalidf("threshold", "The threshold must be a score from 0 to 1000")
		}
	case TestRuleTop:
		if t.Threshold != 0 {
			return apperr.Invalidf("threshold", "A best-scores rule takes no threshold")
		}
		if t.Top < 1 || t.Top > MaxTestTop {
			return apperr.Invalidf("top", "Say how many of the best scores in each specialism go on: 1 to %d", MaxTestTop)
		}
	default:
		return apperr.Invalidf("rule", "The test rule %q is not one of threshold or top", t.Rule)
	}
	return nil
}

// Describe says the rule in words, for the round's published rules.
func (t TestRule) Describe() string {
	var s string
	switch t.Rule {
	case TestRuleThreshold:
		s = fmt.Sprintf("Applicants who score %s or more in the online test go on to shortlisting.", t.Threshold)
	case TestRuleTop:
		s = fmt.Sprintf("In each specialism, %s in the online test go on to shortlisting.", bestScores(t.Top))
		if t.Top == 1 {
			s = "In each specialism, the best score in the online test goes on to shortlisting, with any that tie with it."
		}
	default:
		return "This round has no online test."
	}
	if t.TieBreak {
		s += " The test score also breaks ties in the national rank."
	}
	return s
}

// CanSetTestRule says whether a round's test rule may change at t: until
// its outcomes are published, and not once interviews have begun.
func CanSetTestRule(r *Round, t time.Time) error {
	switch {
	case r.TestPublishedAt != nil:
		return apperr.Errorf(apperr.Conflict, "The online test's outcomes were published on %s; its rule can no longer change.", r.TestPublishedAt.UTC().Format(dateFormat))
	case !t.Before(r.InterviewsOpen):
		return apperr.Errorf(apperr.Conflict, "Interviews began on %s; the online test's rule can no longer change.", r.InterviewsOpen.UTC().Format(dateFormat))
	}
	return nil
}

// CanImportTestScores says whether test scores may be imported at t: in a
// round with a test stage, once applications have opened, until the
// outcomes are published.
func CanImportTestScores(r *Round, t time.Time) error {
	switch {
	case r.Test.Rule == TestRuleNone:
		return apperr.Errorf(apperr.Conflict, "%s has no online test stage; set its rule first.", r.Name)
	case t.Before(r.ApplicationsOpen):
		return apperr.Errorf(apperr.Conflict, "Applications to %s open on %s; test scores can be imported after that.", r.Name, r.ApplicationsOpen.UTC().Format(dateFormat))
	case r.TestPublishedAt != nil:
		return apperr.Errorf(apperr.Conflict, "The online test's outcomes were published on %s; scores can no longer change.", r.TestPublishedAt.UTC().Format(dateFormat))
	}
	return nil
}

// CanPublishTestOutcomes says whether the outcomes may be published at t:
// once applications have closed (everyone who applied is known) and
// before interviews begin, once.
func CanPublishTestOutcomes(r *Round, t time.Time) error {
	switch {
	case r.Test.Rule == TestRuleNone:
		return apperr.Errorf(apperr.Conflict, "%s has no online test stage.", r.Name)
	case r.TestPublishedAt != nil:
		return apperr.Errorf(apperr.Conflict, "The online test's outcomes were published on %s.", r.TestPublishedAt.UTC().Format(dateFormat))
	case t.Before(r.ShortlistingOpen):
		return apperr.Errorf(apperr.Conflict, "Applications close on %s; the test's outcomes can be published after that.", r.ShortlistingOpen.UTC().Format(dateFormat))
	case !t.Before(r.InterviewsOpen):
		return apperr.Errorf(apperr.Conflict, "Interviews began on %s; it is too late to publish the test's outcomes.", r.InterviewsOpen.UTC().Format(dateFormat))
	}
	return nil
}

// TestOutcome is what the test stage decided for one application.
type TestOutcome struct {
	ApplicationID int64     `json:"application_id"`
	Score         *TestMark `json:"score,omitempty"`
	// Cut is the lowest score that went on in the application's
	// specialism: the threshold, or the last of the best scores.
	Cut    *TestMark `json:"cut,omitempty"`
	GoesOn bool      `json:"goes_on"`
	Reason string    `json:"reason"`
}

// Longlist applies the round's test rule to its applications still in the
// round: who goes on to shortlisting, and why. An application without a
// score does not go on.
func Longlist(r *Round, apps []Application, scores []TestScore) map[int64]TestOutcome {
	byApp := make(map[int64]TestMark, len(scores))
	for _, s := range scores {
		byApp[s.ApplicationID] = s.Score
	}
	// cut is each specialism's lowest score that goes on; none when no
	// one in the specialism has a score.
	cut := map[string]TestMark{}
	switch r.Test.Rule {
	case TestRuleThreshold:
		for _, a := range apps {
			cut[a.Specialism] = r.Test.Threshold
		}
	case TestRuleTop:
		marks := map[string][]TestMark{}
		for _, a := range apps {
			if s, ok := byApp[a.ID]; ok && !a.Withdrawn() {
				marks[a.Specialism] = append(marks[a.Specialism], s)
			}
		}
		for sp, ms := range marks {
			slices.Sort(ms)
			slices.Reverse(ms)
			cut[sp] = ms[min(r.Test.Top, len(ms))-1]
		}
	}
	out := make(map[int64]TestOutcome, len(apps))
	for _, a := range apps {
		if a.Withdrawn() {
			continue
		}
		o := TestOutcome{ApplicationID: a.ID}
		c, hasCut := cut[a.Specialism]
		if hasCut {
			o.Cut = &c
		}
		s, scored := byApp[a.ID]
		switch {
		case !scored:
			o.Reason = "There is no online test score for this application, so it does not go on to shortlisting."
		case s >= c && hasCut && r.Test.Rule == TestRuleTop:
			o.Score, o.GoesOn = &s, true
			o.Reason = fmt.Sprintf("Your score of %s was among %s in your specialism, so your application goes on to shortlisting.", s, bestScores(r.Test.Top))
		case s >= c && hasCut:
			o.Score, o.GoesOn = &s, true
			o.Reason = fmt.Sprintf("Your score of %s reached the threshold of %s, so your application goes on to shortlisting.", s, c)
		case r.Test.Rule == TestRuleTop:
			o.Score = &s
			o.Reason = fmt.Sprintf("Your score of %s was below %s, the lowest of %s in your specialism, so your application does not go on to shortlisting.", s, c, bestScores(r.Test.Top))
		default:
			o.Score = &s
			o.Reason = fmt.Sprintf("Your score of %s was below the threshold of %s, so your application does not go on to shortlisting.", s, c)
		}
		out[a.ID] = o
	}
	return out
}

// bestScores says "the best score" or "the 3 best scores".
func bestScores(n int) string {
	if n == 1 {
		return "the best score (with any that tie with it)"
	}
	return fmt.Sprintf("the %d best scores (with any that tie with the last)", n)
}

// TestScoreRow is one row of a test provider's file.
type TestScoreRow struct {
	Line          int
	Reference     string
	ApplicationID int64
	Score         TestMark
	TakenOn       time.Time
}

// testColumns are the columns of a test provider's file, in any order.
var testColumns = []string{"applicant_reference", "score", "taken_on"}

// scoreFileError names the line and column of a fault in a scores file.
func scoreFileError(line int, column, format string, args ...any) error {
	where := fmt.Sprintf("line %d", line)
	if column != "" {
		where += ", column " + column
	}
	return apperr.Invalidf("file", "%s: %s", where, fmt.Sprintf(format, args...))
}

// ParseTestScores reads a test provider's CSV file with the columns
// applicant_reference, score and taken_on (YYYY-MM-DD), in any order and
// no others. The first fault stops the reading and is returned, naming
// its line and column; nothing is returned with it. A reference given
// twice is a fault. References and dates are checked against a round by
// PlanTestImport.
func ParseTestScores(r io.Reader) ([]TestScoreRow, error) {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
		br.Discard(3) // a byte-order mark, as spreadsheets write
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, scoreFileError(1, "", "the file is empty; it needs the header %s", strings.Join(testColumns, ","))
	}
	if err != nil {
		return nil, csvError(err)
	}
	pos := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		switch {
		case h == "":
			return nil, scoreFileError(1, "", "column %d of the header has no name (a comma too many?); the header must be %s", i+1, strings.Join(testColumns, ","))
		case !slices.Contains(testColumns, h):
			return nil, scoreFileError(1, "", "the column %s is not one of %s; remove it (the file must hold nothing else, and nothing personal)", short(h), strings.Join(testColumns, ", "))
		case pos[h] != 0:
			return nil, scoreFileError(1, "", "the column %s is given twice", h)
		}
		pos[h] = i + 1
	}
	for _, c := range testColumns {
		if pos[c] == 0 {
			return nil, scoreFileError(1, "", "the header has no %s column; it must be %s", c, strings.Join(testColumns, ","))
		}
	}
	var rows []TestScoreRow
	seen := map[int64]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		if blankRecord(rec) {
			continue // a blank line, or one of empty cells as spreadsheets write
		}
		if len(rec) != len(header) {
			return nil, scoreFileError(line, "", "%d values where the header has %d columns", len(rec), len(header))
		}
		if len(rows) == MaxTestScoreRows {
			return nil, scoreFileError(line, "", "the file has more than %d scores; split it", MaxTestScoreRows)
		}
		get := func(c string) string { return strings.TrimSpace(rec[pos[c]-1]) }
		row := TestScoreRow{Line: line, Reference: get("applicant_reference")}
		id, ok := ParseReference(row.Reference)
		if !ok {
			return nil, scoreFileError(line, "applicant_reference", "%s is not an application reference such as %s", short(row.Reference), Reference(123))
		}
		if first, dup := seen[id]; dup {
			return nil, scoreFileError(line, "applicant_reference", "%s is also on line %d; give each applicant one score", row.Reference, first)
		}
		seen[id] = line
		row.ApplicationID = id
		if row.Score, err = ParseTestMark(get("score")); err != nil {
			return nil, scoreFileError(line, "score", "%s is %v", short(get("score")), err)
		}
		taken, err := time.Parse(time.DateOnly, get("taken_on"))
		if err != nil {
			return nil, scoreFileError(line, "taken_on", "%s is not a date; write it as YYYY-MM-DD", short(get("taken_on")))
		}
		row.TakenOn = taken
		rows = append(rows, row)
	}
}

// csvError names the line of a CSV syntax fault: where the row with the
// fault starts and, when a quoted value runs on, where it was found.
func csvError(err error) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return apperr.Invalidf("file", "the file could not be read: %v", err)
	}
	if errors.Is(pe.Err, csv.ErrQuote) && pe.StartLine != pe.Line {
		return scoreFileError(pe.StartLine, "", "a quoted value that starts on this line is not closed (not valid CSV: %v, found on line %d)", pe.Err, pe.Line)
	}
	return scoreFileError(pe.StartLine, "", "not valid CSV at character %d of line %d: %v", pe.Column, pe.Line, pe.Err)
}

// blankRecord reports whether a row holds nothing but spaces.
func blankRecord(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// short quotes a value for a message, cut to its first 40 characters.
func short(s string) string {
	if r := []rune(s); len(r) > 40 {
		return strconv.Quote(string(r[:40])) + "…"
	}
	return strconv.Quote(s)
}

// ParseReference reads an application reference such as APP-000123.
func ParseReference(s string) (int64, bool) {
	digits, ok := strings.CutPrefix(strings.ToUpper(s), "APP-")
	if !ok || len(digits) < 6 || len(digits) > 12 {
		return 0, false
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n < 1 || bytes.ContainsAny([]byte(digits), "+-") {
		return 0, false
	}
	return n, true
}

// TestImport is what an import of test scores changes.
type TestImport struct {
	Added     []TestScoreRow `json:"-"`
	Corrected []TestScoreRow `json:"-"`
	// Was holds the score each correction replaces.
	Was       map[int64]TestScore `json:"-"`
	Unchanged int                 `json:"unchanged"`
	// Counts, for the API.
	AddedCount     int `json:"added"`
	CorrectedCount int `json:"corrected"`
}

// PlanTestImport checks a provider's rows against the round at t: every
// row's application must be in the round, and its test taken after
// applications opened and not after today. A row that changes a score
// imported before (its score or its date) is a correction, refused unless
// the school confirms corrections. A row equal to what is stored changes
// nothing, so importing the same file twice is a no-op.
func PlanTestImport(r *Round, apps []Application, existing []TestScore, rows []TestScoreRow, confirmCorrections bool, t time.Time) (*TestImport, error) {
	inRound, left := make(map[int64]bool, len(apps)), map[int64]bool{}
	for _, a := range apps {
		inRound[a.ID], left[a.ID] = true, a.Withdrawn()
	}
	stored := make(map[int64]TestScore, len(existing))
	for _, s := range existing {
		stored[s.ApplicationID] = s
	}
	plan := &TestImport{Was: map[int64]TestScore{}}
	for _, row := range rows {
		if !inRound[row.ApplicationID] {
			return nil, scoreFileError(row.Line, "applicant_reference", "%s is not an application in %s", row.Reference, r.Name)
		}
		if left[row.ApplicationID] {
			return nil, scoreFileError(row.Line, "applicant_reference", "%s has left %s, and nothing more is recorded about it; remove its row", row.Reference, r.Name)
		}
		taken := row.TakenOn.Format(time.DateOnly)
		switch {
		case taken > t.UTC().Format(time.DateOnly):
			return nil, scoreFileError(row.Line, "taken_on", "%s is in the future", taken)
		case taken < r.ApplicationsOpen.UTC().Format(time.DateOnly):
			return nil, scoreFileError(row.Line, "taken_on", "%s is before applications to %s opened on %s", taken, r.Name, r.ApplicationsOpen.UTC().Format(dateFormat))
		}
		was, ok := stored[row.ApplicationID]
		switch {
		case !ok:
			plan.Added = append(plan.Added, row)
		case was.Score == row.Score && was.TakenOn.Equal(row.TakenOn):
			plan.Unchanged++
		default:
			plan.Corrected = append(plan.Corrected, row)
			plan.Was[row.ApplicationID] = was
		}
	}
	if len(plan.Corrected) > 0 && !confirmCorrections {
		c := plan.Corrected[0]
		was := plan.Was[c.ApplicationID]
		return nil, &apperr.Error{Code: apperr.Conflict, Field: "confirm_corrections", Message: fmt.Sprintf(
			"line %d: %s already has the score %s (taken %s) and this file says %s (taken %s); %d score(s) in the file differ from those imported. Nothing was imported. If these are corrections from the test provider, confirm them and import again.",
			c.Line, c.Reference, was.Score, was.TakenOn.Format(time.DateOnly), c.Score, c.TakenOn.Format(time.DateOnly), len(plan.Corrected))}
	}
	plan.AddedCount, plan.CorrectedCount = len(plan.Added), len(plan.Corrected)
	return plan, nil
}
