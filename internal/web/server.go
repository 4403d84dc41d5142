// Package web serves the explorer's pages and its JSON API from one routing
// table (routes.go). Handlers are thin: the rules live in the framework,
// explore and search packages.
package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"

	"hcs/internal/apperr"

	"hcs/internal/auth"
	"hcs/internal/framework"
	"hcs/internal/idempotency"
	"hcs/internal/privacy"
	"hcs/internal/recruit"
	"hcs/internal/search"
	"hcs/internal/train"
	"hcs/internal/workforce"
)

// The front-end files in static/ are built by `make build` (or `make
// assets`: tools/build-assets.mjs), never committed; only static/README.md
// is. A Go build without them fails on this line with "pattern
// static/manifest.json: no matching files found": run `make build` first.
//
//go:embed templates openapi.json static/manifest.json static
var embedded embed.FS

// Config is what the server needs from the outside world.
type Config struct {
	Framework *framework.Framework
	Search    *search.Index
	Logger    *slog.Logger
	// Started is when the process started, for /healthz.
	Started time.Time
	// Version is the build version, for /healthz.
	Version string
	// Pages, when set, are the parsed page templates (ParsePages), so that
	// a caller can parse them while it does other start-up work; New
	// parses them otherwise.
	Pages *Pages
	// Store keeps accounts, sessions and the audit log.
	Store auth.Store
	// Recruit is national recruitment.
	Recruit *recruit.Service
	// Train is training to registration.
	Train *train.Service
	// Workforce is the workforce: staff records and their figures.
	Workforce *workforce.Service
	// Privacy exports and erases a person's data across every capability.
	Privacy *privacy.Service
	// SchemaVersion reports the database schema version, for /healthz.
	SchemaVersion func() int
	// PublicURL is the address links in messages point to, such as
	// https://hcs.example.nhs.uk. It is required: links are never built
	// from the Host header a request brings.
	PublicURL string
	// ShowMessages shows, on the page that asked for it, the message a
	// form has just put in the outbox (a sign-up or reset link), for a
	// demonstration without a mail server. Never in production: it would
	// tell anyone whether an address has an account.
	ShowMessages bool
	// FormsPerMinute is how many sign-in, sign-up and password reset forms
	// one client address may send each minute (and at once); 0 means 30.
	FormsPerMinute int
	// SecureCookies marks cookies Secure even on plain HTTP, for a server
	// behind a TLS-terminating proxy.
	SecureCookies bool
	// TrustedProxies are the proxies whose X-Forwarded-For or Forwarded
	// header gives the client's address; from anyone else these headers
	// are ignored.
	TrustedProxies AddressRanges
	// ForwardedHeader is the header the trusted proxies write: the
	// default X-Forwarded-For, or Forwarded (RFC 7239). The other is
	// never read, since a proxy passes it on as the client sent it.
	ForwardedHeader string
	// Idempotency keeps Idempotency-Key answers; nil uses Store when it
	// can.
	Idempotency idempotency.Store
	// Collectors are other packages' measures to publish at /metrics
	// (database pool use, the outbox).
	Collectors []prometheus.Collector
	// Ready reports whether the server can do its work (the database
	// answers, its schema is the one this build expects), for /readyz.
	// Nil means always ready.
	Ready func(ctx context.Context) error
	// NoResponseCache answers every public request afresh instead of
	// keeping rendered pages and search results for up to 30 seconds: for
	// measuring the work behind a request, or to show each change at once.
	NoResponseCache bool
	// Clock, when set, is the time pages show stages at; the stores keep
	// their own clocks for the rules.
	Clock func() time.Time
}

