package recruit_test

import (
	"fmt"
	"strings"
	"testing"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/recruit"
	"hcs/internal/testkit"
)

// liveOffer is applicant i's live offer, or nil.
func liveOffer(t *testing.T, sr *testkit.StagedRound, i int) *recruit.Offer {
	t.Helper()
	offers, err := sr.Service.Offers(ctx, recruit.OfferFilter{ApplicationID: sr.Apps[i].ID, Live: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(offers) == 0 {
		return nil
	}
	return &offers[0]
}

// TestServiceChecks: an accepted offer is conditional; the sixth check
// passing makes it unconditional and ends upgrades; a failed check
// withdraws it with the reason the applicant reads, and the place goes to
// the next person as a declined place does.
func TestServiceChecks(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 4, Places: []int{1, 1}, Reviewers: 2, Until: testkit.UntilRanked})
		svc := sr.Service
		if _, err := svc.PublishMatch(ctx, as(sr.School), sr.Round.ID); err != nil {
			t.Fatal(err)
		}
		o0, o1 := liveOffer(t, sr, 0), liveOffer(t, sr, 1)
		dbs := recruit.Check{Kind: recruit.CheckDBS, Status: recruit.CheckPassed}
		_, _, err := svc.RecordCheck(ctx, as(sr.Employer), o0.PostID, o0.ID, dbs)
		wantCode(t, "a check before the offer is accepted", err, apperr.Conflict, "once the applicant has accepted")
		_, _, err = svc.RecordCheck(ctx, as(sr.Employer), o1.PostID, o0.ID, dbs)
		wantCode(t, "a check through another post", err, apperr.NotFound, "no offer")
		for i, o := range []*recruit.Offer{o0, o1} {
			if _, err := svc.AnswerOffer(ctx, as(sr.Applicants[i]), o.ID, recruit.AnswerAccept, true); err != nil {
				t.Fatal(err)
			}
		}
		// Applicant 0: five checks pass, then the sixth.
		for _, kind := range recruit.CheckKinds[:5] {
			if o, _, err := svc.RecordCheck(ctx, as(sr.Employer), o0.PostID, o0.ID, passed(kind)); err != nil || o.Status != recruit.OfferAccepted {
				t.Fatalf("%s passed: %+v, %v; want the offer still conditional", kind, o, err)
			}
		}
		o, checks, err := svc.RecordCheck(ctx, as(sr.Employer), o0.PostID, o0.ID, passed(recruit.CheckHealth))
		if err != nil || o.Status != recruit.OfferUnconditional || o.Upgrades || len(checks) != 6 {
			t.Fatalf("the sixth check: %+v, %d checks, %v; want unconditional without upgrades", o, len(checks), err)
		}
		_, _, err = svc.RecordCheck(ctx, as(sr.Employer), o0.PostID, o0.ID, recruit.Check{Kind: recruit.CheckDBS, Status: recruit.CheckFailed, Note: "late"})
		wantCode(t, "a check after the offer is unconditional", err, apperr.Conflict, "already unconditional")
		_, err = svc.AnswerOffer(ctx, as(sr.Applicants[0]), o0.ID, recruit.AnswerAccept, true)
		wantCode(t, "opting in to upgrades once unconditional", err, apperr.Conflict, "unconditional")

		// Applicant 1: a reference fails. The offer is withdrawn, and post
		// 2 goes to applicant 2, the next in the ranking.
		d, err := svc.OfferDetail(ctx, o1.ID)
		if err != nil || len(d.Checks) != 6 || d.Checks[0].Status != recruit.CheckNotStarted {
			t.Fatalf("the conditional offer's detail: %+v, %v", d, err)
		}
		o, _, err = svc.RecordCheck(ctx, as(sr.Employer), o1.PostID, o1.ID,
			recruit.Check{Kind: recruit.CheckReferences, Status: recruit.RefFail, Note: "Dismissed for 100% fabricated results."})
		if err != nil || o.Status != recruit.OfferWithdrawn || o.Reason != "Dismissed for 100% fabricated results." || o.AnsweredAt == nil {
			t.Fatalf("a failed reference: %+v, %v", o, err)
		}
		if liveOffer(t, sr, 1) != nil {
			t.Errorf("applicant 1 still holds an offer")
		}
		if next := liveOffer(t, sr, 2); next == nil || next.PostID != o1.PostID || next.Status != recruit.OfferOffered {
			t.Errorf("the withdrawn place went to %+v; want applicant 2 offered post %d", next, o1.PostID)
		}
		_, err = svc.AnswerOffer(ctx, as(sr.Applicants[1]), o1.ID, recruit.AnswerDecline, false)
		wantCode(t, "declining a withdrawn offer", err, apperr.Conflict, "fabricated")
		st, err := svc.Status(ctx, sr.Apps[1].ID)
		if err != nil || st.Standing.Step != recruit.StepUnplaced || !strings.Contains(st.Standing.Message, "100% fabricated") {
			t.Errorf("applicant 1's standing: %+v, %v", st, err)
		}
		msgs, err := db.Outbox(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		told := map[string]string{}
		for _, m := range msgs {
			told[m.Recipient+" "+m.Subject] = m.Body
		}
		if b := told[sr.Applicants[1].Email+" Your training post offer has been withdrawn"]; !strings.Contains(b, `"Dismissed for 100% fabricated results."`) ||
			!strings.Contains(b, "Employment history and references") {
			t.Errorf("applicant 1 was told %q", b)
		}
		if b := told[sr.Applicants[0].Email+" Your training post offer is unconditional"]; b == "" {
			t.Errorf("applicant 0 was not told the offer is unconditional: %v", told)
		}
		for action, want := range map[string]int{"offer.check": 7, "offer.unconditional": 1, "offer.withdraw": 1} {
			if n := testkit.AuditCount(t, db, action); n != want {
				t.Errorf("%d × %s audited, want %d", n, action, want)
			}
		}
	})
}

