package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/demo"
	"hcs/internal/testkit"
)

// The browser tests drive Debian's chromium through chromedp against the
// real handler, walk the explorer's journeys (one of them by keyboard only)
// and run axe-core on every page type. They skip under -short, and skip when
// chromium or the front-end assets are missing, except in CI (CI=true),
// where that is a failure: `bash .ci/run` installs both.

type browser struct {
	ctx  context.Context
	base string
	axe  string
	db   *database.DB
}

func requireOrSkip(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg + " (skipped outside CI)")
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	if testing.Short() {
		t.Skip("browser tests are skipped with -short")
	}
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(chromium); err != nil {
		requireOrSkip(t, "chromium not found at %s: install Debian's chromium or set CHROMIUM", chromium)
	}
	axe, err := os.ReadFile("../../node_modules/axe-core/axe.min.js")
	if err != nil {
		requireOrSkip(t, "axe-core is not installed: run `make assets` (%v)", err)
	}
	if _, err := os.Stat("static/vendor/nhsuk-frontend.min.css"); err != nil {
		requireOrSkip(t, "the NHS.UK front-end assets are not built: run `make assets`")
	}

	db := testkit.SQLiteDB(t)
	srv := httptest.NewServer(testkit.ServerWith(t, db))
	t.Cleanup(srv.Close)

	var output bytes.Buffer
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1024, 900),
		chromedp.CombinedOutput(&output),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
		if t.Failed() {
			t.Logf("chromium output:\n%s", output.String())
		}
	})
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/healthz")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return &browser{ctx: ctx, base: srv.URL, axe: string(axe), db: db}
}

