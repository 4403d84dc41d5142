package web_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/testkit"
)

// The tests in this file are attacks from an outside security review,
// each written as the attacker would run it against a server. Each names
// the review's finding it answers.

// attacker sends forms and reads pages the way a browser or curl would.
type attacker struct {
	t *testing.T
	h http.Handler
	// addr is the client's address; host is the Host header sent.
	addr, host string
	cookies    []*http.Cookie
}

func newAttacker(t *testing.T, h http.Handler) *attacker {
	return &attacker{t: t, h: h, addr: "203.0.113.7:40000", host: "hcs.test"}
}

func (a *attacker) send(method, path string, form url.Values) *httptest.ResponseRecorder {
	a.t.Helper()
	var req *http.Request
	if form != nil {
		req = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	req.RemoteAddr, req.Host = a.addr, a.host
	for _, c := range a.cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	a.h.ServeHTTP(rec, req)
	a.keepCookies(rec)
	return rec
}

// keepCookies stores the cookies a response sets, as a browser would.
func (a *attacker) keepCookies(rec *httptest.ResponseRecorder) {
	for _, c := range rec.Result().Cookies() {
		a.cookies = slicesDeleteCookie(a.cookies, c.Name)
		if c.MaxAge >= 0 && c.Value != "" {
			a.cookies = append(a.cookies, c)
		}
	}
}

func slicesDeleteCookie(cs []*http.Cookie, name string) []*http.Cookie {
	out := cs[:0]
	for _, c := range cs {
		if c.Name != name {
			out = append(out, c)
		}
	}
	return out
}

// follow sends a request and follows redirects on this site.
func (a *attacker) follow(method, path string, form url.Values) *httptest.ResponseRecorder {
	a.t.Helper()
	rec := a.send(method, path, form)
	for i := 0; i < 5 && rec.Code == http.StatusSeeOther; i++ {
		rec = a.send("GET", rec.Header().Get("Location"), nil)
	}
	return rec
}

func (a *attacker) signIn(email, password string) *httptest.ResponseRecorder {
	a.t.Helper()
	return a.send("POST", "/sign-in", url.Values{"email": {email}, "password": {password}})
}

// makeAccount creates an applicant with a password.
func makeAccount(t *testing.T, db *database.DB, name, email, password string) *auth.User {
	t.Helper()
	hash := testkit.PasswordHash(t, password)
	u := &auth.User{Name: name, Email: email}
	if err := db.CreateUser(context.Background(), auth.Actor{}, u, hash, []auth.Grant{{Role: auth.RoleApplicant}}); err != nil {
		t.Fatal(err)
	}
	return u
}

// outboxTo returns the bodies of the messages sent to an address, oldest
// first.
func outboxTo(t *testing.T, db *database.DB, recipient string) []string {
	t.Helper()
	msgs, err := db.Outbox(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Recipient == recipient {
			out = append(out, msgs[i].Subject+"\n"+msgs[i].Body)
		}
	}
	return out
}

var resetLink = regexp.MustCompile(`(https?://[^/\s]+)/password-reset/([A-Za-z0-9_-]+)`)

// resetToken is the token in the newest reset link sent to an address.
func resetToken(t *testing.T, db *database.DB, email string) (base, token string) {
	t.Helper()
	msgs := outboxTo(t, db, email)
	for i := len(msgs) - 1; i >= 0; i-- {
		if m := resetLink.FindStringSubmatch(msgs[i]); m != nil {
			return m[1], m[2]
		}
	}
	t.Fatalf("no reset link was sent to %s", email)
	return "", ""
}

var signUpPath = regexp.MustCompile(`https?://[^/\s]+(/sign-up/[A-Za-z0-9_-]+)`)

// signUpLink is the path of the newest sign-up link sent to an address.
func signUpLink(t *testing.T, db *database.DB, email string) string {
	t.Helper()
	msgs := outboxTo(t, db, email)
	for i := len(msgs) - 1; i >= 0; i-- {
		if m := signUpPath.FindStringSubmatch(msgs[i]); m != nil {
			return m[1]
		}
	}
	t.Fatalf("no sign-up link was sent to %s", email)
	return ""
}

// Finding 2: a reset link built from the request's Host header sends the
// token to whoever controls that host.
func TestAttackResetLinkFromHostHeader(t *testing.T) {
	db := testkit.SQLiteDB(t)
	h := testkit.ServerWith(t, db)
	makeAccount(t, db, "Victim", "victim@example.org", "correct horse battery")
	a := newAttacker(t, h)
	a.host = "evil.example"
	if rec := a.send("POST", "/password-reset", url.Values{"email": {"victim@example.org"}}); rec.Code != 200 {
		t.Fatalf("reset request: %d", rec.Code)
	}
	base, _ := resetToken(t, db, "victim@example.org")
	if strings.Contains(base, "evil.example") {
		t.Errorf("the reset link points to the Host header the attacker sent: %s", base)
	}
}

// Finding 3: a crafted reset link puts a path into the password form's
// action, so that submitting it posts somewhere else on the site.
func TestAttackCraftedResetLink(t *testing.T) {
	db := testkit.SQLiteDB(t)
	h := testkit.ServerWith(t, db)
	a := newAttacker(t, h)
	for _, path := range []string{
		"/password-reset/..%2F..%2Fadmin%2Fusers%2F11%2Ferase",
		"/password-reset/%2E%2E%2Fsign-out",
		"/password-reset/x%22%3E%3Cscript%3E",
		"/password-reset/" + strings.Repeat("A", 43), // the right shape, but no such link
	} {
		rec := a.send("GET", path, nil)
		if rec.Code == 200 || strings.Contains(rec.Body.String(), "<form action=\"/password-reset/") {
			t.Errorf("GET %s: %d, and the page offers the password form", path, rec.Code)
		}
		if strings.Contains(rec.Body.String(), "admin/users") || strings.Contains(rec.Body.String(), "sign-out\" method") {
			t.Errorf("GET %s: the page carries the crafted path", path)
		}
	}
	// A real link still shows the form, posting back to itself.
	makeAccount(t, db, "Real", "real@example.org", "correct horse battery")
	a.send("POST", "/password-reset", url.Values{"email": {"real@example.org"}})
	_, token := resetToken(t, db, "real@example.org")
	rec := a.send("GET", "/password-reset/"+token, nil)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `action="/password-reset/`+token+`"`) {
		t.Errorf("a real reset link: %d\n%s", rec.Code, excerpt(rec.Body.String()))
	}
}

