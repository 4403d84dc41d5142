package web

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/framework"
	"hcs/internal/recruit"
)

type roundRequest struct {
	Programme        string    `json:"programme"`
	Name             string    `json:"name"`
	ApplicationsOpen time.Time `json:"applications_open"`
	ShortlistingOpen time.Time `json:"shortlisting_open"`
	InterviewsOpen   time.Time `json:"interviews_open"`
	PreferencesOpen  time.Time `json:"preferences_open"`
	OffersOpen       time.Time `json:"offers_open"`
	StartDate        time.Time `json:"start_date"`
	TieBreakSeed     string    `json:"tie_break_seed"`
	ScoreMargin      int       `json:"score_margin"`
	ShortlistWeight  int       `json:"shortlist_weight"`
	InterviewWeight  int       `json:"interview_weight"`
	OfferWorkingDays int       `json:"offer_working_days"`
}

func (s *Server) apiCreateRound(w http.ResponseWriter, r *http.Request) (int, any, error) {
	var req roundRequest
	if err := decodeJSON(r, &req); err != nil {
		return 0, nil, err
	}
	round := recruit.Round{Programme: req.Programme, Name: req.Name, ApplicationsOpen: req.ApplicationsOpen, ShortlistingOpen: req.ShortlistingOpen,
		InterviewsOpen: req.InterviewsOpen, PreferencesOpen: req.PreferencesOpen, OffersOpen: req.OffersOpen, StartDate: req.StartDate,
		TieBreakSeed: req.TieBreakSeed, ScoreMargin: req.ScoreMargin, ShortlistWeight: req.ShortlistWeight, InterviewWeight: req.InterviewWeight,
		OfferWorkingDays: req.OfferWorkingDays}
	if err := round.Validate(s.f); err != nil {
		return 0, nil, err
	}
	if err := s.recruit.CreateRound(r.Context(), actor(r), &round); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, round, nil
}

// roundView adds the stage the round is in now.
type roundView struct {
	recruit.Round
	Stage string `json:"stage"`
}

func (s *Server) apiRounds(w http.ResponseWriter, r *http.Request) (int, any, error) {
	rounds, err := s.recruit.Rounds(r.Context())
	if err != nil {
		return 0, nil, err
	}
	out := []roundView{}
	for _, rd := range rounds {
		out = append(out, roundView{rd, rd.Stage(time.Now())})
	}
	return http.StatusOK, map[string]any{"rounds": out}, nil
}

