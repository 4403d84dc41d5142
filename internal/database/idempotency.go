package database

import (
	"context"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/idempotency"
)

// ClaimKey records an Idempotency-Key for a request, or returns what the
// account's earlier request with that key left. A claim that never wrote
// and is older than stale is taken over; answers older than
// idempotency.Lifetime are forgotten.
func (db *DB) ClaimKey(ctx context.Context, c idempotency.Claim, fingerprint string, stale time.Duration) (*idempotency.Record, bool, error) {
	var held *idempotency.Record
	claimed := false
	err := db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2
			AND (created_at < $3 OR (committed_at IS NULL AND status = 0 AND created_at < $4))`,
			c.UserID, c.Key, tx.Now.Add(-idempotency.Lifetime), tx.Now.Add(-stale)); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `INSERT INTO idempotency_keys (user_id, key, fingerprint, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (user_id, key) DO NOTHING`, c.UserID, c.Key, fingerprint, tx.Now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			claimed = true
			return nil
		}
		var r idempotency.Record
		var committed *time.Time
		if err := tx.QueryRow(ctx, `SELECT fingerprint, created_at, committed_at, status, content_type, body
			FROM idempotency_keys WHERE user_id = $1 AND key = $2`, c.UserID, c.Key).
			Scan(&r.Fingerprint, &r.CreatedAt, &committed, &r.Status, &r.ContentType, &r.Body); err != nil {
			return err
		}
		r.Committed = committed != nil
		held = &r
		return nil
	})
	return held, claimed, err
}

// SaveAnswer keeps the answer to a claimed request.
func (db *DB) SaveAnswer(ctx context.Context, c idempotency.Claim, status int, contentType, body string) error {
	return db.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, "UPDATE idempotency_keys SET status = $3, content_type = $4, body = $5 WHERE user_id = $1 AND key = $2",
			c.UserID, c.Key, status, contentType, body)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.Errorf(apperr.NotFound, "idempotency key %q is not held", c.Key)
		}
		return nil
	})
}

// ReleaseKey forgets a claim whose request wrote nothing.
func (db *DB) ReleaseKey(ctx context.Context, c idempotency.Claim) error {
	return db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, "DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND committed_at IS NULL AND status = 0", c.UserID, c.Key)
		return err
	})
}

// markCommitted records, inside a write's own transaction, that the
// request claiming ctx's key made its write.
func markCommitted(ctx context.Context, tx *Tx) error {
	c, ok := idempotency.FromContext(ctx)
	if !ok {
		return nil
	}
	return tx.ExecLater(ctx, "UPDATE idempotency_keys SET committed_at = $3 WHERE user_id = $1 AND key = $2 AND committed_at IS NULL",
		c.UserID, c.Key, tx.Now)
}
