package recruit_test

import (
	"testing"

	"hcs/internal/apperr"
	"hcs/internal/database"
	"hcs/internal/recruit"
	"hcs/internal/testkit"
)

// TestServiceInServiceCascade: on both databases, with one direct-entry
// post and one in-service post, a nominee is ranked among nominees, a
// direct-entry applicant may not rank the in-service post, the match
// gives each route its own post, and the cascade keeps them apart: a
// freed direct-entry place goes down the direct-entry ranking, and a freed
// in-service place to no direct-entry applicant, even one whose stored
// preferences name it.
func TestServiceInServiceCascade(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 4, Places: []int{1, 1}, Reviewers: 2, Until: testkit.UntilInterviewed})
		svc := sr.Service
		direct, inService := sr.Posts[0], sr.Posts[1]
		// Post 2 is in-service, and applicant 3 is its trust's nominee (set
		// here in the rows, as if made before applications closed).
		if err := db.Write(ctx, func(tx *database.Tx) error {
			if _, err := tx.Exec(ctx, "UPDATE posts SET in_service = 1 WHERE id = $1", inService.ID); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO nominations (round_id, post_id, organisation_id, user_id, created_at) VALUES ($1, $2, $3, $4, $5)",
				sr.Round.ID, inService.ID, sr.Trust.ID, sr.Applicants[3].ID, tx.Now)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		ranked, err := svc.RankRound(ctx, as(sr.School), sr.Round.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range ranked {
			if nominee := r.ApplicationID == sr.Apps[3].ID; r.InService != nominee || nominee && r.Rank != 1 {
				t.Errorf("ranked %+v: the nominee alone is ranked among nominees", r)
			}
		}
		_, err = svc.SetPreferences(ctx, as(sr.Applicants[0]), sr.Apps[0].ID, []int64{inService.ID, direct.ID})
		wantCode(t, "a direct-entry applicant ranking the in-service post", err, apperr.Invalid, "in-service post")
		_, err = svc.SetPreferences(ctx, as(sr.Applicants[3]), sr.Apps[3].ID, []int64{direct.ID})
		wantCode(t, "a nominee ranking a direct-entry post", err, apperr.Invalid, "for direct entry")
		for i, prefs := range [][]int64{{direct.ID}, {direct.ID}, {direct.ID}, {inService.ID}} {
			if _, err := svc.SetPreferences(ctx, as(sr.Applicants[i]), sr.Apps[i].ID, prefs); err != nil {
				t.Fatal(err)
			}
		}
		// Applicant 2's stored preferences name the in-service post too.
		if err := db.Write(ctx, func(tx *database.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO preferences (application_id, post_id, rank) VALUES ($1, $2, 2)", sr.Apps[2].ID, inService.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		sr.Clock.Set(testkit.Day(41))
		out, err := svc.PublishMatch(ctx, as(sr.School), sr.Round.ID)
		if err != nil {
			t.Fatal(err)
		}
		if out.Assignments[sr.Apps[0].ID] != direct.ID || out.Assignments[sr.Apps[3].ID] != inService.ID || out.Assignments[sr.Apps[2].ID] != 0 {
			t.Fatalf("the match: %v", out.Assignments)
		}
		// Applicant 0 declines: the direct-entry place goes to applicant 1.
		if _, err := svc.AnswerOffer(ctx, as(sr.Applicants[0]), liveOffer(t, sr, 0).ID, recruit.AnswerDecline, false); err != nil {
			t.Fatal(err)
		}
		if o := liveOffer(t, sr, 1); o == nil || o.PostID != direct.ID {
			t.Errorf("the freed direct-entry place went to %+v, want applicant 1", o)
		}
		// The nominee declines: nobody else may hold the in-service post.
		if _, err := svc.AnswerOffer(ctx, as(sr.Applicants[3]), liveOffer(t, sr, 3).ID, recruit.AnswerDecline, false); err != nil {
			t.Fatal(err)
		}
		if o := liveOffer(t, sr, 2); o != nil {
			t.Errorf("the freed in-service place went to a direct-entry applicant: %+v", o)
		}
		if n := testkit.Count(t, db, "SELECT COUNT(*) FROM offers WHERE post_id = $1 AND status IN ('offered', 'held', 'accepted', 'unconditional')", inService.ID); n != 0 {
			t.Errorf("%d live offers of the in-service post, want none", n)
		}
	})
}
