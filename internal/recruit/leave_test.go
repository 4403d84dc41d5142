package recruit_test

import (
	"strings"
	"testing"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/recruit"
	"hcs/internal/testkit"
)

// TestLeaveBeforeTheMatch: an applicant who leaves while shortlisting is
// under way drops out of reviewers' queues, cannot be scored, and is not
// ranked; the round still counts the application.
func TestLeaveBeforeTheMatch(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 3, Places: []int{1}, Reviewers: 2, Until: testkit.UntilApplied})
		svc, gone := sr.Service, sr.Apps[0]
		if err := svc.Leave(ctx, as(sr.Applicants[0]), sr.Applicants[0].ID); err != nil {
			t.Fatal(err)
		}
		for _, rv := range sr.Reviewers {
			queue, err := svc.ReviewQueue(ctx, sr.Round.ID, rv.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range queue {
				if b.ID == gone.ID {
					t.Errorf("a withdrawn application is in %s's queue", rv.Name)
				}
			}
			_, err = svc.Review(ctx, as(rv), gone.ID, 80)
			wantCode(t, "reviewing a withdrawn application", err, apperr.Conflict, "withdrawn")
		}
		// The rest of the round goes ahead without it.
		for _, rv := range sr.Reviewers {
			queue, _ := svc.ReviewQueue(ctx, sr.Round.ID, rv.ID)
			for _, b := range queue {
				if _, err := svc.Review(ctx, as(rv), b.ID, 70); err != nil {
					t.Fatal(err)
				}
			}
		}
		sr.Clock.Set(testkit.Day(21))
		second := &auth.User{Name: "Second assessor", Email: "second.assessor@example.org"}
		if err := db.CreateUser(ctx, auth.System("test"), second, "", []auth.Grant{{Role: auth.RoleEmployer, OrganisationID: sr.Trust.ID}}); err != nil {
			t.Fatal(err)
		}
		for _, a := range sr.Apps[1:] {
			for i, st := range sr.Stations {
				assessor := []*auth.User{sr.Employer, second}[i%2]
				if _, err := svc.ScoreInterview(ctx, as(assessor), a.ID, st.ID, 50); err != nil {
					t.Fatal(err)
				}
			}
		}
		_, err := svc.ScoreInterview(ctx, as(sr.Employer), gone.ID, sr.Stations[0].ID, 50)
		wantCode(t, "interviewing a withdrawn application", err, apperr.Conflict, "withdrawn")
		sr.Clock.Set(testkit.Day(31))
		ranked, err := svc.RankRound(ctx, as(sr.School), sr.Round.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range ranked {
			if r.ApplicationID == gone.ID {
				t.Error("a withdrawn application was ranked")
			}
		}
		_, err = svc.SetPreferences(ctx, as(sr.Applicants[0]), gone.ID, []int64{sr.Posts[0].ID})
		wantCode(t, "ranking posts after leaving", err, apperr.Conflict, "withdrawn")
		if sum, _ := svc.Summary(ctx, sr.Round.ID); sum.Applications != 3 {
			t.Errorf("the round counts %d applications, want all 3", sum.Applications)
		}
	})
}

// TestLeaveGivesUpThePlace: an applicant who leaves after accepting a
// place declines it, and the cascade offers it to the next applicant;
// leaving again changes nothing.
func TestLeaveGivesUpThePlace(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 3, Places: []int{1}, Reviewers: 2, Until: testkit.UntilRanked})
		svc := sr.Service
		if _, err := svc.PublishMatch(ctx, as(sr.School), sr.Round.ID); err != nil {
			t.Fatal(err)
		}
		live, _ := svc.Offers(ctx, recruit.OfferFilter{ApplicationID: sr.Apps[0].ID, Live: true})
		if len(live) != 1 {
			t.Fatalf("the first applicant's offers: %v", live)
		}
		if _, err := svc.AnswerOffer(ctx, as(sr.Applicants[0]), live[0].ID, recruit.AnswerAccept, false); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := svc.Leave(ctx, auth.System("erasure"), sr.Applicants[0].ID); err != nil {
				t.Fatal(err)
			}
		}
		if o, _ := svc.Offer(ctx, live[0].ID); o.Status != recruit.OfferDeclined {
			t.Errorf("the accepted offer is %s after leaving", o.Status)
		}
		if next, _ := svc.Offers(ctx, recruit.OfferFilter{ApplicationID: sr.Apps[1].ID, Live: true}); len(next) != 1 {
			t.Errorf("the next applicant was not offered the place: %v", next)
		}
		if n := testkit.AuditCount(t, db, "application.withdraw"); n != 1 {
			t.Errorf("%d withdrawals audited, want 1", n)
		}
		if a, _ := svc.Application(ctx, sr.Apps[0].ID); !a.Withdrawn() || a.NationalRank == nil {
			t.Errorf("after leaving: withdrawn %v, rank %v; the rank stays for the round's record", a.Withdrawn(), a.NationalRank)
		}
	})
}

