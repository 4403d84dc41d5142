package testkit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The browser tests drive Debian's chromium through chromedp against a
// running hcs and run axe-core on the pages they pass. They skip under
// -short, and skip when chromium or the front-end assets are missing,
// except in CI (CI=true), where that is a failure: `bash .ci/run`
// installs both.
//
// They are named TestBrowser… (and TestLighthouse): `make test` runs
// them by name, beside the rest of the suite and without the race
// detector (see the Makefile), so a test that opens a browser under
// another name fails.

// browserTestName matches the names of the tests that drive a browser:
// the Makefile's BROWSER_TESTS.
var browserTestName = regexp.MustCompile("^(TestBrowser|TestLighthouse)")

func requireBrowserTestName(t testing.TB) {
	t.Helper()
	if !browserTestName.MatchString(t.Name()) {
		t.Fatalf("%s drives a browser: name it TestBrowser… so that make test runs it with the browser tests", t.Name())
	}
}

// Browser is a headless chromium opened on one hcs.
type Browser struct {
	Ctx  context.Context
	Base string
	axe  string
}

// RequireOrSkip skips the test outside CI and fails it in CI.
func RequireOrSkip(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg + " (skipped outside CI)")
}

// moduleRoot is the repository's root, found from this file.
func moduleRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// NewBrowser starts chromium with a fresh profile and opens base.
func NewBrowser(t testing.TB, base string) *Browser {
	t.Helper()
	requireBrowserTestName(t)
	if testing.Short() {
		t.Skip("browser tests are skipped with -short")
	}
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(chromium); err != nil {
		RequireOrSkip(t, "chromium not found at %s: install Debian's chromium or set CHROMIUM", chromium)
	}
	root := moduleRoot()
	axe, err := os.ReadFile(filepath.Join(root, "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		RequireOrSkip(t, "axe-core is not installed: run `make assets` (%v)", err)
	}
	if _, err := os.Stat(filepath.Join(root, "internal", "web", "static", "manifest.json")); err != nil {
		RequireOrSkip(t, "the NHS.UK front-end assets are not built: run `make assets`")
	}
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
	ctx, cancelTimeout := context.WithTimeout(ctx, 10*time.Minute)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
		if t.Failed() {
			t.Logf("chromium output:\n%s", output.String())
		}
	})
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/healthz")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return &Browser{Ctx: ctx, Base: base, axe: string(axe)}
}

