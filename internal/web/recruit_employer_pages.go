package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/recruit"
)

// Employers' pages: their organisations' posts, round by round; publishing,
// editing and withdrawing a post; who was offered it; interviews; and the
// post's own rank order list where the round allows one.

// roundPosts is a round with an employer's posts in it.
type roundPosts struct {
	Round recruit.Round
	Stage string
	Posts []recruit.Post
	// Offered names, for each post of a matched round, the applicants who
	// hold its live offers.
	Offered map[int64][]string
	// CanPublish: the round takes new posts now.
	CanPublish bool
}

func (s *Server) employerHome(w http.ResponseWriter, r *http.Request) error {
	orgs, err := s.visibleOrganisations(r, auth.ActionEmployerHome)
	if err != nil {
		return err
	}
	ids := make([]int64, len(orgs))
	for i, o := range orgs {
		ids[i] = o.ID
	}
	posts, err := s.recruit.PostsOf(r.Context(), ids)
	if err != nil {
		return err
	}
	rounds, err := s.recruit.Rounds(r.Context())
	if err != nil {
		return err
	}
	var byRound []roundPosts
	for _, rd := range rounds {
		rp := roundPosts{Round: rd, Stage: rd.Stage(s.now()), CanPublish: recruit.CanPublishPost(&rd, s.now()) == nil, Offered: map[int64][]string{}}
		for _, p := range posts {
			if p.RoundID != rd.ID {
				continue
			}
			rp.Posts = append(rp.Posts, p)
			if rd.MatchedAt == nil {
				continue
			}
			offers, err := s.recruit.PostOffers(r.Context(), p.ID)
			if err != nil {
				return err
			}
			for _, o := range offers {
				if o.Offer.Live() {
					rp.Offered[p.ID] = append(rp.Offered[p.ID], o.Applicant.Name+" ("+o.Offer.Status+")")
				}
			}
		}
		if len(rp.Posts) > 0 || rp.CanPublish {
			byRound = append(byRound, rp)
		}
	}
	return s.show(w, r, http.StatusOK, "home-employer", "Your organisation", nil, map[string]any{
		"Organisations": orgs, "Rounds": byRound, "Names": s.specialismNames(), "StageNames": recruit.StageNames, "Done": takeNotice(w, r)})
}

// postForm is the page to publish a post.
type postForm struct {
	Round         *recruit.Round
	Open          bool // the round takes posts now
	Organisations [][2]string
	Specialisms   [][2]string
	Values        map[string]string
	Error         error
}

func (s *Server) postForm(r *http.Request, roundID int64, values map[string]string, err error) (*postForm, error) {
	rd, rerr := s.recruit.Round(r.Context(), roundID)
	if rerr != nil {
		return nil, rerr
	}
	orgs, oerr := s.employerOrganisations(r)
	if oerr != nil {
		return nil, oerr
	}
	f := &postForm{Round: rd, Values: values, Error: err, Specialisms: [][2]string{{"", "Choose a specialism"}}, Open: recruit.CanPublishPost(rd, s.now()) == nil}
	for _, o := range orgs {
		if o.Kind == auth.OrgTrust {
			f.Organisations = append(f.Organisations, [2]string{strconv.FormatInt(o.ID, 10), o.Name + " (" + o.Region + ")"})
		}
	}
	prog := s.f.Programme(rd.Programme)
	for _, sp := range s.f.Specialisms {
		if prog == nil || prog.RunsIn(sp) {
			f.Specialisms = append(f.Specialisms, [2]string{sp.ID, sp.Name})
		}
	}
	return f, nil
}

func (s *Server) newPostPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f, err := s.postForm(r, id, map[string]string{"places": "1"}, nil)
	if err != nil {
		return err
	}
	return s.show(w, r, http.StatusOK, "post-new", "Publish a post in "+f.Round.Name, []crumb{{"Your organisation", "/employer"}}, f)
}

