package web

import (
	"container/list"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
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

// entryCost is what an answer is counted as: its key and body, half as
// much again for the compressed copies made as clients ask for them, and
// the bookkeeping.
func entryCost(key string, resp *response) int64 {
	return int64(len(key) + len(resp.body) + len(resp.body)/2 + len(resp.location) + 256)
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

// cacheKey is the key of a public GET: the path and the query in a
// canonical form, so that the same question asked with its parameters in
// another order, or with empty ones, is one entry. ok is false when the
// query has a parameter the explorer does not read (a cache-buster, a
// tracking tag): such a request is answered afresh and not kept, so that
// made-up parameters cannot fill the cache.
func cacheKey(kind string, u *url.URL) (key string, ok bool) {
	if u.RawQuery == "" {
		return kind + " " + u.EscapedPath(), true
	}
	v, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return "", false
	}
	names := make([]string, 0, len(v))
	for name, values := range v {
		if !explorerParameter(name) {
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
	b.WriteString(u.EscapedPath())
	sep := byte('?')
	for _, name := range names {
		for _, value := range v[name] {
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

// explorerParameters are the query parameters that the explorer's public
// pages and API read; quiz answers are q1, q2 and so on. A page that
// starts reading a new parameter must be listed here, or its answers
// are never cached (TestCacheKeyCoversEveryParameter checks the pages).
var explorerParameters = map[string]bool{
	"q": true, "limit": true, "type": true, "area": true, "level": true, "patients": true, "setting": true,
	"ids": true, "from": true, "from_specialism": true, "specialism": true, "show": true,
	"code": true, "page": true, "submitted": true, "dealbreakers": true,
	"region": true, "programme": true,
}

func explorerParameter(name string) bool {
	if explorerParameters[name] {
		return true
	}
	// Quiz answers: q followed by an item number.
	if len(name) > 1 && len(name) <= 4 && name[0] == 'q' {
		_, err := strconv.Atoi(name[1:])
		return err == nil
	}
	return false
}
