package web

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/framework"
	"hcs/internal/recruit"
)

// The national school's pages: its rounds, opening one, and each round's
// dashboard, from which it is run: dates, stations, reviewers and their
// assignments, moderation, ranking, the what-if and the published match,
// and the offers that follow.

func (s *Server) schoolHome(w http.ResponseWriter, r *http.Request) error {
	orgs, err := s.visibleOrganisations(r, auth.ActionOrgView)
	if err != nil {
		return err
	}
	rounds, err := s.recruit.Rounds(r.Context())
	if err != nil {
		return err
	}
	var views []roundView
	for i := range rounds {
		views = append(views, roundView{Round: rounds[i], Stage: rounds[i].Stage(s.now())})
	}
	return s.show(w, r, http.StatusOK, "home-school", "National school", nil, map[string]any{
		"Rounds": views, "StageNames": recruit.StageNames, "Organisations": orgs, "Regions": auth.Regions, "Done": takeNotice(w, r)})
}

// dateLayout is how date inputs send dates; a date means its start, UTC.
const dateLayout = "2006-01-02"

func formDate(form url.Values, field, label string) (time.Time, error) {
	v := strings.TrimSpace(form.Get(field))
	t, err := time.Parse(dateLayout, v)
	if err != nil {
		return time.Time{}, apperr.Invalidf(field, "Enter the date %s, as a date like 2027-01-11", label)
	}
	return t.UTC(), nil
}

func formInt(form url.Values, field, label string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(form.Get(field)))
	if err != nil {
		return 0, apperr.Invalidf(field, "%s must be a whole number", label)
	}
	return n, nil
}

// timetableFields are the timetable's form fields and their labels.
var timetableFields = [][2]string{
	{"applications_open", "applications open"}, {"shortlisting_open", "applications close and shortlisting starts"},
	{"interviews_open", "interviews start"}, {"preferences_open", "preferences and ranking start"},
	{"offers_open", "matching and offers start"}, {"start_date", "posts start"},
}

// timetableFromForm reads the timetable's dates. A date left as it was
// keeps its stored time of day (keep may be nil for a new round); a date
// changed starts at midnight UTC.
func timetableFromForm(form url.Values, keep *recruit.Round) (recruit.Timetable, error) {
	var kept [6]time.Time
	if keep != nil {
		t := timetableOf(keep)
		kept = [6]time.Time{t.ApplicationsOpen, t.ShortlistingOpen, t.InterviewsOpen, t.PreferencesOpen, t.OffersOpen, t.StartDate}
	}
	var dates [6]time.Time
	for i, f := range timetableFields {
		d, err := formDate(form, f[0], f[1])
		if err != nil {
			return recruit.Timetable{}, err
		}
		if !kept[i].IsZero() && kept[i].UTC().Format(dateLayout) == d.Format(dateLayout) {
			d = kept[i]
		}
		dates[i] = d
	}
	return recruit.Timetable{ApplicationsOpen: dates[0], ShortlistingOpen: dates[1], InterviewsOpen: dates[2], PreferencesOpen: dates[3],
		OffersOpen: dates[4], StartDate: dates[5]}, nil
}

func timetableValues(t recruit.Timetable) map[string]string {
	return map[string]string{"applications_open": t.ApplicationsOpen.UTC().Format(dateLayout), "shortlisting_open": t.ShortlistingOpen.UTC().Format(dateLayout),
		"interviews_open": t.InterviewsOpen.UTC().Format(dateLayout), "preferences_open": t.PreferencesOpen.UTC().Format(dateLayout),
		"offers_open": t.OffersOpen.UTC().Format(dateLayout), "start_date": t.StartDate.UTC().Format(dateLayout)}
}

func timetableOf(r *recruit.Round) recruit.Timetable {
	return recruit.Timetable{ApplicationsOpen: r.ApplicationsOpen, ShortlistingOpen: r.ShortlistingOpen, InterviewsOpen: r.InterviewsOpen,
		PreferencesOpen: r.PreferencesOpen, OffersOpen: r.OffersOpen, StartDate: r.StartDate}
}

// stationsFromText reads one station a line, "name: weight" (weight 1
// when left out).
func stationsFromText(text string) ([]recruit.Station, error) {
	var out []recruit.Station
	for i, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		st := recruit.Station{Name: line, Weight: 1}
		if name, weight, ok := strings.Cut(line, ":"); ok {
			w, err := strconv.Atoi(strings.TrimSpace(weight))
			if err != nil {
				return nil, apperr.Invalidf("stations", "line %d: after the colon put the station's weight, a number from 1 to %d", i+1, recruit.MaxStationWeight)
			}
			st.Name, st.Weight = strings.TrimSpace(name), w
		}
		out = append(out, st)
	}
	return out, nil
}

