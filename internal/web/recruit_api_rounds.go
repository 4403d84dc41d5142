package web

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/recruit"
)

// The national school's API for running a round: open it, move its dates,
// set its interview stations, appoint and assign reviewers, rank, try and
// publish the match, and watch its offers.

type stationRequest struct {
	Name   string `json:"name"`
	Weight int    `json:"weight"`
}

func stationsOf(reqs []stationRequest) []recruit.Station {
	out := make([]recruit.Station, len(reqs))
	for i, s := range reqs {
		out[i] = recruit.Station{Name: s.Name, Weight: s.Weight}
	}
	return out
}

type roundRequest struct {
	Programme          string           `json:"programme"`
	Name               string           `json:"name"`
	ApplicationsOpen   time.Time        `json:"applications_open"`
	ShortlistingOpen   time.Time        `json:"shortlisting_open"`
	InterviewsOpen     time.Time        `json:"interviews_open"`
	PreferencesOpen    time.Time        `json:"preferences_open"`
	OffersOpen         time.Time        `json:"offers_open"`
	StartDate          time.Time        `json:"start_date"`
	TieBreakSeed       string           `json:"tie_break_seed"`
	ScoreMargin        int              `json:"score_margin"`
	ShortlistWeight    int              `json:"shortlist_weight"`
	InterviewWeight    int              `json:"interview_weight"`
	OfferWorkingDays   int              `json:"offer_working_days"`
	ShortlistCriteria  string           `json:"shortlist_criteria"`
	ShortlistPassMark  int              `json:"shortlist_pass_mark"`
	InterviewsPerPlace int              `json:"interviews_per_place"`
	ReservesPerPlace   int              `json:"reserves_per_place"`
	EmployerRanking    bool             `json:"employer_ranking"`
	Test               *testRuleRequest `json:"test"`
	Stations           []stationRequest `json:"stations"`
}

func (req roundRequest) round() (*recruit.Round, error) {
	test, err := req.Test.rule()
	return &recruit.Round{Programme: req.Programme, Name: req.Name, ApplicationsOpen: req.ApplicationsOpen, ShortlistingOpen: req.ShortlistingOpen,
		InterviewsOpen: req.InterviewsOpen, PreferencesOpen: req.PreferencesOpen, OffersOpen: req.OffersOpen, StartDate: req.StartDate,
		TieBreakSeed: req.TieBreakSeed, ScoreMargin: req.ScoreMargin, ShortlistWeight: req.ShortlistWeight, InterviewWeight: req.InterviewWeight,
		OfferWorkingDays: req.OfferWorkingDays, ShortlistCriteria: req.ShortlistCriteria, ShortlistPassMark: req.ShortlistPassMark, EmployerRanking: req.EmployerRanking,
		InterviewsPerPlace: req.InterviewsPerPlace, ReservesPerPlace: req.ReservesPerPlace, Test: test}, err
}

// roundView is a round with the stage it is in now and its stations.
type roundView struct {
	recruit.Round
	Stage    string            `json:"stage"`
	Stations []recruit.Station `json:"stations"`
}

func (s *Server) roundView(r *http.Request, rd *recruit.Round) (roundView, error) {
	stations, err := s.recruit.Stations(r.Context(), rd.ID)
	return roundView{Round: *rd, Stage: rd.Stage(s.now()), Stations: stations}, err
}

func (s *Server) apiCreateRound(w http.ResponseWriter, r *http.Request) (int, any, error) {
	var req roundRequest
	if err := decodeJSON(r, &req); err != nil {
		return 0, nil, err
	}
	rd, err := req.round()
	if err != nil {
		return 0, nil, err
	}
	if err := s.recruit.OpenRound(r.Context(), actor(r), rd, stationsOf(req.Stations)); err != nil {
		return 0, nil, err
	}
	v, err := s.roundView(r, rd)
	return http.StatusCreated, v, err
}

