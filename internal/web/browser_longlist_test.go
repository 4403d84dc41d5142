package web_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/recruit"
	"hcs/internal/testkit"
)

// TestBrowserOnlineTest runs a round's online test stage through the
// pages: the school sets a threshold, imports the provider's scores (a
// faulty file refused with its line and column, a changed score refused
// until confirmed as a correction), publishes the outcomes, and an
// applicant below the threshold reads their result. axe-core checks every
// page on the way, on SQLite and PostgreSQL.
func TestBrowserOnlineTest(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		if testing.Short() {
			t.Skip("browser tests are skipped with -short")
		}
		ctx := context.Background()
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 3, Places: []int{1}, Until: testkit.UntilApplied})
		hash, err := auth.HashPassword(ctx, drivePassword)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range []*auth.User{sr.School, sr.Applicants[2]} {
			if err := db.SetPassword(ctx, system, u.ID, hash, ""); err != nil {
				t.Fatal(err)
			}
		}
		d := &roundDriver{t: t, b: newBrowserOn(t, db), clock: sr.Clock}
		ref := func(i int) string { return recruit.Reference(sr.Apps[i].ID) }
		upload := func(name, content string, confirm bool) {
			t.Helper()
			file := filepath.Join(t.TempDir(), name)
			if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			d.b.Do(t, chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}))
			if confirm {
				d.b.Do(t, chromedp.Click(chromedp.CSS("#confirm_corrections"), chromedp.NodeVisible))
			}
			d.submit(`#test-import-form button[type="submit"]`)
		}
		taken := testkit.Day(2).Format("2006-01-02")
		good := fmt.Sprintf("applicant_reference,score,taken_on\n%s,72.5,%s\n%s,60,%s\n%s,59.99,%s\n", ref(0), taken, ref(1), taken, ref(2), taken)

		d.as(sr.School.Email)
		d.open(fmt.Sprintf("/school/rounds/%d", sr.Round.ID))
		d.expect("#test-rule", "This round has no online test.")
		d.click(fmt.Sprintf(`a[href="/school/rounds/%d/test"]`, sr.Round.ID))
		// A threshold that is not a score comes back with the error.
		d.b.Do(t, chromedp.Click(chromedp.CSS("#rule-threshold"), chromedp.NodeVisible))
		d.fill("threshold", "sixty")
		d.submit(`#test-rule-form button[type="submit"]`)
		d.expect(".nhsuk-error-summary", "The threshold is not a score")
		d.fill("threshold", "60")
		d.b.Do(t, chromedp.Click(chromedp.CSS("#tie_break"), chromedp.NodeVisible))
		d.submit(`#test-rule-form button[type="submit"]`)
		d.expect(".nhsuk-inset-text", "score 60 or more in the online test go on to shortlisting. The test score also breaks ties in the national rank.")

		upload("scores.csv", fmt.Sprintf("applicant_reference,score,taken_on\n%s,72.5,%s\n%s,7O,%s\n", ref(0), taken, ref(1), taken), false)
		d.expect(".nhsuk-error-summary", `line 3, column score: "7O" is not a score`)
		d.expect("#test-counts", "0 application(s) scored")
		upload("scores.csv", good, false)
		d.expect(".nhsuk-inset-text", "3 new score(s), 0 correction(s), 0 unchanged")
		d.expect("#test-counts", "3 application(s) scored and 0 without a score; 2 go on to shortlisting")
		upload("scores.csv", good, false)
		d.expect(".nhsuk-inset-text", "0 new score(s), 0 correction(s), 3 unchanged")
		changed := fmt.Sprintf("applicant_reference,score,taken_on\n%s,61,%s\n", ref(2), taken)
		upload("corrected.csv", changed, false)
		d.expect(".nhsuk-error-summary", "already has the score 59.99")
		d.expect("#test-outcomes", "59.99")
		// The provider corrects the score back below the threshold, confirmed.
		upload("corrected.csv", fmt.Sprintf("applicant_reference,score,taken_on\n%s,55,%s\n", ref(2), taken), true)
		d.expect(".nhsuk-inset-text", "0 new score(s), 1 correction(s)")

		sr.Clock.Set(testkit.Day(11)) // applications have closed
		d.open(fmt.Sprintf("/school/rounds/%d/test", sr.Round.ID))
		d.expect("#confirm-hint", "tells 2 applicant(s) that they go on to shortlisting and 1 that they do not")
		d.submit(`#test-publish-form button[type="submit"]`)
		d.expect(".nhsuk-error-summary", "Confirm that every score is imported")
		d.b.Do(t, chromedp.Click(chromedp.CSS("#confirm"), chromedp.NodeVisible))
		d.submit(`#test-publish-form button[type="submit"]`)
		d.expect(".nhsuk-inset-text", "2 of 3 application(s) go on to shortlisting")
		d.expect("#test-published", "every applicant has been told theirs")
		d.open(fmt.Sprintf("/school/rounds/%d", sr.Round.ID))
		d.expect("#rank-order", "then the shortlisting score, then the online test score, then a lottery")
		d.expect("#count-test", "1 application(s) did not go on to shortlisting")

		// The applicant below the threshold reads their result.
		d.as(sr.Applicants[2].Email)
		d.open(fmt.Sprintf("/applications/%d", sr.Apps[2].ID))
		d.expect("#standing", "Your score of 55 was below the threshold of 60")
		d.expect("#test-result", "Your score: 55. The threshold: 60. You did not go on to shortlisting.")
	})
}
