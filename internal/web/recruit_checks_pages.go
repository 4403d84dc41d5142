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

// An employer's pre-employment checks of an accepted offer: the page that
// lists the six checks and records a change to one, and the API that
// mirrors it. A failed check withdraws the offer, so the page asks the
// employer to confirm it first.

// offerChecksView is the employer's page for one offer's checks.
type offerChecksView struct {
	Post       *recruit.Post
	Specialism string
	Offer      recruit.PostOffer
	Checks     []recruit.Check
	CanRecord  bool // the offer is accepted and conditional
	Kinds      [][2]string
	Statuses   [][2]string
	Actors     [][2]string
	Values     map[string]string
	// Confirm asks the employer to confirm a failed check, which
	// withdraws the offer.
	Confirm bool
	Error   error
	Done    string
}

// postOffer loads the post in the path, whose organisation's checks the
// signed-in person records, and its offer named in the path.
func (s *Server) postOffer(r *http.Request) (*recruit.Post, recruit.PostOffer, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, recruit.PostOffer{}, err
	}
	p, err := s.recruit.Post(r.Context(), id)
	if err != nil {
		return nil, recruit.PostOffer{}, err
	}
	if !principal(r).Allowed(auth.ActionOfferChecks, auth.Target{OrganisationID: p.OrganisationID, RoundID: p.RoundID}) {
		return nil, recruit.PostOffer{}, apperr.Errorf(apperr.NotFound, "there is no post %d of yours", id)
	}
	offerID, err := pathID(r, "offer")
	if err != nil {
		return nil, recruit.PostOffer{}, err
	}
	offers, err := s.recruit.PostOffers(r.Context(), p.ID)
	if err != nil {
		return nil, recruit.PostOffer{}, err
	}
	for _, o := range offers {
		if o.Offer.ID == offerID {
			return p, o, nil
		}
	}
	return nil, recruit.PostOffer{}, apperr.Errorf(apperr.NotFound, "there is no offer %d of post %d", offerID, p.ID)
}

func (s *Server) offerChecksView(r *http.Request, p *recruit.Post, o recruit.PostOffer, values map[string]string, err error) (*offerChecksView, error) {
	checks, cerr := s.recruit.OfferChecks(r.Context(), o.Offer.ID)
	if cerr != nil {
		return nil, cerr
	}
	v := &offerChecksView{Post: p, Specialism: s.specialismNames()[p.Specialism], Offer: o, Checks: checks,
		CanRecord: o.Offer.Status == recruit.OfferAccepted, Values: values, Error: err,
		Kinds: [][2]string{{"", "Choose a check"}}, Statuses: [][2]string{{"", "Choose a status"}}, Actors: [][2]string{{"", "Choose who acts next"}}}
	for _, k := range recruit.CheckKinds {
		v.Kinds = append(v.Kinds, [2]string{k, recruit.CheckNames[k]})
	}
	for _, st := range append(recruit.CheckStatuses(recruit.CheckIdentity), recruit.CheckStatuses(recruit.CheckReferences)[2:]...) {
		v.Statuses = append(v.Statuses, [2]string{st, recruit.CheckStatusNames[st]})
	}
	for _, a := range []string{recruit.ActsApplicant, recruit.ActsEmployer, recruit.ActsThirdParty} {
		v.Actors = append(v.Actors, [2]string{a, recruit.ActorNames[a]})
	}
	return v, nil
}

func (s *Server) offerChecksTitle(o recruit.PostOffer) string {
	return "Pre-employment checks: " + o.Applicant.Name
}

func (s *Server) offerChecksPage(w http.ResponseWriter, r *http.Request) error {
	p, o, err := s.postOffer(r)
	if err != nil {
		return err
	}
	v, err := s.offerChecksView(r, p, o, map[string]string{}, nil)
	if err != nil {
		return err
	}
	v.Done = takeNotice(w, r)
	return s.show(w, r, http.StatusOK, "offer-checks", s.offerChecksTitle(o), s.postCrumbs(p), v)
}

