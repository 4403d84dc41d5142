package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/recruit"
	"hcs/internal/testkit"
)

// roundDriver walks a recruitment round through the pages as the people
// who run it, each signed in in turn, checking every page it passes with
// axe-core.
type roundDriver struct {
	t     *testing.T
	b     *browser
	clock *testkit.Clock
	who   string
}

const drivePassword = "correct horse battery staple"

func (d *roundDriver) open(path string) {
	d.t.Helper()
	d.b.Open(d.t, path)
	d.b.CheckAccessibility(d.t)
}

func (d *roundDriver) submit(sel string) {
	d.t.Helper()
	d.b.Submit(d.t, sel)
	d.b.CheckAccessibility(d.t)
}

func (d *roundDriver) click(sel string) {
	d.t.Helper()
	d.b.Do(d.t, chromedp.Click(chromedp.CSS(sel)), chromedp.WaitReady(chromedp.CSS("footer")))
	d.b.CheckAccessibility(d.t)
}

// fill sets form fields by name.
func (d *roundDriver) fill(fields ...string) {
	d.t.Helper()
	for i := 0; i < len(fields); i += 2 {
		d.b.Do(d.t, chromedp.SetValue(chromedp.CSS(fmt.Sprintf(`[name=%q]`, fields[i])), fields[i+1]))
	}
}

func (d *roundDriver) text(sel string) string { d.t.Helper(); return d.b.Text(d.t, sel) }

func (d *roundDriver) path() string { d.t.Helper(); return d.b.Eval(d.t, "location.pathname") }

// as signs in as someone (signing out whoever was signed in).
func (d *roundDriver) as(email string) {
	d.t.Helper()
	if d.who != "" {
		d.b.Open(d.t, "/account")
		if d.b.Eval(d.t, `document.querySelector('form[action="/sign-out"]') ? "in" : "out"`) == "in" {
			d.b.Submit(d.t, `form[action="/sign-out"] button`)
		}
	}
	d.open("/sign-in")
	d.fill("email", email, "password", drivePassword)
	d.submit(`main form button[type="submit"]`)
	if strings.HasPrefix(d.path(), "/sign-in") {
		d.t.Fatalf("could not sign in as %s: %s", email, d.text("main"))
	}
	d.who = email
}

func (d *roundDriver) expect(sel, want string) {
	d.t.Helper()
	if got := d.text(sel); !strings.Contains(got, want) {
		d.t.Errorf("%s on %s says %q, want it to contain %q", sel, d.path(), got, want)
	}
}