func (s *Server) createPost(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	values := map[string]string{}
	for _, k := range []string{"organisation_id", "specialism", "site", "places", "contact", "in_service"} {
		values[k] = r.PostForm.Get(k)
	}
	p := &recruit.Post{RoundID: id, Specialism: values["specialism"], Site: values["site"], Contact: values["contact"], InService: values["in_service"] == "yes"}
	err = func() error {
		if p.OrganisationID, err = formID(values["organisation_id"], "organisation_id"); err != nil {
			return apperr.Invalidf("organisation_id", "Choose the organisation offering the post")
		}
		if p.Places, err = strconv.Atoi(values["places"]); err != nil {
			return apperr.Invalidf("places", "Places must be a number from 1 to %d", recruit.MaxPlaces)
		}
		if err := authorize(r, auth.ActionPostCreate, auth.Target{OrganisationID: p.OrganisationID, RoundID: id}); err != nil {
			return err
		}
		return s.recruit.PublishPost(r.Context(), actor(r), p)
	}()
	if err != nil {
		return formFailure(err, func(status int) error {
			f, ferr := s.postForm(r, id, values, err)
			if ferr != nil {
				return ferr
			}
			return s.show(w, r, status, "post-new", "Publish a post in "+f.Round.Name, []crumb{{"Your organisation", "/employer"}}, f)
		})
	}
	redirectBack(w, r, "/employer/posts/"+strconv.FormatInt(p.ID, 10), "Your post is published")
	return nil
}

// employerPostView is an employer's page for one post.
type employerPostView struct {
	Post       *recruit.Post
	Round      *recruit.Round
	Stage      string
	Specialism string
	CanChange  bool
	Offers     []recruit.PostOffer
	// Applicants, when the round lets employers rank and is taking
	// rankings: the ranked applicants of the post's specialism.
	Applicants []recruit.RankedApplicant
	CanRank    bool
	RankOpts   [][2]string
	// Checks: the signed-in person records the post's pre-employment
	// checks (its employer's recruiters; not the national school).
	Checks bool
	// Nominations, of an in-service post; CanNominate while applications
	// are open.
	Nominations []recruit.Nomination
	CanNominate bool
	Values      map[string]string
	Error       error
	Done        string
}

func (s *Server) employerPostView(r *http.Request, p *recruit.Post) (*employerPostView, error) {
	rd, err := s.recruit.Round(r.Context(), p.RoundID)
	if err != nil {
		return nil, err
	}
	v := &employerPostView{Post: p, Round: rd, Stage: rd.Stage(s.now()), Specialism: s.specialismNames()[p.Specialism],
		CanChange: recruit.CanChangePost(rd, p, s.now()) == nil,
		Checks:    principal(r).Allowed(auth.ActionOfferChecks, auth.Target{OrganisationID: p.OrganisationID, RoundID: p.RoundID}),
		Values:    map[string]string{"site": p.Site, "places": strconv.Itoa(p.Places), "contact": p.Contact}}
	if v.Offers, err = s.recruit.PostOffers(r.Context(), p.ID); err != nil {
		return nil, err
	}
	if p.InService {
		if v.Nominations, err = s.recruit.PostNominations(r.Context(), p.ID); err != nil {
			return nil, err
		}
		v.CanNominate = p.Status == recruit.PostOpen && recruit.CanPublishPost(rd, s.now()) == nil &&
			principal(r).Allowed(auth.ActionNominate, auth.Target{OrganisationID: p.OrganisationID, RoundID: p.RoundID})
	}
	v.CanRank = rd.EmployerRanking && v.Stage == recruit.StagePreferences && p.Status == recruit.PostOpen
	if rd.EmployerRanking {
		if v.Applicants, err = s.recruit.PostApplicants(r.Context(), p.ID); err != nil {
			return nil, err
		}
		v.RankOpts = [][2]string{{"", "Not on our list"}}
		for i := range v.Applicants {
			v.RankOpts = append(v.RankOpts, [2]string{strconv.Itoa(i + 1), strconv.Itoa(i + 1)})
		}
	}
	return v, nil
}

