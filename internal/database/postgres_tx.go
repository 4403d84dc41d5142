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
// Statements whose result the caller does not need (Tx.ExecLater: the
// audit entry, the Idempotency-Key's mark) wait and travel with the next
// statement or with the COMMIT, so a write that creates a record and
// audits it is two round trips, and one that creates and audits in a
// single statement whose result is read only after the COMMIT
// (Tx.QueryRowLater) is one. The statements after the first run on the
// same connection, and pgx keeps each connection's prepared statements.
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
	// later are statements still to send before the next one (ExecLater,
	// QueryRowLater).
	later []waiting
	// laterFailed records that PostgreSQL refused one of later when it
	// was sent, and so skipped everything after it, the COMMIT included.
	laterFailed bool
}

// waiting is a statement still to be sent; with dest, its one row is
// scanned into dest, and fail words its error.
type waiting struct {
	query string
	args  []any
	dest  []any
	fail  func(error) error
}

// unsent reports whether the transaction has statements, its BEGIN
// included, still to send.
func (pg *pgTx) unsent() bool { return pg.begin != "" || len(pg.later) > 0 }

func (db *DB) runPostgres(ctx context.Context, readOnly bool, now time.Time, fn func(*Tx) error) error {
	slots, err := db.admit(ctx)
	if err != nil {
		return mapError(err)
	}
	defer leave(slots)
	conn, err := whileRefused(ctx, func() (*sql.Conn, error) { return db.read.Conn(ctx) })
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
	if pg.begin != "" && len(pg.later) == 0 {
		return nil // fn ran no statement: there is no transaction to end
	}
	var tag pgconn.CommandTag
	changed := false
	if readOnly {
		tag, err = pg.send(ctx, "COMMIT", nil, nil)
	} else {
		tag, changed, err = pg.commit(ctx)
	}
	if err == nil && tag.String() == "ROLLBACK" {
		err = errCommitRolledBack
	}
	if err != nil {
		// A statement sent with the COMMIT failed, and PostgreSQL skipped
		// the COMMIT: the transaction is still open, and aborted.
		conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
	}
	if changed || err != nil && !readOnly && !pg.laterFailed {
		// Before Write returns, so that this process's next request
		// sees the change (principals.go); and after a failed COMMIT,
		// which may yet have committed (not when a statement before it
		// failed: PostgreSQL skipped the COMMIT).
		db.principals.forget()
	}
	return mapError(err)
}

// started sends what is still unsent (the BEGIN, statements waiting)
// on its own, for a statement that cannot go in a batch with them.
func (pg *pgTx) started(ctx context.Context) error {
	if !pg.unsent() {
		return nil
	}
	_, err := pg.send(ctx, "", nil, nil)
	return err
}

// send runs query in one batch after what is still unsent (the BEGIN,
// statements waiting): scanning its row into dest, or, with no dest, as
// an Exec. With no query it sends only what was waiting. The first error
// in the batch is returned; PostgreSQL skips the statements after it.
func (pg *pgTx) send(ctx context.Context, query string, args []any, dest []any) (pgconn.CommandTag, error) {
	return pg.sendAfter(ctx, "", nil, query, args, dest)
}

// principalsChanged reads migration 0023's mark: whether this transaction
// changed a session, an account or a grant.
const principalsChanged = "SELECT current_setting('hcs.principals_changed', true) = 'yes'"

// commit sends what is unsent and the COMMIT in one batch, with a look
// at the transaction's mark just before the COMMIT, and reports whether
// the transaction changed who is signed in.
func (pg *pgTx) commit(ctx context.Context) (tag pgconn.CommandTag, changed bool, err error) {
	var mark *bool
	tag, err = pg.sendAfter(ctx, principalsChanged, &mark, "COMMIT", nil, nil)
	if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok && pgErr.Code == "25P02" {
		// A statement failed earlier and fn went on: the batch fails as
		// the COMMIT alone would have, and the transaction rolls back.
		err = errCommitRolledBack
	}
	return tag, mark != nil && *mark, err
}

// sendAfter is send with, when probe is set, a query for one value
// queued just before query and scanned into probeDest.
func (pg *pgTx) sendAfter(ctx context.Context, probe string, probeDest any, query string, args []any, dest []any) (pgconn.CommandTag, error) {
	b := &pgx.Batch{}
	began := pg.begin != ""
	if began {
		b.Queue(pg.begin)
		pg.begin = ""
	}
	later := pg.later
	for _, q := range later {
		b.Queue(q.query, q.args...)
	}
	pg.later = pg.later[:0]
	if probe != "" {
		b.Queue(probe)
	}
	if query != "" {
		b.Queue(query, args...)
	}
	var tag pgconn.CommandTag
	err := pg.conn.Raw(func(dc any) error {
		br := dc.(*stdlib.Conn).Conn().SendBatch(ctx, b)
		var err error
		if began {
			_, err = br.Exec()
		}
		for _, q := range later {
			if err != nil {
				break
			}
			if q.dest != nil {
				err = br.QueryRow().Scan(q.dest...)
			} else {
				_, err = br.Exec()
			}
			if err != nil {
				// Only PostgreSQL's own refusal says it skipped the rest:
				// a connection lost after the batch went may have lost
				// the answer to a COMMIT that ran.
				_, refused := errors.AsType[*pgconn.PgError](err)
				pg.laterFailed = refused
				if q.fail != nil {
					err = worded(q.fail, mapError(err))
				}
			}
		}
		if err == nil && probe != "" {
			err = br.QueryRow().Scan(probeDest)
		}
		if err == nil && query != "" {
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
	return tag, err
}

// pgResult is an Exec's result from pgx.
type pgResult int64

func (r pgResult) LastInsertId() (int64, error) {
	return 0, errors.New("database: PostgreSQL has no last insert id; use RETURNING")
}

func (r pgResult) RowsAffected() (int64, error) { return int64(r), nil }
