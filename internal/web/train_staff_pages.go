package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/recruit"
	"hcs/internal/train"
)

// Training's staff pages: the training officer's departments with the
// offers waiting to start training, the supervisor's trainees with what
// awaits sign-off, and the national school's whole cohort, exceptions
// first.

// trainingFilter is a training list's filter from what the principal may
// see of an action's records.
func trainingFilter(v auth.Visibility) train.Filter {
	return train.Filter{All: v.All, UserIDs: v.UserIDs, Departments: v.Departments, TeamOf: v.TeamOf}
}

func (s *Server) trainingHome(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	pr := principal(r)
	var depts []departmentView
	var orgs []int64
	for _, ref := range pr.Visible(auth.ActionTrainingHome).Departments {
		d, err := s.departmentView(r, ref.DepartmentID)
		if err != nil {
			return err
		}
		depts = append(depts, *d)
		if !slices.Contains(orgs, ref.OrganisationID) {
			orgs = append(orgs, ref.OrganisationID)
		}
	}
	all, err := s.train.Placements(ctx, train.PlacementFilter{Organisations: orgs})
	if err != nil {
		return err
	}
	// Only the unconditional offers one of the person's departments trains.
	var places []train.Placement
	for _, p := range all {
		if slices.ContainsFunc(depts, func(d departmentView) bool {
			return d.OrganisationID == p.OrganisationID && train.DepartmentTrains(&d.Department, p.Specialism) &&
				pr.Allowed(auth.ActionTrainingManage, auth.Target{OrganisationID: d.OrganisationID, DepartmentID: d.ID})
		}) {
			places = append(places, p)
		}
	}
	cohort, err := s.train.Cohort(ctx, trainingFilter(pr.Visible(auth.ActionTrainingView)))
	if err != nil {
		return err
	}
	var importers []departmentView
	for _, d := range depts {
		if pr.Allowed(auth.ActionTrainingManage, auth.Target{OrganisationID: d.OrganisationID, DepartmentID: d.ID}) {
			importers = append(importers, d)
		}
	}
	return s.show(w, r, http.StatusOK, "home-training", "Your training departments", nil, map[string]any{
		"Departments": depts, "Placements": places, "Importers": importers, "Cohort": cohort, "Names": s.specialismNames(), "Exceptions": train.ExceptionNames,
		"Done": takeNotice(w, r)})
}

func (s *Server) supervisorHome(w http.ResponseWriter, r *http.Request) error {
	me := principal(r).User.ID
	cohort, err := s.train.Cohort(r.Context(), train.Filter{TeamOf: me})
	if err != nil {
		return err
	}
	return s.show(w, r, http.StatusOK, "home-supervisor", "Your trainees", nil, map[string]any{
		"Cohort": cohort, "Names": s.specialismNames(), "Exceptions": train.ExceptionNames})
}

// cohortPage is the national school's view of every trainee.
type cohortPage struct {
	Cohort []train.Status
	// Page is the part of the cohort shown: Cohort[First-1:Last] of
	// Total, with links to the other pages.
	First, Last, Total int
	Pages              []pageLink
	Prev, Next         string
	OnlyExceptions     bool
	Filter             train.Filter
	Exceptions         map[string]string
	Counts             map[string]int
	Names              map[string]string
	Options            map[string][][2]string
}

