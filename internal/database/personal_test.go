package database_test

import (
	"context"
	"strings"
	"testing"

	"hcs/internal/database"
	"hcs/internal/privacy"
	"hcs/internal/testkit"
)

// catalogueColumns lists every table and column from the database's own
// catalogue.
func catalogueColumns(t *testing.T, db *database.DB) map[string][]string {
	t.Helper()
	tables, err := db.Tables(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, tb := range tables {
		out[tb.Name] = tb.ColumnNames()
	}
	return out
}

// TestRegisterCoversTheCatalogue: every table the migrations create, on
// both databases, is registered as holding personal data, with each of its
// columns classified, or declared free of it with a reason. A table added
// without either fails here.
func TestRegisterCoversTheCatalogue(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		for _, p := range db.Register().Check(catalogueColumns(t, db)) {
			t.Error(p)
		}
	})
}

// TestRegisterCheckFindsGaps: the check fails for a table nobody
// registered, a column left out, and a registration that keeps what it
// calls personal.
func TestRegisterCheckFindsGaps(t *testing.T) {
	db := testkit.SQLiteDB(t)
	cat := catalogueColumns(t, db)
	cat["trainee_notes"] = []string{"id", "trainee_id", "note"}
	cat["applications"] = append(cat["applications"], "disability")
	reg := db.Register()
	reg.Personal = append(reg.Personal, privacy.Table{Name: "grants", As: "odd", About: "user_id = $1", Describe: "x", Erase: privacy.Keep,
		Columns: []privacy.Column{{Name: "id"}, {Name: "user_id"}, {Name: "role", Treat: privacy.Content}, {Name: "organisation_id"},
			{Name: "department_id"}, {Name: "round_id"}, {Name: "created_at"}}})
	problems := strings.Join(reg.Check(cat), "\n")
	for _, want := range []string{"table trainee_notes is neither registered", "column applications.disability is not classified",
		"grants (as odd) keeps its rows on erasure, but column role is content"} {
		if !strings.Contains(problems, want) {
			t.Errorf("the check does not report %q; it says:\n%s", want, problems)
		}
	}
}
