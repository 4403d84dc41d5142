package web_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/privacy"
	"hcs/internal/recruit"
	"hcs/internal/testkit"
	"hcs/internal/web"
)

func operationsServer(t *testing.T, cfg web.Config) *web.Server {
	t.Helper()
	db := testkit.SQLiteDB(t)
	cfg.Framework, cfg.Search, cfg.Store = testkit.Framework(t), testkit.Search(t), db
	cfg.Recruit, cfg.Train, cfg.Privacy, cfg.PublicURL = testkit.Recruit(t, db), testkit.Train(t, db), privacy.NewService(db, db), testkit.PublicURL
	s, err := web.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Behind a trusted proxy, the sign-in limit counts the forwarded client:
// strangers failing to sign in do not lock out someone else behind the
// same proxy, and the audit log records who really asked.
func TestTrustedProxyGivesTheClientAddress(t *testing.T) {
	proxies, err := web.ParseAddressRanges("10.0.0.0/8, 127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	db := testkit.SQLiteDB(t)
	h, err := web.New(web.Config{Framework: testkit.Framework(t), Search: testkit.Search(t), Store: db, Recruit: testkit.Recruit(t, db), Train: testkit.Train(t, db),
		Privacy: privacy.NewService(db, db), PublicURL: testkit.PublicURL, FormsPerMinute: 3, TrustedProxies: proxies})
	if err != nil {
		t.Fatal(err)
	}
	via := func(peer, forwarded string) *attacker {
		a := newAttacker(t, &forwarding{h: h, header: forwarded})
		a.addr = peer + ":40000"
		return a
	}
	stranger := via("10.0.0.5", "203.0.113.66")
	for range 3 {
		stranger.send("POST", "/sign-in", url.Values{"email": {"x@example.org"}, "password": {"wrong password 1"}})
	}
	if rec := stranger.send("POST", "/sign-in", url.Values{"email": {"x@example.org"}}); rec.Code != http.StatusTooManyRequests {
		t.Errorf("the stranger's fourth form through the proxy: %d, want 429", rec.Code)
	}
	// Someone else through the same proxy is not limited.
	if rec := via("10.0.0.5", "198.51.100.9").send("POST", "/sign-in", url.Values{"email": {"x@example.org"}}); rec.Code == http.StatusTooManyRequests {
		t.Error("another client behind the same proxy was limited")
	}
	// Several proxies: the nearest untrusted address counts, so a client
	// cannot pick its address by sending its own header first.
	if rec := via("127.0.0.1", "192.0.2.1, 203.0.113.66, 10.1.2.3").send("POST", "/sign-in", url.Values{"email": {"x@example.org"}}); rec.Code != http.StatusTooManyRequests {
		t.Errorf("the stranger through two proxies, with a made-up address in front: %d, want 429", rec.Code)
	}

	// The audit log records the forwarded address.
	via("10.0.0.5", "203.0.113.50").send("POST", "/sign-up", url.Values{"name": {"Proxy Person"}, "email": {"proxied@example.org"},
		"password": {"a long password 1"}, "confirm": {"a long password 1"}})
	if n := testkit.Count(t, db, "SELECT COUNT(*) FROM audit_log WHERE address = $1", "203.0.113.50"); n == 0 {
		t.Error("no audit entry has the forwarded address")
	}
	if n := testkit.Count(t, db, "SELECT COUNT(*) FROM audit_log WHERE address = $1", "10.0.0.5"); n != 0 {
		t.Errorf("%d audit entries have the proxy's address", n)
	}
}

// Only the header the proxies write is read: HAProxy's option forwardfor
// appends to X-Forwarded-For and passes a Forwarded header through as the
// client wrote it, so a made-up Forwarded must change nothing (and the
// other way round with --forwarded-header Forwarded).
func TestOnlyTheProxysHeaderIsRead(t *testing.T) {
	proxies, _ := web.ParseAddressRanges("10.0.0.0/8")
	for _, tc := range []struct {
		header, written, madeUp string
	}{
		{"", "X-Forwarded-For", "Forwarded"},
		{"Forwarded", "Forwarded", "X-Forwarded-For"},
	} {
		db := testkit.SQLiteDB(t)
		h, err := web.New(web.Config{Framework: testkit.Framework(t), Search: testkit.Search(t), Store: db, Recruit: testkit.Recruit(t, db), Train: testkit.Train(t, db),
			Privacy: privacy.NewService(db, db), PublicURL: testkit.PublicURL, FormsPerMinute: 3, TrustedProxies: proxies, ForwardedHeader: tc.header})
		if err != nil {
			t.Fatal(err)
		}
		var last int
		for i := range 4 {
			req := httptest.NewRequest("POST", "/password-reset", strings.NewReader(url.Values{"email": {"x@example.org"}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.RemoteAddr = "10.0.0.5:1"
			written := "203.0.113.70"
			if tc.written == "Forwarded" {
				written = "for=" + written
			}
			req.Header.Set(tc.written, written)
			madeUp := fmt.Sprintf("198.51.100.%d", i)
			if tc.madeUp == "Forwarded" {
				madeUp = "for=" + madeUp
			}
			req.Header.Set(tc.madeUp, madeUp)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			last = rec.Code
		}
		if last != http.StatusTooManyRequests {
			t.Errorf("proxies writing %s: a made-up %s header escaped the limit (%d)", tc.written, tc.madeUp, last)
		}
	}
	db := testkit.SQLiteDB(t)
	if _, err := web.New(web.Config{Framework: testkit.Framework(t), Search: testkit.Search(t), Store: db, Recruit: testkit.Recruit(t, db), Train: testkit.Train(t, db),
		Privacy: privacy.NewService(db, db), PublicURL: testkit.PublicURL, ForwardedHeader: "X-Real-IP"}); err == nil {
		t.Error("an unknown forwarding header was accepted")
	}
}

// From a peer that is not a trusted proxy, forwarding headers are ignored:
// a client that writes a new address into each request is still one
// client.
func TestForwardedHeadersFromOthersAreIgnored(t *testing.T) {
	proxies, _ := web.ParseAddressRanges("10.0.0.0/8")
	db := testkit.SQLiteDB(t)
	h, err := web.New(web.Config{Framework: testkit.Framework(t), Search: testkit.Search(t), Store: db, Recruit: testkit.Recruit(t, db), Train: testkit.Train(t, db),
		Privacy: privacy.NewService(db, db), PublicURL: testkit.PublicURL, FormsPerMinute: 3, TrustedProxies: proxies})
	if err != nil {
		t.Fatal(err)
	}
	var last int
	for i := range 4 {
		for _, header := range []string{"X-Forwarded-For", "Forwarded"} {
			value := fmt.Sprintf("198.51.100.%d", i)
			if header == "Forwarded" {
				value = "for=" + value
			}
			a := newAttacker(t, &forwarding{h: h, name: header, header: value})
			a.addr = "192.0.2.7:1234"
			last = a.send("POST", "/sign-in", url.Values{"email": {"x@example.org"}}).Code
		}
	}
	if last != http.StatusTooManyRequests {
		t.Errorf("eight forms from one untrusted peer with made-up forwarded addresses: last %d, want 429", last)
	}
}

// forwarding sets a forwarding header on each request, as a proxy would.
type forwarding struct {
	h            http.Handler
	name, header string
}

func (f *forwarding) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := f.name
	if name == "" {
		name = "X-Forwarded-For"
	}
	r.Header.Set(name, f.header)
	f.h.ServeHTTP(w, r)
}

func TestParseAddressRanges(t *testing.T) {
	if _, err := web.ParseAddressRanges("10.0.0.0/8, not-an-address"); err == nil || !strings.Contains(err.Error(), `"not-an-address"`) {
		t.Errorf("a bad entry: %v", err)
	}
	if p, err := web.ParseAddressRanges(" ,2001:db8::/32, ::ffff:10.0.0.1 "); err != nil || len(p) != 2 {
		t.Errorf("IPv6 and a mapped address: %v, %v", p, err)
	}
}

// /readyz says whether to send this server requests: ready, not ready when
// its check fails (naming why), and not ready while it drains for
// shutdown, when every answer also closes its connection.
func TestReadyz(t *testing.T) {
	var failing error
	s := operationsServer(t, web.Config{Ready: func(context.Context) error { return failing }})
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec
	}
	if rec := get("/readyz"); rec.Code != http.StatusOK || rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("ready: %d %q", rec.Code, rec.Header().Get("Cache-Control"))
	}
	failing = errors.New("database: failed to connect to `user=hcs database=hcs`: 10.0.0.9:5432 refused")
	if rec := get("/readyz"); rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "not ready") ||
		strings.Contains(rec.Body.String(), "10.0.0.9") {
		t.Errorf("check failing (the detail is for the log, not the public): %d %s", rec.Code, rec.Body)
	}
	failing = nil
	if rec := get("/"); rec.Header().Get("Connection") == "close" {
		t.Error("a page closed its connection before draining")
	}
	s.Drain()
	if rec := get("/readyz"); rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "shutting down") {
		t.Errorf("draining: %d %s", rec.Code, rec.Body)
	}
	if rec := get("/"); rec.Code != http.StatusOK || rec.Header().Get("Connection") != "close" {
		t.Errorf("a page while draining: %d, Connection %q", rec.Code, rec.Header().Get("Connection"))
	}
	if rec := get("/healthz"); rec.Code != http.StatusOK {
		t.Errorf("/healthz while draining: %d (the process is alive)", rec.Code)
	}
}