func (s *Server) schoolTrainingPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := trainingFilter(principal(r).Visible(auth.ActionTrainingReview))
	f.Programme, f.Specialism, f.Region, f.Status = q.Get("programme"), q.Get("specialism"), q.Get("region"), q.Get("status")
	cohort, err := s.train.Cohort(r.Context(), f)
	if err != nil {
		return err
	}
	only := q.Get("exceptions") == "yes"
	cp := &cohortPage{Filter: f, OnlyExceptions: only, Exceptions: train.ExceptionNames, Counts: map[string]int{}, Names: s.specialismNames(), Options: map[string][][2]string{}}
	for _, st := range cohort {
		cp.Counts[st.Trainee.Status]++
		for _, e := range st.Exceptions {
			cp.Counts[e]++
		}
		if !only || len(st.Exceptions) > 0 {
			cp.Cohort = append(cp.Cohort, st)
		}
	}
	// The counts cover everyone; the table shows one page, those needing
	// attention first.
	page := 1
	if p := q.Get("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 {
			return apperr.Invalidf("page", "page is a whole number from 1")
		}
		page = n
	}
	cp.Total = len(cp.Cohort)
	pages := max(1, (cp.Total+cohortPageSize-1)/cohortPageSize)
	if page > pages {
		if pages == 1 {
			return notFound("There is one page of trainees with these choices.")
		}
		return notFound("There are %d pages of trainees with these choices.", pages)
	}
	cp.First, cp.Last = (page-1)*cohortPageSize+1, min(page*cohortPageSize, cp.Total)
	cp.Cohort = cp.Cohort[min(cp.First-1, cp.Total):cp.Last]
	link := func(n int) string {
		v := url.Values{}
		for k, val := range map[string]string{"programme": f.Programme, "specialism": f.Specialism, "region": f.Region, "status": f.Status} {
			if val != "" {
				v.Set(k, val)
			}
		}
		if only {
			v.Set("exceptions", "yes")
		}
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		if len(v) == 0 {
			return "/school/training"
		}
		return "/school/training?" + v.Encode()
	}
	if pages > 1 {
		cp.Pages = pageLinks(page, pages, link)
		if page > 1 {
			cp.Prev = link(page - 1)
		}
		if page < pages {
			cp.Next = link(page + 1)
		}
	}
	cp.Options["programme"] = [][2]string{{"", "Every programme"}}
	for _, cu := range s.train.Curricula().List {
		opt := [2]string{cu.Programme, s.programmeName(cu.Programme)}
		if !slices.Contains(cp.Options["programme"], opt) {
			cp.Options["programme"] = append(cp.Options["programme"], opt)
		}
	}
	cp.Options["status"] = [][2]string{{"", "Every status"}, {train.TraineePending, "Waiting for confirmation"}, {train.TraineeActive, "In training"},
		{train.TraineeCompleted, "Completed"}, {train.TraineeLeft, "Left"}}
	cp.Options["region"] = [][2]string{{"", "Every region"}}
	for _, rg := range auth.Regions {
		cp.Options["region"] = append(cp.Options["region"], [2]string{rg, rg})
	}
	cp.Options["specialism"] = append([][2]string{{"", "Every specialism"}}, s.options["specialism"]...)
	return s.show(w, r, http.StatusOK, "school-training", "Trainees", []crumb{{"National school", "/school"}}, cp)
}

// cohortPageSize is how many trainees the national school's list shows at
// once.
const cohortPageSize = 50

// pageLink is one numbered link of a pagination; Ellipsis stands for the
// pages left out.
type pageLink struct {
	Number   int
	Href     string
	Current  bool
	Ellipsis bool
}

// pageLinks numbers the pages around the current one, with the first and
// the last, and ellipses for the gaps.
func pageLinks(current, pages int, link func(int) string) []pageLink {
	var out []pageLink
	for n := 1; n <= pages; n++ {
		switch {
		case n == 1 || n == pages || (n >= current-2 && n <= current+2):
			out = append(out, pageLink{Number: n, Href: link(n), Current: n == current})
		case len(out) > 0 && !out[len(out)-1].Ellipsis:
			out = append(out, pageLink{Ellipsis: true})
		}
	}
	return out
}

// enrolPage starts a trainee's record from an unconditional offer.
type enrolPage struct {
	Placement   *train.Placement
	Departments [][2]string
	Officers    [][2]string
	Supervisors []train.Person
	Chosen      map[int64]bool
	Values      map[string]string
	Error       error
}

