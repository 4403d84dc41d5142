package web

import (
	"container/list"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
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

// responseCache is a bounded least-recently-used cache of public
// responses by URL, each kept for a time. Explorer answers depend on the
// URL and the framework (fixed while the process runs), and some on the
// open training posts; losing an entry only costs a re-render.
type responseCache struct {
	mu    sync.Mutex
	max   int
	order *list.List // of *cacheEntry, most recent first
	byKey map[string]*list.Element
}

type cacheEntry struct {
	key     string
	resp    *response
	expires time.Time
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

func newResponseCache(max int) *responseCache {
	return &responseCache{max: max, order: list.New(), byKey: map[string]*list.Element{}}
}

func (c *responseCache) get(key string) *response {
	if c.max <= 0 {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[key]; ok {
		entry := e.Value.(*cacheEntry)
		if time.Now().After(entry.expires) {
			c.order.Remove(e)
			delete(c.byKey, key)
			return nil
		}
		c.order.MoveToFront(e)
		return entry.resp
	}
	return nil
}

func (c *responseCache) put(key string, resp *response, ttl time.Duration) {
	if c.max <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	expires := time.Now().Add(ttl)
	if e, ok := c.byKey[key]; ok {
		e.Value.(*cacheEntry).resp, e.Value.(*cacheEntry).expires = resp, expires
		c.order.MoveToFront(e)
		return
	}
	c.byKey[key] = c.order.PushFront(&cacheEntry{key: key, resp: resp, expires: expires})
	if c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.byKey, last.Value.(*cacheEntry).key)
	}
}
