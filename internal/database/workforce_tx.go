package database

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/workforce"
)

// Workforce is the workforce's store: it runs the workforce service's
// transactions on this database, loading and saving rows; the rules are
// the workforce package's.
type Workforce struct{ db *DB }

var _ workforce.Store = (*Workforce)(nil)

// Workforce returns the workforce's store on this database.
func (db *DB) Workforce() *Workforce { return &Workforce{db: db} }

func (s *Workforce) Write(ctx context.Context, fn func(workforce.Tx) error) error {
	return s.db.Write(ctx, func(tx *Tx) error { return fn(&workforceTx{ctx: ctx, tx: tx, write: true}) })
}

func (s *Workforce) Read(ctx context.Context, fn func(workforce.Tx) error) error {
	return s.db.Read(ctx, func(tx *Tx) error { return fn(&workforceTx{ctx: ctx, tx: tx}) })
}

// workforceTx is one transaction, as the workforce service sees it.
type workforceTx struct {
	ctx   context.Context
	tx    *Tx
	write bool
	// employers maps organisation codes to organisation ids, loaded on
	// first use in the transaction.
	employers map[string]int64
}

var _ workforce.Tx = (*workforceTx)(nil)

func (t *workforceTx) scope() (context.Context, *Tx) { return t.ctx, t.tx }

func (t *workforceTx) Now() time.Time { return t.tx.Now }

func (t *workforceTx) Audit(by auth.Actor, action, recordType string, recordID int64, detail string) error {
	return audit(t.ctx, t.tx, by, action, recordType, recordID, detail)
}

// Lock holds the workforce's one state row until the transaction ends,
// making it first if need be. SQLite's single writer holds the whole
// database already.
func (t *workforceTx) Lock() error {
	if t.tx.Dialect != Postgres {
		return nil
	}
	if _, err := t.tx.Exec(t.ctx, "INSERT INTO workforce_state (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING"); err != nil {
		return err
	}
	var v int64
	return t.tx.QueryRow(t.ctx, "SELECT version FROM workforce_state WHERE id = 1 FOR UPDATE").Scan(&v)
}

func (t *workforceTx) Version() (int64, error) {
	var v int64
	err := t.tx.QueryRow(t.ctx, "SELECT COALESCE(MAX(version), 0) FROM workforce_state").Scan(&v)
	return v, err
}

func (t *workforceTx) Bump() error {
	_, err := t.tx.Exec(t.ctx, "INSERT INTO workforce_state (id, version) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET version = workforce_state.version + 1")
	return err
}

func (t *workforceTx) Employers() ([]workforce.Employer, error) {
	return queryAll(t, func(scan func(...any) error) (workforce.Employer, error) {
		var e workforce.Employer
		return e, scan(&e.OrganisationID, &e.Code, &e.Name, &e.Region)
	}, `SELECT e.organisation_id, e.code, o.name, o.region FROM workforce_employers e
		JOIN organisations o ON o.id = e.organisation_id ORDER BY e.code`)
}

// SaveEmployer links a code to its organisation. A code held already
// renames its organisation and moves its region; a new code links the
// organisation of that name, or makes a trust.
func (t *workforceTx) SaveEmployer(e *workforce.Employer) error {
	var id int64
	err := t.tx.QueryRow(t.ctx, "SELECT organisation_id FROM workforce_employers WHERE code = $1", e.Code).Scan(&id)
	switch {
	case err == nil:
		_, err = t.tx.Exec(t.ctx, "UPDATE organisations SET name = $1, region = $2 WHERE id = $3", e.Name, e.Region, id)
		if apperr.Code(err) == apperr.Conflict {
			return apperr.Invalidf("file", "another organisation is called %s already", e.Name)
		}
		e.OrganisationID = id
		t.employers = nil
		return err
	case apperr.Code(err) != apperr.NotFound:
		return err
	}
	err = t.tx.QueryRow(t.ctx, "SELECT id FROM organisations WHERE name = $1", e.Name).Scan(&id)
	switch {
	case err == nil:
		if _, err := t.tx.Exec(t.ctx, "UPDATE organisations SET region = $1 WHERE id = $2", e.Region, id); err != nil {
			return err
		}
	case apperr.Code(err) == apperr.NotFound:
		id, err = t.tx.Insert(t.ctx, "INSERT INTO organisations (kind, name, region, created_at) VALUES ($1, $2, $3, $4)", auth.OrgTrust, e.Name, e.Region, t.tx.Now)
		if err != nil {
			return err
		}
	default:
		return err
	}
	_, err = t.tx.Exec(t.ctx, "INSERT INTO workforce_employers (organisation_id, code) VALUES ($1, $2)", id, e.Code)
	if apperr.Code(err) == apperr.Conflict {
		return apperr.Invalidf("file", "%s has an organisation code already, and it is not %s", e.Name, e.Code)
	}
	e.OrganisationID = id
	t.employers = nil
	return err
}