// A client that goes away mid-request is logged as such, not as an error.
func TestClientDisconnectIsNotAnError(t *testing.T) {
	var logs bytes.Buffer
	s := operationsServer(t, web.Config{Logger: slog.New(slog.NewTextHandler(&logs, nil)), NoResponseCache: true})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", "/specialisms/audiology", nil).WithContext(ctx))
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("logged as an error:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "client went away") {
		t.Errorf("the disconnect is not logged:\n%s", logs.String())
	}
}

// The metrics are read by Prometheus's own text-format parser and carry
// request counts and latency by route and the cache's hits; they are not
// served on the public listener.
func TestMetrics(t *testing.T) {
	s := operationsServer(t, web.Config{})
	get := func(path, peer string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		req.RemoteAddr = peer + ":5555"
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		return rec
	}
	for range 2 {
		get("/specialisms/audiology", "192.0.2.1")
		get("/specialisms/genomics", "192.0.2.1")
	}
	get("/no-such-page", "192.0.2.1")
	for _, m := range []string{"FOOA", "FOOB"} {
		req := httptest.NewRequest(m, "/", nil)
		s.ServeHTTP(httptest.NewRecorder(), req)
	}
	if rec := get("/metrics", "127.0.0.1"); rec.Code != http.StatusNotFound {
		t.Errorf("/metrics on the public listener: %d", rec.Code)
	}
	rec := httptest.NewRecorder()
	s.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("/metrics does not parse: %v\n%s", err, rec.Body)
	}
	count := func(family string, labels map[string]string) float64 {
		var n float64
		for _, m := range families[family].GetMetric() {
			match := true
			for _, l := range m.GetLabel() {
				if want, ok := labels[l.GetName()]; ok && want != l.GetValue() {
					match = false
				}
			}
			if match {
				n += m.GetCounter().GetValue() + float64(m.GetHistogram().GetSampleCount())
			}
		}
		return n
	}
	if n := count("hcs_http_requests_total", map[string]string{"route": "GET /specialisms/{id}", "code": "200"}); n != 4 {
		t.Errorf("specialism pages counted %v times, want 4", n)
	}
	if n := count("hcs_http_request_duration_seconds", map[string]string{"route": "GET /specialisms/{id}"}); n != 4 {
		t.Errorf("specialism page latencies: %v observations, want 4", n)
	}
	if n := count("hcs_response_cache_lookups_total", map[string]string{"result": "hit"}); n != 2 {
		t.Errorf("cache hits %v, want 2 (each page's second request)", n)
	}
	for name := range families {
		if strings.Contains(name, "audiology") {
			t.Errorf("a path leaked into a metric name: %s", name)
		}
	}
	for _, m := range families["hcs_http_requests_total"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "method" && strings.HasPrefix(l.GetValue(), "FOO") {
				t.Errorf("a made-up method became a label value: %s", l.GetValue())
			}
			if strings.Contains(l.GetValue(), "audiology") || strings.Contains(l.GetValue(), "no-such-page") {
				t.Errorf("a path became a label value: %s=%s", l.GetName(), l.GetValue())
			}
		}
	}
}

