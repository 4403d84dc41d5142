package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/recruit"
)

// Applicants' pages: their home, profile, applying, an application's
// status, ranking posts and answering offers.

// now is the time pages show stages at; the service checks windows with
// its store's clock.
func (s *Server) now() time.Time {
	if s.clock != nil {
		return s.clock()
	}
	return time.Now()
}

func (s *Server) specialismNames() map[string]string {
	names := map[string]string{}
	for _, sp := range s.f.Specialisms {
		names[sp.ID] = sp.Name
	}
	return names
}

// formFailure re-shows a form with the error when the person can put it
// right (bad input, a conflict with the record's state, a refusal that
// says why); any other error becomes an error page.
func formFailure(err error, show func(status int) error) error {
	switch apperr.Code(err) {
	case apperr.Invalid, apperr.Conflict, apperr.Forbidden:
		return show(errorStatus(err))
	}
	return err
}

// openRound is a round taking applications, with the person's eligibility.
type openRound struct {
	Round    recruit.Round
	Eligible recruit.Eligibility
	Applied  bool
}

func (s *Server) applicantHome(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	statuses, err := s.recruit.StatusesOf(r.Context(), p.User.ID)
	if err != nil {
		return err
	}
	rounds, err := s.recruit.Rounds(r.Context())
	if err != nil {
		return err
	}
	var open []openRound
	for _, rd := range rounds {
		if rd.Stage(s.now()) != recruit.StageApplications {
			continue
		}
		_, e, err := s.recruit.Eligibility(r.Context(), p.User.ID, rd.ID)
		if err != nil {
			return err
		}
		applied := slices.ContainsFunc(statuses, func(st recruit.ApplicationStatus) bool { return st.Round.ID == rd.ID })
		open = append(open, openRound{Round: rd, Eligible: e, Applied: applied})
	}
	_, profileErr := s.recruit.Profile(r.Context(), p.User.ID)
	return s.show(w, r, http.StatusOK, "home-applicant", "Your applications", nil, map[string]any{
		"User": p.User, "Applications": statuses, "Open": open, "HasProfile": profileErr == nil,
		"Done": takeNotice(w, r), "Names": s.specialismNames(), "StageNames": recruit.StageNames})
}

// profileForm is the profile page's data: the profile, with blank rows to
// add qualifications and registrations without JavaScript.
type profileForm struct {
	Profile        *recruit.Profile
	Qualifications []recruit.Qualification
	Registrations  []recruit.Registration
	Credentials    [][2]string
	Bodies         [][2]string
	Employers      [][2]string
	Error          error
}

func (s *Server) profileForm(r *http.Request, p *recruit.Profile, err error) (*profileForm, error) {
	f := &profileForm{Profile: p, Error: err, Credentials: [][2]string{{"", "Choose a qualification"}}, Bodies: [][2]string{{"", "Choose a register"}},
		Employers: [][2]string{{"", "None, or not an NHS employer"}}}
	f.Qualifications = append(slices.Clone(p.Qualifications), make([]recruit.Qualification, 3)...)[:min(len(p.Qualifications)+3, recruit.MaxQualifications)]
	f.Registrations = append(slices.Clone(p.Registrations), make([]recruit.Registration, 2)...)[:min(len(p.Registrations)+2, recruit.MaxRegistrations)]
	for _, c := range s.f.Credentials {
		f.Credentials = append(f.Credentials, [2]string{c.ID, c.Name})
	}
	for _, b := range recruit.RegistrationBodies {
		f.Bodies = append(f.Bodies, [2]string{b, b})
	}
	orgs, err := s.store.Organisations(r.Context(), nil)
	if err != nil {
		return nil, err
	}
	for _, o := range orgs {
		if o.Kind == auth.OrgTrust {
			f.Employers = append(f.Employers, [2]string{strconv.FormatInt(o.ID, 10), o.Name})
		}
	}
	return f, nil
}

