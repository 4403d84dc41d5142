package web_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/recruit"
	"hcs/internal/testkit"
)

// TestBrowserInService takes an in-service nominee through the pages
// alone, each step by the person whose job it is: the employer publishes
// an in-service post and nominates an employee; the nominee applies; the
// school imports the online test's scores and publishes who goes on; the
// employer interviews the nominee (no shortlisting); the school ranks;
// the nominee ranks the posts, offered only their employer's in-service
// post (not another trust's, nor the direct-entry post); the school
// publishes the match; the nominee is offered their employer's post.
// axe-core checks every page, on both databases.
func TestBrowserInService(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		if testing.Short() {
			t.Skip("browser tests are skipped with -short")
		}
		ctx := context.Background()
		sr := testkit.StageRound(t, db, testkit.StageOptions{Places: []int{1}, Until: testkit.UntilOpen,
			Test: recruit.TestRule{Rule: recruit.TestRuleThreshold, Threshold: 5000}})
		system := auth.System("test set-up")
		// Another trust with an in-service post of its own.
		other := &auth.Organisation{Kind: auth.OrgTrust, Name: "Other Trust", Region: "Wales"}
		if err := db.CreateOrganisation(ctx, system, other); err != nil {
			t.Fatal(err)
		}
		otherEmployer := &auth.User{Name: "Owen Other", Email: "owen.other@example.org"}
		if err := db.CreateUser(ctx, system, otherEmployer, "", []auth.Grant{{Role: auth.RoleEmployer, OrganisationID: other.ID}}); err != nil {
			t.Fatal(err)
		}
		if err := sr.Service.PublishPost(ctx, auth.Actor{UserID: otherEmployer.ID}, &recruit.Post{RoundID: sr.Round.ID, OrganisationID: other.ID,
			Specialism: "audiology", Site: "Elsewhere Hospital", Places: 1, Contact: "c", InService: true}); err != nil {
			t.Fatal(err)
		}
		// The employee: an applicant account with a profile.
		nominee := &auth.User{Name: "Nia Nominee", Email: "nia.nominee@example.org"}
		if err := db.CreateUser(ctx, system, nominee, "", []auth.Grant{{Role: auth.RoleApplicant}}); err != nil {
			t.Fatal(err)
		}
		if err := sr.Service.SaveProfile(ctx, auth.Actor{UserID: nominee.ID}, &recruit.Profile{UserID: nominee.ID, RightToWork: true, EmployerID: sr.Trust.ID,
			Qualifications: []recruit.Qualification{{Credential: "degree-21", Subject: "Physics"}}}); err != nil {
			t.Fatal(err)
		}
		hash, err := auth.HashPassword(ctx, drivePassword)
		if err != nil {
			t.Fatal(err)
		}
		// The trust's second recruiter, who interviews at the other station.
		assessor, err := db.UserByEmail(ctx, "assessor@example.org")
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range []*auth.User{sr.Employer, assessor, sr.School, nominee} {
			if err := db.SetPassword(ctx, system, u.ID, hash, ""); err != nil {
				t.Fatal(err)
			}
		}
		d := &roundDriver{t: t, b: newBrowserOn(t, db), clock: sr.Clock}
		rid := fmt.Sprint(sr.Round.ID)

		// The employer publishes an in-service post and nominates Nia.
		d.as(sr.Employer.Email)
		d.open("/employer/rounds/" + rid + "/posts/new")
		d.fill("organisation_id", fmt.Sprint(sr.Trust.ID), "specialism", "audiology", "site", "Staff Hospital", "places", "1", "contact", "hr@staged.example")
		d.b.Do(t, chromedp.Click(chromedp.CSS("#in_service"), chromedp.NodeVisible))
		d.submit(`main form button[type="submit"]`)
		d.expect("#route", "In-service")
		postPath := d.path()
		d.fill("email", "nobody@example.org")
		d.submit(`#nominate button[type="submit"]`)
		d.expect(".nhsuk-error-summary", "There is no hcs account")
		d.fill("email", nominee.Email)
		d.submit(`#nominate button[type="submit"]`)
		d.expect(".nhsuk-inset-text", "Nia Nominee is nominated")
		d.expect("#nominations", "not applied yet")
		// A nomination made by mistake is withdrawn, then made again.
		d.submit(`#nominations form button[type="submit"]`)
		d.expect(".nhsuk-inset-text", "Nia Nominee's nomination is withdrawn")
		d.expect("#nominations", "Nobody is nominated yet")
		d.fill("email", nominee.Email)
		d.submit(`#nominate button[type="submit"]`)
		d.expect("#nominations", "not applied yet")

		// Nia applies, and reads that she skips shortlisting.
		d.as(nominee.Email)
		d.open("/rounds/" + rid + "/apply")
		d.expect("#in-service-rules", "skips shortlisting")
		d.fill("specialism", "audiology", "statement", "I run the hearing clinic's tympanometry and want to train as a clinical scientist.")
		d.submit(`#apply button[type="submit"]`)
		d.expect("main", "Your application has been sent")
		app := strings.TrimPrefix(d.path(), "/applications/")
		d.expect("#nomination", "Staged Trust nominated you for the in-service route")

		// The school imports the test's scores and publishes who goes on.
		sr.Clock.Set(testkit.Day(11))
		d.as(sr.School.Email)
		d.open("/school/rounds/" + rid + "/test")
		file := filepath.Join(t.TempDir(), "scores.csv")
		csv := fmt.Sprintf("applicant_reference,score,taken_on\n%s,72,%s\n", recruit.Reference(mustInt(app)), testkit.Day(3).Format("2006-01-02"))
		if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
			t.Fatal(err)
		}
		d.b.Do(t, chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}))
		d.submit(`#test-import-form button[type="submit"]`)
		d.expect(".nhsuk-inset-text", "1 new score(s)")
		d.b.Do(t, chromedp.Click(chromedp.CSS("#confirm"), chromedp.NodeVisible))
		d.submit(`#test-publish-form button[type="submit"]`)
		d.expect(".nhsuk-inset-text", "1 of 1 application(s) go on")
		d.as(nominee.Email)
		d.open("/applications/" + app)
		d.expect("#standing", "skips shortlisting")

		// No reviewers: the employer's two recruiters interview Nia, one
		// station each.
		sr.Clock.Set(testkit.Day(21))
		for i, st := range sr.Stations {
			d.as([]string{sr.Employer.Email, assessor.Email}[i])
			d.open("/employer/rounds/" + rid + "/interviews")
			d.b.Do(t, chromedp.SetValue(chromedp.CSS(`#station-`+app), fmt.Sprint(st.ID)), chromedp.SetValue(chromedp.CSS(`#score-`+app), fmt.Sprint(70+i)))
			d.submit(`form[action="/employer/applications/` + app + `/interview"] button`)
			d.expect("main", "Score saved")
		}

		// The school ranks; Nia ranks the posts she may hold: her
		// employer's in-service post alone.
		sr.Clock.Set(testkit.Day(31))
		d.as(sr.School.Email)
		d.open("/school/rounds/" + rid)
		d.submit(`#rank button`)
		d.expect("main", "1 application(s) ranked")
		d.expect("#ranking", "1 among in-service nominees")
		d.expect("#ranking", "First of the in-service nominees")
		d.as(nominee.Email)
		d.open("/applications/" + app + "/preferences")
		form := d.text("#preferences")
		if !strings.Contains(form, "Staff Hospital") || strings.Contains(form, "Elsewhere Hospital") || strings.Contains(form, "Site 1") {
			t.Errorf("Nia may rank: %q; want her employer's in-service post alone", form)
		}
		postID := strings.TrimPrefix(postPath, "/employer/posts/")
		d.fill("rank-"+postID, "1")
		d.submit(`#preferences button[type="submit"]`)
		d.expect("main", "Your ranking of posts has been saved")

		// The match: Nia is offered her employer's in-service post.
		sr.Clock.Set(testkit.Day(41))
		d.as(sr.School.Email)
		d.open("/school/rounds/" + rid + "/publish")
		d.submit(`#publish button`)
		d.expect("main", "The match is published: 1 offer(s) sent")
		d.as(nominee.Email)
		offers, err := sr.Service.Offers(ctx, recruit.OfferFilter{ApplicationID: mustInt(app)})
		if err != nil || len(offers) != 1 || fmt.Sprint(offers[0].PostID) != postID {
			t.Fatalf("Nia's offers: %+v, %v; want post %s", offers, err, postID)
		}
		d.open(fmt.Sprintf("/offers/%d", offers[0].ID))
		d.expect("#offer", "Staged Trust")
		d.expect("#offer", "Staff Hospital")
	})
}
