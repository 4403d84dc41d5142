package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"hcs/internal/apperr"
	"hcs/internal/explore"
	"hcs/internal/framework"
	"hcs/internal/search"
)

// searchRequest reads a search from a URL: q, with filters either inside it
// (level:practitioner) or as their own parameters, which win.
func searchRequest(r *http.Request) (search.Query, int) {
	v := r.URL.Query()
	q := search.ParseQuery(v.Get("q"))
	for _, key := range search.FilterKeys {
		if val := v.Get(key); val != "" {
			q.Filters.Set(key, val)
		}
	}
	limit, _ := strconv.Atoi(v.Get("limit"))
	return q, limit
}

func (s *Server) searchPage(r *http.Request) (*response, error) {
	q, _ := searchRequest(r)
	data := map[string]any{"Query": q, "Raw": r.URL.Query().Get("q"), "Framework": s.f, "Settings": framework.Settings}
	if q.Empty() {
		return s.render(r, http.StatusOK, "search", "Search healthcare science careers", []crumb{homeCrumb}, data)
	}
	results, err := s.search.Search(q, search.MaxLimit)
	if err != nil {
		if apperr.Code(err) != apperr.Invalid {
			return nil, err
		}
		data["Error"] = err
		return s.render(r, http.StatusBadRequest, "search", "Search healthcare science careers", []crumb{homeCrumb}, data)
	}
	data["Results"] = results
	data["Answer"] = s.search.Answer(q)
	title := "Search results"
	if t := q.Text(); t != "" {
		title = "Search results for " + strings.Join(strings.Fields(r.URL.Query().Get("q")), " ")
	}
	return s.render(r, http.StatusOK, "search", title, []crumb{homeCrumb}, data)
}

