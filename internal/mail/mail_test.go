package mail_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"hcs/internal/auth"
	"hcs/internal/database"
	hcsmail "hcs/internal/mail"
	"hcs/internal/testkit"
)

// mailServer is a real SMTP server (emersion/go-smtp, an independent
// implementation) on a loopback port, which asks for PLAIN
// authentication and keeps what it receives.
type mailServer struct {
	t      *testing.T
	addr   string
	server *smtp.Server
	mu     sync.Mutex
	got    []received
}

type received struct {
	from, to string
	msg      *mail.Message
	body     string
}

func startMailServer(t *testing.T, addr string) *mailServer {
	t.Helper()
	ms := &mailServer{t: t}
	ms.listen(addr)
	t.Cleanup(func() { ms.server.Close() })
	return ms
}

// listen starts (or restarts) the server, on addr or on a free port.
func (ms *mailServer) listen(addr string) {
	ms.t.Helper()
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	var l net.Listener
	var err error
	for range 50 { // the port of a server just stopped may take a moment to free
		if l, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		ms.t.Fatal(err)
	}
	ms.addr = l.Addr().String()
	s := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &session{ms: ms}, nil }))
	s.Domain, s.AllowInsecureAuth = "mail.test", true
	s.ReadTimeout, s.WriteTimeout = 10*time.Second, 10*time.Second
	ms.server = s
	go s.Serve(l)
}

func (ms *mailServer) stop() { ms.server.Close() }

func (ms *mailServer) received() []received {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return append([]received(nil), ms.got...)
}

type session struct {
	ms       *mailServer
	authed   bool
	from, to string
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != "hcs" || password != "relay secret" {
			return errors.New("wrong credentials")
		}
		s.authed = true
		return nil
	}), nil
}
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if !s.authed {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = to; return nil }
func (s *session) Data(r io.Reader) error {
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(msg.Body)
	s.ms.mu.Lock()
	s.ms.got = append(s.ms.got, received{from: s.from, to: s.to, msg: msg, body: string(body)})
	s.ms.mu.Unlock()
	return nil
}
func (s *session) Reset()        {}
func (s *session) Logout() error { return nil }

