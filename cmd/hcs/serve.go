package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"text/tabwriter"
	"time"

	"hcs/internal/demo"
	"hcs/internal/mail"
	"hcs/internal/privacy"
	"hcs/internal/recruit"
	"hcs/internal/web"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	started := time.Now()
	fs := newFlagSet("serve", stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	dataDir := fs.String("data", "", "read framework data from this directory instead of the embedded copy")
	dbURL := dbFlag(fs)
	demoMode := fs.Bool("demo", false, "add synthetic organisations and one account per role, and print their sign-in details")
	publicURL := fs.String("public-url", "", "the address people use to reach hcs, such as https://hcs.example.nhs.uk, for links in messages (default: http://<addr> when --addr names a host)")
	secureCookies := fs.Bool("secure-cookies", false, "mark cookies Secure even on plain HTTP (behind a TLS proxy)")
	formsPerMinute := fs.Int("forms-per-minute", 30, "sign-in, sign-up and password reset forms one client address may send each minute")
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

	f, index, err := loadExplorer(*dataDir)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if logger.Enabled(ctx, slog.LevelDebug) {
		db.Committed = func(writes int) { logger.Debug("database group commit", "writes", writes) }
	}
	schema, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	recruitment := recruit.NewService(db.Recruitment(), f)
	if *demoMode {
		accounts, err := demo.Seed(ctx, db, recruitment, db.MovableClock())
		if err != nil {
			return err
		}
		printDemoAccounts(stdout, *addr, accounts)
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
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	if *publicURL == "" {
		if *publicURL, err = defaultPublicURL(*addr, ln.Addr().String()); err != nil {
			ln.Close()
			return err
		}
		logger.Info("links in messages point to the listening address; set --public-url to the address people use", "public_url", *publicURL)
	}
	srv, err := web.New(web.Config{Framework: f, Search: index, Logger: logger, Started: started, Version: version,
		Store: db, Recruit: recruitment, Privacy: privacy.NewService(db, db, recruitment), SchemaVersion: func() int { return schema }, PublicURL: *publicURL, SecureCookies: *secureCookies,
		FormsPerMinute: *formsPerMinute, ShowMessages: *demoMode && *smtpAddr == ""})
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
	logger.Info("hcs is serving", "url", "http://"+ln.Addr().String(), "database", db.Dialect+" "+db.Source(),
		"schema_version", schema, "framework_version", f.Version, "startup", time.Since(started).Round(time.Millisecond))
	errc := make(chan error, 1)
	go func() { errc <- httpServer.Serve(ln) }()
	go expireOffers(ctx, recruitment, logger)
	if sender != nil {
		go sender.Run(ctx, 10*time.Second)
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := httpServer.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
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

func printDemoAccounts(w io.Writer, addr string, accounts []demo.Account) {
	fmt.Fprintf(w, "Demo mode: synthetic data only. Sign in at http://%s/sign-in with:\n", addr)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  ROLE\tEMAIL\tPASSWORD")
	for _, a := range accounts {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", a.Role, a.Email, a.Password)
	}
	tw.Flush()
	fmt.Fprintln(w, "The passwords change every time hcs starts in demo mode.")
}

// envOr is an environment variable's value, or def when it is unset.
func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
