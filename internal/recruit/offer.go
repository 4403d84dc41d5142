package recruit

import (
	"slices"
	"time"

	"hcs/internal/apperr"
)

// Offer statuses. Offered, held, accepted and unconditional offers are
// live: each holds one of its post's places (its seat). An accepted offer
// is conditional on the employer's pre-employment checks; it becomes
// unconditional when every check has passed, and is withdrawn when one
// fails. Declined, expired and withdrawn offers end the application in the
// round.
const (
	OfferOffered       = "offered"
	OfferHeld          = "held"
	OfferAccepted      = "accepted"
	OfferUnconditional = "unconditional"
	OfferDeclined      = "declined"
	OfferExpired       = "expired"
	OfferWithdrawn     = "withdrawn"  // a pre-employment check failed
	OfferSuperseded    = "superseded" // replaced by an upgrade
)

// OfferStatuses lists the statuses in the order pages show them.
var OfferStatuses = []string{OfferOffered, OfferHeld, OfferAccepted, OfferUnconditional, OfferDeclined, OfferExpired, OfferWithdrawn, OfferSuperseded}

// OfferRules states, for the round's published rules, what an offer binds
// its applicant and employer to.
const OfferRules = "An accepted offer is conditional on the employer's six pre-employment checks: identity, right to work, professional registration and qualifications, employment history and references, a DBS check and a work health assessment. " +
	"It becomes unconditional when every check has passed. If a check fails, the employer withdraws the offer, the applicant is told why, and the place is offered to the next person as a declined place is. " +
	"An applicant may decline an offer, conditional or not, until the post starts or a training record is started from it, and the place is offered on. " +
	"An applicant who opted in to upgrades keeps that option while the offer is conditional; once it is unconditional, upgrades stop."

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
	// Reason is why the employer withdrew the offer, as its applicant
	// reads it.
	Reason string `json:"reason,omitempty"`
}

// Live reports whether the offer holds a place.
func (o *Offer) Live() bool {
	switch o.Status {
	case OfferOffered, OfferHeld, OfferAccepted, OfferUnconditional:
		return true
	}
	return false
}

// Ends reports whether the offer ends its application in the round: the
// applicant declined it or let it expire, or the employer withdrew it.
func (o *Offer) Ends() bool {
	return o.Status == OfferDeclined || o.Status == OfferExpired || o.Status == OfferWithdrawn
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
// again or declined; an accepted (conditional) one may be declined, or
// accepted again to change whether it is open to upgrades, but not held;
// an unconditional one may only be declined; declined, expired, withdrawn
// and superseded offers are final.
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
	case OfferUnconditional:
		if a != AnswerDecline {
			return "", false, apperr.Errorf(apperr.Conflict, "This offer is unconditional: every pre-employment check has passed. You can still decline it, but not hold it or change whether it is open to upgrades.")
		}
	case OfferWithdrawn:
		return "", false, apperr.Errorf(apperr.Conflict, "The employer withdrew this offer: %s", o.Reason)
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
