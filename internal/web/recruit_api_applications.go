package web

import (
	"net/http"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/recruit"
)

// Applicants' API (profile, eligibility, applying, preferences, results
// and offers) and the scorers' (reviews, moderation, interviews).

type profileRequest struct {
	Qualifications []recruit.Qualification `json:"qualifications"`
	Registrations  []recruit.Registration  `json:"registrations"`
	Notes          string                  `json:"notes"`
	RightToWork    bool                    `json:"right_to_work"`
	EmployerID     int64                   `json:"employer_id"`
}

func (s *Server) apiSaveProfile(w http.ResponseWriter, r *http.Request) (int, any, error) {
	var req profileRequest
	if err := decodeJSON(r, &req); err != nil {
		return 0, nil, err
	}
	p := &recruit.Profile{UserID: principal(r).User.ID, Qualifications: req.Qualifications, Registrations: req.Registrations, Notes: req.Notes,
		RightToWork: req.RightToWork, EmployerID: req.EmployerID}
	if err := s.recruit.SaveProfile(r.Context(), actor(r), p); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, p, nil
}

func (s *Server) apiProfile(w http.ResponseWriter, r *http.Request) (int, any, error) {
	p, err := s.recruit.Profile(r.Context(), principal(r).User.ID)
	return http.StatusOK, p, err
}

func (s *Server) apiEligibility(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	_, e, err := s.recruit.Eligibility(r.Context(), principal(r).User.ID, id)
	return http.StatusOK, e, err
}

type applyRequest struct {
	Specialism string `json:"specialism"`
	Statement  string `json:"statement"`
}

func (s *Server) apiApply(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, req, err := pathAndBody[applyRequest](r)
	if err != nil {
		return 0, nil, err
	}
	a := &recruit.Application{RoundID: id, UserID: principal(r).User.ID, Specialism: req.Specialism, Statement: req.Statement}
	if err := s.recruit.Apply(r.Context(), actor(r), a); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, a, nil
}

func (s *Server) apiMyApplications(w http.ResponseWriter, r *http.Request) (int, any, error) {
	statuses, err := s.recruit.StatusesOf(r.Context(), principal(r).User.ID)
	return http.StatusOK, map[string]any{"applications": statuses}, err
}

func (s *Server) apiApplication(w http.ResponseWriter, r *http.Request) (int, any, error) {
	a, err := s.ownApplication(r)
	if err != nil {
		return 0, nil, err
	}
	st, err := s.recruit.Status(r.Context(), a.ID)
	return http.StatusOK, st, err
}

type preferencesRequest struct {
	Posts []int64 `json:"posts"`
}

func (s *Server) apiSetPreferences(w http.ResponseWriter, r *http.Request) (int, any, error) {
	a, err := s.ownApplication(r)
	if err != nil {
		return 0, nil, err
	}
	var req preferencesRequest
	if err := decodeJSON(r, &req); err != nil {
		return 0, nil, err
	}
	a, err = s.recruit.SetPreferences(r.Context(), actor(r), a.ID, req.Posts)
	return http.StatusOK, a, err
}

func (s *Server) apiResult(w http.ResponseWriter, r *http.Request) (int, any, error) {
	a, err := s.ownApplication(r)
	if err != nil {
		return 0, nil, err
	}
	res, err := s.recruit.Result(r.Context(), a.ID)
	return http.StatusOK, res, err
}

func (s *Server) apiApplicationOffers(w http.ResponseWriter, r *http.Request) (int, any, error) {
	a, err := s.ownApplication(r)
	if err != nil {
		return 0, nil, err
	}
	offers, err := s.recruit.Offers(r.Context(), recruit.OfferFilter{ApplicationID: a.ID})
	return http.StatusOK, map[string]any{"offers": offers}, err
}

func (s *Server) apiOffer(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	d, err := s.ownOffer(r, id)
	return http.StatusOK, d, err
}

type answerRequest struct {
	Answer   string `json:"answer"`
	Upgrades bool   `json:"upgrades"`
}

func (s *Server) apiAnswerOffer(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, req, err := pathAndBody[answerRequest](r)
	if err != nil {
		return 0, nil, err
	}
	if _, err := s.ownOffer(r, id); err != nil {
		return 0, nil, err
	}
	answer, err := recruit.ParseAnswer(req.Answer)
	if err != nil {
		return 0, nil, err
	}
	o, err := s.recruit.AnswerOffer(r.Context(), actor(r), id, answer, req.Upgrades)
	return http.StatusOK, o, err
}

type scoreRequest struct {
	Score int `json:"score"`
}

func (s *Server) apiReview(w http.ResponseWriter, r *http.Request) (int, any, error) {
	a, err := s.roundApplication(r, auth.ActionReview)
	if err != nil {
		return 0, nil, err
	}
	var req scoreRequest
	if err := decodeJSON(r, &req); err != nil {
		return 0, nil, err
	}
	rv, err := s.recruit.Review(r.Context(), actor(r), a.ID, req.Score)
	return http.StatusCreated, rv, err
}

func (s *Server) apiModerate(w http.ResponseWriter, r *http.Request) (int, any, error) {
	a, err := s.roundApplication(r, auth.ActionModerate)
	if err != nil {
		return 0, nil, err
	}
	var req scoreRequest
	if err := decodeJSON(r, &req); err != nil {
		return 0, nil, err
	}
	m, err := s.recruit.Moderate(r.Context(), actor(r), a.ID, req.Score)
	return http.StatusCreated, m, err
}

type interviewScoreRequest struct {
	StationID int64 `json:"station_id"`
	Score     int   `json:"score"`
}

func (s *Server) apiInterviewScore(w http.ResponseWriter, r *http.Request) (int, any, error) {
	a, err := s.interviewApplication(r)
	if err != nil {
		return 0, nil, err
	}
	var req interviewScoreRequest
	if err := decodeJSON(r, &req); err != nil {
		return 0, nil, err
	}
	if req.StationID <= 0 {
		return 0, nil, apperr.Invalidf("station_id", "name the station by its id, from the round's stations")
	}
	sc, err := s.recruit.ScoreInterview(r.Context(), actor(r), a.ID, req.StationID, req.Score)
	return http.StatusCreated, sc, err
}

func (s *Server) apiFeedback(w http.ResponseWriter, r *http.Request) (int, any, error) {
	a, err := s.ownApplication(r)
	if err != nil {
		return 0, nil, err
	}
	fb, err := s.recruit.Feedback(r.Context(), a.ID)
	return http.StatusOK, fb, err
}
