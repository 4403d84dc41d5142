package web

import (
	"container/list"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"hcs/internal/search"
)

// response is a finished answer that can be cached and replayed.
type response struct {
	status      int
	contentType string
	location    string // for redirects
	body        []byte
	etag        string
	encoded     encoded // compressed bodies, made on first use
}

func newResponse(status int, contentType string, body []byte) *response {
	sum := sha256.Sum256(body)
	return &response{status: status, contentType: contentType, body: body, etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`}
}

func redirect(to string) *response {
	return &response{status: http.StatusMovedPermanently, location: to}
}

// write sends the response, or 304 Not Modified when the client already
// has this version.
func (resp *response) write(w http.ResponseWriter, r *http.Request, cacheControl string) {
	h := w.Header()
	if resp.location != "" {
		h.Set("Location", resp.location)
		w.WriteHeader(resp.status)
		return
	}
	h.Set("Content-Type", resp.contentType)
	h.Set("Cache-Control", cacheControl)
	body, etag := resp.body, resp.etag
	if compressible(resp.contentType) {
		h.Add("Vary", "Accept-Encoding")
		if enc := encoding(r); enc != "" && len(body) > 0 {
			// Each encoding is its own representation, with its own tag.
			h.Set("Content-Encoding", enc)
			body = resp.encoded.body(resp.body, enc)
			etag = strings.TrimSuffix(etag, `"`) + "-" + enc + `"`
		}
	}
	h.Set("ETag", etag)
	if resp.status == http.StatusOK && etagMatches(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.WriteHeader(resp.status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == etag || t == "W/"+etag || t == "*" {
			return true
		}
	}
	return false
}

// responseCache is a least-recently-used cache of public responses,
// bounded in bytes, each kept for a time. Explorer answers depend on the
// path, the query parameters the explorer reads and the framework (fixed
// while the process runs), and some on the open training posts; losing
// an entry only costs a re-render.
type responseCache struct {
	mu       sync.Mutex
	maxBytes int64
	bytes    int64      // the cost of the entries held
	order    *list.List // of *cacheEntry, most recent first
	byKey    map[string]*list.Element
}

type cacheEntry struct {
	key     string
	resp    *response
	expires time.Time
	cost    int64
}

// How long an answer is kept. Answers from the framework alone change
// only with a new build. Answers that show records (open training posts)
// are kept for a moment, so that a burst of requests for one page renders
// it once, but short enough that a post published through any server
// shows on every server within a second.
const (
	cacheTTL     = 30 * time.Second
	cacheTTLLive = 500 * time.Millisecond
)

// defaultCacheBytes bounds the response cache: every page and answer of
// the explorer, with each page's compressed copies, fits several times
// over.
const defaultCacheBytes = 64 << 20

// entryCost is what an answer is counted as: its key and the memory its
// body holds, half as much again for the compressed copies made as
// clients ask for them, and the bookkeeping.
func entryCost(key string, resp *response) int64 {
	return int64(len(key) + cap(resp.body) + len(resp.body)/2 + len(resp.location) + 256)
}

func newResponseCache(maxBytes int64) *responseCache {
	return &responseCache{maxBytes: maxBytes, order: list.New(), byKey: map[string]*list.Element{}}
}

// enabled reports whether the cache keeps anything.
func (c *responseCache) enabled() bool { return c.maxBytes > 0 }

func (c *responseCache) get(key string) *response {
	if !c.enabled() {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[key]; ok {
		entry := e.Value.(*cacheEntry)
		if time.Now().After(entry.expires) {
			c.remove(e)
			return nil
		}
		c.order.MoveToFront(e)
		return entry.resp
	}
	return nil
}

func (c *responseCache) put(key string, resp *response, ttl time.Duration) {
	cost := entryCost(key, resp)
	if !c.enabled() || cost > c.maxBytes/16 {
		return // one answer may take at most a sixteenth of the cache
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[key]; ok {
		c.remove(e)
	}
	c.byKey[key] = c.order.PushFront(&cacheEntry{key: key, resp: resp, expires: time.Now().Add(ttl), cost: cost})
	c.bytes += cost
	for c.bytes > c.maxBytes {
		c.remove(c.order.Back())
	}
}

// remove drops an entry; c.mu is held.
func (c *responseCache) remove(e *list.Element) {
	entry := e.Value.(*cacheEntry)
	c.order.Remove(e)
	delete(c.byKey, entry.key)
	c.bytes -= entry.cost
}

// cacheKey is the key of a public GET answered by the route pattern: the
// path and the query in a canonical form, so that the same question asked
// with its parameters in another order, or with empty ones, is one entry.
// ok is false when the answer must not be kept: the query has a parameter
// the route does not read (a cache-buster, a tracking tag), a parameter
// read as one value given twice, or the path is spelled with needless
// escapes. Such requests are answered afresh, so made-up URLs cannot push
// real answers out of the cache.
func cacheKey(kind, pattern string, u *url.URL) (key string, ok bool) {
	if u.RawPath != "" {
		return "", false // /specialisms/%61udiology: not how links spell it
	}
	if u.RawQuery == "" {
		return kind + " " + u.EscapedPath(), true
	}
	params := routeParameters[pattern]
	v, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return "", false
	}
	names := make([]string, 0, len(v))
	for name, values := range v {
		read, ok := params.reads(name)
		if !ok {
			return "", false
		}
		if read == oneValue && len(values) > 1 {
			// Handlers read the first value: ?q=&q=heart is a search for
			// nothing, and must not share the key of ?q=heart.
			return "", false
		}
		if slices.ContainsFunc(values, func(s string) bool { return s != "" }) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	var b strings.Builder
	b.WriteString(kind)
	b.WriteByte(' ')
	b.WriteString(u.EscapedPath()) // escaped, so that a decoded ? cannot look like a query
	sep := byte('?')
	for _, name := range names {
		for _, value := range v[name] {
			// Every value the handlers read as a list ignores blanks.
			if value == "" {
				continue
			}
			b.WriteByte(sep)
			b.WriteString(url.QueryEscape(name))
			b.WriteByte('=')
			b.WriteString(url.QueryEscape(value))
			sep = '&'
		}
	}
	return b.String(), true
}

// How a handler reads a query parameter.
const (
	oneValue   = iota + 1 // url.Values.Get: the first value, empty the same as absent
	manyValues            // every value, in order, blanks ignored
)

// parameters are the query parameters one route reads.
type parameters struct {
	names       map[string]int // name → oneValue or manyValues
	quizAnswers bool           // q1, q2, … (one value each)
}

func (p parameters) reads(name string) (int, bool) {
	if read, ok := p.names[name]; ok {
		return read, true
	}
	if p.quizAnswers && isQuizAnswer(name) {
		return oneValue, true
	}
	return 0, false
}

// isQuizAnswer reports whether name is q followed by an item number
// written as the quiz's form writes it: q1 to q999, no sign, no leading
// zero.
func isQuizAnswer(name string) bool {
	if len(name) < 2 || len(name) > 4 || name[0] != 'q' || name[1] == '0' {
		return false
	}
	for _, c := range name[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func readsOne(names ...string) map[string]int {
	m := map[string]int{}
	for _, n := range names {
		m[n] = oneValue
	}
	return m
}

var (
	searchParameters     = parameters{names: readsOne(append([]string{"q", "limit"}, search.FilterKeys...)...)}
	specialismParameters = parameters{names: readsOne("area", "level", "patients", "setting")}
	compareParameters    = parameters{names: map[string]int{"ids": manyValues}}
	pathwayParameters    = parameters{names: readsOne("from", "from_specialism", "specialism", "level", "show")}
	quizResultParameters = parameters{names: readsOne("code")}
	postParameters       = parameters{names: readsOne("specialism", "region", "programme")}
)

// routeParameters are the query parameters each cached route reads, by
// its pattern in routes.go; a route not listed reads none. A handler that
// starts reading a new parameter must have it listed here, or its answers
// with that parameter are never cached (TestCacheKeyCoversEveryParameter
// checks the handlers' source).
var routeParameters = map[string]parameters{
	"GET /search":              searchParameters,
	"GET /api/v1/search":       searchParameters,
	"GET /specialisms":         specialismParameters,
	"GET /api/v1/specialisms":  specialismParameters,
	"GET /compare":             compareParameters,
	"GET /api/v1/compare":      compareParameters,
	"GET /pathway":             pathwayParameters,
	"GET /api/v1/pathway":      pathwayParameters,
	"GET /quiz/results":        quizResultParameters,
	"GET /api/v1/quiz/results": quizResultParameters,
	"GET /posts":               postParameters,
	"GET /api/v1/posts":        postParameters,
	"GET /quiz": {names: map[string]int{"code": oneValue, "page": oneValue, "submitted": oneValue, "dealbreakers": manyValues},
		quizAnswers: true},
}