// TestOfferMessageQuotesWhatPeopleTyped: the offer's message names no one
// and shows the employer's and site's names as quoted data on their own
// lines, so that a name cannot read as the service's own words (finding 14
// of the security review).
func TestOfferMessageQuotesWhatPeopleTyped(t *testing.T) {
	db := testkit.SQLiteDB(t)
	sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 2, Places: []int{1}, Reviewers: 2, Until: testkit.UntilRanked,
		Names: []string{"Urgent Call 0900 000000 now"}})
	if _, err := sr.Service.PublishMatch(ctx, as(sr.School), sr.Round.ID); err != nil {
		t.Fatal(err)
	}
	msgs, err := db.Outbox(ctx, 10)
	if err != nil || len(msgs) == 0 {
		t.Fatalf("outbox: %v %v", msgs, err)
	}
	body := msgs[0].Body
	if strings.Contains(body, "Urgent Call") || !strings.Contains(body, "\nSite: \"Site 1\"\n") || !strings.Contains(body, "Employer: \"Staged Trust\"") {
		t.Errorf("the offer's message:\n%s", body)
	}
}

// TestWithdrawApplicationWithAnOffer: an applicant withdrawing from a
// round after the match gives up their offer, which goes to the next
// person; once their post is unconditional and has started, withdrawing
// is refused and nothing changes. On both databases.
func TestWithdrawApplicationWithAnOffer(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 3, Places: []int{1, 1}, Reviewers: 2, Until: testkit.UntilRanked})
		svc := sr.Service
		if _, err := svc.PublishMatch(ctx, as(sr.School), sr.Round.ID); err != nil {
			t.Fatal(err)
		}
		offerOf := func(i int) *recruit.Offer {
			t.Helper()
			live, err := svc.Offers(ctx, recruit.OfferFilter{ApplicationID: sr.Apps[i].ID, Live: true})
			if err != nil || len(live) > 1 {
				t.Fatalf("applicant %d's live offers: %v, %v", i, live, err)
			}
			if len(live) == 0 {
				return nil
			}
			return &live[0]
		}
		first, second := offerOf(0), offerOf(1)
		if first == nil || second == nil || offerOf(2) != nil {
			t.Fatalf("the match: %v, %v, %v", first, second, offerOf(2))
		}
		_, err := svc.WithdrawApplication(ctx, as(sr.Applicants[1]), sr.Apps[1].ID)
		if err != nil {
			t.Fatal(err)
		}
		if o, _ := svc.Offer(ctx, second.ID); o.Status != recruit.OfferDeclined {
			t.Errorf("the withdrawn applicant's offer is %s", o.Status)
		}
		if o := offerOf(2); o == nil || o.PostID != second.PostID {
			t.Errorf("the freed place went to %+v, want the third applicant", o)
		}
		// The first applicant's post becomes theirs: accepted, every check
		// passed, and started.
		if _, err := svc.AnswerOffer(ctx, as(sr.Applicants[0]), first.ID, recruit.AnswerAccept, false); err != nil {
			t.Fatal(err)
		}
		sr.PassChecks(t, first.ID)
		sr.Clock.Set(sr.Round.StartDate.Add(time.Hour))
		_, err = svc.WithdrawApplication(ctx, as(sr.Applicants[0]), sr.Apps[0].ID)
		wantCode(t, "withdrawing after the post started", err, apperr.Conflict, "can no longer be declined")
		if o, _ := svc.Offer(ctx, first.ID); o.Status != recruit.OfferUnconditional {
			t.Errorf("a refused withdrawal left the offer %s", o.Status)
		}
		if a, _ := svc.Application(ctx, sr.Apps[0].ID); a.Withdrawn() {
			t.Error("a refused withdrawal withdrew the application")
		}
	})
}
