package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"hcs/internal/recruit"
)

// metrics are what operators watch: requests and their latency by route,
// and the response cache's hits. Other packages' measures (the database
// pool, the outbox) come in through Config.Collectors.
type metrics struct {
	registry  *prometheus.Registry
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	cacheHits *prometheus.CounterVec
	matches   prometheus.Histogram
	handler   http.Handler
}

func newMetrics(extra []prometheus.Collector) (*metrics, error) {
	m := &metrics{registry: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hcs_http_requests_total",
		Help: "HTTP requests answered, by route pattern, method and status code.",
	}, []string{"route", "method", "code"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "hcs_http_request_duration_seconds",
		Help:    "Time to answer an HTTP request, by route pattern.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route"})
	m.cacheHits = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hcs_response_cache_lookups_total",
		Help: "Public responses looked up in this process's response cache, by result (hit or miss).",
	}, []string{"result"})
	m.matches = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "hcs_match_duration_seconds",
		Help:    "Time to run, verify and publish a recruitment round's match.",
		Buckets: []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
	})
	all := append([]prometheus.Collector{m.requests, m.latency, m.cacheHits, m.matches,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})}, extra...)
	for _, c := range all {
		if err := m.registry.Register(c); err != nil {
			return nil, err
		}
	}
	m.handler = promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
	return m, nil
}

// observe counts one answered request. route is the pattern that served
// it ("GET /specialisms/{id}"), never the path, so that the number of
// series stays bounded whatever addresses people ask for.
func (m *metrics) observe(route, method string, code int, took time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
	default:
		method = "other" // a client can send any word as a method
	}
	m.requests.WithLabelValues(route, method, strconv.Itoa(code)).Inc()
	m.latency.WithLabelValues(route).Observe(took.Seconds())
}

func (m *metrics) cacheLookup(hit bool) {
	if hit {
		m.cacheHits.WithLabelValues("hit").Inc()
	} else {
		m.cacheHits.WithLabelValues("miss").Inc()
	}
}

// MetricsHandler serves the metrics in Prometheus's text format. It is
// meant for a listener of its own on an internal address (hcs serve
// --metrics-addr), not the public one: route counts say what people use.
func (s *Server) MetricsHandler() http.Handler { return s.metrics.handler }

// timedPublishMatch runs and publishes a round's match, timing it.
func (s *Server) timedPublishMatch(r *http.Request, roundID int64) (*recruit.MatchOutcome, error) {
	start := time.Now()
	out, err := s.recruit.PublishMatch(r.Context(), actor(r), roundID)
	if err == nil {
		s.metrics.matches.Observe(time.Since(start).Seconds())
	}
	return out, err
}
