package recruit_test

import (
	"fmt"
	"slices"
	"testing"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/recruit"
	"hcs/internal/testkit"
)

// TestServiceChangesPosts: an employer changes or withdraws a post until
// matching begins; each change is saved, validated and audited, and a
// withdrawn post cannot be changed again.
func TestServiceChangesPosts(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 2, Places: []int{1, 2}, Reviewers: 2, Until: testkit.UntilApplied})
		svc, by := sr.Service, as(sr.Employer)
		p0, p1 := sr.Posts[0].ID, sr.Posts[1].ID

		got, err := svc.UpdatePost(ctx, by, p0, recruit.PostChange{Site: "New Site", Places: 3, Contact: "new@example.org"})
		if err != nil || got.Site != "New Site" || got.Places != 3 || got.Contact != "new@example.org" {
			t.Fatalf("UpdatePost = %+v, %v", got, err)
		}
		saved, err := svc.Post(ctx, p0)
		if err != nil || saved.Site != "New Site" || saved.Places != 3 || saved.Contact != "new@example.org" {
			t.Errorf("after UpdatePost the post reads %+v, %v", saved, err)
		}
		_, err = svc.UpdatePost(ctx, by, p0, recruit.PostChange{Site: "", Places: 0, Contact: ""})
		if apperr.Code(err) != apperr.Invalid {
			t.Errorf("an empty change: %v, want invalid", err)
		}
		if again, _ := svc.Post(ctx, p0); again.Site != "New Site" || again.Places != 3 {
			t.Errorf("a refused change was saved: %+v", again)
		}
		_, err = svc.UpdatePost(ctx, by, 987654, recruit.PostChange{Site: "x", Places: 1, Contact: "c"})
		if apperr.Code(err) != apperr.NotFound {
			t.Errorf("changing a post that does not exist: %v, want not found", err)
		}

		w, err := svc.WithdrawPost(ctx, by, p1)
		if err != nil || w.Status != recruit.PostWithdrawn {
			t.Fatalf("WithdrawPost = %+v, %v", w, err)
		}
		if saved, _ := svc.Post(ctx, p1); saved.Status != recruit.PostWithdrawn {
			t.Errorf("after WithdrawPost the post is %q", saved.Status)
		}
		_, err = svc.WithdrawPost(ctx, by, p1)
		wantCode(t, "withdrawing twice", err, apperr.Conflict, "was withdrawn")
		_, err = svc.UpdatePost(ctx, by, p1, recruit.PostChange{Site: "x", Places: 1, Contact: "c"})
		wantCode(t, "changing a withdrawn post", err, apperr.Conflict, "was withdrawn")
		if _, err := svc.WithdrawPost(ctx, by, 987654); apperr.Code(err) != apperr.NotFound {
			t.Errorf("withdrawing a post that does not exist: %v, want not found", err)
		}

		// From matching on, nothing changes.
		sr.Clock.Set(testkit.Day(41))
		_, err = svc.UpdatePost(ctx, by, p0, recruit.PostChange{Site: "Late", Places: 1, Contact: "c"})
		wantCode(t, "changing a post once matching began", err, apperr.Conflict, "until matching began")
		_, err = svc.WithdrawPost(ctx, by, p0)
		wantCode(t, "withdrawing a post once matching began", err, apperr.Conflict, "until matching began")

		entries, err := db.Audit(ctx, auth.AuditFilter{RecordType: "post", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range entries {
			if e.RecordID == fmt.Sprint(p0) || e.RecordID == fmt.Sprint(p1) {
				actions = append(actions, e.Action)
			}
			if (e.Action == "post.update" || e.Action == "post.withdraw") && e.ActorID != sr.Employer.ID {
				t.Errorf("%s audited as user %d, not the employer", e.Action, e.ActorID)
			}
		}
		for _, want := range []string{"post.update", "post.withdraw"} {
			if n := count(actions, want); n != 1 {
				t.Errorf("%d %s entries, want 1 (refused changes are not audited): %v", n, want, actions)
			}
		}
	})
}

func count(list []string, v string) int {
	n := 0
	for _, x := range list {
		if x == v {
			n++
		}
	}
	return n
}