// A post published through one server shows on every server's pages
// within a second: pages with live records are kept per process only for a
// moment, and clients are told to revalidate them.
func TestPublishedPostShowsOnEveryServer(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		a, b := testkit.ServerWith(t, db), testkit.ServerWith(t, db)
		get := func(h http.Handler, path string) *httptest.ResponseRecorder {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
			return rec
		}
		pages := []string{"/specialisms/genomics", "/posts?specialism=genomics", "/api/v1/posts?specialism=genomics"}
		for _, h := range []http.Handler{a, b} {
			for _, p := range pages {
				if rec := get(h, p); strings.Contains(rec.Body.String(), "Lighthouse Genomics Lab") {
					t.Fatalf("%s shows the post before it exists", p)
				}
			}
		}
		now := time.Now().UTC()
		round := &recruit.Round{Programme: "stp", Name: "STP open", ApplicationsOpen: now.AddDate(0, 0, -1), ShortlistingOpen: now.AddDate(0, 0, 10),
			InterviewsOpen: now.AddDate(0, 0, 20), PreferencesOpen: now.AddDate(0, 0, 30), OffersOpen: now.AddDate(0, 0, 40), StartDate: now.AddDate(0, 0, 200),
			TieBreakSeed: "s", ScoreMargin: 10, ShortlistWeight: 1, InterviewWeight: 1, OfferWorkingDays: 2}
		org := &auth.Organisation{Kind: auth.OrgTrust, Name: "Lighthouse Trust", Region: "Wales"}
		svc := testkit.Recruit(t, db)
		if err := db.CreateOrganisation(ctx, auth.Actor{}, org); err != nil {
			t.Fatal(err)
		}
		if err := svc.OpenRound(ctx, auth.Actor{}, round, nil); err != nil {
			t.Fatal(err)
		}
		post := &recruit.Post{RoundID: round.ID, OrganisationID: org.ID, Specialism: "genomics", Site: "Lighthouse Genomics Lab", Places: 1, Contact: "c"}
		if err := svc.PublishPost(ctx, auth.Actor{}, post); err != nil {
			t.Fatal(err)
		}
		acknowledged := time.Now()
		for name, h := range map[string]http.Handler{"a": a, "b": b} {
			for _, p := range pages {
				for {
					rec := get(h, p)
					if cc := rec.Header().Get("Cache-Control"); cc != "no-cache" {
						t.Errorf("server %s: %s has Cache-Control %q, want no-cache", name, p, cc)
					}
					if strings.Contains(rec.Body.String(), "Lighthouse Genomics Lab") {
						break
					}
					if time.Since(acknowledged) > time.Second {
						t.Errorf("server %s: %s does not show the new post a second after it was published", name, p)
						break
					}
					time.Sleep(20 * time.Millisecond)
				}
			}
		}
	})
}