// placementFor loads the unconditional offer in the path, and the departments
// of its employer the person may start training records in; none means
// the offer is not theirs to see.
func (s *Server) placementFor(r *http.Request) (*train.Placement, []auth.Department, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, nil, err
	}
	pl, err := s.train.Placement(r.Context(), id)
	if err != nil {
		return nil, nil, err
	}
	all, err := s.store.Departments(r.Context())
	if err != nil {
		return nil, nil, err
	}
	var depts []auth.Department
	for _, d := range all {
		if d.OrganisationID == pl.OrganisationID && train.DepartmentTrains(&d, pl.Specialism) && principal(r).Allowed(auth.ActionTrainingManage, auth.Target{OrganisationID: d.OrganisationID, DepartmentID: d.ID}) {
			depts = append(depts, d)
		}
	}
	if len(depts) == 0 || pl.OfferStatus != recruit.OfferUnconditional || pl.Started {
		return nil, nil, apperr.Errorf(apperr.NotFound, "there is no unconditional offer %d waiting to start training", id)
	}
	return pl, depts, nil
}

func (s *Server) enrolForm(r *http.Request, pl *train.Placement, depts []auth.Department, values map[string]string, chosen []int64, err error) (*enrolPage, error) {
	sups, officers, serr := s.train.Staff(r.Context(), pl.OrganisationID)
	if serr != nil {
		return nil, serr
	}
	ep := &enrolPage{Placement: pl, Supervisors: sups, Values: values, Error: err, Chosen: map[int64]bool{},
		Departments: [][2]string{{"", "Choose the department"}}, Officers: [][2]string{{"", "Choose the training officer"}}}
	for _, d := range depts {
		ep.Departments = append(ep.Departments, [2]string{strconv.FormatInt(d.ID, 10), d.Name})
	}
	for _, o := range officers {
		ep.Officers = append(ep.Officers, [2]string{strconv.FormatInt(o.ID, 10), o.Name})
	}
	for _, id := range chosen {
		ep.Chosen[id] = true
	}
	return ep, nil
}

func (s *Server) enrolPage(w http.ResponseWriter, r *http.Request) error {
	pl, depts, err := s.placementFor(r)
	if err != nil {
		return err
	}
	values := map[string]string{"start_date": pl.StartDate}
	if len(depts) == 1 {
		values["department_id"] = strconv.FormatInt(depts[0].ID, 10)
	}
	if principal(r).Has(auth.RoleTrainingOfficer) {
		values["training_officer_id"] = strconv.FormatInt(principal(r).User.ID, 10)
	}
	ep, err := s.enrolForm(r, pl, depts, values, nil, nil)
	if err != nil {
		return err
	}
	return s.show(w, r, http.StatusOK, "enrol", "Start "+pl.Name+"'s training record", []crumb{{"Your training departments", "/training"}}, ep)
}

func (s *Server) enrol(w http.ResponseWriter, r *http.Request) error {
	pl, depts, err := s.placementFor(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	values := map[string]string{}
	for _, k := range []string{"department_id", "training_officer_id", "start_date"} {
		values[k] = r.PostForm.Get(k)
	}
	sups, err := formIDs(r.PostForm["supervisors"], "supervisors")
	var t *train.Trainee
	err = func() error {
		if err != nil {
			return err
		}
		in := train.Enrolment{OfferID: pl.OfferID, StartDate: values["start_date"], Team: train.Team{Supervisors: sups}}
		if in.Team.DepartmentID, err = formID(values["department_id"], "department_id"); err != nil {
			return apperr.Invalidf("department_id", "Choose the department the trainee trains in")
		}
		if !slices.ContainsFunc(depts, func(d auth.Department) bool { return d.ID == in.Team.DepartmentID }) {
			return apperr.Invalidf("department_id", "Choose one of your departments")
		}
		if in.Team.TrainingOfficerID, err = formID(values["training_officer_id"], "training_officer_id"); err != nil {
			return apperr.Invalidf("training_officer_id", "Choose the trainee's training officer")
		}
		t, err = s.train.Enrol(r.Context(), actor(r), in)
		return err
	}()
	if err != nil {
		return formFailure(err, func(status int) error {
			ep, ferr := s.enrolForm(r, pl, depts, values, sups, err)
			if ferr != nil {
				return ferr
			}
			return s.show(w, r, status, "enrol", "Start "+pl.Name+"'s training record", []crumb{{"Your training departments", "/training"}}, ep)
		})
	}
	redirectBack(w, r, "/training/trainees/"+strconv.FormatInt(t.ID, 10), "The training record is made; its training officer confirms it.")
	return nil
}