// TestServicePostRanking: where the round allows it, an employer lists a
// post's applicants in its own order in the preferences stage; only ranked
// applicants of the post's specialism, each once, never the employer's
// own application; an empty list returns to the national rank.
func TestServicePostRanking(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 3, Places: []int{1, 1}, Reviewers: 2, Until: testkit.UntilInterviewed, EmployerRanking: true})
		svc, by := sr.Service, as(sr.Employer)
		post := sr.Posts[0].ID
		// Ranking happens in the preferences stage, once the round is ranked.
		sr.Clock.Set(testkit.Day(31))
		if _, err := svc.RankRound(ctx, as(sr.School), sr.Round.ID); err != nil {
			t.Fatal(err)
		}
		ranked, err := svc.PostApplicants(ctx, post)
		if err != nil || len(ranked) != 3 {
			t.Fatalf("PostApplicants = %d, %v; want the 3 ranked applicants", len(ranked), err)
		}
		for i, ra := range ranked {
			if ra.NationalRank != i+1 || ra.OwnRank != 0 || ra.Applicant.Name == "" || ra.Reference != recruit.Reference(ra.ApplicationID) {
				t.Errorf("applicant %d: %+v; want national rank %d, not on an own list, named", i, ra, i+1)
			}
		}
		own := []int64{ranked[2].ApplicationID, ranked[0].ApplicationID}
		if err := svc.SetPostRanking(ctx, by, post, own); err != nil {
			t.Fatal(err)
		}
		after, _ := svc.PostApplicants(ctx, post)
		for _, ra := range after {
			want := slices.Index(own, ra.ApplicationID) + 1
			if ra.OwnRank != want {
				t.Errorf("%s: own rank %d, want %d", ra.Reference, ra.OwnRank, want)
			}
		}
		if other, _ := svc.PostApplicants(ctx, sr.Posts[1].ID); other[0].OwnRank != 0 {
			t.Error("another post's applicants took this post's list")
		}

		for _, tc := range []struct {
			name string
			list []int64
			code string
		}{
			{"an application that does not exist", []int64{987654}, apperr.Invalid},
			{"an application listed twice", []int64{own[0], own[0]}, apperr.Invalid},
		} {
			if err := svc.SetPostRanking(ctx, by, post, tc.list); apperr.Code(err) != tc.code {
				t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
			}
		}
		if again, _ := svc.PostApplicants(ctx, post); again[2].OwnRank != 1 {
			t.Error("a refused list changed the saved one")
		}
		// The employer's own application is never theirs to rank.
		err = svc.SetPostRanking(ctx, as(sr.Applicants[1]), post, []int64{sr.Apps[1].ID})
		wantCode(t, "ranking one's own application", err, apperr.Forbidden, "your own application")

		// An empty list returns the post to the national rank.
		if err := svc.SetPostRanking(ctx, by, post, nil); err != nil {
			t.Fatal(err)
		}
		for _, ra := range mustApplicants(t, svc, post) {
			if ra.OwnRank != 0 {
				t.Errorf("%s still has own rank %d", ra.Reference, ra.OwnRank)
			}
		}

		// A withdrawn post takes no list, and outside the stage none is taken.
		sr.Clock.Set(testkit.Day(35))
		if _, err := svc.WithdrawPost(ctx, by, sr.Posts[1].ID); err != nil {
			t.Fatal(err)
		}
		err = svc.SetPostRanking(ctx, by, sr.Posts[1].ID, own)
		wantCode(t, "ranking for a withdrawn post", err, apperr.Conflict, "was withdrawn")
		sr.Clock.Set(testkit.Day(41))
		err = svc.SetPostRanking(ctx, by, post, own)
		wantCode(t, "ranking after the preferences stage", err, apperr.Conflict, "Ranking applicants for a post closed")

		entries, err := db.Audit(ctx, auth.AuditFilter{RecordType: "post", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var details []string
		for _, e := range entries {
			if e.Action == "post.ranking" {
				details = append(details, e.Detail)
			}
		}
		slices.Sort(details)
		if want := []string{"national rank", "own list of 2 applicants"}; !slices.Equal(details, want) {
			t.Errorf("ranking audited as %q, want %q", details, want)
		}
	})
}

// A round without employer ranking takes no list.
func TestServicePostRankingNeedsTheRoundToAllowIt(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 2, Places: []int{1}, Reviewers: 2, Until: testkit.UntilInterviewed})
		sr.Clock.Set(testkit.Day(31))
		err := sr.Service.SetPostRanking(ctx, as(sr.Employer), sr.Posts[0].ID, []int64{sr.Apps[0].ID})
		wantCode(t, "ranking in a round without employer lists", err, apperr.Conflict, "employers do not set their own lists")
	})
}

func mustApplicants(t *testing.T, svc *recruit.Service, post int64) []recruit.RankedApplicant {
	t.Helper()
	out, err := svc.PostApplicants(ctx, post)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
