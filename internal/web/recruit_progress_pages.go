package web

import (
	"net/http"

	"hcs/internal/recruit"
)

// The public offer-progress page of a round, and its API: each
// specialism's posts, places, offers made and where the places stand,
// with small counts suppressed. Cached for half a second, like the post
// list, so it follows offers as they move.

func (s *Server) offerProgress(r *http.Request) (*recruit.OfferProgress, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return s.recruit.OfferProgress(r.Context(), id)
}

func (s *Server) offerProgressPage(r *http.Request) (*response, error) {
	p, err := s.offerProgress(r)
	if err != nil {
		return nil, err
	}
	return s.render(r, http.StatusOK, "round-progress", "Offers: "+p.Round, []crumb{homeCrumb, {"Open posts", "/posts"}},
		map[string]any{"Progress": p, "Names": s.specialismNames(), "Threshold": recruit.ProgressThreshold})
}

func (s *Server) apiOfferProgress(r *http.Request) (any, error) { return s.offerProgress(r) }

// matchedRounds lists the rounds whose offers the public can follow.
func (s *Server) matchedRounds(r *http.Request) ([]recruit.Round, error) {
	rounds, err := s.recruit.Rounds(r.Context())
	if err != nil {
		return nil, err
	}
	var out []recruit.Round
	for _, rd := range rounds {
		if rd.MatchedAt != nil {
			out = append(out, rd)
		}
	}
	return out, nil
}
