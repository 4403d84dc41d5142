package web

import "net/http"

// FailForTest answers with an error as a handler would.
func (s *Server) FailForTest(w http.ResponseWriter, r *http.Request, api bool, err error) {
	s.fail(w, r, api, err)
}

// CacheBytesForTest is what the response cache holds, as it counts it.
func (s *Server) CacheBytesForTest() int64 {
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	return s.cache.bytes
}

// CachedQueryRoutesForTest are the route patterns whose answers are cached
// with query parameters.
func CachedQueryRoutesForTest() []string {
	var out []string
	for pattern := range routeParameters {
		out = append(out, pattern)
	}
	return out
}

// PageLinks numbers a pagination's links, for the tests.
var PageLinks = pageLinks