// Finding 4: parallel sign-in attempts all read the failure count before
// any of them recorded a failure, so far more than five passwords were
// tried against one account.
func TestAttackParallelSignInGuesses(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		h := testkit.ServerWith(t, db)
		makeAccount(t, db, "Target", "target@example.org", "correct horse battery")
		const tries = 50
		testkit.PoolSize(t, db, tries+4)
		testkit.WarmPool(t, db, tries)
		codes := make([]int, tries)
		bodies := make([]string, tries)
		testkit.Together(tries, func(i int) {
			a := newAttacker(t, h)
			a.addr = fmt.Sprintf("198.51.100.%d:5000", i+1) // many addresses, one account
			rec := a.signIn("target@example.org", fmt.Sprintf("guess number %d", i))
			codes[i], bodies[i] = rec.Code, rec.Body.String()
		})
		checked := 0
		for i, code := range codes {
			switch code {
			case http.StatusBadRequest: // the password was checked and was wrong
				checked++
			case http.StatusTooManyRequests:
			default:
				t.Errorf("attempt %d: %d %s", i, code, excerpt(bodies[i]))
			}
		}
		if checked > 5 {
			t.Errorf("%d of %d parallel guesses were checked against the account; the limit is 5", checked, tries)
		}
		// The right password is refused too while the account is locked.
		if rec := newAttacker(t, h).signIn("target@example.org", "correct horse battery"); rec.Code != http.StatusTooManyRequests {
			t.Errorf("the right password after the limit: %d", rec.Code)
		}
	})
}

// Finding 5: an older reset link still worked after a newer one was used,
// and changing a password left other sessions signed in.
func TestAttackOldResetLinks(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		h := testkit.ServerWith(t, db)
		makeAccount(t, db, "Holder", "holder@example.org", "correct horse battery")
		a := newAttacker(t, h)
		a.send("POST", "/password-reset", url.Values{"email": {"holder@example.org"}})
		_, first := resetToken(t, db, "holder@example.org")
		a.send("POST", "/password-reset", url.Values{"email": {"holder@example.org"}})
		_, second := resetToken(t, db, "holder@example.org")
		if first == second {
			t.Fatal("two requests gave the same link")
		}
		pw := url.Values{"password": {"new battery staple horse"}, "confirm": {"new battery staple horse"}}
		if rec := a.send("POST", "/password-reset/"+second, pw); rec.Code != http.StatusSeeOther {
			t.Fatalf("using the newer link: %d %s", rec.Code, excerpt(rec.Body.String()))
		}
		stolen := url.Values{"password": {"attacker chose this"}, "confirm": {"attacker chose this"}}
		if rec := a.send("POST", "/password-reset/"+first, stolen); rec.Code == http.StatusSeeOther {
			t.Error("the older reset link still changed the password after the newer one was used")
		}
		if rec := newAttacker(t, h).signIn("holder@example.org", "attacker chose this"); rec.Code == http.StatusSeeOther {
			t.Error("the attacker's password works")
		}
	})
}

