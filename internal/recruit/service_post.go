package recruit

import (
	"context"
	"fmt"
	"slices"

	"hcs/internal/apperr"
	"hcs/internal/auth"
)

// PublishPost publishes a training post for an organisation in a round,
// until applications close. Its region is the organisation's.
func (s *Service) PublishPost(ctx context.Context, by auth.Actor, p *Post) error {
	if err := s.specialismRecruits(p.Specialism); err != nil {
		return err
	}
	if err := p.Validate(); err != nil {
		return err
	}
	return s.store.Write(ctx, func(tx Tx) error {
		r, err := tx.Round(p.RoundID)
		if err != nil {
			return err
		}
		if err := CanPublishPost(r, tx.Now()); err != nil {
			return err
		}
		org, err := tx.Organisation(p.OrganisationID)
		if err != nil {
			return apperr.Invalidf("organisation_id", "there is no organisation %d", p.OrganisationID)
		}
		if org.Kind != auth.OrgTrust {
			return apperr.Invalidf("organisation_id", "%s is not an employer; training posts belong to trusts", org.Name)
		}
		p.Organisation, p.Region, p.Status = org.Name, org.Region, PostOpen
		if err := tx.InsertPost(p); err != nil {
			return err
		}
		return auditf(tx, by, "post.create", "post", p.ID, "round %d, %s, %d place(s) at %s", p.RoundID, p.Specialism, p.Places, p.Site)
	})
}

// PostChange is what an employer may change of a post.
type PostChange struct {
	Site    string
	Places  int
	Contact string
}

// UpdatePost changes a post's site, places and contact, until matching
// begins.
func (s *Service) UpdatePost(ctx context.Context, by auth.Actor, postID int64, c PostChange) (*Post, error) {
	return write(ctx, s, func(tx Tx) (*Post, error) {
		p, r, err := lockedPost(tx, postID)
		if err != nil {
			return nil, err
		}
		if err := CanChangePost(r, p, tx.Now()); err != nil {
			return nil, err
		}
		old := *p
		p.Site, p.Places, p.Contact = c.Site, c.Places, c.Contact
		if err := p.Validate(); err != nil {
			return nil, err
		}
		if err := tx.UpdatePost(p); err != nil {
			return nil, err
		}
		return p, auditf(tx, by, "post.update", "post", p.ID, "site %q → %q, places %d → %d, contact %q → %q",
			old.Site, p.Site, old.Places, p.Places, old.Contact, p.Contact)
	})
}

// WithdrawPost takes a post out of the round, until matching begins.
// Applicants who ranked it keep their other preferences.
func (s *Service) WithdrawPost(ctx context.Context, by auth.Actor, postID int64) (*Post, error) {
	return write(ctx, s, func(tx Tx) (*Post, error) {
		p, r, err := lockedPost(tx, postID)
		if err != nil {
			return nil, err
		}
		if err := CanChangePost(r, p, tx.Now()); err != nil {
			return nil, err
		}
		p.Status = PostWithdrawn
		if err := tx.UpdatePost(p); err != nil {
			return nil, err
		}
		if p.InService {
			if err := s.tellNominees(tx, r, p); err != nil {
				return nil, err
			}
		}
		return p, auditf(tx, by, "post.withdraw", "post", p.ID, "round %d, %s at %s", p.RoundID, p.Specialism, p.Site)
	})
}

// tellNominees emails those nominated through a withdrawn in-service
// post what it means for them: they may hold only their employer's other
// in-service posts in the specialism, if it has any still open.
func (s *Service) tellNominees(tx Tx, r *Round, p *Post) error {
	ns, err := tx.Nominations(Query{RoundID: r.ID})
	if err != nil {
		return err
	}
	posts, err := tx.Posts(r.ID)
	if err != nil {
		return err
	}
	others := slices.ContainsFunc(posts, func(q Post) bool {
		return q.ID != p.ID && q.Status == PostOpen && q.InService && q.OrganisationID == p.OrganisationID && q.Specialism == p.Specialism
	})
	for _, n := range ns {
		if n.PostID != p.ID {
			continue
		}
		body := fmt.Sprintf("%s has withdrawn the in-service post at %q in %s (%s), for which it nominated you.\n\n", p.Organisation, p.Site, r.Name, s.specialismName(p.Specialism))
		if others {
			body += "Your nomination stands: you may still be matched to its other in-service posts in the specialism.\n"
		} else {
			body += "It has no other in-service post in the specialism, so your application cannot be matched to any post in this round. You may withdraw it from its page; ask your employer about the next round.\n"
		}
		if err := tx.Send(n.Nominee, "The in-service post you were nominated for has been withdrawn", body); err != nil {
			return err
		}
	}
	return nil
}