// Server holds the explorer's handlers and what they share.
type Server struct {
	f       *framework.Framework
	search  *search.Index
	log     *slog.Logger
	pages   map[string]*template.Template
	options map[string][][2]string
	static  fs.FS
	// assetNames maps each front-end file's name (hcs.css) to its
	// fingerprinted file (hcs.3f9a1c2e5b7d.css).
	assetNames map[string]string
	csp        string // the Content-Security-Policy header
	// servedAssets is the fingerprinted files /assets/ serves.
	servedAssets map[string]bool
	cache        *responseCache
	started      time.Time
	version      string
	handler      http.Handler

	store         auth.Store
	recruit       *recruit.Service
	train         *train.Service
	workforce     *workforce.Service
	privacy       *privacy.Service
	schemaVersion func() int
	baseURL       string
	alwaysSecure  bool
	clock         func() time.Time
	limiter       *addressLimiter
	checkLimiter  *addressLimiter
	showMessages  bool
	proxies       AddressRanges
	useForwarded  bool
	keys          idempotency.Store
	ids           *requestIDs
	metrics       *metrics
	ready         func(ctx context.Context) error
	// draining is set when the server is shutting down: /readyz fails so
	// that balancers stop sending requests, and each answer closes its
	// connection.
	draining atomic.Bool
}

// Drain marks the server as shutting down. It goes on answering every
// request, but /readyz answers 503 so that balancers take it out of
// service, and each response closes its connection so that clients and
// proxies open their next one elsewhere. Call it on SIGTERM, wait longer
// than the balancer takes to notice, then shut the HTTP server down.
func (s *Server) Drain() { s.draining.Store(true) }

// New builds the server and parses its templates.
func New(cfg Config) (*Server, error) {
	if cfg.Framework == nil || cfg.Search == nil || cfg.Store == nil || cfg.Recruit == nil || cfg.Train == nil || cfg.Privacy == nil {
		return nil, fmt.Errorf("web: a framework, a search index and the stores are required")
	}
	var err error
	cacheBytes := int64(defaultCacheBytes)
	if cfg.NoResponseCache {
		cacheBytes = 0
	}
	s := &Server{
		f:       cfg.Framework,
		search:  cfg.Search,
		log:     cfg.Logger,
		cache:   newResponseCache(cacheBytes),
		started: cfg.Started,
		version: cfg.Version,

		store:         cfg.Store,
		recruit:       cfg.Recruit,
		train:         cfg.Train,
		workforce:     cfg.Workforce,
		privacy:       cfg.Privacy,
		showMessages:  cfg.ShowMessages,
		schemaVersion: cfg.SchemaVersion,
		alwaysSecure:  cfg.SecureCookies,
		clock:         cfg.Clock,
		proxies:       cfg.TrustedProxies,
		keys:          cfg.Idempotency,
		ids:           newRequestIDs(),
		ready:         cfg.Ready,
	}
	if s.baseURL, err = checkPublicURL(cfg.PublicURL); err != nil {
		return nil, err
	}
	perMinute := cfg.FormsPerMinute
	if perMinute <= 0 {
		perMinute = 30
	}
	s.limiter = newAddressLimiter(perMinute, perMinute)
	s.checkLimiter = newAddressLimiter(checksPerMinute, checksPerMinute)
	if s.keys == nil {
		s.keys, _ = cfg.Store.(idempotency.Store)
	}
	switch strings.ToLower(cfg.ForwardedHeader) {
	case "", "x-forwarded-for":
	case "forwarded":
		s.useForwarded = true
	default:
		return nil, fmt.Errorf("forwarded header %q: use X-Forwarded-For or Forwarded", cfg.ForwardedHeader)
	}
	if s.metrics, err = newMetrics(cfg.Collectors); err != nil {
		return nil, err
	}
	if s.schemaVersion == nil {
		s.schemaVersion = func() int { return 0 }
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.options = selectOptions(s.f)
	pages := cfg.Pages
	if pages == nil {
		if pages, err = ParsePages(); err != nil {
			return nil, err
		}
	}
	s.static, s.assetNames, s.pages = pages.static, pages.assetNames, pages.templates
	s.servedAssets = map[string]bool{}
	for _, file := range s.assetNames {
		s.servedAssets[file] = true
	}
	if s.csp, err = contentSecurityPolicy(); err != nil {
		return nil, err
	}
	// Cross-site request forgery: state changes from another origin are
	// refused, using the browser's Sec-Fetch-Site and Origin headers.
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, strings.HasPrefix(r.URL.Path, "/api/"), apperr.Errorf(apperr.Forbidden,
			"This request came from another website, so it was refused. Go back to the page and try again."))
	}))
	s.handler = s.middleware(csrf.Handler(s.routes()))
	return s, nil
}

