package web

import (
	"net/http"

	"hcs/internal/auth"
)

// reviewerHome lists the recruitment rounds the signed-in reviewer is
// appointed to, with the stage each is in.
func (s *Server) reviewerHome(w http.ResponseWriter, r *http.Request) error {
	var rounds []roundView
	for _, id := range principal(r).Visible(auth.ActionReviewerHome).Rounds {
		rd, err := s.recruit.Round(r.Context(), id)
		if err != nil {
			return err
		}
		rounds = append(rounds, roundView{*rd, rd.Stage(s.now())})
	}
	return s.show(w, r, http.StatusOK, "home-reviewer", "Your reviewing", nil, rounds)
}
