package train

import (
	"context"
	"fmt"
	"strings"
	"time"

	"hcs/internal/framework"
	"hcs/internal/xapi"
)

// xAPI 2.0 (IEEE 9274.1.1) statements of a trainee's record, for a
// learning record store: each submitted entry, each assessor's judgement,
// each sign-off, review, result and the completion, as something the
// trainee did, with the curriculum's module as its parent activity.
// Statement ids are derived from the record, so exporting twice gives the
// same statements.

// Statements are a trainee's record as xAPI statements, as the viewer
// sees it, oldest first.
func (s *Service) Statements(ctx context.Context, traineeID, viewer int64) ([]xapi.Statement, error) {
	type record struct {
		t *Trainee
		a *Archive
	}
	r, err := read(ctx, s, func(tx Tx) (record, error) {
		t, err := tx.Trainee(traineeID)
		if err != nil {
			return record{}, err
		}
		a, err := s.export(tx, t, viewer, false) // statements point to files; they do not carry them
		return record{t, a}, err
	})
	if err != nil {
		return nil, err
	}
	t, a := r.t, r.a
	cu, err := s.curriculumOf(t)
	if err != nil {
		return nil, err
	}
	gb := func(s string) map[string]string { return map[string]string{"en-GB": s} }
	base := s.publicURL + "/curricula/" + cu.ID
	actor := xapi.Agent{ObjectType: "Agent", Name: t.Name, Account: xapi.Account{HomePage: s.publicURL, Name: fmt.Sprintf("user-%d", t.UserID)}}
	registration := stableUUID(fmt.Sprintf("%s/training/trainees/%d", s.publicURL, t.ID))
	curriculum := xapi.Activity{ObjectType: "Activity", ID: base, Definition: &xapi.Definition{Name: gb(cu.Name + ", " + t.Specialism), Type: xapi.ActivityCourse}}
	module := func(code string) xapi.Activity {
		name := code
		if m := cu.Module(code); m != nil && m.Title != "" {
			name = code + ": " + m.Title
		}
		return xapi.Activity{ObjectType: "Activity", ID: base + "/modules/" + code, Definition: &xapi.Definition{Name: gb(name), Type: xapi.ActivityModule}}
	}
	context := func(parent ...xapi.Activity) *xapi.Context {
		return &xapi.Context{Registration: registration, Platform: "hcs", Language: "en-GB",
			ContextActivities: xapi.ContextActivities{Parent: parent, Grouping: []xapi.Activity{curriculum}}}
	}
	yes, no := true, false
	var out []xapi.Statement
	add := func(key string, verb, display string, object xapi.Activity, result *xapi.Result, c *xapi.Context, at time.Time) {
		out = append(out, xapi.Statement{ID: stableUUID(registration + "/" + key), Actor: actor, Verb: xapi.Verb{ID: verb, Display: gb(display)},
			Object: object, Result: result, Context: c, Timestamp: at.UTC().Format(time.RFC3339), Version: xapi.Version})
	}
	for _, e := range a.Evidence {
		if e.SubmittedAt == nil {
			continue // a draft is not something done yet
		}
		kind := xapi.ActivityPerformance
		if Assessed(e.Kind) {
			kind = xapi.ActivityAssessment
		}
		entry := xapi.Activity{ObjectType: "Activity", ID: s.publicURL + "/xapi/" + e.Ref,
			Definition: &xapi.Definition{Name: gb(e.Title), Description: gb(EvidenceNames[e.Kind]), Type: kind}}
		add(e.Ref+"/submitted", xapi.VerbCompleted, "completed", entry, &xapi.Result{Completion: &yes}, context(module(e.Module)), *e.SubmittedAt)
		for _, f := range e.Files {
			out[len(out)-1].Attachments = append(out[len(out)-1].Attachments, xapi.Attachment{UsageType: xapi.UsageSupportingMedia,
				Display: gb(f.Name), ContentType: f.MediaType, Length: f.Size, SHA2: f.SHA256, FileURL: fmt.Sprintf("%s/training/files/%d", s.publicURL, f.ID)})
		}
		if e.AssessedAt != nil {
			verb, display, ok := xapi.VerbPassed, "passed", &yes
			if e.Judgement != JudgementSatisfactory {
				verb, display, ok = xapi.VerbFailed, "failed", &no
			}
			add(e.Ref+"/assessed", verb, display, entry, &xapi.Result{Success: ok, Response: e.Feedback}, context(module(e.Module)), *e.AssessedAt)
		}
	}
	for _, so := range a.SignOffs {
		object := module(so.Module)
		if so.Competency != "" {
			object = xapi.Activity{ObjectType: "Activity", ID: object.ID + "/competencies/" + so.Competency,
				Definition: &xapi.Definition{Name: gb("Competency " + so.Competency), Type: xapi.ActivityPerformance}}
		}
		add("sign-off/"+so.Module+"/"+so.Competency+"/"+so.SignedAt.UTC().Format(time.RFC3339), xapi.VerbPassed, "passed", object,
			&xapi.Result{Success: &yes, Completion: &yes, Response: "Signed off by " + so.SignedBy}, context(curriculum), so.SignedAt)
	}
	for _, r := range a.Reviews {
		held, err := time.Parse(DateFormat, r.HeldOn)
		if err != nil {
			return nil, fmt.Errorf("train: review held on %q: %w", r.HeldOn, err)
		}
		review := xapi.Activity{ObjectType: "Activity", ID: fmt.Sprintf("%s/reviews/%s/month-%d", base, r.Review, r.Month),
			Definition: &xapi.Definition{Name: gb(r.Title), Type: xapi.ActivityMeeting}}
		key := fmt.Sprintf("review/%s/%d", r.Review, r.Month)
		switch {
		case r.Outcome > 0:
			add(key, xapi.VerbCompleted, "completed", review, &xapi.Result{Completion: &yes, Response: fmt.Sprintf("Outcome %d", r.Outcome)}, context(curriculum), held)
		case r.Met:
			add(key, xapi.VerbPassed, "passed", review, &xapi.Result{Success: &yes}, context(curriculum), held)
		default:
			add(key, xapi.VerbFailed, "failed", review, &xapi.Result{Success: &no, Response: "Missing: " + strings.Join(r.Missing, "; ")}, context(curriculum), held)
		}
	}
	for _, r := range a.Records {
		on, err := time.Parse(DateFormat, r.RecordedOn)
		if err != nil {
			return nil, fmt.Errorf("train: record on %q: %w", r.RecordedOn, err)
		}
		record := xapi.Activity{ObjectType: "Activity", ID: base + "/records/" + framework.Slug(r.Name),
			Definition: &xapi.Definition{Name: gb(r.Name), Type: xapi.ActivityAssessment}}
		add("record/"+framework.Slug(r.Name), xapi.VerbPassed, "passed", record, &xapi.Result{Success: &yes}, context(curriculum), on)
	}
	if a.Trainee.CompletedAt != nil {
		add("completion", xapi.VerbCompleted, "completed", curriculum, &xapi.Result{Completion: &yes, Success: &yes}, &xapi.Context{Registration: registration,
			Platform: "hcs", Language: "en-GB"}, *a.Trainee.CompletedAt)
	}
	if out == nil {
		out = []xapi.Statement{}
	}
	return out, nil
}
