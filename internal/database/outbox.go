package database

import (
	"context"
	"fmt"
	"strings"
	"time"

	"hcs/internal/auth"
)

// ClaimDue leases up to n undelivered messages that are due to the
// caller until the lease ends, so that two senders (two hcs processes)
// never send one message both. Each message is claimed with its own
// conditional update, which PostgreSQL re-checks after waiting on the
// row's lock, and SQLite's single writer runs one at a time.
func (db *DB) ClaimDue(ctx context.Context, n int, lease time.Duration) ([]auth.Message, error) {
	var out []auth.Message
	err := db.Write(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, fmt.Sprintf(`SELECT id FROM outbox WHERE sent_at IS NULL
			AND (next_attempt_at IS NULL OR next_attempt_at <= $1) AND (claimed_until IS NULL OR claimed_until <= $1)
			ORDER BY id LIMIT %d`, n), tx.Now)
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		var claimed []string
		for _, id := range ids {
			res, err := tx.Exec(ctx, `UPDATE outbox SET claimed_until = $2 WHERE id = $1 AND sent_at IS NULL
				AND (claimed_until IS NULL OR claimed_until <= $3)`, id, tx.Now.Add(lease), tx.Now)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				claimed = append(claimed, fmt.Sprint(id))
			}
		}
		if len(claimed) == 0 {
			return nil
		}
		out, err = messages(ctx, tx, "WHERE id IN ("+strings.Join(claimed, ", ")+")", len(claimed))
		return err
	})
	// Oldest first, as they were written.
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, err
}

// MarkSent records a message as delivered and ends its lease.
func (db *DB) MarkSent(ctx context.Context, id int64) error {
	return db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, "UPDATE outbox SET sent_at = $2, claimed_until = NULL, last_error = '' WHERE id = $1", id, tx.Now)
		return err
	})
}

// MarkFailed records a failed attempt to deliver a message, and when to
// try again.
func (db *DB) MarkFailed(ctx context.Context, id int64, reason string, retryIn time.Duration) error {
	return db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $2, claimed_until = NULL, last_error = $3
			WHERE id = $1 AND sent_at IS NULL`, id, tx.Now.Add(retryIn), reason)
		return err
	})
}
