// Package mail delivers the outbox by SMTP. Every message hcs sends is
// first written to the outbox in the same transaction as the change it is
// about, so nothing is lost when the mail server is down: a sender leases
// due messages, sends each, and records it as sent, or as failed with a
// time to try again. Each message carries a Message-ID made from its
// outbox id, so that in the rare case of a sender stopping between
// sending and recording, the copy sent again is recognisably the same.
package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"hcs/internal/auth"
)

// TLS modes.
const (
	TLSStart    = "starttls" // STARTTLS, required (the default)
	TLSImplicit = "tls"      // TLS from the first byte, as on port 465
	TLSNone     = "none"     // plain text: only for a relay on the same host or network
)

// Config is how to reach the mail server.
type Config struct {
	// Addr is the server's host:port.
	Addr string
	// From is the address messages come from.
	From     string
	Username string
	Password string
	// TLS is TLSStart, TLSImplicit or TLSNone.
	TLS string
	// Timeout bounds each connection; 0 means 30 seconds.
	Timeout time.Duration
}

// Queue is the outbox as a sender uses it.
type Queue interface {
	// ClaimDue leases up to n undelivered, due messages to the caller.
	ClaimDue(ctx context.Context, n int, lease time.Duration) ([]auth.Message, error)
	MarkSent(ctx context.Context, id int64) error
	MarkFailed(ctx context.Context, id int64, reason string, retryIn time.Duration) error
}

// Sender delivers the outbox.
type Sender struct {
	cfg    Config
	host   string
	port   int
	domain string
	queue  Queue
	log    *slog.Logger
}

// Lease is how long a sender holds a message it is sending; longer than
// any one attempt can take.
const lease = 5 * time.Minute

// New checks the configuration and returns a sender.
func New(cfg Config, q Queue, log *slog.Logger) (*Sender, error) {
	host, portText, err := net.SplitHostPort(cfg.Addr)
	port, perr := strconv.Atoi(portText)
	if err != nil || host == "" || perr != nil || port < 1 || port > 65535 {
		return nil, fmt.Errorf("mail: the SMTP address must be host:port, such as smtp.example.nhs.uk:587, not %q", cfg.Addr)
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil || from.Address != cfg.From {
		return nil, fmt.Errorf("mail: the from address must be a plain address, such as no-reply@hcs.example.nhs.uk, not %q", cfg.From)
	}
	if cfg.TLS == "" {
		cfg.TLS = TLSStart
	}
	if cfg.TLS != TLSStart && cfg.TLS != TLSImplicit && cfg.TLS != TLSNone {
		return nil, fmt.Errorf("mail: TLS must be %q, %q or %q, not %q", TLSStart, TLSImplicit, TLSNone, cfg.TLS)
	}
	if cfg.Username != "" && cfg.TLS == TLSNone && !isLoopback(host) {
		return nil, fmt.Errorf("mail: a password is never sent to %s without TLS", host)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Sender{cfg: cfg, host: host, port: port, domain: cfg.From[strings.LastIndex(cfg.From, "@")+1:], queue: q, log: log}, nil
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || ip != nil && ip.IsLoopback()
}

// Backoff is how long to wait after a message's nth failed attempt: half
// a minute, doubling, up to an hour. Messages are never given up on; the
// outbox page shows those that are waiting and why.
func Backoff(attempts int) time.Duration {
	if attempts >= 7 {
		return time.Hour
	}
	return min(time.Hour, 30*time.Second<<attempts)
}

// DeliverDue sends every message that is due, in batches, and reports how
// many went and how many failed.
func (s *Sender) DeliverDue(ctx context.Context) (sent, failed int, err error) {
	for {
		batch, err := s.queue.ClaimDue(ctx, 20, lease)
		if err != nil || len(batch) == 0 {
			return sent, failed, err
		}
		for _, m := range batch {
			if serr := s.send(ctx, m); serr != nil {
				failed++
				s.log.Warn("mail not delivered; it stays in the outbox", "message", m.ID, "attempt", m.Attempts+1, "err", serr)
				if err := s.queue.MarkFailed(ctx, m.ID, reason(serr), Backoff(m.Attempts)); err != nil {
					return sent, failed, err
				}
				continue
			}
			sent++
			if err := s.queue.MarkSent(ctx, m.ID); err != nil {
				return sent, failed, err
			}
		}
	}
}

// reason is an error as the outbox records it.
func reason(err error) string {
	s := err.Error()
	if len(s) > 500 {
		s = s[:500]
	}
	return s
}

// Message builds the email for an outbox message.
func (s *Sender) Message(m auth.Message) (*gomail.Msg, error) {
	if strings.ContainsAny(m.Recipient+m.Subject, "\r\n") {
		return nil, errors.New("a recipient or subject holds a line break")
	}
	msg := gomail.NewMsg()
	if err := msg.From(s.cfg.From); err != nil {
		return nil, err
	}
	if err := msg.To(m.Recipient); err != nil {
		return nil, fmt.Errorf("recipient: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetDateWithValue(m.CreatedAt)
	msg.SetMessageIDWithValue(fmt.Sprintf("outbox-%d.%d@%s", m.ID, m.CreatedAt.Unix(), s.domain))
	msg.SetBodyString(gomail.TypeTextPlain, m.Body)
	return msg, nil
}

func (s *Sender) send(ctx context.Context, m auth.Message) error {
	msg, err := s.Message(m)
	if err != nil {
		return err
	}
	opts := []gomail.Option{gomail.WithPort(s.port), gomail.WithTimeout(s.cfg.Timeout)}
	switch s.cfg.TLS {
	case TLSStart:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if s.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain), gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	client, err := gomail.NewClient(s.host, opts...)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	return client.DialAndSendWithContext(ctx, msg)
}

// Run delivers the outbox every interval until ctx ends.
func (s *Sender) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if sent, failed, err := s.DeliverDue(ctx); err != nil {
			s.log.Error("delivering the outbox", "err", err)
		} else if sent+failed > 0 {
			s.log.Info("outbox delivered", "sent", sent, "failed", failed)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