// TestServiceConcurrentChecksAndAnswers: failed checks and declines on
// the same post at once, with acceptances and upgrades among them, never
// leave more live offers than places, give no applicant two, and audit
// every change.
func TestServiceConcurrentChecksAndAnswers(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 16, Places: []int{3, 2}, Reviewers: 2, Until: testkit.UntilRanked})
		svc := sr.Service
		if _, err := svc.PublishMatch(ctx, as(sr.School), sr.Round.ID); err != nil {
			t.Fatal(err)
		}
		owner := map[int64]*auth.User{}
		for i, a := range sr.Apps {
			owner[a.ID] = sr.Applicants[i]
		}
		testkit.PoolSize(t, db, 60)
		for wave := 0; wave < 4; wave++ {
			offers, err := svc.Offers(ctx, recruit.OfferFilter{RoundID: sr.Round.ID, Live: true})
			if err != nil {
				t.Fatal(err)
			}
			// Everyone offered accepts, some asking to move up.
			for i, o := range offers {
				if o.Status == recruit.OfferOffered {
					if _, err := svc.AnswerOffer(ctx, as(owner[o.ApplicationID]), o.ID, recruit.AnswerAccept, i%2 == 0); err != nil {
						t.Fatal(err)
					}
				}
			}
			// At once, on every post: one holder declines (twice over),
			// the employer fails another's check (twice over) and passes a
			// check of a third; and, once, both on the same offer.
			testkit.WarmPool(t, db, 40)
			n := 3 * len(offers)
			errs := make([]error, n)
			testkit.Together(n, func(i int) {
				k := i / 3
				o := offers[k]
				fail := func() {
					_, _, errs[i] = svc.RecordCheck(ctx, as(sr.Employer), o.PostID, o.ID,
						recruit.Check{Kind: recruit.CheckDBS, Status: recruit.CheckFailed, Note: fmt.Sprintf("wave %d", wave)})
				}
				decline := func() {
					_, errs[i] = svc.AnswerOffer(ctx, as(owner[o.ApplicationID]), o.ID, recruit.AnswerDecline, false)
				}
				switch {
				case k == 0 && i%3 == 0:
					fail()
				case k == 0:
					decline()
				case i%3 == 2 && k%3 == 2:
					_, _, errs[i] = svc.RecordCheck(ctx, as(sr.Employer), o.PostID, o.ID, passed(recruit.CheckIdentity))
				case k%3 == 0:
					decline()
				default:
					fail()
				}
			})
			for _, err := range errs {
				if err != nil && apperr.Code(err) != apperr.Conflict {
					t.Errorf("wave %d: %v", wave, err)
				}
			}
		}
		all, err := svc.Offers(ctx, recruit.OfferFilter{RoundID: sr.Round.ID})
		if err != nil {
			t.Fatal(err)
		}
		live, holds, status := map[int64]int{}, map[int64]int{}, map[string]int{}
		for _, o := range all {
			status[o.Status]++
			if o.Live() {
				live[o.PostID]++
				holds[o.ApplicationID]++
			}
		}
		for _, p := range sr.Posts {
			if live[p.ID] > p.Places {
				t.Errorf("post %d holds %d live offers for %d places", p.ID, live[p.ID], p.Places)
			}
		}
		for app, n := range holds {
			if n > 1 {
				t.Errorf("application %d holds %d live offers", app, n)
			}
		}
		if status[recruit.OfferWithdrawn] == 0 || status[recruit.OfferDeclined] == 0 {
			t.Errorf("offers by status %v: the test meant to withdraw and decline some", status)
		}
		for action, want := range map[string]int{"offer.create": len(all), "offer.withdraw": status[recruit.OfferWithdrawn],
			"offer.decline": status[recruit.OfferDeclined], "offer.supersede": status[recruit.OfferSuperseded]} {
			if n := testkit.AuditCount(t, db, action); n != want {
				t.Errorf("%d × %s audited, want %d", n, action, want)
			}
		}
	})
}