func (t *workforceTx) organisation(code string) (int64, error) {
	if t.employers == nil {
		es, err := t.Employers()
		if err != nil {
			return 0, err
		}
		t.employers = make(map[string]int64, len(es))
		for _, e := range es {
			t.employers[e.Code] = e.OrganisationID
		}
	}
	id, ok := t.employers[code]
	if !ok {
		return 0, apperr.Invalidf("file", "no employer has the code %s", code)
	}
	return id, nil
}

const assignmentColumns = `assignment_number, person_ref, organisation_id, staff_group, occupation_code, specialism, career_level, band,
	fte_hundredths, contract, start_date, end_date, leaving_reason, birth_year, registration_body, registration_number,
	training_certificate`

// assignmentArity is the number of assignmentColumns.
const assignmentArity = 17

func (t *workforceTx) assignmentArgs(a *workforce.Assignment, args []any) ([]any, error) {
	org, err := t.organisation(a.Employer)
	if err != nil {
		return nil, err
	}
	var end any
	if a.End != workforce.NoEnd {
		end = a.End.String()
	}
	return append(args, a.Number, a.Person, org, a.StaffGroup, a.Occupation, a.Specialism, a.Level, a.Band,
		int(a.FTE), a.Contract, a.Start.String(), end, a.LeavingReason, a.BirthYear, a.RegBody, a.RegNumber, a.Certificate), nil
}

