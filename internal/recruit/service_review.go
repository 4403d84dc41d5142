package recruit

import (
	"context"
	"slices"

	"hcs/internal/apperr"
	"hcs/internal/auth"
)

// ReviewQueue lists the applications of a round assigned to a reviewer,
// blind, each with the reviewer's score once given.
func (s *Service) ReviewQueue(ctx context.Context, roundID, reviewerID int64) ([]BlindApplication, error) {
	return read(ctx, s, func(tx Tx) ([]BlindApplication, error) {
		if _, err := tx.Round(roundID); err != nil {
			return nil, err
		}
		mine, err := tx.Assignments(Query{RoundID: roundID, UserID: reviewerID})
		if err != nil {
			return nil, err
		}
		reviews, err := tx.Reviews(Query{RoundID: roundID, UserID: reviewerID})
		if err != nil {
			return nil, err
		}
		out := []BlindApplication{}
		for _, as := range mine {
			a, err := tx.Application(as.ApplicationID)
			if err != nil {
				return nil, err
			}
			if a.Withdrawn() {
				continue
			}
			b := Blind(a)
			if i := slices.IndexFunc(reviews, func(r Review) bool { return r.ApplicationID == as.ApplicationID }); i >= 0 {
				b.YourScore = &reviews[i].Score
			}
			out = append(out, b)
		}
		return out, nil
	})
}

// BlindApplication is one application as its assigned reviewer sees it.
// Anyone else is told it is not found.
func (s *Service) BlindApplication(ctx context.Context, applicationID, reviewerID int64) (*BlindApplication, error) {
	return read(ctx, s, func(tx Tx) (*BlindApplication, error) {
		mine, err := tx.Assignments(Query{ApplicationID: applicationID, UserID: reviewerID})
		if err != nil {
			return nil, err
		}
		if len(mine) == 0 {
			return nil, apperr.Errorf(apperr.NotFound, "application %s is not assigned to you", Reference(applicationID))
		}
		b, err := blind(tx, applicationID)
		if err != nil {
			return nil, err
		}
		reviews, err := tx.Reviews(Query{ApplicationID: applicationID, UserID: reviewerID})
		if err != nil {
			return nil, err
		}
		if len(reviews) > 0 {
			b.YourScore = &reviews[0].Score
		}
		return &b, nil
	})
}

func blind(tx Tx, applicationID int64) (BlindApplication, error) {
	a, err := tx.Application(applicationID)
	if err != nil {
		return BlindApplication{}, err
	}
	if a.Withdrawn() {
		return BlindApplication{}, errWithdrawn(a)
	}
	return Blind(a), nil
}

// Review records a reviewer's shortlisting score for an application
// assigned to them, in the shortlisting window. The application's row is
// locked, so that concurrent reviewers see each other's reviews; the
// schema refuses a third review or a second from one reviewer in any case.
func (s *Service) Review(ctx context.Context, by auth.Actor, applicationID int64, score int) (*Review, error) {
	if err := ValidScore(score); err != nil {
		return nil, err
	}
	return write(ctx, s, func(tx Tx) (*Review, error) {
		a, r, err := lockedApplication(tx, applicationID)
		if err != nil {
			return nil, err
		}
		if err := r.RequireStage(StageShortlisting, "shortlisting", tx.Now()); err != nil {
			return nil, err
		}
		st, err := loadState(tx, Query{ApplicationID: applicationID})
		if err != nil {
			return nil, err
		}
		slot, err := CheckReview(a, by.UserID, st.assignments[a.ID], st.reviews[a.ID])
		if err != nil {
			return nil, err
		}
		rv := &Review{ApplicationID: a.ID, ReviewerID: by.UserID, Slot: slot, Score: score, CreatedAt: tx.Now()}
		if err := tx.InsertReview(*rv); err != nil {
			if apperr.Code(err) == apperr.Conflict {
				return nil, apperr.Errorf(apperr.Conflict, "Application %s already has that review.", Reference(a.ID))
			}
			return nil, err
		}
		return rv, auditf(tx, by, "application.review", "application", a.ID, "slot %d, score %d", slot, score)
	})
}

// lockedApplication locks an application's row and loads its round.
func lockedApplication(tx Tx, applicationID int64) (*Application, *Round, error) {
	a, err := tx.LockApplication(applicationID)
	if err != nil {
		return nil, nil, err
	}
	if a.Withdrawn() {
		return nil, nil, errWithdrawn(a)
	}
	r, err := tx.Round(a.RoundID)
	return a, r, err
}

