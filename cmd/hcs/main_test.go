package main

import (
	"bytes"
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
		Specialisms []struct {
			ID string `json:"id"`
		} `json:"specialisms"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || doc.Version == "" || len(doc.Specialisms) < 40 {
		t.Fatalf("json export: %v, version %q, %d specialisms", err, doc.Version, len(doc.Specialisms))
	}
	for _, table := range []string{"specialisms", "divisions", "role-groups", "levels", "programmes", "renamed"} {
		out, _, err := runCLI(t, "framework", "export", "--format", "csv", "--table", table)
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil || len(rows) < 2 || rows[0][0] != "id" {
			t.Fatalf("%s: %v, %d rows", table, err, len(rows))
		}
	}
	if _, _, err := runCLI(t, "framework", "export", "--format", "xml"); err == nil || exitCode(err) != 2 {
		t.Errorf("unknown format: %v", err)
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
	var resp *http.Response
	for range 200 {
		if resp, err = http.Get("http://" + addr + "/healthz"); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("hcs serve never answered /healthz: %v", err)
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