// InsertAssignments saves assignments with one statement per batch. On
// SQLite its parameters are anonymous (?): the driver looks each numbered
// one ($n) up by name in a list, which grows with the batch.
func (t *workforceTx) InsertAssignments(as []workforce.Assignment) error {
	if len(as) == 0 {
		return nil
	}
	var q strings.Builder
	q.WriteString("INSERT INTO workforce_assignments (" + assignmentColumns + ") VALUES ")
	args := make([]any, 0, len(as)*assignmentArity)
	for i := range as {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(")
		for j := range assignmentArity {
			if j > 0 {
				q.WriteString(", ")
			}
			if t.tx.Dialect == SQLite {
				q.WriteString("?")
			} else {
				fmt.Fprintf(&q, "$%d", i*assignmentArity+j+1)
			}
		}
		q.WriteString(")")
		var err error
		if args, err = t.assignmentArgs(&as[i], args); err != nil {
			return err
		}
	}
	_, err := t.tx.Exec(t.ctx, q.String(), args...)
	return err
}

func (t *workforceTx) UpdateAssignment(s *workforce.Stored) error {
	args, err := t.assignmentArgs(&s.Assignment, nil)
	if err != nil {
		return err
	}
	_, err = t.tx.Exec(t.ctx, `UPDATE workforce_assignments SET assignment_number = $1, person_ref = $2, organisation_id = $3,
		staff_group = $4, occupation_code = $5, specialism = $6, career_level = $7, band = $8, fte_hundredths = $9, contract = $10,
		start_date = $11, end_date = $12, leaving_reason = $13, birth_year = $14, registration_body = $15, registration_number = $16,
		training_certificate = $17 WHERE id = $18`, append(args, s.ID)...)
	return err
}

func (t *workforceTx) Assignments(fn func(*workforce.Stored) error) error {
	rows, err := t.tx.Query(t.ctx, `SELECT a.id, `+strings.Replace(assignmentColumns, "organisation_id", "e.code", 1)+`
		FROM workforce_assignments a JOIN workforce_employers e ON e.organisation_id = a.organisation_id ORDER BY a.id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var s workforce.Stored
	var start string
	var end sql.NullString
	var fte int
	for rows.Next() {
		a := &s.Assignment
		if err := rows.Scan(&s.ID, &a.Number, &a.Person, &a.Employer, &a.StaffGroup, &a.Occupation, &a.Specialism, &a.Level, &a.Band,
			&fte, &a.Contract, &start, &end, &a.LeavingReason, &a.BirthYear, &a.RegBody, &a.RegNumber, &a.Certificate); err != nil {
			return mapError(err)
		}
		a.FTE = workforce.FTE(fte)
		if a.Start, err = workforce.ParseDay(start); err != nil {
			return fmt.Errorf("assignment %d: %w", s.ID, err)
		}
		a.End = workforce.NoEnd
		if end.Valid {
			if a.End, err = workforce.ParseDay(end.String); err != nil {
				return fmt.Errorf("assignment %d: %w", s.ID, err)
			}
		}
		if err := fn(&s); err != nil {
			return err
		}
	}
	return mapError(rows.Err())
}

func (t *workforceTx) SaveImport(im *workforce.Import) error {
	id, err := t.tx.Insert(t.ctx, `INSERT INTO workforce_imports (kind, file, sha256, row_count, added, changed, unchanged, imported_by, imported_at, organisation_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, im.Kind, im.File, im.SHA256, im.Rows, im.Added, im.Changed, im.Unchanged, zeroNull(im.By), t.tx.Now,
		zeroNull(im.OrganisationID))
	im.ID = id
	return err
}

func (t *workforceTx) Imports(limit int, organisations []int64) ([]workforce.Import, error) {
	where, args := "", []any{limit}
	if organisations != nil {
		var in []string
		for _, id := range organisations {
			args = append(args, id)
			in = append(in, fmt.Sprintf("$%d", len(args)))
		}
		if len(in) == 0 {
			return []workforce.Import{}, nil
		}
		where = " WHERE i.organisation_id IN (" + strings.Join(in, ", ") + ")"
	}
	return queryAll(t, func(scan func(...any) error) (workforce.Import, error) {
		var im workforce.Import
		var by, org sql.NullInt64
		var name sql.NullString
		err := scan(&im.ID, &im.Kind, &im.File, &im.SHA256, &im.Rows, &im.Added, &im.Changed, &im.Unchanged, &by, &name, &im.At, &org)
		im.By, im.ByName, im.OrganisationID = by.Int64, name.String, org.Int64
		return im, err
	}, `SELECT i.id, i.kind, i.file, i.sha256, i.row_count, i.added, i.changed, i.unchanged, i.imported_by, u.name, i.imported_at, i.organisation_id
		FROM workforce_imports i LEFT JOIN users u ON u.id = i.imported_by`+where+` ORDER BY i.id DESC LIMIT $1`, args...)
}

// Pipeline lists the trainees in training, with their employer's region.
func (t *workforceTx) Pipeline() ([]workforce.Trainee, error) {
	return queryAll(t, func(scan func(...any) error) (workforce.Trainee, error) {
		var tr workforce.Trainee
		var end string
		if err := scan(&tr.Programme, &tr.Specialism, &tr.Region, &end); err != nil {
			return tr, err
		}
		d, err := workforce.ParseDay(end)
		tr.ExpectedEnd = d
		return tr, err
	}, `SELECT t.programme, t.specialism, o.region, t.expected_end FROM trainees t JOIN organisations o ON o.id = t.organisation_id
		WHERE t.status IN ('pending', 'active') ORDER BY t.id`)
}

// TrainingPosts lists the rounds' posts with their offers counted.
func (t *workforceTx) TrainingPosts() ([]workforce.Post, error) {
	return queryAll(t, func(scan func(...any) error) (workforce.Post, error) {
		var p workforce.Post
		var start time.Time
		err := scan(&p.Round, &p.Programme, &start, &p.OrganisationID, &p.Specialism, &p.Region, &p.Places, &p.Accepted, &p.Awaiting)
		p.Start = workforce.DayOf(start)
		return p, err
	}, `SELECT r.name, r.programme, r.start_date, p.organisation_id, p.specialism, p.region, p.places,
			(SELECT COUNT(*) FROM offers o WHERE o.post_id = p.id AND o.status IN ('accepted', 'unconditional')),
			(SELECT COUNT(*) FROM offers o WHERE o.post_id = p.id AND o.status IN ('offered', 'held'))
		FROM posts p JOIN rounds r ON r.id = p.round_id ORDER BY r.start_date, r.id, p.id`)
}

// Certificates reads certificates by id, 500 at a time.
func (t *workforceTx) Certificates(ids []string) (map[string]workforce.Completion, error) {
	out := map[string]workforce.Completion{}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		in := make([]string, n)
		args := make([]any, n)
		for i, id := range ids[:n] {
			in[i], args[i] = fmt.Sprintf("$%d", i+1), id
		}
		list, err := queryAll(t, func(scan func(...any) error) (workforce.Completion, error) {
			var c workforce.Completion
			var issued time.Time
			var revoked sql.NullTime
			err := scan(&c.ID, &c.Programme, &c.Specialism, &c.Award, &issued, &revoked)
			c.Issued, c.Revoked = workforce.DayOf(issued), revoked.Valid
			return c, err
		}, `SELECT c.id, t.programme, t.specialism, c.award, c.issued_at, c.revoked_at FROM certificates c JOIN trainees t ON t.id = c.trainee_id
			WHERE c.id IN (`+strings.Join(in, ", ")+`)`, args...)
		if err != nil {
			return nil, err
		}
		for _, c := range list {
			out[c.ID] = c
		}
		ids = ids[n:]
	}
	return out, nil
}

func (t *workforceTx) Completions() ([]workforce.Completion, error) {
	return queryAll(t, func(scan func(...any) error) (workforce.Completion, error) {
		var c workforce.Completion
		var issued time.Time
		var code sql.NullString
		err := scan(&c.ID, &c.Programme, &c.Specialism, &c.Award, &issued, &code)
		c.Issued, c.Employer = workforce.DayOf(issued), code.String
		return c, err
	}, `SELECT c.id, t.programme, t.specialism, c.award, c.issued_at, e.code FROM certificates c JOIN trainees t ON t.id = c.trainee_id
		LEFT JOIN workforce_employers e ON e.organisation_id = t.organisation_id
		WHERE c.revoked_at IS NULL ORDER BY c.issued_at, c.id`)
}

func (t *workforceTx) InsertScenario(sc *workforce.Scenario) error {
	a, err := json.Marshal(sc.Assumptions)
	if err != nil {
		return err
	}
	sc.ID, err = t.tx.Insert(t.ctx, `INSERT INTO workforce_scenarios (name, region, specialism, assumptions, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, sc.Name, sc.Group.Region, sc.Group.Specialism, string(a), zeroNull(sc.By), sc.At)
	return err
}

func (t *workforceTx) Scenarios() ([]workforce.Scenario, error) {
	return queryAll(t, func(scan func(...any) error) (workforce.Scenario, error) {
		var sc workforce.Scenario
		var a string
		var by sql.NullInt64
		var name sql.NullString
		if err := scan(&sc.ID, &sc.Name, &sc.Group.Region, &sc.Group.Specialism, &a, &by, &name, &sc.At); err != nil {
			return sc, err
		}
		sc.By, sc.ByName = by.Int64, name.String
		return sc, json.Unmarshal([]byte(a), &sc.Assumptions)
	}, `SELECT s.id, s.name, s.region, s.specialism, s.assumptions, s.created_by, u.name, s.created_at
		FROM workforce_scenarios s LEFT JOIN users u ON u.id = s.created_by ORDER BY s.id DESC`)
}
