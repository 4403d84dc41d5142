package recruit_test

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/recruit"
	"hcs/internal/testkit"
)

// scoresFile writes a test provider's file: one "reference,score" pair a
// row, all taken on the round's second day.
func scoresFile(rows ...string) *strings.Reader {
	var b strings.Builder
	b.WriteString("applicant_reference,score,taken_on\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "%s,%s\n", r, testkit.Day(2).Format("2006-01-02"))
	}
	return strings.NewReader(b.String())
}

// TestServiceTestStage takes a round with an online test from its rule to
// ranking: imports refused whole on a fault, repeated as no-ops, changed
// only as confirmed corrections (audited); outcomes published once, to
// every applicant; only those who went on reviewed and ranked.
func TestServiceTestStage(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 4, Places: []int{1}, Until: testkit.UntilApplied})
		svc, rid := sr.Service, sr.Round.ID
		school := as(sr.School)
		ref := func(i int) string { return recruit.Reference(sr.Apps[i].ID) }
		scores := func() map[int64]recruit.TestMark {
			st, err := svc.TestStage(ctx, rid)
			if err != nil {
				t.Fatal(err)
			}
			out := map[int64]recruit.TestMark{}
			for _, o := range st.Outcomes {
				if o.Score != nil {
					out[o.ApplicationID] = *o.Score
				}
			}
			return out
		}

		_, err := svc.ImportTestScores(ctx, school, rid, scoresFile(ref(0)+",75"), false)
		wantCode(t, "an import before the rule", err, apperr.Conflict, "no online test stage")
		if _, err := svc.SetTestRule(ctx, school, rid, recruit.TestRule{Rule: recruit.TestRuleThreshold, Threshold: 6000, TieBreak: true}); err != nil {
			t.Fatal(err)
		}

		// A fault on the third line: nothing is imported.
		_, err = svc.ImportTestScores(ctx, school, rid, scoresFile(ref(0)+",75", ref(1)+",6o"), false)
		wantCode(t, "a bad score", err, apperr.Invalid, `line 3, column score: "6o" is not a score`)
		if n := len(scores()); n != 0 {
			t.Fatalf("a refused file left %d scores", n)
		}
		_, err = svc.ImportTestScores(ctx, school, rid, scoresFile(ref(0)+",75", "APP-999999,70"), false)
		wantCode(t, "an unknown applicant", err, apperr.Invalid, "line 3, column applicant_reference: APP-999999 is not an application in STP staged")

		// Applicant 1 scores exactly the threshold, applicant 2 a hundredth
		// below it, and applicant 3 has no score.
		file := []string{ref(0) + ",75", ref(1) + ",60", ref(2) + ",59.99"}
		im, err := svc.ImportTestScores(ctx, school, rid, scoresFile(file...), false)
		if err != nil || im.AddedCount != 3 {
			t.Fatalf("import: %+v, %v", im, err)
		}
		im, err = svc.ImportTestScores(ctx, school, rid, scoresFile(file...), false)
		if err != nil || im.AddedCount != 0 || im.CorrectedCount != 0 || im.Unchanged != 3 {
			t.Fatalf("the same file again: %+v, %v", im, err)
		}
		_, err = svc.ImportTestScores(ctx, school, rid, scoresFile(ref(1)+",61", ref(3)+",90"), false)
		wantCode(t, "a changed score", err, apperr.Conflict, "already has the score 60")
		if got := scores(); got[sr.Apps[1].ID] != 6000 || len(got) != 3 {
			t.Fatalf("a refused correction changed the scores: %v", got)
		}
		im, err = svc.ImportTestScores(ctx, school, rid, scoresFile(ref(1)+",60.5", ref(3)+",90"), true)
		if err != nil || im.CorrectedCount != 1 || im.AddedCount != 1 {
			t.Fatalf("confirmed correction: %+v, %v", im, err)
		}
		audit, err := db.Audit(ctx, auth.AuditFilter{RecordType: "application", RecordID: strconv.FormatInt(sr.Apps[1].ID, 10)})
		if err != nil || len(audit) == 0 || audit[0].Action != "test_score.correct" || !strings.Contains(audit[0].Detail, "60 (taken 2027-01-06) corrected to 60.5") {
			t.Errorf("the correction's audit entry: %+v, %v", audit, err)
		}
		// Back to 60, so that applicant 1 sits exactly at the threshold
		// again; applicant 3 now has 90.
		if _, err := svc.ImportTestScores(ctx, school, rid, scoresFile(ref(1)+",60"), true); err != nil {
			t.Fatal(err)
		}

		st, err := svc.Status(ctx, sr.Apps[2].ID)
		if err != nil || st.Standing.Step != recruit.StepTest || st.Test != nil {
			t.Errorf("before publishing: %+v, %v", st.Standing, err)
		}
		_, err = svc.AssignReviewers(ctx, school, rid)
		wantCode(t, "assigning before publishing", err, apperr.Conflict, "Publish the online test's outcomes")

		// Two publishers at once: one publishes, and each applicant is told once.
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range errs {
			wg.Go(func() { _, errs[i] = svc.PublishTestOutcomes(ctx, school, rid) })
		}
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("two publishers: %v, %v; want one to succeed", errs[0], errs[1])
		}
		msgs, err := db.Outbox(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		told := map[string]int{}
		for _, m := range msgs {
			if m.Subject == "Your online test result" {
				told[m.Recipient]++
				if m.Recipient == sr.Applicants[2].Email && !strings.Contains(m.Body, "59.99 was below the threshold of 60") {
					t.Errorf("applicant 2's message: %q", m.Body)
				}
			}
		}
		if len(told) != 4 {
			t.Errorf("applicants told: %v; want all 4 once", told)
		}
		for who, n := range told {
			if n != 1 {
				t.Errorf("%s was told %d times", who, n)
			}
		}
		_, err = svc.ImportTestScores(ctx, school, rid, scoresFile(ref(2)+",99"), true)
		wantCode(t, "importing after publishing", err, apperr.Conflict, "were published")
		_, err = svc.SetTestRule(ctx, school, rid, recruit.TestRule{Rule: recruit.TestRuleThreshold, Threshold: 100})
		wantCode(t, "a new rule after publishing", err, apperr.Conflict, "were published")

		st, err = svc.Status(ctx, sr.Apps[2].ID)
		if err != nil || st.Standing.Step != recruit.StepNotLonglisted || st.Test == nil || st.Test.GoesOn || *st.Test.Score != 5999 {
			t.Errorf("applicant 2 after publishing: %+v %+v, %v", st.Standing, st.Test, err)
		}
		st, err = svc.Status(ctx, sr.Apps[1].ID)
		if err != nil || st.Standing.Step != recruit.StepShortlisting || st.Test == nil || !st.Test.GoesOn {
			t.Errorf("applicant 1 after publishing: %+v %+v, %v", st.Standing, st.Test, err)
		}

		// Only those who went on are reviewed, interviewed and ranked.
		var reviewers []*auth.User
		for i := range 2 {
			u := &auth.User{Name: fmt.Sprintf("Late reviewer %d", i), Email: fmt.Sprintf("late%d@example.org", i)}
			if err := db.CreateUser(ctx, auth.System("test"), u, "", nil); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.AppointReviewer(ctx, school, rid, u.Email, 0); err != nil {
				t.Fatal(err)
			}
			reviewers = append(reviewers, u)
		}
		res, err := svc.AssignReviewers(ctx, school, rid)
		if err != nil || res.Assigned != 6 {
			t.Fatalf("assigned %+v, %v; want 3 applications × 2 reviewers", res, err)
		}
		for _, rv := range reviewers {
			queue, err := svc.ReviewQueue(ctx, rid, rv.ID)
			if err != nil || len(queue) != 3 {
				t.Fatalf("a reviewer's queue: %+v, %v; want applicants 0, 1 and 3", queue, err)
			}
			for _, b := range queue {
				if b.Reference == ref(2) {
					t.Errorf("applicant 2, who did not go on, is in a reviewer's queue")
				}
				id, _ := recruit.ParseReference(b.Reference)
				if _, err := svc.Review(ctx, as(rv), id, 80); err != nil {
					t.Fatal(err)
				}
			}
		}
		sr.Clock.Set(testkit.Day(21))
		for _, i := range []int{0, 1, 3} {
			for j, station := range sr.Stations {
				by := sr.Employer
				if j == 1 {
					by = sr.School
				}
				if _, err := svc.ScoreInterview(ctx, as(by), sr.Apps[i].ID, station.ID, 50); err != nil {
					t.Fatal(err)
				}
			}
		}
		_, err = svc.ScoreInterview(ctx, as(sr.Employer), sr.Apps[2].ID, sr.Stations[0].ID, 50)
		wantCode(t, "interviewing someone who did not go on", err, apperr.Conflict, "not shortlisted")
		sr.Clock.Set(testkit.Day(31))
		ranked, err := svc.RankRound(ctx, school, rid)
		if err != nil || len(ranked) != 3 {
			t.Fatalf("ranked %+v, %v; want the three who went on", ranked, err)
		}
		// Equal on every score but the test's, which breaks the ties:
		// applicant 3 (90), 0 (75), 1 (60).
		if ranked[0].ApplicationID != sr.Apps[3].ID || ranked[1].ApplicationID != sr.Apps[0].ID || ranked[2].ApplicationID != sr.Apps[1].ID ||
			ranked[1].DecidedBy != "online test score" || ranked[2].DecidedBy != "online test score" {
			t.Errorf("the rank: %+v", ranked)
		}
	})
}