func (s *Server) apiRounds(w http.ResponseWriter, r *http.Request) (int, any, error) {
	rounds, err := s.recruit.Rounds(r.Context())
	if err != nil {
		return 0, nil, err
	}
	out := []roundView{}
	for i := range rounds {
		v, err := s.roundView(r, &rounds[i])
		if err != nil {
			return 0, nil, err
		}
		out = append(out, v)
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
	v, err := s.roundView(r, rd)
	return http.StatusOK, v, err
}

type timetableRequest struct {
	ApplicationsOpen time.Time `json:"applications_open"`
	ShortlistingOpen time.Time `json:"shortlisting_open"`
	InterviewsOpen   time.Time `json:"interviews_open"`
	PreferencesOpen  time.Time `json:"preferences_open"`
	OffersOpen       time.Time `json:"offers_open"`
	StartDate        time.Time `json:"start_date"`
}

func (s *Server) apiTimetable(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := roundManaged(r)
	if err != nil {
		return 0, nil, err
	}
	var req timetableRequest
	if err := decodeJSON(r, &req); err != nil {
		return 0, nil, err
	}
	rd, err := s.recruit.ChangeTimetable(r.Context(), actor(r), id, recruit.Timetable(req))
	if err != nil {
		return 0, nil, err
	}
	v, err := s.roundView(r, rd)
	return http.StatusOK, v, err
}

type stationsRequest struct {
	Stations []stationRequest `json:"stations"`
}

func (s *Server) apiSetStations(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := roundManaged(r)
	if err != nil {
		return 0, nil, err
	}
	var req stationsRequest
	if err := decodeJSON(r, &req); err != nil {
		return 0, nil, err
	}
	if err := s.recruit.SetStations(r.Context(), actor(r), id, stationsOf(req.Stations)); err != nil {
		return 0, nil, err
	}
	stations, err := s.recruit.Stations(r.Context(), id)
	return http.StatusOK, map[string]any{"stations": stations}, err
}

func (s *Server) apiSummary(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := roundManaged(r)
	if err != nil {
		return 0, nil, err
	}
	sum, err := s.recruit.Summary(r.Context(), id)
	return http.StatusOK, sum, err
}

func (s *Server) apiReviewers(w http.ResponseWriter, r *http.Request) (int, any, error) {
	rd, err := s.managedRound(r)
	if err != nil {
		return 0, nil, err
	}
	id := rd.ID
	appts, err := s.recruit.Appointments(r.Context(), id)
	return http.StatusOK, map[string]any{"reviewers": appts}, err
}

type appointRequest struct {
	Email          string `json:"email"`
	OrganisationID int64  `json:"organisation_id"`
}

func (s *Server) apiAppointReviewer(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := roundManaged(r)
	if err != nil {
		return 0, nil, err
	}
	var req appointRequest
	if err := decodeJSON(r, &req); err != nil {
		return 0, nil, err
	}
	if req.OrganisationID < 0 {
		return 0, nil, apperr.Invalidf("organisation_id", "organisation_id must be an organisation's id, or 0 for none")
	}
	a, err := s.recruit.AppointReviewer(r.Context(), actor(r), id, req.Email, req.OrganisationID)
	return http.StatusCreated, a, err
}

func (s *Server) apiAssignReviewers(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := roundManaged(r)
	if err != nil {
		return 0, nil, err
	}
	res, err := s.recruit.AssignReviewers(r.Context(), actor(r), id)
	return http.StatusOK, res, err
}

func (s *Server) apiRank(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := roundManaged(r)
	if err != nil {
		return 0, nil, err
	}
	ranked, err := s.recruit.RankRound(r.Context(), actor(r), id)
	return http.StatusOK, map[string]any{"ranked": ranked}, err
}

func (s *Server) apiRanking(w http.ResponseWriter, r *http.Request) (int, any, error) {
	rd, err := s.managedRound(r)
	if err != nil {
		return 0, nil, err
	}
	id := rd.ID
	apps, err := s.recruit.Ranking(r.Context(), id)
	out := []map[string]any{}
	for _, a := range apps {
		out = append(out, map[string]any{"application_id": a.ID, "reference": recruit.Reference(a.ID), "specialism": a.Specialism,
			"national_rank": *a.NationalRank, "shortlist_score": a.ShortlistScore, "interview_score": a.InterviewScore, "decided_by": a.DecidedBy})
	}
	return http.StatusOK, map[string]any{"ranking": out}, err
}

// apiMatch publishes the round's match. It takes no options: a trial run
// is the what-if.
func (s *Server) apiMatch(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := roundManaged(r)
	if err != nil {
		return 0, nil, err
	}
	if r.ContentLength != 0 {
		var req struct{}
		if err := decodeJSON(r, &req); err != nil {
			return 0, nil, err
		}
	}
	out, err := s.timedPublishMatch(r, id)
	return http.StatusCreated, out, err
}

type whatIfRequest struct {
	Capacities map[string]int `json:"capacities"`
}

func capacities(in map[string]int) (map[int64]int, error) {
	out := map[int64]int{}
	for k, v := range in {
		post, err := strconv.ParseInt(k, 10, 64)
		if err != nil {
			return nil, apperr.Invalidf("capacities", "capacities are keyed by post id, not %q", k)
		}
		out[post] = v
	}
	return out, nil
}

// apiWhatIf runs the match without publishing it.
func (s *Server) apiWhatIf(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := roundManaged(r)
	if err != nil {
		return 0, nil, err
	}
	var req whatIfRequest
	if err := decodeJSON(r, &req); err != nil {
		return 0, nil, err
	}
	caps, err := capacities(req.Capacities)
	if err != nil {
		return 0, nil, err
	}
	out, err := s.recruit.RunWhatIf(r.Context(), id, caps)
	return http.StatusOK, out, err
}

func (s *Server) apiRoundOffers(w http.ResponseWriter, r *http.Request) (int, any, error) {
	rd, err := s.managedRound(r)
	if err != nil {
		return 0, nil, err
	}
	id := rd.ID
	offers, err := s.recruit.Offers(r.Context(), recruit.OfferFilter{RoundID: id})
	return http.StatusOK, map[string]any{"offers": offers}, err
}

func (s *Server) apiExpireOffers(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := roundManaged(r)
	if err != nil {
		return 0, nil, err
	}
	n, err := s.recruit.ExpireOffers(r.Context(), id)
	return http.StatusOK, map[string]any{"expired": n}, err
}

// apiReviewQueue lists the round's applications assigned to the signed-in
// reviewer, blind.
func (s *Server) apiReviewQueue(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	if err := authorize(r, auth.ActionReview, auth.Target{RoundID: id}); err != nil {
		return 0, nil, err
	}
	apps, err := s.recruit.ReviewQueue(r.Context(), id, principal(r).User.ID)
	return http.StatusOK, map[string]any{"applications": apps}, err
}

// apiInterviewQueue lists the round's shortlisted applications the
// signed-in person's organisations may interview.
func (s *Server) apiInterviewQueue(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	orgs, err := s.interviewOrganisations(r, id)
	if err != nil {
		return 0, nil, err
	}
	queue, err := s.recruit.InterviewQueue(r.Context(), id, orgs)
	return http.StatusOK, map[string]any{"applications": queue}, err
}

// The online test stage.

func (s *Server) apiTestStage(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := roundManaged(r)
	if err != nil {
		return 0, nil, err
	}
	st, err := s.recruit.TestStage(r.Context(), id)
	return http.StatusOK, st, err
}

func (s *Server) apiSetTestRule(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := roundManaged(r)
	if err != nil {
		return 0, nil, err
	}
	var req testRuleRequest
	if err := decodeJSON(r, &req); err != nil {
		return 0, nil, err
	}
	rule, err := req.rule()
	if err != nil {
		return 0, nil, err
	}
	rd, err := s.recruit.SetTestRule(r.Context(), actor(r), id, rule)
	if err != nil {
		return 0, nil, err
	}
	v, err := s.roundView(r, rd)
	return http.StatusOK, v, err
}

// apiImportTestScores takes the test provider's file as the body, of type
// text/csv; confirm_corrections=true confirms that scores differing from
// those imported are corrections.
func (s *Server) apiImportTestScores(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := roundManaged(r)
	if err != nil {
		return 0, nil, err
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "text/csv" {
		return 0, nil, apperr.Invalidf("body", "Send the test provider's file as the body, with Content-Type: text/csv")
	}
	confirm := false
	switch v := r.URL.Query().Get("confirm_corrections"); v {
	case "", "false":
	case "true":
		confirm = true
	default:
		return 0, nil, apperr.Invalidf("confirm_corrections", "confirm_corrections must be true or false, not %q", v)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxTestFileBytes+1))
	if err != nil {
		return 0, nil, uploadError("body", maxTestFileBytes, err)
	}
	if len(body) > maxTestFileBytes {
		return 0, nil, uploadError("body", maxTestFileBytes, &http.MaxBytesError{Limit: maxTestFileBytes})
	}
	im, err := s.recruit.ImportTestScores(r.Context(), actor(r), id, bytes.NewReader(body), confirm)
	return http.StatusOK, im, err
}

func (s *Server) apiPublishTestOutcomes(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := roundManaged(r)
	if err != nil {
		return 0, nil, err
	}
	st, err := s.recruit.PublishTestOutcomes(r.Context(), actor(r), id)
	return http.StatusOK, st, err
}
