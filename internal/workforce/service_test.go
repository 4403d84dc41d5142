package workforce_test

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/testkit"
	"hcs/internal/workforce"
)

var planner = auth.System("command line")

// staffFile writes assignments as an extract and reads it back as rows.
func staffFile(t testing.TB, as []workforce.Assignment) []workforce.Row {
	t.Helper()
	var buf bytes.Buffer
	if err := workforce.WriteStaff(&buf, as); err != nil {
		t.Fatal(err)
	}
	rows, err := workforce.ReadStaff(&buf, testkit.Framework(t), workforce.ReadOptions{File: "staff.csv", Year: 2026})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// registered makes a service over db with a small synthetic workforce's
// employers registered.
func registered(t *testing.T, db *database.DB, employers []workforce.Employer) *workforce.Service {
	t.Helper()
	s := workforce.NewService(db.Workforce(), testkit.Framework(t), 0)
	im, err := s.RegisterEmployers(context.Background(), planner, "employers.csv", "", employers)
	if err != nil {
		t.Fatal(err)
	}
	if im.Added != len(employers) {
		t.Fatalf("registered %d employers of %d", im.Added, len(employers))
	}
	return s
}

// held returns every assignment held, by number.
func held(t testing.TB, db *database.DB) map[string]workforce.Assignment {
	t.Helper()
	out := map[string]workforce.Assignment{}
	err := db.Workforce().Read(context.Background(), func(tx workforce.Tx) error {
		return tx.Assignments(func(s *workforce.Stored) error {
			out[s.Number] = s.Assignment
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestImportTwiceChangesNothing(t *testing.T) {
	employers, as := synth(t, 5, 400)
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		s := registered(t, db, employers)
		rows := staffFile(t, as)
		var progress []int
		im, err := s.ImportStaff(ctx, planner, rows, workforce.ImportOptions{File: "staff.csv", Progress: func(done, total int) {
			progress = append(progress, done)
			if total != len(as) {
				t.Errorf("progress out of %d, want %d", total, len(as))
			}
		}})
		if err != nil {
			t.Fatal(err)
		}
		if im.Added != len(as) || im.Changed != 0 || len(progress) == 0 || progress[len(progress)-1] != len(as) {
			t.Fatalf("first import: %+v, progress %v", im, progress)
		}
		first := held(t, db)
		for _, a := range as {
			if first[a.Number] != a {
				t.Fatalf("assignment %s held as %+v, imported as %+v", a.Number, first[a.Number], a)
			}
		}
		m1, err := s.Model(ctx)
		if err != nil {
			t.Fatal(err)
		}
		im, err = s.ImportStaff(ctx, planner, staffFile(t, as), workforce.ImportOptions{File: "staff.csv"})
		if err != nil {
			t.Fatal(err)
		}
		if im.Added != 0 || im.Changed != 0 || im.Unchanged != len(as) {
			t.Fatalf("second import: %+v", im)
		}
		second := held(t, db)
		if len(second) != len(first) {
			t.Fatalf("%d assignments after the second import, %d after the first", len(second), len(first))
		}
		if m2, _ := s.Model(ctx); m2 != m1 {
			t.Errorf("an import that changed nothing made a new model")
		}
		// A later extract ends one assignment and adds one.
		var changed []workforce.Assignment
		for _, a := range as {
			if a.End == workforce.NoEnd {
				a.End, a.LeavingReason = workforce.Date(2026, 11, 30), "resignation"
				changed = append(changed, a)
				break
			}
		}
		extra := as[0]
		extra.Number, extra.Person, extra.Start, extra.End, extra.LeavingReason = "99999999-1", "S99999999", workforce.Date(2026, 11, 1), workforce.NoEnd, ""
		im, err = s.ImportStaff(ctx, planner, staffFile(t, append(changed, extra)), workforce.ImportOptions{File: "november.csv"})
		if err != nil {
			t.Fatal(err)
		}
		if im.Added != 1 || im.Changed != 1 {
			t.Fatalf("update: %+v", im)
		}
		if got := held(t, db)[changed[0].Number]; got != changed[0] {
			t.Fatalf("changed assignment held as %+v", got)
		}
		if m3, _ := s.Model(ctx); m3 == m1 || m3.Version <= m1.Version {
			t.Errorf("a changing import kept the old model")
		}
		if n := testkit.AuditCount(t, db, "workforce.import.staff"); n != 3 {
			t.Errorf("%d imports audited, want 3", n)
		}
	})
}

func TestImportWithAProblemSavesNothing(t *testing.T) {
	employers, as := synth(t, 5, 200)
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		s := registered(t, db, employers)
		if _, err := s.ImportStaff(ctx, planner, staffFile(t, as[:100]), workforce.ImportOptions{File: "first.csv"}); err != nil {
			t.Fatal(err)
		}
		before := held(t, db)
		cases := []struct {
			name string
			edit func(rows []workforce.Row) []workforce.Row
			want string
		}{
			{"unknown employer", func(rows []workforce.Row) []workforce.Row {
				rows[7].Employer = "QQQ"
				return rows
			}, `row 9, column "Organisation Code": no employer has the code QQQ`},
			{"overlap within the file", func(rows []workforce.Row) []workforce.Row {
				a := rows[3]
				a.Number, a.Line = "88888888-1", len(rows)+2
				a.End, a.LeavingReason = workforce.NoEnd, ""
				return append(rows, a)
			}, "would hold two assignments at once"},
			{"overlap with what is held", func(rows []workforce.Row) []workforce.Row {
				a := rows[0]
				a.Assignment = as[0]
				a.Number, a.End, a.LeavingReason = "77777777-1", workforce.NoEnd, ""
				a.Start = as[0].Start
				return []workforce.Row{a}
			}, "held already"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				rows := c.edit(staffFile(t, as[100:]))
				_, err := s.ImportStaff(ctx, planner, rows, workforce.ImportOptions{File: "second.csv"})
				if apperr.Code(err) != apperr.Invalid || !strings.Contains(apperr.Message(err), c.want) {
					t.Fatalf("got %v, want an error naming %q", err, c.want)
				}
				after := held(t, db)
				if len(after) != len(before) {
					t.Fatalf("%d assignments held after a refused import, %d before", len(after), len(before))
				}
			})
		}
	})
}

func TestEmployerImportsOnlyItsOwnStaff(t *testing.T) {
	employers, as := synth(t, 3, 150)
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		s := registered(t, db, employers)
		es, _ := s.Employers(ctx)
		own := es[0]
		var mine []workforce.Assignment
		for _, a := range as {
			if a.Employer == own.Code {
				mine = append(mine, a)
			}
		}
		if _, err := s.ImportStaff(ctx, planner, staffFile(t, as), workforce.ImportOptions{File: "all.csv", OrganisationID: own.OrganisationID}); apperr.Code(err) != apperr.Invalid ||
			!strings.Contains(apperr.Message(err), "you may import only your own organisation's staff") {
			t.Fatalf("an employer imported everyone's staff: %v", err)
		}
		im, err := s.ImportStaff(ctx, planner, staffFile(t, mine), workforce.ImportOptions{File: "mine.csv", OrganisationID: own.OrganisationID})
		if err != nil || im.Added != len(mine) {
			t.Fatalf("own import: %+v, %v", im, err)
		}
		// Another employer's staff are held too; a row of ours that
		// overlaps one of theirs is refused without describing theirs.
		var theirs []workforce.Assignment
		for _, a := range as {
			if a.Employer != own.Code {
				theirs = append(theirs, a)
			}
		}
		if _, err := s.ImportStaff(ctx, planner, staffFile(t, theirs), workforce.ImportOptions{File: "theirs.csv"}); err != nil {
			t.Fatal(err)
		}
		other := theirs[0]
		clash := other
		clash.Number, clash.Employer, clash.End, clash.LeavingReason = "OWN-1", own.Code, workforce.NoEnd, ""
		_, err = s.ImportStaff(ctx, planner, staffFile(t, []workforce.Assignment{clash}), workforce.ImportOptions{File: "clash.csv", OrganisationID: own.OrganisationID})
		if msg := apperr.Message(err); !strings.Contains(msg, "holds an assignment at another employer") || strings.Contains(msg, other.Number) || strings.Contains(msg, other.Start.String()) {
			t.Errorf("an employer's refused row describes another employer's record: %v", err)
		}
		// Each employer lists its own imports; the national team, all.
		if list, _ := s.Imports(ctx, 10, []int64{own.OrganisationID}); len(list) != 1 || list[0].File != "mine.csv" {
			t.Errorf("the employer's imports: %+v", list)
		}
		if list, _ := s.Imports(ctx, 10, nil); len(list) != 3 { // employers, mine.csv and theirs.csv
			t.Errorf("every import: %d", len(list))
		}
	})
}