// Finding 5, second half: a password change must end the person's other
// sessions, such as one an attacker holds, and keep the one making it.
func TestAttackSessionSurvivesPasswordChange(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		h := testkit.ServerWith(t, db)
		makeAccount(t, db, "Holder", "holder@example.org", "correct horse battery")
		owner, thief := newAttacker(t, h), newAttacker(t, h)
		owner.addr, thief.addr = "192.0.2.10:1000", "192.0.2.66:1000"
		for _, a := range []*attacker{owner, thief} {
			if rec := a.signIn("holder@example.org", "correct horse battery"); rec.Code != http.StatusSeeOther {
				t.Fatalf("sign in: %d", rec.Code)
			}
		}
		rec := owner.send("POST", "/account/password", url.Values{"current": {"correct horse battery"},
			"password": {"a much better passphrase"}, "confirm": {"a much better passphrase"}})
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("changing the password: %d %s", rec.Code, excerpt(rec.Body.String()))
		}
		if rec := thief.send("GET", "/account", nil); rec.Code == 200 {
			t.Error("another session is still signed in after the password changed")
		}
		if rec := owner.send("GET", "/account", nil); rec.Code != 200 {
			t.Errorf("the session that changed the password was signed out: %d", rec.Code)
		}
		if rec := newAttacker(t, h).signIn("holder@example.org", "a much better passphrase"); rec.Code != http.StatusSeeOther {
			t.Errorf("the new password does not work: %d", rec.Code)
		}
	})
}

// Finding 11: sign-up said when an address already had an account, and a
// reset request did more work for real accounts than for unknown ones.
func TestAttackAccountEnumeration(t *testing.T) {
	db := testkit.SQLiteDB(t)
	h := testkit.ServerWith(t, db)
	makeAccount(t, db, "Known", "known@example.org", "correct horse battery")
	signUp := func(email string) *httptest.ResponseRecorder {
		a := newAttacker(t, h)
		return a.send("POST", "/sign-up", url.Values{"name": {"Probe"}, "email": {email},
			"password": {"probing password 1"}, "confirm": {"probing password 1"}})
	}
	known, unknown := signUp("known@example.org"), signUp("unknown@example.org")
	if known.Code != unknown.Code || known.Header().Get("Location") != unknown.Header().Get("Location") {
		t.Errorf("sign-up answers differ: %d %q for a known address, %d %q for a new one",
			known.Code, known.Header().Get("Location"), unknown.Code, unknown.Header().Get("Location"))
	}
	k := strings.ReplaceAll(pageText(known.Body.String()), "known@example.org", "ADDRESS")
	u := strings.ReplaceAll(pageText(unknown.Body.String()), "unknown@example.org", "ADDRESS")
	if k != u {
		t.Errorf("sign-up pages differ:\nknown:   %s\nunknown: %s", k, u)
	}
	if strings.Contains(strings.ToLower(known.Body.String()), "already exists") {
		t.Error("sign-up says the address already has an account")
	}

	// A reset request does the same work either way: a message goes to
	// the address (a link, or a note that no account uses it).
	for _, email := range []string{"known@example.org", "nobody@example.org"} {
		before := len(outboxTo(t, db, email))
		auditBefore := testkit.Count(t, db, "SELECT COUNT(*) FROM audit_log")
		rec := newAttacker(t, h).send("POST", "/password-reset", url.Values{"email": {email}})
		if rec.Code != 200 {
			t.Fatalf("reset request for %s: %d", email, rec.Code)
		}
		if n := len(outboxTo(t, db, email)); n != before+1 {
			t.Errorf("a reset request for %s put %d messages in the outbox, want 1", email, n-before)
		}
		if n := testkit.Count(t, db, "SELECT COUNT(*) FROM audit_log"); n != auditBefore+1 {
			t.Errorf("a reset request for %s wrote %d audit entries, want 1", email, n-auditBefore)
		}
	}
}

