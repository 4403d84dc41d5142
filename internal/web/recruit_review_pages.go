package web

import (
	"net/http"
	"strconv"
	"strings"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/recruit"
)

// Reviewers' pages: the rounds they are appointed to, the blind queue of
// applications assigned to them, and the scoring form.

// appointedRound is a round a reviewer is appointed to, with their queue.
type appointedRound struct {
	Round    recruit.Round
	Stage    string
	Assigned int
	Reviewed int
}

// reviewerHome lists the recruitment rounds the signed-in reviewer is
// appointed to, with how far through their queue they are.
func (s *Server) reviewerHome(w http.ResponseWriter, r *http.Request) error {
	var rounds []appointedRound
	for _, id := range principal(r).Visible(auth.ActionReviewerHome).Rounds {
		rd, err := s.recruit.Round(r.Context(), id)
		if err != nil {
			return err
		}
		queue, err := s.recruit.ReviewQueue(r.Context(), id, principal(r).User.ID)
		if err != nil {
			return err
		}
		ar := appointedRound{Round: *rd, Stage: rd.Stage(s.now()), Assigned: len(queue)}
		for _, b := range queue {
			if b.YourScore != nil {
				ar.Reviewed++
			}
		}
		rounds = append(rounds, ar)
	}
	return s.show(w, r, http.StatusOK, "home-reviewer", "Your reviewing", nil, map[string]any{"Rounds": rounds, "StageNames": recruit.StageNames})
}

func (s *Server) reviewQueuePage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if !principal(r).Allowed(auth.ActionReview, auth.Target{RoundID: id}) {
		return apperr.Errorf(apperr.NotFound, "you do not review round %d", id)
	}
	rd, err := s.recruit.Round(r.Context(), id)
	if err != nil {
		return err
	}
	queue, err := s.recruit.ReviewQueue(r.Context(), id, principal(r).User.ID)
	if err != nil {
		return err
	}
	return s.show(w, r, http.StatusOK, "review-queue", "Applications to review: "+rd.Name, []crumb{{"Your reviewing", "/review"}}, map[string]any{
		"Round": rd, "Stage": rd.Stage(s.now()), "Queue": queue, "Names": s.specialismNames(), "Done": takeNotice(w, r)})
}

// reviewView is one blind application and its scoring form.
type reviewView struct {
	Application *recruit.BlindApplication
	Round       *recruit.Round
	Stage       string
	Specialism  string
	Credentials map[string]string
	Score       string
	Error       error
}

func (s *Server) reviewView(r *http.Request) (*reviewView, error) {
	a, err := s.roundApplication(r, auth.ActionReview)
	if err != nil {
		return nil, err
	}
	b, err := s.recruit.BlindApplication(r.Context(), a.ID, principal(r).User.ID)
	if err != nil {
		return nil, err
	}
	rd, err := s.recruit.Round(r.Context(), a.RoundID)
	if err != nil {
		return nil, err
	}
	return &reviewView{Application: b, Round: rd, Stage: rd.Stage(s.now()), Specialism: s.specialismNames()[b.Specialism], Credentials: s.credentialNames()}, nil
}

func (s *Server) credentialNames() map[string]string {
	names := map[string]string{}
	for _, c := range s.f.Credentials {
		names[c.ID] = c.Name
	}
	return names
}

func (s *Server) reviewPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.reviewView(r)
	if err != nil {
		return err
	}
	return s.show(w, r, http.StatusOK, "review", "Review "+v.Application.Reference, s.reviewCrumbs(v), v)
}

func (s *Server) reviewCrumbs(v *reviewView) []crumb {
	return []crumb{{"Your reviewing", "/review"}, {v.Round.Name, "/review/rounds/" + strconv.FormatInt(v.Round.ID, 10)}}
}

func (s *Server) submitReview(w http.ResponseWriter, r *http.Request) error {
	v, err := s.reviewView(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	v.Score = r.PostForm.Get("score")
	score, err := strconv.Atoi(strings.TrimSpace(v.Score))
	if err != nil {
		err = apperr.Invalidf("score", "Enter your score as a whole number from 0 to 100")
	} else {
		_, err = s.recruit.Review(r.Context(), actor(r), v.Application.ID, score)
	}
	if err != nil {
		return formFailure(err, func(status int) error {
			v.Error = err
			return s.show(w, r, status, "review", "Review "+v.Application.Reference, s.reviewCrumbs(v), v)
		})
	}
	redirectBack(w, r, "/review/rounds/"+strconv.FormatInt(v.Round.ID, 10), "Your score for "+v.Application.Reference+" is saved")
	return nil
}