// Imports sent at once: each either saves the whole file or nothing, the
// files' assignments are held once each, and no person ends up holding
// two assignments at once.
func TestConcurrentImports(t *testing.T) {
	employers, as := synth(t, 4, 300)
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		s := registered(t, db, employers)
		// Six files: three copies of one half, and three of the other half
		// with each person's assignments renumbered (so they overlap the
		// first half's people only if both were saved).
		half := len(as) / 2
		a, b := as[:half], as[half:]
		clash := make([]workforce.Assignment, len(a))
		for i, x := range a {
			x.Number = "C" + x.Number
			clash[i] = x
		}
		files := [][]workforce.Row{staffFile(t, a), staffFile(t, b), staffFile(t, clash), staffFile(t, a), staffFile(t, b), staffFile(t, clash)}
		errs := make([]error, len(files))
		testkit.Together(len(files), func(i int) {
			_, errs[i] = s.ImportStaff(ctx, planner, files[i], workforce.ImportOptions{File: "f.csv"})
		})
		got := held(t, db)
		people := map[string][]workforce.Assignment{}
		for _, x := range got {
			people[x.Person] = append(people[x.Person], x)
		}
		for p, list := range people {
			for i := range list {
				for j := i + 1; j < len(list); j++ {
					if list[i].Start <= list[j].End && list[j].Start <= list[i].End {
						t.Fatalf("%s holds %s and %s at once", p, list[i].Number, list[j].Number)
					}
				}
			}
		}
		var saved []string
		for i, err := range errs {
			if err != nil && apperr.Code(err) != apperr.Invalid {
				t.Errorf("import %d: %v", i, err)
			}
		}
		_, hasA := got[a[0].Number]
		_, hasClash := got[clash[0].Number]
		if hasA == hasClash {
			t.Fatalf("held the first half %v and its renumbered copy %v: exactly one should win", hasA, hasClash)
		}
		if _, ok := got[b[0].Number]; !ok || len(got) != len(b)+half {
			t.Fatalf("held %d assignments, want %d (%v)", len(got), len(b)+half, saved)
		}
	})
}

