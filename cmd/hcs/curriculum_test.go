package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCurriculumValidate(t *testing.T) {
	out, _, err := runCLI(t, "curriculum", "validate")
	if err != nil || !strings.Contains(out, "Curricula are valid: 3 curricula") {
		t.Fatalf("validate embedded curricula: %v\n%s", err, out)
	}

	// A copy with a rule naming a module that does not exist fails,
	// naming the file and the review.
	dir := t.TempDir()
	src := filepath.Join("..", "..", "data", "curricula")
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if e.Name() == "stp-2023.yaml" {
			b = []byte(strings.Replace(string(b), "{module: S-C2, percent: 100}", "{module: S-C9, percent: 100}", 1))
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, errOut, err := runCLI(t, "curriculum", "validate", "--dir", dir)
	if err == nil || !strings.Contains(errOut, `stp-2023.yaml: review 3 (end-of-year-2): rule: module "S-C9" is not in this curriculum`) {
		t.Fatalf("a broken rule: err %v, stderr:\n%s", err, errOut)
	}
}

func TestCurriculumExport(t *testing.T) {
	out, _, err := runCLI(t, "curriculum", "export", "--id", "stp-2023")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Curricula []struct {
			ID      string `json:"id"`
			Modules []struct {
				Code, Status string
			} `json:"modules"`
			Reviews []struct {
				ID string `json:"id"`
			} `json:"reviews"`
		} `json:"curricula"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Curricula) != 1 || doc.Curricula[0].ID != "stp-2023" ||
		len(doc.Curricula[0].Modules) != 7 || len(doc.Curricula[0].Reviews) != 3 {
		t.Fatalf("export: %v\n%.400s", err, out)
	}
	if _, _, err := runCLI(t, "curriculum", "export", "--id", "nope"); err == nil || !strings.Contains(err.Error(), `"nope": no such curriculum`) {
		t.Errorf("an unknown id gave %v", err)
	}
}
