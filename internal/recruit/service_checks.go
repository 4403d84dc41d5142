package recruit

import (
	"context"
	"fmt"

	"hcs/internal/apperr"
	"hcs/internal/auth"
)

// OfferChecks lists an offer's six pre-employment checks, those not yet
// recorded as not started.
func (s *Service) OfferChecks(ctx context.Context, offerID int64) ([]Check, error) {
	return read(ctx, s, func(tx Tx) ([]Check, error) {
		if _, err := tx.Offer(offerID); err != nil {
			return nil, err
		}
		stored, err := tx.Checks(offerID)
		if err != nil {
			return nil, err
		}
		return OfferChecks(offerID, stored), nil
	})
}

// RecordCheck records the employer's change to one of an accepted offer's
// checks, of the post postID (the page or request names it, and an offer
// of another post is not found). When the last check passes the offer
// becomes unconditional and the applicant is told; when a check fails the
// offer is withdrawn, the applicant is told why, and the place cascades as
// a declined place does. The round's row is locked, as for answers and
// expiries, so that a failed check and a decline on one post at once give
// the place once.
func (s *Service) RecordCheck(ctx context.Context, by auth.Actor, postID, offerID int64, in Check) (*Offer, []Check, error) {
	type result struct {
		offer  *Offer
		checks []Check
	}
	res, err := write(ctx, s, func(tx Tx) (*result, error) {
		o, err := tx.Offer(offerID)
		if err != nil {
			return nil, err
		}
		if o.PostID != postID {
			return nil, apperr.Errorf(apperr.NotFound, "there is no offer %d of post %d", offerID, postID)
		}
		r, err := tx.LockRound(o.RoundID)
		if err != nil {
			return nil, err
		}
		if o, err = tx.Offer(offerID); err != nil { // as it stands under the lock
			return nil, err
		}
		stored, err := tx.Checks(offerID)
		if err != nil {
			return nil, err
		}
		c, effect, err := PlanCheck(o, stored, in)
		if err != nil {
			return nil, err
		}
		now := tx.Now()
		c.ChangedAt, c.ChangedBy = &now, by.UserID
		if err := tx.SaveCheck(c); err != nil {
			return nil, err
		}
		if err := auditf(tx, by, "offer.check", "offer", o.ID, "%s: %s, next %s", c.Kind, c.Status, c.NextActor); err != nil {
			return nil, err
		}
		switch effect {
		case CheckUnconditional:
			o.Status, o.Upgrades = OfferUnconditional, false
			if err := s.updateAndTell(tx, by, o, "offer.unconditional", "Your training post offer is unconditional", func(post string) string {
				return "Your employer has completed every pre-employment check, so your offer of a training post is now unconditional:\n\n" + post +
					"\nAny request to be upgraded to a post you ranked higher has ended. You can still decline the offer when you sign in to hcs.\n"
			}); err != nil {
				return nil, err
			}
		case CheckWithdraws:
			o.Status, o.Upgrades, o.Reason = OfferWithdrawn, false, c.Note
			o.AnsweredAt = &now
			if err := s.updateAndTell(tx, by, o, "offer.withdraw", "Your training post offer has been withdrawn", func(post string) string {
				// The reason is what the employer typed: quoted data, never
				// the message's own words.
				return "Your employer has withdrawn your offer of a training post because a pre-employment check did not pass:\n\n" + post +
					"\nThe check: " + CheckNames[c.Kind] + "\nThe employer's reason, as they gave it:\n" + fmt.Sprintf("%q", c.Note) +
					"\n\nYour application in this round has ended. Sign in to hcs to see your results.\n"
			}); err != nil {
				return nil, err
			}
			if err := s.cascade(tx, r, o.PostID); err != nil {
				return nil, err
			}
		}
		stored, err = tx.Checks(offerID)
		if err != nil {
			return nil, err
		}
		return &result{o, OfferChecks(offerID, stored)}, nil
	})
	if err != nil {
		return nil, nil, err
	}
	return res.offer, res.checks, nil
}

// updateAndTell saves an offer's new status, audits it and emails its
// applicant the message body gives for the post.
func (s *Service) updateAndTell(tx Tx, by auth.Actor, o *Offer, action, subject string, body func(post string) string) error {
	if err := tx.UpdateOffer(o); err != nil {
		return err
	}
	if err := auditf(tx, by, action, "offer", o.ID, "post %d, seat %d", o.PostID, o.Seat); err != nil {
		return err
	}
	person, post, err := s.offerMessage(tx, o)
	if err != nil {
		return err
	}
	return tx.Send(person, subject, body(post))
}
