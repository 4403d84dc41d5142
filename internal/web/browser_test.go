package web_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/demo"
	"hcs/internal/testkit"
)

// The browser tests drive Debian's chromium through chromedp against the
// real handler (testkit.NewBrowser), walk the explorer's journeys (one of
// them by keyboard only) and run axe-core on every page type.

// browser is chromium opened on a server over a fresh database.
type browser struct {
	*testkit.Browser
	db *database.DB
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	return newBrowserOn(t, testkit.SQLiteDB(t))
}

// newBrowserOn opens chromium on a server over db.
func newBrowserOn(t *testing.T, db *database.DB) *browser {
	t.Helper()
	if testing.Short() {
		t.Skip("browser tests are skipped with -short")
	}
	srv := httptest.NewServer(testkit.ServerWith(t, db))
	t.Cleanup(srv.Close)
	return &browser{Browser: testkit.NewBrowser(t, srv.URL), db: db}
}

// TestBrowserAxeFindsViolations proves the accessibility check can fail: an
// unlabelled form field planted in a page must be reported.
func TestBrowserAxeFindsViolations(t *testing.T) {
	b := newBrowser(t)
	b.Open(t, "/")
	b.Do(t, chromedp.Evaluate[chromedp.Void](`document.querySelector("main").appendChild(document.createElement("input"))`))
	for _, v := range b.Violations(t) {
		if v.ID == "label" {
			return
		}
	}
	t.Fatal("axe did not report an unlabelled input")
}

func TestBrowserAccessibilityOfEveryPageType(t *testing.T) {
	b := newBrowser(t)
	for _, path := range []string{
		"/",
		"/areas",
		"/areas/physical-sciences",
		"/role-groups/cellular-sciences",
		"/specialisms",
		"/specialisms?level=wizard",
		"/specialisms/cardiac-science",
		"/specialisms/virology",
		"/specialisms/reproductive-science",
		"/levels",
		"/levels/practitioner",
		"/programmes",
		"/programmes/apprenticeship-level-6",
		"/search?q=heart",
		"/search?q=xyzzyq",
		"/compare",
		"/compare?ids=audiology,genomics,radiotherapy-physics",
		"/pathway",
		"/pathway?from=gcses&specialism=audiology&level=clinical-scientist",
		"/pathway?from=gcses&specialism=audiology",
		"/pathway?specialism=reconstructive-science",
		"/pathway?show=1&from=registered-clinical-scientist&from_specialism=clinical-biochemistry&specialism=radiotherapy-physics&level=clinical-scientist",
		"/pay",
		"/sources",
		"/search?q=sonographer",
		"/specialisms/histopathology",
		"/quiz",
		"/quiz?code=5&page=4",
		"/quiz/results?code=515151515151515151515151515151-S",
		"/posts?specialism=audiology",
		"/posts?region=Atlantis",
		"/no/such/page",
	} {
		t.Run(path, func(t *testing.T) {
			b.Open(t, path)
			b.CheckAccessibility(t)
		})
	}
}

// TestBrowserSearchToSpecialismByKeyboard: from the home page, with the
// keyboard only, search with a typo and open the specialism.
func TestBrowserSearchToSpecialismByKeyboard(t *testing.T) {
	b := newBrowser(t)
	b.Open(t, "/")
	b.TabTo(t, "#home-search")
	b.Do(t, chromedp.KeyEvent("audiolgy"), chromedp.KeyEvent("\r"), chromedp.WaitVisible(chromedp.ID("results")))
	b.TabTo(t, `#results a[href="/specialisms/audiology"]`)
	b.Do(t, chromedp.KeyEvent("\r"), chromedp.WaitVisible(chromedp.CSS("h1")))
	if h1 := b.Text(t, "h1"); h1 != "Audiology" {
		t.Fatalf("landed on %q, want the Audiology page", h1)
	}
	b.CheckAccessibility(t)
}