// pageText is a page's main content with tags, whitespace and form values
// removed, for comparing two answers.
func pageText(page string) string {
	if i := strings.Index(page, "<main"); i >= 0 {
		page = page[i:]
	}
	page = regexp.MustCompile(`value="[^"]*"`).ReplaceAllString(page, "")
	page = regexp.MustCompile(`<[^>]*>`).ReplaceAllString(page, " ")
	return strings.Join(strings.Fields(page), " ")
}

// Finding 13: ?next= after sign-in sent people off the site.
func TestAttackOffSiteRedirectAfterSignIn(t *testing.T) {
	db := testkit.SQLiteDB(t)
	h := testkit.ServerWith(t, db)
	makeAccount(t, db, "Walker", "walker@example.org", "correct horse battery")
	for _, next := range []string{"/\t/evil.example", "/\n/evil.example", "/\r/evil.example", "/ /evil.example",
		"//evil.example", "/\\evil.example", "https://evil.example", "\x00/evil", "/\u00a0/evil.example"} {
		a := newAttacker(t, h)
		rec := a.send("POST", "/sign-in", url.Values{"email": {"walker@example.org"}, "password": {"correct horse battery"}, "next": {next}})
		loc := rec.Header().Get("Location")
		u, err := url.Parse(loc)
		refused := rec.Code == http.StatusBadRequest && loc == "" // a NUL is refused outright
		if !refused && (rec.Code != http.StatusSeeOther || err != nil || loc != "/applicant") {
			t.Errorf("next=%q: %d Location %q (%v %v)", next, rec.Code, loc, u, err)
		}
	}
	// A path on the site is kept.
	a := newAttacker(t, h)
	rec := a.send("POST", "/sign-in", url.Values{"email": {"walker@example.org"}, "password": {"correct horse battery"}, "next": {"/profile?x=1"}})
	if loc := rec.Header().Get("Location"); loc != "/profile?x=1" {
		t.Errorf("a local next: %q", loc)
	}
}

// Finding 14: ?done= printed any text as a notice from the site.
func TestAttackFakeNotice(t *testing.T) {
	db := testkit.SQLiteDB(t)
	h := testkit.ServerWith(t, db)
	makeAccount(t, db, "Reader", "reader@example.org", "correct horse battery")
	a := newAttacker(t, h)
	a.signIn("reader@example.org", "correct horse battery")
	rec := a.send("GET", "/applicant?done="+url.QueryEscape("Your account is suspended. Call 0900 000 000"), nil)
	if rec.Code != 200 || strings.Contains(rec.Body.String(), "0900 000 000") {
		t.Errorf("a notice from the query string is shown: %d", rec.Code)
	}
	// The site's own notices still reach the page after a redirect.
	admin := &auth.User{Name: "Admin", Email: "admin@example.org"}
	if err := db.CreateUser(context.Background(), auth.Actor{}, admin, testkit.PasswordHash(t, "correct horse battery"),
		[]auth.Grant{{Role: auth.RoleSystemAdmin}}); err != nil {
		t.Fatal(err)
	}
	b := newAttacker(t, h)
	b.signIn("admin@example.org", "correct horse battery")
	rec = b.follow("POST", "/organisations", url.Values{"kind": {"trust"}, "name": {"Noticed Trust"}, "region": {"London"}})
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "Organisation created") {
		t.Errorf("the site's own notice is not shown after creating an organisation: %d %s", rec.Code, excerpt(pageText(rec.Body.String())))
	}
	if again := b.send("GET", "/admin", nil); strings.Contains(again.Body.String(), "Organisation created") {
		t.Error("the notice is shown again on the next page")
	}
}

// Finding 14: the assets folder listed its files.
func TestAttackAssetListing(t *testing.T) {
	h := testkit.Server(t)
	a := newAttacker(t, h)
	for _, path := range []string{"/assets/", "/assets/vendor/", "/assets/vendor"} {
		if rec := a.send("GET", path, nil); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404\n%s", path, rec.Code, excerpt(rec.Body.String()))
		}
	}
}