// postCrumbs lead back to the employer's post.
func (s *Server) postCrumbs(p *recruit.Post) []crumb {
	return []crumb{{"Your organisation", "/employer"}, {p.Site + ": " + s.specialismNames()[p.Specialism], "/employer/posts/" + strconv.FormatInt(p.ID, 10)}}
}

// recordCheckForm records a change to one check. A failed check is
// recorded only once the employer has confirmed, on the page that says it
// withdraws the offer.
func (s *Server) recordCheckForm(w http.ResponseWriter, r *http.Request) error {
	p, o, err := s.postOffer(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	values := map[string]string{}
	for _, k := range []string{"kind", "status", "next_actor", "note"} {
		values[k] = r.PostForm.Get(k)
	}
	in := recruit.Check{Kind: values["kind"], Status: values["status"], NextActor: values["next_actor"], Note: values["note"]}
	show := func(status int, v *offerChecksView) error {
		return s.show(w, r, status, "offer-checks", s.offerChecksTitle(o), s.postCrumbs(p), v)
	}
	if (in.Status == recruit.CheckFailed || in.Status == recruit.RefFail) && r.PostForm.Get("confirm") != "yes" {
		// Check the rest of the form before asking, so that the employer
		// confirms something that can be recorded.
		_, _, perr := recruit.PlanCheck(&o.Offer, nil, in)
		v, err := s.offerChecksView(r, p, o, values, perr)
		if err != nil {
			return err
		}
		if perr != nil {
			return formFailure(perr, func(status int) error { return show(status, v) })
		}
		v.Confirm = true
		return show(http.StatusOK, v)
	}
	offer, _, err := s.recruit.RecordCheck(r.Context(), actor(r), p.ID, o.Offer.ID, in)
	if err != nil {
		return formFailure(err, func(status int) error {
			v, verr := s.offerChecksView(r, p, o, values, err)
			if verr != nil {
				return verr
			}
			return show(status, v)
		})
	}
	notice := recruit.CheckNames[in.Kind] + ": " + recruit.CheckStatusNames[in.Status]
	switch offer.Status {
	case recruit.OfferUnconditional:
		notice = "Every check has passed: the offer is unconditional, and the applicant has been told"
	case recruit.OfferWithdrawn:
		notice = "The offer has been withdrawn and the applicant told why; the place has been offered to the next person"
	}
	redirectBack(w, r, "/employer/posts/"+strconv.FormatInt(p.ID, 10)+"/offers/"+strconv.FormatInt(o.Offer.ID, 10), notice)
	return nil
}

// offerChecksResponse is an offer with its checks.
type offerChecksResponse struct {
	Offer  *recruit.Offer  `json:"offer"`
	Checks []recruit.Check `json:"checks"`
}

func (s *Server) apiOfferChecks(w http.ResponseWriter, r *http.Request) (int, any, error) {
	_, o, err := s.postOffer(r)
	if err != nil {
		return 0, nil, err
	}
	checks, err := s.recruit.OfferChecks(r.Context(), o.Offer.ID)
	return http.StatusOK, offerChecksResponse{&o.Offer, checks}, err
}

type checkRequest struct {
	Status    *string `json:"status"`
	NextActor string  `json:"next_actor"`
	Note      string  `json:"note"`
}

func (s *Server) apiRecordCheck(w http.ResponseWriter, r *http.Request) (int, any, error) {
	p, o, err := s.postOffer(r)
	if err != nil {
		return 0, nil, err
	}
	kind := r.PathValue("kind")
	if !slices.Contains(recruit.CheckKinds, kind) {
		return 0, nil, apperr.Errorf(apperr.NotFound, "there is no check %q: the checks are %s", kind, strings.Join(recruit.CheckKinds, ", "))
	}
	var req checkRequest
	if err := decodeJSON(r, &req); err != nil {
		return 0, nil, err
	}
	if req.Status == nil {
		return 0, nil, apperr.Invalidf("status", "Give the check's status")
	}
	offer, checks, err := s.recruit.RecordCheck(r.Context(), actor(r), p.ID, o.Offer.ID,
		recruit.Check{Kind: kind, Status: *req.Status, NextActor: req.NextActor, Note: req.Note})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, offerChecksResponse{offer, checks}, nil
}
