package web

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"hcs/internal/search"
)

func TestCacheKeyIsCanonical(t *testing.T) {
	key := func(pattern, raw string) (string, bool) {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		return cacheKey("page", pattern, u)
	}
	same := []struct {
		pattern string
		urls    []string
	}{
		{"GET /search", []string{"/search?q=heart&level=practitioner", "/search?level=practitioner&q=heart", "/search?area=&q=heart&level=practitioner&type="}},
		{"GET /search", []string{"/search?q=heart+scan", "/search?q=heart%20scan", "/search?q=hea%72t+scan"}},
		{"GET /specialisms", []string{"/specialisms", "/specialisms?area=&level=&patients=&setting="}},
		{"GET /compare", []string{"/compare?ids=audiology&ids=genomics", "/compare?ids=audiology&ids=&ids=genomics"}},
		{"GET /quiz", []string{"/quiz?q1=3&q12=5&code=abc&page=2", "/quiz?page=2&q12=5&q1=3&code=abc&dealbreakers="}},
	}
	for _, c := range same {
		first, ok := key(c.pattern, c.urls[0])
		if !ok {
			t.Fatalf("%s: not cacheable", c.urls[0])
		}
		for _, raw := range c.urls[1:] {
			if k, ok := key(c.pattern, raw); !ok || k != first {
				t.Errorf("%s: key %q (cacheable %v), want %q as for %s", raw, k, ok, first, c.urls[0])
			}
		}
	}
	// A path holding an escaped ? is not the path with a query.
	p, _ := key("GET /search", "/search%3Fq=heart")
	q, _ := key("GET /search", "/search?q=heart")
	if p == q {
		t.Errorf("/search%%3Fq=heart and /search?q=heart share the key %q", p)
	}
	// Order within a list is meaning (the specialisms compared).
	a, _ := key("GET /compare", "/compare?ids=audiology&ids=genomics")
	b, _ := key("GET /compare", "/compare?ids=genomics&ids=audiology")
	if a == b {
		t.Errorf("ids in another order share the key %q", a)
	}
	never := []struct{ pattern, url string }{
		{"GET /specialisms/{id}", "/specialisms/audiology?_=1700000000"}, // a cache-buster
		{"GET /specialisms/{id}", "/specialisms/audiology?page=1"},       // read by another route only
		{"GET /search", "/search?q=heart&utm_source=x"},
		{"GET /search", "/search?q=%zz"},
		// Handlers read the first value: these ask for nothing, or for
		// everything, and must not share the key of the second value.
		{"GET /search", "/search?q=&q=heart"},
		{"GET /specialisms", "/specialisms?area=&area=physiological-sciences"},
		{"GET /quiz", "/quiz?submitted=1&q1=&q1=5"},
		{"GET /quiz", "/quiz?q-1=3"},
		{"GET /quiz", "/quiz?q01=3"},
		{"GET /quiz", "/quiz?q+1=3"},
		{"GET /specialisms/{id}", "/specialisms/%61udiology"},
	}
	for _, c := range never {
		if k, ok := key(c.pattern, c.url); ok {
			t.Errorf("%s: cacheable as %q; it must be answered afresh", c.url, k)
		}
	}
}

func TestResponseCacheStaysWithinItsBytes(t *testing.T) {
	c := newResponseCache(1 << 20)
	body := []byte(strings.Repeat("x", 10_000))
	for i := range 1_000 {
		c.put(fmt.Sprintf("page /search?q=%d", i), newResponse(200, "text/html", body), time.Minute)
		if c.bytes > c.maxBytes {
			t.Fatalf("after %d answers the cache holds %d bytes, over its %d", i+1, c.bytes, c.maxBytes)
		}
	}
	if c.order.Len() != len(c.byKey) {
		t.Fatalf("%d entries in order, %d by key", c.order.Len(), len(c.byKey))
	}
	if c.get("page /search?q=999") == nil {
		t.Error("the latest answer was evicted")
	}
	if c.get("page /search?q=0") != nil {
		t.Error("the oldest answer was kept past the bound")
	}
	// Replacing an entry counts it once.
	before := c.bytes
	c.put("page /search?q=999", newResponse(200, "text/html", body), time.Minute)
	if c.bytes != before {
		t.Errorf("replacing an answer changed the count from %d to %d", before, c.bytes)
	}
	// An answer too big for its share of the cache is not kept.
	c.put("page /huge", newResponse(200, "text/html", make([]byte, 1<<19)), time.Minute)
	if c.get("page /huge") != nil {
		t.Error("an answer of half the cache was kept")
	}
}

// Every query parameter that a handler reads is one some cached route's
// list names (or a signed-in page's, which is never cached): a parameter
// missing from the lists would make its pages uncached. The handlers are
// read from their source; TestEveryCachedRouteCaches (operations_test.go)
// checks that each route's list is used.
func TestCacheKeyCoversEveryParameter(t *testing.T) {
	// The files that hold a handler of a cached route, found from
	// routes.go, are read whole (helpers live beside their handlers).
	routes, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	handlers := regexp.MustCompile(`s\.(?:page|livePage|api|liveAPI)\(s\.(\w+)\)`).FindAllStringSubmatch(string(routes), -1)
	if len(handlers) < 30 {
		t.Fatalf("found %d cached routes in routes.go; has the way they are written changed?", len(handlers))
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	sources := map[string]string{}
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range handlers {
			if strings.Contains(string(src), "func (s *Server) "+h[1]+"(") {
				sources[file] = string(src)
			}
		}
	}
	listed := map[string]bool{}
	for _, p := range routeParameters {
		for name := range p.names {
			listed[name] = true
		}
	}
	for _, key := range search.FilterKeys { // read in a loop, by variable
		if !listed[key] {
			t.Errorf("search filter %q is not listed for the search routes", key)
		}
	}
	read := regexp.MustCompile(`\.(?:Get|Has)\("([a-z_0-9]+)"\)|(?:\b(?:v|q|query|values)|Query\(\))\["([a-z_0-9]+)"\]|FormValue\("([a-z_0-9]+)"\)`)
	seen := 0
	for file, src := range sources {
		for _, m := range read.FindAllStringSubmatch(src, -1) {
			name := m[1] + m[2] + m[3]
			seen++
			if !listed[name] && !signedInParameters[name] {
				t.Errorf("%s reads %q, which no route in routeParameters lists", file, name)
			}
		}
	}
	if seen < 25 {
		t.Fatalf("found only %d reads of query parameters in %d files; has the way handlers read them changed?", seen, len(sources))
	}
}

// signedInParameters are read only by signed-in pages, which are never
// cached: the sign-in page's next, the match run and the audit log's
// filters.
var signedInParameters = map[string]bool{"next": true, "run": true, "actor": true, "record_type": true, "record_id": true}
