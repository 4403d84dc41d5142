package train_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/testkit"
	"hcs/internal/train"
)

// transferred stages a trainee part-way through training on db, with a
// change, an assessed DOPS with a file, a reflection, an assessment still
// waiting for its assessor, a private draft, a sign-off and its
// reopening, a review and a record, and returns their archive as they
// export it themselves.
func transferred(t *testing.T, db *database.DB) (*testkit.StagedTraining, *train.Trainee, []byte) {
	t.Helper()
	st := testkit.StageTraining(t, db, 1)
	svc, me, sup := st.Train, actor(st.Applicants[0]), actor(st.Supervisors[0])
	tr := st.Enrol(t, 0)
	st.Clock.Set(testkit.Day(215))
	must[*train.Trainee](t)(svc.RecordChange(ctx, actor(st.Officer), tr.ID, train.Change{Kind: train.ChangeTimeOut, From: "2027-07-26", To: "2027-07-30",
		Reason: "Illness"}, train.Team{}))
	dops := must[*train.Evidence](t)(svc.AddEvidence(ctx, me, tr.ID, train.Draft{Kind: train.EvidenceDOPS, Module: "IPD", Title: "Tympanometry",
		OccurredOn: "2027-08-02", Body: "Observed.", AssessorName: "Ann Assessor", AssessorEmail: "ann@example.org"}))
	must[*train.Attachment](t)(svc.Attach(ctx, me, dops.ID, "form.pdf", pdf))
	must[*train.Evidence](t)(svc.SubmitEvidence(ctx, me, dops.ID))
	invs := must[[]train.Invitation](t)(invitations(t, db, tr.ID))
	must[*train.Invitation](t)(svc.ApproveAssessor(ctx, actor(st.Officer), invs[0].ID, true))
	must[*train.Evidence](t)(svc.Assess(ctx, auth.Actor{}, lastToken(t, db, "ann@example.org"), train.JudgementSatisfactory, "Careful."))
	must[*train.Evidence](t)(svc.SaveAndSubmit(ctx, me, tr.ID, 0, train.Draft{Kind: train.EvidenceReflection, Module: "ROTATIONS", Title: "Audit",
		OccurredOn: "2027-08-03", Body: "What I learned."}))
	must[*train.Evidence](t)(svc.SaveAndSubmit(ctx, me, tr.ID, 0, train.Draft{Kind: train.EvidenceOCE, Module: "IPD", Title: "Clinic",
		OccurredOn: "2027-08-04", Body: "Ran a clinic.", AssessorName: "Ann Assessor", AssessorEmail: "ann@example.org"}))
	must[*train.Evidence](t)(svc.AddEvidence(ctx, me, tr.ID, train.Draft{Kind: train.EvidenceReflection, Module: "IPD", Title: "Private thoughts",
		OccurredOn: "2027-08-05", Body: "Mine."}))
	must[*train.SignOff](t)(svc.SignOff(ctx, sup, tr.ID, "IPD", ""))
	must[*train.SignOff](t)(svc.SignOff(ctx, sup, tr.ID, "ROTATIONS", ""))
	must[*train.SignOff](t)(svc.Reopen(ctx, sup, tr.ID, "ROTATIONS", "", "Signed too early"))
	must[*train.ReviewRecord](t)(svc.RecordReview(ctx, actor(st.School), tr.ID, train.ReviewRecord{Review: "six-month-check-in", HeldOn: "2027-08-05",
		Panel: "Dr Panel"}))
	must[*train.Record](t)(svc.AddRecord(ctx, actor(st.School), tr.ID, "MSc Clinical Science awarded", "2027-08-05"))
	a := must[*train.Archive](t)(svc.Export(ctx, tr.ID, st.Applicants[0].ID))
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	return st, tr, b
}

// other is a fresh database of the other kind than db, so that an
// archive travels between them.
func other(t *testing.T, db *database.DB) *database.DB {
	if db.Dialect == database.Postgres {
		return testkit.SQLiteDB(t)
	}
	return testkit.PostgresDB(t)
}

