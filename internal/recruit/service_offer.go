package recruit

import (
	"context"
	"fmt"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/auth"
)

// makeOffer records an offer in its seat and tells the applicant through
// the outbox. why says what made it: the match, the cascade or an upgrade.
// An offer is made as offered unless it says otherwise (an upgrade keeps
// the answer given to the offer it replaces).
func (s *Service) makeOffer(tx Tx, by auth.Actor, o *Offer, why string) error {
	if o.Status == "" {
		o.Status = OfferOffered
	}
	if err := tx.InsertOffer(o); err != nil {
		return err
	}
	person, post, err := s.offerMessage(tx, o)
	if err != nil {
		return err
	}
	body := "You have been offered a training post through national recruitment:\n\n" + post +
		"\nSign in to hcs to accept, hold or decline it by " + o.Deadline.UTC().Format(dateFormat) +
		". An offer that is not answered by then expires and the place is offered to someone else.\n"
	if o.Status != OfferOffered {
		body = "You asked to be upgraded if a post you ranked higher became free. One has, and it is now yours in place of the offer you had:\n\n" +
			post + "\nYou hold it as you held the other (" + o.Status + "). You can still decline it when you sign in to hcs.\n"
	}
	if err := tx.Send(person, "Offer of a training post", body); err != nil {
		return err
	}
	return auditf(tx, by, "offer.create", "offer", o.ID, "application %d, post %d, seat %d, by %s, answer by %s",
		o.ApplicationID, o.PostID, o.Seat, why, o.Deadline.UTC().Format(time.RFC3339))
}

// offerMessage is who an offer's messages go to, and the post as they
// describe it. What people typed (the site, the organisation's name) is
// shown as quoted data on its own line, never as the message's own words;
// the person's name is not used at all.
func (s *Service) offerMessage(tx Tx, o *Offer) (Person, string, error) {
	a, err := tx.Application(o.ApplicationID)
	if err != nil {
		return Person{}, "", err
	}
	p, err := tx.Post(o.PostID)
	if err != nil {
		return Person{}, "", err
	}
	person, err := namedPerson(tx, a.UserID)
	if err != nil {
		return Person{}, "", err
	}
	return person, fmt.Sprintf("Specialism: %s\nEmployer: %q\nSite: %q\n", s.specialismName(p.Specialism), p.Organisation, p.Site), nil
}

// AnswerOffer records an applicant's answer to an offer. Offers already
// past their deadline are expired first, by the offer expiry, so that the
// answer meets the offer as it stands. A decline frees the place, which
// cascades. The round's row is locked, so that answers, expiries and
// cascades in one round happen one at a time and never give a place
// twice.
func (s *Service) AnswerOffer(ctx context.Context, by auth.Actor, offerID int64, answer Answer, upgrades bool) (*Offer, error) {
	o, err := s.Offer(ctx, offerID)
	if err != nil {
		return nil, err
	}
	// Expiries stand even when the answer is refused, so they commit on
	// their own first.
	if _, err := s.ExpireOffers(ctx, o.RoundID); err != nil {
		return nil, err
	}
	return write(ctx, s, func(tx Tx) (*Offer, error) {
		r, err := tx.LockRound(o.RoundID)
		if err != nil {
			return nil, err
		}
		if _, err := s.expireDue(tx, r); err != nil {
			return nil, err
		}
		o, err := tx.Offer(offerID)
		if err != nil {
			return nil, err
		}
		status, keep, err := Answered(o, answer, upgrades, tx.Now())
		if err != nil {
			return nil, err
		}
		if o.Status == OfferUnconditional {
			if err := canLeaveUnconditional(tx, r, o); err != nil {
				return nil, err
			}
		}
		now := tx.Now()
		o.Status, o.Upgrades, o.AnsweredAt = status, keep, &now
		if err := tx.UpdateOffer(o); err != nil {
			return nil, err
		}
		if err := auditf(tx, by, "offer."+string(answer), "offer", o.ID, "upgrades %v", keep); err != nil {
			return nil, err
		}
		if status == OfferDeclined {
			if err := s.cascade(tx, r, o.PostID); err != nil {
				return nil, err
			}
		}
		return o, nil
	})
}

