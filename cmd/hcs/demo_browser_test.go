package main

import (
	"bufio"
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"hcs/internal/testkit"
)

// demoAccounts reads the accounts the demo prints at start: role, email
// and password.
func (p *process) demoAccounts(t *testing.T) [][3]string {
	t.Helper()
	var out [][3]string
	sc := bufio.NewScanner(bytes.NewReader(p.stdout.Bytes()))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 3 && strings.Contains(f[1], "@") {
			out = append(out, [3]string{f[0], f[1], f[2]})
		}
	}
	return out
}

// TestBrowserDemoGivesEveryRoleWork starts hcs in demo mode as `make run`
// does, signs in through the browser with every account it prints, and
// finds on each role's home the work that role does: the school's rounds
// at every stage, an employer's posts and who was offered them, a
// reviewer's queue, an applicant's offer and a round to apply to. axe-core
// checks each page.
func TestBrowserDemoGivesEveryRoleWork(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are skipped with -short")
	}
	p := startHCS(t, filepath.Join(t.TempDir(), "hcs.db"), "--demo")
	accounts := p.demoAccounts(t)
	if len(accounts) != 9 {
		t.Fatalf("the demo printed %d accounts, want one per role:\n%s", len(accounts), p.stdout)
	}
	// What each home must show: the role's live work.
	want := map[string][]string{
		"applicant":             {"STP 2026 (demo)", "Your offer (offered)", "answer by", "Apply to PTP 2027 (demo)"},
		"employer-recruiter":    {"STP 2026 (demo)", "Offered to", "(accepted)", "Publish a post in PTP 2027 (demo)", "STP 2027 (demo)"},
		"training-officer":      {"Audiology", "Trainees in your departments", "Behind schedule", "Review overdue"},
		"supervisor":            {"Tom Trainee", "Module ROTATIONS (Rotations) is ready for sign-off"},
		"trainee":               {"STP in Audiology", "Review overdue", "Add evidence"},
		"national-school-admin": {"STP 2026 (demo)", "Matching and offers", "STP 2027 (demo)", "Shortlisting", "PTP 2027 (demo)", "Applications"},
		"workforce-planner":     {"North West"},
		"system-admin":          {"People and their roles", "Audit log"},
		"reviewer":              {"STP 2027 (demo)", "0 of", "reviewed"},
	}
	b := testkit.NewBrowser(t, "http://"+p.addr)
	for _, a := range accounts {
		role, email, password := a[0], a[1], a[2]
		t.Run(role, func(t *testing.T) {
			b.Open(t, "/sign-in")
			b.Do(t, chromedp.SetValue(chromedp.ID("email"), email), chromedp.SetValue(chromedp.ID("password"), password))
			b.Submit(t, `main form button[type="submit"]`)
			home := b.Text(t, "main")
			for _, w := range want[role] {
				if !strings.Contains(home, w) {
					t.Errorf("%s's home (%s) does not show %q:\n%s", role, b.Path(t), w, home)
				}
			}
			b.CheckAccessibility(t)
			switch role {
			case "reviewer": // the queue holds applications to score
				// Open the round the home links to (a click's navigation
				// could be read before the new page arrives).
				b.Open(t, b.Eval(t, `document.querySelector('#rounds a').getAttribute("href")`))
				if q := b.Text(t, "#queue"); !strings.Contains(q, "Not reviewed") {
					t.Errorf("the reviewer's queue: %s", q)
				}
				b.CheckAccessibility(t)
			case "national-school-admin": // a round's dashboard has moderation to do; trainees need attention
				b.Open(t, b.Eval(t, `document.querySelector('#rounds a[href^="/school/rounds/"]').getAttribute("href")`))
				b.CheckAccessibility(t)
				b.Open(t, "/school/training")
				if list := b.Text(t, "main"); !strings.Contains(list, "Behind schedule") || !strings.Contains(list, "Assessor waiting") {
					t.Errorf("the school's trainees: %s", list)
				}
				b.CheckAccessibility(t)
			case "supervisor", "trainee", "training-officer": // a trainee's record, as each sees it
				// Open the first record the home links to (a click's navigation
				// could be read before the new page arrives).
				b.Open(t, b.Eval(t, `document.querySelector('main a[href^="/training/trainees/"]').getAttribute("href")`))
				if rec := b.Text(t, "main"); !strings.Contains(rec, "Progress reviews") || !strings.Contains(rec, "History") {
					t.Errorf("%s's view of a record: %s", role, rec)
				}
				b.CheckAccessibility(t)
			}
			b.Open(t, "/account")
			b.Submit(t, `form[action="/sign-out"] button`)
		})
	}
}
