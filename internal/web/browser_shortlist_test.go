package web_test

import (
	"context"
	"fmt"
	"testing"

	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/testkit"
)

// TestBrowserReservePromoted: through the pages, the national school
// reads a round's interview allocation and publishes its shortlisting
// outcomes; an invited applicant cannot come to interview and withdraws;
// the first reserve reads that they are invited, and the school sees the
// promotion; an unsuccessful applicant reads why. axe-core checks every
// page, on both databases.
func TestBrowserReservePromoted(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		if testing.Short() {
			t.Skip("browser tests are skipped with -short")
		}
		ctx := context.Background()
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 4, Places: []int{1}, Reviewers: 2, Until: testkit.UntilShortlisted,
			InterviewsPerPlace: 2, ReservesPerPlace: 1})
		hash, err := auth.HashPassword(ctx, drivePassword)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range append([]*auth.User{sr.School}, sr.Applicants...) {
			if err := db.SetPassword(ctx, system, u.ID, hash, ""); err != nil {
				t.Fatal(err)
			}
		}
		d := &roundDriver{t: t, b: newBrowserOn(t, db), clock: sr.Clock}
		shortlist := fmt.Sprintf("/school/rounds/%d/shortlist", sr.Round.ID)

		// The school reads the allocation and publishes, confirming.
		d.as(sr.School.Email)
		d.open(fmt.Sprintf("/school/rounds/%d", sr.Round.ID))
		d.expect("#shortlist-rules", "2 interview(s) and 1 reserve place(s)")
		d.click(fmt.Sprintf(`a[href=%q]`, shortlist))
		d.expect("#shortlist-specialisms", "Audiology")
		d.expect("#confirm-hint", "invites 2 applicant(s) to interview, puts 1 on reserve lists and tells 1")
		d.submit(`#shortlist-publish-form button[type="submit"]`)
		d.expect(".nhsuk-error-summary", "Confirm that the outcomes are ready")
		d.click("#confirm")
		d.submit(`#shortlist-publish-form button[type="submit"]`)
		d.expect(".nhsuk-inset-text", "2 application(s) invited to interview")
		d.expect("#shortlist-published", "every applicant has been told theirs")

		// The reserve reads where they stand.
		d.as(sr.Applicants[2].Email)
		d.open(fmt.Sprintf("/applications/%d", sr.Apps[2].ID))
		d.expect("#shortlist-result", "Shortlisted reserve")
		d.expect("#standing", "reserve list, at place 1")

		// The first invitee cannot come, and withdraws, confirming.
		d.as(sr.Applicants[0].Email)
		d.open(fmt.Sprintf("/applications/%d", sr.Apps[0].ID))
		d.expect("#shortlist-result", "Interview")
		d.click("#withdraw-link")
		d.expect("h1", "Withdraw your application?")
		d.submit(`main form button[type="submit"]`)
		d.expect(".nhsuk-inset-text", "Your application has been withdrawn")
		d.expect("#withdrawn", "You withdrew this application")

		// The reserve is invited, and told by email.
		d.as(sr.Applicants[2].Email)
		d.open(fmt.Sprintf("/applications/%d", sr.Apps[2].ID))
		d.expect("#shortlist-result", "Interview")
		d.expect("#standing", "invited to interview from the reserve list")
		msgs, err := db.Outbox(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		told := 0
		for _, m := range msgs {
			if m.Recipient == sr.Applicants[2].Email && m.Subject == "You are invited to interview" {
				told++
			}
		}
		if told != 1 {
			t.Errorf("the promoted reserve was emailed %d times", told)
		}

		// The unsuccessful applicant reads why.
		d.as(sr.Applicants[3].Email)
		d.open(fmt.Sprintf("/applications/%d", sr.Apps[3].ID))
		d.expect("#feedback-shortlisting", "after its 2 interview place(s) and 1 reserve place(s)")

		// The school sees the promotion.
		d.as(sr.School.Email)
		d.open(shortlist)
		d.expect("#shortlist-outcomes", "promoted from reserve place 1")
		d.expect("#shortlist-outcomes", "withdrew")
	})
}
