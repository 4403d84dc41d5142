package web_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"hcs/internal/auth"
	"hcs/internal/demo"
	"hcs/internal/testkit"
)

// linkAttr finds the addresses a page links to: anchors, stylesheets,
// icons, scripts and images.
var linkAttr = regexp.MustCompile(`(?:href|src)="([^"]*)"`)

// maxCrawl bounds one crawl; reaching it fails the test rather than
// quietly leaving links unvisited.
const maxCrawl = 4000

// TestCrawlEveryInternalLink follows every internal link from the home
// page, signed out and signed in as each demo account (over the demo's
// rounds, posts, applications and offers), and requires that none answers
// 4xx or 5xx.
func TestCrawlEveryInternalLink(t *testing.T) {
	if testing.Short() {
		t.Skip("the crawl is skipped with -short")
	}
	db := testkit.SQLiteDB(t)
	accounts, err := demo.Seed(context.Background(), db, testkit.Recruit(t, db), testkit.Train(t, db), db.MovableClock(), false)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(testkit.ServerWith(t, db))
	t.Cleanup(srv.Close)

	t.Run("signed out", func(t *testing.T) { t.Logf("signed out: %d addresses", crawl(t, srv.URL, newClient(t), "/")) })
	for _, a := range accounts {
		t.Run(string(a.Role), func(t *testing.T) {
			c := newClient(t)
			resp, err := c.PostForm(srv.URL+"/sign-in", url.Values{"email": {a.Email}, "password": {a.Password}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != auth.HomePath[a.Role] {
				t.Fatalf("sign in as %s: %d to %q", a.Role, resp.StatusCode, loc)
			}
			n := crawl(t, srv.URL, c, "/", auth.HomePath[a.Role])
			t.Logf("%s: %d addresses", a.Role, n)
		})
	}
}

// newClient keeps cookies and does not follow redirects: the crawl
// follows them itself, so each address is checked once.
func newClient(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// crawl visits every internal address reachable from start and reports
// each one that answers 4xx or 5xx, with the page that linked to it. It
// returns how many addresses it visited.
func crawl(t *testing.T, base string, c *http.Client, start ...string) int {
	t.Helper()
	from := map[string]string{}
	var queue []string
	add := func(link, page string) {
		link = html.UnescapeString(link)
		if !strings.HasPrefix(link, "/") || strings.HasPrefix(link, "//") {
			return // another site, a fragment or a mail link
		}
		link, _, _ = strings.Cut(link, "#")
		if _, seen := from[link]; !seen {
			from[link] = page
			queue = append(queue, link)
		}
	}
	for _, s := range start {
		add(s, "(start)")
	}
	for len(queue) > 0 {
		if len(from) > maxCrawl {
			t.Fatalf("more than %d addresses: the crawl is not bounded", maxCrawl)
		}
		link := queue[0]
		queue = queue[1:]
		if link == "/sign-out" {
			continue // a form's action, never a link; following it ends the session
		}
		resp, err := c.Get(base + link)
		if err != nil {
			t.Fatalf("GET %s: %v", link, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch {
		case resp.StatusCode >= 400:
			t.Errorf("GET %s: %d (linked from %s)", link, resp.StatusCode, from[link])
		case resp.StatusCode >= 300:
			add(resp.Header.Get("Location"), link)
		case strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html"):
			for _, m := range linkAttr.FindAllStringSubmatch(string(body), -1) {
				add(m[1], link)
			}
		}
	}
	return len(from)
}
