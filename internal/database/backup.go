package database

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"hcs/internal/apperr"
)

// column kinds in a backup: integer, text, or timestamp.
const (
	kindInt  = 'i'
	kindText = 's'
	kindTime = 't'
)

type tableSpec struct {
	name    string
	columns []string
	kinds   string // one kind per column
	// identity is true when id is generated, so PostgreSQL needs
	// OVERRIDING SYSTEM VALUE and a sequence reset on restore.
	identity bool
}

// tables lists every table in an order that respects foreign keys. A new
// table must be added here, or backups will not carry it:
// TestBackupCoversTheSchema compares this list with the schema.
var tables = []tableSpec{
	{"organisations", []string{"id", "kind", "name", "region", "created_at"}, "issst", true},
	{"departments", []string{"id", "organisation_id", "name", "specialism", "created_at"}, "iisst", true},
	{"users", []string{"id", "email", "name", "password_hash", "created_at", "erased_at"}, "isssst", true},
	{"sessions", []string{"token_hash", "user_id", "created_at", "expires_at", "last_seen_at"}, "sittt", false},
	{"password_resets", []string{"token_hash", "user_id", "created_at", "expires_at", "used_at"}, "sittt", false},
	{"sign_in_attempts", []string{"id", "email_hash", "address", "succeeded", "at"}, "issit", true},
	{"outbox", []string{"id", "user_id", "recipient", "subject", "body", "created_at", "sent_at"}, "iissstt", true},
	{"audit_log", []string{"id", "at", "actor_id", "process", "action", "record_type", "record_id", "address", "detail"}, "itissssss", true},
	{"rounds", []string{"id", "programme", "name", "applications_open", "shortlisting_open", "interviews_open", "preferences_open", "offers_open", "start_date",
		"tie_break_seed", "score_margin", "shortlist_weight", "interview_weight", "offer_working_days", "shortlist_criteria", "shortlist_pass_mark",
		"employer_ranking", "matched_at", "created_at"}, "issttttttsiiiisiitt", true},
	{"round_stations", []string{"id", "round_id", "name", "weight"}, "iisi", true},
	{"grants", []string{"id", "user_id", "role", "organisation_id", "department_id", "round_id", "created_at"}, "iisiiit", true},
	{"posts", []string{"id", "round_id", "organisation_id", "specialism", "site", "region", "places", "contact", "status", "created_at"}, "iiisssisst", true},
	{"profiles", []string{"user_id", "qualifications", "registrations", "notes", "right_to_work", "employer_id", "updated_at"}, "isssiit", false},
	{"applications", []string{"id", "round_id", "user_id", "specialism", "statement", "created_at", "shortlist_score", "interview_score", "national_rank", "decided_by",
		"submitted"}, "iiisstiiiss", true},
	{"reviewers", []string{"round_id", "user_id", "organisation_id", "created_at"}, "iiit", false},
	{"review_assignments", []string{"application_id", "reviewer_id", "slot", "created_at"}, "iiit", false},
	{"reviews", []string{"id", "application_id", "reviewer_id", "slot", "score", "created_at"}, "iiiiit", true},
	{"moderations", []string{"application_id", "moderator_id", "score", "created_at"}, "iiit", false},
	{"interview_scores", []string{"id", "application_id", "station_id", "score", "assessor_id", "created_at"}, "iiiiit", true},
	{"preferences", []string{"id", "application_id", "post_id", "rank"}, "iiii", true},
	{"offers", []string{"id", "round_id", "application_id", "post_id", "seat", "status", "deadline", "upgrades", "created_at", "answered_at"}, "iiiiisittt", true},
	{"post_rankings", []string{"post_id", "application_id", "rank"}, "iii", false},
}

// TableColumns lists every table a backup carries, with its columns.
func TableColumns() map[string][]string {
	out := map[string][]string{}
	for _, t := range tables {
		out[t.name] = t.columns
	}
	return out
}

// backupHeader is the first line of a backup file.
type backupHeader struct {
	Format        string `json:"format"`
	SchemaVersion int    `json:"schema_version"`
	Dialect       string `json:"dialect"`
	CreatedAt     string `json:"created_at"`
}

const backupFormat = "hcs-backup-1"