func (b *browser) do(t *testing.T, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

func (b *browser) open(t *testing.T, path string) {
	t.Helper()
	b.do(t, chromedp.Navigate(b.base+path), chromedp.WaitReady(chromedp.CSS("footer")))
}

func (b *browser) text(t *testing.T, sel string) string {
	t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func (b *browser) eval(t *testing.T, js string) string {
	t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return s
}

type violation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// checkAccessibility runs axe-core on the current page and fails on any
// serious or critical violation.
func (b *browser) checkAccessibility(t *testing.T) {
	t.Helper()
	url := b.eval(t, "location.pathname + location.search")
	for _, v := range b.violations(t) {
		t.Errorf("%s: %s violation %s (%s) at %v", url, v.Impact, v.ID, v.Help, v.Nodes)
	}
}

// violations returns axe-core's serious and critical findings.
func (b *browser) violations(t *testing.T) []violation {
	t.Helper()
	b.do(t, chromedp.Evaluate[chromedp.Void](b.axe))
	violations, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]violation](`
		axe.run(document, {resultTypes: ['violations']}).then(r => r.violations
			.filter(v => v.impact === 'serious' || v.impact === 'critical')
			.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))})))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("run axe: %v", err)
	}
	return violations
}

// TestBrowserAxeFindsViolations proves the accessibility check can fail: an
// unlabelled form field planted in a page must be reported.
func TestBrowserAxeFindsViolations(t *testing.T) {
	b := newBrowser(t)
	b.open(t, "/")
	b.do(t, chromedp.Evaluate[chromedp.Void](`document.querySelector("main").appendChild(document.createElement("input"))`))
	for _, v := range b.violations(t) {
		if v.ID == "label" {
			return
		}
	}
	t.Fatal("axe did not report an unlabelled input")
}

// submit clicks a form's button and waits until the next page has loaded.
// A marker set on the old page's window tells the pages apart, even when a
// form posts back to the same address.
func (b *browser) submit(t *testing.T, sel string) {
	t.Helper()
	b.do(t, chromedp.Evaluate[chromedp.Void](`window.hcsOldPage = true`), chromedp.Click(chromedp.CSS(sel)))
	for range 200 {
		// While the page changes, evaluation can fail: the old document's
		// context is gone. That is not an error; try again.
		state, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`(window.hcsOldPage ? "old " : "new ") + document.readyState`))
		if err == nil && state == "new complete" {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("clicking %s did not load a new page", sel)
}

// tabTo presses Tab until the element matching sel has focus.
func (b *browser) tabTo(t *testing.T, sel string) {
	t.Helper()
	for range 80 {
		focused := b.eval(t, fmt.Sprintf(`document.activeElement === document.querySelector(%q) ? "yes" : "no"`, sel))
		if focused == "yes" {
			return
		}
		b.do(t, chromedp.KeyEvent("\t"))
	}
	t.Fatalf("could not reach %s with the Tab key", sel)
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
		"/quiz",
		"/quiz?code=5&page=4",
		"/quiz/results?code=515151515151515151515151515151-S",
		"/posts?specialism=audiology",
		"/posts?region=Atlantis",
		"/no/such/page",
	} {
		t.Run(path, func(t *testing.T) {
			b.open(t, path)
			b.checkAccessibility(t)
		})
	}
}

// TestBrowserSearchToSpecialismByKeyboard: from the home page, with the
// keyboard only, search with a typo and open the specialism.
func TestBrowserSearchToSpecialismByKeyboard(t *testing.T) {
	b := newBrowser(t)
	b.open(t, "/")
	b.tabTo(t, "#home-search")
	b.do(t, chromedp.KeyEvent("audiolgy"), chromedp.KeyEvent("\r"), chromedp.WaitVisible(chromedp.ID("results")))
	b.tabTo(t, `#results a[href="/specialisms/audiology"]`)
	b.do(t, chromedp.KeyEvent("\r"), chromedp.WaitVisible(chromedp.CSS("h1")))
	if h1 := b.text(t, "h1"); h1 != "Audiology" {
		t.Fatalf("landed on %q, want the Audiology page", h1)
	}
	b.checkAccessibility(t)
}

func TestBrowserCompare(t *testing.T) {
	b := newBrowser(t)
	b.open(t, "/compare")
	b.do(t,
		chromedp.SetValue(chromedp.ID("role-1"), "audiology"),
		chromedp.SetValue(chromedp.ID("role-2"), "clinical-biochemistry"),
		chromedp.SetValue(chromedp.ID("role-3"), "radiotherapy-physics"),
	)
	b.submit(t, `form#ids button[type="submit"]`)
	table := b.text(t, "table.hcs-compare")
	for _, want := range []string{"Audiology", "Clinical biochemistry", "Radiotherapy physics", "Differs", "Contact with patients"} {
		if !strings.Contains(table, want) {
			t.Errorf("comparison table lacks %q", want)
		}
	}
	share := b.text(t, "#share-link")
	if share != "/compare?ids=audiology%2Cclinical-biochemistry%2Cradiotherapy-physics" {
		t.Errorf("share link %q", share)
	}
	// The shared link shows the same comparison to someone else.
	b.open(t, share)
	if again := b.text(t, "table.hcs-compare"); again != table {
		t.Error("the shared link shows a different comparison")
	}
	b.checkAccessibility(t)
}

func TestBrowserPathwayPlanner(t *testing.T) {
	b := newBrowser(t)
	b.open(t, "/pathway")
	b.do(t,
		chromedp.SetValue(chromedp.ID("from"), "science-degree-22"),
		chromedp.SetValue(chromedp.ID("specialism"), "genomics"),
		chromedp.SetValue(chromedp.ID("level"), "clinical-scientist"),
	)
	b.submit(t, `main form button[type="submit"]`)
	main := b.text(t, "main")
	for _, want := range []string{"Quickest route: about 4 years", "Master's degree in a relevant science", "Scientist Training Programme (STP)", "Band 6 while training"} {
		if !strings.Contains(main, want) {
			t.Errorf("plan lacks %q", want)
		}
	}
	// A level the specialism does not have gets an answer, not an empty page.
	b.do(t,
		chromedp.SetValue(chromedp.ID("specialism"), "genomic-counselling"),
		chromedp.SetValue(chromedp.ID("level"), "practitioner"),
	)
	b.submit(t, `main form button[type="submit"]`)
	if main := b.text(t, "main"); !strings.Contains(main, "has no practitioner level") {
		t.Errorf("no clear answer for an unavailable level:\n%s", main)
	}
	b.checkAccessibility(t)
}

func TestBrowserQuizToResults(t *testing.T) {
	b := newBrowser(t)
	b.open(t, "/quiz")
	// Like everything about measuring the body and patients; dislike the rest.
	likes := map[int]bool{1: true, 2: true, 4: true, 21: true, 22: true, 23: true, 30: true}
	for page := 1; page <= 3; page++ {
		for i := (page-1)*10 + 1; i <= page*10; i++ {
			answer := 1
			if likes[i] {
				answer = 5
			}
			b.do(t, chromedp.Click(chromedp.ID(fmt.Sprintf("q%d-%d", i, answer))))
		}
		b.submit(t, `main form button[type="submit"]`)
		if want := fmt.Sprintf("Part %d of 4", page+1); !strings.Contains(b.text(t, "main"), want) {
			t.Fatalf("after part %d: page does not say %q", page, want)
		}
	}
	b.do(t, chromedp.Click(chromedp.ID("db-no-samples")))
	b.submit(t, `main form button[type="submit"]`)
	results := b.text(t, "#matches")
	if !strings.Contains(results, "Why it matched") || !strings.Contains(results, "% match") {
		t.Fatalf("results lack reasons:\n%s", results)
	}
	first := b.text(t, "#matches li h2")
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
	code := b.eval(t, "new URLSearchParams(location.search).get('code')")
	if !strings.HasSuffix(code, "-B") || len(code) != 32 {
		t.Errorf("results URL code %q, want 30 answers and the deal-breaker", code)
	}
	if !strings.Contains(b.text(t, "main"), "never used to select applicants") {
		t.Error("the results page does not say the quiz is not for selection")
	}
	b.checkAccessibility(t)
}

// TestBrowserSignInAsEachRole signs in through the form as each demo
// account and lands on that role's home page; the sign-in, sign-up and
// account pages pass axe, with and without errors.
func TestBrowserSignInAsEachRole(t *testing.T) {
	b := newBrowser(t)
	accounts, err := demo.Seed(context.Background(), b.db)
	if err != nil {
		t.Fatal(err)
	}
	b.open(t, "/sign-up")
	b.checkAccessibility(t)
	b.submit(t, `main form button[type="submit"]`) // empty: errors
	if !strings.Contains(b.text(t, "main"), "Enter your full name") {
		t.Error("an empty sign-up form does not say what is missing")
	}
	b.checkAccessibility(t)

	for i, a := range accounts {
		t.Run(string(a.Role), func(t *testing.T) {
			b.open(t, "/sign-in")
			if i == 0 {
				b.checkAccessibility(t)
				b.do(t, chromedp.SendKeys(chromedp.ID("email"), a.Email), chromedp.SendKeys(chromedp.ID("password"), "not the password"))
				b.submit(t, `main form button[type="submit"]`)
				if !strings.Contains(b.text(t, ".nhsuk-error-summary"), "Enter a correct email address and password") {
					t.Error("a wrong password does not get a clear error")
				}
				b.checkAccessibility(t)
				b.do(t, chromedp.Clear(chromedp.ID("email")))
			}
			b.do(t, chromedp.SendKeys(chromedp.ID("email"), a.Email), chromedp.SendKeys(chromedp.ID("password"), a.Password))
			b.submit(t, `main form button[type="submit"]`)
			if path := b.eval(t, "location.pathname"); path != auth.HomePath[a.Role] {
				t.Fatalf("signed in as %s and landed on %s, want %s", a.Role, path, auth.HomePath[a.Role])
			}
			b.checkAccessibility(t)
			b.open(t, "/account")
			if roles := b.text(t, "#roles"); !strings.Contains(roles, auth.RoleNames[a.Role]) {
				t.Errorf("the account page lists %q, not %s", roles, auth.RoleNames[a.Role])
			}
			b.checkAccessibility(t)
			b.submit(t, `form[action="/sign-out"] button`)
			if path := b.eval(t, "location.pathname"); path != "/" {
				t.Errorf("after signing out: %s", path)
			}
		})
	}
}
