package database_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/testkit"
)

func TestMigrate(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		v, err := db.SchemaVersion(ctx)
		if err != nil || v != db.LatestVersion() || v == 0 {
			t.Fatalf("schema version %d (%v), want %d", v, err, db.LatestVersion())
		}
		// Migrating again changes nothing.
		if n, err := db.Migrate(ctx); err != nil || n != 0 {
			t.Fatalf("second migrate applied %d (%v)", n, err)
		}
		if err := db.CheckIntegrity(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

func insertOrg(t *testing.T, db *database.DB, name string) (int64, error) {
	t.Helper()
	var id int64
	err := db.Write(context.Background(), func(tx *database.Tx) error {
		var err error
		id, err = tx.Insert(context.Background(), "INSERT INTO organisations (kind, name, region, created_at) VALUES ('trust', $1, 'London', $2)", name, tx.Now)
		return err
	})
	return id, err
}

func TestErrorsBecomeApplicationCodes(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		if _, err := insertOrg(t, db, "Trust A"); err != nil {
			t.Fatal(err)
		}
		_, err := insertOrg(t, db, "Trust A")
		if apperr.Code(err) != apperr.Conflict {
			t.Errorf("duplicate name: %v, want conflict", err)
		}
		err = db.Write(ctx, func(tx *database.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO departments (organisation_id, name, created_at) VALUES (9999, 'x', $1)", tx.Now)
			return err
		})
		if apperr.Code(err) != apperr.Invalid {
			t.Errorf("missing organisation: %v, want invalid", err)
		}
		err = db.Write(ctx, func(tx *database.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO organisations (kind, name, region, created_at) VALUES ('pub', 'x', 'y', $1)", tx.Now)
			return err
		})
		if apperr.Code(err) != apperr.Invalid {
			t.Errorf("bad kind: %v, want invalid", err)
		}
		err = db.Read(ctx, func(tx *database.Tx) error {
			var n int
			return tx.QueryRow(ctx, "SELECT id FROM organisations WHERE name = 'nobody'").Scan(&n)
		})
		if apperr.Code(err) != apperr.NotFound {
			t.Errorf("no rows: %v, want not_found", err)
		}
	})
}

func TestAuditLogIsAppendOnly(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		err := db.Write(ctx, func(tx *database.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO audit_log (at, action, record_type, record_id, address) VALUES ($1, 'test', 'thing', '1', '127.0.0.1')", tx.Now)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, stmt := range []string{"UPDATE audit_log SET action = 'changed'", "DELETE FROM audit_log"} {
			err := db.Write(ctx, func(tx *database.Tx) error { _, err := tx.Exec(ctx, stmt); return err })
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: %v, want it refused", stmt, err)
			}
		}
	})
}

// TestBackupWhileWritingRestoresEqual takes a backup while writers are
// busy, restores it into an empty database, and checks that a backup of the
// restored copy is identical, on both databases and across them.
func TestBackupWhileWritingRestoresEqual(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		for i := range 50 {
			if _, err := insertOrg(t, db, fmt.Sprintf("Before %d", i)); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					insertOrg(t, db, fmt.Sprintf("During %d-%d", w, i))
				}
			}()
		}
		var original bytes.Buffer
		err := db.Backup(ctx, &original)
		close(stop)
		wg.Wait()
		if err != nil {
			t.Fatal(err)
		}
		for _, target := range []struct {
			name string
			open func(testing.TB) *database.DB
		}{{"sqlite", testkit.SQLiteDB}, {"postgres", testkit.PostgresDB}} {
			t.Run("into "+target.name, func(t *testing.T) {
				copyDB := target.open(t)
				if _, err := copyDB.Restore(ctx, bytes.NewReader(original.Bytes())); err != nil {
					t.Fatal(err)
				}
				if err := copyDB.CheckIntegrity(ctx); err != nil {
					t.Fatal(err)
				}
				var again bytes.Buffer
				if err := copyDB.Backup(ctx, &again); err != nil {
					t.Fatal(err)
				}
				if a, b := body(original.String()), body(again.String()); a != b {
					la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
					for i := range min(len(la), len(lb)) {
						if la[i] != lb[i] {
							t.Fatalf("the restored copy differs from the original at line %d:\n%s\n%s", i+2, la[i], lb[i])
						}
					}
					t.Fatalf("the restored copy has %d lines, the original %d", len(lb), len(la))
				}
				// Restoring twice is refused and changes nothing.
				if _, err := copyDB.Restore(ctx, bytes.NewReader(original.Bytes())); apperr.Code(err) != apperr.Conflict {
					t.Errorf("second restore: %v, want conflict", err)
				}
				// New records get fresh ids after a restore.
				if _, err := insertOrg(t, copyDB, "After restore"); err != nil {
					t.Fatalf("insert after restore: %v", err)
				}
			})
		}
	})
}