// TestBrowserWholeRound runs a national recruitment round through the
// pages alone, each step by the person whose job it is: the school opens
// it, employers publish posts, applicants fill in profiles and apply,
// appointed reviewers score blind, the school moderates, employers
// interview, the school ranks, applicants rank posts, the school tries
// the match and publishes it, an applicant declines and the place
// cascades to the next. axe-core checks every page on the way. It runs on
// SQLite and PostgreSQL.
func TestBrowserWholeRound(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		if testing.Short() {
			t.Skip("browser tests are skipped with -short")
		}
		ctx := context.Background()
		clk := &testkit.Clock{}
		clk.Set(testkit.T0)
		db.Now = clk.Now
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		// The people and trusts exist already: accounts are not this
		// test's subject.
		trustA := &auth.Organisation{Kind: auth.OrgTrust, Name: "Northshire Hospitals", Region: "North West"}
		trustB := &auth.Organisation{Kind: auth.OrgTrust, Name: "Southvale Hospitals", Region: "South West"}
		must(db.CreateOrganisation(ctx, system, trustA))
		must(db.CreateOrganisation(ctx, system, trustB))
		hash, err := auth.HashPassword(context.Background(), drivePassword)
		must(err)
		people := map[string]int64{}
		for _, p := range []struct {
			name  string
			grant auth.Grant
		}{
			{"school", auth.Grant{Role: auth.RoleSchoolAdmin}},
			{"erin", auth.Grant{Role: auth.RoleEmployer, OrganisationID: trustA.ID}},
			{"ezra", auth.Grant{Role: auth.RoleEmployer, OrganisationID: trustA.ID}},
			{"bea", auth.Grant{Role: auth.RoleEmployer, OrganisationID: trustB.ID}},
			{"rhys", auth.Grant{}}, {"rosa", auth.Grant{}},
			{"ada", auth.Grant{Role: auth.RoleApplicant}}, {"ben", auth.Grant{Role: auth.RoleApplicant}},
			{"cat", auth.Grant{Role: auth.RoleApplicant}}, {"dev", auth.Grant{Role: auth.RoleApplicant}},
		} {
			u := &auth.User{Name: strings.ToUpper(p.name[:1]) + p.name[1:] + " Person", Email: p.name + "@example.org"}
			var grants []auth.Grant
			if p.grant.Role != "" {
				grants = append(grants, p.grant)
			}
			must(db.CreateUser(ctx, system, u, hash, grants))
			people[p.name] = u.ID
		}
		b := newBrowserOn(t, db)
		d := &roundDriver{t: t, b: b, clock: clk}
		date := func(n int) string { return testkit.Day(n).Format("2006-01-02") }

		// The national school opens the round.
		d.as("school@example.org")
		d.click(`a[href="/school/rounds/new"]`)
		d.fill("programme", "stp", "name", "STP 2027")
		for field, day := range map[string]int{"applications_open": 1, "shortlisting_open": 10, "interviews_open": 20, "preferences_open": 30, "offers_open": 40, "start_date": 240} {
			d.fill(field, date(day))
		}
		d.fill("shortlist_criteria", "Curiosity, communication and care for patients.", "score_margin", "10", "shortlist_pass_mark", "50",
			"stations", "Communication: 1\nScience: 1", "offer_working_days", "2")
		d.submit(`#round button[type="submit"]`)
		var roundID int64
		fmt.Sscanf(d.path(), "/school/rounds/%d", &roundID)
		if roundID == 0 {
			t.Fatalf("after opening the round: %s %s", d.path(), d.text("main"))
		}
		rid := fmt.Sprint(roundID)
		d.expect("#timetable", "Now: Not open yet")
		// Reviewers are appointed, one from trust A.
		d.fill("email", "rhys@example.org", "organisation_id", fmt.Sprint(trustA.ID))
		d.submit(`#appoint button`)
		d.expect(".nhsuk-inset-text", "Rhys Person is appointed")
		d.fill("email", "rosa@example.org")
		d.submit(`#appoint button`)
		d.fill("email", "nobody@example.org")
		d.submit(`#appoint button`)
		d.expect(".nhsuk-error-summary", "There is no account for")

		// Employers publish posts: two at trust A, one at trust B.
		d.as("erin@example.org")
		for _, site := range []string{"Royal Infirmary", "General Hospital"} {
			d.open("/employer")
			d.click(`a[href="/employer/rounds/` + rid + `/posts/new"]`)
			d.fill("organisation_id", fmt.Sprint(trustA.ID), "specialism", "audiology", "site", site, "places", "1", "contact", "audiology@northshire.example")
			d.submit(`#post button[type="submit"]`)
			d.expect("main", "Your post is published")
		}
		d.as("bea@example.org")
		d.open("/employer/rounds/" + rid + "/posts/new")
		d.fill("organisation_id", fmt.Sprint(trustB.ID), "specialism", "audiology", "site", "Valley Hospital", "places", "1", "contact", "c@southvale.example")
		d.submit(`#post button[type="submit"]`)
		d.expect("#post", "South West") // the region is the trust's
		posts, err := testkit.Recruit(t, db).Posts(ctx, roundID)
		must(err)
		if len(posts) != 3 {
			t.Fatalf("%d posts published, want 3", len(posts))
		}
		postAt := map[string]int64{}
		for _, p := range posts {
			postAt[p.Site] = p.ID
		}

		// Applicants fill in their profiles and apply; dev cannot.
		clk.Set(testkit.Day(2))
		statements := map[string]string{"ada": "I want to help people hear.", "ben": "Hearing research fascinates me.", "cat": "I have worked in a hearing clinic."}
		apps := map[string]string{}
		for _, name := range []string{"ada", "ben", "cat", "dev"} {
			d.as(name + "@example.org")
			d.open("/profile")
			credential := "degree-21"
			if name == "dev" {
				credential = "degree-22"
			}
			d.fill("qualifications[0].credential", "gcse", "qualifications[0].subject", "9 subjects",
				"qualifications[1].credential", credential, "qualifications[1].subject", "Physics", "qualifications[1].grade", "2:1", "qualifications[1].year", "2025")
			d.b.Do(t, chromedp.Click(chromedp.CSS("#right_to_work")))
			d.submit(`#profile button[type="submit"]`)
			d.expect("main", "Your profile has been saved")
			d.click(`a[href="/rounds/` + rid + `/apply"]`)
			if name == "dev" {
				d.expect("#eligibility", "master's")
				continue
			}
			d.fill("specialism", "audiology", "statement", statements[name])
			d.submit(`#apply button[type="submit"]`)
			d.expect("main", "Your application has been sent")
			apps[name] = strings.TrimPrefix(d.path(), "/applications/")
		}

		// Shortlisting: the school assigns; reviewers score blind.
		clk.Set(testkit.Day(11))
		d.as("school@example.org")
		d.open("/school/rounds/" + rid)
		d.expect("#count-applications", "3")
		d.submit(`#assign button`)
		d.expect("main", "6 assignment(s) made")
		scores := map[string]map[string]string{"rhys": {"ada": "85", "ben": "60", "cat": "70"}, "rosa": {"ada": "80", "ben": "90", "cat": "66"}}
		for _, reviewer := range []string{"rhys", "rosa"} {
			d.as(reviewer + "@example.org")
			d.click(`a[href="/review/rounds/` + rid + `"]`)
			for _, name := range []string{"ada", "ben", "cat"} {
				d.click(`#queue a[href="/review/applications/` + apps[name] + `"]`)
				page := d.text("main")
				if !strings.Contains(page, statements[name]) || !strings.Contains(page, "Physics") || !strings.Contains(page, "Curiosity, communication") {
					t.Errorf("%s's review page lacks the statement, qualifications or criteria: %s", reviewer, page)
				}
				for _, secret := range []string{"Person", name + "@"} {
					if strings.Contains(page, secret) {
						t.Errorf("%s's blind review page shows %q", reviewer, secret)
					}
				}
				d.fill("score", scores[reviewer][name])
				d.submit(`#score-form button[type="submit"]`)
				d.expect("main", "is saved")
			}
		}
		// Ben's reviews differ by 30: the school moderates.
		d.as("school@example.org")
		d.open("/school/rounds/" + rid)
		d.expect("#moderation", "APP-")
		d.fill("score", "72")
		d.submit(`form[action="/school/applications/` + apps["ben"] + `/moderation"] button`)
		d.expect("main", "is moderated")

		// Interviews: two assessors of trust A score a station each.
		clk.Set(testkit.Day(21))
		for _, assessor := range []string{"erin", "ezra"} {
			d.as(assessor + "@example.org")
			d.open("/employer")
			d.click(`a[href="/employer/rounds/` + rid + `/interviews"]`)
			for _, name := range []string{"ada", "ben", "cat"} {
				d.b.Do(t, chromedp.SetValue(chromedp.CSS(`#score-`+apps[name]), map[string]string{"ada": "80", "ben": "70", "cat": "75"}[name]))
				d.submit(`form[action="/employer/applications/` + apps[name] + `/interview"] button`)
				d.expect("main", "Score saved")
			}
		}

		// The school ranks; applicants rank the posts.
		clk.Set(testkit.Day(31))
		d.as("school@example.org")
		d.open("/school/rounds/" + rid)
		d.submit(`#rank button`)
		d.expect("main", "3 application(s) ranked")
		d.expect("#ranking", recruit.Reference(mustInt(apps["ada"])))
		prefs := map[string][]string{"ada": {"Royal Infirmary", "General Hospital"}, "ben": {"Royal Infirmary", "Valley Hospital"}, "cat": {"General Hospital", "Royal Infirmary"}}
		for _, name := range []string{"ada", "ben", "cat"} {
			d.as(name + "@example.org")
			d.open("/applications/" + apps[name])
			d.expect("#standing", "ranked")
			d.click(`a[href="/applications/` + apps[name] + `/preferences"]`)
			for rank, site := range prefs[name] {
				d.fill(fmt.Sprintf("rank-%d", postAt[site]), fmt.Sprint(rank+1))
			}
			d.submit(`#preferences button[type="submit"]`)
			d.expect("main", "Your ranking of posts has been saved")
		}

		// Matching: a what-if (not published), then the match.
		clk.Set(testkit.Day(41))
		d.as("school@example.org")
		d.open("/school/rounds/" + rid)
		d.click(`#match-links a[href$="/what-if"]`)
		d.expect("main", "Nothing here is published")
		d.fill(fmt.Sprintf("cap-%d", postAt["General Hospital"]), "2")
		d.submit(`#what-if button[type="submit"]`)
		d.expect("#what-if-result", "Matched")
		if offers := testkit.Count(t, db, "SELECT COUNT(*) FROM offers"); offers != 0 {
			t.Fatalf("the what-if made %d offers", offers)
		}
		d.open("/school/rounds/" + rid)
		d.click(`#match-links a[href$="/publish"]`)
		d.expect("#publish-effect", "sends 3 offer(s)")
		d.submit(`#publish button`)
		d.expect("main", "The match is published: 3 offer(s) sent")
		d.expect("#matched", "The match was published")

		// Ben accepts his offer at Valley Hospital and opts in to upgrades.
		d.as("ben@example.org")
		d.open("/applicant")
		d.click(`a[href^="/offers/"]`)
		d.expect("#offer", "Valley Hospital")
		d.b.Do(t, chromedp.Click(chromedp.CSS("#answer-accept")), chromedp.Click(chromedp.CSS("#upgrades")))
		d.submit(`main form button[type="submit"]`)
		d.expect("main", "You have accepted the offer")

		// Ada declines her offer, confirming; the place cascades: cat,
		// ranked next, holds the post she ranked first, so it goes to ben,
		// who would rather have it and asked for upgrades.
		d.as("ada@example.org")
		d.open("/applicant")
		d.click(`a[href^="/offers/"]`)
		d.expect("#offer", "Royal Infirmary")
		d.expect("#offer", "band 6")
		d.b.Do(t, chromedp.Click(chromedp.CSS("#answer-decline")))
		d.submit(`main form button[type="submit"]`)
		d.expect("h1", "Are you sure you want to decline this offer?")
		if n := testkit.Count(t, db, "SELECT COUNT(*) FROM offers WHERE status = 'declined'"); n != 0 {
			t.Fatal("the offer was declined before the applicant confirmed")
		}
		d.submit(`main form button[type="submit"]`)
		d.expect("main", "You have declined the offer")

		// Ben's upgrade keeps his acceptance: he holds Royal Infirmary.
		d.as("ben@example.org")
		d.open("/applications/" + apps["ben"])
		d.expect("#offers", "Royal Infirmary")
		d.expect("#offers", "superseded")
		d.open("/applicant")
		d.click(`a[href^="/offers/"]`)
		d.expect("#offer", "Royal Infirmary")
		d.expect("#offer", "Accepted")

		d.as("cat@example.org")
		d.open("/applicant")
		d.click(`a[href^="/offers/"]`)
		d.expect("#offer", "General Hospital")
		d.b.Do(t, chromedp.Click(chromedp.CSS("#answer-accept")))
		d.submit(`main form button[type="submit"]`)
		d.expect("main", "You have accepted the offer")
		d.open("/applications/" + apps["cat"])
		d.expect("#standing", "You have accepted a training post")

		// The employer sees who was offered their posts.
		d.as("erin@example.org")
		d.open(fmt.Sprintf("/employer/posts/%d", postAt["Royal Infirmary"]))
		d.expect("#offers", "Ada Person")
		d.expect("#offers", "Declined")
		d.expect("#offers", "Ben Person")
		d.open(fmt.Sprintf("/employer/posts/%d", postAt["General Hospital"]))
		d.expect("#offers", "Cat Person")
		d.expect("#offers", "Accepted")

		// Ada, who declined, reads her results at every stage.
		d.as("ada@example.org")
		d.open("/applications/" + apps["ada"])
		d.expect("#feedback-shortlisting", "Reviewers' scores:")
		d.expect("#feedback-shortlisting", "You were shortlisted for interview.")
		d.expect("#feedback-interview", "Communication (weight 1)")
		d.expect("#feedback-posts", "You were offered a place here and declined it.")

		// The record: who did what, as the audit log has it.
		offers, err := testkit.Recruit(t, db).Offers(ctx, recruit.OfferFilter{RoundID: roundID})
		must(err)
		status := map[string]int{}
		for _, o := range offers {
			status[o.Status]++
		}
		if status[recruit.OfferDeclined] != 1 || status[recruit.OfferAccepted] != 2 || status[recruit.OfferSuperseded] != 1 || len(offers) != 4 {
			t.Errorf("offers at the end: %v of %d", status, len(offers))
		}
		if n := testkit.Count(t, db, "SELECT COUNT(*) FROM audit_log WHERE action = 'offer.create' AND process = 'cascade'"); n != 1 {
			t.Errorf("%d offers were made by the cascade, want 1 (ada's place, to ben)", n)
		}
	})
}
