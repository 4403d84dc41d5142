package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"text/tabwriter"
	"time"

	"hcs/internal/database"
	"hcs/internal/demo"
	"hcs/internal/framework"
	"hcs/internal/mail"
	"hcs/internal/privacy"
	"hcs/internal/recruit"
	"hcs/internal/search"
	"hcs/internal/train"
	"hcs/internal/web"
	"hcs/internal/workforce"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	started := time.Now()
	// Start-up builds a few megabytes that live as long as the process;
	// collecting garbage while the heap is that small only slows it.
	gcPercent := debug.SetGCPercent(800)
	defer debug.SetGCPercent(gcPercent) // on the way out early, too
	fs := newFlagSet("serve", stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	dataDir := fs.String("data", "", "read framework data from this directory instead of the embedded copy")
	dbURL := dbFlag(fs)
	demoMode := fs.Bool("demo", false, "add synthetic organisations and one account per role, and print their sign-in details")
	demoNewPasswords := fs.Bool("demo-new-passwords", false, "with --demo, give every demo account a new password (which signs them out) even if the demo is already set up")
	publicURL := fs.String("public-url", "", "the address people use to reach hcs, such as https://hcs.example.nhs.uk, for links in messages (default: http://<addr> when --addr names a host)")
	secureCookies := fs.Bool("secure-cookies", false, "mark cookies Secure even on plain HTTP (behind a TLS proxy)")
	smallNumbers := fs.Int("small-numbers", workforce.DefaultThreshold, "workforce figures shown outside an employer read \"fewer than N\" for counts from 1 to N-1")
	formsPerMinute := fs.Int("forms-per-minute", 30, "sign-in, sign-up and password reset forms one client address may send each minute")
	forwardedHeader := fs.String("forwarded-header", envOr("HCS_FORWARDED_HEADER", "X-Forwarded-For"), "the header the trusted proxies write the client's address in: X-Forwarded-For or Forwarded (default from $HCS_FORWARDED_HEADER); the other is ignored")
	dbConns := fs.Int("db-conns", 0, "at most this many database connections per process (PostgreSQL's pool, default 4 per CPU from 8 to 32; SQLite's readers, default 8): keep the sum over every server, plus one more for a deploy, below PostgreSQL's max_connections, or use PgBouncer")
	trusted := fs.String("trusted-proxies", os.Getenv("HCS_TRUSTED_PROXIES"), "comma-separated addresses or CIDR ranges of the proxies in front of hcs, whose X-Forwarded-For or Forwarded header gives the client's address (default from $HCS_TRUSTED_PROXIES; none: every client is its peer)")
	metricsAddr := fs.String("metrics-addr", os.Getenv("HCS_METRICS_ADDR"), "serve Prometheus metrics at /metrics on this address, such as 127.0.0.1:9464: an internal address, apart from the public one (default from $HCS_METRICS_ADDR; none: no metrics listener)")
	drain := fs.Duration("drain", 10*time.Second, "on SIGTERM, go on serving this long while /readyz answers 503, so that balancers stop sending requests first (longer than their health check takes to notice)")
	shutdownTimeout := fs.Duration("shutdown-timeout", 30*time.Second, "after draining, how long requests still running may take before they are cut")
	issuerKey := fs.String("issuer-key", os.Getenv("HCS_ISSUER_KEY_FILE"), "the file holding the key completion certificates are signed with, made by hcs issuer-key; with SQLite and none given, issuer.key beside the database, made on first start (default from $HCS_ISSUER_KEY_FILE)")
	noCache := fs.Bool("no-response-cache", false, "answer every public page and search afresh instead of keeping answers for up to 30 seconds")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn or error")
	smtpAddr := fs.String("smtp-addr", os.Getenv("HCS_SMTP_ADDR"), "deliver the outbox to this SMTP server, host:port (default from $HCS_SMTP_ADDR; none keeps messages in the outbox)")
	smtpFrom := fs.String("smtp-from", os.Getenv("HCS_SMTP_FROM"), "the address messages come from (default from $HCS_SMTP_FROM)")
	smtpUser := fs.String("smtp-user", os.Getenv("HCS_SMTP_USER"), "the SMTP user name, if the server asks for one; the password is read from $HCS_SMTP_PASSWORD (default from $HCS_SMTP_USER)")
	smtpTLS := fs.String("smtp-tls", envOr("HCS_SMTP_TLS", mail.TLSStart), "starttls (required), tls (from the first byte, as on port 465) or none (a relay on this host) (default from $HCS_SMTP_TLS)")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return usageError{fmt.Sprintf("--log-level %q: use debug, info, warn or error", *logLevel)}
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	proxies, err := web.ParseAddressRanges(*trusted)
	if err != nil {
		return usageError{"--trusted-proxies: " + err.Error()}
	}

	// SIGTERM (a deploy, a scheduler) drains first; Ctrl-C at a terminal
	// stops at once. Both also cancel ctx.
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	defer signal.Stop(term)

	// The framework and its index load, and the page templates are parsed,
	// while the database opens and migrates: start-up takes the longest of
	// the three, not their sum.
	type explorer struct {
		f     *framework.Framework
		index *search.Index
		err   error
	}
	loaded := make(chan explorer, 1)
	go func() {
		f, index, err := loadExplorer(*dataDir)
		loaded <- explorer{f, index, err}
	}()
	type parsed struct {
		pages *web.Pages
		err   error
	}
	pagesParsed := make(chan parsed, 1)
	go func() {
		pages, err := web.ParsePages()
		pagesParsed <- parsed{pages, err}
	}()
	db, err := openDB(ctx, *dbURL)
	ex, pp := <-loaded, <-pagesParsed
	if err != nil {
		return err
	}
	defer db.Close()
	if err := errors.Join(ex.err, pp.err); err != nil {
		return err
	}
	f, index := ex.f, ex.index
	if *dbConns > 0 {
		db.SetPoolSize(*dbConns)
	}
	if logger.Enabled(ctx, slog.LevelDebug) {
		db.Committed = func(writes int) { logger.Debug("database group commit", "writes", writes) }
	}
	schema, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	recruitment := recruit.NewService(db.Recruitment(), f)
	curricula, err := embeddedCurricula(f)
	if err != nil {
		return err
	}
	// Listen before the demo is set up, so that its messages' links
	// name the address the server answers on; nothing is served yet.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	defer ln.Close() // the server closes it too; this covers a failed start
	if *publicURL == "" {
		if *publicURL, err = defaultPublicURL(*addr, ln.Addr().String()); err != nil {
			ln.Close()
			return err
		}
		logger.Info("links in messages point to the listening address; set --public-url to the address people use", "public_url", *publicURL)
	}
	training := train.NewService(db.Training(), f, curricula, *publicURL)
	staff := workforce.NewService(db.Workforce(), f, *smallNumbers)
	key, keyPath, err := loadIssuerKey(*issuerKey, db)
	if err != nil {
		return err
	}
	if key == nil && *demoMode {
		// A demo on PostgreSQL with no key file: this process signs with a
		// key of its own. Every process's public key is listed in the
		// issuer's document, so what any of them signed verifies.
		if _, key, err = ed25519.GenerateKey(nil); err != nil {
			return err
		}
		keyPath = "(made for this demo process; set --issuer-key for a real service)"
	}
	if key != nil {
		if err := training.UseIssuer(ctx, key); err != nil {
			return err
		}
		logger.Info("signing completion certificates", "issuer_key", keyPath)
	} else {
		logger.Warn("no issuer key (--issuer-key): completing a trainee, which issues their certificate, is refused until one is set")
	}
	if *demoMode {
		if err := setUpDemo(ctx, db, recruitment, training, staff, f, stdout, *addr, *demoNewPasswords); err != nil {
			return err
		}
	}
	var sender *mail.Sender
	if *smtpAddr != "" {
		sender, err = mail.New(mail.Config{Addr: *smtpAddr, From: *smtpFrom, Username: *smtpUser, Password: os.Getenv("HCS_SMTP_PASSWORD"), TLS: *smtpTLS}, db, logger)
		if err != nil {
			return usageError{err.Error()}
		}
		logger.Info("delivering the outbox by SMTP", "server", *smtpAddr, "from", *smtpFrom, "tls", *smtpTLS)
	} else {
		logger.Info("no SMTP server set (--smtp-addr): messages stay in the outbox, which administrators can read")
	}
	srv, err := web.New(web.Config{Framework: f, Search: index, Pages: pp.pages, Logger: logger, Started: started, Version: version,
		Store: db, Recruit: recruitment, Train: training, Workforce: staff, Privacy: privacy.NewService(db, db, recruitment, training), SchemaVersion: func() int { return schema }, Ready: ready(db), TrustedProxies: proxies, ForwardedHeader: *forwardedHeader, Collectors: databaseCollectors(db), PublicURL: *publicURL, SecureCookies: *secureCookies,
		FormsPerMinute: *formsPerMinute, NoResponseCache: *noCache, ShowMessages: *demoMode && *smtpAddr == ""})
	if err != nil {
		return err
	}
	httpServer := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	debug.SetGCPercent(gcPercent)
	logger.Info("hcs is serving", "url", "http://"+ln.Addr().String(), "database", db.Dialect+" "+db.Source(),
		"schema_version", schema, "framework_version", f.Version, "startup", time.Since(started).Round(time.Millisecond))
	errc := make(chan error, 2)
	go func() { errc <- httpServer.Serve(ln) }()
	if *metricsAddr != "" {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", srv.MetricsHandler())
		metricsServer := &http.Server{Addr: *metricsAddr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		mln, err := net.Listen("tcp", *metricsAddr)
		if err != nil {
			return fmt.Errorf("listen for metrics on %s: %w", *metricsAddr, err)
		}
		defer metricsServer.Close()
		go func() { errc <- metricsServer.Serve(mln) }()
		logger.Info("serving metrics", "url", "http://"+mln.Addr().String()+"/metrics")
	}
	go expireOffers(ctx, recruitment, logger)
	if sender != nil {
		go sender.Run(ctx, 10*time.Second)
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	select {
	case <-term:
		// Keep serving while balancers notice /readyz failing; each
		// answer closes its connection, so keep-alive connections end
		// with a response rather than under a request in flight.
		srv.Drain()
		logger.Info("draining before shutdown", "drain", *drain)
		select {
		case err := <-errc:
			return err
		case <-time.After(*drain):
		}
	default:
	}
	logger.Info("shutting down", "timeout", *shutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), *shutdownTimeout)
	defer cancel()
	if err := httpServer.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		// Requests still running past the timeout are cut: the operator
		// chose that bound, so this is a clean stop, logged.
		logger.Warn("requests still running at the shutdown timeout were cut", "err", err)
		httpServer.Close()
	}
	logger.Info("stopped")
	return nil
}

