package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/testkit"
)

// A rolling restart of three servers behind HAProxy drops nothing: with a
// plain SIGTERM to each in turn under mixed reads and writes, no request
// fails and every acknowledged write is in the database. HAProxy checks
// /readyz and is set to never retry or redispatch, so that it cannot hide
// a dropped request.
func TestRollingRestartBehindHAProxy(t *testing.T) {
	rollingRestart(t, testkit.PostgresURL(t))
}

// The same with PgBouncer, in transaction pooling mode, between the
// servers and PostgreSQL.
func TestRollingRestartThroughPgBouncer(t *testing.T) {
	rollingRestart(t, pgbouncer(t, testkit.PostgresURL(t)))
}

func rollingRestart(t *testing.T, dbURL string) {
	if testing.Short() {
		t.Skip("starts a fleet of processes")
	}
	testkit.ManyConnections(t) // three servers' pools, and a fourth while one restarts
	haproxy, err := exec.LookPath("haproxy")
	if err != nil {
		testkit.RequireOrSkip(t, "haproxy is not installed (apt-get install haproxy)")
	}
	// Detection takes three checks, about 300 ms on an idle machine; on
	// one shared with the rest of the suite a check can take far longer,
	// so the drain leaves a wide margin, as --drain should in production.
	const drain = 2 * time.Second
	flags := []string{"--drain", drain.String(), "--shutdown-timeout", "5s", "--trusted-proxies", "127.0.0.1"}
	servers := make([]*process, 3)
	everyServer := make([]*process, 0, 6)
	var wg sync.WaitGroup
	for i := range servers {
		wg.Go(func() { servers[i] = startHCS(t, dbURL, append([]string{"--demo"}, flags...)...) })
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	everyServer = append(everyServer, servers...)
	front := freeAddr(t)
	socket, balancerLog := startHAProxy(t, haproxy, front, servers)
	base := "http://" + front
	var password string
	for _, p := range servers {
		if a := printedAccounts(p.stdout.Bytes()); a["admin@demo.hcs.test"] != "" {
			password = a["admin@demo.hcs.test"]
		}
	}
	cookie := signInAt(t, base, "admin@demo.hcs.test", password)

	var (
		stop               atomic.Bool
		sent, failed       atomic.Int64
		mu                 sync.Mutex
		acknowledged       []string
		failures           []string
		clientsDone        sync.WaitGroup
		transport          = &http.Transport{MaxIdleConnsPerHost: 32}
		client             = &http.Client{Transport: transport, Timeout: 10 * time.Second}
		reads              = []string{"/api/v1/me", "/api/v1/search?q=heart", "/specialisms/audiology", "/api/v1/organisations"}
		recordFailure      = func(what string) { failed.Add(1); mu.Lock(); failures = append(failures, what); mu.Unlock() }
		writesAcknowledged = func(name string) { mu.Lock(); acknowledged = append(acknowledged, name); mu.Unlock() }
	)
	for c := range 12 {
		clientsDone.Go(func() {
			for i := 0; !stop.Load(); i++ {
				var req *http.Request
				name := ""
				if i%4 == 0 {
					name = fmt.Sprintf("Fleet Trust %02d-%05d", c, i)
					req, _ = http.NewRequest("POST", base+"/api/v1/organisations", strings.NewReader(fmt.Sprintf(`{"kind":"trust","name":%q,"region":"London"}`, name)))
					req.Header.Set("Content-Type", "application/json")
				} else {
					req, _ = http.NewRequest("GET", base+reads[(c+i)%len(reads)], nil)
				}
				req.Header.Set("Cookie", cookie)
				sent.Add(1)
				resp, err := client.Do(req)
				if err != nil {
					recordFailure(fmt.Sprintf("%s %s: %v", req.Method, req.URL.Path, err))
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				switch {
				case name != "" && resp.StatusCode == http.StatusCreated:
					writesAcknowledged(name)
				case resp.StatusCode >= 300:
					recordFailure(fmt.Sprintf("%s %s: %d", req.Method, req.URL.Path, resp.StatusCode))
				}
			}
		})
	}

	time.Sleep(500 * time.Millisecond)
	for i, p := range servers {
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if err := p.cmd.Wait(); err != nil {
			t.Errorf("server %d exited with %v after SIGTERM\n%s", i, err, p.stdout)
		}
		servers[i] = startHCSAt(t, p.addr, dbURL, flags...)
		everyServer = append(everyServer, servers[i])
		waitInService(t, socket, i)
	}
	time.Sleep(300 * time.Millisecond)
	stop.Store(true)
	clientsDone.Wait()

	t.Logf("%d requests, %d writes acknowledged, %d failed", sent.Load(), len(acknowledged), failed.Load())
	if failed.Load() != 0 {
		t.Errorf("%d of %d requests failed during the rolling restart; the first: %v", failed.Load(), sent.Load(), failures[:min(5, len(failures))])
		for _, p := range everyServer {
			t.Logf("server on %s (pid %d) wrote:\n%s", p.addr, p.cmd.Process.Pid, p.stdout)
		}
		t.Logf("HAProxy's health checks and failed requests:\n%s", balancerTrouble(balancerLog.String()))
	}
	if len(acknowledged) < 20 {
		t.Errorf("only %d writes were acknowledged: the load did not run", len(acknowledged))
	}
	// A write retried on another server with the same Idempotency-Key is
	// made once, and both answers are the same.
	var answers []string
	for _, p := range servers[:2] {
		req, _ := http.NewRequest("POST", "http://"+p.addr+"/api/v1/organisations", strings.NewReader(`{"kind":"trust","name":"Retried Trust","region":"Wales"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Cookie", cookie)
		req.Header.Set("Idempotency-Key", "fleet-retry-1")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Errorf("the write with an Idempotency-Key through %s: %d %s", p.addr, resp.StatusCode, b)
		}
		answers = append(answers, string(b))
	}
	if answers[0] != answers[1] {
		t.Errorf("two servers gave two answers to one key:\n%s\n%s", answers[0], answers[1])
	}
	db, err := database.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n := testkit.Count(t, db, "SELECT COUNT(*) FROM organisations WHERE name = $1", "Retried Trust"); n != 1 {
		t.Errorf("the retried write was made %d times", n)
	}
	for _, name := range acknowledged {
		if testkit.Count(t, db, "SELECT COUNT(*) FROM organisations WHERE name = $1", name) != 1 {
			t.Errorf("acknowledged write %q is not in the database", name)
		}
	}
}

// startHAProxy runs HAProxy in front of the servers: health checks on
// /readyz every 100 ms (each allowed 2 s to answer), out of service after
// three failures in a row — as a balancer is set up in production, so
// that one slow check on a busy machine does not take a working server
// out; the servers drain for 2 s, longer than that detection — and no
// retry or redispatch of any request. It logs each request and each
// change of a server's state to the returned buffer.
func startHAProxy(t *testing.T, bin, front string, servers []*process) (socket string, log *syncBuffer) {
	t.Helper()
	var backends strings.Builder
	for i, p := range servers {
		fmt.Fprintf(&backends, "    server s%d %s check inter 100ms fall 3 rise 2\n", i, p.addr)
	}
	dir := t.TempDir()
	stats := filepath.Join(dir, "admin.sock")
	cfg := fmt.Sprintf(`global
    maxconn 2000
    stats socket %s level admin
    log stdout format raw local0 info
defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    timeout check 2s
    retries 0
    option forwardfor
frontend hcs
    bind %s
    default_backend servers
backend servers
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
%s`, stats, front, backends.String())
	path := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-f", path, "-db")
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for start := time.Now(); ; time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get("http://" + front + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Since(start) > 10*time.Second {
			t.Fatalf("haproxy did not start:\n%s", out)
		}
	}
	// Every server in service before the load starts.
	for i := range servers {
		waitInService(t, stats, i)
	}
	return stats, out
}

// serverError matches an HTTP log line's status and byte count when the
// status is 5xx.
var serverError = regexp.MustCompile(` 5\d\d \d+ `)

// balancerTrouble keeps the lines of HAProxy's log that explain a failed
// request: changes of a server's state, and requests answered with 5xx
// (the log's termination state says whether HAProxy or a server gave it).
func balancerTrouble(log string) string {
	var b strings.Builder
	for line := range strings.SplitSeq(log, "\n") {
		if strings.Contains(line, "is DOWN") || strings.Contains(line, "is UP") || serverError.MatchString(line) {
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// waitInService waits until HAProxy's health checks have server i back in
// service, reading its state from the admin socket.
func waitInService(t *testing.T, socket string, i int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if serverState(t, socket, fmt.Sprintf("s%d", i)) == "UP" {
			return
		}
	}
	t.Fatalf("server %d did not come back into service", i)
}

// serverState asks HAProxy's admin socket for a server's status (UP,
// DOWN, ...).
func serverState(t *testing.T, socket, server string) string {
	t.Helper()
	conn, err := net.Dial("unix", socket)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprint(conn, "show stat\n")
	out, _ := io.ReadAll(conn)
	for line := range strings.SplitSeq(string(out), "\n") {
		f := strings.Split(line, ",")
		// # pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,...
		if len(f) > 17 && f[0] == "servers" && f[1] == server {
			return f[17]
		}
	}
	return ""
}

// startHCSAt starts hcs serve on an address (the same address again for
// a server restarted in place) and waits until it answers.
func startHCSAt(t *testing.T, addr, dbURL string, extra ...string) *process {
	t.Helper()
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	out, f := newOutput(t)
	defer f.Close()
	p := &process{addr: addr, stdout: out}
	p.cmd = exec.Command(bin, append([]string{"serve", "--addr", addr, "--db", dbURL, "--log-level", "warn"}, extra...)...)
	p.cmd.Stdout, p.cmd.Stderr = f, f
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.cmd.Process.Kill(); p.cmd.Wait() })
	for start := time.Now(); time.Since(start) < 20*time.Second; time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			return p
		}
	}
	t.Fatalf("hcs did not start on %s:\n%s", addr, p.stdout)
	return nil
}

// signInAt signs in through an address and returns the session cookie.
func signInAt(t *testing.T, base, email, password string) string {
	t.Helper()
	body := fmt.Sprintf(`{"email":%q,"password":%q}`, email, password)
	resp, err := http.Post(base+"/api/v1/session", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == "hcs_session" {
			return c.Name + "=" + c.Value
		}
	}
	b, _ := io.ReadAll(resp.Body)
	t.Fatalf("sign in as %s: %d %s", email, resp.StatusCode, b)
	return ""
}

// pgbouncer runs PgBouncer in transaction pooling mode in front of the
// database dbURL names, and returns the URL to reach it through the pooler.
func pgbouncer(t *testing.T, dbURL string) string {
	t.Helper()
	bin, err := exec.LookPath("pgbouncer")
	if err != nil {
		testkit.RequireOrSkip(t, "pgbouncer is not installed (apt-get install pgbouncer)")
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	listen := freeAddr(t)
	host, port, _ := strings.Cut(listen, ":")
	dbHost, dbPort, _ := strings.Cut(u.Host, ":")
	if dbPort == "" {
		dbPort = "5432"
	}
	user := u.User.Username()
	dir := t.TempDir()
	password, _ := u.User.Password()
	if err := os.WriteFile(filepath.Join(dir, "users.txt"), fmt.Appendf(nil, "%q %q\n", user, password), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`[databases]
%s = host=%s port=%s dbname=%s user=%s
[pgbouncer]
listen_addr = %s
listen_port = %s
unix_socket_dir =
auth_type = trust
auth_file = %s
pool_mode = transaction
default_pool_size = 20
max_client_conn = 500
ignore_startup_parameters = extra_float_digits,statement_timeout
`, name, dbHost, dbPort, name, user, host, port, filepath.Join(dir, "users.txt"))
	path := filepath.Join(dir, "pgbouncer.ini")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, path)
	if os.Geteuid() == 0 {
		cmd.Args = append(cmd.Args, "--user=postgres") // it refuses to run as root
		os.Chmod(dir, 0o755)
		for _, f := range []string{path, filepath.Join(dir, "users.txt")} {
			os.Chmod(f, 0o644)
		}
	}
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	// Through the pooler, statements must not be prepared on a server
	// connection that another client's transaction may get next.
	pooled := fmt.Sprintf("postgres://%s@%s/%s?sslmode=disable&default_query_exec_mode=exec", u.User.String(), listen, name)
	for start := time.Now(); ; time.Sleep(50 * time.Millisecond) {
		db, err := database.Open(context.Background(), pooled)
		if err == nil {
			db.Close()
			return pooled
		}
		if time.Since(start) > 10*time.Second {
			t.Fatalf("pgbouncer did not start: %v\n%s", err, out)
		}
	}
}

// Behind PgBouncer in transaction mode a listening connection hears
// nothing (its LISTEN stays on a server connection it no longer has), so
// no process may keep signed-in people: a sign-out through one server is
// honoured at once by another, not when a kept entry runs out.
func TestSignOutSeenAcrossPgBouncer(t *testing.T) {
	pooled := pgbouncer(t, testkit.PostgresURL(t))
	ctx := context.Background()
	var dbs [2]*database.DB
	for i := range dbs {
		db, err := database.Open(ctx, pooled)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		dbs[i] = db
	}
	a, b := dbs[0], dbs[1]
	u := &auth.User{Name: "Pooled", Email: "pooled@example.org"}
	if err := a.CreateUser(ctx, auth.System("test"), u, "", []auth.Grant{{Role: auth.RoleSchoolAdmin}}); err != nil {
		t.Fatal(err)
	}
	if err := a.CreateSession(ctx, auth.System("test"), u.ID, "pooled-session", time.Hour); err != nil {
		t.Fatal(err)
	}
	// Long enough for a listener and its pings to settle, if they could.
	for start := time.Now(); time.Since(start) < time.Second; time.Sleep(20 * time.Millisecond) {
		if _, err := a.SessionPrincipal(ctx, "pooled-session"); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.DeleteSession(ctx, auth.System("test"), "pooled-session"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SessionPrincipal(ctx, "pooled-session"); apperr.Code(err) != apperr.NotFound {
		t.Fatalf("a session signed out through another server still signs in: %v", err)
	}
}
