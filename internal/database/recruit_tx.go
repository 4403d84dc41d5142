package database

import (
	"context"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/recruit"
)

// Recruitment is national recruitment's store: it runs the recruit
// service's transactions on this database. The files recruit_*.go load
// and save its rows; the rules are the recruit package's.
type Recruitment struct{ db *DB }

var _ recruit.Store = (*Recruitment)(nil)

// Recruitment returns recruitment's store on this database.
func (db *DB) Recruitment() *Recruitment { return &Recruitment{db: db} }

func (s *Recruitment) Write(ctx context.Context, fn func(recruit.Tx) error) error {
	return s.db.Write(ctx, func(tx *Tx) error { return fn(&recruitTx{ctx: ctx, tx: tx}) })
}

func (s *Recruitment) Read(ctx context.Context, fn func(recruit.Tx) error) error {
	return s.db.Read(ctx, func(tx *Tx) error { return fn(&recruitTx{ctx: ctx, tx: tx}) })
}

// recruitTx is one transaction, as the recruit service sees it.
type recruitTx struct {
	ctx context.Context
	tx  *Tx
}

var _ recruit.Tx = (*recruitTx)(nil)

func (t *recruitTx) Now() time.Time { return t.tx.Now }

// forUpdate locks the rows a SELECT reads until the transaction ends.
// SQLite needs none: its one writer holds the whole database.
func (t *recruitTx) forUpdate() string {
	if t.tx.Dialect == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

func (t *recruitTx) Audit(by auth.Actor, action, recordType string, recordID int64, detail string) error {
	return audit(t.ctx, t.tx, by, action, recordType, recordID, detail)
}

func (t *recruitTx) Send(to recruit.Person, subject, body string) error {
	_, err := t.tx.Insert(t.ctx, "INSERT INTO outbox (user_id, recipient, subject, body, created_at) VALUES ($1, $2, $3, $4, $5)",
		to.ID, to.Email, subject, body, t.tx.Now)
	return err
}

func (t *recruitTx) Person(userID int64) (*recruit.Person, error) {
	var p recruit.Person
	err := t.tx.QueryRow(t.ctx, "SELECT id, name, email FROM users WHERE id = $1", userID).Scan(&p.ID, &p.Name, &p.Email)
	if apperr.Code(err) == apperr.NotFound {
		return nil, apperr.Errorf(apperr.NotFound, "there is no user %d", userID)
	}
	return &p, err
}

func (t *recruitTx) PersonByEmail(email string) (*recruit.Person, error) {
	var p recruit.Person
	err := t.tx.QueryRow(t.ctx, "SELECT id, name, email FROM users WHERE email = $1 AND erased_at IS NULL", email).Scan(&p.ID, &p.Name, &p.Email)
	if apperr.Code(err) == apperr.NotFound {
		return nil, apperr.Errorf(apperr.NotFound, "there is no account for %s", email)
	}
	return &p, err
}

func (t *recruitTx) EmployersOf(userID int64) ([]int64, error) {
	return queryAll(t, func(scan func(...any) error) (int64, error) {
		var id int64
		return id, scan(&id)
	}, "SELECT organisation_id FROM grants WHERE user_id = $1 AND role = 'employer-recruiter' ORDER BY organisation_id", userID)
}

func (t *recruitTx) Organisation(id int64) (*auth.Organisation, error) {
	var o auth.Organisation
	err := t.tx.QueryRow(t.ctx, "SELECT id, kind, name, region, created_at FROM organisations WHERE id = $1", id).
		Scan(&o.ID, &o.Kind, &o.Name, &o.Region, &o.CreatedAt)
	if apperr.Code(err) == apperr.NotFound {
		return nil, apperr.Errorf(apperr.NotFound, "there is no organisation %d", id)
	}
	return &o, err
}

// scoped is a domain's view of one transaction: its context and the
// transaction.
type scoped interface{ scope() (context.Context, *Tx) }

func (t *recruitTx) scope() (context.Context, *Tx) { return t.ctx, t.tx }

// queryAll runs a query and scans every row with scan.
func queryAll[T any](t scoped, scan func(func(...any) error) (T, error), query string, args ...any) ([]T, error) {
	ctx, tx := t.scope()
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows.Scan)
		if err != nil {
			return nil, mapError(err)
		}
		out = append(out, v)
	}
	return out, mapError(rows.Err())
}
