package web_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"hcs/internal/testkit"
)

// TestLighthouse runs Lighthouse (mobile) on the explorer's main page
// types: accessibility, best practices and SEO must each score 100.
// Performance is measured by `make lighthouse` and recorded in
// docs/BENCHMARKS.md, not asserted here: these machines are shared and
// noisy.
func TestLighthouse(t *testing.T) {
	srv := httptest.NewServer(testkit.ServerWith(t, testkit.SQLiteDB(t)))
	t.Cleanup(srv.Close)
	for _, path := range []string{
		"/",
		"/specialisms/cardiac-science",
		"/search?q=heart",
		"/compare?ids=audiology,genomics,radiotherapy-physics",
		"/quiz",
	} {
		t.Run(path, func(t *testing.T) {
			scores, failing := testkit.LighthouseScores(t, srv.URL+path, "accessibility", "best-practices", "seo")
			for c, s := range scores {
				if s != 100 {
					t.Errorf("%s scores %d: %s", c, s, strings.Join(failing, "; "))
				}
			}
		})
	}
}