// TestServiceTestAfterAssignment: once reviewers have a round's
// applications, an online test can no longer be put before them.
func TestServiceTestAfterAssignment(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 1, Places: []int{1}, Reviewers: 2, Until: testkit.UntilApplied})
		_, err := sr.Service.SetTestRule(ctx, as(sr.School), sr.Round.ID, recruit.TestRule{Rule: recruit.TestRuleTop, Top: 5})
		wantCode(t, "a test added after assignment", err, apperr.Conflict, "can no longer be added")
		if r, err := sr.Service.Round(ctx, sr.Round.ID); err != nil || r.Test.Rule != recruit.TestRuleNone {
			t.Errorf("the round's rule: %+v, %v", r.Test, err)
		}
	})
}

// TestServiceTestOutcomesStayAsPublished: the outcomes are fixed when
// published. With the best score in the specialism going on, the best
// applicant leaving afterwards does not send the next one on.
func TestServiceTestOutcomesStayAsPublished(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 2, Places: []int{1}, Until: testkit.UntilApplied})
		svc, rid, school := sr.Service, sr.Round.ID, as(sr.School)
		if _, err := svc.SetTestRule(ctx, school, rid, recruit.TestRule{Rule: recruit.TestRuleTop, Top: 1}); err != nil {
			t.Fatal(err)
		}
		file := scoresFile(recruit.Reference(sr.Apps[0].ID)+",70", recruit.Reference(sr.Apps[1].ID)+",44")
		if _, err := svc.ImportTestScores(ctx, school, rid, file, false); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.PublishTestOutcomes(ctx, school, rid); err != nil {
			t.Fatal(err)
		}
		if err := svc.Leave(ctx, as(sr.Applicants[0]), sr.Applicants[0].ID); err != nil {
			t.Fatal(err)
		}
		st, err := svc.Status(ctx, sr.Apps[1].ID)
		if err != nil || st.Test == nil || st.Test.GoesOn || st.Standing.Step != recruit.StepNotLonglisted || !strings.Contains(st.Test.Reason, "below 70") {
			t.Fatalf("the second applicant after the first left: %+v %+v, %v", st.Standing, st.Test, err)
		}
		stage, err := svc.TestStage(ctx, rid)
		if err != nil || stage.GoingOn != 0 || len(stage.Outcomes) != 1 || stage.Outcomes[0].GoesOn {
			t.Errorf("the test stage after the first left: %+v, %v", stage, err)
		}
		for i := range 2 {
			u := &auth.User{Name: fmt.Sprintf("Reviewer %d", i), Email: fmt.Sprintf("rv%d@example.org", i)}
			if err := db.CreateUser(ctx, auth.System("test"), u, "", nil); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.AppointReviewer(ctx, school, rid, u.Email, 0); err != nil {
				t.Fatal(err)
			}
		}
		if res, err := svc.AssignReviewers(ctx, school, rid); err != nil || res.Assigned != 0 {
			t.Errorf("assigned %+v, %v; want nobody: one left, the other did not go on", res, err)
		}
		_, err = svc.ImportTestScores(ctx, school, rid, scoresFile(recruit.Reference(sr.Apps[0].ID)+",99"), true)
		wantCode(t, "importing after publishing", err, apperr.Conflict, "were published")
	})
}
