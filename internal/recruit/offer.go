package recruit

import (
	"slices"
	"time"

	"hcs/internal/apperr"
)

// Offer statuses. Offered, held and accepted offers are live: each holds
// one of its post's places (its seat).
const (
	OfferOffered    = "offered"
	OfferHeld       = "held"
	OfferAccepted   = "accepted"
	OfferDeclined   = "declined"
	OfferExpired    = "expired"
	OfferSuperseded = "superseded" // replaced by an upgrade
)

// OfferStatuses lists the statuses in the order pages show them.
var OfferStatuses = []string{OfferOffered, OfferHeld, OfferAccepted, OfferDeclined, OfferExpired, OfferSuperseded}

// Offer is a place offered to an applicant, by the match or by the
// cascade.
type Offer struct {
	ID            int64      `json:"id"`
	RoundID       int64      `json:"round_id"`
	ApplicationID int64      `json:"application_id"`
	PostID        int64      `json:"post_id"`
	Seat          int        `json:"seat"`
	Status        string     `json:"status"`
	Deadline      time.Time  `json:"deadline"`
	Upgrades      bool       `json:"upgrades"`
	CreatedAt     time.Time  `json:"created_at"`
	AnsweredAt    *time.Time `json:"answered_at,omitempty"`
}

// Live reports whether the offer holds a place.
func (o *Offer) Live() bool {
	return o.Status == OfferOffered || o.Status == OfferHeld || o.Status == OfferAccepted
}

// Answer is an applicant's answer to an offer.
type Answer string

const (
	AnswerAccept  Answer = "accept"
	AnswerHold    Answer = "hold"
	AnswerDecline Answer = "decline"
)

// ParseAnswer reads an answer.
func ParseAnswer(s string) (Answer, error) {
	switch a := Answer(s); a {
	case AnswerAccept, AnswerHold, AnswerDecline:
		return a, nil
	}
	return "", apperr.Invalidf("answer", "Choose whether to accept, hold or decline the offer")
}

// answerStatus is the status each answer gives an offer.
var answerStatus = map[Answer]string{AnswerAccept: OfferAccepted, AnswerHold: OfferHeld, AnswerDecline: OfferDeclined}

// Answered is the offer state machine: the status an answer at t gives
// the offer, and whether it stays open to upgrades. An offer is answered
// while offered, before its deadline; a held offer may be accepted, held
// again or declined; an accepted one may be declined, or accepted again
// to change whether it is open to upgrades, but not held; declined,
// expired and superseded offers are final.
func Answered(o *Offer, a Answer, upgrades bool, t time.Time) (status string, keepUpgrades bool, err error) {
	next, ok := answerStatus[a]
	if !ok {
		return "", false, apperr.Invalidf("answer", "Choose whether to accept, hold or decline the offer")
	}
	switch o.Status {
	case OfferOffered:
		if DueForExpiry(o, t) {
			return "", false, apperr.Errorf(apperr.Conflict, "This offer expired on %s; the place is offered to someone else.", o.Deadline.UTC().Format(dateFormat))
		}
	case OfferHeld:
	case OfferAccepted:
		if a == AnswerHold {
			return "", false, apperr.Errorf(apperr.Conflict, "You have accepted this offer; you can still decline it, but not hold it.")
		}
	case OfferExpired:
		return "", false, apperr.Errorf(apperr.Conflict, "This offer expired on %s; the place is offered to someone else.", o.Deadline.UTC().Format(dateFormat))
	default:
		return "", false, apperr.Errorf(apperr.Conflict, "This offer was %s and cannot be changed.", o.Status)
	}
	return next, upgrades && a != AnswerDecline, nil
}

// DueForExpiry reports whether an unanswered offer's deadline has passed
// at t. Held and accepted offers have been answered and do not expire.
func DueForExpiry(o *Offer, t time.Time) bool {
	return o.Status == OfferOffered && !t.Before(o.Deadline)
}

// FreeSeat is the lowest of a post's places that no live offer holds, or 0
// when every place is held.
func FreeSeat(live []Offer, places int) int {
	for seat := 1; seat <= places; seat++ {
		if !slices.ContainsFunc(live, func(o Offer) bool { return o.Live() && o.Seat == seat }) {
			return seat
		}
	}
	return 0
}

// OfferDeadline is when an offer made at t must be answered by.
func OfferDeadline(r *Round, t time.Time) time.Time { return AddWorkingDays(t, r.OfferWorkingDays) }
