package web

import (
	"fmt"
	"net/http"
	"strconv"

	"hcs/internal/apperr"
	"hcs/internal/recruit"
)

// The national school's shortlisting outcomes page, and an applicant's
// withdrawal from a round, which frees an interview place for a reserve.

func shortlistPath(id int64) string {
	return "/school/rounds/" + strconv.FormatInt(id, 10) + "/shortlist"
}

func (s *Server) shortlistPage(w http.ResponseWriter, r *http.Request) error {
	id, err := roundManaged(r)
	if err != nil {
		return err
	}
	return s.showShortlist(w, r, id, http.StatusOK, nil)
}

func (s *Server) showShortlist(w http.ResponseWriter, r *http.Request, id int64, status int, fail error) error {
	st, err := s.recruit.Shortlisting(r.Context(), id)
	if err != nil {
		return err
	}
	counts := map[string]int{}
	for _, o := range st.Outcomes {
		counts[o.Outcome]++
	}
	return s.show(w, r, status, "round-shortlist", "Shortlisting outcomes of "+st.Round.Name, s.roundCrumbs(&st.Round),
		map[string]any{"Stage": st, "Counts": counts, "Outcomes": recruit.ShortlistOutcomeNames, "Names": s.specialismNames(),
			"Open": st.Round.Stage(s.now()) == recruit.StageInterviews, "Error": fail, "Done": takeNotice(w, r)})
}

func (s *Server) publishShortlist(w http.ResponseWriter, r *http.Request) error {
	id, err := roundManaged(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	var st *recruit.ShortlistStage
	if r.PostForm.Get("confirm") != "yes" {
		err = apperr.Invalidf("confirm", "Confirm that the outcomes are ready: publishing emails every applicant theirs, and cannot be undone")
	} else {
		st, err = s.recruit.PublishShortlist(r.Context(), actor(r), id)
	}
	if err != nil {
		return formFailure(err, func(status int) error { return s.showShortlist(w, r, id, status, err) })
	}
	n := 0
	for _, o := range st.Outcomes {
		if o.Outcome == recruit.ShortlistInterview {
			n++
		}
	}
	redirectBack(w, r, shortlistPath(id), fmt.Sprintf("The shortlisting outcomes are published: %d application(s) invited to interview, and every applicant has been emailed theirs.", n))
	return nil
}

// withdrawApplicationPage asks an applicant to confirm leaving the round.
func (s *Server) withdrawApplicationPage(w http.ResponseWriter, r *http.Request) error {
	a, err := s.ownApplication(r)
	if err != nil {
		return err
	}
	if a.Withdrawn() {
		return apperr.Errorf(apperr.Conflict, "%s has been withdrawn from the round.", recruit.Reference(a.ID))
	}
	st, err := s.recruit.Status(r.Context(), a.ID)
	if err != nil {
		return err
	}
	return s.show(w, r, http.StatusOK, "application-withdraw", "Withdraw your application?",
		[]crumb{{"Your applications", "/applicant"}, {recruit.Reference(a.ID), applicationPath(a.ID)}},
		map[string]any{"Status": st, "Reference": recruit.Reference(a.ID), "Names": s.specialismNames()})
}

func applicationPath(id int64) string { return "/applications/" + strconv.FormatInt(id, 10) }

func (s *Server) withdrawApplication(w http.ResponseWriter, r *http.Request) error {
	a, err := s.ownApplication(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	if r.PostForm.Get("confirm") != "yes" {
		return s.withdrawApplicationPage(w, r)
	}
	if _, err := s.recruit.WithdrawApplication(r.Context(), actor(r), a.ID); err != nil {
		return err
	}
	redirectBack(w, r, applicationPath(a.ID), "Your application has been withdrawn from the round")
	return nil
}

func (s *Server) apiShortlist(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := roundManaged(r)
	if err != nil {
		return 0, nil, err
	}
	st, err := s.recruit.Shortlisting(r.Context(), id)
	return http.StatusOK, st, err
}

func (s *Server) apiPublishShortlist(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := roundManaged(r)
	if err != nil {
		return 0, nil, err
	}
	st, err := s.recruit.PublishShortlist(r.Context(), actor(r), id)
	return http.StatusOK, st, err
}

func (s *Server) apiWithdrawApplication(w http.ResponseWriter, r *http.Request) (int, any, error) {
	a, err := s.ownApplication(r)
	if err != nil {
		return 0, nil, err
	}
	if _, err := s.recruit.WithdrawApplication(r.Context(), actor(r), a.ID); err != nil {
		return 0, nil, err
	}
	st, err := s.recruit.Status(r.Context(), a.ID)
	return http.StatusOK, st, err
}
