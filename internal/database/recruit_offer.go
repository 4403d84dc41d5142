package database

import (
	"database/sql"
	"fmt"
	"strings"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/recruit"
)

const offerColumns = "id, round_id, application_id, post_id, seat, status, deadline, upgrades, created_at, answered_at, reason"

const liveStatuses = "('offered', 'held', 'accepted', 'unconditional')"

func scanOffer(scan func(...any) error) (recruit.Offer, error) {
	var o recruit.Offer
	var up int
	var answered sql.NullTime
	err := scan(&o.ID, &o.RoundID, &o.ApplicationID, &o.PostID, &o.Seat, &o.Status, &o.Deadline, &up, &o.CreatedAt, &answered, &o.Reason)
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
	_, err := t.tx.Exec(t.ctx, "UPDATE offers SET status = $1, upgrades = $2, answered_at = $3, reason = $4 WHERE id = $5",
		o.Status, boolInt(o.Upgrades), answered, o.Reason, o.ID)
	return err
}

func (t *recruitTx) TrainingStarted(offerID int64) (bool, error) {
	var n int
	err := t.tx.QueryRow(t.ctx, "SELECT COUNT(*) FROM trainees WHERE offer_id = $1", offerID).Scan(&n)
	return n > 0, err
}

const checkColumns = "offer_id, kind, status, next_actor, note, changed_at, COALESCE(changed_by, 0)"

func scanCheck(scan func(...any) error) (recruit.Check, error) {
	var c recruit.Check
	var changed time.Time
	err := scan(&c.OfferID, &c.Kind, &c.Status, &c.NextActor, &c.Note, &changed, &c.ChangedBy)
	c.ChangedAt = &changed
	return c, err
}

func (t *recruitTx) Checks(offerID int64) ([]recruit.Check, error) {
	return queryAll(t, scanCheck, "SELECT "+checkColumns+" FROM offer_checks WHERE offer_id = $1 ORDER BY kind", offerID)
}

// SaveCheck records one of an offer's checks. The schema refuses a kind
// or status it does not know, and a reference outcome on any other check.
func (t *recruitTx) SaveCheck(c recruit.Check) error {
	_, err := t.tx.Exec(t.ctx, `INSERT INTO offer_checks (offer_id, kind, status, next_actor, note, changed_at, changed_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (offer_id, kind) DO UPDATE SET status = excluded.status, next_actor = excluded.next_actor, note = excluded.note,
			changed_at = excluded.changed_at, changed_by = excluded.changed_by`,
		c.OfferID, c.Kind, c.Status, c.NextActor, c.Note, t.tx.Now, zeroNull(c.ChangedBy))
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