// stationsField points an error about one station (stations[1].weight)
// at the text box that holds them all, keeping its message.
func stationsField(err error) error {
	if f := apperr.Field(err); strings.HasPrefix(f, "stations[") {
		return apperr.Invalidf("stations", "%s", apperr.Message(err))
	}
	return err
}

func stationsText(stations []recruit.Station) string {
	var lines []string
	for _, st := range stations {
		lines = append(lines, fmt.Sprintf("%s: %d", st.Name, st.Weight))
	}
	return strings.Join(lines, "\n")
}

// roundForm is the page to open a round.
type roundForm struct {
	Programmes [][2]string
	Values     map[string]string
	Fields     [][2]string
	Error      error
}

func (s *Server) roundForm(values map[string]string, err error) *roundForm {
	f := &roundForm{Values: values, Error: err, Fields: timetableFields, Programmes: [][2]string{{"", "Choose a programme"}}}
	for _, p := range s.f.Programmes {
		if p.Kind == framework.ProgrammeTraining || p.Kind == framework.ProgrammeApprenticeship {
			f.Programmes = append(f.Programmes, [2]string{p.ID, p.Name})
		}
	}
	return f
}

func (s *Server) newRoundPage(w http.ResponseWriter, r *http.Request) error {
	_, seed, err := auth.NewToken()
	if err != nil {
		return err
	}
	values := map[string]string{"score_margin": "15", "shortlist_weight": "1", "interview_weight": "1", "offer_working_days": "2",
		"shortlist_pass_mark": "50", "interviews_per_place": "0", "reserves_per_place": "0", "tie_break_seed": seed[:16], "stations": "Communication: 1\nScientific knowledge: 2\nValues and behaviours: 1"}
	return s.show(w, r, http.StatusOK, "round-new", "Open a recruitment round", []crumb{{"National school", "/school"}}, s.roundForm(values, nil))
}

func (s *Server) createRound(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	form := r.PostForm
	values := map[string]string{}
	for k := range form {
		values[k] = form.Get(k)
	}
	rd := &recruit.Round{Programme: form.Get("programme"), Name: form.Get("name"), TieBreakSeed: strings.TrimSpace(form.Get("tie_break_seed")),
		ShortlistCriteria: strings.TrimSpace(form.Get("shortlist_criteria")), EmployerRanking: form.Get("employer_ranking") == "yes"}
	err := func() error {
		t, err := timetableFromForm(form, nil)
		if err != nil {
			return err
		}
		rd.ApplicationsOpen, rd.ShortlistingOpen, rd.InterviewsOpen, rd.PreferencesOpen, rd.OffersOpen, rd.StartDate =
			t.ApplicationsOpen, t.ShortlistingOpen, t.InterviewsOpen, t.PreferencesOpen, t.OffersOpen, t.StartDate
		for _, n := range []struct {
			field, label string
			to           *int
		}{{"score_margin", "The moderation margin", &rd.ScoreMargin}, {"shortlist_weight", "The shortlisting weight", &rd.ShortlistWeight},
			{"interview_weight", "The interview weight", &rd.InterviewWeight}, {"offer_working_days", "The working days to answer", &rd.OfferWorkingDays},
			{"shortlist_pass_mark", "The shortlisting benchmark", &rd.ShortlistPassMark},
			{"interviews_per_place", "Interviews per place", &rd.InterviewsPerPlace}, {"reserves_per_place", "Reserves per place", &rd.ReservesPerPlace}} {
			if *n.to, err = formInt(form, n.field, n.label); err != nil {
				return err
			}
		}
		stations, err := stationsFromText(form.Get("stations"))
		if err != nil {
			return err
		}
		return stationsField(s.recruit.OpenRound(r.Context(), actor(r), rd, stations))
	}()
	if err != nil {
		return formFailure(err, func(status int) error {
			return s.show(w, r, status, "round-new", "Open a recruitment round", []crumb{{"National school", "/school"}}, s.roundForm(values, err))
		})
	}
	redirectBack(w, r, "/school/rounds/"+strconv.FormatInt(rd.ID, 10), "The round is open")
	return nil
}