// Finding 14: text a person typed went into outgoing mail as if the site
// had written it.
func TestAttackTextInMail(t *testing.T) {
	db := testkit.SQLiteDB(t)
	h := testkit.ServerWith(t, db)
	a := newAttacker(t, h)
	// A name with line breaks is refused at sign-up.
	rec := a.send("POST", "/sign-up", url.Values{"name": {"Ann\r\nBcc: everyone@example.org"}, "email": {"ann@example.org"},
		"password": {"correct horse battery"}, "confirm": {"correct horse battery"}})
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "name") {
		t.Errorf("a name with line breaks: %d", rec.Code)
	}
	// A name that reads like an instruction is not put into mail as the
	// site's own words.
	makeAccount(t, db, "URGENT visit http://evil.example to keep your account", "urgent@example.org", "correct horse battery")
	a.send("POST", "/password-reset", url.Values{"email": {"urgent@example.org"}})
	for _, m := range outboxTo(t, db, "urgent@example.org") {
		if strings.Contains(m, "Hello URGENT") || strings.Contains(m, "\nURGENT") {
			t.Errorf("the mail carries the person's text unquoted:\n%s", m)
		}
	}
}

// Finding 14: an invalid date gave "the body could not be read" without
// naming the field.
func TestAttackInvalidDateNamesTheField(t *testing.T) {
	db := testkit.SQLiteDB(t)
	w, _, _ := newRoundWorld(t, db, testkit.T0)
	w.spec = nil
	w.person("school", auth.Grant{Role: auth.RoleSchoolAdmin})
	rec := w.do("school", "POST", "/api/v1/rounds", map[string]any{"programme": "stp", "name": "Bad dates", "applications_open": "next tuesday"})
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), `"field":"applications_open"`) {
		t.Errorf("an invalid date: %d %s", rec.Code, rec.Body)
	}
}

// Finding 9: a NUL byte reached PostgreSQL, which cannot store one, and
// gave 500s; text needs one rule on both databases.
func TestAttackControlCharacters(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		w, _, _ := newRoundWorld(t, db, testkit.T0)
		w.spec = nil
		w.person("admin", auth.Grant{Role: auth.RoleSystemAdmin})
		w.person("school", auth.Grant{Role: auth.RoleSchoolAdmin})
		w.person("applicant", auth.Grant{Role: auth.RoleApplicant})
		round := func(name string) map[string]any {
			return map[string]any{"programme": "stp", "name": name, "applications_open": testkit.Day(1), "shortlisting_open": testkit.Day(10),
				"interviews_open": testkit.Day(20), "preferences_open": testkit.Day(30), "offers_open": testkit.Day(40), "start_date": testkit.Day(200),
				"tie_break_seed": "seed", "score_margin": 10, "shortlist_weight": 1, "interview_weight": 1, "offer_working_days": 2,
				"stations": []map[string]any{{"name": "communication", "weight": 1}}}
		}
		org := func(name string) map[string]any {
			return map[string]any{"kind": "trust", "name": name, "region": "London"}
		}
		for _, tc := range []struct {
			name, who, method, path string
			body                    any
			field                   string
		}{
			{"NUL in an organisation's name", "admin", "POST", "/api/v1/organisations", org("Trust\x00"), "name"},
			{"line break in an organisation's name", "admin", "POST", "/api/v1/organisations", org("Trust\r\nBcc: x"), "name"},
			{"an invisible organisation name", "admin", "POST", "/api/v1/organisations", org("\u200b\u200b\u2060"), "name"},
			{"an organisation name of 10,000 characters", "admin", "POST", "/api/v1/organisations", org(strings.Repeat("T", 10000)), "name"},
			{"NUL in a round's name", "school", "POST", "/api/v1/rounds", round("STP\x00 2027"), "name"},
			{"text that reverses in a round's name", "school", "POST", "/api/v1/rounds", round("STP \u202e7202"), "name"},
			{"NUL in a profile", "applicant", "PUT", "/api/v1/me/profile", map[string]any{"notes": "a\x00b", "right_to_work": true}, "notes"},
			{"NUL in an audit filter", "admin", "GET", "/api/v1/audit?record_type=%00", nil, "record_type"},
			{"NUL in a reviewer's address", "school", "POST", "/api/v1/rounds/1/reviewers", map[string]any{"email": "a\x00@example.org"}, "email"},
		} {
			rec := w.do(tc.who, tc.method, tc.path, tc.body)
			if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"field":"`+tc.field+`"`) {
				t.Errorf("%s: %d %s, want 400 naming %s", tc.name, rec.Code, excerpt(rec.Body.String()), tc.field)
			}
		}
		a := newAttacker(t, w.h)
		for _, form := range []url.Values{
			{"email": {"ada\x00@example.org"}, "password": {"correct horse battery"}},
			{"email": {"ada@example.org"}, "password": {"correct\x00horse battery"}},
		} {
			if rec := a.send("POST", "/sign-in", form); rec.Code != http.StatusBadRequest {
				t.Errorf("sign-in with a NUL: %d", rec.Code)
			}
		}
		for _, name := range []string{"Ann\x00", "\u200b", "Ann\nBcc: x"} {
			rec := a.send("POST", "/sign-up", url.Values{"name": {name}, "email": {"ann@example.org"}, "password": {"correct horse battery"}, "confirm": {"correct horse battery"}})
			if rec.Code != http.StatusBadRequest {
				t.Errorf("sign-up named %q: %d", name, rec.Code)
			}
		}
		if rec := a.send("GET", "/search?q=heart%00", nil); rec.Code != http.StatusBadRequest {
			t.Errorf("a search with a NUL: %d", rec.Code)
		}
	})
}

// Finding 10: a round's weight of 2^63-1 was accepted and overflowed the
// ranking; 2^31 gave a 500 on PostgreSQL.
func TestAttackUnboundedNumbers(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		w, _, _ := newRoundWorld(t, db, testkit.T0)
		w.spec = nil
		w.person("school", auth.Grant{Role: auth.RoleSchoolAdmin})
		for _, field := range []string{"shortlist_weight", "interview_weight", "score_margin", "offer_working_days", "shortlist_pass_mark"} {
			for _, n := range []int64{math.MaxInt64, math.MaxInt32 + 1, -1 << 31} {
				body := map[string]any{"programme": "stp", "name": fmt.Sprintf("Big %s %d", field, n), "applications_open": testkit.Day(1), "shortlisting_open": testkit.Day(10),
					"interviews_open": testkit.Day(20), "preferences_open": testkit.Day(30), "offers_open": testkit.Day(40), "start_date": testkit.Day(200),
					"tie_break_seed": "seed", "score_margin": 10, "shortlist_weight": 1, "interview_weight": 1, "offer_working_days": 2,
					"stations": []map[string]any{{"name": "communication", "weight": 1}}}
				body[field] = n
				rec := w.do("school", "POST", "/api/v1/rounds", body)
				if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"field":"`+field+`"`) {
					t.Errorf("%s = %d: %d %s", field, n, rec.Code, excerpt(rec.Body.String()))
				}
			}
		}
	})
}