// Every answer carries a request id, and the log line about a failed
// request names it; a trusted proxy's id is kept, anyone else's replaced.
func TestRequestIDs(t *testing.T) {
	var logs bytes.Buffer
	proxies, _ := web.ParseAddressRanges("10.0.0.0/8")
	s := operationsServer(t, web.Config{Logger: slog.New(slog.NewTextHandler(&logs, nil)), NoResponseCache: true, TrustedProxies: proxies})
	get := func(peer, id string, ctx context.Context) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "/specialisms/audiology", nil).WithContext(ctx)
		req.RemoteAddr = peer + ":1"
		if id != "" {
			req.Header.Set("X-Request-Id", id)
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		return rec
	}
	a, b := get("192.0.2.1", "", context.Background()), get("192.0.2.1", "", context.Background())
	if a.Header().Get("X-Request-Id") == "" || a.Header().Get("X-Request-Id") == b.Header().Get("X-Request-Id") {
		t.Errorf("request ids %q and %q", a.Header().Get("X-Request-Id"), b.Header().Get("X-Request-Id"))
	}
	if got := get("10.1.1.1", "from-the-proxy-1", context.Background()).Header().Get("X-Request-Id"); got != "from-the-proxy-1" {
		t.Errorf("a trusted proxy's id became %q", got)
	}
	if got := get("192.0.2.1", "made-up-by-client", context.Background()).Header().Get("X-Request-Id"); got == "made-up-by-client" {
		t.Error("a client's own request id was kept")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec := get("192.0.2.1", "", ctx)
	if id := rec.Header().Get("X-Request-Id"); !strings.Contains(logs.String(), "request_id="+id) {
		t.Errorf("the log does not name request %s:\n%s", id, logs.String())
	}
}

