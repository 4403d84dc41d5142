package database

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/privacy"
)

var _ privacy.Store = (*DB)(nil)

// register is every capability's registration of the personal data its
// tables hold. A new capability adds its own here; the register test
// fails until every table the migrations create is in it.
var register = privacy.Register{
	Personal: slices.Concat(accountsPersonal.Personal, recruitmentPersonal.Personal, trainingPersonal.Personal, workforcePersonal.Personal),
	Free:     slices.Concat(accountsPersonal.Free, recruitmentPersonal.Free, trainingPersonal.Free, workforcePersonal.Free),
}

// Register is every capability's registration.
func (db *DB) Register() privacy.Register { return register }

var subjectParam = regexp.MustCompile(`\$([1-4])\b`)

// bind renumbers the subject parameters a condition uses ($1 to $4) from
// $first, in the order they first appear, and returns their values:
// PostgreSQL needs every parameter it is given to appear in the query.
func bind(cond string, s privacy.Subject, first int) (string, []any) {
	all := s.Args()
	number := map[string]string{}
	var args []any
	out := subjectParam.ReplaceAllStringFunc(cond, func(p string) string {
		if n, ok := number[p]; ok {
			return n
		}
		i, _ := strconv.Atoi(p[1:])
		args = append(args, all[i-1])
		number[p] = "$" + strconv.Itoa(first+len(args)-1)
		return number[p]
	})
	return out, args
}

// Collect loads, in one snapshot, every registered table's rows about the
// subject, the ids of their records by audit type, and the audit entries
// they made or that are about those records.
func (db *DB) Collect(ctx context.Context, s privacy.Subject) (*privacy.Collected, error) {
	c := &privacy.Collected{Theirs: map[string][]string{"email": {s.AttemptKey}}}
	err := db.Read(ctx, func(tx *Tx) error {
		tables, err := catalogue(ctx, tx)
		if err != nil {
			return err
		}
		byName := map[string]Table{}
		for _, t := range tables {
			byName[t.Name] = t
		}
		for _, reg := range register.Personal {
			t, ok := byName[reg.Name]
			if !ok {
				return fmt.Errorf("the register names table %s, which the database does not have", reg.Name)
			}
			cond, args := bind(reg.About, s, 1)
			order := t.Key
			if len(order) == 0 {
				order = t.ColumnNames()
			}
			rows, err := tx.Query(ctx, "SELECT "+strings.Join(t.ColumnNames(), ", ")+" FROM "+t.Name+" WHERE ("+cond+") ORDER BY "+strings.Join(order, ", "), args...)
			if err != nil {
				return fmt.Errorf("collect %s as %s: %w", reg.Name, reg.As, err)
			}
			found, err := scanMaps(rows, t.Columns)
			if err != nil {
				return fmt.Errorf("collect %s: %w", reg.Name, err)
			}
			c.Rows = append(c.Rows, found)
			if reg.AuditType != "" {
				for _, row := range found {
					c.Theirs[reg.AuditType] = append(c.Theirs[reg.AuditType], fmt.Sprint(row["id"]))
				}
			}
		}
		// The audit entries they made, and those about their records.
		where := []string{"actor_id = $1"}
		args := []any{s.UserID}
		for recordType, ids := range c.Theirs {
			for _, id := range ids {
				args = append(args, recordType, id)
				where = append(where, fmt.Sprintf("(record_type = $%d AND record_id = $%d)", len(args)-1, len(args)))
			}
		}
		rows, err := tx.Query(ctx, "SELECT id, at, actor_id, process, action, record_type, record_id, address, detail FROM audit_log WHERE "+
			strings.Join(where, " OR ")+" ORDER BY id", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e auth.AuditEntry
			var actor sql.NullInt64
			if err := rows.Scan(&e.ID, &e.At, &actor, &e.Process, &e.Action, &e.RecordType, &e.RecordID, &e.Address, &e.Detail); err != nil {
				return err
			}
			e.ActorID = actor.Int64
			c.Audit = append(c.Audit, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// scanMaps reads rows into maps by column name.
func scanMaps(rows *sql.Rows, columns []Column) ([]map[string]any, error) {
	defer rows.Close()
	out := []map[string]any{}
	for rows.Next() {
		ptrs := make([]any, len(columns))
		for i, c := range columns {
			ptrs[i] = holder(c.Kind)
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := map[string]any{}
		for i, c := range columns {
			row[c.Name] = held(ptrs[i])
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

// Erase applies every registration's erasure to the rows about the
// subject in one transaction: rows deleted, or Identity columns replaced
// by a pseudonym and Content and Secret columns blanked. The account row
// is one of them: its email becomes a pseudonym without @ and erased_at
// is set together, as the schema requires.
func (db *DB) Erase(ctx context.Context, by auth.Actor, s privacy.Subject) error {
	return db.Write(ctx, func(tx *Tx) error {
		for _, reg := range register.Personal {
			cond, args := bind(reg.About, s, 1)
			var q string
			switch reg.Erase {
			case privacy.Keep:
				continue
			case privacy.Delete:
				q = "DELETE FROM " + reg.Name + " WHERE (" + cond + ")"
			case privacy.Scrub:
				var set []string
				for _, c := range reg.Columns {
					if c.Erased == "" && c.Treat != privacy.Identity && c.Treat != privacy.Content && c.Treat != privacy.Secret {
						continue
					}
					args = append(args, erasedValue(c.Erased, s.UserID, tx.Now))
					set = append(set, fmt.Sprintf("%s = $%d", c.Name, len(args)))
				}
				q = "UPDATE " + reg.Name + " SET " + strings.Join(set, ", ") + " WHERE (" + cond + ")"
			}
			if _, err := tx.Exec(ctx, q, args...); err != nil {
				return fmt.Errorf("erase %s as %s: %w", reg.Name, reg.As, err)
			}
		}
		var erased sql.NullTime
		if err := tx.QueryRow(ctx, "SELECT erased_at FROM users WHERE id = $1", s.UserID).Scan(&erased); err != nil {
			return err
		}
		if !erased.Valid {
			return apperr.Errorf(apperr.Internal, "user %d was not marked erased", s.UserID)
		}
		return audit(ctx, tx, by, "user.erase", "user", s.UserID, "personal data erased")
	})
}

// erasedValue is the value a column gets on erasure.
func erasedValue(v string, id int64, now time.Time) any {
	if v == "{now}" {
		return now
	}
	return strings.ReplaceAll(v, "{id}", strconv.FormatInt(id, 10))
}