func (s *Server) employerPostPage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.pathPost(r)
	if err != nil {
		return err
	}
	v, err := s.employerPostView(r, p)
	if err != nil {
		return err
	}
	v.Done = takeNotice(w, r)
	return s.show(w, r, http.StatusOK, "employer-post", p.Site+": "+v.Specialism, []crumb{{"Your organisation", "/employer"}}, v)
}

// postPageFailure re-shows the post's page with an error.
func (s *Server) postPageFailure(w http.ResponseWriter, r *http.Request, p *recruit.Post, err error, values map[string]string) error {
	return formFailure(err, func(status int) error {
		v, verr := s.employerPostView(r, p)
		if verr != nil {
			return verr
		}
		v.Error = err
		if values != nil {
			v.Values = values
		}
		return s.show(w, r, status, "employer-post", p.Site+": "+v.Specialism, []crumb{{"Your organisation", "/employer"}}, v)
	})
}

func (s *Server) updatePost(w http.ResponseWriter, r *http.Request) error {
	p, err := s.pathPost(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	values := map[string]string{"site": r.PostForm.Get("site"), "places": r.PostForm.Get("places"), "contact": r.PostForm.Get("contact")}
	places, err := strconv.Atoi(values["places"])
	if err != nil {
		return s.postPageFailure(w, r, p, apperr.Invalidf("places", "Places must be a number from 1 to %d", recruit.MaxPlaces), values)
	}
	if _, err := s.recruit.UpdatePost(r.Context(), actor(r), p.ID, recruit.PostChange{Site: values["site"], Places: places, Contact: values["contact"]}); err != nil {
		return s.postPageFailure(w, r, p, err, values)
	}
	redirectBack(w, r, "/employer/posts/"+strconv.FormatInt(p.ID, 10), "The post has been changed")
	return nil
}

// nominate nominates an employee, by their account's email address, for
// the in-service route through the post.
func (s *Server) nominate(w http.ResponseWriter, r *http.Request) error {
	p, err := s.pathPost(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	if err := authorize(r, auth.ActionNominate, auth.Target{OrganisationID: p.OrganisationID, RoundID: p.RoundID}); err != nil {
		return err
	}
	email := strings.TrimSpace(r.PostForm.Get("email"))
	n, err := s.recruit.Nominate(r.Context(), actor(r), p.ID, email)
	if err != nil {
		return s.postPageFailure(w, r, p, err, map[string]string{"email": email})
	}
	redirectBack(w, r, "/employer/posts/"+strconv.FormatInt(p.ID, 10), n.Nominee.Name+" is nominated and has been told")
	return nil
}

// withdrawNomination withdraws a nomination made through the post, until
// applications close; the employee is told.
func (s *Server) withdrawNomination(w http.ResponseWriter, r *http.Request) error {
	p, err := s.pathPost(r)
	if err != nil {
		return err
	}
	if err := authorize(r, auth.ActionNominate, auth.Target{OrganisationID: p.OrganisationID, RoundID: p.RoundID}); err != nil {
		return err
	}
	id, err := pathID(r, "nomination")
	if err != nil {
		return err
	}
	n, err := s.recruit.WithdrawNomination(r.Context(), actor(r), p.ID, id)
	if err != nil {
		return s.postPageFailure(w, r, p, err, nil)
	}
	redirectBack(w, r, "/employer/posts/"+strconv.FormatInt(p.ID, 10), n.Nominee.Name+"'s nomination is withdrawn and they have been told")
	return nil
}

// withdrawPost withdraws a post once the employer has confirmed it on the
// page that says what it means.
func (s *Server) withdrawPost(w http.ResponseWriter, r *http.Request) error {
	p, err := s.pathPost(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	if r.PostForm.Get("confirm") != "yes" {
		return s.show(w, r, http.StatusOK, "post-withdraw", "Withdraw this post?", []crumb{{"Your organisation", "/employer"}},
			map[string]any{"Post": p, "Specialism": s.specialismNames()[p.Specialism]})
	}
	if _, err := s.recruit.WithdrawPost(r.Context(), actor(r), p.ID); err != nil {
		return s.postPageFailure(w, r, p, err, nil)
	}
	redirectBack(w, r, "/employer/posts/"+strconv.FormatInt(p.ID, 10), "The post has been withdrawn")
	return nil
}

// savePostRanking reads one select per ranked applicant ("own-ID": a rank
// or blank) and saves the post's own list in that order.
func (s *Server) savePostRanking(w http.ResponseWriter, r *http.Request) error {
	p, err := s.pathPost(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	applicants, err := s.recruit.PostApplicants(r.Context(), p.ID)
	if err != nil {
		return err
	}
	type choice struct {
		app  int64
		rank int
	}
	var chosen []choice
	for _, a := range applicants {
		field := "own-" + strconv.FormatInt(a.ApplicationID, 10)
		v := r.PostForm.Get(field)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > len(applicants) {
			return s.postPageFailure(w, r, p, apperr.Invalidf(field, "Choose a place from 1 to %d, or Not on our list", len(applicants)), nil)
		}
		if slices.ContainsFunc(chosen, func(c choice) bool { return c.rank == n }) {
			return s.postPageFailure(w, r, p, apperr.Invalidf(field, "Place %d is given to two applicants: give each a different place", n), nil)
		}
		chosen = append(chosen, choice{a.ApplicationID, n})
	}
	slices.SortFunc(chosen, func(a, b choice) int { return a.rank - b.rank })
	ids := []int64{}
	for _, c := range chosen {
		ids = append(ids, c.app)
	}
	if err := s.recruit.SetPostRanking(r.Context(), actor(r), p.ID, ids); err != nil {
		return s.postPageFailure(w, r, p, err, nil)
	}
	redirectBack(w, r, "/employer/posts/"+strconv.FormatInt(p.ID, 10), "Your list has been saved")
	return nil
}

// interviewsView is the interview panel's page for a round.
type interviewsView struct {
	Round    *recruit.Round
	Stage    string
	Stations []recruit.Station
	Queue    []recruit.Interviewee
	Names    map[string]string
	Error    error
	ErrorApp int64
	Done     string
}

func (s *Server) interviewsView(r *http.Request, roundID int64) (*interviewsView, error) {
	rd, err := s.recruit.Round(r.Context(), roundID)
	if err != nil {
		return nil, err
	}
	orgs, err := s.interviewOrganisations(r, roundID)
	if err != nil {
		return nil, err
	}
	v := &interviewsView{Round: rd, Stage: rd.Stage(s.now()), Names: s.specialismNames()}
	if v.Stations, err = s.recruit.Stations(r.Context(), roundID); err != nil {
		return nil, err
	}
	v.Queue, err = s.recruit.InterviewQueue(r.Context(), roundID, orgs)
	return v, err
}

func (s *Server) interviewsPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v, err := s.interviewsView(r, id)
	if err != nil {
		return err
	}
	v.Done = takeNotice(w, r)
	return s.show(w, r, http.StatusOK, "interviews", "Interviews: "+v.Round.Name, []crumb{{"Your organisation", "/employer"}}, v)
}

func (s *Server) scoreInterview(w http.ResponseWriter, r *http.Request) error {
	a, err := s.interviewApplication(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	back := "/employer/rounds/" + strconv.FormatInt(a.RoundID, 10) + "/interviews"
	err = func() error {
		station, err := formID(r.PostForm.Get("station"), "station")
		if err != nil {
			return apperr.Invalidf("station", "Choose the station you are scoring")
		}
		score, err := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("score")))
		if err != nil {
			return apperr.Invalidf("score", "Enter the score as a whole number from 0 to 100")
		}
		_, err = s.recruit.ScoreInterview(r.Context(), actor(r), a.ID, station, score)
		return err
	}()
	if err != nil {
		return formFailure(err, func(status int) error {
			v, verr := s.interviewsView(r, a.RoundID)
			if verr != nil {
				return verr
			}
			v.Error, v.ErrorApp = err, a.ID
			return s.show(w, r, status, "interviews", "Interviews: "+v.Round.Name, []crumb{{"Your organisation", "/employer"}}, v)
		})
	}
	redirectBack(w, r, back, "Score saved for "+recruit.Reference(a.ID))
	return nil
}