func (s *Server) profilePage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.recruit.Profile(r.Context(), principal(r).User.ID)
	if apperr.Code(err) == apperr.NotFound {
		p, err = &recruit.Profile{UserID: principal(r).User.ID}, nil
	}
	if err != nil {
		return err
	}
	f, err := s.profileForm(r, p, nil)
	if err != nil {
		return err
	}
	return s.show(w, r, http.StatusOK, "profile", "Your qualifications and registrations", []crumb{{"Your applications", "/applicant"}}, f)
}

// profileFromForm reads the profile form: rows whose qualification or
// register is left blank are skipped, unless something else in the row
// was filled in.
func profileFromForm(userID int64, form map[string][]string) (*recruit.Profile, error) {
	get := func(k string) string {
		if v := form[k]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	p := &recruit.Profile{UserID: userID, Notes: get("notes"), RightToWork: get("right_to_work") == "yes",
		Qualifications: []recruit.Qualification{}, Registrations: []recruit.Registration{}}
	for i := range recruit.MaxQualifications {
		key := func(f string) string { return fmt.Sprintf("qualifications[%d].%s", i, f) }
		q := recruit.Qualification{Credential: get(key("credential")), Subject: get(key("subject")), Grade: get(key("grade"))}
		if y := get(key("year")); y != "" {
			year, err := strconv.Atoi(y)
			if err != nil {
				return p, apperr.Invalidf(key("year"), "qualification %d: the year must be a year such as 2024", i+1)
			}
			q.Year = year
		}
		switch {
		case q.Credential == "" && q.Subject == "" && q.Grade == "" && q.Year == 0:
			continue
		case q.Credential == "":
			return p, apperr.Invalidf(key("credential"), "qualification %d: choose what kind of qualification it is", i+1)
		}
		p.Qualifications = append(p.Qualifications, q)
	}
	for i := range recruit.MaxRegistrations {
		key := func(f string) string { return fmt.Sprintf("registrations[%d].%s", i, f) }
		reg := recruit.Registration{Body: get(key("body")), Number: get(key("number"))}
		switch {
		case reg.Body == "" && reg.Number == "":
			continue
		case reg.Body == "":
			return p, apperr.Invalidf(key("body"), "registration %d: choose the register", i+1)
		}
		p.Registrations = append(p.Registrations, reg)
	}
	if e := get("employer_id"); e != "" {
		id, err := formID(e, "employer_id")
		if err != nil {
			return p, err
		}
		p.EmployerID = id
	}
	return p, nil
}

func (s *Server) saveProfile(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	p, err := profileFromForm(principal(r).User.ID, r.PostForm)
	if err == nil {
		err = s.recruit.SaveProfile(r.Context(), actor(r), p)
	}
	if err != nil {
		return formFailure(err, func(status int) error {
			f, ferr := s.profileForm(r, p, err)
			if ferr != nil {
				return ferr
			}
			return s.show(w, r, status, "profile", "Your qualifications and registrations", []crumb{{"Your applications", "/applicant"}}, f)
		})
	}
	redirectBack(w, r, "/applicant", "Your profile has been saved")
	return nil
}

// applyForm is the apply page's data.
type applyForm struct {
	Round       *recruit.Round
	Eligibility recruit.Eligibility
	Specialisms [][2]string // specialisms with open posts in the round
	Posts       []recruit.Post
	Specialism  string
	Statement   string
	Criteria    string
	Names       map[string]string
	Error       error
}

func (s *Server) applyForm(r *http.Request, roundID int64) (*applyForm, error) {
	rd, e, err := s.recruit.Eligibility(r.Context(), principal(r).User.ID, roundID)
	if err != nil {
		return nil, err
	}
	posts, err := s.recruit.Posts(r.Context(), roundID)
	if err != nil {
		return nil, err
	}
	names := s.specialismNames()
	f := &applyForm{Round: rd, Eligibility: e, Specialisms: [][2]string{{"", "Choose a specialism"}}, Specialism: r.URL.Query().Get("specialism"), Names: names}
	for _, p := range posts {
		if p.Status != recruit.PostOpen {
			continue
		}
		f.Posts = append(f.Posts, p)
		if !slices.ContainsFunc(f.Specialisms, func(o [2]string) bool { return o[0] == p.Specialism }) {
			f.Specialisms = append(f.Specialisms, [2]string{p.Specialism, names[p.Specialism]})
		}
	}
	return f, nil
}

func (s *Server) applyPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f, err := s.applyForm(r, id)
	if err != nil {
		return err
	}
	return s.show(w, r, http.StatusOK, "apply", "Apply to "+f.Round.Name, []crumb{{"Your applications", "/applicant"}}, f)
}

