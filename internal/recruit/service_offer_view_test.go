package recruit_test

import (
	"slices"
	"strings"
	"testing"

	"hcs/internal/database"
	"hcs/internal/recruit"
	"hcs/internal/testkit"
)

// TestServiceOfferViews: after the match, each offer shows its applicant
// what they need to decide (the post, the programme and its pay band,
// whether it was their first choice); each post's employer sees its offers
// with the applicants named; and the expiry every server runs each minute
// expires exactly the offers past their deadline, in matched rounds only.
func TestServiceOfferViews(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 3, Places: []int{1, 4}, Reviewers: 2, Until: testkit.UntilRanked})
		svc, rid := sr.Service, sr.Round.ID
		if n, err := svc.ExpireAllDue(ctx); err != nil || n != 0 {
			t.Fatalf("expiry before any match: %d, %v", n, err)
		}
		if _, err := svc.PublishMatch(ctx, as(sr.School), rid); err != nil {
			t.Fatal(err)
		}
		offers, err := svc.Offers(ctx, recruit.OfferFilter{RoundID: rid})
		if err != nil || len(offers) != 3 {
			t.Fatalf("offers: %d, %v", len(offers), err)
		}
		firstChoices := 0
		for _, o := range offers {
			d, err := svc.OfferDetail(ctx, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			if d.Offer.ID != o.ID || d.Post.ID != o.PostID || d.Round.ID != rid || d.Specialism != "Audiology" ||
				d.Programme != "Scientist Training Programme (STP)" || !slices.Equal(d.Band, []string{"6"}) {
				t.Errorf("offer %d detail %+v", o.ID, d)
			}
			app := sr.Apps[slices.IndexFunc(sr.Apps, func(a *recruit.Application) bool { return a.ID == o.ApplicationID })]
			status, _ := svc.Status(ctx, app.ID)
			prefs := status.Application.Preferences
			if want := len(prefs) > 0 && prefs[0] == o.PostID; d.FirstChoice != want {
				t.Errorf("offer %d: first choice %v, want %v (preferences %v)", o.ID, d.FirstChoice, want, prefs)
			}
			if d.FirstChoice {
				firstChoices++
			}
			owner, err := svc.OfferOwner(ctx, o.ID)
			if err != nil || owner != app.UserID {
				t.Errorf("offer %d owner %d, %v; want %d", o.ID, owner, err, app.UserID)
			}
		}
		if firstChoices == 0 || firstChoices == 3 {
			t.Errorf("%d of 3 offers are first choices; the staged round gives some of each", firstChoices)
		}
		for _, p := range sr.Posts {
			pos, err := svc.PostOffers(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, po := range pos {
				if po.Offer.PostID != p.ID || po.Applicant.Name == "" || po.Reference != recruit.Reference(po.Offer.ApplicationID) {
					t.Errorf("post %d offer %+v", p.ID, po)
				}
			}
			want := 0
			for _, o := range offers {
				if o.PostID == p.ID {
					want++
				}
			}
			if len(pos) != want {
				t.Errorf("post %d lists %d offers, want %d", p.ID, len(pos), want)
			}
		}

		// Past every deadline, the minute's expiry expires all three.
		sr.Clock.Set(testkit.Day(60))
		if n, err := svc.ExpireAllDue(ctx); err != nil || n != 3 {
			t.Errorf("expiry past the deadlines: %d, %v; want 3", n, err)
		}
		if n, _ := svc.ExpireAllDue(ctx); n != 0 {
			t.Errorf("expiring again: %d, want 0", n)
		}
	})
}

// TestServiceUpgradeMessage: someone who holds an offer and asked to be
// upgraded is told, when a post they ranked higher frees, that it is now
// theirs in place of the one they held; a fresh offer says how to answer.
func TestServiceUpgradeMessage(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 2, Places: []int{1, 1}, Reviewers: 2, Until: testkit.UntilRanked})
		svc, rid := sr.Service, sr.Round.ID
		if _, err := svc.PublishMatch(ctx, as(sr.School), rid); err != nil {
			t.Fatal(err)
		}
		offerOf := func(app *recruit.Application) recruit.Offer {
			t.Helper()
			os, err := svc.Offers(ctx, recruit.OfferFilter{ApplicationID: app.ID, Live: true})
			if err != nil || len(os) != 1 {
				t.Fatalf("%s's live offers: %+v, %v", recruit.Reference(app.ID), os, err)
			}
			return os[0]
		}
		first, second := offerOf(sr.Apps[0]), offerOf(sr.Apps[1])
		if first.PostID == second.PostID {
			t.Fatal("both offered one post")
		}
		msgs, _ := db.Outbox(ctx, 10)
		if len(msgs) != 2 || !strings.Contains(msgs[0].Body, "You have been offered a training post") || !strings.Contains(msgs[0].Body, "to accept, hold or decline it by") {
			t.Fatalf("the offers' messages: %+v", msgs)
		}
		// The second applicant holds their offer and asks to be upgraded;
		// the first declines the post the second ranked higher.
		if _, err := svc.AnswerOffer(ctx, as(sr.Applicants[1]), second.ID, recruit.AnswerHold, true); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AnswerOffer(ctx, as(sr.Applicants[0]), first.ID, recruit.AnswerDecline, false); err != nil {
			t.Fatal(err)
		}
		up := offerOf(sr.Apps[1])
		if up.PostID != first.PostID || up.Status != recruit.OfferHeld {
			t.Fatalf("after the decline the second applicant holds %+v; want the freed post, held", up)
		}
		msgs, _ = db.Outbox(ctx, 10)
		var upgrade string
		for _, m := range msgs {
			if strings.Contains(m.Body, "You asked to be upgraded") {
				upgrade = m.Body
			}
		}
		if !strings.Contains(upgrade, "You hold it as you held the other (held)") {
			t.Errorf("no upgrade message saying how it is held, in %d messages", len(msgs))
		}
	})
}