// Backup writes a consistent copy of every table to w while the database
// stays in use: it reads inside one transaction, which sees one snapshot
// (WAL on SQLite, repeatable read on PostgreSQL). The format is JSON lines
// and is the same for both databases, so a backup from one restores into
// the other.
func (db *DB) Backup(ctx context.Context, w io.Writer) error {
	version, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	err = db.Read(ctx, func(tx *Tx) error {
		if err := enc.Encode(backupHeader{backupFormat, version, db.Dialect, tx.Now.Format(time.RFC3339Nano)}); err != nil {
			return err
		}
		for _, t := range tables {
			if err := enc.Encode(map[string]any{"table": t.name, "columns": t.columns}); err != nil {
				return err
			}
			rows, err := tx.Query(ctx, "SELECT "+strings.Join(t.columns, ", ")+" FROM "+t.name+" ORDER BY "+t.columns[0])
			if err != nil {
				return err
			}
			if err := writeRows(rows, t, enc); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

func writeRows(rows *sql.Rows, t tableSpec, enc *json.Encoder) error {
	defer rows.Close()
	vals := make([]any, len(t.columns))
	ptrs := make([]any, len(t.columns))
	for i := range vals {
		switch t.kinds[i] {
		case kindInt:
			ptrs[i] = new(sql.NullInt64)
		case kindText:
			ptrs[i] = new(sql.NullString)
		case kindTime:
			ptrs[i] = new(sql.NullTime)
		}
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, p := range ptrs {
			vals[i] = nil
			switch v := p.(type) {
			case *sql.NullInt64:
				if v.Valid {
					vals[i] = v.Int64
				}
			case *sql.NullString:
				if v.Valid {
					vals[i] = v.String
				}
			case *sql.NullTime:
				if v.Valid {
					vals[i] = v.Time.UTC().Format(time.RFC3339Nano)
				}
			}
		}
		if err := enc.Encode(vals); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Restore loads a backup into this database, which must be migrated to the
// backup's schema version and hold no records. It runs in one transaction:
// a bad file changes nothing.
func (db *DB) Restore(ctx context.Context, r io.Reader) error {
	version, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bufio.NewReader(r))
	var h backupHeader
	if err := dec.Decode(&h); err != nil || h.Format != backupFormat {
		return apperr.Invalidf("file", "this is not an hcs backup (line 1 should name the format %q)", backupFormat)
	}
	if h.SchemaVersion != version {
		return apperr.Invalidf("file", "the backup has schema version %d but this database has %d; restore with the hcs release that made it", h.SchemaVersion, version)
	}
	return db.Write(ctx, func(tx *Tx) error {
		for _, t := range tables {
			var n int64
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM "+t.name).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return apperr.Errorf(apperr.Conflict, "restore needs an empty database, but %s has %d rows", t.name, n)
			}
		}
		line := 1
		var current *tableSpec
		insert := ""
		for {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err == io.EOF {
				break
			} else if err != nil {
				return apperr.Invalidf("file", "backup line %d is not JSON: %v", line+1, err)
			}
			line++
			if len(raw) > 0 && raw[0] == '{' {
				var marker struct {
					Table   string   `json:"table"`
					Columns []string `json:"columns"`
				}
				if err := json.Unmarshal(raw, &marker); err != nil {
					return apperr.Invalidf("file", "backup line %d: %v", line, err)
				}
				current = nil
				for i := range tables {
					if tables[i].name == marker.Table && strings.Join(tables[i].columns, ",") == strings.Join(marker.Columns, ",") {
						current = &tables[i]
					}
				}
				if current == nil {
					return apperr.Invalidf("file", "backup line %d: table %q with these columns is not in this schema", line, marker.Table)
				}
				insert = insertSQL(db.Dialect, *current)
				continue
			}
			if current == nil {
				return apperr.Invalidf("file", "backup line %d: a row comes before any table", line)
			}
			var vals []any
			if err := json.Unmarshal(raw, &vals); err != nil || len(vals) != len(current.columns) {
				return apperr.Invalidf("file", "backup line %d: want %d values for %s", line, len(current.columns), current.name)
			}
			args, err := restoreValues(*current, vals)
			if err != nil {
				return apperr.Invalidf("file", "backup line %d: %v", line, err)
			}
			if _, err := tx.Exec(ctx, insert, args...); err != nil {
				return fmt.Errorf("backup line %d: %w", line, err)
			}
		}
		if db.Dialect == Postgres {
			for _, t := range tables {
				if t.identity {
					q := fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%s', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM %s", t.name, t.name)
					if _, err := tx.Exec(ctx, q); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
}

func insertSQL(dialect string, t tableSpec) string {
	marks := make([]string, len(t.columns))
	for i := range marks {
		marks[i] = fmt.Sprintf("$%d", i+1)
	}
	override := ""
	if dialect == Postgres && t.identity {
		override = " OVERRIDING SYSTEM VALUE"
	}
	return fmt.Sprintf("INSERT INTO %s (%s)%s VALUES (%s)", t.name, strings.Join(t.columns, ", "), override, strings.Join(marks, ", "))
}

func restoreValues(t tableSpec, vals []any) ([]any, error) {
	args := make([]any, len(vals))
	for i, v := range vals {
		if v == nil {
			continue
		}
		switch t.kinds[i] {
		case kindInt:
			f, ok := v.(float64)
			if !ok || f != float64(int64(f)) {
				return nil, fmt.Errorf("%s.%s: %v is not a whole number", t.name, t.columns[i], v)
			}
			args[i] = int64(f)
		case kindText:
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("%s.%s: %v is not text", t.name, t.columns[i], v)
			}
			args[i] = s
		case kindTime:
			s, _ := v.(string)
			ts, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %v is not a time", t.name, t.columns[i], v)
			}
			args[i] = ts.UTC()
		}
	}
	return args, nil
}