func (s *Server) apply(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	a := &recruit.Application{RoundID: id, UserID: principal(r).User.ID, Specialism: r.PostForm.Get("specialism"), Statement: r.PostForm.Get("statement")}
	if err := s.recruit.Apply(r.Context(), actor(r), a); err != nil {
		return formFailure(err, func(status int) error {
			f, ferr := s.applyForm(r, id)
			if ferr != nil {
				return ferr
			}
			f.Specialism, f.Statement, f.Error = a.Specialism, a.Statement, err
			return s.show(w, r, status, "apply", "Apply to "+f.Round.Name, []crumb{{"Your applications", "/applicant"}}, f)
		})
	}
	redirectBack(w, r, "/applications/"+strconv.FormatInt(a.ID, 10), "Your application has been sent")
	return nil
}

// applicationView is an application's status page.
type applicationView struct {
	Status      *recruit.ApplicationStatus
	Reference   string
	Names       map[string]string
	StageNames  map[string]string
	Credentials map[string]string
	Feedback    *recruit.Feedback
	Posts       map[int64]recruit.Post
	Timetable   []recruit.Window
	Outcomes    map[string]string // shortlisting outcomes' names
	Done        string
}

func (s *Server) applicationPage(w http.ResponseWriter, r *http.Request) error {
	a, err := s.ownApplication(r)
	if err != nil {
		return err
	}
	st, err := s.recruit.Status(r.Context(), a.ID)
	if err != nil {
		return err
	}
	v := &applicationView{Status: st, Reference: recruit.Reference(a.ID), Timetable: st.Round.Timetable(), Posts: map[int64]recruit.Post{},
		Done: takeNotice(w, r), Names: s.specialismNames(), StageNames: recruit.StageNames, Credentials: s.credentialNames(), Outcomes: recruit.ShortlistOutcomeNames}
	if v.Feedback, err = s.recruit.Feedback(r.Context(), a.ID); err != nil {
		return err
	}
	posts, err := s.recruit.Posts(r.Context(), a.RoundID)
	if err != nil {
		return err
	}
	for _, p := range posts {
		v.Posts[p.ID] = p
	}
	return s.show(w, r, http.StatusOK, "application", "Your application "+v.Reference, []crumb{{"Your applications", "/applicant"}}, v)
}

// preferencesForm is the ranking page's data.
type preferencesForm struct {
	Application *recruit.Application
	Round       *recruit.Round
	Open        bool // the preferences stage is on
	Posts       []recruit.Post
	Ranks       map[int64]int // post → chosen rank
	Error       error
	Options     [][2]string
}

func (s *Server) preferencesForm(r *http.Request, a *recruit.Application) (*preferencesForm, error) {
	rd, err := s.recruit.Round(r.Context(), a.RoundID)
	if err != nil {
		return nil, err
	}
	posts, err := s.recruit.RankablePosts(r.Context(), a.ID)
	if err != nil {
		return nil, err
	}
	f := &preferencesForm{Application: a, Round: rd, Ranks: map[int64]int{}, Open: rd.Stage(s.now()) == recruit.StagePreferences, Posts: posts}
	for i, id := range a.Preferences {
		f.Ranks[id] = i + 1
	}
	f.Options = [][2]string{{"", "Not wanted"}}
	for i := range f.Posts {
		f.Options = append(f.Options, [2]string{strconv.Itoa(i + 1), strconv.Itoa(i + 1)})
	}
	return f, nil
}

func (s *Server) preferencesPage(w http.ResponseWriter, r *http.Request) error {
	a, err := s.ownApplication(r)
	if err != nil {
		return err
	}
	f, err := s.preferencesForm(r, a)
	if err != nil {
		return err
	}
	return s.show(w, r, http.StatusOK, "preferences", "Rank the posts you would accept", []crumb{{"Your applications", "/applicant"}}, f)
}

