package recruit_test

import (
	"slices"
	"testing"

	"hcs/internal/apperr"
	"hcs/internal/database"
	"hcs/internal/recruit"
	"hcs/internal/testkit"
)

// TestServiceOpensRoundsAndAppointsReviewers: a round opens with its
// stations or none (set later), never with bad ones; reviewers are
// appointed with a trust as their employer or none.
func TestServiceOpensRoundsAndAppointsReviewers(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 1, Places: []int{1}, Reviewers: 2, Until: testkit.UntilApplied})
		svc, by := sr.Service, as(sr.School)
		round := func(name string) *recruit.Round {
			r := *sr.Round
			r.ID, r.Name, r.MatchedAt = 0, name, nil
			return &r
		}
		bare := round("No stations yet")
		if err := svc.OpenRound(ctx, by, bare, nil); err != nil {
			t.Fatal(err)
		}
		if st, err := svc.Stations(ctx, bare.ID); err != nil || len(st) != 0 {
			t.Errorf("a round opened without stations has %d, %v", len(st), err)
		}
		two := round("Two stations")
		if err := svc.OpenRound(ctx, by, two, []recruit.Station{{Name: "A", Weight: 1}, {Name: "B", Weight: 2}}); err != nil {
			t.Fatal(err)
		}
		if st, _ := svc.Stations(ctx, two.ID); len(st) != 2 || st[1].Name != "B" || st[1].Weight != 2 {
			t.Errorf("stations saved as %+v", st)
		}
		before, _ := svc.Rounds(ctx)
		err := svc.OpenRound(ctx, by, round("Bad stations"), []recruit.Station{{Name: "A", Weight: 1}, {Name: "A", Weight: 1}})
		if apperr.Code(err) != apperr.Invalid {
			t.Errorf("two stations with one name: %v, want invalid", err)
		}
		if after, _ := svc.Rounds(ctx); len(after) != len(before) {
			t.Error("a round with bad stations was opened")
		}

		school := schoolOrganisation(t, db)
		person := applicant(t, db, "Rev")
		sr.Clock.Set(testkit.Day(2))
		for _, org := range []int64{school.ID, 987654} {
			_, err := svc.AppointReviewer(ctx, by, bare.ID, person.Email, org)
			if apperr.Code(err) != apperr.Invalid || apperr.Field(err) != "organisation_id" {
				t.Errorf("reviewer employed by %d: %v, want invalid organisation_id", org, err)
			}
		}
		a, err := svc.AppointReviewer(ctx, by, bare.ID, person.Email, sr.Trust.ID)
		if err != nil || a.Organisation != sr.Trust.Name {
			t.Fatalf("appointing with a trust: %+v, %v", a, err)
		}
		_, err = svc.AppointReviewer(ctx, by, bare.ID, person.Email, 0)
		wantCode(t, "appointing twice", err, apperr.Conflict, "already a reviewer in this round")
	})
}

// TestServiceResults: an applicant's result exists only once the round is
// matched, and offers number their seats within each post.
func TestServiceResults(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 4, Places: []int{1, 2}, Reviewers: 2, Until: testkit.UntilRanked})
		svc, rid := sr.Service, sr.Round.ID
		_, err := svc.Result(ctx, sr.Apps[0].ID)
		wantCode(t, "a result before the match", err, apperr.NotFound, "no match result")
		if _, err := svc.PublishMatch(ctx, as(sr.School), rid); err != nil {
			t.Fatal(err)
		}
		matched := 0
		for _, app := range sr.Apps {
			res, err := svc.Result(ctx, app.ID)
			if err != nil {
				t.Fatalf("%s: %v", recruit.Reference(app.ID), err)
			}
			if res.ApplicationID != app.ID || res.NationalRank == 0 {
				t.Errorf("result %+v", res)
			}
			if res.PostID != 0 {
				matched++
			}
		}
		if matched != 3 {
			t.Errorf("%d matched; 4 applicants for 3 places should leave one out", matched)
		}
		offers, _ := svc.Offers(ctx, recruit.OfferFilter{RoundID: rid})
		seats := map[int64][]int{}
		for _, o := range offers {
			seats[o.PostID] = append(seats[o.PostID], o.Seat)
		}
		for _, p := range sr.Posts {
			got := seats[p.ID]
			if len(got) != p.Places {
				t.Errorf("post %d has %d offers for %d places", p.ID, len(got), p.Places)
			}
			for i := range got {
				if !slices.Contains(got, i+1) {
					t.Errorf("post %d seats %v, want 1 to %d", p.ID, got, len(got))
				}
			}
		}
	})
}