// Moderate settles an application whose two reviews differ by more than
// the round's margin, in the shortlisting window, by someone who neither
// made nor reviewed it.
func (s *Service) Moderate(ctx context.Context, by auth.Actor, applicationID int64, score int) (*Moderation, error) {
	if err := ValidScore(score); err != nil {
		return nil, err
	}
	return write(ctx, s, func(tx Tx) (*Moderation, error) {
		a, r, err := lockedApplication(tx, applicationID)
		if err != nil {
			return nil, err
		}
		if err := r.RequireStage(StageShortlisting, "moderation", tx.Now()); err != nil {
			return nil, err
		}
		st, err := loadState(tx, Query{ApplicationID: applicationID})
		if err != nil {
			return nil, err
		}
		reviews := st.reviews[a.ID]
		if err := CheckModeration(a, by.UserID, r.ScoreMargin, reviews, st.moderations[a.ID]); err != nil {
			return nil, err
		}
		m := &Moderation{ApplicationID: a.ID, ModeratorID: by.UserID, Score: score, CreatedAt: tx.Now()}
		if err := tx.InsertModeration(*m); err != nil {
			if apperr.Code(err) == apperr.Conflict {
				return nil, apperr.Errorf(apperr.Conflict, "Application %s has already been moderated.", Reference(a.ID))
			}
			return nil, err
		}
		return m, auditf(tx, by, "application.moderate", "application", a.ID, "reviews %d and %d, moderated %d", reviews[0].Score, reviews[1].Score, score)
	})
}

// InterviewPanelsOf lists the organisations that may interview an
// application: those with an open post in its specialism in its round.
func (s *Service) InterviewPanelsOf(ctx context.Context, applicationID int64) ([]int64, error) {
	return read(ctx, s, func(tx Tx) ([]int64, error) {
		a, err := tx.Application(applicationID)
		if err != nil {
			return nil, err
		}
		nominated, err := nominators(tx, Query{ApplicationID: a.ID})
		if err != nil {
			return nil, err
		}
		if org, ok := nominated[a.ID]; ok {
			return []int64{org}, nil // a nominee is interviewed by their employer
		}
		posts, err := tx.Posts(a.RoundID)
		if err != nil {
			return nil, err
		}
		return InterviewPanels(posts, a), nil
	})
}

// Interviewee is a shortlisted application as an interview panel sees it:
// interviews are in person, so the applicant is named.
type Interviewee struct {
	ApplicationID int64            `json:"application_id"`
	Reference     string           `json:"reference"`
	Applicant     Person           `json:"applicant"`
	Specialism    string           `json:"specialism"`
	Scores        []InterviewScore `json:"scores"`
}

// InterviewQueue lists a round's shortlisted applications in the
// specialisms where the organisations have open posts, with the scores
// given so far.
func (s *Service) InterviewQueue(ctx context.Context, roundID int64, organisationIDs []int64) ([]Interviewee, error) {
	return read(ctx, s, func(tx Tx) ([]Interviewee, error) {
		r, err := tx.Round(roundID)
		if err != nil {
			return nil, err
		}
		posts, err := tx.Posts(roundID)
		if err != nil {
			return nil, err
		}
		apps, err := tx.Applications(roundID)
		if err != nil {
			return nil, err
		}
		apps = InRound(apps)
		st, err := loadState(tx, Query{RoundID: roundID})
		if err != nil {
			return nil, err
		}
		out := []Interviewee{}
		for i := range apps {
			a := &apps[i]
			panels := InterviewPanels(posts, a)
			if org, ok := st.nominated[a.ID]; ok {
				panels = []int64{org} // a nominee is interviewed by their employer
			}
			if !slices.ContainsFunc(organisationIDs, func(id int64) bool { return slices.Contains(panels, id) }) {
				continue
			}
			if _, _, shortlisted := st.shortlist(r, a.ID); !shortlisted {
				continue
			}
			p, err := namedPerson(tx, a.UserID)
			if err != nil {
				return nil, err
			}
			scores := st.interviews[a.ID]
			if scores == nil {
				scores = []InterviewScore{}
			}
			out = append(out, Interviewee{ApplicationID: a.ID, Reference: Reference(a.ID), Applicant: p, Specialism: a.Specialism, Scores: scores})
		}
		return out, nil
	})
}

// ScoreInterview records an assessor's score at one of the round's
// stations, in the interview window, for a shortlisted application that
// is not their own; one score per station, one station per assessor.
func (s *Service) ScoreInterview(ctx context.Context, by auth.Actor, applicationID, stationID int64, score int) (*InterviewScore, error) {
	if err := ValidScore(score); err != nil {
		return nil, err
	}
	return write(ctx, s, func(tx Tx) (*InterviewScore, error) {
		a, r, err := lockedApplication(tx, applicationID)
		if err != nil {
			return nil, err
		}
		if err := r.RequireStage(StageInterviews, "interview scoring", tx.Now()); err != nil {
			return nil, err
		}
		stations, err := tx.Stations(r.ID)
		if err != nil {
			return nil, err
		}
		st, err := loadState(tx, Query{ApplicationID: applicationID})
		if err != nil {
			return nil, err
		}
		_, _, shortlisted := st.shortlist(r, a.ID)
		if err := CheckInterviewScore(a, by.UserID, shortlisted, stations, st.interviews[a.ID], stationID); err != nil {
			return nil, err
		}
		sc := &InterviewScore{ApplicationID: a.ID, StationID: stationID, AssessorID: by.UserID, Score: score, CreatedAt: tx.Now()}
		if err := tx.InsertInterviewScore(*sc); err != nil {
			if apperr.Code(err) == apperr.Conflict {
				return nil, apperr.Errorf(apperr.Conflict, "That station, or another by you, is already scored for application %s.", Reference(a.ID))
			}
			return nil, err
		}
		return sc, auditf(tx, by, "application.interview", "application", a.ID, "station %d: %d", stationID, score)
	})
}