// body drops the header line, which records when and where the backup was
// taken.
func body(backup string) string {
	_, rest, _ := strings.Cut(backup, "\n")
	return rest
}

func TestRestoreRejectsBadFiles(t *testing.T) {
	db := testkit.SQLiteDB(t)
	ctx := context.Background()
	for name, file := range map[string]string{
		"not a backup":  "hello\n",
		"wrong version": `{"format":"hcs-backup-1","schema_version":999}` + "\n",
		"unknown table": fmt.Sprintf(`{"format":"hcs-backup-1","schema_version":%d}`+"\n"+`{"table":"secrets","columns":["id"]}`+"\n", db.LatestVersion()),
		"bad row":       fmt.Sprintf(`{"format":"hcs-backup-1","schema_version":%d}`+"\n"+`{"table":"organisations","columns":["id","kind","name","region","created_at"]}`+"\n"+`[1,"trust"]`+"\n", db.LatestVersion()),
	} {
		if _, err := db.Restore(ctx, strings.NewReader(file)); apperr.Code(err) != apperr.Invalid {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
}

// TestCatalogueReadsTheSchema: the catalogue both databases report is the
// same tables, columns and keys, with every column's kind known, so a
// backup from one restores into the other.
func TestCatalogueReadsTheSchema(t *testing.T) {
	ctx := context.Background()
	describe := func(db *database.DB) map[string]string {
		tables, err := db.Tables(ctx)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, tb := range tables {
			cols := tb.ColumnNames()
			slices.Sort(cols)
			refs := slices.Clone(tb.References)
			slices.Sort(refs)
			out[tb.Name] = fmt.Sprintf("columns %v key %v references %v", cols, tb.Key, slices.Compact(refs))
		}
		return out
	}
	lite, pg := describe(testkit.SQLiteDB(t)), describe(testkit.PostgresDB(t))
	if len(lite) < 20 {
		t.Fatalf("the catalogue lists only %d tables", len(lite))
	}
	for name, d := range lite {
		if pg[name] != d {
			t.Errorf("table %s:\n  sqlite:   %s\n  postgres: %s", name, d, pg[name])
		}
	}
	for name := range pg {
		if _, ok := lite[name]; !ok {
			t.Errorf("table %s is only in PostgreSQL", name)
		}
	}
}

// TestBackupCarriesEveryTable: a database with rows in every table the
// catalogue lists backs up and restores into SQLite and PostgreSQL, from
// either, with the same number of rows in every table and the same backup
// back out.
func TestBackupCarriesEveryTable(t *testing.T) {
	ctx := context.Background()
	testkit.EachDB(t, func(t *testing.T, source *database.DB) {
		testkit.PopulateEveryTable(t, source)
		counts := rowCounts(t, source)
		for table, n := range counts {
			if n == 0 {
				t.Errorf("table %s is empty: add a row for it to testkit.PopulateEveryTable", table)
			}
		}
		var original bytes.Buffer
		if err := source.Backup(ctx, &original); err != nil {
			t.Fatal(err)
		}
		for _, target := range []struct {
			name string
			open func(testing.TB) *database.DB
		}{{"sqlite", testkit.SQLiteDB}, {"postgres", testkit.PostgresDB}} {
			t.Run("into "+target.name, func(t *testing.T) {
				copyDB := target.open(t)
				report, err := copyDB.Restore(ctx, bytes.NewReader(original.Bytes()))
				if err != nil {
					t.Fatal(err)
				}
				if got := rowCounts(t, copyDB); !maps.Equal(got, counts) {
					t.Errorf("row counts after restoring:\n got  %v\n want %v", got, counts)
				}
				for table, n := range counts {
					if report.Rows[table] != n {
						t.Errorf("the report says %d rows of %s, want %d", report.Rows[table], table, n)
					}
				}
				if err := copyDB.CheckIntegrity(ctx); err != nil {
					t.Fatal(err)
				}
				var again bytes.Buffer
				if err := copyDB.Backup(ctx, &again); err != nil {
					t.Fatal(err)
				}
				if body(again.String()) != body(original.String()) {
					t.Error("the restored database backs up differently")
				}
			})
		}
	})
}

// rowCounts counts the rows of every table the catalogue lists.
func rowCounts(t *testing.T, db *database.DB) map[string]int {
	t.Helper()
	tables, err := db.Tables(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, tb := range tables {
		out[tb.Name] = testkit.Count(t, db, "SELECT COUNT(*) FROM "+tb.Name)
	}
	return out
}

// TestRestoreCarriesNULsIntoPostgres: text with a NUL, which an older
// SQLite database may hold, restores into PostgreSQL (which cannot store
// a NUL) with each NUL replaced and counted, rather than failing.
func TestRestoreCarriesNULsIntoPostgres(t *testing.T) {
	ctx := context.Background()
	lite := testkit.SQLiteDB(t)
	if _, err := insertOrg(t, lite, "Trust with a NUL"); err != nil {
		t.Fatal(err)
	}
	if err := lite.Write(ctx, func(tx *database.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE organisations SET name = 'Trust' || char(0) || 'NUL'")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := lite.Backup(ctx, &b); err != nil {
		t.Fatal(err)
	}
	pg := testkit.PostgresDB(t)
	report, err := pg.Restore(ctx, &b)
	if err != nil {
		t.Fatal(err)
	}
	if report.NULs != 1 {
		t.Errorf("%d NULs reported, want 1", report.NULs)
	}
	if n := testkit.Count(t, pg, "SELECT COUNT(*) FROM organisations WHERE name = $1", "Trust\uFFFDNUL"); n != 1 {
		t.Error("the NUL was not replaced with U+FFFD")
	}
}

// TestDeletedRowsAreOverwritten: what SQLite deletes (an erased person's
// messages, their files) is overwritten, not left in the file's free
// pages for anyone with a copy of the file to read.
func TestDeletedRowsAreOverwritten(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hcs.db")
	db, err := database.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	marker := "Quillfeather-" + strings.Repeat("marginalia ", 400)
	testkit.Exec(t, db, "INSERT INTO outbox (recipient, subject, body, created_at) VALUES ($1, $2, $3, $4)", "a@example.org", "s", marker, time.Now().UTC())
	testkit.Exec(t, db, "DELETE FROM outbox")
	if err := db.Close(); err != nil { // the last connection checkpoints the log into the file
		t.Fatal(err)
	}
	for _, f := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("Quillfeather-")) {
			t.Errorf("%s still holds the deleted row", filepath.Base(f))
		}
	}
}

// TestExecLater checks the statements a write sends later (on PostgreSQL,
// with its next statement or its COMMIT): they run in order with the rest,
// a failing one fails the write and saves nothing, and the connection
// serves the next transaction cleanly.
func TestExecLater(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		db.SetPoolSize(1) // the next transaction gets the same connection
		ctx := context.Background()
		count := func(name string) int {
			var n int
			err := db.Read(ctx, func(tx *database.Tx) error {
				return tx.QueryRow(ctx, "SELECT count(*) FROM organisations WHERE name = $1", name).Scan(&n)
			})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		later := func(tx *database.Tx, name string) error {
			return tx.ExecLater(ctx, "INSERT INTO organisations (kind, name, region, created_at) VALUES ('trust', $1, 'London', $2)", name, tx.Now)
		}

		// Sent later, yet seen by the statements after it, in order.
		err := db.Write(ctx, func(tx *database.Tx) error {
			if err := later(tx, "Later A"); err != nil {
				return err
			}
			var n int
			if err := tx.QueryRow(ctx, "SELECT count(*) FROM organisations WHERE name = 'Later A'").Scan(&n); err != nil {
				return err
			}
			if n != 1 {
				t.Errorf("the next statement saw %d rows of the statement sent before it, want 1", n)
			}
			return later(tx, "Later B") // goes with the COMMIT
		})
		if err != nil {
			t.Fatal(err)
		}
		if count("Later A") != 1 || count("Later B") != 1 {
			t.Fatalf("committed rows: A %d, B %d, want 1 each", count("Later A"), count("Later B"))
		}

		// A failing statement sent with the COMMIT fails the write, and
		// what the write did before it is not saved.
		err = db.Write(ctx, func(tx *database.Tx) error {
			if _, err := tx.Insert(ctx, "INSERT INTO organisations (kind, name, region, created_at) VALUES ('trust', 'Later C', 'London', $1)", tx.Now); err != nil {
				return err
			}
			return later(tx, "Later A") // a duplicate name
		})
		if apperr.Code(err) != apperr.Conflict {
			t.Errorf("a duplicate sent with the COMMIT: %v, want conflict", err)
		}
		// Nothing sent before it but the statement itself.
		err = db.Write(ctx, func(tx *database.Tx) error { return later(tx, "Later B") })
		if apperr.Code(err) != apperr.Conflict {
			t.Errorf("a duplicate as the only statement: %v, want conflict", err)
		}
		// A failing statement sent with the next one fails that one.
		err = db.Write(ctx, func(tx *database.Tx) error {
			if err := later(tx, "Later A"); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO organisations (kind, name, region, created_at) VALUES ('trust', 'Later D', 'London', $1)", tx.Now)
			return err
		})
		if apperr.Code(err) != apperr.Conflict {
			t.Errorf("a duplicate sent with the next statement: %v, want conflict", err)
		}
		if count("Later C") != 0 || count("Later D") != 0 {
			t.Errorf("a failed write saved rows: C %d, D %d", count("Later C"), count("Later D"))
		}
		// The one connection is not left in a transaction.
		if _, err := insertOrg(t, db, "Later E"); err != nil {
			t.Fatalf("the write after the failures: %v", err)
		}
		if count("Later E") != 1 {
			t.Error("the write after the failures was not saved")
		}
	})
}

// TestQueryRowLater checks a row read later (on PostgreSQL, with the
// write's next statement or its COMMIT): its destination holds the row
// once the statement has gone, a failure goes through the caller's
// wording and saves nothing, and the connection serves the next
// transaction cleanly.
func TestQueryRowLater(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		db.SetPoolSize(1) // the next transaction gets the same connection
		ctx := context.Background()
		insert := "INSERT INTO organisations (kind, name, region, created_at) VALUES ('trust', $1, 'London', $2) RETURNING id"
		var first, second int64
		err := db.Write(ctx, func(tx *database.Tx) error {
			if err := tx.QueryRowLater(ctx, []any{&first}, nil, insert, "Row later A", tx.Now); err != nil {
				return err
			}
			// The next statement takes the waiting one with it.
			var n int
			if err := tx.QueryRow(ctx, "SELECT count(*) FROM organisations WHERE name = 'Row later A'").Scan(&n); err != nil {
				return err
			}
			if n != 1 || first == 0 {
				t.Errorf("after the next statement: %d rows, id %d; want 1 row and its id", n, first)
			}
			return tx.QueryRowLater(ctx, []any{&second}, nil, insert, "Row later B", tx.Now) // with the COMMIT
		})
		if err != nil {
			t.Fatal(err)
		}
		if second == 0 || second == first {
			t.Errorf("ids %d and %d, want two new ones", first, second)
		}

		worded := errors.New("worded by the caller")
		var got error
		err = db.Write(ctx, func(tx *database.Tx) error {
			if _, err := tx.Insert(ctx, "INSERT INTO organisations (kind, name, region, created_at) VALUES ('trust', 'Row later C', 'London', $1)", tx.Now); err != nil {
				return err
			}
			var id int64
			return tx.QueryRowLater(ctx, []any{&id}, func(err error) error { got = err; return worded }, insert, "Row later A", tx.Now)
		})
		if !errors.Is(err, worded) || apperr.Code(got) != apperr.Conflict {
			t.Errorf("a duplicate read later: Write returned %v after passing %v to fail; want fail's error after a conflict", err, got)
		}
		var n int
		if err := db.Read(ctx, func(tx *database.Tx) error {
			return tx.QueryRow(ctx, "SELECT count(*) FROM organisations WHERE name = 'Row later C'").Scan(&n)
		}); err != nil || n != 0 {
			t.Errorf("the failed write saved %d rows (%v)", n, err)
		}
		if _, err := insertOrg(t, db, "Row later D"); err != nil {
			t.Fatalf("the write after the failure: %v", err)
		}
	})
}