// canLeaveUnconditional says whether an unconditional offer may still be
// declined: until its post starts and before a training record is made
// from it. After that the place is the trainee's, and leaving it is
// training's business; it never cascades.
func canLeaveUnconditional(tx Tx, r *Round, o *Offer) error {
	if !tx.Now().Before(r.StartDate) {
		return apperr.Errorf(apperr.Conflict, "This post started on %s, so the offer can no longer be declined: speak to your employer about leaving the post.",
			r.StartDate.UTC().Format("2 January 2006"))
	}
	started, err := tx.TrainingStarted(o.ID)
	if err != nil {
		return err
	}
	if started {
		return apperr.Errorf(apperr.Conflict, "Your training record has been started from this offer, so it can no longer be declined: speak to your employer about leaving the post.")
	}
	return nil
}

// ExpireOffers expires a round's unanswered offers past their deadline,
// as the offer expiry, and offers their places on.
func (s *Service) ExpireOffers(ctx context.Context, roundID int64) (int, error) {
	return write(ctx, s, func(tx Tx) (int, error) {
		r, err := tx.LockRound(roundID)
		if err != nil {
			return 0, err
		}
		return s.expireDue(tx, r)
	})
}

// ExpireAllDue runs the offer expiry over every matched round: what a
// server does every minute, so that deadlines hold whether or not anyone
// asks.
func (s *Service) ExpireAllDue(ctx context.Context) (int, error) {
	rounds, err := s.Rounds(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, r := range rounds {
		if r.MatchedAt == nil {
			continue
		}
		n, err := s.ExpireOffers(ctx, r.ID)
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

// expireDue expires the round's offers past their deadline and cascades
// each freed place. The round must be locked.
func (s *Service) expireDue(tx Tx, r *Round) (int, error) {
	if r.MatchedAt == nil {
		return 0, nil
	}
	offers, err := tx.Offers(OfferFilter{RoundID: r.ID, Live: true})
	if err != nil {
		return 0, err
	}
	now := tx.Now()
	n := 0
	for i := range offers {
		o := &offers[i]
		if !DueForExpiry(o, now) {
			continue
		}
		o.Status, o.AnsweredAt = OfferExpired, &now
		if err := tx.UpdateOffer(o); err != nil {
			return n, err
		}
		if err := tx.Audit(ExpiryProcess, "offer.expire", "offer", o.ID, "not answered by "+o.Deadline.UTC().Format(time.RFC3339)); err != nil {
			return n, err
		}
		n++
		if err := s.cascade(tx, r, o.PostID); err != nil {
			return n, err
		}
	}
	return n, nil
}

// cascade offers a post's free places down its ranking, as the cascade:
// to whom NextOffer chooses, each in a free seat. An upgrade supersedes
// the applicant's old offer, whose place cascades in turn. The round must
// be locked.
func (s *Service) cascade(tx Tx, r *Round, postID int64) error {
	queue := []int64{postID}
	for len(queue) > 0 {
		post := queue[0]
		queue = queue[1:]
		p, err := tx.Post(post)
		if err != nil {
			return err
		}
		if p.Status == PostWithdrawn {
			continue
		}
		for {
			live, err := tx.Offers(OfferFilter{PostID: post, Live: true})
			if err != nil {
				return err
			}
			seat := FreeSeat(live, p.Places)
			if seat == 0 {
				break
			}
			contenders, err := contendersFor(tx, r, p)
			if err != nil {
				return err
			}
			app, replace, ok := NextOffer(post, contenders)
			if !ok {
				break // nobody left who would take it
			}
			o := &Offer{RoundID: r.ID, ApplicationID: app, PostID: post, Seat: seat, Deadline: OfferDeadline(r, tx.Now()), Upgrades: replace != nil}
			why := "cascade"
			if replace != nil {
				if replace.Status != OfferOffered {
					// An upgrade keeps the answer given: accepted or held.
					o.Status, o.AnsweredAt = replace.Status, replace.AnsweredAt
				}
				now := tx.Now()
				replace.Status, replace.AnsweredAt = OfferSuperseded, &now
				if err := tx.UpdateOffer(replace); err != nil {
					return err
				}
				if err := auditf(tx, CascadeProcess, "offer.supersede", "offer", replace.ID, "upgraded to post %d", post); err != nil {
					return err
				}
				queue = append(queue, replace.PostID)
				why = "upgrade"
			}
			if err := s.makeOffer(tx, CascadeProcess, o, why); err != nil {
				return err
			}
		}
	}
	return nil
}

// contendersFor lists the ranked applicants of a post's specialism who
// ranked the post, as the post ranks them, with their offers.
func contendersFor(tx Tx, r *Round, p *Post) ([]Contender, error) {
	apps, err := tx.Applications(r.ID)
	if err != nil {
		return nil, err
	}
	apps = InRound(apps)
	own, err := tx.PostRankings(r.ID)
	if err != nil {
		return nil, err
	}
	offers, err := tx.Offers(OfferFilter{RoundID: r.ID})
	if err != nil {
		return nil, err
	}
	byApp := map[int64][]Offer{}
	for _, o := range offers {
		byApp[o.ApplicationID] = append(byApp[o.ApplicationID], o)
	}
	nominated, err := nominators(tx, Query{RoundID: r.ID})
	if err != nil {
		return nil, err
	}
	list := map[int64]int{}
	for i, id := range own[p.ID] {
		list[id] = i + 1
	}
	var out []Contender
	for _, a := range apps {
		if a.Specialism != p.Specialism || a.NationalRank == nil || !MayHold(p, nominated[a.ID]) {
			continue
		}
		rank := *a.NationalRank
		if len(own[p.ID]) > 0 {
			var listed bool
			if rank, listed = list[a.ID]; !listed {
				continue // an own list accepts only those on it
			}
		}
		prefs := map[int64]int{}
		for i, post := range a.Preferences {
			prefs[post] = i + 1
		}
		out = append(out, Contender{ApplicationID: a.ID, PostRank: rank, Preferences: prefs, Offers: byApp[a.ID]})
	}
	return out, nil
}

// PostOffer is an offer of a post with its applicant, for the post's
// employer: once offered, the applicant is named.
type PostOffer struct {
	Offer     Offer  `json:"offer"`
	Reference string `json:"reference"`
	Applicant Person `json:"applicant"`
}

// PostOffers lists the offers of a post, newest last.
func (s *Service) PostOffers(ctx context.Context, postID int64) ([]PostOffer, error) {
	return read(ctx, s, func(tx Tx) ([]PostOffer, error) {
		offers, err := tx.Offers(OfferFilter{PostID: postID})
		if err != nil {
			return nil, err
		}
		out := []PostOffer{}
		for _, o := range offers {
			a, err := tx.Application(o.ApplicationID)
			if err != nil {
				return nil, err
			}
			p, err := namedPerson(tx, a.UserID)
			if err != nil {
				return nil, err
			}
			out = append(out, PostOffer{Offer: o, Reference: Reference(a.ID), Applicant: p})
		}
		return out, nil
	})
}

// OfferDetail is an offer with everything its applicant needs to decide.
type OfferDetail struct {
	Offer      Offer    `json:"offer"`
	Post       Post     `json:"post"`
	Round      Round    `json:"round"`
	Specialism string   `json:"specialism"`
	Programme  string   `json:"programme"`
	Band       []string `json:"band"` // Agenda for Change band(s) while training
	// FirstChoice: the applicant ranked this post first, so there is
	// nothing to hold out or upgrade for.
	FirstChoice bool `json:"first_choice"`
	// Checks are the employer's pre-employment checks, once the offer has
	// been accepted.
	Checks []Check `json:"checks,omitempty"`
}

// OfferDetail loads an offer with its post, round, programme and band.
func (s *Service) OfferDetail(ctx context.Context, offerID int64) (*OfferDetail, error) {
	return read(ctx, s, func(tx Tx) (*OfferDetail, error) {
		o, err := tx.Offer(offerID)
		if err != nil {
			return nil, err
		}
		p, err := tx.Post(o.PostID)
		if err != nil {
			return nil, err
		}
		r, err := tx.Round(o.RoundID)
		if err != nil {
			return nil, err
		}
		a, err := tx.Application(o.ApplicationID)
		if err != nil {
			return nil, err
		}
		d := &OfferDetail{Offer: *o, Post: *p, Round: *r, Specialism: s.specialismName(p.Specialism), Programme: r.Programme, Band: []string{},
			FirstChoice: len(a.Preferences) > 0 && a.Preferences[0] == p.ID}
		if prog := s.f.Programme(r.Programme); prog != nil {
			d.Programme, d.Band = prog.Name, prog.BandTraining
		}
		switch o.Status {
		case OfferAccepted, OfferUnconditional, OfferWithdrawn:
			stored, err := tx.Checks(o.ID)
			if err != nil {
				return nil, err
			}
			d.Checks = OfferChecks(o.ID, stored)
		}
		return d, nil
	})
}

// OfferOwner returns the person an offer was made to.
func (s *Service) OfferOwner(ctx context.Context, offerID int64) (int64, error) {
	return read(ctx, s, func(tx Tx) (int64, error) {
		o, err := tx.Offer(offerID)
		if err != nil {
			return 0, err
		}
		a, err := tx.Application(o.ApplicationID)
		if err != nil {
			return 0, err
		}
		return a.UserID, nil
	})
}