// compareIDs reads ids from ?ids=a&ids=b or ?ids=a,b, dropping blanks.
func compareIDs(r *http.Request) []string {
	var ids []string
	for _, v := range r.URL.Query()["ids"] {
		for _, id := range strings.Split(v, ",") {
			if id = strings.TrimSpace(id); id != "" {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

func compareURL(c *explore.Comparison) string {
	ids := make([]string, len(c.Specialisms))
	for i, sp := range c.Specialisms {
		ids[i] = sp.ID
	}
	return "/compare?ids=" + url.QueryEscape(strings.Join(ids, ","))
}

func (s *Server) comparePage(r *http.Request) (*response, error) {
	ids := compareIDs(r)
	data := map[string]any{"Framework": s.f, "Selected": ids, "Max": explore.MaxCompare}
	const title = "Compare roles"
	if len(ids) == 0 {
		return s.render(r, http.StatusOK, "compare", title, []crumb{homeCrumb}, data)
	}
	c, err := explore.Compare(s.f, ids)
	if err != nil {
		if apperr.Code(err) != apperr.Invalid {
			return nil, err
		}
		data["Error"] = err
		return s.render(r, http.StatusBadRequest, "compare", title, []crumb{homeCrumb}, data)
	}
	data["Comparison"] = c
	data["ShareURL"] = compareURL(c)
	return s.render(r, http.StatusOK, "compare", title, []crumb{homeCrumb}, data)
}

func (s *Server) pathwayPage(r *http.Request) (*response, error) {
	v := r.URL.Query()
	req := explore.PlanRequest{From: v.Get("from"), FromSpecialism: v.Get("from_specialism"), Specialism: v.Get("specialism"), Level: v.Get("level")}
	data := map[string]any{"Framework": s.f, "Request": req}
	title := "Plan your route into healthcare science"
	if sp := s.f.Specialism(req.Specialism); sp != nil {
		title = "Plan your route into " + strings.ToLower(sp.Name)
	}
	// A link from a role page pre-fills the form; errors wait until the
	// person submits it (the form's "show" field).
	if v.Get("show") == "" && (req.From == "" || req.Level == "") {
		return s.render(r, http.StatusOK, "pathway", title, []crumb{homeCrumb}, data)
	}
	var err error
	switch {
	case req.From == "":
		err = apperr.Invalidf("from", "Choose where you are starting from")
	case req.Specialism == "":
		err = apperr.Invalidf("specialism", "Choose the role you want to reach")
	case req.Level == "":
		err = apperr.Invalidf("level", "Choose the career level you want to reach")
	}
	var plan *explore.Plan
	if err == nil {
		plan, err = explore.PlanPathway(s.f, req)
	}
	if err != nil {
		if apperr.Code(err) != apperr.Invalid {
			return nil, err
		}
		data["Error"] = err
		return s.render(r, http.StatusBadRequest, "pathway", title, []crumb{homeCrumb}, data)
	}
	data["Plan"] = plan
	return s.render(r, http.StatusOK, "pathway", title, []crumb{homeCrumb}, data)
}

// Quiz pages: the statements in pages of quizPageSize, then the
// deal-breakers. Each form submits to /quiz with the code so far; the
// answers are folded into a new code and the browser is sent on.
const quizPageSize = 10

func (s *Server) quizPages() int { return (len(s.f.Quiz.Items)+quizPageSize-1)/quizPageSize + 1 }

func (s *Server) quizPage(r *http.Request) (*response, error) {
	q := s.f.Quiz
	v := r.URL.Query()
	answers, err := explore.ParseQuizCode(q, v.Get("code"))
	if err != nil {
		return nil, err
	}
	page, _ := strconv.Atoi(v.Get("page"))
	if page < 1 || page > s.quizPages() {
		page = 1
	}
	if submitted, _ := strconv.Atoi(v.Get("submitted")); submitted >= 1 && submitted <= s.quizPages() {
		for i := range q.Items {
			if a, err := strconv.Atoi(v.Get("q" + strconv.Itoa(i+1))); err == nil && a >= 1 && a <= 5 {
				answers.Values[i] = a
			}
		}
		if submitted == s.quizPages() {
			answers.DealBreakers = nil
			for _, d := range q.DealBreakers {
				if slices.Contains(v["dealbreakers"], d.Code) {
					answers.DealBreakers = append(answers.DealBreakers, d)
				}
			}
			return &response{status: http.StatusSeeOther, location: "/quiz/results?code=" + url.QueryEscape(answers.Code(q))}, nil
		}
		next := submitted + 1
		return &response{status: http.StatusSeeOther, location: "/quiz?code=" + url.QueryEscape(answers.Code(q)) + "&page=" + strconv.Itoa(next)}, nil
	}
	start := (page - 1) * quizPageSize
	var items []*framework.QuizItem
	if start < len(q.Items) {
		items = q.Items[start:min(start+quizPageSize, len(q.Items))]
	}
	var chosen []string
	for _, d := range answers.DealBreakers {
		chosen = append(chosen, d.Code)
	}
	data := map[string]any{
		"Quiz": q, "Items": items, "Answers": answers.Values, "Code": answers.Code(q), "Chosen": chosen,
		"Page": page, "Pages": s.quizPages(), "Last": page == s.quizPages(),
	}
	return s.render(r, http.StatusOK, "quiz", "Find a healthcare science role that suits you", []crumb{homeCrumb}, data)
}

func (s *Server) quizResultsPage(r *http.Request) (*response, error) {
	code := r.URL.Query().Get("code")
	answers, err := explore.ParseQuizCode(s.f.Quiz, code)
	if err != nil {
		return nil, err
	}
	res := explore.ScoreQuiz(s.f, answers)
	top := res.Matches
	if len(top) > 10 {
		top = top[:10]
	}
	data := map[string]any{"Result": res, "Top": top, "Code": answers.Code(s.f.Quiz), "Quiz": s.f.Quiz}
	if len(top) >= 2 {
		var ids []string
		for _, m := range top[:min(3, len(top))] {
			ids = append(ids, m.Specialism.ID)
		}
		data["CompareURL"] = "/compare?ids=" + strings.Join(ids, ",")
	}
	return s.render(r, http.StatusOK, "quiz-results", "Roles that match your interests", []crumb{homeCrumb, {"Quiz", "/quiz?code=" + url.QueryEscape(answers.Code(s.f.Quiz))}}, data)
}