// TestCreateOrganisationAudited: an organisation and its audit entry are
// saved together, the entry naming the new id, and a duplicate name saves
// neither and is worded for the form.
func TestCreateOrganisationAudited(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		by := auth.Actor{Address: "192.0.2.7", Process: "test"}
		o := &auth.Organisation{Kind: auth.OrgTrust, Name: "Audited Trust", Region: "London"}
		if err := db.CreateOrganisation(ctx, by, o); err != nil {
			t.Fatal(err)
		}
		if o.ID == 0 || o.CreatedAt.IsZero() {
			t.Fatalf("created %+v: no id or time", o)
		}
		entries, err := db.Audit(ctx, auth.AuditFilter{RecordType: "organisation", RecordID: strconv.FormatInt(o.ID, 10)})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 || entries[0].Action != "organisation.create" || entries[0].Address != by.Address ||
			entries[0].Detail != "trust in London" || !entries[0].At.Equal(o.CreatedAt) {
			t.Errorf("audit entries %+v, want one organisation.create from %s at %v", entries, by.Address, o.CreatedAt)
		}

		before, err := db.Audit(ctx, auth.AuditFilter{RecordType: "organisation"})
		if err != nil {
			t.Fatal(err)
		}
		err = db.CreateOrganisation(ctx, by, &auth.Organisation{Kind: auth.OrgTrust, Name: "Audited Trust", Region: "North West"})
		if apperr.Code(err) != apperr.Conflict || apperr.Field(err) != "name" || !strings.Contains(err.Error(), `"Audited Trust" already exists`) {
			t.Errorf("duplicate name: %v", err)
		}
		after, err := db.Audit(ctx, auth.AuditFilter{RecordType: "organisation"})
		if err != nil {
			t.Fatal(err)
		}
		if len(after) != len(before) {
			t.Errorf("a refused organisation left %d audit entries", len(after)-len(before))
		}
	})
}

