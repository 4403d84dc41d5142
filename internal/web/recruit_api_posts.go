package web

import (
	"net/http"
	"strings"

	"hcs/internal/auth"
	"hcs/internal/recruit"
)

// Employers' API for their training posts: publish, edit, withdraw, see
// who was offered them, and rank their applicants where the round allows.

// apiRoundPosts lists a round's posts, filtered by specialism and region.
func (s *Server) apiRoundPosts(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	posts, err := s.recruit.Posts(r.Context(), id)
	if err != nil {
		return 0, nil, err
	}
	q := r.URL.Query()
	out := []recruit.Post{}
	for _, p := range posts {
		if (q.Get("specialism") == "" || p.Specialism == q.Get("specialism")) && (q.Get("region") == "" || p.Region == q.Get("region")) {
			out = append(out, p)
		}
	}
	return http.StatusOK, map[string]any{"posts": out}, nil
}

func (s *Server) apiPost(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	p, err := s.recruit.Post(r.Context(), id)
	return http.StatusOK, p, err
}

type postRequest struct {
	OrganisationID int64  `json:"organisation_id"`
	Specialism     string `json:"specialism"`
	Site           string `json:"site"`
	Places         int    `json:"places"`
	Contact        string `json:"contact"`
	InService      bool   `json:"in_service"`
}

func (s *Server) apiCreatePost(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, req, err := pathAndBody[postRequest](r)
	if err != nil {
		return 0, nil, err
	}
	if err := authorize(r, auth.ActionPostCreate, auth.Target{OrganisationID: req.OrganisationID, RoundID: id}); err != nil {
		return 0, nil, err
	}
	p := &recruit.Post{RoundID: id, OrganisationID: req.OrganisationID, Specialism: req.Specialism, Site: req.Site, Places: req.Places, Contact: req.Contact,
		InService: req.InService}
	if err := s.recruit.PublishPost(r.Context(), actor(r), p); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, p, nil
}

type postChangeRequest struct {
	Site    string `json:"site"`
	Places  int    `json:"places"`
	Contact string `json:"contact"`
}

func (s *Server) apiUpdatePost(w http.ResponseWriter, r *http.Request) (int, any, error) {
	p, err := s.pathPost(r)
	if err != nil {
		return 0, nil, err
	}
	var req postChangeRequest
	if err := decodeJSON(r, &req); err != nil {
		return 0, nil, err
	}
	p, err = s.recruit.UpdatePost(r.Context(), actor(r), p.ID, recruit.PostChange(req))
	return http.StatusOK, p, err
}

func (s *Server) apiWithdrawPost(w http.ResponseWriter, r *http.Request) (int, any, error) {
	p, err := s.pathPost(r)
	if err != nil {
		return 0, nil, err
	}
	p, err = s.recruit.WithdrawPost(r.Context(), actor(r), p.ID)
	return http.StatusOK, p, err
}

// apiPostOffers lists who has been offered one of the employer's posts.
func (s *Server) apiPostOffers(w http.ResponseWriter, r *http.Request) (int, any, error) {
	p, err := s.pathPost(r)
	if err != nil {
		return 0, nil, err
	}
	offers, err := s.recruit.PostOffers(r.Context(), p.ID)
	return http.StatusOK, map[string]any{"offers": offers}, err
}

func (s *Server) apiPostNominations(w http.ResponseWriter, r *http.Request) (int, any, error) {
	p, err := s.pathPost(r)
	if err != nil {
		return 0, nil, err
	}
	ns, err := s.recruit.PostNominations(r.Context(), p.ID)
	if ns == nil {
		ns = []recruit.Nomination{}
	}
	return http.StatusOK, map[string]any{"nominations": ns}, err
}

type nominationRequest struct {
	Email string `json:"email"`
}

func (s *Server) apiNominate(w http.ResponseWriter, r *http.Request) (int, any, error) {
	p, err := s.pathPost(r)
	if err != nil {
		return 0, nil, err
	}
	if err := authorize(r, auth.ActionNominate, auth.Target{OrganisationID: p.OrganisationID, RoundID: p.RoundID}); err != nil {
		return 0, nil, err
	}
	var req nominationRequest
	if err := decodeJSON(r, &req); err != nil {
		return 0, nil, err
	}
	n, err := s.recruit.Nominate(r.Context(), actor(r), p.ID, strings.TrimSpace(req.Email))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, n, nil
}

// apiWithdrawNomination withdraws a nomination made through the post.
func (s *Server) apiWithdrawNomination(w http.ResponseWriter, r *http.Request) (int, any, error) {
	p, err := s.pathPost(r)
	if err != nil {
		return 0, nil, err
	}
	if err := authorize(r, auth.ActionNominate, auth.Target{OrganisationID: p.OrganisationID, RoundID: p.RoundID}); err != nil {
		return 0, nil, err
	}
	id, err := pathID(r, "nomination")
	if err != nil {
		return 0, nil, err
	}
	n, err := s.recruit.WithdrawNomination(r.Context(), actor(r), p.ID, id)
	return http.StatusOK, n, err
}

type postRankingRequest struct {
	Applications []int64 `json:"applications"`
}

// apiPostRanking sets an employer's own order of applicants for one of
// their posts (an empty list returns the post to the national rank).
func (s *Server) apiPostRanking(w http.ResponseWriter, r *http.Request) (int, any, error) {
	p, err := s.pathPost(r)
	if err != nil {
		return 0, nil, err
	}
	var req postRankingRequest
	if err := decodeJSON(r, &req); err != nil {
		return 0, nil, err
	}
	if req.Applications == nil {
		req.Applications = []int64{}
	}
	if err := s.recruit.SetPostRanking(r.Context(), actor(r), p.ID, req.Applications); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"post_id": p.ID, "applications": req.Applications}, nil
}
