package recruit

import (
	"context"
	"slices"
	"strings"

	"hcs/internal/apperr"
	"hcs/internal/auth"
)

// SaveProfile keeps an applicant's qualifications, registrations, right
// to work and current employer.
func (s *Service) SaveProfile(ctx context.Context, by auth.Actor, p *Profile) error {
	if err := p.Validate(s.f); err != nil {
		return err
	}
	return s.store.Write(ctx, func(tx Tx) error {
		if p.EmployerID != 0 {
			o, err := tx.Organisation(p.EmployerID)
			if err != nil || o.Kind != auth.OrgTrust {
				return apperr.Invalidf("employer_id", "choose your current employer from the list, or none")
			}
		}
		if err := tx.SaveProfile(p); err != nil {
			return err
		}
		return auditf(tx, by, "profile.save", "user", p.UserID, "%d qualification(s) (%s), %d registration(s), right to work %v, employer %d",
			len(p.Qualifications), strings.Join(p.Credentials(), ","), len(p.Registrations), p.RightToWork, p.EmployerID)
	})
}

// Eligibility says whether a person may apply to a round, and why not.
func (s *Service) Eligibility(ctx context.Context, userID, roundID int64) (*Round, Eligibility, error) {
	type answer struct {
		r *Round
		e Eligibility
	}
	a, err := read(ctx, s, func(tx Tx) (answer, error) {
		r, err := tx.Round(roundID)
		if err != nil {
			return answer{}, err
		}
		p, err := tx.Profile(userID)
		if err != nil && apperr.Code(err) != apperr.NotFound {
			return answer{}, err
		}
		return answer{r, CheckApplicant(s.f, r.Programme, p)}, nil
	})
	return a.r, a.e, err
}

// Apply submits an application to one specialism of a round, in its
// applications window, if the applicant is eligible and the specialism
// has an open post in the round. Each person applies once per round. The
// round is locked, as Nominate locks it, so that an application and a
// nomination made at once cannot each miss the other (and a nominee apply
// outside their post's specialism).
func (s *Service) Apply(ctx context.Context, by auth.Actor, a *Application) error {
	if err := s.specialismRecruits(a.Specialism); err != nil {
		return err
	}
	var err error
	if a.Statement, err = CheckStatement(a.Statement); err != nil {
		return err
	}
	return s.store.Write(ctx, func(tx Tx) error {
		r, err := tx.LockRound(a.RoundID)
		if err != nil {
			return err
		}
		if err := r.RequireStage(StageApplications, "applying", tx.Now()); err != nil {
			return err
		}
		p, err := tx.Profile(a.UserID)
		if err != nil && apperr.Code(err) != apperr.NotFound {
			return err
		}
		if e := CheckApplicant(s.f, r.Programme, p); !e.Eligible {
			return apperr.Invalidf("eligibility", "%s", e.Reason)
		}
		reviewers, err := tx.Appointments(a.RoundID)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(reviewers, func(rv Appointment) bool { return rv.UserID == a.UserID }) {
			return apperr.Errorf(apperr.Forbidden, "You review applications in this round, so you cannot apply in it.")
		}
		a.Submitted = p.Submission()
		posts, err := tx.Posts(a.RoundID)
		if err != nil {
			return err
		}
		noms, err := tx.Nominations(Query{RoundID: a.RoundID, UserID: a.UserID})
		if err != nil {
			return err
		}
		var nominatedBy int64
		for _, n := range noms {
			nominatedBy = n.OrganisationID
		}
		for _, n := range noms {
			i := slices.IndexFunc(posts, func(p Post) bool { return p.ID == n.PostID })
			if i >= 0 && posts[i].Specialism != a.Specialism {
				return apperr.Invalidf("specialism", "%s nominated you for an in-service post in %s: apply in that specialism", posts[i].Organisation, s.specialismName(posts[i].Specialism))
			}
		}
		if !slices.ContainsFunc(posts, func(p Post) bool {
			return p.Specialism == a.Specialism && p.Status == PostOpen && MayHold(&p, nominatedBy)
		}) {
			return apperr.Invalidf("specialism", "There are no posts in %s in this round that you can apply for", s.specialismName(a.Specialism))
		}
		a.Preferences = []int64{}
		if err := tx.InsertApplication(a); err != nil {
			if apperr.Code(err) == apperr.Conflict {
				return &apperr.Error{Code: apperr.Conflict, Field: "specialism", Message: "You have already applied in this round: each applicant applies to one specialism.", Err: err}
			}
			return err
		}
		return auditf(tx, by, "application.submit", "application", a.ID, "round %d, %s", a.RoundID, a.Specialism)
	})
}