// ready is /readyz's check: the database answers and holds the schema
// this build migrates to.
func ready(db *database.DB) func(context.Context) error {
	return func(ctx context.Context) error {
		v, err := db.SchemaVersion(ctx)
		if err != nil {
			return fmt.Errorf("database: %w", err)
		}
		if want := db.LatestVersion(); v != want {
			return fmt.Errorf("database schema is version %d; this build needs %d (run hcs migrate)", v, want)
		}
		return nil
	}
}

// expireOffers runs the offer expiry every minute, so that deadlines hold
// whether or not anyone is using the round. Several servers may run it at
// once: each round's row lock makes them take turns.
func expireOffers(ctx context.Context, s *recruit.Service, logger *slog.Logger) {
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		if n, err := s.ExpireAllDue(ctx); err != nil && ctx.Err() == nil {
			logger.Error("offer expiry", "err", err)
		} else if n > 0 {
			logger.Info("offers expired", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// defaultPublicURL is the listening address as a URL, when it names a
// host people could reach. Links are never built from a request's Host
// header, so a server listening on every interface must be told its
// public address.
func defaultPublicURL(addr, listening string) (string, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil || host == "" || host == "0.0.0.0" || host == "::" {
		return "", usageError{fmt.Sprintf("--addr %q listens on every interface, so hcs cannot tell which address people use: set --public-url, such as https://hcs.example.nhs.uk", addr)}
	}
	return "http://" + listening, nil
}

// setUpDemo seeds the demo under a lock that every process sharing the
// database takes, so that several started at once seed it exactly once.
// The process that gives the accounts their passwords prints them (and,
// with SQLite, keeps a copy beside the database for later starts); the
// others say where they were printed.
func setUpDemo(ctx context.Context, db *database.DB, rec *recruit.Service, tr *train.Service, wf *workforce.Service, f *framework.Framework, w io.Writer, addr string, newPasswords bool) error {
	var accounts []demo.Account
	err := db.WithLock(ctx, "demo", func() error {
		var err error
		if accounts, err = demo.Seed(ctx, db, rec, tr, db.MovableClock(), newPasswords); err != nil {
			return err
		}
		return demo.SeedWorkforce(ctx, wf, f, db.Now())
	})
	if err != nil {
		return err
	}
	kept := ""
	if db.Dialect == database.SQLite && db.Source() != ":memory:" {
		kept = filepath.Join(filepath.Dir(db.Source()), "demo-accounts.txt")
	}
	heading := fmt.Sprintf("Demo mode: synthetic data only. Sign in at http://%s/sign-in with:\n", addr)
	if len(accounts) == 0 {
		if kept != "" {
			if b, err := os.ReadFile(kept); err == nil {
				fmt.Fprintf(w, "%s(the accounts as set up earlier, kept in %s)\n%s", heading, kept, b)
				return nil
			}
		}
		fmt.Fprintf(w, "Demo mode: the demo is already set up, and its accounts were printed by the process that set it up. "+
			"Start one process with --demo-new-passwords to give them new passwords.\n")
		return nil
	}
	table := demoAccounts(accounts)
	fmt.Fprintf(w, "%s%s", heading, table)
	if kept != "" {
		// WriteFile keeps an existing file's mode: set it too.
		if err := os.WriteFile(kept, table, 0o600); err != nil {
			return fmt.Errorf("keep the demo accounts: %w", err)
		}
		if err := os.Chmod(kept, 0o600); err != nil {
			return fmt.Errorf("keep the demo accounts: %w", err)
		}
	}
	return nil
}

// demoAccounts lists the accounts and their passwords as a table.
func demoAccounts(accounts []demo.Account) []byte {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  ROLE\tEMAIL\tPASSWORD")
	for _, a := range accounts {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", a.Role, a.Email, a.Password)
	}
	tw.Flush()
	fmt.Fprintln(&buf, "These passwords stay until the demo is set up again (--demo-new-passwords, or a new database).")
	return buf.Bytes()
}

// envOr is an environment variable's value, or def when it is unset.
func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
