package web_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"hcs/internal/privacy"
	"hcs/internal/testkit"
	"hcs/internal/web"
)

// TestBrowserAccountJourneys: a new person creates an account by the link
// sent to their address, changes their password, signs out, forgets it and
// resets it by its link, as in a demonstration (messages shown on the
// page). Every page passes axe, with and without errors.
func TestBrowserAccountJourneys(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are skipped with -short")
	}
	db := testkit.SQLiteDB(t)
	var h http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	recruitment := testkit.Recruit(t, db)
	s, err := web.New(web.Config{Framework: testkit.Framework(t), Search: testkit.Search(t), Store: db, Recruit: recruitment, Train: testkit.Train(t, db),
		Privacy: privacy.NewService(db, db, recruitment), PublicURL: srv.URL, ShowMessages: true})
	if err != nil {
		t.Fatal(err)
	}
	h = s
	b := testkit.NewBrowser(t, srv.URL)
	fill := func(values map[string]string) {
		t.Helper()
		for id, v := range values {
			b.Do(t, chromedp.Clear(chromedp.ID(id)), chromedp.SendKeys(chromedp.ID(id), v))
		}
	}
	follow := func() {
		t.Helper()
		link := b.Eval(t, `document.querySelector(".nhsuk-warning-callout a").getAttribute("href")`)
		if !strings.HasPrefix(link, srv.URL+"/") {
			t.Fatalf("the message's link is %q", link)
		}
		b.Open(t, strings.TrimPrefix(link, srv.URL))
		b.CheckAccessibility(t)
	}
	submit := func() { t.Helper(); b.Submit(t, `main form button[type="submit"]`) }

	// Create an account.
	b.Open(t, "/sign-up")
	fill(map[string]string{"name": "Nia Brown", "email": "nia.brown@example.org", "password": "first password here", "confirm": "first password here"})
	submit()
	if !strings.Contains(b.Text(t, "main"), "We have sent a message to nia.brown@example.org") {
		t.Fatalf("after signing up: %s", b.Text(t, "main"))
	}
	b.CheckAccessibility(t)
	follow()
	submit()
	if path := b.Path(t); path != "/applicant" || !strings.Contains(b.Text(t, "main"), "Your account is ready") {
		t.Fatalf("after following the link: %s", path)
	}
	b.CheckAccessibility(t)

	// Change the password: a wrong current password first.
	b.Open(t, "/account/password")
	b.CheckAccessibility(t)
	fill(map[string]string{"current": "not my password", "password": "second password here", "confirm": "second password here"})
	submit()
	if !strings.Contains(b.Text(t, ".nhsuk-error-summary"), "Your current password is not correct") {
		t.Error("a wrong current password does not get a clear error")
	}
	b.CheckAccessibility(t)
	fill(map[string]string{"current": "first password here", "password": "second password here", "confirm": "second password here"})
	submit()
	if path := b.Path(t); path != "/account" || !strings.Contains(b.Text(t, "main"), "Your password has been changed") {
		t.Errorf("after changing the password: %s", path)
	}
	b.CheckAccessibility(t)
	b.Submit(t, `form[action="/sign-out"] button`)

	// Forget it, and reset it by the link.
	b.Open(t, "/password-reset")
	fill(map[string]string{"email": "nia.brown@example.org"})
	submit()
	b.CheckAccessibility(t)
	follow()
	fill(map[string]string{"password": "third password here", "confirm": "not the same"})
	submit()
	if !strings.Contains(b.Text(t, ".nhsuk-error-summary"), "The passwords do not match") {
		t.Error("mismatched passwords do not get a clear error")
	}
	b.CheckAccessibility(t)
	fill(map[string]string{"password": "third password here", "confirm": "third password here"})
	submit()
	if path := b.Path(t); path != "/sign-in" || !strings.Contains(b.Text(t, "main"), "Your password has been changed") {
		t.Errorf("after resetting: %s", path)
	}
	b.CheckAccessibility(t)
	fill(map[string]string{"email": "nia.brown@example.org", "password": "third password here"})
	submit()
	if path := b.Path(t); path != "/applicant" {
		t.Errorf("signing in with the new password lands on %s", path)
	}

	// A link that cannot be used says so, with the way on.
	b.Open(t, "/password-reset/"+strings.Repeat("A", 43))
	if !strings.Contains(b.Text(t, "main"), "Ask for a new link") {
		t.Error("an unknown reset link does not offer a new one")
	}
	b.CheckAccessibility(t)
}