// SetPreferences records the posts an applicant would accept, best first,
// in the preferences stage: open posts of the round in the specialism
// they applied to, each once.
func (s *Service) SetPreferences(ctx context.Context, by auth.Actor, applicationID int64, posts []int64) (*Application, error) {
	return write(ctx, s, func(tx Tx) (*Application, error) {
		a, err := tx.LockApplication(applicationID)
		if err != nil {
			return nil, err
		}
		if a.Withdrawn() {
			return nil, errWithdrawn(a)
		}
		r, err := tx.Round(a.RoundID)
		if err != nil {
			return nil, err
		}
		if err := r.RequireStage(StagePreferences, "ranking posts", tx.Now()); err != nil {
			return nil, err
		}
		if a.NationalRank == nil && (r.ShortlistPassMark > 0 || r.Allocated()) {
			st, err := loadState(tx, Query{ApplicationID: a.ID})
			if err != nil {
				return nil, err
			}
			if _, _, shortlisted := st.shortlist(r, a.ID); !shortlisted {
				return nil, apperr.Errorf(apperr.Conflict, "Your application was not shortlisted, so it takes no part in matching.")
			}
		}
		roundPosts, err := tx.Posts(a.RoundID)
		if err != nil {
			return nil, err
		}
		nominated, err := nominators(tx, Query{ApplicationID: a.ID})
		if err != nil {
			return nil, err
		}
		seen := map[int64]bool{}
		for _, id := range posts {
			i := slices.IndexFunc(roundPosts, func(p Post) bool { return p.ID == id })
			switch {
			case i < 0:
				return nil, apperr.Invalidf("posts", "post %d is not in this round", id)
			case roundPosts[i].Status != PostOpen:
				return nil, apperr.Invalidf("posts", "post %d was withdrawn", id)
			case roundPosts[i].Specialism != a.Specialism:
				return nil, apperr.Invalidf("posts", "post %d is in %s; you applied to %s", id, s.specialismName(roundPosts[i].Specialism), s.specialismName(a.Specialism))
			case !MayHold(&roundPosts[i], nominated[a.ID]) && roundPosts[i].InService:
				return nil, apperr.Invalidf("posts", "post %d is an in-service post: only %s's own nominees may rank it", id, roundPosts[i].Organisation)
			case !MayHold(&roundPosts[i], nominated[a.ID]):
				return nil, apperr.Invalidf("posts", "post %d is for direct entry: as an in-service nominee you may rank only your employer's in-service posts", id)
			case seen[id]:
				return nil, apperr.Invalidf("posts", "post %d is listed twice", id)
			}
			seen[id] = true
		}
		if err := tx.ReplacePreferences(applicationID, posts); err != nil {
			return nil, err
		}
		a.Preferences = append([]int64{}, posts...)
		return a, auditf(tx, by, "preferences.set", "application", applicationID, "%v", posts)
	})
}

// ApplicationStatus is an application with its round, where it stands,
// and its offers, for its applicant.
type ApplicationStatus struct {
	Application Application `json:"application"`
	Round       Round       `json:"round"`
	Stage       string      `json:"stage"`
	Standing    Standing    `json:"standing"`
	// Test is the online test's outcome, once published.
	Test *TestOutcome `json:"test,omitempty"`
	// Shortlist is the published shortlisting outcome, in a round with
	// an interview allocation.
	Shortlist *ShortlistResult `json:"shortlist,omitempty"`
	Offers    []Offer          `json:"offers"`
	// Nomination is the employer's nomination for the in-service route,
	// when the applicant has one.
	Nomination *Nomination `json:"nomination,omitempty"`
}

// Status says where an application stands.
func (s *Service) Status(ctx context.Context, applicationID int64) (*ApplicationStatus, error) {
	return read(ctx, s, func(tx Tx) (*ApplicationStatus, error) {
		a, err := tx.Application(applicationID)
		if err != nil {
			return nil, err
		}
		return status(tx, a)
	})
}

// StatusesOf lists where each of a person's applications stands.
func (s *Service) StatusesOf(ctx context.Context, userID int64) ([]ApplicationStatus, error) {
	return read(ctx, s, func(tx Tx) ([]ApplicationStatus, error) {
		apps, err := tx.ApplicationsOf(userID)
		if err != nil {
			return nil, err
		}
		out := []ApplicationStatus{}
		for i := range apps {
			st, err := status(tx, &apps[i])
			if err != nil {
				return nil, err
			}
			out = append(out, *st)
		}
		return out, nil
	})
}