// Finding 12: a cell that a spreadsheet reads as a formula reached the
// audit log's CSV.
func TestAttackCSVFormulas(t *testing.T) {
	db := testkit.SQLiteDB(t)
	w, _, _ := newRoundWorld(t, db, testkit.T0)
	w.spec = nil
	w.person("school", auth.Grant{Role: auth.RoleSchoolAdmin})
	w.person("admin", auth.Grant{Role: auth.RoleSystemAdmin})
	round := w.call("school", "POST", "/api/v1/rounds", map[string]any{"programme": "stp", "name": "Formulas", "applications_open": testkit.Day(1),
		"shortlisting_open": testkit.Day(10), "interviews_open": testkit.Day(20), "preferences_open": testkit.Day(30), "offers_open": testkit.Day(40),
		"start_date": testkit.Day(200), "tie_break_seed": "seed", "score_margin": 10, "shortlist_weight": 1, "interview_weight": 1, "offer_working_days": 2,
		"stations": []map[string]any{{"name": "communication", "weight": 1}}}, 201)
	for _, name := range []string{`=HYPERLINK("http://evil.example","x")`, "+1+1", "-2+3", "@SUM(A1)"} {
		w.call("school", "PUT", fmt.Sprintf("/api/v1/rounds/%d/stations", num(round["id"])),
			map[string]any{"stations": []map[string]any{{"name": name, "weight": 1}}}, 200)
	}
	rec := w.do("admin", "GET", "/admin/audit.csv", nil)
	rows, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil || rec.Code != 200 {
		t.Fatalf("audit.csv: %d %v", rec.Code, err)
	}
	found := 0
	for _, row := range rows {
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("a cell a spreadsheet would run: %q", cell)
			}
			if strings.Contains(cell, "HYPERLINK") {
				found++
			}
		}
	}
	if found == 0 {
		t.Error("the audit CSV does not carry the station names at all")
	}
}