// Pages are the embedded front-end files and the page templates that
// link to them, parsed.
type Pages struct {
	static     fs.FS
	assetNames map[string]string
	templates  map[string]*template.Template
}

// ParsePages reads the front-end files' manifest and parses every page
// template.
func ParsePages() (*Pages, error) {
	static, err := fs.Sub(embedded, "static")
	if err != nil {
		return nil, err
	}
	names, err := readManifest(static)
	if err != nil {
		return nil, err
	}
	templates, err := parseTemplates(names)
	if err != nil {
		return nil, err
	}
	return &Pages{static: static, assetNames: names, templates: templates}, nil
}

// contentSecurityPolicy allows the site's own files and, by its hash, the
// layout's one inline script: the line that marks the page as having
// JavaScript before it is drawn, so the design system's enhanced styles do
// not shift the page after it loads.
func contentSecurityPolicy() (string, error) {
	layout, err := embedded.ReadFile("templates/layout.html")
	if err != nil {
		return "", err
	}
	_, rest, ok := bytes.Cut(layout, []byte("<script>"))
	script, _, closed := bytes.Cut(rest, []byte("</script>"))
	if !ok || !closed {
		return "", errors.New("web: the layout has no inline script to allow")
	}
	sum := sha256.Sum256(script)
	return "default-src 'self'; script-src 'self' 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; img-src 'self' data:; " +
		"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'", nil
}

// checkPublicURL checks the address links in messages point to: an
// absolute http or https URL with a host and nothing after it.
func checkPublicURL(s string) (string, error) {
	s = strings.TrimSuffix(s, "/")
	u, err := url.Parse(s)
	if s == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("web: the public URL must be like https://hcs.example.nhs.uk (scheme and host, no path), not %q", s)
	}
	return s, nil
}

// checkAddress refuses a request whose path or query holds a control
// character or text that is not UTF-8: no page or record is named that
// way, and such text must never reach the database.
func checkAddress(u *url.URL) error {
	bad := func(s string) bool {
		return !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
	}
	if bad(u.Path) {
		return apperr.Errorf(apperr.NotFound, "there is no page at this address")
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil { // handlers skip the pairs that cannot be read; check the whole
		if whole, err := url.QueryUnescape(u.RawQuery); err == nil && bad(whole) {
			return apperr.Invalidf("query", "the address's query string holds a control character or is not valid UTF-8")
		}
	}
	for key, values := range q {
		for _, v := range append(values, key) {
			if bad(v) {
				return apperr.Invalidf(key, "%s in the address holds a control character or is not valid UTF-8", key)
			}
		}
	}
	return nil
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// middleware wraps every request: security headers, panic recovery and an access log line without query strings (they may hold
// what people typed).
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		h := w.Header()
		h.Set("Content-Security-Policy", s.csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if s.draining.Load() {
			// Shutting down: answer, but ask the client (or the proxy)
			// to send its next request elsewhere.
			h.Set("Connection", "close")
		}
		id := s.requestID(r)
		h.Set("X-Request-Id", id)
		ctx := context.WithValue(r.Context(), requestIDKey{}, id)
		if len(s.proxies) > 0 {
			ctx = context.WithValue(ctx, clientKey{}, s.proxies.client(r, s.useForwarded))
		}
		r = r.WithContext(ctx)
		if err := checkAddress(r.URL); err != nil {
			s.fail(w, r, strings.HasPrefix(r.URL.Path, "/api/"), err)
			return
		}
		var out http.ResponseWriter = w
		if enc := encoding(r); enc != "" {
			cw := &compressWriter{ResponseWriter: w, enc: enc}
			defer cw.close()
			out = cw
		}
		sw := &statusWriter{ResponseWriter: out, status: http.StatusOK}
		defer func() {
			if p := recover(); p != nil {
				s.log.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "request_id", id, "panic", fmt.Sprint(p))
				if !sw.wrote {
					s.renderError(sw, r, fmt.Errorf("panic: %v", p))
				}
			}
			took := time.Since(start)
			s.metrics.observe(r.Pattern, r.Method, sw.status, took)
			s.log.Debug("request", "method", r.Method, "path", r.URL.Path, "status", sw.status, "duration", took, "client", clientAddress(r), "request_id", id)
		}()
		next.ServeHTTP(sw, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}