func TestBrowserCompare(t *testing.T) {
	b := newBrowser(t)
	b.Open(t, "/compare")
	b.Do(t,
		chromedp.SetValue(chromedp.ID("role-1"), "audiology"),
		chromedp.SetValue(chromedp.ID("role-2"), "clinical-biochemistry"),
		chromedp.SetValue(chromedp.ID("role-3"), "radiotherapy-physics"),
	)
	b.Submit(t, `form#ids button[type="submit"]`)
	table := b.Text(t, "table.hcs-compare")
	for _, want := range []string{"Audiology", "Clinical biochemistry", "Radiotherapy physics", "Where the roles differ", "Contact with patients"} {
		if !strings.Contains(table, want) {
			t.Errorf("comparison table lacks %q", want)
		}
	}
	share := b.Text(t, "#share-link")
	if share != "/compare?ids=audiology%2Cclinical-biochemistry%2Cradiotherapy-physics" {
		t.Errorf("share link %q", share)
	}
	// The shared link shows the same comparison to someone else.
	b.Open(t, share)
	if again := b.Text(t, "table.hcs-compare"); again != table {
		t.Error("the shared link shows a different comparison")
	}
	b.CheckAccessibility(t)
}

// On a phone (390 px wide) the comparison table stacks, and each value
// must still be shown beside its role's name.
func TestBrowserCompareOnAPhone(t *testing.T) {
	b := newBrowser(t)
	b.Do(t, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	b.Open(t, "/compare?ids=audiology,clinical-biochemistry,radiotherapy-physics")
	// For each value cell: its visible text, whether it starts with the
	// role's name, and whether it fits the screen.
	report := b.Eval(t, `(() => {
		const roles = [...document.querySelectorAll('table.hcs-compare thead th[scope=col]')].slice(1).map(th => th.innerText.trim());
		const out = [];
		for (const row of document.querySelectorAll('table.hcs-compare tbody tr')) {
			[...row.querySelectorAll('td')].forEach((td, i) => {
				const r = td.getBoundingClientRect();
				const ok = td.innerText.trim().startsWith(roles[i]) && r.width > 0 && r.right <= window.innerWidth + 1;
				if (!ok) out.push(row.querySelector('th').innerText + ' / ' + roles[i] + ': ' + JSON.stringify(td.innerText.slice(0, 60)) + ' width ' + r.width + ' right ' + r.right);
			});
		}
		return roles.length + ' roles; ' + document.querySelectorAll('table.hcs-compare tbody td').length + ' cells; ' + (out.join('\n') || 'all labelled');
	})()`)
	if !strings.HasSuffix(report, "all labelled") || !strings.HasPrefix(report, "3 roles") {
		t.Errorf("at 390 px wide:\n%s", report)
	}
	if w := b.Eval(t, `String(document.documentElement.scrollWidth)`); w != "390" {
		t.Errorf("the page is %s px wide on a 390 px screen: it scrolls sideways", w)
	}
	b.CheckAccessibility(t)
}

func TestBrowserPathwayPlanner(t *testing.T) {
	b := newBrowser(t)
	b.Open(t, "/pathway")
	b.Do(t,
		chromedp.SetValue(chromedp.ID("from"), "science-degree-22"),
		chromedp.SetValue(chromedp.ID("specialism"), "genomics"),
		chromedp.SetValue(chromedp.ID("level"), "clinical-scientist"),
	)
	b.Submit(t, `main form button[type="submit"]`)
	main := b.Text(t, "main")
	for _, want := range []string{"Quickest route: about 4 years", "Master's degree in a relevant science", "Scientist Training Programme (STP)", "Band 6 while training"} {
		if !strings.Contains(main, want) {
			t.Errorf("plan lacks %q", want)
		}
	}
	// A level the specialism does not have gets an answer, not an empty page.
	b.Do(t,
		chromedp.SetValue(chromedp.ID("specialism"), "genomic-counselling"),
		chromedp.SetValue(chromedp.ID("level"), "practitioner"),
	)
	b.Submit(t, `main form button[type="submit"]`)
	if main := b.Text(t, "main"); !strings.Contains(main, "has no practitioner level") {
		t.Errorf("no clear answer for an unavailable level:\n%s", main)
	}
	b.CheckAccessibility(t)
}

func TestBrowserQuizToResults(t *testing.T) {
	b := newBrowser(t)
	b.Open(t, "/quiz")
	// Like everything about measuring the body and patients; dislike the rest.
	likes := map[int]bool{1: true, 2: true, 4: true, 21: true, 22: true, 23: true, 30: true}
	for page := 1; page <= 3; page++ {
		for i := (page-1)*10 + 1; i <= page*10; i++ {
			answer := 1
			if likes[i] {
				answer = 5
			}
			b.Do(t, chromedp.Click(chromedp.ID(fmt.Sprintf("q%d-%d", i, answer))))
		}
		b.Submit(t, `main form button[type="submit"]`)
		if want := fmt.Sprintf("Part %d of 4", page+1); !strings.Contains(b.Text(t, "main"), want) {
			t.Fatalf("after part %d: page does not say %q", page, want)
		}
	}
	b.Do(t, chromedp.Click(chromedp.ID("db-no-samples")))
	b.Submit(t, `main form button[type="submit"]`)
	results := b.Text(t, "#matches")
	if !strings.Contains(results, "Why it matched") || !strings.Contains(results, "% match") {
		t.Fatalf("results lack reasons:\n%s", results)
	}
	first := b.Text(t, "#matches li h2")
	for _, physiology := range []string{"Audiology", "Cardiac science", "Neurophysiology", "Respiratory and sleep science", "Vascular science", "Ophthalmic and vision science", "Urodynamic science", "Gastrointestinal physiology"} {
		if strings.HasPrefix(first, physiology) {
			goto matched
		}
	}
	t.Errorf("top match %q is not a patient-facing physiology role", first)
matched:
	if strings.Contains(results, "Clinical biochemistry") {
		t.Error("a sample-handling role is listed despite the deal-breaker")
	}
	code := b.Eval(t, "new URLSearchParams(location.search).get('code')")
	if !strings.HasSuffix(code, "-B") || len(code) != 32 {
		t.Errorf("results URL code %q, want 30 answers and the deal-breaker", code)
	}
	if !strings.Contains(b.Text(t, "main"), "never used to select applicants") {
		t.Error("the results page does not say the quiz is not for selection")
	}
	b.CheckAccessibility(t)
}

// TestBrowserSignInAsEachRole signs in through the form as each demo
// account and lands on that role's home page; the sign-in, sign-up and
// account pages pass axe, with and without errors.
func TestBrowserSignInAsEachRole(t *testing.T) {
	b := newBrowser(t)
	accounts, err := demo.Seed(context.Background(), b.db, testkit.Recruit(t, b.db), testkit.Train(t, b.db), b.db.MovableClock(), false)
	if err != nil {
		t.Fatal(err)
	}
	b.Open(t, "/sign-up")
	b.CheckAccessibility(t)
	b.Submit(t, `main form button[type="submit"]`) // empty: errors
	if !strings.Contains(b.Text(t, "main"), "Enter your full name") {
		t.Error("an empty sign-up form does not say what is missing")
	}
	b.CheckAccessibility(t)

	for i, a := range accounts {
		t.Run(string(a.Role), func(t *testing.T) {
			b.Open(t, "/sign-in")
			if i == 0 {
				b.CheckAccessibility(t)
				b.Do(t, chromedp.SendKeys(chromedp.ID("email"), a.Email), chromedp.SendKeys(chromedp.ID("password"), "not the password"))
				b.Submit(t, `main form button[type="submit"]`)
				if !strings.Contains(b.Text(t, ".nhsuk-error-summary"), "Enter a correct email address and password") {
					t.Error("a wrong password does not get a clear error")
				}
				b.CheckAccessibility(t)
				b.Do(t, chromedp.Clear(chromedp.ID("email")))
			}
			b.Do(t, chromedp.SendKeys(chromedp.ID("email"), a.Email), chromedp.SendKeys(chromedp.ID("password"), a.Password))
			b.Submit(t, `main form button[type="submit"]`)
			if path := b.Eval(t, "location.pathname"); path != auth.HomePath[a.Role] {
				t.Fatalf("signed in as %s and landed on %s, want %s", a.Role, path, auth.HomePath[a.Role])
			}
			b.CheckAccessibility(t)
			b.Open(t, "/account")
			if roles := b.Text(t, "#roles"); !strings.Contains(roles, auth.RoleNames[a.Role]) {
				t.Errorf("the account page lists %q, not %s", roles, auth.RoleNames[a.Role])
			}
			b.CheckAccessibility(t)
			b.Submit(t, `form[action="/sign-out"] button`)
			if path := b.Eval(t, "location.pathname"); path != "/" {
				t.Errorf("after signing out: %s", path)
			}
		})
	}
}
