package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWorkforceImportCommand: a synthetic workforce written by `hcs
// workforce synth` imports with a progress bar, twice to the same end; a
// file with a bad cell is refused, naming its row and column, and saves
// nothing.
func TestWorkforceImportCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "hcs.db")
	if _, _, err := runCLI(t, "workforce", "synth", "--out", dir, "--employers", "8", "--staff", "600", "--today", "2026-12-01"); err != nil {
		t.Fatal(err)
	}
	staff := filepath.Join(dir, "staff.csv")
	body, err := os.ReadFile(staff)
	if err != nil {
		t.Fatal(err)
	}
	rows := strings.Count(string(body), "\n") - 1
	bad := filepath.Join(dir, "bad.csv")
	lines := strings.SplitAfter(string(body), "\n")
	lines[3] = strings.Replace(lines[3], ",06,", ",99,", 1)
	if err := os.WriteFile(bad, []byte(strings.Join(lines, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	_, stderr, err := runCLI(t, "workforce", "import", "--db", db, "--employers", filepath.Join(dir, "employers.csv"), "--progress", "always", bad)
	if err == nil || !strings.Contains(stderr, `bad.csv: row 4, column "Staff Group": "99" is not a staff group`) || !strings.Contains(err.Error(), "nothing was saved") {
		t.Fatalf("bad file: %v\n%s", err, stderr)
	}
	for i, want := range []string{rows2(rows, rows, 0), rows2(rows, 0, rows)} {
		out, stderr, err := runCLI(t, "workforce", "import", "--db", db, "--progress", "always", staff)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, want) {
			t.Errorf("import %d says %q, want %q", i+1, out, want)
		}
		if !strings.Contains(stderr, "reading  [") || !strings.Contains(stderr, "100%") || i == 0 && !strings.Contains(stderr, "saving   [##############################] 100%") {
			t.Errorf("import %d showed no progress bar: %q", i+1, stderr)
		}
	}
	// Not on a terminal (a pipe or a log), no bar.
	_, stderr, _ = runCLI(t, "workforce", "import", "--db", db, staff)
	if strings.Contains(stderr, "[") {
		t.Errorf("a progress bar went to a file: %q", stderr)
	}
}

func rows2(rows, added, unchanged int) string {
	return fmt.Sprintf("staff.csv: %d rows, %d new, 0 changed, %d unchanged", rows, added, unchanged)
}