// A staff extract may name the training certificate hcs issued a person:
// one hcs did not issue, one revoked, or one another person holds is
// refused by row and column; one in force becomes the person's
// qualification in FHIR, with the programme completed and its issuer.
func TestImportTrainingCertificates(t *testing.T) {
	employers, as := synth(t, 3, 60)
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		testkit.PopulateEveryTable(t, db)
		var live, revoked string
		err := db.Read(ctx, func(tx *database.Tx) error {
			if err := tx.QueryRow(ctx, "SELECT id FROM certificates WHERE revoked_at IS NULL").Scan(&live); err != nil {
				return err
			}
			return tx.QueryRow(ctx, "SELECT id FROM certificates WHERE revoked_at IS NOT NULL").Scan(&revoked)
		})
		if err != nil {
			t.Fatal(err)
		}
		s := registered(t, db, employers)
		before := len(held(t, db))
		rows := staffFile(t, as)
		holder := rows[0].Person
		for i := range rows {
			if rows[i].Person == holder {
				rows[i].Certificate = live
			}
		}
		other := slices.IndexFunc(rows, func(r workforce.Row) bool { return r.Person != holder })
		for _, c := range []struct{ cert, want string }{
			{"00000000-0000-4000-8000-000000000000", "no certificate hcs issued has the id 00000000-0000-4000-8000-000000000000"},
			{revoked, "was revoked"},
			{live, "for another person"},
		} {
			bad := slices.Clone(rows)
			bad[other].Certificate = c.cert
			_, err := s.ImportStaff(ctx, planner, bad, workforce.ImportOptions{File: "staff.csv"})
			want := fmt.Sprintf(`row %d, column "Training Certificate": `, bad[other].Line)
			if apperr.Code(err) != apperr.Invalid || !strings.Contains(apperr.Message(err), want) || !strings.Contains(apperr.Message(err), c.want) {
				t.Fatalf("certificate %s: %v, want %s%s", c.cert, err, want, c.want)
			}
			if n := len(held(t, db)); n != before {
				t.Fatalf("%d assignments held after a refused import, %d before", n, before)
			}
		}
		if _, err := s.ImportStaff(ctx, planner, rows, workforce.ImportOptions{File: "staff.csv"}); err != nil {
			t.Fatal(err)
		}
		rs, err := s.StaffRecords(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		st := workforce.FHIR{Base: "https://hcs.example.nhs.uk"}.Staff(testkit.Framework(t), rs.Employers, rs.Assignments, rs.Today, rs.Certificates)
		found := false
		for _, p := range st.Practitioners {
			for _, q := range p.Qualification {
				if q.Identifier[0].Value == live {
					found = p.Identifier[0].Value == holder && q.Issuer.Display == "National School of Healthcare Science"
				}
			}
		}
		if !found {
			t.Fatalf("%s's certificate %s is not their qualification", holder, live)
		}
		certified := func() map[string]string {
			out := map[string]string{}
			for n, a := range held(t, db) {
				if a.Certificate != "" {
					out[n] = a.Certificate
				}
			}
			return out
		}
		want := certified()
		if len(want) == 0 {
			t.Fatal("no certificate held")
		}

		// An extract without the Training Certificate column keeps the
		// certificates held, and changes nothing.
		old := slices.Clone(rows)
		for i := range old {
			old[i].Certificate, old[i].KeepsCertificate = "", true
		}
		im, err := s.ImportStaff(ctx, planner, old, workforce.ImportOptions{File: "staff-16.csv"})
		if err != nil || im.Changed != 0 || im.Added != 0 {
			t.Fatalf("re-imported without the column: %+v %v", im, err)
		}
		if got := certified(); !maps.Equal(got, want) {
			t.Fatalf("certificates after an extract without the column: %v, want %v", got, want)
		}

		// An employer importing its own staff is not told who holds a
		// certificate: only that it cannot be recorded.
		es, _ := s.Employers(ctx)
		var own workforce.Employer
		var mine []workforce.Row
		for _, e := range es {
			if e.Code == rows[other].Employer {
				own = e
			}
		}
		for _, r := range rows {
			if r.Employer == own.Code && r.Person != holder {
				mine = append(mine, r)
			}
		}
		if len(mine) == 0 {
			t.Fatal("the other employer has no staff")
		}
		mine[0].Certificate = live
		_, err = s.ImportStaff(ctx, planner, mine, workforce.ImportOptions{File: "mine.csv", OrganisationID: own.OrganisationID})
		if msg := apperr.Message(err); apperr.Code(err) != apperr.Invalid || !strings.Contains(msg, "cannot be recorded for this person") || strings.Contains(msg, "another person") {
			t.Fatalf("an employer recording another's certificate: %v", err)
		}
	})
}

