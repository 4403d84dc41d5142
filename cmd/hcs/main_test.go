package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func runCLI(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	err = run(context.Background(), args, &out, &errb)
	return out.String(), errb.String(), err
}

// The search output is a contract other tools rely on.
func TestSearchJSONContract(t *testing.T) {
	out, _, err := runCLI(t, "search", "hearing test", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Results []map[string]any `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(got.Results) == 0 {
		t.Fatal("no results")
	}
	first := got.Results[0]
	for _, key := range []string{"type", "id", "name", "url"} {
		if _, ok := first[key]; !ok {
			t.Errorf("result lacks %q: %v", key, first)
		}
	}
	if first["id"] != "audiology" || first["type"] != "specialism" || first["url"] != "/specialisms/audiology" {
		t.Errorf("first result %v, want audiology", first)
	}
}

func TestFrameworkValidate(t *testing.T) {
	out, _, err := runCLI(t, "framework", "validate")
	if err != nil || !strings.Contains(out, "is valid") {
		t.Fatalf("validate embedded data: %v\n%s", err, out)
	}

	// A copy of the data with a broken reference fails, naming file and entry.
	dir := t.TempDir()
	src := filepath.Join("..", "..", "data", "framework")
	err = filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if rel == "role-groups.yaml" {
			b = bytes.Replace(b, []byte("division: life-sciences"), []byte("division: astrology"), 1)
		}
		os.MkdirAll(filepath.Dir(filepath.Join(dir, rel)), 0o755)
		return os.WriteFile(filepath.Join(dir, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	_, stderr, err := runCLI(t, "framework", "validate", "--data", dir)
	if err == nil {
		t.Fatal("validate accepted a broken reference")
	}
	if !strings.Contains(stderr, "role-groups.yaml:") || !strings.Contains(stderr, `role group "microbiology"`) || !strings.Contains(stderr, `"astrology"`) {
		t.Errorf("message does not name the file, entry and value:\n%s", stderr)
	}
}

func TestFrameworkExport(t *testing.T) {
	out, _, err := runCLI(t, "framework", "export", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Version     string `json:"version"`
		Licence     struct{ ID, URL string }
		Specialisms []struct {
			ID string `json:"id"`
		} `json:"specialisms"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || doc.Version == "" || len(doc.Specialisms) < 40 {
		t.Fatalf("json export: %v, version %q, %d specialisms", err, doc.Version, len(doc.Specialisms))
	}
	if doc.Licence.ID != "OGL-UK-3.0" || !strings.Contains(doc.Licence.URL, "open-government-licence/version/3") {
		t.Errorf("json export licence %+v, want the Open Government Licence v3.0", doc.Licence)
	}
	first := map[string]string{"pay": "year"}
	for _, table := range []string{"specialisms", "divisions", "role-groups", "levels", "programmes", "renamed", "sources", "pay"} {
		out, _, err := runCLI(t, "framework", "export", "--format", "csv", "--table", table)
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		want := cmp.Or(first[table], "id")
		if err != nil || len(rows) < 2 || rows[0][0] != want {
			t.Fatalf("%s: %v, %d rows", table, err, len(rows))
		}
		for i, row := range rows {
			if last := row[len(row)-1]; (i == 0 && last != "licence") || (i > 0 && last != "OGL-UK-3.0") {
				t.Fatalf("%s row %d ends %q, not the licence", table, i, last)
			}
		}
	}
	if _, _, err := runCLI(t, "framework", "export", "--format", "xml"); err == nil || exitCode(err) != 2 {
		t.Errorf("unknown format: %v", err)
	}
	// --table belongs to CSV; JSON refuses it rather than ignoring it.
	if _, _, err := runCLI(t, "framework", "export", "--format", "json", "--table", "pay"); err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), "--table applies to --format csv") {
		t.Errorf("json with --table: %v", err)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"frobnicate"}, {"search"}, {"framework"}, {"framework", "frob"}} {
		if _, _, err := runCLI(t, args...); err == nil || exitCode(err) != 2 {
			t.Errorf("hcs %v: %v, want a usage error", args, err)
		}
	}
}