// dashboardView is a round's dashboard.
type dashboardView struct {
	Summary     *recruit.Summary
	Programme   string
	Weighted    map[int64]int // application → weighted score
	Credentials map[string]string
	Timetable   []recruit.Window
	Reviewers   []recruit.Appointment
	Ranking     []recruit.Application
	Posts       []recruit.Post
	Offers      []recruit.Offer
	Statuses    []string
	StageNames  map[string]string
	Names       map[string]string
	Orgs        [][2]string
	PostNames   map[int64]string
	Error       error
	Done        string
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request, id int64, status int, fail error) error {
	sum, err := s.recruit.Summary(r.Context(), id)
	if err != nil {
		return err
	}
	v := &dashboardView{Summary: sum, Timetable: sum.Round.Timetable(), StageNames: recruit.StageNames, Names: s.specialismNames(),
		Programme: sum.Round.Programme, Weighted: map[int64]int{}, Credentials: s.credentialNames(),
		Statuses: recruit.OfferStatuses, Error: fail, Done: takeNotice(w, r), Orgs: [][2]string{{"", "None, or not an NHS employer"}},
		PostNames: map[int64]string{}}
	if v.Reviewers, err = s.recruit.Appointments(r.Context(), id); err != nil {
		return err
	}
	if v.Ranking, err = s.recruit.Ranking(r.Context(), id); err != nil {
		return err
	}
	for _, a := range v.Ranking {
		if a.ShortlistScore != nil && a.InterviewScore != nil {
			v.Weighted[a.ID] = sum.Round.ShortlistWeight**a.ShortlistScore + sum.Round.InterviewWeight**a.InterviewScore
		}
	}
	if p := s.f.Programme(sum.Round.Programme); p != nil {
		v.Programme = p.Name
	}
	if v.Posts, err = s.recruit.Posts(r.Context(), id); err != nil {
		return err
	}
	for _, p := range v.Posts {
		v.PostNames[p.ID] = p.Site + ", " + p.Organisation
	}
	offers, err := s.recruit.Offers(r.Context(), recruit.OfferFilter{RoundID: id})
	if err != nil {
		return err
	}
	v.Offers = sortedOffers(offers)
	orgs, err := s.store.Organisations(r.Context(), nil)
	if err != nil {
		return err
	}
	for _, o := range orgs {
		if o.Kind == auth.OrgTrust {
			v.Orgs = append(v.Orgs, [2]string{strconv.FormatInt(o.ID, 10), o.Name})
		}
	}
	return s.show(w, r, status, "round", sum.Round.Name, []crumb{{"National school", "/school"}}, v)
}

func (s *Server) roundDashboard(w http.ResponseWriter, r *http.Request) error {
	id, err := roundManaged(r)
	if err != nil {
		return err
	}
	return s.dashboard(w, r, id, http.StatusOK, nil)
}

// dashboardAction runs an action from the dashboard and returns to it:
// with a notice when it worked, or with the error when it did not.
func (s *Server) dashboardAction(w http.ResponseWriter, r *http.Request, id int64, do func() (string, error)) error {
	notice, err := do()
	if err != nil {
		return formFailure(err, func(status int) error { return s.dashboard(w, r, id, status, err) })
	}
	redirectBack(w, r, "/school/rounds/"+strconv.FormatInt(id, 10), notice)
	return nil
}

// timetableForm is the page to change a round's dates, with the work the
// current stage has left undone: moving on leaves it undone.
type timetableForm struct {
	Round   *recruit.Round
	Stage   string
	Values  map[string]string
	Fields  [][2]string
	Summary *recruit.Summary
	Error   error
}

func (s *Server) timetableForm(r *http.Request, rd *recruit.Round, values map[string]string, err error) (*timetableForm, error) {
	sum, serr := s.recruit.Summary(r.Context(), rd.ID)
	if serr != nil {
		return nil, serr
	}
	return &timetableForm{Round: rd, Stage: sum.Stage, Values: values, Fields: timetableFields, Summary: sum, Error: err}, nil
}

func (s *Server) timetablePage(w http.ResponseWriter, r *http.Request) error {
	rd, err := s.managedRound(r)
	if err != nil {
		return err
	}
	f, err := s.timetableForm(r, rd, timetableValues(timetableOf(rd)), nil)
	if err != nil {
		return err
	}
	return s.show(w, r, http.StatusOK, "round-timetable", "Change the dates of "+rd.Name, s.roundCrumbs(rd), f)
}

