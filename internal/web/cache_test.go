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
)

func TestCacheKeyIsCanonical(t *testing.T) {
	key := func(raw string) (string, bool) {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		return cacheKey("page", u)
	}
	same := [][]string{
		{"/search?q=heart&level=practitioner", "/search?level=practitioner&q=heart", "/search?area=&q=heart&level=practitioner&type="},
		{"/specialisms", "/specialisms?area=&level=&patients=&setting="},
		{"/compare?ids=audiology&ids=genomics", "/compare?ids=audiology&ids=&ids=genomics"},
		{"/search?q=heart+scan", "/search?q=heart%20scan"},
	}
	for _, group := range same {
		first, ok := key(group[0])
		if !ok {
			t.Fatalf("%s: not cacheable", group[0])
		}
		for _, raw := range group[1:] {
			if k, ok := key(raw); !ok || k != first {
				t.Errorf("%s: key %q (cacheable %v), want %q as for %s", raw, k, ok, first, group[0])
			}
		}
	}
	// Order within one parameter is meaning (the specialisms compared).
	a, _ := key("/compare?ids=audiology&ids=genomics")
	b, _ := key("/compare?ids=genomics&ids=audiology")
	if a == b {
		t.Errorf("ids in another order share the key %q", a)
	}
	for _, raw := range []string{"/specialisms/audiology?_=1700000000", "/search?q=heart&utm_source=x", "/search?q=%zz"} {
		if k, ok := key(raw); ok {
			t.Errorf("%s: cacheable as %q; a parameter the explorer does not read must not make an entry", raw, k)
		}
	}
	if _, ok := key("/quiz?q1=3&q12=5&code=abc&page=2"); !ok {
		t.Error("quiz answers are not cacheable")
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

// Every query parameter that a public page or API reads is one the cache
// key keeps: otherwise two different questions would share an answer (if
// the key dropped it) or the page would never be cached. The handlers are
// read from their source.
func TestCacheKeyCoversEveryParameter(t *testing.T) {
	read := regexp.MustCompile(`(?:\b[vq]|Query\(\))(?:\.Get\("([a-z_0-9]+)"\)|\["([a-z_0-9]+)"\])`)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range read.FindAllStringSubmatch(string(src), -1) {
			name := m[1] + m[2]
			seen++
			if !explorerParameter(name) && !signedInParameters[name] {
				t.Errorf("%s reads the query parameter %q, which explorerParameters does not list", file, name)
			}
		}
	}
	if seen < 20 {
		t.Fatalf("found only %d reads of query parameters; has the way handlers read them changed?", seen)
	}
}

// signedInParameters are read only by signed-in pages, which are never
// cached: the sign-in page's next, the match run and the audit log's
// filters.
var signedInParameters = map[string]bool{"next": true, "run": true, "actor": true, "record_type": true, "record_id": true}