func sender(t *testing.T, db *database.DB, addr string) *hcsmail.Sender {
	t.Helper()
	s, err := hcsmail.New(hcsmail.Config{Addr: addr, From: "no-reply@hcs.test", Username: "hcs", Password: "relay secret",
		TLS: hcsmail.TLSNone, Timeout: 5 * time.Second}, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// queue puts messages in the outbox the way hcs does: a password reset
// link for an account.
func queue(t *testing.T, db *database.DB, u *auth.User, n int) {
	t.Helper()
	for i := range n {
		_, hash, _ := auth.NewToken()
		if err := db.CreatePasswordReset(context.Background(), auth.System("test"), u.ID, hash, time.Hour,
			auth.Message{Recipient: u.Email, Subject: "Reset your hcs password", Body: "Link number " + string(rune('A'+i)) + " — use it once."}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDeliveryToARealServer: the outbox goes to the SMTP server, each
// message once, as a well-formed email; with the server stopped the
// messages stay queued with the reason, and when it returns each goes out
// exactly once.
func TestDeliveryToARealServer(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		clk := &testkit.Clock{}
		clk.Set(time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC))
		db.Now = clk.Now
		u := &auth.User{Name: "Reader", Email: "reader@example.org"}
		if err := db.CreateUser(ctx, auth.System("test"), u, "", []auth.Grant{{Role: auth.RoleApplicant}}); err != nil {
			t.Fatal(err)
		}
		ms := startMailServer(t, "")
		s := sender(t, db, ms.addr)

		queue(t, db, u, 3)
		if sent, failed, err := s.DeliverDue(ctx); err != nil || sent != 3 || failed != 0 {
			t.Fatalf("delivering: sent %d, failed %d, %v", sent, failed, err)
		}
		got := ms.received()
		if len(got) != 3 {
			t.Fatalf("the server received %d messages, want 3", len(got))
		}
		m := got[0]
		if m.from != "no-reply@hcs.test" || m.to != u.Email || m.msg.Header.Get("Subject") != "Reset your hcs password" ||
			!strings.Contains(m.body, "Link number A") || !strings.HasPrefix(m.msg.Header.Get("Message-Id"), "<outbox-") {
			t.Errorf("the first message arrived as from %q to %q, headers %v, body %q", m.from, m.to, m.msg.Header, m.body)
		}
		if sent, _, _ := s.DeliverDue(ctx); sent != 0 || len(ms.received()) != 3 {
			t.Error("delivering again sent messages that had gone")
		}

		// The server goes down: new messages wait, with the reason.
		ms.stop()
		queue(t, db, u, 3)
		if sent, failed, err := s.DeliverDue(ctx); err != nil || sent != 0 || failed != 3 {
			t.Fatalf("with the server down: sent %d, failed %d, %v", sent, failed, err)
		}
		waiting := testkit.Count(t, db, "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND attempts = 1 AND last_error <> ''")
		if waiting != 3 {
			t.Errorf("%d messages wait with a recorded failure, want 3", waiting)
		}
		// Not due again until the back-off has passed.
		if _, failed, _ := s.DeliverDue(ctx); failed != 0 {
			t.Error("a failed message was retried at once")
		}

		// The server returns on the same address; after the back-off each
		// waiting message goes out exactly once.
		ms.listen(ms.addr)
		clk.Set(clk.Now().Add(hcsmail.Backoff(0)))
		if sent, failed, err := s.DeliverDue(ctx); err != nil || sent != 3 || failed != 0 {
			t.Fatalf("after the server returned: sent %d, failed %d, %v", sent, failed, err)
		}
		s.DeliverDue(ctx)
		ids := map[string]int{}
		for _, r := range ms.received() {
			ids[r.msg.Header.Get("Message-Id")]++
		}
		if len(ids) != 6 {
			t.Errorf("%d distinct messages received, want 6", len(ids))
		}
		for id, n := range ids {
			if n != 1 {
				t.Errorf("%s arrived %d times", id, n)
			}
		}
		if n := testkit.Count(t, db, "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL"); n != 0 {
			t.Errorf("%d messages are still unsent", n)
		}
	})
}

// TestSendersNeverShareAMessage: several senders (as several hcs
// processes would run) deliver one outbox together, and each message goes
// out once.
func TestSendersNeverShareAMessage(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		u := &auth.User{Name: "Reader", Email: "reader@example.org"}
		if err := db.CreateUser(ctx, auth.System("test"), u, "", []auth.Grant{{Role: auth.RoleApplicant}}); err != nil {
			t.Fatal(err)
		}
		queue(t, db, u, 40)
		ms := startMailServer(t, "")
		db.SetPoolSize(8)
		testkit.Together(4, func(int) {
			if _, _, err := sender(t, db, ms.addr).DeliverDue(ctx); err != nil {
				t.Error(err)
			}
		})
		ids := map[string]int{}
		for _, r := range ms.received() {
			ids[r.msg.Header.Get("Message-Id")]++
		}
		if len(ids) != 40 {
			t.Errorf("%d distinct messages received, want 40", len(ids))
		}
		for id, n := range ids {
			if n != 1 {
				t.Errorf("%s arrived %d times", id, n)
			}
		}
	})
}

// TestSenderSettings: a sender is not made with settings that cannot
// work, or that would send a password in the clear across a network.
func TestSenderSettings(t *testing.T) {
	for _, cfg := range []hcsmail.Config{
		{Addr: "smtp.example.nhs.uk", From: "a@b.uk"},
		{Addr: "smtp.example.nhs.uk:0", From: "a@b.uk"},
		{Addr: "smtp.example.nhs.uk:587", From: "not an address"},
		{Addr: "smtp.example.nhs.uk:587", From: "Name <a@b.uk>"},
		{Addr: "smtp.example.nhs.uk:587", From: "a@b.uk", TLS: "maybe"},
		{Addr: "smtp.example.nhs.uk:25", From: "a@b.uk", TLS: hcsmail.TLSNone, Username: "u", Password: "p"},
	} {
		if _, err := hcsmail.New(cfg, nil, nil); err == nil {
			t.Errorf("a sender was made with %+v", cfg)
		}
	}
	if _, err := hcsmail.New(hcsmail.Config{Addr: "127.0.0.1:25", From: "a@b.uk", TLS: hcsmail.TLSNone, Username: "u", Password: "p"}, nil, nil); err != nil {
		t.Errorf("a relay on this host: %v", err)
	}
	for attempts, want := range map[int]time.Duration{0: 30 * time.Second, 1: time.Minute, 3: 4 * time.Minute, 7: time.Hour, 60: time.Hour} {
		if got := hcsmail.Backoff(attempts); got != want {
			t.Errorf("Backoff(%d) = %s, want %s", attempts, got, want)
		}
	}
}