func status(tx Tx, a *Application) (*ApplicationStatus, error) {
	r, err := tx.Round(a.RoundID)
	if err != nil {
		return nil, err
	}
	st, err := loadState(tx, Query{ApplicationID: a.ID})
	if err != nil {
		return nil, err
	}
	offers, err := tx.Offers(OfferFilter{ApplicationID: a.ID})
	if err != nil {
		return nil, err
	}
	var test *TestOutcome
	if r.Test.Rule != TestRuleNone && r.TestPublishedAt != nil && !a.Withdrawn() {
		_, outcomes, err := longlist(tx, r)
		if err != nil {
			return nil, err
		}
		o := outcomes[a.ID]
		test = &o
	}
	score, done, _ := st.shortlist(r, a.ID)
	now := tx.Now()
	_, nominee := st.nominated[a.ID]
	var outcome *ShortlistResult
	if res, ok := st.outcomes[a.ID]; ok {
		outcome = &res
	}
	out := &ApplicationStatus{Application: *a, Round: *r, Stage: r.Stage(now), Standing: ApplicationStanding(r, a, test, score, done, nominee, outcome, offers, now),
		Test: test, Shortlist: outcome, Offers: offers}
	if nominee {
		ns, err := tx.Nominations(Query{ApplicationID: a.ID})
		if err != nil {
			return nil, err
		}
		if len(ns) > 0 {
			out.Nomination = &ns[0]
		}
	}
	return out, nil
}

// Leave takes a person out of national recruitment, as erasing their data
// does first: each of their applications is withdrawn, so that nothing
// further counts it, and each place they hold (an offer made, held or
// accepted) is declined, which offers it on through the cascade. Each
// round is one transaction, with its row locked as for any answer to an
// offer; leaving again changes nothing.
func (s *Service) Leave(ctx context.Context, by auth.Actor, userID int64) error {
	apps, err := s.ApplicationsOf(ctx, userID)
	if err != nil {
		return err
	}
	for _, a := range apps {
		if _, err := s.ExpireOffers(ctx, a.RoundID); err != nil {
			return err
		}
		err := s.store.Write(ctx, func(tx Tx) error {
			r, err := tx.LockRound(a.RoundID)
			if err != nil {
				return err
			}
			app, err := tx.LockApplication(a.ID)
			if err != nil {
				return err
			}
			return s.withdraw(tx, by, r, app, "the applicant left recruitment")
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// WithdrawApplication takes an application out of its round at its
// applicant's request: as leaving recruitment does, for one round. An
// invitee leaving before interviews close frees their interview place for
// the first reserve. It is refused once the applicant's post is theirs
// for good (started, or a training record made from it).
func (s *Service) WithdrawApplication(ctx context.Context, by auth.Actor, applicationID int64) (*Application, error) {
	a, err := s.Application(ctx, applicationID)
	if err != nil {
		return nil, err
	}
	if _, err := s.ExpireOffers(ctx, a.RoundID); err != nil {
		return nil, err
	}
	return write(ctx, s, func(tx Tx) (*Application, error) {
		r, err := tx.LockRound(a.RoundID)
		if err != nil {
			return nil, err
		}
		app, err := tx.LockApplication(a.ID)
		if err != nil {
			return nil, err
		}
		if app.Withdrawn() {
			return nil, errWithdrawn(app)
		}
		live, err := tx.Offers(OfferFilter{ApplicationID: app.ID, Live: true})
		if err != nil {
			return nil, err
		}
		for _, o := range live {
			if o.Status == OfferUnconditional {
				if err := canLeaveUnconditional(tx, r, &o); err != nil {
					return nil, err
				}
			}
		}
		if err := s.withdraw(tx, by, r, app, "the applicant withdrew"); err != nil {
			return nil, err
		}
		return tx.Application(app.ID)
	})
}

// withdraw takes an application out of its locked round: nothing further
// counts it, each place it holds (an offer made, held or accepted, or
// unconditional where it may still be left) is declined and offered on
// through the cascade, and an interview place it frees goes to the first
// reserve. Withdrawing again changes nothing.
func (s *Service) withdraw(tx Tx, by auth.Actor, r *Round, app *Application, why string) error {
	if !app.Withdrawn() {
		if err := tx.WithdrawApplication(app.ID); err != nil {
			return err
		}
		if err := auditf(tx, by, "application.withdraw", "application", app.ID, "round %d: %s", app.RoundID, why); err != nil {
			return err
		}
		if err := s.promoteFor(tx, by, r, app); err != nil {
			return err
		}
	}
	live, err := tx.Offers(OfferFilter{ApplicationID: app.ID, Live: true})
	if err != nil {
		return err
	}
	for _, o := range live {
		if o.Status == OfferUnconditional && canLeaveUnconditional(tx, r, &o) != nil {
			continue // the post is the trainee's: training closes it
		}
		now := tx.Now()
		o.Status, o.Upgrades, o.AnsweredAt = OfferDeclined, false, &now
		if err := tx.UpdateOffer(&o); err != nil {
			return err
		}
		if err := auditf(tx, by, "offer.decline", "offer", o.ID, "%s", why); err != nil {
			return err
		}
		if err := s.cascade(tx, r, o.PostID); err != nil {
			return err
		}
	}
	return nil
}
