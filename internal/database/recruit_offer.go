package database

import (
	"database/sql"
	"fmt"
	"strings"

	"hcs/internal/apperr"
	"hcs/internal/recruit"
)

const offerColumns = "id, round_id, application_id, post_id, seat, status, deadline, upgrades, created_at, answered_at"

const liveStatuses = "('offered', 'held', 'accepted')"

func scanOffer(scan func(...any) error) (recruit.Offer, error) {
	var o recruit.Offer
	var up int
	var answered sql.NullTime
	err := scan(&o.ID, &o.RoundID, &o.ApplicationID, &o.PostID, &o.Seat, &o.Status, &o.Deadline, &up, &o.CreatedAt, &answered)
	o.Upgrades = up == 1
	if answered.Valid {
		o.AnsweredAt = &answered.Time
	}
	return o, err
}

// InsertOffer records an offer in its seat. The schema refuses a second
// live offer on one seat of a post, and a second live offer to one
// application.
func (t *recruitTx) InsertOffer(o *recruit.Offer) error {
	var answered any
	if o.AnsweredAt != nil {
		answered = o.AnsweredAt.UTC()
	}
	id, err := t.tx.Insert(t.ctx, `INSERT INTO offers (round_id, application_id, post_id, seat, status, deadline, upgrades, created_at, answered_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, o.RoundID, o.ApplicationID, o.PostID, o.Seat, o.Status, o.Deadline.UTC(), boolInt(o.Upgrades), t.tx.Now, answered)
	if apperr.Code(err) == apperr.Conflict {
		return &apperr.Error{Code: apperr.Conflict, Message: fmt.Sprintf("post %d's seat %d, or application %d, already holds a live offer", o.PostID, o.Seat, o.ApplicationID), Err: err}
	}
	if err != nil {
		return err
	}
	o.ID, o.CreatedAt = id, t.tx.Now
	return nil
}

func (t *recruitTx) UpdateOffer(o *recruit.Offer) error {
	var answered any
	if o.AnsweredAt != nil {
		answered = o.AnsweredAt.UTC()
	}
	_, err := t.tx.Exec(t.ctx, "UPDATE offers SET status = $1, upgrades = $2, answered_at = $3 WHERE id = $4", o.Status, boolInt(o.Upgrades), answered, o.ID)
	return err
}

func (t *recruitTx) Offer(id int64) (*recruit.Offer, error) {
	o, err := scanOffer(t.tx.QueryRow(t.ctx, "SELECT "+offerColumns+" FROM offers WHERE id = $1", id).Scan)
	if apperr.Code(err) == apperr.NotFound {
		return nil, apperr.Errorf(apperr.NotFound, "there is no offer %d", id)
	}
	if err != nil {
		return nil, err
	}
	return &o, nil
}

func (t *recruitTx) Offers(f recruit.OfferFilter) ([]recruit.Offer, error) {
	var conds []string
	var args []any
	for _, c := range []struct {
		column string
		v      int64
	}{{"round_id", f.RoundID}, {"application_id", f.ApplicationID}, {"post_id", f.PostID}} {
		if c.v != 0 {
			args = append(args, c.v)
			conds = append(conds, fmt.Sprintf("%s = $%d", c.column, len(args)))
		}
	}
	if f.Live {
		conds = append(conds, "status IN "+liveStatuses)
	}
	if len(args) == 0 {
		return nil, fmt.Errorf("offers: the filter names no round, application or post")
	}
	return queryAll(t, scanOffer, "SELECT "+offerColumns+" FROM offers WHERE "+strings.Join(conds, " AND ")+" ORDER BY id", args...)
}
