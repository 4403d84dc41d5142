package database

import (
	"bufio"
	"cmp"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"hcs/internal/apperr"
)

// column kinds in a backup: integer, text, timestamp, or bytes (written
// in base64).
const (
	kindInt   = 'i'
	kindText  = 's'
	kindTime  = 't'
	kindBytes = 'b'
)

// holder is where a column of a kind is scanned.
func holder(kind byte) any {
	switch kind {
	case kindInt:
		return new(sql.NullInt64)
	case kindText:
		return new(sql.NullString)
	case kindTime:
		return new(sql.NullTime)
	}
	return new([]byte)
}

// held is the value a holder was given, or nil for NULL.
func held(p any) any {
	switch v := p.(type) {
	case *sql.NullInt64:
		if v.Valid {
			return v.Int64
		}
	case *sql.NullString:
		if v.Valid {
			return v.String
		}
	case *sql.NullTime:
		if v.Valid {
			return v.Time.UTC()
		}
	case *[]byte:
		if *v != nil {
			return *v
		}
	}
	return nil
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
		tables, err := catalogue(ctx, tx)
		if err != nil {
			return err
		}
		if err := enc.Encode(backupHeader{backupFormat, version, db.Dialect, tx.Now.Format(time.RFC3339Nano)}); err != nil {
			return err
		}
		for _, t := range tables {
			t.Columns = canonicalOrder(t)
			if err := enc.Encode(map[string]any{"table": t.Name, "columns": t.ColumnNames()}); err != nil {
				return err
			}
			order := t.Key
			if len(order) == 0 {
				order = t.ColumnNames()
			}
			rows, err := tx.Query(ctx, "SELECT "+strings.Join(t.ColumnNames(), ", ")+" FROM "+t.Name+" ORDER BY "+strings.Join(order, ", "))
			if err != nil {
				return err
			}
			if err := writeRows(rows, t.Columns, enc); err != nil {
				return fmt.Errorf("back up %s: %w", t.Name, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

// canonicalOrder lists a table's columns the same way whichever database
// holds it (migrations can leave them in different physical orders): the
// primary key's columns first, then the rest by name.
func canonicalOrder(t Table) []Column {
	out := slices.Clone(t.Columns)
	rank := func(c Column) int {
		if i := slices.Index(t.Key, c.Name); i >= 0 {
			return i
		}
		return len(t.Key)
	}
	slices.SortStableFunc(out, func(a, b Column) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), strings.Compare(a.Name, b.Name))
	})
	return out
}

func writeRows(rows *sql.Rows, columns []Column, enc *json.Encoder) error {
	defer rows.Close()
	vals := make([]any, len(columns))
	ptrs := make([]any, len(columns))
	for i := range ptrs {
		ptrs[i] = holder(columns[i].Kind)
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, p := range ptrs {
			vals[i] = held(p)
			if t, ok := vals[i].(time.Time); ok {
				vals[i] = t.Format(time.RFC3339Nano)
			}
		}
		if err := enc.Encode(vals); err != nil {
			return err
		}
	}
	return rows.Err()
}

// RestoreReport says what a restore loaded.
type RestoreReport struct {
	// Rows counts the rows restored into each table.
	Rows map[string]int
	// NULs counts text values that held a NUL character, which hcs never
	// accepts and PostgreSQL cannot store: each NUL became U+FFFD.
	NULs int
}

// Restore loads a backup into this database, which must be migrated to the
// backup's schema version and hold no records. The tables and their
// columns are read from this database's catalogue and matched by name, so
// a backup from SQLite restores into PostgreSQL and back. It runs in one
// transaction: a bad file changes nothing.
func (db *DB) Restore(ctx context.Context, r io.Reader) (*RestoreReport, error) {
	version, err := db.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bufio.NewReader(r))
	var h backupHeader
	if err := dec.Decode(&h); err != nil || h.Format != backupFormat {
		return nil, apperr.Invalidf("file", "this is not an hcs backup (line 1 should name the format %q)", backupFormat)
	}
	if h.SchemaVersion != version {
		return nil, apperr.Invalidf("file", "the backup has schema version %d but this database has %d; restore with the hcs release that made it", h.SchemaVersion, version)
	}
	report := &RestoreReport{Rows: map[string]int{}}
	err = db.Write(ctx, func(tx *Tx) error {
		tables, err := catalogue(ctx, tx)
		if err != nil {
			return err
		}
		byName := map[string]*Table{}
		for i, t := range tables {
			byName[t.Name] = &tables[i]
			var n int64
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM "+t.Name).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return apperr.Errorf(apperr.Conflict, "restore needs an empty database, but %s has %d rows", t.Name, n)
			}
		}
		line := 1
		var current *Table
		var columns []Column
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
				if current = byName[marker.Table]; current == nil {
					return apperr.Invalidf("file", "backup line %d: there is no table %q in this schema", line, marker.Table)
				}
				if columns, err = matchColumns(*current, marker.Columns); err != nil {
					return apperr.Invalidf("file", "backup line %d: %v", line, err)
				}
				insert = insertSQL(db.Dialect, current.Name, columns)
				continue
			}
			if current == nil {
				return apperr.Invalidf("file", "backup line %d: a row comes before any table", line)
			}
			var vals []any
			if err := json.Unmarshal(raw, &vals); err != nil || len(vals) != len(columns) {
				return apperr.Invalidf("file", "backup line %d: want %d values for %s", line, len(columns), current.Name)
			}
			args, nuls, err := restoreValues(current.Name, columns, vals)
			if err != nil {
				return apperr.Invalidf("file", "backup line %d: %v", line, err)
			}
			report.NULs += nuls
			if _, err := tx.Exec(ctx, insert, args...); err != nil {
				return fmt.Errorf("backup line %d (%s): %w", line, current.Name, err)
			}
			report.Rows[current.Name]++
		}
		if db.Dialect == Postgres {
			for _, t := range tables {
				for _, c := range t.Columns {
					if c.Identity {
						q := fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%s', '%s'), COALESCE(MAX(%s), 1), MAX(%s) IS NOT NULL) FROM %s", t.Name, c.Name, c.Name, c.Name, t.Name)
						if _, err := tx.Exec(ctx, q); err != nil {
							return err
						}
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return report, nil
}

// matchColumns finds the backup's columns in the table, by name: the same
// set, in the backup's order.
func matchColumns(t Table, names []string) ([]Column, error) {
	if len(names) != len(t.Columns) {
		return nil, fmt.Errorf("table %s has columns %s here, but the backup has %s", t.Name, strings.Join(t.ColumnNames(), ", "), strings.Join(names, ", "))
	}
	out := make([]Column, len(names))
	for i, n := range names {
		j := slices.IndexFunc(t.Columns, func(c Column) bool { return c.Name == n })
		if j < 0 || slices.Index(names, n) != i {
			return nil, fmt.Errorf("table %s has columns %s here, but the backup has %s", t.Name, strings.Join(t.ColumnNames(), ", "), strings.Join(names, ", "))
		}
		out[i] = t.Columns[j]
	}
	return out, nil
}

func insertSQL(dialect, table string, columns []Column) string {
	names := make([]string, len(columns))
	marks := make([]string, len(columns))
	override := ""
	for i, c := range columns {
		names[i], marks[i] = c.Name, fmt.Sprintf("$%d", i+1)
		if dialect == Postgres && c.Identity {
			override = " OVERRIDING SYSTEM VALUE"
		}
	}
	return fmt.Sprintf("INSERT INTO %s (%s)%s VALUES (%s)", table, strings.Join(names, ", "), override, strings.Join(marks, ", "))
}

func restoreValues(table string, columns []Column, vals []any) (args []any, nuls int, err error) {
	args = make([]any, len(vals))
	for i, v := range vals {
		if v == nil {
			continue
		}
		c := columns[i]
		switch c.Kind {
		case kindInt:
			f, ok := v.(float64)
			if !ok || f != float64(int64(f)) {
				return nil, 0, fmt.Errorf("%s.%s: %v is not a whole number", table, c.Name, v)
			}
			args[i] = int64(f)
		case kindText:
			s, ok := v.(string)
			if !ok {
				return nil, 0, fmt.Errorf("%s.%s: %v is not text", table, c.Name, v)
			}
			if strings.ContainsRune(s, 0) {
				s, nuls = strings.ReplaceAll(s, "\x00", "\uFFFD"), nuls+1
			}
			args[i] = s
		case kindBytes:
			s, ok := v.(string)
			b, err := base64.StdEncoding.DecodeString(s)
			if !ok || err != nil {
				return nil, 0, fmt.Errorf("%s.%s: %.20v is not base64", table, c.Name, v)
			}
			args[i] = b
		case kindTime:
			s, _ := v.(string)
			ts, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return nil, 0, fmt.Errorf("%s.%s: %v is not a time", table, c.Name, v)
			}
			args[i] = ts.UTC()
		}
	}
	return args, nuls, nil
}