// lockedPost loads a post with its round locked, so that the post cannot
// change while the round is matched.
func lockedPost(tx Tx, postID int64) (*Post, *Round, error) {
	p, err := tx.Post(postID)
	if err != nil {
		return nil, nil, err
	}
	r, err := tx.LockRound(p.RoundID)
	if err != nil {
		return nil, nil, err
	}
	p, err = tx.Post(postID)
	return p, r, err
}

// SetPostRanking gives a post its employer's own order of applicants,
// where the round allows it, in the preferences stage; an empty list
// returns it to the national rank. Only applicants who applied in the
// post's specialism and were ranked may be listed, and never the person
// setting the list.
func (s *Service) SetPostRanking(ctx context.Context, by auth.Actor, postID int64, applications []int64) error {
	return s.store.Write(ctx, func(tx Tx) error {
		p, r, err := lockedPost(tx, postID)
		if err != nil {
			return err
		}
		switch {
		case !r.EmployerRanking:
			return apperr.Errorf(apperr.Conflict, "This round ranks every post by the national rank; employers do not set their own lists.")
		case p.Status == PostWithdrawn:
			return apperr.Errorf(apperr.Conflict, "This post was withdrawn.")
		}
		if err := r.RequireStage(StagePreferences, "ranking applicants for a post", tx.Now()); err != nil {
			return err
		}
		apps, err := tx.Applications(p.RoundID)
		if err != nil {
			return err
		}
		apps = InRound(apps)
		nominated, err := nominators(tx, Query{RoundID: p.RoundID})
		if err != nil {
			return err
		}
		seen := map[int64]bool{}
		for _, id := range applications {
			i := slices.IndexFunc(apps, func(a Application) bool { return a.ID == id })
			switch {
			case i < 0 || apps[i].Specialism != p.Specialism || apps[i].NationalRank == nil:
				return apperr.Invalidf("applications", "%s is not a ranked application in %s in this round", Reference(id), s.specialismName(p.Specialism))
			case !MayHold(p, nominated[id]) && p.InService:
				return apperr.Invalidf("applications", "%s is not a nominee of this in-service post's employer, so it may not hold the post", Reference(id))
			case !MayHold(p, nominated[id]):
				return apperr.Invalidf("applications", "%s is an in-service nominee, who may hold only their employer's in-service posts", Reference(id))
			case apps[i].UserID == by.UserID:
				return apperr.Errorf(apperr.Forbidden, "You cannot rank your own application.")
			case seen[id]:
				return apperr.Invalidf("applications", "%s is listed twice", Reference(id))
			}
			seen[id] = true
		}
		if err := tx.ReplacePostRanking(postID, applications); err != nil {
			return err
		}
		detail := "national rank"
		if len(applications) > 0 {
			detail = fmt.Sprintf("own list of %d applicants", len(applications))
		}
		return tx.Audit(by, "post.ranking", "post", postID, detail)
	})
}

// RankedApplicant is a ranked applicant of a post's specialism, as the
// post's employer sees them when setting its own list.
type RankedApplicant struct {
	ApplicationID int64  `json:"application_id"`
	Reference     string `json:"reference"`
	Applicant     Person `json:"applicant"`
	NationalRank  int    `json:"national_rank"`
	OwnRank       int    `json:"own_rank,omitempty"` // 0 when not on the post's own list
}

// PostApplicants lists the ranked applicants of a post's specialism in
// national rank order, with their place on the post's own list.
func (s *Service) PostApplicants(ctx context.Context, postID int64) ([]RankedApplicant, error) {
	return read(ctx, s, func(tx Tx) ([]RankedApplicant, error) {
		p, err := tx.Post(postID)
		if err != nil {
			return nil, err
		}
		apps, err := tx.Applications(p.RoundID)
		if err != nil {
			return nil, err
		}
		apps = InRound(apps)
		own, err := tx.PostRankings(p.RoundID)
		if err != nil {
			return nil, err
		}
		nominated, err := nominators(tx, Query{RoundID: p.RoundID})
		if err != nil {
			return nil, err
		}
		out := []RankedApplicant{}
		for _, a := range apps {
			if a.Specialism != p.Specialism || a.NationalRank == nil || !MayHold(p, nominated[a.ID]) {
				continue // only those who may hold the post
			}
			person, err := namedPerson(tx, a.UserID)
			if err != nil {
				return nil, err
			}
			ra := RankedApplicant{ApplicationID: a.ID, Reference: Reference(a.ID), Applicant: person, NationalRank: *a.NationalRank}
			if i := slices.Index(own[postID], a.ID); i >= 0 {
				ra.OwnRank = i + 1
			}
			out = append(out, ra)
		}
		slices.SortFunc(out, func(a, b RankedApplicant) int { return a.NationalRank - b.NationalRank })
		return out, nil
	})
}