func (s *Server) roundCrumbs(rd *recruit.Round) []crumb {
	return []crumb{{"National school", "/school"}, {rd.Name, "/school/rounds/" + strconv.FormatInt(rd.ID, 10)}}
}

func (s *Server) changeTimetable(w http.ResponseWriter, r *http.Request) error {
	id, err := roundManaged(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	rd, err := s.recruit.Round(r.Context(), id)
	if err != nil {
		return err
	}
	t, err := timetableFromForm(r.PostForm, rd)
	if err == nil {
		_, err = s.recruit.ChangeTimetable(r.Context(), actor(r), id, t)
	}
	if err != nil {
		return formFailure(err, func(status int) error {
			values := map[string]string{}
			for _, f := range timetableFields {
				values[f[0]] = r.PostForm.Get(f[0])
			}
			f, ferr := s.timetableForm(r, rd, values, err)
			if ferr != nil {
				return ferr
			}
			return s.show(w, r, status, "round-timetable", "Change the dates of "+rd.Name, s.roundCrumbs(rd), f)
		})
	}
	redirectBack(w, r, "/school/rounds/"+strconv.FormatInt(id, 10), "The dates have been changed")
	return nil
}

func (s *Server) stationsPage(w http.ResponseWriter, r *http.Request) error {
	rd, err := s.managedRound(r)
	if err != nil {
		return err
	}
	id := rd.ID
	stations, err := s.recruit.Stations(r.Context(), id)
	if err != nil {
		return err
	}
	return s.show(w, r, http.StatusOK, "round-stations", "Interview stations of "+rd.Name, s.roundCrumbs(rd),
		map[string]any{"Round": rd, "Text": stationsText(stations), "Error": nil})
}

func (s *Server) setStations(w http.ResponseWriter, r *http.Request) error {
	id, err := roundManaged(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	text := r.PostForm.Get("stations")
	stations, err := stationsFromText(text)
	if err == nil {
		err = stationsField(s.recruit.SetStations(r.Context(), actor(r), id, stations))
	}
	if err != nil {
		return formFailure(err, func(status int) error {
			rd, rerr := s.recruit.Round(r.Context(), id)
			if rerr != nil {
				return rerr
			}
			return s.show(w, r, status, "round-stations", "Interview stations of "+rd.Name, s.roundCrumbs(rd),
				map[string]any{"Round": rd, "Text": text, "Error": err})
		})
	}
	redirectBack(w, r, "/school/rounds/"+strconv.FormatInt(id, 10), "The interview stations have been saved")
	return nil
}

func (s *Server) appointReviewer(w http.ResponseWriter, r *http.Request) error {
	id, err := roundManaged(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	return s.dashboardAction(w, r, id, func() (string, error) {
		var org int64
		if v := r.PostForm.Get("organisation_id"); v != "" {
			if org, err = formID(v, "organisation_id"); err != nil {
				return "", err
			}
		}
		a, err := s.recruit.AppointReviewer(r.Context(), actor(r), id, r.PostForm.Get("email"), org)
		if err != nil {
			return "", err
		}
		return a.Name + " is appointed as a reviewer", nil
	})
}

func (s *Server) assignReviewers(w http.ResponseWriter, r *http.Request) error {
	id, err := roundManaged(r)
	if err != nil {
		return err
	}
	return s.dashboardAction(w, r, id, func() (string, error) {
		res, err := s.recruit.AssignReviewers(r.Context(), actor(r), id)
		if err != nil {
			return "", err
		}
		notice := fmt.Sprintf("%d assignment(s) made", res.Assigned)
		if len(res.Short) > 0 {
			notice += fmt.Sprintf("; %d application(s) still need a reviewer: appoint more reviewers and assign again", len(res.Short))
		}
		return notice, nil
	})
}

func (s *Server) moderate(w http.ResponseWriter, r *http.Request) error {
	a, err := s.roundApplication(r, auth.ActionModerate)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	return s.dashboardAction(w, r, a.RoundID, func() (string, error) {
		score, err := formInt(r.PostForm, "score", "The moderated score")
		if err != nil {
			return "", err
		}
		if _, err := s.recruit.Moderate(r.Context(), actor(r), a.ID, score); err != nil {
			return "", err
		}
		return recruit.Reference(a.ID) + " is moderated", nil
	})
}

func (s *Server) rankRound(w http.ResponseWriter, r *http.Request) error {
	id, err := roundManaged(r)
	if err != nil {
		return err
	}
	return s.dashboardAction(w, r, id, func() (string, error) {
		ranked, err := s.recruit.RankRound(r.Context(), actor(r), id)
		return fmt.Sprintf("%d application(s) ranked", len(ranked)), err
	})
}

// whatIfView is the what-if page: each post's places, and the result of
// a trial match with them, which publishes nothing.
type whatIfView struct {
	Round     *recruit.Round
	Posts     []recruit.Post
	PostNames map[int64]string
	Caps      map[int64]string
	Result    *recruit.WhatIf
	Names     map[string]string
	Error     error
}

func (s *Server) whatIfPage(w http.ResponseWriter, r *http.Request) error {
	rd, err := s.managedRound(r)
	if err != nil {
		return err
	}
	id := rd.ID
	posts, err := s.recruit.Posts(r.Context(), id)
	if err != nil {
		return err
	}
	v := &whatIfView{Round: rd, Caps: map[int64]string{}, Names: s.specialismNames(), PostNames: map[int64]string{}}
	q := r.URL.Query()
	caps := map[int64]int{}
	for _, p := range posts {
		if p.Status != recruit.PostOpen {
			continue
		}
		v.PostNames[p.ID] = p.Site + ", " + p.Organisation
		v.Posts = append(v.Posts, p)
		field := "cap-" + strconv.FormatInt(p.ID, 10)
		v.Caps[p.ID] = cmp.Or(q.Get(field), strconv.Itoa(p.Places))
		if q.Has(field) {
			n, err := strconv.Atoi(q.Get(field))
			if err != nil && v.Error == nil {
				v.Error = apperr.Invalidf(field, "Places must be a number from 0 to %d", recruit.MaxPlaces)
			}
			caps[p.ID] = n
		}
	}
	status := http.StatusOK
	if q.Get("run") != "" && v.Error == nil {
		v.Result, v.Error = s.recruit.RunWhatIf(r.Context(), id, caps)
	}
	if v.Error != nil {
		if code := apperr.Code(v.Error); code != apperr.Invalid && code != apperr.Conflict {
			return v.Error
		}
		status = errorStatus(v.Error)
	}
	return s.show(w, r, status, "what-if", "What if: "+rd.Name, s.roundCrumbs(rd), v)
}

func (s *Server) publishPage(w http.ResponseWriter, r *http.Request) error {
	rd, err := s.managedRound(r)
	if err != nil {
		return err
	}
	id := rd.ID
	v := map[string]any{"Round": rd, "Stage": rd.Stage(s.now()), "Deadline": recruit.OfferDeadline(rd, s.now())}
	if res, err := s.recruit.RunWhatIf(r.Context(), id, nil); err == nil {
		v["Outcome"] = res.Current
	} else if apperr.Code(err) != apperr.Conflict {
		return err
	}
	ranked, err := s.recruit.Ranking(r.Context(), id)
	if err != nil {
		return err
	}
	noPreferences := 0
	for _, a := range ranked {
		if len(a.Preferences) == 0 {
			noPreferences++
		}
	}
	v["NoPreferences"] = noPreferences
	return s.show(w, r, http.StatusOK, "publish", "Publish the match of "+rd.Name, s.roundCrumbs(rd), v)
}

func (s *Server) publishMatch(w http.ResponseWriter, r *http.Request) error {
	id, err := roundManaged(r)
	if err != nil {
		return err
	}
	return s.dashboardAction(w, r, id, func() (string, error) {
		out, err := s.timedPublishMatch(r, id)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("The match is published: %d offer(s) sent, %d applicant(s) unmatched, %d place(s) unfilled", out.Matched, out.Unmatched, out.Unfilled), nil
	})
}

func (s *Server) expireOffers(w http.ResponseWriter, r *http.Request) error {
	id, err := roundManaged(r)
	if err != nil {
		return err
	}
	return s.dashboardAction(w, r, id, func() (string, error) {
		n, err := s.recruit.ExpireOffers(r.Context(), id)
		return fmt.Sprintf("%d offer(s) past their deadline expired; their places were offered on", n), err
	})
}

// sortedOffers orders offers by status, then id, for the dashboard.
func sortedOffers(offers []recruit.Offer) []recruit.Offer {
	out := slices.Clone(offers)
	slices.SortStableFunc(out, func(a, b recruit.Offer) int {
		return cmp.Or(slices.Index(recruit.OfferStatuses, a.Status)-slices.Index(recruit.OfferStatuses, b.Status), cmp.Compare(a.ID, b.ID))
	})
	return out
}