// An archive exported from one service imports into another (SQLite to
// PostgreSQL and back): the record waits for its new training officer;
// the e-portfolio, files, sign-offs (with who made them there), reviews
// and records arrive as they were; the assessment that waited for an
// assessor is a draft again; the rules find the same progress; and the
// new record exports the same content.
func TestImportCarriesTheRecordAcross(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		src, from, archive := transferred(t, db)
		to := testkit.StageTraining(t, other(t, db), 1)
		to.Clock.Set(testkit.Day(230))
		// What a reflection cannot hold, smuggled into the archive, is not
		// kept.
		var m map[string]any
		json.Unmarshal(archive, &m)
		for _, e := range m["evidence"].([]any) {
			if e := e.(map[string]any); e["title"] == "Audit" {
				e["judgement"], e["assessor_name"], e["feedback"] = "satisfactory", "Dr Nobody\u0000", "Forged"
			}
		}
		archive, _ = json.Marshal(m)
		a := must[*train.Archive](t)(train.ReadArchive(archive))
		team := train.Team{DepartmentID: to.Dept.ID, TrainingOfficerID: to.Officer.ID, Supervisors: []int64{to.Supervisors[1].ID}}
		got := must[*train.Imported](t)(to.Train.Import(ctx, actor(to.Officer), a, train.Transfer{Email: strings.ToUpper(to.Applicants[0].Email), Team: team}))
		tr := got.Trainee
		if tr.Status != train.TraineePending || tr.UserID != to.Applicants[0].ID || tr.StartDate != from.StartDate || tr.Curriculum != from.Curriculum ||
			tr.ImportedFrom != "http://hcs.test, exported on 7 August 2027" {
			t.Errorf("imported record %+v", tr)
		}
		before := must[*train.Trainee](t)(src.Train.Trainee(ctx, from.ID))
		if tr.ExpectedEnd != before.ExpectedEnd {
			t.Errorf("expected end %s, was %s where it came from", tr.ExpectedEnd, before.ExpectedEnd)
		}
		if got.Changes != 1 || got.Entries != 4 || got.Files != 1 || got.SignOffs != 2 || got.Reviews != 1 || got.Records != 1 ||
			len(got.Redrafted) != 1 || got.Redrafted[0] != "Clinic" {
			t.Errorf("imported %+v", got)
		}
		must[*train.Trainee](t)(to.Train.Confirm(ctx, actor(to.Officer), tr.ID))
		p := must[*train.Portfolio](t)(to.Train.Portfolio(ctx, tr.ID))
		for _, so := range p.SignOffs {
			if so.SignedBy != to.Officer.ID || !strings.Contains(so.ImportedFrom, "signed off by "+src.Supervisors[0].Name) {
				t.Errorf("imported sign-off %+v", so)
			}
		}
		for _, e := range p.Evidence {
			if e.Title == "Audit" && (e.Judgement != "" || e.AssessorName != "" || e.Feedback != "") {
				t.Errorf("the reflection kept %+v", e)
			}
		}
		files := must[[]train.Attachment](t)(to.Train.Attachments(ctx, tr.ID, 0))
		if len(files) != 1 || !bytes.Equal(must[*train.AttachedFile](t)(to.Train.File(ctx, files[0].ID, true)).File.Content, pdf) {
			t.Errorf("files %+v", files)
		}
		// The same progress, by the same rules.
		was := must[*train.Portfolio](t)(src.Train.Portfolio(ctx, from.ID))
		s1 := must[train.Status](t)(src.Train.Status(ctx, was))
		s2 := must[train.Status](t)(to.Train.Status(ctx, p))
		if len(s1.Modules) != len(s2.Modules) {
			t.Fatalf("modules %d and %d", len(s1.Modules), len(s2.Modules))
		}
		for i := range s1.Modules {
			m1, m2 := s1.Modules[i], s2.Modules[i]
			if m1.SignOff.Signed() != m2.SignOff.Signed() || m1.Signed != m2.Signed || m1.Counting != m2.Counting || m1.Quota != m2.Quota {
				t.Errorf("module %s: %+v there, %+v here", m1.Module.Code, m1, m2)
			}
		}
		// Exported again, the content is the same.
		again := must[*train.Archive](t)(to.Train.Export(ctx, tr.ID, to.Applicants[0].ID))
		if len(again.Evidence) != len(a.Evidence) || len(again.SignOffs) != len(a.SignOffs) || len(again.Reviews) != 1 || len(again.Records) != 1 {
			t.Fatalf("exported again: %d entries, %d sign-offs", len(again.Evidence), len(again.SignOffs))
		}
		for i, e := range again.Evidence {
			if e.Title != a.Evidence[i].Title || e.Body != a.Evidence[i].Body || len(e.Files) != len(a.Evidence[i].Files) {
				t.Errorf("entry %d: %q, was %q", i, e.Title, a.Evidence[i].Title)
			}
		}
		if testkit.AuditCount(t, to.DB, "trainee.import") != 1 {
			t.Error("the import is not in the record's history")
		}

		// A second transfer keeps who signed off first, and the reopened
		// sign-off (its reopener unknown here) imports again.
		b, err := json.Marshal(again)
		if err != nil {
			t.Fatal(err)
		}
		third := testkit.StageTraining(t, testkit.SQLiteDB(t), 1)
		third.Clock.Set(testkit.Day(240))
		moved := must[*train.Imported](t)(third.Train.Import(ctx, actor(third.Officer), must[*train.Archive](t)(train.ReadArchive(b)),
			train.Transfer{Email: third.Applicants[0].Email, Team: train.Team{DepartmentID: third.Dept.ID, TrainingOfficerID: third.Officer.ID,
				Supervisors: []int64{third.Supervisors[0].ID}}}))
		p3 := must[*train.Portfolio](t)(third.Train.Portfolio(ctx, moved.Trainee.ID))
		for _, so := range p3.SignOffs {
			if !strings.HasPrefix(so.ImportedFrom, "signed off by "+src.Supervisors[0].Name+" at http://hcs.test;") ||
				!strings.HasSuffix(so.ImportedFrom, "; accepted by "+to.Officer.Name+" at http://hcs.test") {
				t.Errorf("after a second transfer: %q", so.ImportedFrom)
			}
		}
		// Signed again here, a sign-off is this service's own.
		must[*train.Trainee](t)(third.Train.Confirm(ctx, actor(third.Officer), moved.Trainee.ID))
		again3 := must[*train.SignOff](t)(third.Train.SignOff(ctx, actor(third.Supervisors[0]), moved.Trainee.ID, "ROTATIONS", ""))
		if again3.ImportedFrom != "" || again3.SignedBy != third.Supervisors[0].ID {
			t.Errorf("signed again here: %+v", again3)
		}
	})
}

