package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"hcs/internal/database"
	"hcs/internal/testkit"
)

// buildHCS compiles the hcs binary once per test run.
var buildOnce = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "hcs-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "hcs")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// process is an hcs serve running as its own process.
type process struct {
	cmd    *exec.Cmd
	addr   string
	stdout *output
}

// output is a process's stdout and stderr, which it writes straight to a
// file: what it printed before it answered a request is there when the
// answer arrives. (Through a pipe, a goroutine of the test copies it, and
// on a busy machine the demo's passwords were once still on their way
// when the server was already answering.)
type output struct{ path string }

func newOutput(t *testing.T) (*output, *os.File) {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "hcs-output-")
	if err != nil {
		t.Fatal(err)
	}
	return &output{path: f.Name()}, f
}

func (o *output) Bytes() []byte {
	b, err := os.ReadFile(o.path)
	if err != nil {
		return []byte(err.Error())
	}
	return b
}

func (o *output) String() string { return string(o.Bytes()) }

// syncBuffer is the child's output: exec writes it from its own goroutine
// while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}

func (b *syncBuffer) String() string { return string(b.Bytes()) }

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func startHCS(t *testing.T, dbURL string, extra ...string) *process {
	t.Helper()
	return startHCSAt(t, freeAddr(t), dbURL, extra...)
}

// demoPassword reads a demo account's password from the start-up output.
func (p *process) demoPassword(t *testing.T, email string) string {
	t.Helper()
	sc := bufio.NewScanner(bytes.NewReader(p.stdout.Bytes()))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 3 && f[1] == email {
			return f[2]
		}
	}
	t.Fatalf("no demo password for %s in:\n%s", email, p.stdout)
	return ""
}

// signIn returns the session cookie for an account.
func (p *process) signIn(t *testing.T, email, password string) string {
	t.Helper()
	return signInAt(t, "http://"+p.addr, email, password)
}

// TestCrashLosesNoAcknowledgedWrite: 50 clients create organisations
// through the API while the server is killed with SIGKILL. After a restart
// every organisation whose creation was acknowledged with 201 must exist,
// and the database must pass its integrity check. On SQLite the writes
// commit in groups, and the test checks from the server's debug log that
// some groups held several writes: an acknowledged write in a group is
// durable only if the group's one COMMIT was.
func TestCrashLosesNoAcknowledgedWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash test builds and kills hcs processes")
	}
	for _, tc := range []struct{ name, db string }{
		{"sqlite", filepath.Join(t.TempDir(), "hcs.db")},
		{"postgres", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dbURL := tc.db
			if dbURL == "" {
				dbURL = testkit.PostgresURL(t)
			}
			p := startHCS(t, dbURL, "--demo", "--log-level", "debug")
			cookie := p.signIn(t, "admin@demo.hcs.test", p.demoPassword(t, "admin@demo.hcs.test"))

			var mu sync.Mutex
			var acknowledged []string
			var wg sync.WaitGroup
			client := &http.Client{Timeout: 10 * time.Second}
			for c := range 50 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; ; i++ {
						name := fmt.Sprintf("Crash Trust %02d-%05d", c, i)
						req, _ := http.NewRequest("POST", "http://"+p.addr+"/api/v1/organisations",
							strings.NewReader(fmt.Sprintf(`{"kind":"trust","name":%q,"region":"London"}`, name)))
						req.Header.Set("Content-Type", "application/json")
						req.Header.Set("Cookie", cookie)
						resp, err := client.Do(req)
						if err != nil {
							return // the server has gone
						}
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode == http.StatusCreated {
							mu.Lock()
							acknowledged = append(acknowledged, name)
							mu.Unlock()
						} else if resp.StatusCode >= 500 {
							t.Errorf("create returned %d", resp.StatusCode)
							return
						}
					}
				}()
			}
			time.Sleep(1500 * time.Millisecond)
			if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			p.cmd.Wait()
			wg.Wait()
			mu.Lock()
			defer mu.Unlock()
			if len(acknowledged) < 50 {
				t.Fatalf("only %d writes were acknowledged before the kill; the test proves little", len(acknowledged))
			}

			// Restart on the same database: it must open, migrate and serve.
			startHCS(t, dbURL)
			ctx := context.Background()
			db, err := database.Open(ctx, dbURL)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.CheckIntegrity(ctx); err != nil {
				t.Fatalf("integrity check after SIGKILL: %v", err)
			}
			orgs, err := db.Organisations(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			have := map[string]bool{}
			for _, o := range orgs {
				have[o.Name] = true
			}
			missing := 0
			for _, name := range acknowledged {
				if !have[name] {
					missing++
				}
			}
			if missing > 0 {
				t.Fatalf("%d of %d acknowledged writes are missing after the crash", missing, len(acknowledged))
			}
			t.Logf("%d acknowledged writes, all present after SIGKILL and restart", len(acknowledged))
			if tc.name == "sqlite" {
				groups, largest := groupCommits(t, p.stdout.String())
				if largest < 2 {
					t.Fatalf("no group commit held more than one write (%d commits); the test did not cover group commit", groups)
				}
				t.Logf("%d group commits, the largest of %d writes", groups, largest)
			}
		})
	}
}

// groupCommits reads SQLite's group commits from a debug log: how many
// there were and the most writes one made durable.
func groupCommits(t *testing.T, log string) (groups, largest int) {
	t.Helper()
	for line := range strings.Lines(log) {
		if !strings.Contains(line, `msg="database group commit"`) {
			continue
		}
		_, after, _ := strings.Cut(line, " writes=")
		n, err := strconv.Atoi(strings.TrimSpace(after))
		if err != nil {
			t.Fatalf("group commit log line %q: %v", line, err)
		}
		groups++
		largest = max(largest, n)
	}
	return groups, largest
}

// TestProcessesShareOnePostgres: two hcs processes on one PostgreSQL hold
// nothing that matters only in memory: a session opened through one works
// through the other, and a record written through one is read through the
// other.
func TestProcessesShareOnePostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("starts hcs processes")
	}
	dbURL := testkit.PostgresURL(t)
	a := startHCS(t, dbURL, "--demo")
	b := startHCS(t, dbURL)
	cookie := a.signIn(t, "admin@demo.hcs.test", a.demoPassword(t, "admin@demo.hcs.test"))
	req, _ := http.NewRequest("POST", "http://"+a.addr+"/api/v1/organisations", strings.NewReader(`{"kind":"trust","name":"Shared Trust","region":"Wales"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Cookie", cookie)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("create through A: %v %v", resp, err)
	}
	resp.Body.Close()
	req, _ = http.NewRequest("GET", "http://"+b.addr+"/api/v1/organisations", nil)
	req.Header.Set("Cookie", cookie)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Shared Trust") {
		t.Fatalf("B with A's session: %d %s", resp.StatusCode, body)
	}
	// Signing out through B ends the session for A too.
	req, _ = http.NewRequest("DELETE", "http://"+b.addr+"/api/v1/session", nil)
	req.Header.Set("Cookie", cookie)
	if resp, err = http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("sign out through B: %v %v", resp, err)
	}
	req, _ = http.NewRequest("GET", "http://"+a.addr+"/api/v1/me", nil)
	req.Header.Set("Cookie", cookie)
	if resp, err = http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("A after signing out through B: %v %v, want 401", resp, err)
	}
}
