package database

import (
	"database/sql"

	"hcs/internal/recruit"
)

// MarkShortlistPublished sets shortlist_published_at only where it is not
// set, so that of two transactions publishing the outcomes, one alone
// succeeds.
func (t *recruitTx) MarkShortlistPublished(roundID int64) (bool, error) {
	res, err := t.tx.Exec(t.ctx, "UPDATE rounds SET shortlist_published_at = $1 WHERE id = $2 AND shortlist_published_at IS NULL", t.tx.Now, roundID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SaveShortlistResults records a round's published shortlisting outcomes;
// an application has one, so a second publication fails with a conflict.
func (t *recruitTx) SaveShortlistResults(roundID int64, results []recruit.ShortlistResult) error {
	for _, res := range results {
		var reserve any
		if res.ReservePlace > 0 {
			reserve = res.ReservePlace
		}
		if err := t.tx.ExecLater(t.ctx, `INSERT INTO shortlist_outcomes (application_id, round_id, specialism, score, outcome, position, reserve_place,
			decided_by, interviews, reserves, published_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			res.ApplicationID, roundID, res.Specialism, res.Score, res.Outcome, res.Position, reserve, res.DecidedBy, res.Interviews, res.Reserves, t.tx.Now); err != nil {
			return err
		}
	}
	return nil
}

// PromoteReserve invites a reserve to interview, only where it is still a
// reserve, and reports whether it was.
func (t *recruitTx) PromoteReserve(applicationID int64) (bool, error) {
	res, err := t.tx.Exec(t.ctx, "UPDATE shortlist_outcomes SET outcome = 'interview', promoted_at = $1 WHERE application_id = $2 AND outcome = 'reserve'",
		t.tx.Now, applicationID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ShortlistResults lists published shortlisting outcomes, narrowed to a
// round or an application.
func (t *recruitTx) ShortlistResults(q recruit.Query) ([]recruit.ShortlistResult, error) {
	cond, args := scope(recruit.Query{RoundID: q.RoundID, ApplicationID: q.ApplicationID}, "")
	return queryAll(t, func(scan func(...any) error) (recruit.ShortlistResult, error) {
		var res recruit.ShortlistResult
		var reserve sql.NullInt64
		var promoted sql.NullTime
		if err := scan(&res.ApplicationID, &res.Specialism, &res.Score, &res.Outcome, &res.Position, &reserve, &res.DecidedBy,
			&res.Interviews, &res.Reserves, &promoted); err != nil {
			return res, err
		}
		res.ReservePlace = int(reserve.Int64)
		if promoted.Valid {
			res.PromotedAt = &promoted.Time
		}
		return res, nil
	}, `SELECT application_id, specialism, score, outcome, position, reserve_place, decided_by, interviews, reserves, promoted_at
		FROM shortlist_outcomes`+cond+" ORDER BY application_id", args...)
}
