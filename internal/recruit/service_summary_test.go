package recruit_test

import (
	"testing"

	"hcs/internal/database"
	"hcs/internal/recruit"
	"hcs/internal/testkit"
)

// TestServiceSummary: the school's figures for a round count what is
// there, stage by stage: posts and places without withdrawn posts,
// reviewing, shortlisting, interviews, the rank, and after the match the
// offers and the places they fill.
func TestServiceSummary(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 3, Places: []int{1, 2, 4}, Reviewers: 2, Until: testkit.UntilApplied})
		svc, rid := sr.Service, sr.Round.ID
		if _, err := svc.WithdrawPost(ctx, as(sr.Employer), sr.Posts[0].ID); err != nil {
			t.Fatal(err)
		}
		sum := summary(t, svc, rid)
		want := recruit.Summary{Posts: 2, Withdrawn: 1, Places: 6, Applications: 3, Reviewers: 2}
		compare(t, "after applying", sum, want)
		if sum.Stage != recruit.StageShortlisting {
			t.Errorf("stage %q, want shortlisting", sum.Stage)
		}

		// Both reviews of the first application: reviewed and shortlisted.
		for _, rev := range sr.Reviewers {
			if _, err := svc.Review(ctx, as(rev), sr.Apps[0].ID, 80); err != nil {
				t.Fatal(err)
			}
		}
		want.Reviewed, want.Shortlisted = 1, 1
		compare(t, "after one application's reviews", summary(t, svc, rid), want)
	})
}

// TestServiceSummaryAfterTheMatch: ranked, interviewed and matched, with
// offers filling places and the rest unfilled.
func TestServiceSummaryAfterTheMatch(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 3, Places: []int{1, 4}, Reviewers: 2, Until: testkit.UntilRanked})
		svc, rid := sr.Service, sr.Round.ID
		want := recruit.Summary{Posts: 2, Places: 5, Applications: 3, Reviewers: 2, Reviewed: 3, Shortlisted: 3, Interviewed: 3, Ranked: 3}
		compare(t, "ranked", summary(t, svc, rid), want)
		if _, err := svc.PublishMatch(ctx, as(sr.School), rid); err != nil {
			t.Fatal(err)
		}
		sum := summary(t, svc, rid)
		want.FilledPlaces, want.UnfilledPlaces = 3, 2
		compare(t, "matched", sum, want)
		if sum.OffersByStatus[recruit.OfferOffered] != 3 || len(sum.OffersByStatus) != 1 {
			t.Errorf("offers by status %v, want 3 offered", sum.OffersByStatus)
		}
	})
}

func summary(t *testing.T, svc *recruit.Service, rid int64) *recruit.Summary {
	t.Helper()
	s, err := svc.Summary(ctx, rid)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// compare checks the summary's counts.
func compare(t *testing.T, when string, got *recruit.Summary, want recruit.Summary) {
	t.Helper()
	type counts struct{ Posts, Withdrawn, Places, Applications, Reviewers, Unassigned, Reviewed, NeedModeration, Shortlisted, NotShortlisted, Interviewed, Ranked, FilledPlaces, UnfilledPlaces int }
	g := counts{got.Posts, got.Withdrawn, got.Places, got.Applications, got.Reviewers, got.Unassigned, got.Reviewed, got.NeedModeration, got.Shortlisted, got.NotShortlisted, got.Interviewed, got.Ranked, got.FilledPlaces, got.UnfilledPlaces}
	w := counts{want.Posts, want.Withdrawn, want.Places, want.Applications, want.Reviewers, want.Unassigned, want.Reviewed, want.NeedModeration, want.Shortlisted, want.NotShortlisted, want.Interviewed, want.Ranked, want.FilledPlaces, want.UnfilledPlaces}
	if g != w {
		t.Errorf("%s:\n got %+v\nwant %+v", when, g, w)
	}
}