// savePreferences reads one select per post ("rank-ID": a number or
// blank) and saves the posts in rank order.
func (s *Server) savePreferences(w http.ResponseWriter, r *http.Request) error {
	a, err := s.ownApplication(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	f, err := s.preferencesForm(r, a)
	if err != nil {
		return err
	}
	type choice struct {
		post int64
		rank int
	}
	var chosen []choice
	f.Ranks = map[int64]int{}
	for _, p := range f.Posts {
		field := "rank-" + strconv.FormatInt(p.ID, 10)
		v := r.PostForm.Get(field)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > len(f.Posts) {
			f.Error = apperr.Invalidf(field, "Choose a rank from 1 to %d, or Not wanted", len(f.Posts))
			break
		}
		if slices.ContainsFunc(chosen, func(c choice) bool { return c.rank == n }) {
			f.Error = apperr.Invalidf(field, "You gave rank %d to two posts: give each post you want a different rank", n)
		}
		chosen = append(chosen, choice{p.ID, n})
		f.Ranks[p.ID] = n
	}
	if f.Error == nil && len(chosen) == 0 && len(f.Posts) > 0 {
		f.Error = apperr.Invalidf("rank-"+strconv.FormatInt(f.Posts[0].ID, 10),
			"Rank at least one post you would accept: with none ranked you take no part in the match")
	}
	if f.Error == nil {
		slices.SortFunc(chosen, func(x, y choice) int { return x.rank - y.rank })
		ids := make([]int64, len(chosen))
		for i, c := range chosen {
			ids[i] = c.post
		}
		_, f.Error = s.recruit.SetPreferences(r.Context(), actor(r), a.ID, ids)
	}
	if f.Error != nil {
		return formFailure(f.Error, func(status int) error {
			return s.show(w, r, status, "preferences", "Rank the posts you would accept", []crumb{{"Your applications", "/applicant"}}, f)
		})
	}
	redirectBack(w, r, "/applications/"+strconv.FormatInt(a.ID, 10), "Your ranking of posts has been saved")
	return nil
}

// offerView is an offer's page.
type offerView struct {
	*recruit.OfferDetail
	Confirm bool // asking the applicant to confirm a decline
	Error   error
	Done    string
}

func (s *Server) myOffer(r *http.Request) (*offerView, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	d, err := s.ownOffer(r, id)
	if err != nil {
		return nil, err
	}
	return &offerView{OfferDetail: d}, nil
}

func (s *Server) offerPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.myOffer(r)
	if err != nil {
		return err
	}
	v.Done = takeNotice(w, r)
	return s.show(w, r, http.StatusOK, "offer", "Your offer", []crumb{{"Your applications", "/applicant"}}, v)
}

// answerOfferForm records an answer. A decline is only recorded once the
// applicant has confirmed it on the page that says what it means.
func (s *Server) answerOfferForm(w http.ResponseWriter, r *http.Request) error {
	v, err := s.myOffer(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	crumbs := []crumb{{"Your applications", "/applicant"}}
	answer, err := recruit.ParseAnswer(r.PostForm.Get("answer"))
	if err != nil {
		v.Error = err
		return s.show(w, r, http.StatusBadRequest, "offer", "Your offer", crumbs, v)
	}
	upgrades := r.PostForm.Get("upgrades") == "yes"
	if answer == recruit.AnswerDecline && r.PostForm.Get("confirm") != "yes" {
		v.Confirm = true
		return s.show(w, r, http.StatusOK, "offer", "Are you sure you want to decline this offer?", crumbs, v)
	}
	if _, err := s.recruit.AnswerOffer(r.Context(), actor(r), v.Offer.ID, answer, upgrades); err != nil {
		return formFailure(err, func(status int) error {
			v.Error = err
			return s.show(w, r, status, "offer", "Your offer", crumbs, v)
		})
	}
	notice := map[recruit.Answer]string{recruit.AnswerAccept: "You have accepted the offer", recruit.AnswerHold: "You are holding the offer",
		recruit.AnswerDecline: "You have declined the offer"}[answer]
	redirectBack(w, r, "/offers/"+strconv.FormatInt(v.Offer.ID, 10), notice)
	return nil
}
