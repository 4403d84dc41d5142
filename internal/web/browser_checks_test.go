package web_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/recruit"
	"hcs/internal/testkit"
)

// TestBrowserPreEmploymentChecks: through the pages, an applicant accepts
// an offer and reads that it is conditional; the employer records checks,
// then a failed reference, confirms the withdrawal, and the place goes to
// the next person in the ranking; the first applicant reads the reason,
// and the second's offer is on their page. axe-core checks every page, on
// both databases.
func TestBrowserPreEmploymentChecks(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		if testing.Short() {
			t.Skip("browser tests are skipped with -short")
		}
		ctx := context.Background()
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 2, Places: []int{1}, Reviewers: 2, Until: testkit.UntilRanked})
		if _, err := sr.Service.PublishMatch(ctx, auth.Actor{UserID: sr.School.ID}, sr.Round.ID); err != nil {
			t.Fatal(err)
		}
		hash, err := auth.HashPassword(ctx, drivePassword)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range []*auth.User{sr.Employer, sr.Applicants[0], sr.Applicants[1]} {
			if err := db.SetPassword(ctx, system, u.ID, hash, ""); err != nil {
				t.Fatal(err)
			}
		}
		offers, err := sr.Service.Offers(ctx, recruit.OfferFilter{RoundID: sr.Round.ID})
		if err != nil || len(offers) != 1 {
			t.Fatalf("the match's offers: %v, %v", offers, err)
		}
		first := offers[0]
		d := &roundDriver{t: t, b: newBrowserOn(t, db), clock: sr.Clock}

		// The first applicant accepts and reads that the offer is
		// conditional on six checks, none started.
		d.as(sr.Applicants[0].Email)
		d.open(fmt.Sprintf("/offers/%d", first.ID))
		d.click("#answer-accept")
		d.submit(`main form button[type="submit"]`)
		d.expect("#conditional", "conditional on the employer's pre-employment checks")
		d.expect("#check-references", "Not started")

		// The employer finds the offer on the post's page and records
		// checks: identity passed; a reference refused, then failed.
		d.as(sr.Employer.Email)
		d.open(fmt.Sprintf("/employer/posts/%d", first.PostID))
		d.click(fmt.Sprintf(`a[href="/employer/posts/%d/offers/%d"]`, first.PostID, first.ID))
		d.expect("#offer-status", "Accepted")
		d.fill("kind", recruit.CheckIdentity, "status", recruit.CheckPassed)
		d.submit(`#record-check button[type="submit"]`)
		d.expect(".nhsuk-inset-text", "Identity: Passed")
		d.expect("#check-identity", "Passed")
		// A reference outcome on another check comes back with the error,
		// and so does an open check with nobody to act.
		d.fill("kind", recruit.CheckDBS, "status", recruit.RefSuccess)
		d.submit(`#record-check button[type="submit"]`)
		d.expect(".nhsuk-error-summary", "Choose a status for the criminal record check (dbs)")
		d.fill("kind", recruit.CheckReferences, "status", recruit.RefRefused, "next_actor", "")
		d.submit(`#record-check button[type="submit"]`)
		d.expect(".nhsuk-error-summary", "Say who must act next")
		d.fill("kind", recruit.CheckReferences, "status", recruit.RefRefused, "next_actor", recruit.ActsEmployer, "note", "The first referee would not give one.")
		d.submit(`#record-check button[type="submit"]`)
		d.expect("#check-references", "Reference refused")
		d.expect("#check-references", "The employer")
		// A failed reference without a reason is refused; with one, the
		// employer is asked to confirm the withdrawal.
		d.fill("kind", recruit.CheckReferences, "status", recruit.RefFail) // the note is empty again
		d.submit(`#record-check button[type="submit"]`)
		d.expect(".nhsuk-error-summary", "Say why the check failed")
		d.fill("kind", recruit.CheckReferences, "status", recruit.RefFail, "note", "The second referee reported a dismissal for falsified results.")
		d.submit(`#record-check button[type="submit"]`)
		d.expect("h1", "Withdraw this offer?")
		d.expect("#confirm-reason", "falsified results")
		if n := testkit.AuditCount(t, db, "offer.withdraw"); n != 0 {
			t.Fatalf("the offer was withdrawn before the employer confirmed")
		}
		d.submit(`#confirm-withdraw button[type="submit"]`)
		d.expect(".nhsuk-inset-text", "the place has been offered to the next person")
		d.expect("#offer-status", "Withdrawn")
		d.open(fmt.Sprintf("/employer/posts/%d", first.PostID))
		d.expect("#offers", "Withdrawn")
		d.expect("#offers", "Offered")

		// The first applicant reads why; the second has the place.
		d.as(sr.Applicants[0].Email)
		d.open(fmt.Sprintf("/offers/%d", first.ID))
		d.expect("#withdrawn", "falsified results")
		d.open(fmt.Sprintf("/applications/%d", sr.Apps[0].ID))
		d.expect("#standing", "The employer withdrew your offer")
		d.as(sr.Applicants[1].Email)
		d.open("/applicant")
		next, err := sr.Service.Offers(ctx, recruit.OfferFilter{ApplicationID: sr.Apps[1].ID, Live: true})
		if err != nil || len(next) != 1 || next[0].PostID != first.PostID {
			t.Fatalf("the second applicant's offers: %v, %v", next, err)
		}
		d.open(fmt.Sprintf("/offers/%d", next[0].ID))
		d.expect("#offer", "Offered")
	})
}