func TestServeAnswersHealthzAndStops(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		var out, errb bytes.Buffer
		done <- run(ctx, []string{"serve", "--addr", addr, "--db", filepath.Join(t.TempDir(), "hcs.db")}, &out, &errb)
	}()
	// Wait for the server to answer, or to stop with an error: start-up
	// under the race detector on a busy machine can take seconds, and how
	// long is not what this test is about (docs/BENCHMARKS.md measures it).
	var resp *http.Response
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if resp, err = http.Get("http://" + addr + "/healthz"); err == nil {
			break
		}
		select {
		case runErr := <-done:
			t.Fatalf("hcs serve stopped before answering: %v", runErr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("hcs serve never answered /healthz in a minute: %v", err)
		}
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"status":"ok"`) {
		t.Fatalf("/healthz: %d %s", resp.StatusCode, body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v on shutdown", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
}

func TestUserBackupRestoreCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "hcs.db")
	out, _, err := runCLI(t, "user", "create", "--db", db, "--email", "Ops@Example.org", "--name", "Ops Person", "--role", "system-admin")
	if err != nil || !strings.Contains(out, "/password-reset/") {
		t.Fatalf("user create: %v\n%s", err, out)
	}
	if _, _, err := runCLI(t, "user", "create", "--db", db, "--email", "ops@example.org", "--name", "Again"); err == nil {
		t.Error("a second account with the same email was created")
	}
	if out, _, err := runCLI(t, "user", "grant", "--db", db, "--email", "ops@example.org", "--role", "workforce-planner"); err != nil || !strings.Contains(out, "granted") {
		t.Fatalf("grant: %v %s", err, out)
	}
	if _, _, err := runCLI(t, "user", "grant", "--db", db, "--email", "ops@example.org", "--role", "emperor"); err == nil || !strings.Contains(err.Error(), `"emperor" is not a role`) {
		t.Errorf("unknown role: %v", err)
	}
	if out, _, err := runCLI(t, "user", "revoke", "--db", db, "--email", "ops@example.org", "--role", "workforce-planner"); err != nil || !strings.Contains(out, "revoked") {
		t.Fatalf("revoke: %v %s", err, out)
	}
	out, _, err = runCLI(t, "user", "list", "--db", db)
	if err != nil || !strings.Contains(out, "ops@example.org") || !strings.Contains(out, "system-admin") || strings.Contains(out, "workforce-planner") {
		t.Fatalf("list: %v\n%s", err, out)
	}

	backup := filepath.Join(dir, "backup.jsonl")
	if out, _, err := runCLI(t, "backup", backup, "--db", db); err != nil || !strings.Contains(out, "backed up") {
		t.Fatalf("backup: %v %s", err, out)
	}
	copyDB := filepath.Join(dir, "copy.db")
	if out, _, err := runCLI(t, "restore", backup, "--db", copyDB); err != nil || !strings.Contains(out, "restored") {
		t.Fatalf("restore: %v %s", err, out)
	}
	again := filepath.Join(dir, "again.jsonl")
	runCLI(t, "backup", again, "--db", copyDB)
	a, _ := os.ReadFile(backup)
	b, _ := os.ReadFile(again)
	_, aBody, _ := strings.Cut(string(a), "\n")
	_, bBody, _ := strings.Cut(string(b), "\n")
	if aBody != bBody {
		t.Error("the restored database's backup differs from the original")
	}
	if _, _, err := runCLI(t, "restore", backup, "--db", copyDB); err == nil || !strings.Contains(err.Error(), "empty database") {
		t.Errorf("restoring over data: %v", err)
	}
	if out, _, err := runCLI(t, "migrate", "--db", db); err != nil || !strings.Contains(out, "schema version") {
		t.Errorf("migrate: %v %s", err, out)
	}
}

func TestMatchCommand(t *testing.T) {
	dir := t.TempDir()
	sample := filepath.Join("..", "..", "internal", "recruit", "testdata", "match")
	out := filepath.Join(dir, "matches.csv")
	report := filepath.Join(dir, "report.json")
	_, stderr, err := runCLI(t, "match", "--posts", filepath.Join(sample, "posts.csv"), "--applicants", filepath.Join(sample, "applicants.csv"),
		"--rankings", filepath.Join(sample, "rankings.csv"), "--out", out, "--report", report)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	got, _ := os.ReadFile(out)
	if string(got) != "applicant_id,post_id\n1,P1\n2,\n3,P3\n4,P2\n5,\n" {
		t.Errorf("matches.csv:\n%s", got)
	}
	if !strings.Contains(stderr, "matched 3, unmatched 2, unfilled places 1, blocking pairs 0") {
		t.Errorf("summary: %s", stderr)
	}
	var rep struct {
		Matched      int `json:"matched"`
		Verification struct {
			BlockingPairs int `json:"blocking_pairs"`
		} `json:"verification"`
	}
	b, _ := os.ReadFile(report)
	if err := json.Unmarshal(b, &rep); err != nil || rep.Matched != 3 {
		t.Errorf("report %s: %v", b, err)
	}

	// Bad input: an error naming file, line and value, and nothing written.
	bad := filepath.Join(dir, "applicants.csv")
	os.WriteFile(bad, []byte("applicant_id,rank,post_id\n1,1,P1\n1,x,P2\n"), 0o644)
	out2 := filepath.Join(dir, "never.csv")
	_, _, err = runCLI(t, "match", "--posts", filepath.Join(sample, "posts.csv"), "--applicants", bad,
		"--rankings", filepath.Join(sample, "rankings.csv"), "--out", out2)
	if err == nil || !strings.Contains(err.Error(), "applicants.csv line 3") || !strings.Contains(err.Error(), `rank "x"`) {
		t.Fatalf("bad rank: %v", err)
	}
	if _, err := os.Stat(out2); !os.IsNotExist(err) {
		t.Error("matches.csv was written despite bad input")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".matches-") {
			t.Errorf("a temporary file was left behind: %s", e.Name())
		}
	}
	// An empty file cannot be mapped into memory: it is read, and refused.
	empty := filepath.Join(dir, "empty.csv")
	os.WriteFile(empty, nil, 0o644)
	_, _, err = runCLI(t, "match", "--posts", filepath.Join(sample, "posts.csv"), "--applicants", filepath.Join(sample, "applicants.csv"),
		"--rankings", empty, "--out", out2)
	if err == nil || !strings.Contains(err.Error(), "empty.csv line 1: the file is empty") {
		t.Fatalf("empty rankings: %v", err)
	}
	if _, _, err := runCLI(t, "match", "--posts", "x"); err == nil || exitCode(err) != 2 {
		t.Errorf("missing flags: %v", err)
	}
}
