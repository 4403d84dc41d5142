package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"hcs/internal/auth"
	"hcs/internal/privacy"
	"hcs/internal/testkit"
	"hcs/internal/web"
)

// These tests check the mechanisms behind finding 1 of the security
// review (unlimited password hashing by anyone signed out) and finding 11
// (account enumeration): what work is done, not how long it takes.

// No password is hashed before a reset link is found to be usable.
func TestResetLinkIsCheckedBeforeHashing(t *testing.T) {
	db := testkit.SQLiteDB(t)
	h := testkit.ServerWith(t, db)
	makeAccount(t, db, "Holder", "holder@example.org", "correct horse battery")
	a := newAttacker(t, h)
	a.send("POST", "/password-reset", url.Values{"email": {"holder@example.org"}})
	_, used := resetToken(t, db, "holder@example.org")
	pw := url.Values{"password": {"a new password for it"}, "confirm": {"a new password for it"}}
	if rec := a.send("POST", "/password-reset/"+used, pw); rec.Code != http.StatusSeeOther {
		t.Fatalf("using the link: %d", rec.Code)
	}
	long := strings.Repeat("p", auth.MaxPasswordLength)
	for _, tc := range []struct{ name, path string }{
		{"a link never issued", "/password-reset/" + strings.Repeat("A", 43)},
		{"a used link", "/password-reset/" + used},
		{"a malformed link", "/password-reset/not-a-token"},
	} {
		before := auth.PasswordWork().Computed
		rec := a.send("POST", tc.path, url.Values{"password": {long}, "confirm": {long}})
		if rec.Code == http.StatusSeeOther {
			t.Errorf("%s changed a password", tc.name)
		}
		if n := auth.PasswordWork().Computed - before; n != 0 {
			t.Errorf("%s: %d password hash(es) computed before the link was refused", tc.name, n)
		}
	}
}

// Unknown and known accounts take the same path: one password check each
// when signing in, one hash each when signing up.
func TestUnknownAccountsDoTheSameWork(t *testing.T) {
	db := testkit.SQLiteDB(t)
	h := testkit.ServerWith(t, db)
	makeAccount(t, db, "Known", "known@example.org", "correct horse battery")
	work := func(send func(a *attacker)) int64 {
		before := auth.PasswordWork().Computed
		send(newAttacker(t, h))
		return auth.PasswordWork().Computed - before
	}
	for _, email := range []string{"known@example.org", "unknown@example.org"} {
		if n := work(func(a *attacker) { a.signIn(email, "a wrong password") }); n != 1 {
			t.Errorf("signing in as %s with a wrong password computed %d hashes, want 1", email, n)
		}
		if n := work(func(a *attacker) {
			a.send("POST", "/sign-up", url.Values{"name": {"Probe"}, "email": {email}, "password": {"probing password 1"}, "confirm": {"probing password 1"}})
		}); n != 1 {
			t.Errorf("signing up as %s computed %d hashes, want 1", email, n)
		}
	}
}

// Every form that costs work before anyone signs in is limited per
// address, with Retry-After; another address is not affected.
func TestFormsAreRateLimitedPerAddress(t *testing.T) {
	db := testkit.SQLiteDB(t)
	for _, path := range []string{"/sign-in", "/sign-up", "/password-reset", "/password-reset/" + strings.Repeat("A", 43), "/sign-up/" + strings.Repeat("A", 43), "/api/v1/session"} {
		h, err := web.New(web.Config{Framework: testkit.Framework(t), Search: testkit.Search(t), Store: db,
			Recruit: testkit.Recruit(t, db), Train: testkit.Train(t, db), Privacy: privacy.NewService(db, db), PublicURL: testkit.PublicURL, FormsPerMinute: 3})
		if err != nil {
			t.Fatal(err)
		}
		a := newAttacker(t, h)
		var last *http.Response
		for range 4 {
			rec := a.send("POST", path, url.Values{"email": {"x@example.org"}})
			last = rec.Result()
		}
		if last.StatusCode != http.StatusTooManyRequests || last.Header.Get("Retry-After") == "" {
			t.Errorf("POST %s a fourth time in a minute with a limit of 3: %d, Retry-After %q", path, last.StatusCode, last.Header.Get("Retry-After"))
		}
		other := newAttacker(t, h)
		other.addr = "198.51.100.200:1"
		if rec := other.send("POST", path, url.Values{"email": {"x@example.org"}}); rec.Code == http.StatusTooManyRequests {
			t.Errorf("POST %s from another address was refused too", path)
		}
	}
}

// A server cannot be started without the public address for its links.
func TestPublicURLIsRequired(t *testing.T) {
	db := testkit.SQLiteDB(t)
	for _, u := range []string{"", "hcs.example.nhs.uk", "ftp://hcs.example", "https://hcs.example/path", "https://user@hcs.example"} {
		_, err := web.New(web.Config{Framework: testkit.Framework(t), Search: testkit.Search(t), Store: db, Recruit: testkit.Recruit(t, db), Train: testkit.Train(t, db), Privacy: privacy.NewService(db, db), PublicURL: u})
		if err == nil {
			t.Errorf("a server started with the public URL %q", u)
		}
	}
	if _, err := web.New(web.Config{Framework: testkit.Framework(t), Search: testkit.Search(t), Store: db, Recruit: testkit.Recruit(t, db), Train: testkit.Train(t, db), Privacy: privacy.NewService(db, db), PublicURL: "https://hcs.example.nhs.uk/"}); err != nil {
		t.Error(err)
	}
}

// In a demonstration without a mail server, the page shows the message a
// form has just queued, with its link; otherwise it never does.
func TestDemoShowsTheMessage(t *testing.T) {
	db := testkit.SQLiteDB(t)
	for _, show := range []bool{false, true} {
		h, err := web.New(web.Config{Framework: testkit.Framework(t), Search: testkit.Search(t), Store: db, Recruit: testkit.Recruit(t, db), Train: testkit.Train(t, db),
			Privacy: privacy.NewService(db, db), PublicURL: testkit.PublicURL, ShowMessages: show})
		if err != nil {
			t.Fatal(err)
		}
		a := newAttacker(t, h)
		email := fmt.Sprintf("demo%v@example.org", show)
		rec := a.send("POST", "/sign-up", url.Values{"name": {"Demo Person"}, "email": {email}, "password": {"demo password 123"}, "confirm": {"demo password 123"}})
		link := signUpLink(t, db, email)
		if shown := strings.Contains(rec.Body.String(), `href="`+testkit.PublicURL+link+`"`); shown != show {
			t.Errorf("ShowMessages %v: the page shows the link: %v", show, shown)
		}
	}
}