// TestBrowserOfferProgress: the public offer-progress page, read signed
// out, changes as offers are accepted and declined, with small counts
// read as fewer than 5; axe-core checks it each time. On both databases.
func TestBrowserOfferProgress(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		if testing.Short() {
			t.Skip("browser tests are skipped with -short")
		}
		ctx := context.Background()
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 12, Places: []int{5, 5}, Reviewers: 2, Until: testkit.UntilRanked})
		d := &roundDriver{t: t, b: newBrowserOn(t, db), clock: sr.Clock}
		page := fmt.Sprintf("/rounds/%d/progress", sr.Round.ID)
		d.open(page)
		d.expect("#not-matched", "No offers have been made yet")
		if _, err := sr.Service.PublishMatch(ctx, auth.Actor{UserID: sr.School.ID}, sr.Round.ID); err != nil {
			t.Fatal(err)
		}
		// The page is cached for half a second: wait that out each time.
		reload := func() { time.Sleep(600 * time.Millisecond); d.open(page) }
		total := func(want string) {
			t.Helper()
			if got := strings.Join(strings.Fields(d.text("#progress-total")), " "); got != want {
				t.Errorf("the total row reads %q, want %q", got, want)
			}
		}
		reload()
		d.expect("#progress-audiology", "Audiology")
		// Posts, places, offers made, accepted, awaiting, unfilled.
		total("All specialisms fewer than 5 10 10 0 10 0")
		offers, err := sr.Service.Offers(ctx, recruit.OfferFilter{RoundID: sr.Round.ID, Live: true})
		if err != nil {
			t.Fatal(err)
		}
		owner := map[int64]*auth.User{}
		for i, a := range sr.Apps {
			owner[a.ID] = sr.Applicants[i]
		}
		for _, o := range offers[:5] {
			if _, err := sr.Service.AnswerOffer(ctx, auth.Actor{UserID: owner[o.ApplicationID].ID}, o.ID, recruit.AnswerAccept, false); err != nil {
				t.Fatal(err)
			}
		}
		reload()
		total("All specialisms fewer than 5 10 10 5 5 0")
		// One who accepted declines: the place goes to the eleventh, and
		// four accepted places read fewer than 5.
		if _, err := sr.Service.AnswerOffer(ctx, auth.Actor{UserID: owner[offers[0].ApplicationID].ID}, offers[0].ID, recruit.AnswerDecline, false); err != nil {
			t.Fatal(err)
		}
		reload()
		total("All specialisms fewer than 5 10 11 not shown 6 not shown")
		if got := d.text("#progress"); regexp.MustCompile(`\b[1-4]\b`).MatchString(strings.ReplaceAll(got, "fewer than 5", "")) {
			t.Errorf("the page shows a figure from 1 to 4: %q", got)
		}
		d.open("/posts")
		d.click(fmt.Sprintf(`a[href="%s"]`, page))
		d.expect("h1", "Offers: ")
	})
}
