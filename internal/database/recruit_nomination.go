package database

import (
	"fmt"
	"strings"

	"hcs/internal/apperr"
	"hcs/internal/recruit"
)

// InsertNomination records a nomination. The schema refuses a second
// nomination of one person in a round.
func (t *recruitTx) InsertNomination(n *recruit.Nomination) error {
	id, err := t.tx.Insert(t.ctx, `INSERT INTO nominations (round_id, post_id, organisation_id, user_id, nominated_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, n.RoundID, n.PostID, n.OrganisationID, n.UserID, zeroNull(n.NominatedBy), t.tx.Now)
	if apperr.Code(err) == apperr.Conflict {
		return &apperr.Error{Code: apperr.Conflict, Message: "This person is already nominated in this round.", Err: err}
	}
	if err != nil {
		return err
	}
	n.ID, n.CreatedAt = id, t.tx.Now
	return nil
}

// Nominations lists nominations with their nominees and, once they have
// applied, their applications in the round.
func (t *recruitTx) Nominations(q recruit.Query) ([]recruit.Nomination, error) {
	var conds []string
	var args []any
	for _, c := range []struct {
		column string
		v      int64
	}{{"n.round_id", q.RoundID}, {"a.id", q.ApplicationID}, {"n.user_id", q.UserID}} {
		if c.v != 0 {
			args = append(args, c.v)
			conds = append(conds, fmt.Sprintf("%s = $%d", c.column, len(args)))
		}
	}
	if len(conds) == 0 {
		return nil, fmt.Errorf("nominations: the query names no round, application or person")
	}
	return queryAll(t, func(scan func(...any) error) (recruit.Nomination, error) {
		var n recruit.Nomination
		err := scan(&n.ID, &n.RoundID, &n.PostID, &n.OrganisationID, &n.Organisation, &n.UserID, &n.NominatedBy, &n.CreatedAt, &n.Nominee.Name, &n.Nominee.Email, &n.ApplicationID)
		n.Nominee.ID = n.UserID
		return n, err
	}, `SELECT n.id, n.round_id, n.post_id, n.organisation_id, o.name, n.user_id, COALESCE(n.nominated_by, 0), n.created_at, u.name, u.email, COALESCE(a.id, 0)
		FROM nominations n JOIN users u ON u.id = n.user_id JOIN organisations o ON o.id = n.organisation_id
		LEFT JOIN applications a ON a.round_id = n.round_id AND a.user_id = n.user_id
		WHERE `+strings.Join(conds, " AND ")+" ORDER BY n.id", args...)
}

// DeleteNomination removes a nomination; the service allows it only until
// applications close, before anything reads it.
func (t *recruitTx) DeleteNomination(id int64) error {
	_, err := t.tx.Exec(t.ctx, "DELETE FROM nominations WHERE id = $1", id)
	return err
}