// Do runs browser actions, failing the test on error.
func (b *Browser) Do(t testing.TB, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(b.Ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// Open loads a path and waits for the page to be ready.
func (b *Browser) Open(t testing.TB, path string) {
	t.Helper()
	b.Do(t, chromedp.Navigate(b.Base+path), chromedp.WaitReady(chromedp.CSS("footer")))
}

// Text is the visible text of the first element matching sel.
func (b *Browser) Text(t testing.TB, sel string) string {
	t.Helper()
	s, err := chromedp.Run(b.Ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// Eval evaluates JavaScript that returns a string.
func (b *Browser) Eval(t testing.TB, js string) string {
	t.Helper()
	s, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return s
}

// Path is the current page's path and query.
func (b *Browser) Path(t testing.TB) string { return b.Eval(t, "location.pathname + location.search") }

// Violation is one axe-core finding.
type Violation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// CheckAccessibility runs axe-core on the current page and fails on any
// serious or critical violation.
func (b *Browser) CheckAccessibility(t testing.TB) {
	t.Helper()
	url := b.Path(t)
	for _, v := range b.Violations(t) {
		t.Errorf("%s: %s violation %s (%s) at %v", url, v.Impact, v.ID, v.Help, v.Nodes)
	}
}

// passed holds the pages axe-core found nothing wrong with, by a digest
// of what it reads: the markup, the viewport, the scroll position and the
// focused element. A page identical in all of these is not checked again
// in the same test process: the flows pass the same pages many times
// (the sign-in page at each change of person, a list before and after
// an unrelated change), and a quarter of their checks were repeats.
var passed sync.Map

// pageState is what passed's digest is taken over.
const pageState = `JSON.stringify([innerWidth, innerHeight, devicePixelRatio, scrollX, scrollY,
	document.activeElement ? document.activeElement.outerHTML.slice(0, 500) : "",
	document.documentElement.outerHTML])`

// Violations returns axe-core's serious and critical findings.
func (b *Browser) Violations(t testing.TB) []Violation {
	t.Helper()
	page := sha256.Sum256([]byte(b.Eval(t, pageState)))
	if _, ok := passed.Load(page); ok {
		return nil
	}
	b.Do(t, chromedp.Evaluate[chromedp.Void](b.axe))
	violations, err := chromedp.Run(b.Ctx, chromedp.Evaluate[[]Violation](`
		axe.run(document, {resultTypes: ['violations']}).then(r => r.violations
			.filter(v => v.impact === 'serious' || v.impact === 'critical')
			.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))})))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("run axe: %v", err)
	}
	if len(violations) == 0 {
		passed.Store(page, true)
	}
	return violations
}

// Submit clicks a form's button and waits until the next page has loaded.
// A marker set on the old page's window tells the pages apart, even when a
// form posts back to the same address.
func (b *Browser) Submit(t testing.TB, sel string) {
	t.Helper()
	b.Do(t, chromedp.Evaluate[chromedp.Void](`window.hcsOldPage = true`), chromedp.Click(chromedp.CSS(sel)))
	for range 400 {
		// While the page changes, evaluation can fail: the old document's
		// context is gone. That is not an error; try again.
		state, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`(window.hcsOldPage ? "old " : "new ") + document.readyState`))
		if err == nil && state == "new complete" {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("clicking %s did not load a new page", sel)
}

// TabTo presses Tab until the element matching sel has focus.
func (b *Browser) TabTo(t testing.TB, sel string) {
	t.Helper()
	for range 80 {
		focused := b.Eval(t, fmt.Sprintf(`document.activeElement === document.querySelector(%q) ? "yes" : "no"`, sel))
		if focused == "yes" {
			return
		}
		b.Do(t, chromedp.KeyEvent("\t"))
	}
	t.Fatalf("could not reach %s with the Tab key", sel)
}

// LighthouseScores runs Lighthouse (the pinned npm package, mobile
// settings) on url with Debian's chromium and returns each category's
// score from 0 to 100, with the failing audits of the categories below
// 100 for the test's message.
func LighthouseScores(t testing.TB, url string, categories ...string) (map[string]int, []string) {
	t.Helper()
	requireBrowserTestName(t)
	if testing.Short() {
		t.Skip("Lighthouse is skipped with -short")
	}
	root := moduleRoot()
	cli := filepath.Join(root, "node_modules", "lighthouse", "cli", "index.js")
	if _, err := os.Stat(cli); err != nil {
		RequireOrSkip(t, "lighthouse is not installed: run `make assets` (%v)", err)
	}
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(chromium); err != nil {
		RequireOrSkip(t, "chromium not found at %s", chromium)
	}
	out := filepath.Join(t.TempDir(), "report.json")
	cmd := exec.Command("node", cli, url, "--quiet", "--output=json", "--output-path="+out,
		"--only-categories="+strings.Join(categories, ","),
		"--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run --user-data-dir="+t.TempDir())
	cmd.Env = append(os.Environ(), "CHROME_PATH="+chromium)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("lighthouse %s: %v\n%s", url, err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var report struct {
		Categories map[string]struct {
			Score     *float64 `json:"score"`
			AuditRefs []struct {
				ID string `json:"id"`
			} `json:"auditRefs"`
		} `json:"categories"`
		Audits map[string]struct {
			Score            *float64 `json:"score"`
			ScoreDisplayMode string   `json:"scoreDisplayMode"`
			Title            string   `json:"title"`
		} `json:"audits"`
	}
	if err := json.Unmarshal(b, &report); err != nil {
		t.Fatalf("read the Lighthouse report: %v", err)
	}
	scores := map[string]int{}
	var failing []string
	for _, c := range categories {
		cat, ok := report.Categories[c]
		if !ok || cat.Score == nil {
			t.Fatalf("the Lighthouse report has no %s score", c)
		}
		scores[c] = int(math.Round(100 * *cat.Score))
		if scores[c] == 100 {
			continue
		}
		for _, ref := range cat.AuditRefs {
			a := report.Audits[ref.ID]
			if a.Score != nil && *a.Score < 1 && a.ScoreDisplayMode != "informative" && a.ScoreDisplayMode != "notApplicable" && a.ScoreDisplayMode != "manual" {
				failing = append(failing, c+": "+ref.ID+" ("+a.Title+")")
			}
		}
	}
	return scores, failing
}
