package web

import (
	"net/http"
	"slices"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/recruit"
)

// Recruitment's records and who may act on them: each helper loads the
// record named in the path and checks the action against it in the
// permission table. Someone without the right is told the record is not
// found, so that its existence is not confirmed.

// roundManaged checks that the signed-in person manages the round in the
// path.
func roundManaged(r *http.Request) (int64, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, err
	}
	return id, authorize(r, auth.ActionRoundManage, auth.Target{RoundID: id})
}

// managedRound is roundManaged with the round loaded.
func (s *Server) managedRound(r *http.Request) (*recruit.Round, error) {
	id, err := roundManaged(r)
	if err != nil {
		return nil, err
	}
	return s.recruit.Round(r.Context(), id)
}

// pathApplication loads the application named in the path and lets
// allowed decide whether the signed-in person may act on it.
func (s *Server) pathApplication(r *http.Request, allowed func(*recruit.Application) (bool, error)) (*recruit.Application, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	a, err := s.recruit.Application(r.Context(), id)
	if err != nil {
		return nil, err
	}
	ok, err := allowed(a)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, apperr.Errorf(apperr.NotFound, "there is no application %d", id)
	}
	return a, nil
}

// ownApplication loads the application in the path and checks it is the
// signed-in person's.
func (s *Server) ownApplication(r *http.Request) (*recruit.Application, error) {
	return s.pathApplication(r, func(a *recruit.Application) (bool, error) {
		return principal(r).Allowed(auth.ActionApply, auth.Target{UserID: a.UserID}), nil
	})
}

// roundApplication loads the application in the path and checks the
// action against its round.
func (s *Server) roundApplication(r *http.Request, action auth.Action) (*recruit.Application, error) {
	return s.pathApplication(r, func(a *recruit.Application) (bool, error) {
		return principal(r).Allowed(action, auth.Target{RoundID: a.RoundID}), nil
	})
}

// interviewApplication loads the application in the path and checks that
// the signed-in person may score its interview: for an organisation with
// an open post in its specialism in its round.
func (s *Server) interviewApplication(r *http.Request) (*recruit.Application, error) {
	return s.pathApplication(r, func(a *recruit.Application) (bool, error) {
		panels, err := s.recruit.InterviewPanelsOf(r.Context(), a.ID)
		if err != nil {
			return false, err
		}
		return slices.ContainsFunc(panels, func(org int64) bool {
			return principal(r).Allowed(auth.ActionInterview, auth.Target{OrganisationID: org, RoundID: a.RoundID})
		}), nil
	})
}

// interviewOrganisations are the organisations the signed-in person may
// interview for: all, for the national school.
func (s *Server) interviewOrganisations(r *http.Request, roundID int64) ([]int64, error) {
	v := principal(r).Visible(auth.ActionInterview)
	if !v.All {
		return v.Organisations, nil
	}
	posts, err := s.recruit.Posts(r.Context(), roundID)
	if err != nil {
		return nil, err
	}
	var orgs []int64
	for _, p := range posts {
		if !slices.Contains(orgs, p.OrganisationID) {
			orgs = append(orgs, p.OrganisationID)
		}
	}
	return orgs, nil
}

// employerPost loads a post by id and checks the signed-in person
// publishes posts for its organisation.
func (s *Server) employerPost(r *http.Request, id int64) (*recruit.Post, error) {
	p, err := s.recruit.Post(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if !principal(r).Allowed(auth.ActionPostCreate, auth.Target{OrganisationID: p.OrganisationID, RoundID: p.RoundID}) {
		return nil, apperr.Errorf(apperr.NotFound, "there is no post %d of yours", id)
	}
	return p, nil
}

// pathPost is employerPost for the post in the path.
func (s *Server) pathPost(r *http.Request) (*recruit.Post, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return s.employerPost(r, id)
}

// ownOffer loads an offer and checks it was made to the signed-in person.
func (s *Server) ownOffer(r *http.Request, offerID int64) (*recruit.OfferDetail, error) {
	owner, err := s.recruit.OfferOwner(r.Context(), offerID)
	if err != nil {
		return nil, err
	}
	if !principal(r).Allowed(auth.ActionApply, auth.Target{UserID: owner}) {
		return nil, apperr.Errorf(apperr.NotFound, "there is no offer %d", offerID)
	}
	return s.recruit.OfferDetail(r.Context(), offerID)
}

// employerOrganisations are the organisations whose posts the signed-in
// person publishes.
func (s *Server) employerOrganisations(r *http.Request) ([]auth.Organisation, error) {
	return s.visibleOrganisations(r, auth.ActionPostCreate)
}
