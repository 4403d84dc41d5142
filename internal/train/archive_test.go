package train_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/testkit"
	"hcs/internal/train"
	"hcs/internal/xapi"
)

// A completed trainee's whole record exports as an archive and as xAPI
// 2.0 statements that the statement schema accepts, with stable ids; a
// supervisor's export leaves out the trainee's private drafts; nobody
// else's email address is in it.
func TestExportArchiveAndStatements(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		st := testkit.StageTraining(t, db, 1)
		svc, me := st.Train, st.Applicants[0]
		tr := st.Enrol(t, 0)
		st.Clock.Set(testkit.Day(215))
		e := must[*train.Evidence](t)(svc.AddEvidence(ctx, actor(me), tr.ID, train.Draft{Kind: train.EvidenceDOPS, Module: "ROTATIONS",
			Title: "Pure-tone audiometry", OccurredOn: "2027-08-02", Body: "Observed.", AssessorName: "Ann Assessor", AssessorEmail: "ann@example.org"}))
		must[*train.Evidence](t)(svc.SubmitEvidence(ctx, actor(me), e.ID))
		invs := must[[]train.Invitation](t)(invitations(t, db, tr.ID))
		must[*train.Invitation](t)(svc.ApproveAssessor(ctx, actor(st.Officer), invs[0].ID, true))
		must[*train.Evidence](t)(svc.Assess(ctx, auth.Actor{}, lastToken(t, db, "ann@example.org"), train.JudgementSatisfactory, "Clear and careful."))
		must[*train.Evidence](t)(svc.AddEvidence(ctx, actor(me), tr.ID, train.Draft{Kind: train.EvidenceReflection, Module: "IPD",
			Title: "My private thoughts", OccurredOn: "2027-08-03", Body: "Not for anyone yet."}))
		must[*train.ReviewRecord](t)(svc.RecordReview(ctx, actor(st.School), tr.ID, train.ReviewRecord{Review: "six-month-check-in", Month: 6, HeldOn: "2027-08-05", Panel: "Dr One"}))
		st.Clock.Set(testkit.Day(400))
		testkit.FinishTraining(t, svc, tr, actor(me), actor(st.Supervisors[0]), actor(st.School), "2028-01-10")

		a := must[*train.Archive](t)(svc.Export(ctx, tr.ID, me.ID))
		if a.Format != train.ArchiveFormat || a.Trainee.Name != me.Name || a.Trainee.Status != train.TraineeCompleted || a.Trainee.TrainingOfficer != st.Officer.Name ||
			len(a.Certificates) != 1 || len(a.Certificates[0].Credential) == 0 || len(a.Reviews) != 1 || len(a.Records) != 2 {
			t.Fatalf("archive %+v", a.Trainee)
		}
		var assessed *train.ArchiveEvidence
		private := false
		for i, ev := range a.Evidence {
			if ev.Title == "Pure-tone audiometry" {
				assessed = &a.Evidence[i]
			}
			private = private || ev.Title == "My private thoughts"
		}
		if assessed == nil || assessed.Judgement != train.JudgementSatisfactory || assessed.AssessorName != "Ann Assessor" || !private {
			t.Errorf("the trainee's archive lacks their assessment or their draft: %+v", a.Evidence)
		}
		b, _ := json.Marshal(a)
		if strings.Contains(string(b), "ann@example.org") {
			t.Error("the archive holds the assessor's email address")
		}
		sup := must[*train.Archive](t)(svc.Export(ctx, tr.ID, st.Supervisors[0].ID))
		for _, ev := range sup.Evidence {
			if ev.Title == "My private thoughts" {
				t.Error("the supervisor's export holds the trainee's private draft")
			}
		}

		statements := must[[]xapi.Statement](t)(svc.Statements(ctx, tr.ID, me.ID))
		ids := map[string]bool{}
		verbs := map[string]int{}
		for _, s := range statements {
			if err := testkit.CheckXAPIStatement(t, s); err != nil {
				t.Errorf("statement %s (%s %s): %v", s.ID, s.Verb.ID, s.Object.ID, err)
			}
			if ids[s.ID] {
				t.Errorf("statement id %s is used twice", s.ID)
			}
			ids[s.ID] = true
			verbs[s.Verb.Display["en-GB"]]++
		}
		// Submitted entries, the judgement, sign-offs, the review, the two
		// records and the completion; never the private draft.
		if verbs["passed"] < 3 || verbs["completed"] < 3 {
			t.Errorf("verbs %v", verbs)
		}
		for _, s := range statements {
			if s.Object.Definition != nil && s.Object.Definition.Name["en-GB"] == "My private thoughts" {
				t.Error("a statement tells of a private draft")
			}
		}
		again := must[[]xapi.Statement](t)(svc.Statements(ctx, tr.ID, me.ID))
		if !reflect.DeepEqual(statements, again) {
			t.Error("exporting twice gave different statements")
		}
	})
}