// When the database refuses more connections the answer is 503 with
// Retry-After, for pages and the API alike, not an internal error.
func TestDatabaseFullIsUnavailable(t *testing.T) {
	var logs bytes.Buffer
	s := operationsServer(t, web.Config{Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Ready: func(context.Context) error { return nil }})
	err := &apperr.Error{Code: apperr.Unavailable, Message: "the service is busy; try again in a moment"}
	for _, api := range []bool{false, true} {
		rec := httptest.NewRecorder()
		s.FailForTest(rec, httptest.NewRequest("GET", "/specialisms/audiology", nil), api, err)
		if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
			t.Errorf("api %v: %d, Retry-After %q", api, rec.Code, rec.Header().Get("Retry-After"))
		}
	}
	if strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), "level=WARN") {
		t.Errorf("logged:\n%s", logs.String())
	}
}

// Made-up query parameters (cache-busters, tracking tags) are answered but
// not kept, and the same question in another spelling is one entry: the
// cache does not grow with requests that differ only in their URL.
func TestCacheBustingParametersDoNotGrowTheCache(t *testing.T) {
	s := operationsServer(t, web.Config{})
	get := func(target string) {
		t.Helper()
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: status %d", target, rec.Code)
		}
	}
	get("/specialisms/audiology")
	get("/search?q=heart&level=practitioner")
	held := s.CacheBytesForTest()
	if held == 0 {
		t.Fatal("nothing was cached")
	}
	for i := range 500 {
		get(fmt.Sprintf("/specialisms/audiology?_=%d", i))
		get(fmt.Sprintf("/api/v1/search?q=heart&utm_campaign=%d", i))
		get("/search?level=practitioner&q=heart&area=")
	}
	if now := s.CacheBytesForTest(); now != held {
		t.Errorf("after 1,500 requests with made-up or reordered parameters the cache holds %d bytes; it held %d", now, held)
	}
}

// Every route whose parameters the cache lists does cache an answer with
// them (so a pattern there that does not match routes.go shows), and a
// request that asks for nothing with its first value (?q=&q=heart) does
// not leave its answer for the request that asks for something.
func TestEveryCachedRouteCaches(t *testing.T) {
	examples := map[string]string{
		"GET /search":              "/search?q=heart&level=practitioner",
		"GET /api/v1/search":       "/api/v1/search?q=heart&limit=5",
		"GET /specialisms":         "/specialisms?level=practitioner",
		"GET /api/v1/specialisms":  "/api/v1/specialisms?level=practitioner",
		"GET /compare":             "/compare?ids=audiology&ids=genomics",
		"GET /api/v1/compare":      "/api/v1/compare?ids=audiology,genomics",
		"GET /pathway":             "/pathway?specialism=audiology",
		"GET /api/v1/pathway":      "/api/v1/pathway?from=gcses&specialism=audiology&level=practitioner",
		"GET /quiz":                "/quiz?page=2",
		"GET /quiz/results":        "/quiz/results?code=3333333333",
		"GET /api/v1/quiz/results": "/api/v1/quiz/results?code=3333333333",
		"GET /posts":               "/posts?region=London",
		"GET /api/v1/posts":        "/api/v1/posts?region=London",
	}
	s := operationsServer(t, web.Config{})
	get := func(target string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		return rec
	}
	for _, pattern := range web.CachedQueryRoutesForTest() {
		target, ok := examples[pattern]
		if !ok {
			t.Errorf("%s: no example request here", pattern)
			continue
		}
		before := s.CacheBytesForTest()
		if rec := get(target); rec.Code != http.StatusOK {
			t.Errorf("%s: status %d", target, rec.Code)
			continue
		}
		if s.CacheBytesForTest() == before {
			t.Errorf("%s (%s): answered but not cached", target, pattern)
		}
	}

	empty := get("/search?q=&q=heart").Body.String()
	full := get("/search?q=heart").Body.String()
	if empty == full || !strings.Contains(full, "Search results for heart") {
		t.Errorf("/search?q=heart after /search?q=&q=heart was answered with the page for an empty search")
	}
}
