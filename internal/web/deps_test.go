package web_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestWebDoesNotDependOnTheDatabase: the web package decodes, calls the
// services and renders; storage is behind the services' interfaces, so
// neither it nor anything it imports may reach the database package.
func TestWebDoesNotDependOnTheDatabase(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "hcs/internal/web").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list found only %v", deps)
	}
	for _, d := range deps {
		if d == "hcs/internal/database" || strings.HasPrefix(d, "github.com/jackc/pgx") || strings.HasPrefix(d, "modernc.org/sqlite") {
			t.Errorf("internal/web depends on %s", d)
		}
	}
}
