package web

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/database"
	"hcs/internal/recruit"
)

// applicationView is an application with what the applicant can do next.
type applicationView struct {
	recruit.Application
	Round  *recruit.Round
	Stage  string
	Offers []recruit.Offer
}

func (s *Server) applicantHome(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	apps, err := s.recruit.ApplicationsOf(r.Context(), p.User.ID)
	if err != nil {
		return err
	}
	var views []applicationView
	for _, a := range apps {
		rd, err := s.recruit.Round(r.Context(), a.RoundID)
		if err != nil {
			return err
		}
		offers, err := s.recruit.Offers(r.Context(), a.ID)
		if err != nil {
			return err
		}
		views = append(views, applicationView{Application: a, Round: rd, Stage: rd.Stage(s.now()), Offers: offers})
	}
	return s.show(w, r, http.StatusOK, "home-applicant", "Your applications", nil, map[string]any{
		"User": p.User, "Applications": views, "Done": r.URL.Query().Get("done"), "Names": s.specialismNames()})
}

// now is the time pages use to show stages; the store checks windows with
// its own clock.
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

// preferencesForm is the ranking page's data.
type preferencesForm struct {
	Application *recruit.Application
	Round       *recruit.Round
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
	all, err := s.recruit.Posts(r.Context(), a.RoundID)
	if err != nil {
		return nil, err
	}
	f := &preferencesForm{Application: a, Round: rd, Ranks: map[int64]int{}}
	for _, p := range all {
		if p.Specialism == a.Specialism {
			f.Posts = append(f.Posts, p)
		}
	}
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
		v := r.PostForm.Get("rank-" + strconv.FormatInt(p.ID, 10))
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > len(f.Posts) {
			f.Error = apperr.Invalidf("rank-"+strconv.FormatInt(p.ID, 10), "Choose a rank from 1 to %d, or Not wanted", len(f.Posts))
			break
		}
		if slices.ContainsFunc(chosen, func(c choice) bool { return c.rank == n }) {
			f.Error = apperr.Invalidf("rank-"+strconv.FormatInt(p.ID, 10), "You gave rank %d to two posts: give each post you want a different rank", n)
		}
		chosen = append(chosen, choice{p.ID, n})
		f.Ranks[p.ID] = n
	}
	if f.Error == nil {
		slices.SortFunc(chosen, func(x, y choice) int { return x.rank - y.rank })
		ids := make([]int64, len(chosen))
		for i, c := range chosen {
			ids[i] = c.post
		}
		f.Error = s.recruit.SetPreferences(r.Context(), actor(r), a.ID, ids)
	}
	if f.Error != nil {
		if code := apperr.Code(f.Error); code != apperr.Invalid && code != apperr.Conflict {
			return f.Error
		}
		return s.show(w, r, errorStatus(f.Error), "preferences", "Rank the posts you would accept", []crumb{{"Your applications", "/applicant"}}, f)
	}
	redirectBack(w, r, "/applicant", "Your ranking of posts has been saved")
	return nil
}

// offerView is an offer with its post.
type offerView struct {
	Offer recruit.Offer
	Post  recruit.Post
	Error error
}

func (s *Server) myOffer(r *http.Request) (*offerView, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	o, err := s.ownOffer(r, id)
	if err != nil {
		return nil, err
	}
	post, err := s.recruit.Post(r.Context(), o.PostID)
	if err != nil {
		return nil, err
	}
	return &offerView{Offer: *o, Post: *post}, nil
}

func (s *Server) offerPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.myOffer(r)
	if err != nil {
		return err
	}
	return s.show(w, r, http.StatusOK, "offer", "Your offer", []crumb{{"Your applications", "/applicant"}}, v)
}

func (s *Server) answerOfferForm(w http.ResponseWriter, r *http.Request) error {
	v, err := s.myOffer(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	answer := r.PostForm.Get("answer")
	if answer != database.AnswerAccept && answer != database.AnswerHold && answer != database.AnswerDecline {
		v.Error = apperr.Invalidf("answer", "Choose whether to accept, hold or decline the offer")
		return s.show(w, r, http.StatusBadRequest, "offer", "Your offer", []crumb{{"Your applications", "/applicant"}}, v)
	}
	// myOffer has already checked the offer is theirs.
	if _, err := s.recruit.AnswerOffer(r.Context(), actor(r), v.Offer.ID, answer, r.PostForm.Get("upgrades") == "yes"); err != nil {
		if apperr.Code(err) != apperr.Conflict && apperr.Code(err) != apperr.Invalid {
			return err
		}
		v.Error = err
		return s.show(w, r, errorStatus(err), "offer", "Your offer", []crumb{{"Your applications", "/applicant"}}, v)
	}
	notice := map[string]string{database.AnswerAccept: "You have accepted the offer", database.AnswerHold: "You are holding the offer",
		database.AnswerDecline: "You have declined the offer"}[answer]
	redirectBack(w, r, "/applicant", notice)
	return nil
}