func (s *Server) apiRound(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	rd, err := s.recruit.Round(r.Context(), id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, roundView{*rd, rd.Stage(time.Now())}, nil
}

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

type postRequest struct {
	OrganisationID int64  `json:"organisation_id"`
	Specialism     string `json:"specialism"`
	Site           string `json:"site"`
	Region         string `json:"region"`
	Places         int    `json:"places"`
	Contact        string `json:"contact"`
}

func (s *Server) apiCreatePost(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, req, err := pathAndBody[postRequest](r)
	if err != nil {
		return 0, nil, err
	}
	if err := authorize(r, auth.ActionPostCreate, auth.Target{OrganisationID: req.OrganisationID}); err != nil {
		return 0, nil, err
	}
	if req.OrganisationID <= 0 {
		return 0, nil, apperr.Invalidf("organisation_id", "say which organisation offers the post")
	}
	sp := s.f.Specialism(req.Specialism)
	if sp == nil || sp.Kind != framework.KindSpecialism {
		return 0, nil, apperr.Invalidf("specialism", "%q is not a specialism that recruits", req.Specialism)
	}
	p := &recruit.Post{RoundID: id, OrganisationID: req.OrganisationID, Specialism: req.Specialism, Site: req.Site, Region: req.Region, Places: req.Places, Contact: req.Contact}
	if err := s.recruit.CreatePost(r.Context(), actor(r), p); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, p, nil
}

type profileRequest struct {
	Credentials    []string `json:"credentials"`
	Qualifications string   `json:"qualifications"`
	RightToWork    bool     `json:"right_to_work"`
}

func (s *Server) apiSaveProfile(w http.ResponseWriter, r *http.Request) (int, any, error) {
	var req profileRequest
	if err := decodeJSON(r, &req); err != nil {
		return 0, nil, err
	}
	for _, c := range req.Credentials {
		if s.f.Credential(c) == nil {
			return 0, nil, apperr.Invalidf("credentials", "%q is not a qualification hcs knows; see /api/v1/framework credentials", c)
		}
	}
	p := &recruit.Profile{UserID: principal(r).User.ID, Credentials: req.Credentials, Qualifications: req.Qualifications, RightToWork: req.RightToWork}
	if p.Credentials == nil {
		p.Credentials = []string{}
	}
	if err := s.recruit.SaveProfile(r.Context(), actor(r), p); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, p, nil
}

func (s *Server) apiProfile(w http.ResponseWriter, r *http.Request) (int, any, error) {
	p, err := s.recruit.Profile(r.Context(), principal(r).User.ID)
	return http.StatusOK, p, err
}

// eligibility checks the signed-in applicant against a round's programme.
func (s *Server) eligibility(r *http.Request, roundID int64) (*recruit.Round, recruit.Eligibility, error) {
	rd, err := s.recruit.Round(r.Context(), roundID)
	if err != nil {
		return nil, recruit.Eligibility{}, err
	}
	p, err := s.recruit.Profile(r.Context(), principal(r).User.ID)
	if apperr.Code(err) == apperr.NotFound {
		return rd, recruit.Eligibility{Reason: "Fill in your qualifications in your profile first."}, nil
	}
	if err != nil {
		return nil, recruit.Eligibility{}, err
	}
	e := recruit.CheckEligibility(s.f, rd.Programme, p.Credentials)
	if e.Eligible && !p.RightToWork {
		e = recruit.Eligibility{Reason: "Training posts need the right to work in the UK."}
	}
	return rd, e, nil
}

func (s *Server) apiEligibility(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	_, e, err := s.eligibility(r, id)
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
	if s.f.Specialism(req.Specialism) == nil {
		return 0, nil, apperr.Invalidf("specialism", "%q is not a specialism", req.Specialism)
	}
	if n := len([]rune(req.Statement)); n == 0 || n > 10000 {
		return 0, nil, apperr.Invalidf("statement", "write a supporting statement of up to 10,000 characters")
	}
	_, e, err := s.eligibility(r, id)
	if err != nil {
		return 0, nil, err
	}
	a := &recruit.Application{RoundID: id, UserID: principal(r).User.ID, Specialism: req.Specialism, Statement: req.Statement, Preferences: []int64{}}
	if err := s.recruit.Apply(r.Context(), actor(r), a, e); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, a, nil
}

func (s *Server) apiMyApplications(w http.ResponseWriter, r *http.Request) (int, any, error) {
	apps, err := s.recruit.ApplicationsOf(r.Context(), principal(r).User.ID)
	return http.StatusOK, map[string]any{"applications": apps}, err
}

// pathApplication loads the application named in the path and lets allowed
// decide whether the signed-in person may act on it. Someone who may not
// is told it is not found, so that its existence is not confirmed.
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

func (s *Server) apiForReview(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	if err := authorize(r, auth.ActionReview, auth.Target{RoundID: id}); err != nil {
		return 0, nil, err
	}
	apps, err := s.recruit.ForReview(r.Context(), id)
	return http.StatusOK, map[string]any{"applications": apps}, err
}

// roundApplication loads the application in the path and checks the action
// against its round.
func (s *Server) roundApplication(r *http.Request, action auth.Action) (*recruit.Application, error) {
	return s.pathApplication(r, func(a *recruit.Application) (bool, error) {
		return principal(r).Allowed(action, auth.Target{RoundID: a.RoundID}), nil
	})
}

// interviewApplication loads the application in the path and checks that
// the signed-in person may score its interview: the national school, or an
// employer of an organisation with a post in its specialism in its round.
func (s *Server) interviewApplication(r *http.Request) (*recruit.Application, error) {
	return s.pathApplication(r, func(a *recruit.Application) (bool, error) {
		posts, err := s.recruit.Posts(r.Context(), a.RoundID)
		if err != nil {
			return false, err
		}
		return slices.ContainsFunc(posts, func(p recruit.Post) bool {
			return p.Specialism == a.Specialism && principal(r).Allowed(auth.ActionInterview, auth.Target{OrganisationID: p.OrganisationID, RoundID: a.RoundID})
		}), nil
	})
}

type scoreRequest struct {
	Score   int    `json:"score"`
	Station string `json:"station"`
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
	return http.StatusCreated, nil, s.recruit.Review(r.Context(), actor(r), a.ID, req.Score)
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
	return http.StatusCreated, nil, s.recruit.Moderate(r.Context(), actor(r), a.ID, req.Score)
}

func (s *Server) apiInterviewScore(w http.ResponseWriter, r *http.Request) (int, any, error) {
	a, err := s.interviewApplication(r)
	if err != nil {
		return 0, nil, err
	}
	var req scoreRequest
	if err := decodeJSON(r, &req); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, nil, s.recruit.ScoreInterview(r.Context(), actor(r), a.ID, req.Station, req.Score)
}

func (s *Server) apiRank(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	ranked, err := s.recruit.RankRound(r.Context(), actor(r), id)
	return http.StatusOK, map[string]any{"ranked": ranked}, err
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
	if err := s.recruit.SetPreferences(r.Context(), actor(r), a.ID, req.Posts); err != nil {
		return 0, nil, err
	}
	a, err = s.recruit.Application(r.Context(), a.ID)
	return http.StatusOK, a, err
}

type matchRequest struct {
	Publish    bool           `json:"publish"`
	Capacities map[string]int `json:"capacities"`
}

func (s *Server) runMatch(r *http.Request, publish bool) (int, any, error) {
	id, req, err := pathAndBody[matchRequest](r)
	if err != nil {
		return 0, nil, err
	}
	caps := map[int64]int{}
	for k, v := range req.Capacities {
		post, err := strconv.ParseInt(k, 10, 64)
		if err != nil {
			return 0, nil, apperr.Invalidf("capacities", "capacities are keyed by post id, not %q", k)
		}
		caps[post] = v
	}
	if !publish && req.Publish {
		return 0, nil, apperr.Invalidf("publish", "what-if runs are never published; use the match endpoint")
	}
	out, err := s.recruit.Match(r.Context(), actor(r), id, publish && req.Publish, caps)
	if err != nil {
		return 0, nil, err
	}
	if publish && req.Publish {
		return http.StatusCreated, out, nil
	}
	// A what-if shows its difference from the round as it stands.
	base, err := s.recruit.Match(r.Context(), actor(r), id, false, nil)
	if err != nil {
		return 0, nil, err
	}
	var changed []map[string]int64
	for app, post := range out.Assignments {
		if base.Assignments[app] != post {
			changed = append(changed, map[string]int64{"application_id": app, "from_post": base.Assignments[app], "to_post": post})
		}
	}
	slices.SortFunc(changed, func(a, b map[string]int64) int { return int(a["application_id"] - b["application_id"]) })
	return http.StatusOK, map[string]any{"what_if": out, "current": base, "changes": changed}, nil
}

func (s *Server) apiMatch(w http.ResponseWriter, r *http.Request) (int, any, error) {
	return s.runMatch(r, true)
}

func (s *Server) apiWhatIf(w http.ResponseWriter, r *http.Request) (int, any, error) {
	return s.runMatch(r, false)
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
	offers, err := s.recruit.Offers(r.Context(), a.ID)
	return http.StatusOK, map[string]any{"offers": offers}, err
}

type answerRequest struct {
	Answer   string `json:"answer"`
	Upgrades bool   `json:"upgrades"`
}

// ownOffer finds one of the signed-in applicant's offers. Someone else's
// offer is "not found", so that its existence is not confirmed.
func (s *Server) ownOffer(r *http.Request, offerID int64) (*recruit.Offer, error) {
	apps, err := s.recruit.ApplicationsOf(r.Context(), principal(r).User.ID)
	if err != nil {
		return nil, err
	}
	for _, a := range apps {
		offers, err := s.recruit.Offers(r.Context(), a.ID)
		if err != nil {
			return nil, err
		}
		if i := slices.IndexFunc(offers, func(o recruit.Offer) bool { return o.ID == offerID }); i >= 0 {
			return &offers[i], nil
		}
	}
	return nil, apperr.Errorf(apperr.NotFound, "there is no offer %d", offerID)
}

// answerOffer checks the offer is the signed-in applicant's and records
// their answer.
func (s *Server) answerOffer(r *http.Request, offerID int64, answer string, upgrades bool) (*recruit.Offer, error) {
	if _, err := s.ownOffer(r, offerID); err != nil {
		return nil, err
	}
	return s.recruit.AnswerOffer(r.Context(), actor(r), offerID, answer, upgrades)
}

func (s *Server) apiAnswerOffer(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, req, err := pathAndBody[answerRequest](r)
	if err != nil {
		return 0, nil, err
	}
	o, err := s.answerOffer(r, id, req.Answer, req.Upgrades)
	return http.StatusOK, o, err
}

func (s *Server) apiRoundOffers(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	offers, err := s.recruit.RoundOffers(r.Context(), id)
	return http.StatusOK, map[string]any{"offers": offers}, err
}

func (s *Server) apiExpireOffers(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	n, err := s.recruit.ExpireOffers(r.Context(), actor(r), id)
	return http.StatusOK, map[string]any{"expired": n}, err
}

type postRankingRequest struct {
	Applications []int64 `json:"applications"`
}

// apiPostRanking sets an employer's own order of applicants for one of
// their posts (an empty list returns the post to the national rank).
func (s *Server) apiPostRanking(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	post, err := s.recruit.Post(r.Context(), id)
	if err != nil {
		return 0, nil, err
	}
	if err := authorize(r, auth.ActionPostCreate, auth.Target{OrganisationID: post.OrganisationID}); err != nil {
		return 0, nil, err
	}
	var req postRankingRequest
	if err := decodeJSON(r, &req); err != nil {
		return 0, nil, err
	}
	if err := s.recruit.SetPostRanking(r.Context(), actor(r), id, req.Applications); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"post_id": id, "applications": req.Applications}, nil
}
