package database

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/auth"
)

var _ auth.Store = (*DB)(nil)

// audit appends an entry to the audit log inside tx.
func audit(ctx context.Context, tx *Tx, by auth.Actor, action, recordType string, recordID int64, detail string) error {
	return auditID(ctx, tx, by, action, recordType, strconv.FormatInt(recordID, 10), detail)
}

func auditID(ctx context.Context, tx *Tx, by auth.Actor, action, recordType, recordID, detail string) error {
	return tx.ExecLater(ctx, `INSERT INTO audit_log (at, actor_id, process, action, record_type, record_id, address, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, tx.Now, actorID(by), by.Process, action, recordType, recordID, by.Address, detail)
}

// actorID is the audit log's actor_id for by: NULL for the system.
func actorID(by auth.Actor) any {
	if by.UserID != 0 {
		return by.UserID
	}
	return nil
}

// insertAudited inserts a record and its audit entry in one transaction,
// and stores the record's id in *id. insert is an INSERT of one row
// without RETURNING, with its arguments args; fail words its error (a
// unique violation, say). On PostgreSQL the two are one statement sent
// with the transaction's COMMIT (Tx.QueryRowLater), so a write that
// creates and audits a record is one round trip, and *id is set only
// once Write returns: nothing in the same transaction may use it.
func insertAudited(ctx context.Context, tx *Tx, by auth.Actor, action, recordType, detail string, id *int64, fail func(error) error, insert string, args ...any) error {
	if tx.Dialect != Postgres {
		v, err := tx.Insert(ctx, insert, args...)
		if err != nil {
			return fail(err)
		}
		*id = v
		return audit(ctx, tx, by, action, recordType, v, detail)
	}
	n := len(args)
	query := fmt.Sprintf(`WITH r AS (%s RETURNING id),
		a AS (INSERT INTO audit_log (at, actor_id, process, action, record_type, record_id, address, detail)
			SELECT $%d::timestamptz, $%d::bigint, $%d::text, $%d::text, $%d::text, r.id::text, $%d::text, $%d::text FROM r)
		SELECT id FROM r`, insert, n+1, n+2, n+3, n+4, n+5, n+6, n+7)
	args = slices.Concat(args, []any{tx.Now, actorID(by), by.Process, action, recordType, by.Address, detail})
	return tx.QueryRowLater(ctx, []any{id}, fail, query, args...)
}

func (db *DB) CreateOrganisation(ctx context.Context, by auth.Actor, o *auth.Organisation) error {
	if err := o.Validate(); err != nil {
		return err
	}
	return db.Write(ctx, func(tx *Tx) error {
		o.CreatedAt = tx.Now
		conflict := func(err error) error {
			if apperr.Code(err) == apperr.Conflict {
				return &apperr.Error{Code: apperr.Conflict, Field: "name", Message: fmt.Sprintf("An organisation called %q already exists", o.Name), Err: err}
			}
			return err
		}
		return insertAudited(ctx, tx, by, "organisation.create", "organisation", o.Kind+" in "+o.Region, &o.ID, conflict,
			"INSERT INTO organisations (kind, name, region, created_at) VALUES ($1, $2, $3, $4)", o.Kind, o.Name, o.Region, tx.Now)
	})
}

func (db *DB) Organisations(ctx context.Context, ids []int64) ([]auth.Organisation, error) {
	var out []auth.Organisation
	err := db.Read(ctx, func(tx *Tx) error {
		q := "SELECT id, kind, name, region, created_at FROM organisations"
		var args []any
		if ids != nil {
			if len(ids) == 0 {
				return nil
			}
			marks := make([]string, len(ids))
			for i, id := range ids {
				marks[i] = fmt.Sprintf("$%d", i+1)
				args = append(args, id)
			}
			q += " WHERE id IN (" + strings.Join(marks, ", ") + ")"
		}
		rows, err := tx.Query(ctx, q+" ORDER BY name", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var o auth.Organisation
			if err := rows.Scan(&o.ID, &o.Kind, &o.Name, &o.Region, &o.CreatedAt); err != nil {
				return err
			}
			out = append(out, o)
		}
		return rows.Err()
	})
	return out, err
}

// Organisation returns an organisation and its departments. It is one
// statement with no transaction around it (a single statement reads one
// snapshot): one round trip on PostgreSQL instead of four.
func (db *DB) Organisation(ctx context.Context, id int64) (*auth.Organisation, []auth.Department, error) {
	var o *auth.Organisation
	depts := []auth.Department{}
	err := db.queryRows(ctx, func(rows *sql.Rows) error {
		for rows.Next() {
			var row auth.Organisation
			var deptID sql.NullInt64
			var deptName, specialism sql.NullString
			var deptCreated sql.NullTime
			if err := rows.Scan(&row.ID, &row.Kind, &row.Name, &row.Region, &row.CreatedAt,
				&deptID, &deptName, &specialism, &deptCreated); err != nil {
				return err
			}
			if o == nil {
				o = &row
			}
			if deptID.Valid {
				depts = append(depts, auth.Department{ID: deptID.Int64, OrganisationID: o.ID, Name: deptName.String,
					Specialism: specialism.String, CreatedAt: deptCreated.Time})
			}
		}
		return nil
	}, `SELECT o.id, o.kind, o.name, o.region, o.created_at, d.id, d.name, d.specialism, d.created_at
		FROM organisations o LEFT JOIN departments d ON d.organisation_id = o.id
		WHERE o.id = $1 ORDER BY d.name`, id)
	if err != nil {
		return nil, nil, err
	}
	if o == nil {
		return nil, nil, apperr.Errorf(apperr.NotFound, "there is no organisation %d", id)
	}
	return o, depts, nil
}

func (db *DB) CreateDepartment(ctx context.Context, by auth.Actor, d *auth.Department) error {
	if err := d.Validate(); err != nil {
		return err
	}
	return db.Write(ctx, func(tx *Tx) error {
		d.CreatedAt = tx.Now
		refused := func(err error) error {
			switch apperr.Code(err) {
			case apperr.Conflict:
				return &apperr.Error{Code: apperr.Conflict, Field: "name", Message: fmt.Sprintf("This organisation already has a department called %q", d.Name), Err: err}
			case apperr.Invalid:
				return &apperr.Error{Code: apperr.NotFound, Field: "organisation_id", Message: fmt.Sprintf("there is no organisation %d", d.OrganisationID), Err: err}
			}
			return err
		}
		return insertAudited(ctx, tx, by, "department.create", "department", "organisation "+strconv.FormatInt(d.OrganisationID, 10), &d.ID, refused,
			"INSERT INTO departments (organisation_id, name, specialism, created_at) VALUES ($1, $2, $3, $4)", d.OrganisationID, d.Name, d.Specialism, tx.Now)
	})
}

func (db *DB) Department(ctx context.Context, id int64) (*auth.Department, error) {
	var d auth.Department
	err := db.Read(ctx, func(tx *Tx) error {
		return tx.QueryRow(ctx, "SELECT id, organisation_id, name, specialism, created_at FROM departments WHERE id = $1", id).
			Scan(&d.ID, &d.OrganisationID, &d.Name, &d.Specialism, &d.CreatedAt)
	})
	if apperr.Code(err) == apperr.NotFound {
		return nil, apperr.Errorf(apperr.NotFound, "there is no department %d", id)
	}
	return &d, err
}

func (db *DB) Departments(ctx context.Context) ([]auth.Department, error) {
	var out []auth.Department
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		out, err = queryDepartments(ctx, tx, "ORDER BY (SELECT name FROM organisations o WHERE o.id = d.organisation_id), d.name")
		return err
	})
	return out, err
}

// queryDepartments reads departments, narrowed and ordered by the rest of
// the query.
func queryDepartments(ctx context.Context, tx *Tx, rest string, args ...any) ([]auth.Department, error) {
	rows, err := tx.Query(ctx, "SELECT d.id, d.organisation_id, d.name, d.specialism, d.created_at FROM departments d "+rest, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []auth.Department{}
	for rows.Next() {
		var d auth.Department
		if err := rows.Scan(&d.ID, &d.OrganisationID, &d.Name, &d.Specialism, &d.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func (db *DB) DepartmentPeople(ctx context.Context, departmentID int64) ([]auth.User, error) {
	out := []auth.User{}
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+userColumns+` FROM users WHERE erased_at IS NULL
			AND id IN (SELECT user_id FROM grants WHERE department_id = $1) ORDER BY name, id`, departmentID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			u, err := scanUser(rows.Scan)
			if err != nil {
				return err
			}
			u.PasswordHash = ""
			out = append(out, *u)
		}
		return rows.Err()
	})
	return out, err
}

func (db *DB) CreateUser(ctx context.Context, by auth.Actor, u *auth.User, passwordHash string, grants []auth.Grant) error {
	return db.Write(ctx, func(tx *Tx) error { return createUser(ctx, tx, by, u, passwordHash, grants) })
}

func createUser(ctx context.Context, tx *Tx, by auth.Actor, u *auth.User, passwordHash string, grants []auth.Grant) error {
	var err error
	if u.Email, err = auth.CheckEmail(u.Email); err != nil {
		return err
	}
	if u.Name, err = auth.CheckName(u.Name); err != nil {
		return err
	}
	for i := range grants {
		if err := grants[i].Validate(); err != nil {
			return err
		}
	}
	id, err := tx.Insert(ctx, "INSERT INTO users (email, name, password_hash, created_at) VALUES ($1, $2, $3, $4)", u.Email, u.Name, passwordHash, tx.Now)
	if apperr.Code(err) == apperr.Conflict {
		return &apperr.Error{Code: apperr.Conflict, Field: "email", Message: "An account with that email address already exists.", Err: err}
	}
	if err != nil {
		return err
	}
	u.ID, u.CreatedAt = id, tx.Now
	if by.SigningUp {
		by.UserID = id
	}
	if err := audit(ctx, tx, by, "user.create", "user", id, ""); err != nil {
		return err
	}
	u.Grants = []auth.Grant{}
	for _, g := range grants {
		g.UserID = id
		if err := addGrant(ctx, tx, by, &g); err != nil {
			return err
		}
		u.Grants = append(u.Grants, g)
	}
	return nil
}

// addGrant stores a grant. A department grant records the department's
// organisation whichever way it was made (with a new user or afterwards),
// so that every scope check sees both; an organisation given with it must
// be the department's own.
func addGrant(ctx context.Context, tx *Tx, by auth.Actor, g *auth.Grant) error {
	if g.DepartmentID != 0 {
		var org int64
		if err := tx.QueryRow(ctx, "SELECT organisation_id FROM departments WHERE id = $1", g.DepartmentID).Scan(&org); err != nil {
			if apperr.Code(err) == apperr.NotFound {
				return apperr.Invalidf("department_id", "there is no department %d", g.DepartmentID)
			}
			return err
		}
		if g.OrganisationID != 0 && g.OrganisationID != org {
			return apperr.Invalidf("organisation_id", "department %d belongs to organisation %d, not %d", g.DepartmentID, org, g.OrganisationID)
		}
		g.OrganisationID = org
	}
	id, err := tx.Insert(ctx, "INSERT INTO grants (user_id, role, organisation_id, department_id, round_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
		g.UserID, string(g.Role), nullID(g.OrganisationID), nullID(g.DepartmentID), nullID(g.RoundID), tx.Now)
	switch apperr.Code(err) {
	case apperr.Conflict:
		return &apperr.Error{Code: apperr.Conflict, Field: "role", Message: "They already have that role", Err: err}
	case apperr.Invalid:
		return &apperr.Error{Code: apperr.Invalid, Field: "organisation_id", Message: "The user, organisation, department or round does not exist", Err: err}
	}
	if err != nil {
		return err
	}
	g.ID, g.CreatedAt = id, tx.Now
	return audit(ctx, tx, by, "grant.add", "user", g.UserID, g.String())
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func (db *DB) AddGrant(ctx context.Context, by auth.Actor, g *auth.Grant) error {
	if err := g.Validate(); err != nil {
		return err
	}
	return db.Write(ctx, func(tx *Tx) error {
		u, err := userByID(ctx, tx, g.UserID)
		if err != nil {
			return err
		}
		if u.ErasedAt != nil {
			return apperr.Errorf(apperr.Conflict, "user %d's personal data was erased; they cannot be given a role", g.UserID)
		}
		return addGrant(ctx, tx, by, g)
	})
}

// SetPassword replaces a password, voids the account's reset links and
// ends every session except keepSession (a token hash; "" ends them all).
func (db *DB) SetPassword(ctx context.Context, by auth.Actor, userID int64, hash, keepSession string) error {
	return db.Write(ctx, func(tx *Tx) error {
		if err := replacePassword(ctx, tx, userID, hash, keepSession); err != nil {
			return err
		}
		detail := "all sessions ended"
		if keepSession != "" {
			detail = "other sessions ended"
		}
		return audit(ctx, tx, by, "password.set", "user", userID, detail)
	})
}

func (db *DB) RevokeGrant(ctx context.Context, by auth.Actor, userID, grantID int64) error {
	return db.Write(ctx, func(tx *Tx) error {
		var role string
		if err := tx.QueryRow(ctx, "SELECT role FROM grants WHERE id = $1 AND user_id = $2", grantID, userID).Scan(&role); err != nil {
			if apperr.Code(err) == apperr.NotFound {
				return apperr.Errorf(apperr.NotFound, "user %d has no grant %d", userID, grantID)
			}
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM grants WHERE id = $1", grantID); err != nil {
			return err
		}
		return audit(ctx, tx, by, "grant.revoke", "user", userID, role)
	})
}

const userColumns = "id, email, name, password_hash, created_at, erased_at"

func scanUser(scan func(...any) error) (*auth.User, error) {
	var u auth.User
	var erased sql.NullTime
	if err := scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &u.CreatedAt, &erased); err != nil {
		return nil, err
	}
	if erased.Valid {
		u.ErasedAt = &erased.Time
	}
	return &u, nil
}

func userByID(ctx context.Context, tx *Tx, id int64) (*auth.User, error) {
	u, err := scanUser(tx.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE id = $1", id).Scan)
	if apperr.Code(err) == apperr.NotFound {
		return nil, apperr.Errorf(apperr.NotFound, "there is no user %d", id)
	}
	if err != nil {
		return nil, err
	}
	u.Grants, err = grantsOf(ctx, tx, id)
	return u, err
}

func grantsOf(ctx context.Context, tx *Tx, userID int64) ([]auth.Grant, error) {
	rows, err := tx.Query(ctx, "SELECT id, user_id, role, organisation_id, department_id, round_id, created_at FROM grants WHERE user_id = $1 ORDER BY id", userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	grants := []auth.Grant{}
	for rows.Next() {
		var g auth.Grant
		var org, dept, round sql.NullInt64
		var role string
		if err := rows.Scan(&g.ID, &g.UserID, &role, &org, &dept, &round, &g.CreatedAt); err != nil {
			return nil, err
		}
		g.Role, g.OrganisationID, g.DepartmentID, g.RoundID = auth.Role(role), org.Int64, dept.Int64, round.Int64
		grants = append(grants, g)
	}
	return grants, rows.Err()
}

func (db *DB) User(ctx context.Context, id int64) (*auth.User, error) {
	var u *auth.User
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		u, err = userByID(ctx, tx, id)
		return err
	})
	return u, err
}

func (db *DB) UserByEmail(ctx context.Context, email string) (*auth.User, error) {
	var u *auth.User
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		u, err = scanUser(tx.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE email = $1", auth.NormaliseEmail(email)).Scan)
		if err != nil {
			return err
		}
		u.Grants, err = grantsOf(ctx, tx, u.ID)
		return err
	})
	return u, err
}

func (db *DB) Users(ctx context.Context) ([]auth.User, error) {
	var out []auth.User
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, "SELECT "+userColumns+" FROM users ORDER BY id")
		if err != nil {
			return err
		}
		for rows.Next() {
			u, err := scanUser(rows.Scan)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, *u)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range out {
			if out[i].Grants, err = grantsOf(ctx, tx, out[i].ID); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

func (db *DB) CreateSession(ctx context.Context, by auth.Actor, userID int64, tokenHash string, lifetime time.Duration) error {
	return db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at) VALUES ($1, $2, $3, $4, $3)",
			tokenHash, userID, tx.Now, tx.Now.Add(lifetime)); err != nil {
			return err
		}
		return audit(ctx, tx, by, "session.create", "user", userID, "")
	})
}

// SessionPrincipal returns the signed-in person for a session token's
// hash, or not_found when the session does not exist or has expired. It is
// asked on every signed-in request, so it is one statement, one round
// trip: the session, its user and the user's grants joined, with no
// transaction around it (a single statement reads one snapshot). On
// PostgreSQL, where that is a round trip, the answer is kept for the next
// request and forgotten when anything it rests on changes (principals.go).
func (db *DB) SessionPrincipal(ctx context.Context, tokenHash string) (*auth.Principal, error) {
	if db.Dialect != Postgres {
		p, _, err := db.sessionPrincipal(ctx, tokenHash)
		return p, err
	}
	db.principals.listen(db.url, db.pingPrincipals)
	now := db.Now().UTC()
	if p, ok := db.principals.get(tokenHash, now); ok {
		return p, nil
	}
	gen, live := db.principals.generation()
	p, expires, err := db.sessionPrincipal(ctx, tokenHash)
	if err == nil && live {
		db.principals.put(gen, tokenHash, p, expires, now)
	}
	return p, err
}

// pingPrincipals sends the ping every process's principal cache listens
// for (principals.go) on one of the pool's connections. It does not queue
// for admission behind the requests (db.admit): when the pool is busy it
// takes the next connection given back, so a long queue of requests does
// not delay the pings into a silence that would turn the keeping off and
// send every session check to the database, making the queue longer.
func (db *DB) pingPrincipals(ctx context.Context) error {
	_, err := whileRefused(ctx, func() (sql.Result, error) {
		return db.read.ExecContext(ctx, "SELECT pg_notify($1, $2)", principalsChannel, pingPayload)
	})
	return err
}

// sessionPrincipal reads the signed-in person for a session token's hash,
// and when the session ends.
func (db *DB) sessionPrincipal(ctx context.Context, tokenHash string) (*auth.Principal, time.Time, error) {
	var u *auth.User
	var expires time.Time
	err := db.queryRows(ctx, func(rows *sql.Rows) error {
		for rows.Next() {
			var gid, org, dept, round sql.NullInt64
			var role sql.NullString
			var created, ends sql.NullTime
			row, err := scanUser(func(dest ...any) error {
				return rows.Scan(append(dest, &gid, &role, &org, &dept, &round, &created, &ends)...)
			})
			if err != nil {
				return err
			}
			if u == nil {
				u = row
				u.Grants = []auth.Grant{}
				expires = ends.Time
			}
			if gid.Valid {
				u.Grants = append(u.Grants, auth.Grant{ID: gid.Int64, UserID: u.ID, Role: auth.Role(role.String),
					OrganisationID: org.Int64, DepartmentID: dept.Int64, RoundID: round.Int64, CreatedAt: created.Time})
			}
		}
		return nil
	}, `SELECT u.id, u.email, u.name, u.password_hash, u.created_at, u.erased_at,
			g.id, g.role, g.organisation_id, g.department_id, g.round_id, g.created_at, s.expires_at
		FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN grants g ON g.user_id = u.id
		WHERE s.token_hash = $1 AND s.expires_at > $2 ORDER BY g.id`, tokenHash, db.Now().UTC().Truncate(time.Microsecond))
	if err != nil {
		return nil, time.Time{}, err
	}
	switch {
	case u == nil:
		return nil, time.Time{}, apperr.Errorf(apperr.NotFound, "no such session")
	case u.ErasedAt != nil:
		return nil, time.Time{}, apperr.Errorf(apperr.NotFound, "account erased")
	}
	return &auth.Principal{User: u, Grants: u.Grants}, expires, nil
}

func (db *DB) DeleteSession(ctx context.Context, by auth.Actor, tokenHash string) error {
	return db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, "DELETE FROM sessions WHERE token_hash = $1", tokenHash)
		if err != nil {
			return err
		}
		return audit(ctx, tx, by, "session.delete", "user", by.UserID, "")
	})
}

func (db *DB) DeleteUserSessions(ctx context.Context, by auth.Actor, userID int64) error {
	return db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM sessions WHERE user_id = $1", userID); err != nil {
			return err
		}
		return audit(ctx, tx, by, "session.delete-all", "user", userID, "signed out everywhere")
	})
}

// ClaimAttempts counts an attempt under every key before the attempt is
// checked. Each key's counter is one row, updated in place, so parallel
// attempts queue on its lock (PostgreSQL) or on the single writer
// (SQLite) and at most Max of them can ever be counted in a window. When
// any key is at its limit nothing is counted and the answer is
// too_many_requests.
func (db *DB) ClaimAttempts(ctx context.Context, limits []auth.AttemptLimit, window time.Duration) error {
	return db.Write(ctx, func(tx *Tx) error {
		since := tx.Now.Add(-window)
		for _, l := range limits {
			var n int
			err := tx.QueryRow(ctx, `INSERT INTO sign_in_limits (key, window_start, attempts) VALUES ($1, $2, 1)
				ON CONFLICT (key) DO UPDATE SET
					attempts = CASE WHEN sign_in_limits.window_start <= $3 THEN 1 ELSE sign_in_limits.attempts + 1 END,
					window_start = CASE WHEN sign_in_limits.window_start <= $3 THEN $2 ELSE sign_in_limits.window_start END
				RETURNING attempts`, l.Key, tx.Now, since).Scan(&n)
			if err != nil {
				return err
			}
			if n > l.Max {
				return auth.ErrTooManyAttempts
			}
		}
		// Counters whose window has passed have no use.
		_, err := tx.Exec(ctx, "DELETE FROM sign_in_limits WHERE window_start <= $1", tx.Now.Add(-24*time.Hour))
		return err
	})
}

// ReleaseAttempts gives back an attempt under each key, for one that
// succeeded.
func (db *DB) ReleaseAttempts(ctx context.Context, keys []string) error {
	return db.Write(ctx, func(tx *Tx) error {
		for _, k := range keys {
			if _, err := tx.Exec(ctx, "UPDATE sign_in_limits SET attempts = attempts - 1 WHERE key = $1 AND attempts > 0", k); err != nil {
				return err
			}
		}
		return nil
	})
}

// CreatePasswordReset makes a link for an account an administrator has
// just created, and puts it in the outbox.
func (db *DB) CreatePasswordReset(ctx context.Context, by auth.Actor, userID int64, tokenHash string, lifetime time.Duration, msg auth.Message) error {
	return db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)", tokenHash, userID, tx.Now, tx.Now.Add(lifetime)); err != nil {
			return err
		}
		msg.UserID = userID
		if err := enqueue(ctx, tx, msg); err != nil {
			return err
		}
		return audit(ctx, tx, by, "password-reset.request", "user", userID, "")
	})
}

// enqueue puts a message in the outbox.
func enqueue(ctx context.Context, tx *Tx, m auth.Message) error {
	_, err := tx.Insert(ctx, "INSERT INTO outbox (user_id, recipient, subject, body, created_at) VALUES ($1, $2, $3, $4, $5)",
		nullID(m.UserID), m.Recipient, m.Subject, m.Body, tx.Now)
	return err
}

// enqueueLimited puts a message in the outbox unless the recipient has
// had max messages with the same subject in the past hour, so that a
// public form cannot be used to flood someone's inbox. It reports whether
// the message was queued.
func enqueueLimited(ctx context.Context, tx *Tx, m auth.Message, max int) (bool, error) {
	var n int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM outbox WHERE recipient = $1 AND subject = $2 AND created_at > $3",
		m.Recipient, m.Subject, tx.Now.Add(-time.Hour)).Scan(&n); err != nil {
		return false, err
	}
	if n >= max {
		return false, nil
	}
	return true, enqueue(ctx, tx, m)
}

// activeUserByEmail finds the account using an address, or nil.
func activeUserByEmail(ctx context.Context, tx *Tx, email string) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, "SELECT id FROM users WHERE email = $1 AND erased_at IS NULL", email).Scan(&id)
	if apperr.Code(err) == apperr.NotFound {
		return 0, nil
	}
	return id, err
}

// RequestPasswordReset takes the same path whether or not the address has
// an account: one message in the outbox (the link, or a note that no
// account uses the address) and one audit entry.
func (db *DB) RequestPasswordReset(ctx context.Context, by auth.Actor, r auth.ResetRequest) error {
	return db.Write(ctx, func(tx *Tx) error {
		userID, err := activeUserByEmail(ctx, tx, r.Email)
		if err != nil {
			return err
		}
		msg, recordType, recordID := r.NoAccount, "email", auth.AccountKey(r.Email)
		if userID != 0 {
			if _, err := tx.Exec(ctx, "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
				r.TokenHash, userID, tx.Now, tx.Now.Add(r.Lifetime)); err != nil {
				return err
			}
			msg, recordType, recordID = r.Link, "user", strconv.FormatInt(userID, 10)
			msg.UserID = userID
		}
		msg.Recipient = r.Email
		sent, err := enqueueLimited(ctx, tx, msg, r.MaxPerHour)
		if err != nil {
			return err
		}
		detail := ""
		if !sent {
			detail = "no message sent: the address has had enough this hour"
		}
		return auditID(ctx, tx, by, "password-reset.request", recordType, recordID, detail)
	})
}

// resetUser finds the account a usable reset link belongs to.
func resetUser(ctx context.Context, tx *Tx, tokenHash string) (int64, error) {
	var userID int64
	var expires time.Time
	var used sql.NullTime
	err := tx.QueryRow(ctx, "SELECT user_id, expires_at, used_at FROM password_resets WHERE token_hash = $1", tokenHash).Scan(&userID, &expires, &used)
	switch {
	case apperr.Code(err) == apperr.NotFound:
		return 0, auth.ErrResetLinkUnknown
	case err != nil:
		return 0, err
	case used.Valid:
		return 0, apperr.Invalidf("token", "This password reset link has already been used, or a newer one has been. Ask for a new one.")
	case !expires.After(tx.Now):
		return 0, apperr.Invalidf("token", "This password reset link has expired. Ask for a new one.")
	}
	return userID, nil
}

// CheckPasswordReset reports whether a reset link can still be used.
func (db *DB) CheckPasswordReset(ctx context.Context, tokenHash string) error {
	return db.Read(ctx, func(tx *Tx) error {
		_, err := resetUser(ctx, tx, tokenHash)
		return err
	})
}

// ResetPassword uses a reset link once: it must exist, be unused and be
// unexpired. The new password replaces the old, every other link to the
// account stops working and every session ends.
func (db *DB) ResetPassword(ctx context.Context, by auth.Actor, tokenHash, newHash string) (int64, error) {
	var userID int64
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		if userID, err = resetUser(ctx, tx, tokenHash); err != nil {
			return err
		}
		if err := replacePassword(ctx, tx, userID, newHash, ""); err != nil {
			return err
		}
		if by.UserID == 0 {
			by.UserID = userID // only the account's holder has the link
		}
		return audit(ctx, tx, by, "password-reset.complete", "user", userID, "all sessions ended; other links void")
	})
	return userID, err
}

// replacePassword sets a new password hash, voids every unused reset link
// and ends every session but the one kept (a token hash, or "").
func replacePassword(ctx context.Context, tx *Tx, userID int64, hash, keepSession string) error {
	res, err := tx.Exec(ctx, "UPDATE users SET password_hash = $1 WHERE id = $2 AND erased_at IS NULL", hash, userID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.Errorf(apperr.NotFound, "there is no user %d", userID)
	}
	if _, err := tx.Exec(ctx, "UPDATE password_resets SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL", userID, tx.Now); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, "DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2", userID, keepSession)
	return err
}

func messages(ctx context.Context, tx *Tx, where string, limit int, args ...any) ([]auth.Message, error) {
	rows, err := tx.Query(ctx, fmt.Sprintf(`SELECT id, user_id, recipient, subject, body, created_at, sent_at, attempts, next_attempt_at, last_error
		FROM outbox %s ORDER BY id DESC LIMIT %d`, where, limit), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []auth.Message{}
	for rows.Next() {
		var m auth.Message
		var uid sql.NullInt64
		var sent, next sql.NullTime
		if err := rows.Scan(&m.ID, &uid, &m.Recipient, &m.Subject, &m.Body, &m.CreatedAt, &sent, &m.Attempts, &next, &m.LastError); err != nil {
			return nil, err
		}
		m.UserID = uid.Int64
		if sent.Valid {
			m.SentAt = &sent.Time
		}
		if next.Valid {
			m.NextAttemptAt = &next.Time
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func (db *DB) Outbox(ctx context.Context, limit int) ([]auth.Message, error) {
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	var out []auth.Message
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		out, err = messages(ctx, tx, "", limit)
		return err
	})
	return out, err
}

func auditEntries(ctx context.Context, tx *Tx, f auth.AuditFilter) ([]auth.AuditEntry, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.RecordType != "" {
		add("record_type = $%d", f.RecordType)
	}
	if f.RecordID != "" {
		add("record_id = $%d", f.RecordID)
	}
	if f.ActorID != 0 {
		add("actor_id = $%d", f.ActorID)
	}
	q := "SELECT id, at, actor_id, process, action, record_type, record_id, address, detail FROM audit_log"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 || limit > 100000 {
		limit = 500
	}
	rows, err := tx.Query(ctx, fmt.Sprintf("%s ORDER BY id DESC LIMIT %d", q, limit), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []auth.AuditEntry{}
	for rows.Next() {
		var e auth.AuditEntry
		var actor sql.NullInt64
		if err := rows.Scan(&e.ID, &e.At, &actor, &e.Process, &e.Action, &e.RecordType, &e.RecordID, &e.Address, &e.Detail); err != nil {
			return nil, err
		}
		e.ActorID = actor.Int64
		out = append(out, e)
	}
	return out, rows.Err()
}

func (db *DB) Audit(ctx context.Context, f auth.AuditFilter) ([]auth.AuditEntry, error) {
	var out []auth.AuditEntry
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		out, err = auditEntries(ctx, tx, f)
		return err
	})
	return out, err
}

// RequestSignUp takes the same path whether or not the address already
// has an account: one message (a link to finish signing up, or a note
// that the address has an account) and one audit entry.
func (db *DB) RequestSignUp(ctx context.Context, by auth.Actor, r auth.SignUpRequest) error {
	return db.Write(ctx, func(tx *Tx) error {
		userID, err := activeUserByEmail(ctx, tx, r.Email)
		if err != nil {
			return err
		}
		// Requests that can no longer be used have no purpose.
		if _, err := tx.Exec(ctx, "DELETE FROM sign_up_requests WHERE expires_at <= $1 OR used_at IS NOT NULL", tx.Now); err != nil {
			return err
		}
		msg, recordType, recordID := r.Existing, "user", strconv.FormatInt(userID, 10)
		if userID == 0 {
			if _, err := tx.Insert(ctx, `INSERT INTO sign_up_requests (token_hash, email, name, password_hash, created_at, expires_at)
				VALUES ($1, $2, $3, $4, $5, $6)`, r.TokenHash, r.Email, r.Name, r.PasswordHash, tx.Now, tx.Now.Add(r.Lifetime)); err != nil {
				return err
			}
			// The audit names the address by its hash, never the address.
			msg, recordType, recordID = r.Confirm, "email", auth.AccountKey(r.Email)
		}
		msg.Recipient, msg.UserID = r.Email, userID
		sent, err := enqueueLimited(ctx, tx, msg, r.MaxPerHour)
		if err != nil {
			return err
		}
		detail := ""
		if !sent {
			detail = "no message sent: the address has had enough this hour"
		}
		return auditID(ctx, tx, by, "sign-up.request", recordType, recordID, detail)
	})
}

// signUpRequest finds a usable sign-up link.
func signUpRequest(ctx context.Context, tx *Tx, tokenHash string) (id int64, u auth.User, hash string, err error) {
	var expires time.Time
	var used sql.NullTime
	err = tx.QueryRow(ctx, "SELECT id, email, name, password_hash, expires_at, used_at FROM sign_up_requests WHERE token_hash = $1", tokenHash).
		Scan(&id, &u.Email, &u.Name, &hash, &expires, &used)
	switch {
	case apperr.Code(err) == apperr.NotFound:
		err = auth.ErrSignUpLinkUnknown
	case err != nil:
	case used.Valid:
		err = apperr.Invalidf("token", "This link has already been used. Sign in with your email address and password.")
	case !expires.After(tx.Now):
		err = apperr.Invalidf("token", "This link has expired. Create your account again to get a new one.")
	}
	return id, u, hash, err
}

// CheckSignUp reports whether a sign-up link can still be used.
func (db *DB) CheckSignUp(ctx context.Context, tokenHash string) error {
	return db.Read(ctx, func(tx *Tx) error {
		_, _, _, err := signUpRequest(ctx, tx, tokenHash)
		return err
	})
}

// CompleteSignUp uses a sign-up link once, creating the applicant account
// it was asked for.
func (db *DB) CompleteSignUp(ctx context.Context, by auth.Actor, tokenHash string) (*auth.User, error) {
	var u auth.User
	err := db.Write(ctx, func(tx *Tx) error {
		id, req, hash, err := signUpRequest(ctx, tx, tokenHash)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE sign_up_requests SET used_at = $2, password_hash = '' WHERE id = $1", id, tx.Now); err != nil {
			return err
		}
		u = req
		by.SigningUp = true
		err = createUser(ctx, tx, by, &u, hash, []auth.Grant{{Role: auth.RoleApplicant}})
		if apperr.Code(err) == apperr.Conflict {
			return apperr.Invalidf("token", "An account with this email address was created in the meantime. Sign in, or reset your password.")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}
