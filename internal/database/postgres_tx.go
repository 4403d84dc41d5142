package database

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// PostgreSQL transactions send their BEGIN together with their first
// statement, in one pgx batch: a round trip fewer per transaction, and no
// backend left idle in a transaction while hcs reads the reply to a BEGIN.
// The statements after the first run on the same connection through
// database/sql, and pgx keeps each connection's prepared statements.
const (
	beginWrite = "BEGIN"
	beginRead  = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
)

// errCommitRolledBack is a COMMIT that PostgreSQL answered with ROLLBACK:
// a statement of the transaction failed and fn carried on regardless.
var errCommitRolledBack = errors.New("database: commit ended in rollback, as a statement of the transaction had failed")

// pgTx is the PostgreSQL side of a Tx.
type pgTx struct {
	conn *sql.Conn
	// begin is the BEGIN still to send with the first statement; empty
	// once sent.
	begin string
}

func (db *DB) runPostgres(ctx context.Context, readOnly bool, now time.Time, fn func(*Tx) error) error {
	slots, err := db.admit(ctx)
	if err != nil {
		return mapError(err)
	}
	defer leave(slots)
	conn, err := db.read.Conn(ctx)
	if err != nil {
		return mapError(err)
	}
	defer conn.Close()
	pg := &pgTx{conn: conn, begin: beginWrite}
	if readOnly {
		pg.begin = beginRead
	}
	tx := &Tx{q: conn, pg: pg, Now: now, Dialect: Postgres}
	if err := fn(tx); err != nil {
		if pg.begin == "" {
			// On a connection that fails, the rollback fails too, and the
			// pool drops the connection (an open transaction included).
			conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
		return mapError(err)
	}
	if !readOnly {
		// The Idempotency-Key the write carries, if any, is marked used
		// in the write's own transaction.
		if err := markCommitted(ctx, tx); err != nil {
			if pg.begin == "" {
				conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
			}
			return mapError(err)
		}
	}
	if pg.begin != "" {
		return nil // fn ran no statement: there is no transaction to end
	}
	return mapError(conn.Raw(func(dc any) error {
		tag, err := dc.(*stdlib.Conn).Conn().Exec(ctx, "COMMIT")
		if err == nil && tag.String() == "ROLLBACK" {
			err = errCommitRolledBack
		}
		return err
	}))
}

// started sends the BEGIN on its own if it has not gone yet, for a
// statement that cannot go in a batch with it.
func (pg *pgTx) started(ctx context.Context) error {
	if pg.begin == "" {
		return nil
	}
	begin := pg.begin
	pg.begin = ""
	_, err := pg.conn.ExecContext(ctx, begin)
	return err
}

// first runs the transaction's first statement in one batch with its
// BEGIN: scanning its row into dest, or, with no dest, as an Exec.
func (pg *pgTx) first(ctx context.Context, query string, args []any, dest []any) (sql.Result, error) {
	begin := pg.begin
	pg.begin = ""
	var tag pgconn.CommandTag
	err := pg.conn.Raw(func(dc any) error {
		b := &pgx.Batch{}
		b.Queue(begin)
		b.Queue(query, args...)
		br := dc.(*stdlib.Conn).Conn().SendBatch(ctx, b)
		_, err := br.Exec()
		if err == nil {
			if dest != nil {
				err = br.QueryRow().Scan(dest...)
			} else {
				tag, err = br.Exec()
			}
		}
		if cerr := br.Close(); err == nil {
			err = cerr
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return pgResult(tag.RowsAffected()), nil
}

// pgResult is an Exec's result from pgx.
type pgResult int64

func (r pgResult) LastInsertId() (int64, error) {
	return 0, errors.New("database: PostgreSQL has no last insert id; use RETURNING")
}

func (r pgResult) RowsAffected() (int64, error) { return int64(r), nil }
