package recruit_test

import (
	"testing"

	"hcs/internal/apperr"
	"hcs/internal/database"
	"hcs/internal/recruit"
	"hcs/internal/testkit"
)

// TestServiceReviewerSeesOnlyTheirsBlind: a reviewer's queue holds the
// applications assigned to them, blind, with the score they gave; anyone
// else is told an application is not found; a withdrawn application leaves
// the queue and cannot be opened.
func TestServiceReviewerSeesOnlyTheirsBlind(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 2, Places: []int{1}, Reviewers: 2, Until: testkit.UntilApplied})
		svc, rid, rev := sr.Service, sr.Round.ID, sr.Reviewers[0]
		a0, a1 := sr.Apps[0].ID, sr.Apps[1].ID

		queue, err := svc.ReviewQueue(ctx, rid, rev.ID)
		if err != nil || len(queue) != 2 {
			t.Fatalf("queue: %d, %v; want both applications", len(queue), err)
		}
		for _, b := range queue {
			if b.YourScore != nil {
				t.Errorf("%s has a score before any review", b.Reference)
			}
		}
		if _, err := svc.Review(ctx, as(rev), a0, 70); err != nil {
			t.Fatal(err)
		}
		queue, _ = svc.ReviewQueue(ctx, rid, rev.ID)
		for _, b := range queue {
			switch {
			case b.ID == a0 && (b.YourScore == nil || *b.YourScore != 70):
				t.Errorf("the reviewed application shows score %v, want 70", b.YourScore)
			case b.ID == a1 && b.YourScore != nil:
				t.Errorf("the unreviewed application shows score %d", *b.YourScore)
			}
		}
		if other, _ := svc.ReviewQueue(ctx, rid, sr.Reviewers[1].ID); other[0].YourScore != nil || other[1].YourScore != nil {
			t.Error("another reviewer sees this reviewer's score as theirs")
		}

		b, err := svc.BlindApplication(ctx, a0, rev.ID)
		if err != nil || b.YourScore == nil || *b.YourScore != 70 || b.ID != a0 || b.Statement == "" {
			t.Fatalf("BlindApplication = %+v, %v", b, err)
		}
		if b, err := svc.BlindApplication(ctx, a1, rev.ID); err != nil || b.YourScore != nil {
			t.Errorf("an unreviewed application: %+v, %v", b, err)
		}
		if _, err := svc.BlindApplication(ctx, a0, sr.Employer.ID); apperr.Code(err) != apperr.NotFound {
			t.Errorf("someone not assigned opened an application: %v, want not found", err)
		}

		// The second applicant leaves: their application leaves the queue.
		if err := svc.Leave(ctx, as(sr.Applicants[1]), sr.Applicants[1].ID); err != nil {
			t.Fatal(err)
		}
		queue, _ = svc.ReviewQueue(ctx, rid, rev.ID)
		if len(queue) != 1 || queue[0].ID != a0 {
			t.Errorf("after a withdrawal the queue holds %d applications", len(queue))
		}
		_, err = svc.BlindApplication(ctx, a1, rev.ID)
		wantCode(t, "opening a withdrawn application", err, apperr.Conflict, "has been withdrawn")
		_, err = svc.Review(ctx, as(rev), a1, 60)
		if err == nil {
			t.Error("a withdrawn application was reviewed")
		}
	})
}

// TestServiceInterviewQueue: a trust's interview queue holds the
// shortlisted applications in the specialisms where it has an open post,
// named, with the scores given so far; another organisation's queue is
// empty, and so is the trust's once its posts are withdrawn.
func TestServiceInterviewQueue(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 2, Places: []int{1}, Reviewers: 2, Until: testkit.UntilApplied})
		svc, rid := sr.Service, sr.Round.ID
		for _, rev := range sr.Reviewers {
			for _, app := range sr.Apps {
				if _, err := svc.Review(ctx, as(rev), app.ID, 80); err != nil {
					t.Fatal(err)
				}
			}
		}
		sr.Clock.Set(testkit.Day(21))
		queue, err := svc.InterviewQueue(ctx, rid, []int64{sr.Trust.ID})
		if err != nil || len(queue) != 2 {
			t.Fatalf("interview queue: %d, %v; want both shortlisted applications", len(queue), err)
		}
		for _, iv := range queue {
			if iv.Applicant.Name == "" || iv.Specialism != "audiology" || len(iv.Scores) != 0 || iv.Reference != recruit.Reference(iv.ApplicationID) {
				t.Errorf("interviewee %+v", iv)
			}
		}
		if _, err := svc.ScoreInterview(ctx, as(sr.Employer), sr.Apps[0].ID, sr.Stations[0].ID, 65); err != nil {
			t.Fatal(err)
		}
		queue, _ = svc.InterviewQueue(ctx, rid, []int64{sr.Trust.ID})
		for _, iv := range queue {
			want := 0
			if iv.ApplicationID == sr.Apps[0].ID {
				want = 1
			}
			if len(iv.Scores) != want {
				t.Errorf("%s has %d scores, want %d", iv.Reference, len(iv.Scores), want)
			}
		}
		panels, err := svc.InterviewPanelsOf(ctx, sr.Apps[0].ID)
		if err != nil || len(panels) != 1 || panels[0] != sr.Trust.ID {
			t.Errorf("panels %v, %v; want the trust", panels, err)
		}
		if other, _ := svc.InterviewQueue(ctx, rid, []int64{987654}); len(other) != 0 {
			t.Errorf("an organisation without posts sees %d interviewees", len(other))
		}
		if _, err := svc.WithdrawPost(ctx, as(sr.Employer), sr.Posts[0].ID); err != nil {
			t.Fatal(err)
		}
		if after, _ := svc.InterviewQueue(ctx, rid, []int64{sr.Trust.ID}); len(after) != 0 {
			t.Errorf("with its post withdrawn the trust still sees %d interviewees", len(after))
		}
	})
}
