package recruit

import (
	"time"

	"hcs/internal/apperr"
)

// The in-service route. An employer publishes a post as in-service and
// nominates an employee already working for it. The nominee applies in
// the same round, takes the online test like everyone else, skips
// shortlisting and goes straight to interview. In the match an
// in-service post takes only its own employer's nominees, and a nominee
// only in-service posts of the employer that nominated them: the two
// routes never compete for a place.

// InServiceRules states, for the round's published rules, how the
// in-service route works.
const InServiceRules = "An employer may publish a post as in-service and nominate an employee already working for it, until applications close. " +
	"The nominee applies in the round in the post's specialism, takes the online test like every applicant, skips shortlisting and is interviewed by their employer. " +
	"Nominees are ranked among themselves. In the match an in-service post is offered only to its own employer's nominees, and a nominee only that employer's in-service posts."

// Nomination is an employer's nomination of one of its employees for the
// in-service route in a round, through one of its in-service posts.
type Nomination struct {
	ID             int64     `json:"id"`
	RoundID        int64     `json:"round_id"`
	PostID         int64     `json:"post_id"`
	OrganisationID int64     `json:"organisation_id"`
	Organisation   string    `json:"organisation"`
	UserID         int64     `json:"user_id"`
	Nominee        Person    `json:"nominee"`
	NominatedBy    int64     `json:"-"`
	CreatedAt      time.Time `json:"created_at"`
	// ApplicationID is the nominee's application in the round, once they
	// have applied (0 before).
	ApplicationID int64 `json:"application_id,omitempty"`
}

// MayHold says whether an application may be matched to, and rank, a
// post: an in-service post only for a nominee of its own employer, any
// other post only for an applicant who is not a nominee. nominatedBy is
// the organisation that nominated the applicant, 0 for none.
func MayHold(p *Post, nominatedBy int64) bool {
	if p.InService {
		return nominatedBy != 0 && nominatedBy == p.OrganisationID
	}
	return nominatedBy == 0
}

// CanNominate says whether a nomination may be made for post p of round
// r at t: the post is in-service and open, applications have not closed,
// and the nominee (userID) is not the person nominating, has no
// nomination in the round already, and, if they have applied, applied in
// the post's specialism. applied is their application in the round, if
// any.
func CanNominate(r *Round, p *Post, by, userID int64, existing []Nomination, applied *Application, t time.Time) error {
	switch {
	case !p.InService:
		return apperr.Errorf(apperr.Conflict, "This post is for direct entry: only an in-service post takes nominations.")
	case p.Status != PostOpen:
		return apperr.Errorf(apperr.Conflict, "This post was withdrawn.")
	case !t.Before(r.ShortlistingOpen):
		return apperr.Errorf(apperr.Conflict, "Nominations could be made until applications closed on %s.", r.ShortlistingOpen.UTC().Format(dateFormat))
	case userID == by:
		return apperr.Invalidf("email", "You cannot nominate yourself")
	}
	for _, n := range existing {
		if n.UserID == userID {
			return apperr.Errorf(apperr.Conflict, "This person is already nominated in this round.")
		}
	}
	if applied != nil && applied.Specialism != p.Specialism {
		return apperr.Errorf(apperr.Conflict, "This person has applied in another specialism in this round; an in-service nominee applies in the post's specialism.")
	}
	return nil
}

// CanWithdrawNomination says whether a nomination may be withdrawn at t:
// until applications close. After that the online test and shortlisting
// have counted it.
func CanWithdrawNomination(r *Round, t time.Time) error {
	if !t.Before(r.ShortlistingOpen) {
		return apperr.Errorf(apperr.Conflict, "Nominations could be withdrawn until applications closed on %s.", r.ShortlistingOpen.UTC().Format(dateFormat))
	}
	return nil
}
