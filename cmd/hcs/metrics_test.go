package main

import (
	"net/http"
	"path/filepath"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// hcs serve --metrics-addr publishes, on its own listener, what an
// operator watches: requests and latency by route, response cache hits,
// database pool use and the outbox's backlog, in the format Prometheus's
// own parser reads.
func TestServeMetrics(t *testing.T) {
	if testing.Short() {
		t.Skip("starts hcs as a process")
	}
	metricsAddr := freeAddr(t)
	p := startHCS(t, filepath.Join(t.TempDir(), "hcs.db"), "--demo", "--metrics-addr", metricsAddr)
	for range 2 {
		resp, err := http.Get("http://" + p.addr + "/specialisms/audiology")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	resp, err := http.Get("http://" + metricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	for _, name := range []string{"hcs_http_requests_total", "hcs_http_request_duration_seconds", "hcs_response_cache_lookups_total",
		"hcs_db_connections_in_use", "hcs_db_connections_open", "hcs_db_connection_waits_total", "hcs_outbox_unsent", "hcs_match_duration_seconds"} {
		if families[name] == nil {
			t.Errorf("no %s", name)
		}
	}
	if f := families["hcs_db_connections_open"]; f != nil && f.GetMetric()[0].GetGauge().GetValue() < 1 {
		t.Errorf("no database connection open after serving pages")
	}
	// The demo queued no message for delivery, or some; never unknown.
	if f := families["hcs_outbox_unsent"]; f != nil && f.GetMetric()[0].GetGauge().GetValue() < 0 {
		t.Errorf("the outbox backlog could not be read")
	}
	if resp, err := http.Get("http://" + p.addr + "/metrics"); err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("/metrics on the public listener: %d", resp.StatusCode)
		}
	}
}
