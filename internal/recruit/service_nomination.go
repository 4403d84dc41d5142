package recruit

import (
	"context"
	"fmt"
	"slices"

	"hcs/internal/apperr"
	"hcs/internal/auth"
)

// Nominate records an employer's nomination of one of its employees,
// named by the email address of their hcs account, for the in-service
// route through one of its in-service posts, and tells the nominee. The
// post's round is locked, so that a person is nominated once.
func (s *Service) Nominate(ctx context.Context, by auth.Actor, postID int64, email string) (*Nomination, error) {
	return write(ctx, s, func(tx Tx) (*Nomination, error) {
		p, r, err := lockedPost(tx, postID)
		if err != nil {
			return nil, err
		}
		person, err := tx.PersonByEmail(auth.NormaliseEmail(email))
		if apperr.Code(err) == apperr.NotFound {
			return nil, apperr.Invalidf("email", "There is no hcs account for %q: ask your employee to create one, then nominate them", email)
		}
		if err != nil {
			return nil, err
		}
		existing, err := tx.Nominations(Query{RoundID: r.ID})
		if err != nil {
			return nil, err
		}
		mine, err := tx.ApplicationsOf(person.ID)
		if err != nil {
			return nil, err
		}
		var applied *Application
		if i := slices.IndexFunc(mine, func(a Application) bool { return a.RoundID == r.ID && !a.Withdrawn() }); i >= 0 {
			applied = &mine[i]
		}
		if err := CanNominate(r, p, by.UserID, person.ID, existing, applied, tx.Now()); err != nil {
			return nil, err
		}
		// An employee already working for the trust: their own profile
		// says so (and their application, if they have applied).
		profile, err := tx.Profile(person.ID)
		if err != nil && apperr.Code(err) != apperr.NotFound {
			return nil, err
		}
		if profile == nil || profile.EmployerID != p.OrganisationID || applied != nil && applied.Submitted.EmployerID != p.OrganisationID {
			return nil, apperr.Invalidf("email", "%s's hcs profile does not name %s as their employer: only your own employees can be nominated, once their profile says so", person.Name, p.Organisation)
		}
		n := &Nomination{RoundID: r.ID, PostID: p.ID, OrganisationID: p.OrganisationID, Organisation: p.Organisation, UserID: person.ID, Nominee: *person, NominatedBy: by.UserID}
		if err := tx.InsertNomination(n); err != nil {
			return nil, err
		}
		if applied != nil {
			n.ApplicationID = applied.ID
		}
		body := fmt.Sprintf("Your employer has nominated you for the in-service route of national recruitment:\n\nRound: %q\nSpecialism: %s\nEmployer: %q\n\n",
			r.Name, s.specialismName(p.Specialism), p.Organisation) +
			"Apply in the round, in this specialism, by " + r.ShortlistingOpen.UTC().Format(dateFormat) + ". You take the online test like every applicant, " +
			"then skip shortlisting and go straight to interview. In the match you can be offered only your employer's in-service posts.\n"
		if err := tx.Send(*person, "You have been nominated for an in-service training post", body); err != nil {
			return nil, err
		}
		return n, auditf(tx, by, "post.nominate", "post", p.ID, "user %d nominated in round %d", person.ID, r.ID)
	})
}

// WithdrawNomination withdraws a nomination made through a post, until
// applications close, and tells the employee. An application they have
// made stays in the round, now as a direct-entry one; the message says so.
func (s *Service) WithdrawNomination(ctx context.Context, by auth.Actor, postID, nominationID int64) (*Nomination, error) {
	return write(ctx, s, func(tx Tx) (*Nomination, error) {
		p, r, err := lockedPost(tx, postID)
		if err != nil {
			return nil, err
		}
		all, err := tx.Nominations(Query{RoundID: r.ID})
		if err != nil {
			return nil, err
		}
		i := slices.IndexFunc(all, func(n Nomination) bool { return n.ID == nominationID && n.PostID == p.ID })
		if i < 0 {
			return nil, apperr.Errorf(apperr.NotFound, "there is no nomination %d for this post", nominationID)
		}
		n := all[i]
		if err := CanWithdrawNomination(r, tx.Now()); err != nil {
			return nil, err
		}
		if err := tx.DeleteNomination(n.ID); err != nil {
			return nil, err
		}
		body := fmt.Sprintf("%s has withdrawn its nomination of you for the in-service route of %s (%s).\n\n", p.Organisation, r.Name, s.specialismName(p.Specialism))
		if n.ApplicationID != 0 {
			body += "Your application stays in the round as a direct-entry application: it goes to shortlisting with everyone else's, and can be matched only to direct-entry posts. " +
				"If you no longer want it, withdraw it from its page.\n"
		}
		if err := tx.Send(n.Nominee, "Your nomination for an in-service post has been withdrawn", body); err != nil {
			return nil, err
		}
		return &n, auditf(tx, by, "post.nomination_withdraw", "post", p.ID, "user %d's nomination in round %d withdrawn", n.UserID, r.ID)
	})
}

// PostNominations lists the nominations made through a post.
func (s *Service) PostNominations(ctx context.Context, postID int64) ([]Nomination, error) {
	return read(ctx, s, func(tx Tx) ([]Nomination, error) {
		p, err := tx.Post(postID)
		if err != nil {
			return nil, err
		}
		all, err := tx.Nominations(Query{RoundID: p.RoundID})
		if err != nil {
			return nil, err
		}
		return slices.DeleteFunc(all, func(n Nomination) bool { return n.PostID != postID }), nil
	})
}

// RankablePosts lists the open posts an application may rank: those of
// its specialism in its round, in-service posts only for its employer's
// nominee, and only those for a nominee.
func (s *Service) RankablePosts(ctx context.Context, applicationID int64) ([]Post, error) {
	return read(ctx, s, func(tx Tx) ([]Post, error) {
		a, err := tx.Application(applicationID)
		if err != nil {
			return nil, err
		}
		posts, err := tx.Posts(a.RoundID)
		if err != nil {
			return nil, err
		}
		nominated, err := nominators(tx, Query{ApplicationID: a.ID})
		if err != nil {
			return nil, err
		}
		return slices.DeleteFunc(posts, func(p Post) bool {
			return p.Specialism != a.Specialism || p.Status != PostOpen || !MayHold(&p, nominated[a.ID])
		}), nil
	})
}

// nominators maps each nominee's application in a round to the
// organisation that nominated them.
func nominators(tx Tx, q Query) (map[int64]int64, error) {
	ns, err := tx.Nominations(q)
	if err != nil {
		return nil, err
	}
	out := map[int64]int64{}
	for _, n := range ns {
		if n.ApplicationID != 0 {
			out[n.ApplicationID] = n.OrganisationID
		}
	}
	return out, nil
}
