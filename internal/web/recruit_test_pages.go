package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"hcs/internal/apperr"
	"hcs/internal/recruit"
)

// maxTestFileBytes bounds a test provider's file: 100,000 scores at about
// 40 bytes a row. Messages call it 8 MB.
const maxTestFileBytes = 8_000_000

// testRuleRequest is a test rule as the API takes it: a threshold rule
// needs its threshold, and a best-scores rule its number.
type testRuleRequest struct {
	Rule      string            `json:"rule"`
	Threshold *recruit.TestMark `json:"threshold"`
	Top       *int              `json:"top"`
	TieBreak  bool              `json:"tie_break"`
}

func (q *testRuleRequest) rule() (recruit.TestRule, error) {
	if q == nil {
		return recruit.TestRule{}, nil
	}
	t := recruit.TestRule{Rule: q.Rule, TieBreak: q.TieBreak}
	if q.Threshold != nil {
		t.Threshold = *q.Threshold
	}
	if q.Top != nil {
		t.Top = *q.Top
	}
	switch {
	case q.Rule == recruit.TestRuleThreshold && q.Threshold == nil:
		return t, apperr.Invalidf("threshold", "A threshold rule needs its threshold: a score from 0 to 1000")
	case q.Rule == recruit.TestRuleTop && q.Top == nil:
		return t, apperr.Invalidf("top", "A best-scores rule needs top: how many of the best scores in each specialism go on, 1 to %d", recruit.MaxTestTop)
	}
	return t, nil
}

// testRuleForm is the rule form's values as typed.
type testRuleForm struct {
	Rule, Threshold, Top string
	TieBreak             bool
}

func ruleForm(t recruit.TestRule) testRuleForm {
	f := testRuleForm{Rule: t.Rule, TieBreak: t.TieBreak}
	switch t.Rule {
	case recruit.TestRuleThreshold:
		f.Threshold = t.Threshold.String()
	case recruit.TestRuleTop:
		f.Top = strconv.Itoa(t.Top)
	}
	return f
}

// testRuleFromForm reads the rule form.
func testRuleFromForm(v url.Values) (recruit.TestRule, testRuleForm, error) {
	f := testRuleForm{Rule: v.Get("rule"), Threshold: strings.TrimSpace(v.Get("threshold")), Top: strings.TrimSpace(v.Get("top")),
		TieBreak: v.Get("tie_break") == "yes"}
	rule := recruit.TestRule{Rule: f.Rule, TieBreak: f.TieBreak}
	switch f.Rule {
	case recruit.TestRuleThreshold:
		m, err := recruit.ParseTestMark(f.Threshold)
		if err != nil {
			return rule, f, apperr.Invalidf("threshold", "The threshold is %v", err)
		}
		rule.Threshold = m
	case recruit.TestRuleTop:
		n, err := strconv.Atoi(f.Top)
		if err != nil {
			return rule, f, apperr.Invalidf("top", "Say how many of the best scores in each specialism go on, as a whole number from 1 to %d", recruit.MaxTestTop)
		}
		rule.Top = n
	}
	return rule, f, nil
}

func (s *Server) testStagePage(w http.ResponseWriter, r *http.Request) error {
	id, err := roundManaged(r)
	if err != nil {
		return err
	}
	return s.showTestStage(w, r, id, http.StatusOK, nil, nil)
}

// showTestStage shows the test stage page; form, when set, keeps what was
// typed in the rule form.
func (s *Server) showTestStage(w http.ResponseWriter, r *http.Request, id int64, status int, fail error, form *testRuleForm) error {
	st, err := s.recruit.TestStage(r.Context(), id)
	if err != nil {
		return err
	}
	rf := ruleForm(st.Round.Test)
	if form != nil {
		rf = *form
	}
	return s.show(w, r, status, "round-test", "Online test of "+st.Round.Name, s.roundCrumbs(&st.Round),
		map[string]any{"Stage": st, "Rule": rf, "Names": s.specialismNames(), "Error": fail, "Done": takeNotice(w, r)})
}

func testPath(id int64) string { return "/school/rounds/" + strconv.FormatInt(id, 10) + "/test" }

func (s *Server) setTestRule(w http.ResponseWriter, r *http.Request) error {
	id, err := roundManaged(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	rule, form, err := testRuleFromForm(r.PostForm)
	if err == nil {
		_, err = s.recruit.SetTestRule(r.Context(), actor(r), id, rule)
	}
	if err != nil {
		return formFailure(err, func(status int) error { return s.showTestStage(w, r, id, status, err, &form) })
	}
	redirectBack(w, r, testPath(id), "The online test's rule has been saved: "+rule.Describe())
	return nil
}

func (s *Server) importTestScores(w http.ResponseWriter, r *http.Request) error {
	id, err := roundManaged(r)
	if err != nil {
		return err
	}
	form, err := readMultipart(r, "file", maxTestFileBytes)
	var im *recruit.TestImport
	if err == nil && len(form.content) == 0 {
		err = apperr.Invalidf("file", "Choose the test provider's CSV file")
	}
	if err == nil {
		im, err = s.recruit.ImportTestScores(r.Context(), actor(r), id, bytes.NewReader(form.content), form.fields.Get("confirm_corrections") == "yes")
	}
	if err != nil {
		return formFailure(err, func(status int) error { return s.showTestStage(w, r, id, status, err, nil) })
	}
	redirectBack(w, r, testPath(id), fmt.Sprintf("Imported: %d new score(s), %d correction(s), %d unchanged.", im.AddedCount, im.CorrectedCount, im.Unchanged))
	return nil
}

func (s *Server) publishTestOutcomes(w http.ResponseWriter, r *http.Request) error {
	id, err := roundManaged(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	var st *recruit.TestStage
	if r.PostForm.Get("confirm") != "yes" {
		err = apperr.Invalidf("confirm", "Confirm that every score is imported: publishing emails every applicant their result, and cannot be undone")
	} else {
		st, err = s.recruit.PublishTestOutcomes(r.Context(), actor(r), id)
	}
	if err != nil {
		return formFailure(err, func(status int) error { return s.showTestStage(w, r, id, status, err, nil) })
	}
	redirectBack(w, r, testPath(id), fmt.Sprintf("The outcomes are published: %d of %d application(s) go on to shortlisting, and every applicant has been emailed theirs.",
		st.GoingOn, len(st.Outcomes)))
	return nil
}
