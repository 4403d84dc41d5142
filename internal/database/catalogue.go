package database

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
)

// Table is one table as the database's own catalogue describes it, not as
// a list kept by hand: backups, the data-protection register's check and
// the integrity check all read it, so a new table or column is never left
// out of them.
type Table struct {
	Name    string
	Columns []Column
	// Key is the primary key's columns, in order.
	Key []string
	// References are the tables this table's foreign keys point to.
	References []string
}

// Column is one column of a table.
type Column struct {
	Name string
	// Kind is how a backup carries the value: kindInt, kindText, kindBytes or
	// kindTime.
	Kind byte
	// Identity is a generated id, which PostgreSQL restores with
	// OVERRIDING SYSTEM VALUE and a sequence reset.
	Identity bool
}

// ColumnNames lists the table's column names in order.
func (t Table) ColumnNames() []string {
	out := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		out[i] = c.Name
	}
	return out
}

// Tables reads every table of hcs's schema (schema_migrations aside) from
// the catalogue, parents before the tables that refer to them.
func (db *DB) Tables(ctx context.Context) ([]Table, error) {
	var out []Table
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		out, err = catalogue(ctx, tx)
		return err
	})
	return out, err
}

func catalogue(ctx context.Context, tx *Tx) ([]Table, error) {
	var tables []Table
	var err error
	if tx.Dialect == Postgres {
		tables, err = postgresCatalogue(ctx, tx)
	} else {
		tables, err = sqliteCatalogue(ctx, tx)
	}
	if err != nil {
		return nil, err
	}
	return dependencyOrder(tables)
}

// kindOf maps a declared column type to how a backup carries it.
func kindOf(table, column, declared string) (byte, error) {
	switch strings.ToUpper(declared) {
	case "INTEGER", "BIGINT", "SMALLINT":
		return kindInt, nil
	case "TEXT":
		return kindText, nil
	case "TIMESTAMP", "TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE":
		return kindTime, nil
	case "BLOB", "BYTEA":
		return kindBytes, nil
	}
	return 0, fmt.Errorf("column %s.%s has type %s, which backups do not carry yet: add it to kindOf", table, column, declared)
}

func sqliteCatalogue(ctx context.Context, tx *Tx) ([]Table, error) {
	rows, err := tx.Query(ctx, `SELECT m.name, p.name, p.type, p.pk FROM sqlite_master m JOIN pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'schema_migrations' ORDER BY m.name, p.cid`)
	if err != nil {
		return nil, err
	}
	var tables []Table
	keys := map[string][][2]any{}
	for rows.Next() {
		var table, column, declared string
		var pk int
		if err := rows.Scan(&table, &column, &declared, &pk); err != nil {
			rows.Close()
			return nil, err
		}
		if len(tables) == 0 || tables[len(tables)-1].Name != table {
			tables = append(tables, Table{Name: table})
		}
		kind, err := kindOf(table, column, declared)
		if err != nil {
			rows.Close()
			return nil, err
		}
		t := &tables[len(tables)-1]
		t.Columns = append(t.Columns, Column{Name: column, Kind: kind})
		if pk > 0 {
			keys[table] = append(keys[table], [2]any{pk, column})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range tables {
		t := &tables[i]
		k := keys[t.Name]
		slices.SortFunc(k, func(a, b [2]any) int { return cmp.Compare(a[0].(int), b[0].(int)) })
		for _, c := range k {
			t.Key = append(t.Key, c[1].(string))
		}
		// An INTEGER PRIMARY KEY called id is SQLite's generated row id.
		if len(t.Key) == 1 && t.Key[0] == "id" {
			for j := range t.Columns {
				if t.Columns[j].Name == "id" && t.Columns[j].Kind == kindInt {
					t.Columns[j].Identity = true
				}
			}
		}
		refs, err := tx.Query(ctx, "SELECT DISTINCT \"table\" FROM pragma_foreign_key_list($1)", t.Name)
		if err != nil {
			return nil, err
		}
		for refs.Next() {
			var ref string
			if err := refs.Scan(&ref); err != nil {
				refs.Close()
				return nil, err
			}
			t.References = append(t.References, ref)
		}
		refs.Close()
		if err := refs.Err(); err != nil {
			return nil, err
		}
	}
	return tables, nil
}

func postgresCatalogue(ctx context.Context, tx *Tx) ([]Table, error) {
	rows, err := tx.Query(ctx, `SELECT table_name, column_name, data_type, is_identity FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name <> 'schema_migrations' ORDER BY table_name, ordinal_position`)
	if err != nil {
		return nil, err
	}
	var tables []Table
	for rows.Next() {
		var table, column, declared, identity string
		if err := rows.Scan(&table, &column, &declared, &identity); err != nil {
			rows.Close()
			return nil, err
		}
		if len(tables) == 0 || tables[len(tables)-1].Name != table {
			tables = append(tables, Table{Name: table})
		}
		kind, err := kindOf(table, column, declared)
		if err != nil {
			rows.Close()
			return nil, err
		}
		t := &tables[len(tables)-1]
		t.Columns = append(t.Columns, Column{Name: column, Kind: kind, Identity: identity == "YES"})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	byName := map[string]*Table{}
	for i := range tables {
		byName[tables[i].Name] = &tables[i]
	}
	keys, err := tx.Query(ctx, `SELECT c.conrelid::regclass::text, a.attname FROM pg_constraint c
		JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, n) ON true
		JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
		WHERE c.contype = 'p' AND c.connamespace = current_schema()::regnamespace ORDER BY 1, k.n`)
	if err != nil {
		return nil, err
	}
	for keys.Next() {
		var table, column string
		if err := keys.Scan(&table, &column); err != nil {
			keys.Close()
			return nil, err
		}
		if t := byName[table]; t != nil {
			t.Key = append(t.Key, column)
		}
	}
	keys.Close()
	if err := keys.Err(); err != nil {
		return nil, err
	}
	refs, err := tx.Query(ctx, `SELECT DISTINCT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint
		WHERE contype = 'f' AND connamespace = current_schema()::regnamespace`)
	if err != nil {
		return nil, err
	}
	defer refs.Close()
	for refs.Next() {
		var table, ref string
		if err := refs.Scan(&table, &ref); err != nil {
			return nil, err
		}
		if t := byName[table]; t != nil {
			t.References = append(t.References, ref)
		}
	}
	return tables, refs.Err()
}

// dependencyOrder sorts tables so that every table comes after the tables
// it refers to (a table referring to itself aside), and otherwise by name.
func dependencyOrder(tables []Table) ([]Table, error) {
	slices.SortFunc(tables, func(a, b Table) int { return strings.Compare(a.Name, b.Name) })
	placed := map[string]bool{}
	var out []Table
	for len(out) < len(tables) {
		progress := false
		for _, t := range tables {
			if placed[t.Name] {
				continue
			}
			ready := true
			for _, ref := range t.References {
				if ref != t.Name && !placed[ref] {
					ready = false
				}
			}
			if ready {
				out = append(out, t)
				placed[t.Name] = true
				progress = true
			}
		}
		if !progress {
			return nil, fmt.Errorf("the schema's foreign keys form a cycle; backups cannot order its tables")
		}
	}
	return out, nil
}
