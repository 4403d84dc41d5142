package main

import (
	"bufio"
	"bytes"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"hcs/internal/testkit"
)

// Three processes started at once with --demo on one database: all three
// run, exactly one sets up the demo and prints its passwords, and every
// printed account signs in through each of the three. A restart changes
// no password and signs nobody out.
func TestDemoOnSeveralProcessesAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts hcs processes")
	}
	for _, tc := range []struct{ name, db string }{
		{"sqlite", filepath.Join(t.TempDir(), "hcs.db")},
		{"postgres", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dbURL := tc.db
			if dbURL == "" {
				testkit.ManyConnections(t)
				dbURL = testkit.PostgresURL(t)
			}
			procs := make([]*process, 3)
			var wg sync.WaitGroup
			for i := range procs {
				wg.Go(func() { procs[i] = startHCS(t, dbURL, "--demo") })
			}
			wg.Wait()
			if t.Failed() {
				return
			}
			var seeder *process
			for _, p := range procs {
				if strings.Contains(p.stdout.String(), "These passwords stay") && !strings.Contains(p.stdout.String(), "as set up earlier") {
					if seeder != nil {
						t.Fatalf("two processes set up the demo:\n%s\n---\n%s", seeder.stdout, p.stdout)
					}
					seeder = p
				}
			}
			if seeder == nil {
				t.Fatalf("no process set up the demo:\n%s\n---\n%s\n---\n%s", procs[0].stdout, procs[1].stdout, procs[2].stdout)
			}
			accounts := printedAccounts(seeder.stdout.Bytes())
			if len(accounts) != 9 { // one per role
				t.Fatalf("%d accounts printed:\n%s", len(accounts), seeder.stdout)
			}
			for email, password := range accounts {
				for _, p := range procs {
					p.signIn(t, email, password)
				}
			}

			// A restart: the session survives and the passwords stand.
			cookie := procs[0].signIn(t, "admin@demo.hcs.test", accounts["admin@demo.hcs.test"])
			procs[1].cmd.Process.Kill()
			procs[1].cmd.Wait()
			again := startHCS(t, dbURL, "--demo")
			if got := printedAccounts(again.stdout.Bytes()); len(got) > 0 && got["admin@demo.hcs.test"] != accounts["admin@demo.hcs.test"] {
				t.Errorf("a restart printed a different password")
			}
			if code := get(t, again, "/api/v1/me", cookie); code != 200 {
				t.Errorf("after a restart the session gets %d", code)
			}
			again.signIn(t, "reviewer@demo.hcs.test", accounts["reviewer@demo.hcs.test"])
		})
	}
}

// printedAccounts reads the email and password columns of a demo
// accounts table.
func printedAccounts(out []byte) map[string]string {
	accounts := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 3 && strings.HasSuffix(f[1], "@demo.hcs.test") {
			accounts[f[1]] = f[2]
		}
	}
	return accounts
}

// get sends a GET with a session cookie and returns the status.
func get(t *testing.T, p *process, path, cookie string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", "http://"+p.addr+path, nil)
	req.Header.Set("Cookie", cookie)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