// What is wrong with an archive is named, with where in the archive it
// is, and nothing is saved.
func TestImportRefusesWhatIsWrongAndSavesNothing(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		_, _, archive := transferred(t, db)
		to := testkit.StageTraining(t, other(t, db), 2)
		to.Clock.Set(testkit.Day(230))
		team := train.Team{DepartmentID: to.Dept.ID, TrainingOfficerID: to.Officer.ID, Supervisors: []int64{to.Supervisors[0].ID}}
		in := train.Transfer{Email: to.Applicants[0].Email, Team: team}
		edit := func(change func(m map[string]any)) *train.Archive {
			var m map[string]any
			json.Unmarshal(archive, &m)
			change(m)
			b, _ := json.Marshal(m)
			a, err := train.ReadArchive(b)
			if err != nil {
				t.Fatalf("edited archive: %v", err)
			}
			return a
		}
		entry := func(m map[string]any, i int) map[string]any { return m["evidence"].([]any)[i].(map[string]any) }
		for name, c := range map[string]struct {
			a    *train.Archive
			in   train.Transfer
			code string
			says string
		}{
			"module not here": {edit(func(m map[string]any) { entry(m, 1)["module"] = "ASTROLOGY" }), in, apperr.Invalid, `Entry 2 ("Clinic")`},
			"damaged file": {edit(func(m map[string]any) {
				f := entry(m, 3)["files"].([]any)[0].(map[string]any)
				f["sha256"] = strings.Repeat("0", 64)
			}), in, apperr.Invalid, "form.pdf does not match"},
			"sign-off of a module not here": {edit(func(m map[string]any) {
				m["sign_offs"].([]any)[0].(map[string]any)["module"] = "NOPE"
			}), in, apperr.Invalid, "Sign-off 1"},
			"unknown curriculum": {edit(func(m map[string]any) { m["trainee"].(map[string]any)["curriculum"] = "stp-1999" }), in, apperr.Invalid, "stp-1999"},
			"completed":          {edit(func(m map[string]any) { m["trainee"].(map[string]any)["status"] = "completed" }), in, apperr.Conflict, "certificate"},
			"nobody here":        {edit(func(m map[string]any) {}), train.Transfer{Email: "stranger@example.org", Team: team}, apperr.Invalid, "No account here"},
			"review in the future": {edit(func(m map[string]any) {
				m["reviews"].([]any)[0].(map[string]any)["held_on"] = "2030-01-01"
			}), in, apperr.Invalid, "Review 1"},
			"no supervisors": {edit(func(m map[string]any) {}), train.Transfer{Email: to.Applicants[0].Email,
				Team: train.Team{DepartmentID: to.Dept.ID, TrainingOfficerID: to.Officer.ID}}, apperr.Invalid, "supervisor"},
			"someone else's record": {edit(func(m map[string]any) {}), train.Transfer{Email: to.Applicants[1].Email, Team: team}, apperr.Invalid,
				"the account with the address " + to.Applicants[1].Email},
			"assessed before submitted": {edit(func(m map[string]any) {
				entry(m, 3)["assessed_at"] = "2027-08-01T09:00:00Z"
			}), in, apperr.Invalid, "assessed before it was submitted"},
			"reopened without a reason": {edit(func(m map[string]any) {
				for _, so := range m["sign_offs"].([]any) {
					if so := so.(map[string]any); so["status"] == "reopened" {
						so["reopen_reason"] = ""
					}
				}
			}), in, apperr.Invalid, "reopened without a reason"},
			"source not an address": {edit(func(m map[string]any) { m["source"] = "Click here: evil" }), in, apperr.Invalid, "which service exported it"},
		} {
			_, err := to.Train.Import(ctx, actor(to.Officer), c.a, c.in)
			if apperr.Code(err) != c.code || !strings.Contains(apperr.Message(err), c.says) {
				t.Errorf("%s: %v (%s), want %s saying %q", name, err, apperr.Code(err), c.code, c.says)
			}
		}
		// An officer does not import their own record.
		self := edit(func(m map[string]any) { m["trainee"].(map[string]any)["name"] = to.Officer.Name })
		_, err := to.Train.Import(ctx, actor(to.Officer), self, train.Transfer{Email: to.Officer.Email, Team: train.Team{DepartmentID: to.Dept.ID,
			TrainingOfficerID: to.Officer.ID, Supervisors: []int64{to.Supervisors[0].ID}}})
		wantCode(t, err, apperr.Forbidden)
		for _, table := range []string{"trainees", "evidence", "evidence_files", "sign_offs", "training_reviews", "training_records", "training_changes"} {
			if n := testkit.Count(t, to.DB, "SELECT COUNT(*) FROM "+table); n != 0 {
				t.Errorf("%d rows in %s after refused imports", n, table)
			}
		}
		// Not an archive at all.
		for _, bad := range []string{"", "[]", `{"format":"something-else"}`, `{"format":"hcs-training-archive/1","mood":"happy"}`, `{"format":"hcs-training-archive/1"} {}`, "{"} {
			if _, err := train.ReadArchive([]byte(bad)); apperr.Code(err) != apperr.Invalid || apperr.Field(err) != "archive" {
				t.Errorf("%q: %v", bad, err)
			}
		}
		// One record in progress per person, however many imports arrive
		// at once.
		a := must[*train.Archive](t)(train.ReadArchive(archive))
		testkit.WarmPool(t, to.DB, 6)
		var made atomic.Int32
		testkit.Together(6, func(i int) {
			if _, err := to.Train.Import(ctx, actor(to.Officer), a, in); err == nil {
				made.Add(1)
			} else if apperr.Code(err) != apperr.Conflict {
				t.Errorf("import %d: %v", i, err)
			}
		})
		if made.Load() != 1 || testkit.Count(t, to.DB, "SELECT COUNT(*) FROM trainees") != 1 {
			t.Errorf("%d of 6 concurrent imports made a record, want 1", made.Load())
		}
	})
}

// A person trains in one place at a time: once their record is imported,
// their accepted offer here does not start a second.
func TestImportedThenEnrolledIsOneRecord(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		_, _, archive := transferred(t, db)
		to := testkit.StageTraining(t, other(t, db), 1)
		to.Clock.Set(testkit.Day(230))
		team := train.Team{DepartmentID: to.Dept.ID, TrainingOfficerID: to.Officer.ID, Supervisors: []int64{to.Supervisors[0].ID}}
		must[*train.Imported](t)(to.Train.Import(ctx, actor(to.Officer), must[*train.Archive](t)(train.ReadArchive(archive)),
			train.Transfer{Email: to.Applicants[0].Email, Team: team}))
		_, err := to.Train.Enrol(ctx, actor(to.Officer), train.Enrolment{OfferID: to.Offers[0].ID, Team: team})
		wantCode(t, err, apperr.Conflict)
	})
}
