package database

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/train"
)

// Training is training's store: it runs the train service's transactions
// on this database. The files train_*.go load and save its rows; the rules
// are the train package's.
type Training struct{ db *DB }

var _ train.Store = (*Training)(nil)

// Training returns training's store on this database.
func (db *DB) Training() *Training { return &Training{db: db} }

func (s *Training) Write(ctx context.Context, fn func(train.Tx) error) error {
	return s.db.Write(ctx, func(tx *Tx) error { return fn(&trainTx{ctx: ctx, tx: tx, write: true}) })
}

func (s *Training) Read(ctx context.Context, fn func(train.Tx) error) error {
	return s.db.Read(ctx, func(tx *Tx) error { return fn(&trainTx{ctx: ctx, tx: tx}) })
}

// trainTx is one transaction, as the train service sees it.
type trainTx struct {
	ctx context.Context
	tx  *Tx
	// write marks a read-write transaction: only it locks rows.
	write bool
}

var _ train.Tx = (*trainTx)(nil)

func (t *trainTx) scope() (context.Context, *Tx) { return t.ctx, t.tx }

func (t *trainTx) Now() time.Time { return t.tx.Now }

// forUpdate locks the rows a SELECT reads until a write transaction ends.
// SQLite needs none: its one writer holds the whole database.
func (t *trainTx) forUpdate() string {
	if t.write && t.tx.Dialect == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

func (t *trainTx) Audit(by auth.Actor, action, recordType string, recordID int64, detail string) error {
	return audit(t.ctx, t.tx, by, action, recordType, recordID, detail)
}

func (t *trainTx) Send(to train.Person, about int64, subject, body string) error {
	var user any
	if to.ID != 0 {
		user = to.ID
	}
	_, err := t.tx.Insert(t.ctx, "INSERT INTO outbox (user_id, recipient, subject, body, created_at, about_user_id) VALUES ($1, $2, $3, $4, $5, $6)",
		user, to.Email, subject, body, t.tx.Now, zeroNull(about))
	return err
}

// LockPersonByEmail finds an account by its address and holds its row
// until the transaction ends.
func (t *trainTx) LockPersonByEmail(email string) (*train.Person, error) {
	var p train.Person
	err := t.tx.QueryRow(t.ctx, "SELECT id, name, email FROM users WHERE email = $1 AND erased_at IS NULL"+t.forUpdate(), email).Scan(&p.ID, &p.Name, &p.Email)
	if apperr.Code(err) == apperr.NotFound {
		return nil, apperr.Errorf(apperr.NotFound, "no account has the address %s", email)
	}
	return &p, err
}

func (t *trainTx) Person(userID int64) (*train.Person, error) {
	var p train.Person
	err := t.tx.QueryRow(t.ctx, "SELECT id, name, email FROM users WHERE id = $1", userID).Scan(&p.ID, &p.Name, &p.Email)
	if apperr.Code(err) == apperr.NotFound {
		return nil, apperr.Errorf(apperr.NotFound, "there is no user %d", userID)
	}
	return &p, err
}

func (t *trainTx) Department(id int64) (*auth.Department, error) {
	var d auth.Department
	err := t.tx.QueryRow(t.ctx, "SELECT id, organisation_id, name, specialism, created_at FROM departments WHERE id = $1", id).
		Scan(&d.ID, &d.OrganisationID, &d.Name, &d.Specialism, &d.CreatedAt)
	if apperr.Code(err) == apperr.NotFound {
		return nil, apperr.Errorf(apperr.NotFound, "there is no department %d", id)
	}
	return &d, err
}

func (t *trainTx) Organisation(id int64) (*auth.Organisation, error) {
	var o auth.Organisation
	err := t.tx.QueryRow(t.ctx, "SELECT id, kind, name, region, created_at FROM organisations WHERE id = $1", id).
		Scan(&o.ID, &o.Kind, &o.Name, &o.Region, &o.CreatedAt)
	if apperr.Code(err) == apperr.NotFound {
		return nil, apperr.Errorf(apperr.NotFound, "there is no organisation %d", id)
	}
	return &o, err
}

func scanPerson(scan func(...any) error) (train.Person, error) {
	var p train.Person
	return p, scan(&p.ID, &p.Name, &p.Email)
}

func (t *trainTx) Staff(organisationID int64, role auth.Role) ([]train.Person, error) {
	return queryAll(t, scanPerson, `SELECT DISTINCT u.id, u.name, u.email FROM grants g JOIN users u ON u.id = g.user_id
		WHERE g.organisation_id = $1 AND g.role = $2 AND u.erased_at IS NULL ORDER BY u.name, u.id`, organisationID, string(role))
}

func (t *trainTx) HoldsRole(userID int64, role auth.Role, departmentID int64) (bool, error) {
	var n int
	err := t.tx.QueryRow(t.ctx, `SELECT COUNT(*) FROM grants g JOIN users u ON u.id = g.user_id
		WHERE g.user_id = $1 AND g.role = $2 AND g.department_id = $3 AND u.erased_at IS NULL`, userID, string(role), departmentID).Scan(&n)
	return n > 0, err
}

func (t *trainTx) GrantTrainee(userID int64) error {
	var n int
	if err := t.tx.QueryRow(t.ctx, "SELECT COUNT(*) FROM grants WHERE user_id = $1 AND role = $2", userID, string(auth.RoleTrainee)).Scan(&n); err != nil || n > 0 {
		return err
	}
	_, err := t.tx.Exec(t.ctx, "INSERT INTO grants (user_id, role, created_at) VALUES ($1, $2, $3)", userID, string(auth.RoleTrainee), t.tx.Now)
	return err
}

// placementColumns read an offer with its applicant, post, round and
// employer.
const placementColumns = `o.id, o.status, a.user_id, u.name, r.programme, p.specialism, p.organisation_id, org.name, org.region, p.site, r.start_date,
	EXISTS (SELECT 1 FROM trainees tr WHERE tr.offer_id = o.id)
	FROM offers o JOIN applications a ON a.id = o.application_id JOIN users u ON u.id = a.user_id
	JOIN posts p ON p.id = o.post_id JOIN rounds r ON r.id = o.round_id JOIN organisations org ON org.id = p.organisation_id`

func scanPlacement(scan func(...any) error) (train.Placement, error) {
	var p train.Placement
	var start time.Time
	err := scan(&p.OfferID, &p.OfferStatus, &p.UserID, &p.Name, &p.Programme, &p.Specialism, &p.OrganisationID, &p.Organisation, &p.Region, &p.Site, &start, &p.Started)
	p.StartDate = start.UTC().Format(train.DateFormat)
	return p, err
}

func (t *trainTx) Placement(offerID int64) (*train.Placement, error) {
	p, err := scanPlacement(t.tx.QueryRow(t.ctx, "SELECT "+placementColumns+" WHERE o.id = $1", offerID).Scan)
	if apperr.Code(err) == apperr.NotFound {
		return nil, apperr.Errorf(apperr.NotFound, "there is no offer %d", offerID)
	}
	return &p, err
}

func (t *trainTx) LockPlacement(offerID int64) (*train.Placement, error) {
	if t.tx.Dialect == Postgres {
		var id int64
		err := t.tx.QueryRow(t.ctx, "SELECT id FROM rounds WHERE id = (SELECT round_id FROM offers WHERE id = $1) FOR UPDATE", offerID).Scan(&id)
		if apperr.Code(err) == apperr.NotFound {
			return nil, apperr.Errorf(apperr.NotFound, "there is no offer %d", offerID)
		}
		if err != nil {
			return nil, err
		}
	}
	return t.Placement(offerID)
}

func (t *trainTx) Placements(f train.PlacementFilter) ([]train.Placement, error) {
	q := "SELECT " + placementColumns + " WHERE o.status = 'unconditional' AND NOT EXISTS (SELECT 1 FROM trainees tr WHERE tr.offer_id = o.id)"
	var args []any
	if !f.All {
		if len(f.Organisations) == 0 {
			return []train.Placement{}, nil
		}
		var marks string
		marks, args = placeholders(f.Organisations)
		q += " AND p.organisation_id IN (" + marks + ")"
	}
	return queryAll(t, scanPlacement, q+" ORDER BY r.start_date, org.name, u.name, o.id", args...)
}

const traineeColumns = `t.id, t.user_id, u.name, COALESCE(t.offer_id, 0), t.programme, t.specialism, t.curriculum, t.organisation_id, o.name,
	t.department_id, d.name, o.region, t.training_officer_id, t.start_date, t.expected_end, t.status, t.confirmed_at, t.completed_at, t.created_at,
	t.imported_from FROM trainees t JOIN users u ON u.id = t.user_id JOIN organisations o ON o.id = t.organisation_id JOIN departments d ON d.id = t.department_id`

func scanTrainee(scan func(...any) error) (train.Trainee, error) {
	var tr train.Trainee
	var confirmed, completed sql.NullTime
	err := scan(&tr.ID, &tr.UserID, &tr.Name, &tr.OfferID, &tr.Programme, &tr.Specialism, &tr.Curriculum, &tr.OrganisationID, &tr.Organisation,
		&tr.DepartmentID, &tr.Department, &tr.Region, &tr.TrainingOfficerID, &tr.StartDate, &tr.ExpectedEnd, &tr.Status, &confirmed, &completed, &tr.CreatedAt,
		&tr.ImportedFrom)
	if confirmed.Valid {
		tr.ConfirmedAt = &confirmed.Time
	}
	if completed.Valid {
		tr.CompletedAt = &completed.Time
	}
	return tr, err
}

func nullable(at *time.Time) any {
	if at == nil {
		return nil
	}
	return at.UTC()
}

func zeroNull(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// InsertTrainee saves a new record and its supervisors. The schema
// refuses a second record from one offer.
func (t *trainTx) InsertTrainee(tr *train.Trainee) error {
	id, err := t.tx.Insert(t.ctx, `INSERT INTO trainees (user_id, offer_id, programme, specialism, curriculum, organisation_id, department_id,
		training_officer_id, start_date, expected_end, status, confirmed_at, completed_at, created_at, imported_from)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		tr.UserID, zeroNull(tr.OfferID), tr.Programme, tr.Specialism, tr.Curriculum, tr.OrganisationID, tr.DepartmentID,
		tr.TrainingOfficerID, tr.StartDate, tr.ExpectedEnd, tr.Status, nullable(tr.ConfirmedAt), nullable(tr.CompletedAt), t.tx.Now, tr.ImportedFrom)
	if err != nil {
		return err
	}
	tr.ID, tr.CreatedAt = id, t.tx.Now
	return t.replaceSupervisors(tr)
}

func (t *trainTx) replaceSupervisors(tr *train.Trainee) error {
	if _, err := t.tx.Exec(t.ctx, "DELETE FROM trainee_supervisors WHERE trainee_id = $1", tr.ID); err != nil {
		return err
	}
	for _, id := range tr.Supervisors {
		if _, err := t.tx.Exec(t.ctx, "INSERT INTO trainee_supervisors (trainee_id, user_id) VALUES ($1, $2)", tr.ID, id); err != nil {
			return err
		}
	}
	return nil
}

func (t *trainTx) UpdateTrainee(tr *train.Trainee) error {
	_, err := t.tx.Exec(t.ctx, `UPDATE trainees SET organisation_id = $1, department_id = $2, training_officer_id = $3, expected_end = $4,
		status = $5, confirmed_at = $6, completed_at = $7 WHERE id = $8`,
		tr.OrganisationID, tr.DepartmentID, tr.TrainingOfficerID, tr.ExpectedEnd, tr.Status, nullable(tr.ConfirmedAt), nullable(tr.CompletedAt), tr.ID)
	if err != nil {
		return err
	}
	return t.replaceSupervisors(tr)
}

func (t *trainTx) trainee(id int64, lock string) (*train.Trainee, error) {
	if lock != "" {
		// Lock the trainee's own row (a join cannot be locked whole on
		// PostgreSQL), then read it with its names.
		var n int64
		if err := t.tx.QueryRow(t.ctx, "SELECT id FROM trainees WHERE id = $1"+lock, id).Scan(&n); err != nil {
			if apperr.Code(err) == apperr.NotFound {
				return nil, apperr.Errorf(apperr.NotFound, "there is no trainee %d", id)
			}
			return nil, err
		}
	}
	tr, err := scanTrainee(t.tx.QueryRow(t.ctx, "SELECT "+traineeColumns+" WHERE t.id = $1", id).Scan)
	if apperr.Code(err) == apperr.NotFound {
		return nil, apperr.Errorf(apperr.NotFound, "there is no trainee %d", id)
	}
	if err != nil {
		return nil, err
	}
	if err := t.supervisors([]*train.Trainee{&tr}); err != nil {
		return nil, err
	}
	return &tr, nil
}

func (t *trainTx) Trainee(id int64) (*train.Trainee, error) { return t.trainee(id, "") }

func (t *trainTx) LockTrainee(id int64) (*train.Trainee, error) {
	// SQLite needs no lock: its one writer holds the whole database.
	return t.trainee(id, t.forUpdate())
}

// supervisors fills each record's supervisors.
func (t *trainTx) supervisors(ts []*train.Trainee) error {
	if len(ts) == 0 {
		return nil
	}
	byID := make(map[int64]*train.Trainee, len(ts))
	ids := make([]int64, len(ts))
	for i, tr := range ts {
		byID[tr.ID], ids[i] = tr, tr.ID
		tr.Supervisors = []int64{}
	}
	marks, args := t.idSet(ids)
	type pair struct{ trainee, user int64 }
	pairs, err := queryAll(t, func(scan func(...any) error) (pair, error) {
		var p pair
		return p, scan(&p.trainee, &p.user)
	}, "SELECT trainee_id, user_id FROM trainee_supervisors WHERE trainee_id IN ("+marks+") ORDER BY trainee_id, user_id", args...)
	for _, p := range pairs {
		byID[p.trainee].Supervisors = append(byID[p.trainee].Supervisors, p.user)
	}
	return err
}

func (t *trainTx) Trainees(f train.Filter) ([]train.Trainee, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if !f.All {
		var any []string
		for _, id := range f.UserIDs {
			any = append(any, "t.user_id = "+arg(id))
		}
		for _, d := range f.Departments {
			any = append(any, fmt.Sprintf("(t.organisation_id = %s AND t.department_id = %s)", arg(d.OrganisationID), arg(d.DepartmentID)))
		}
		if f.TeamOf != 0 {
			me := arg(f.TeamOf)
			any = append(any, "t.training_officer_id = "+me, "EXISTS (SELECT 1 FROM trainee_supervisors s WHERE s.trainee_id = t.id AND s.user_id = "+me+")")
		}
		if len(any) == 0 {
			return []train.Trainee{}, nil
		}
		where = append(where, "("+strings.Join(any, " OR ")+")")
	}
	for _, c := range []struct{ column, value string }{{"t.programme", f.Programme}, {"t.specialism", f.Specialism}, {"o.region", f.Region}, {"t.status", f.Status}} {
		if c.value != "" {
			where = append(where, c.column+" = "+arg(c.value))
		}
	}
	q := "SELECT " + traineeColumns
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	ts, err := queryAll(t, scanTrainee, q+" ORDER BY t.start_date, u.name, t.id", args...)
	if err != nil {
		return nil, err
	}
	ptrs := make([]*train.Trainee, len(ts))
	for i := range ts {
		ptrs[i] = &ts[i]
	}
	return ts, t.supervisors(ptrs)
}

func (t *trainTx) InsertChange(c *train.Change) error {
	id, err := t.tx.Insert(t.ctx, `INSERT INTO training_changes (trainee_id, kind, from_date, to_date, percent, to_department_id, reason, recorded_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, c.TraineeID, c.Kind, c.From, c.To, c.Percent, zeroNull(c.ToDepartmentID), c.Reason, zeroNull(c.RecordedBy), t.tx.Now)
	if err != nil {
		return err
	}
	c.ID, c.CreatedAt = id, t.tx.Now
	return nil
}

func (t *trainTx) Changes(traineeIDs []int64) ([]train.Change, error) {
	if len(traineeIDs) == 0 {
		return []train.Change{}, nil
	}
	marks, args := t.idSet(traineeIDs)
	return queryAll(t, func(scan func(...any) error) (train.Change, error) {
		var c train.Change
		var to, by sql.NullInt64
		err := scan(&c.ID, &c.TraineeID, &c.Kind, &c.From, &c.To, &c.Percent, &to, &c.Reason, &by, &c.CreatedAt)
		c.ToDepartmentID, c.RecordedBy = to.Int64, by.Int64
		return c, err
	}, `SELECT id, trainee_id, kind, from_date, to_date, percent, to_department_id, reason, recorded_by, created_at
		FROM training_changes WHERE trainee_id IN (`+marks+`) ORDER BY trainee_id, from_date, id`, args...)
}

func (t *trainTx) History(traineeID int64) ([]train.HistoryEntry, error) {
	return queryAll(t, func(scan func(...any) error) (train.HistoryEntry, error) {
		var h train.HistoryEntry
		var name sql.NullString
		var process string
		err := scan(&h.At, &name, &process, &h.Action, &h.Detail)
		h.Actor = name.String
		if !name.Valid {
			h.Actor = process
		}
		return h, err
	}, `SELECT a.at, u.name, a.process, a.action, a.detail FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
		WHERE a.record_type = $1 AND a.record_id = $2 ORDER BY a.id`, train.RecordType, fmt.Sprint(traineeID))
}

// idSet is a set of ids as one parameter, for "x IN (…)": a JSON array
// read with json_each on SQLite, an array on PostgreSQL. Its SQL is the
// same however many ids there are, so the statement is prepared once and
// reused, where a list of placeholders would be prepared again for every
// length (and SQLite's parse of 500 of them costs more than the read).
func (t *trainTx) idSet(ids []int64) (string, []any) {
	var b strings.Builder
	open, close := "[", "]"
	if t.tx.Dialect == Postgres {
		open, close = "{", "}"
	}
	b.WriteString(open)
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	b.WriteString(close)
	if t.tx.Dialect == Postgres {
		return "SELECT unnest($1::bigint[])", []any{b.String()}
	}
	return "SELECT value FROM json_each($1)", []any{b.String()}
}