// The pipeline as a request reads it: the trainees and posts read from
// the database, the digest, and a query answered from the counts made on
// the first request (bench/pipeline-seed.sql's 1,800 trainees).
func BenchmarkPipelineService(b *testing.B) {
	employers, _ := synth(b, 200, 400)
	seed, err := os.ReadFile("../../bench/pipeline-seed.sql")
	if err != nil {
		b.Fatal(err)
	}
	run := func(b *testing.B, db *database.DB) {
		ctx := context.Background()
		s := workforce.NewService(db.Workforce(), testkit.Framework(b), 0)
		if _, err := s.RegisterEmployers(ctx, planner, "employers.csv", "", employers); err != nil {
			b.Fatal(err)
		}
		for _, stmt := range strings.Split(string(seed), ";") {
			if strings.Contains(stmt, "INSERT") {
				testkit.Exec(b, db, stmt)
			}
		}
		if n := testkit.Count(b, db, "SELECT COUNT(*) FROM trainees"); n != 1800 {
			b.Fatalf("%d trainees", n)
		}
		regions := append([]string{""}, auth.Regions...)
		b.ResetTimer()
		for i := range b.N {
			if _, err := s.Pipeline(ctx, workforce.PipelineQuery{Region: regions[i%len(regions)]}, false); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("sqlite", func(b *testing.B) { run(b, testkit.SQLiteDB(b)) })
	b.Run("postgres", func(b *testing.B) { run(b, testkit.PostgresDB(b)) })
}