// TestCreateOrganisationConcurrently: many requests create the same
// organisation at once; one is saved with one audit entry, and every
// other is told the name is taken, on each database (on PostgreSQL each
// create and its audit entry go with the COMMIT, in one round trip).
func TestCreateOrganisationConcurrently(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		const tries = 16
		testkit.PoolSize(t, db, tries)
		ctx := context.Background()
		errs := make([]error, tries)
		ids := make([]int64, tries)
		var start, wg sync.WaitGroup
		start.Add(1)
		for i := range tries {
			wg.Go(func() {
				start.Wait()
				o := &auth.Organisation{Kind: auth.OrgTrust, Name: "Contended Trust", Region: "London"}
				errs[i] = db.CreateOrganisation(ctx, auth.Actor{Address: "192.0.2.9"}, o)
				ids[i] = o.ID
			})
		}
		start.Done()
		wg.Wait()
		var saved int64
		for i, err := range errs {
			switch {
			case err == nil && saved == 0 && ids[i] != 0:
				saved = ids[i]
			case err == nil:
				t.Errorf("a second create succeeded (id %d; first %d)", ids[i], saved)
			case apperr.Code(err) != apperr.Conflict || apperr.Field(err) != "name":
				t.Errorf("a losing create: %v, want a conflict on the name", err)
			}
		}
		if saved == 0 {
			t.Fatal("no create succeeded")
		}
		entries, err := db.Audit(ctx, auth.AuditFilter{RecordType: "organisation"})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 || entries[0].RecordID != strconv.FormatInt(saved, 10) {
			t.Errorf("audit entries %+v, want one for organisation %d", entries, saved)
		}
	})
}
