package web

import (
	"net/http"
	"slices"
	"strings"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/framework"
	"hcs/internal/recruit"
)

var homeCrumb = crumb{"Home", "/"}

func (s *Server) homePage(r *http.Request) (*response, error) {
	return s.render(r, http.StatusOK, "home", "Careers in healthcare science", nil, s.f)
}

func (s *Server) areasPage(r *http.Request) (*response, error) {
	return s.render(r, http.StatusOK, "areas", "Areas of healthcare science", []crumb{homeCrumb}, s.f.Divisions)
}

func (s *Server) divisionPage(r *http.Request) (*response, error) {
	d := s.f.Division(r.PathValue("id"))
	if d == nil {
		return nil, notFound("There is no area called %q.", r.PathValue("id"))
	}
	return s.render(r, http.StatusOK, "division", d.Name, []crumb{homeCrumb, {"Areas", "/areas"}}, d)
}

func (s *Server) roleGroupPage(r *http.Request) (*response, error) {
	g := s.f.RoleGroup(r.PathValue("id"))
	if g == nil {
		return nil, notFound("There is no role group called %q.", r.PathValue("id"))
	}
	return s.render(r, http.StatusOK, "role-group", g.Name,
		[]crumb{homeCrumb, {"Areas", "/areas"}, {g.Division.Name, "/areas/" + g.Division.ID}}, g)
}

// specialismFilter is the browse page's filter form.
type specialismFilter struct {
	Area, Level, Patients, Setting string
}

func parseSpecialismFilter(f *framework.Framework, r *http.Request) (specialismFilter, error) {
	q := r.URL.Query()
	sf := specialismFilter{Area: q.Get("area"), Level: q.Get("level"), Patients: q.Get("patients"), Setting: q.Get("setting")}
	switch {
	case sf.Area != "" && f.Division(sf.Area) == nil:
		return sf, apperr.Invalidf("area", "Choose an area from the list; %q is not one", sf.Area)
	case sf.Level != "" && f.Level(sf.Level) == nil:
		return sf, apperr.Invalidf("level", "Choose a career level from the list; %q is not one", sf.Level)
	case sf.Patients != "" && !slices.Contains([]string{framework.ContactNone, framework.ContactSome, framework.ContactMost}, sf.Patients):
		return sf, apperr.Invalidf("patients", "Choose how much patient contact you want; %q is not an option", sf.Patients)
	case sf.Setting != "" && !slices.Contains(framework.Settings, sf.Setting):
		return sf, apperr.Invalidf("setting", "Choose a place of work from the list; %q is not one", sf.Setting)
	}
	return sf, nil
}

func (sf specialismFilter) keep(s *framework.Specialism) bool {
	return (sf.Area == "" || s.Division().ID == sf.Area) &&
		(sf.Level == "" || s.HasLevel(sf.Level)) &&
		(sf.Patients == "" || s.PatientContact == sf.Patients) &&
		(sf.Setting == "" || s.HasSetting(sf.Setting))
}

func filterSpecialisms(f *framework.Framework, sf specialismFilter) []*framework.Specialism {
	var out []*framework.Specialism
	for _, s := range f.Specialisms {
		if sf.keep(s) {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b *framework.Specialism) int { return strings.Compare(a.Name, b.Name) })
	return out
}

func (s *Server) specialismsPage(r *http.Request) (*response, error) {
	sf, err := parseSpecialismFilter(s.f, r)
	data := map[string]any{"Filter": sf, "Framework": s.f, "Error": err, "Settings": framework.Settings}
	if err != nil {
		return s.render(r, http.StatusBadRequest, "specialisms", "Healthcare science roles", []crumb{homeCrumb}, data)
	}
	data["Specialisms"] = filterSpecialisms(s.f, sf)
	return s.render(r, http.StatusOK, "specialisms", "Healthcare science roles", []crumb{homeCrumb}, data)
}

// specialismView is what the specialism page shows.
type specialismView struct {
	*framework.Specialism
	Related    []*framework.Specialism
	Programmes []*framework.Programme
	// LevelViews is each career level that exists in the specialism with
	// what is particular to it here.
	LevelViews []specialismLevel
	Sources    []sourceView
	OpenPosts  []recruit.OpenPost
}

// specialismLevel is one career level within a specialism: the routes to
// it that run here, its registration, and for the STP and HSST levels the
// competition and whether HSST exists.
type specialismLevel struct {
	Level        *framework.Level
	Programmes   []*framework.Programme
	Registration string
	Competition  *framework.Competition // clinical-scientist level
	HSST         string                 // consultant level
}

type sourceView struct {
	*framework.Source
}

// sources resolves citations to their sources, each once, in order.
func (s *Server) sources(cites ...[]framework.Citation) []sourceView {
	var out []sourceView
	seen := map[string]bool{}
	for _, list := range cites {
		for _, c := range list {
			if !seen[c.Source] {
				seen[c.Source] = true
				out = append(out, sourceView{Source: s.f.Source(c.Source)})
			}
		}
	}
	return out
}

func (s *Server) viewSpecialism(sp *framework.Specialism) specialismView {
	v := specialismView{Specialism: sp}
	for _, id := range sp.Related {
		v.Related = append(v.Related, s.f.Specialism(id))
	}
	for _, p := range s.f.Programmes {
		if p.Level != nil && p.RunsIn(sp) {
			v.Programmes = append(v.Programmes, p)
		}
	}
	comp := sp.STPCompetition()
	for _, lv := range sp.Levels {
		lvv := specialismLevel{Level: lv, Registration: lv.RegistrationFor(sp)}
		for _, p := range v.Programmes {
			if p.Level == lv {
				lvv.Programmes = append(lvv.Programmes, p)
			}
		}
		switch lv.ID {
		case "clinical-scientist":
			lvv.Competition = comp
		case "consultant":
			lvv.HSST = sp.HSST
		}
		v.LevelViews = append(v.LevelViews, lvv)
	}
	var extra [][]framework.Citation
	extra = append(extra, sp.Sources, sp.HSSTSources)
	if comp != nil {
		extra = append(extra, comp.Sources)
	}
	if sp.WorkingPattern != nil {
		extra = append(extra, sp.WorkingPattern.Sources)
	}
	v.Sources = s.sources(extra...)
	return v
}

func (s *Server) specialismPage(r *http.Request) (*response, error) {
	id := r.PathValue("id")
	sp := s.f.Specialism(id)
	if sp == nil {
		return s.specialismElsewhere(r, id, "/specialisms/")
	}
	crumbs := []crumb{homeCrumb, {sp.Division().Name, "/areas/" + sp.Division().ID}, {sp.Group.Name, "/role-groups/" + sp.Group.ID}}
	if sp.Parent != nil {
		crumbs = append(crumbs, crumb{sp.Parent.Name, "/specialisms/" + sp.Parent.ID})
	}
	v := s.viewSpecialism(sp)
	var err error
	if v.OpenPosts, err = s.recruit.OpenPosts(r.Context(), recruit.PostFilter{Specialism: sp.ID}); err != nil {
		return nil, err
	}
	return s.render(r, http.StatusOK, "specialism", sp.Name, crumbs, v)
}

// specialismElsewhere answers for ids that are not current specialisms: an
// alias redirects to its specialism, a retired name shows its successors.
func (s *Server) specialismElsewhere(r *http.Request, id, prefix string) (*response, error) {
	slug := framework.Slug(id)
	if sp := s.f.Specialism(slug); sp != nil {
		return redirect(prefix + sp.ID), nil
	}
	if sp := s.f.SpecialismByAlias(slug); sp != nil {
		return redirect(prefix + sp.ID), nil
	}
	if rn := s.f.RenamedSpecialism(slug); rn != nil {
		if slug != id {
			return redirect(prefix + rn.ID), nil
		}
		return s.render(r, http.StatusOK, "renamed", rn.Name, []crumb{homeCrumb, {"Roles", "/specialisms"}},
			map[string]any{"Renamed": rn, "Sources": s.sources(rn.Sources)})
	}
	return nil, notFound("There is no healthcare science role called %q. Try searching for it.", id)
}

func (s *Server) levelsPage(r *http.Request) (*response, error) {
	return s.render(r, http.StatusOK, "levels", "Career levels", []crumb{homeCrumb}, s.f.Levels)
}

func (s *Server) levelPage(r *http.Request) (*response, error) {
	lv := s.f.Level(r.PathValue("id"))
	if lv == nil {
		return nil, notFound("There is no career level called %q.", r.PathValue("id"))
	}
	var specs []*framework.Specialism
	for _, sp := range s.f.CurrentSpecialisms() {
		if sp.HasLevel(lv.ID) {
			specs = append(specs, sp)
		}
	}
	return s.render(r, http.StatusOK, "level", lv.Name, []crumb{homeCrumb, {"Career levels", "/levels"}},
		map[string]any{"Level": lv, "Specialisms": specs, "Sources": s.sources(lv.Sources)})
}

func (s *Server) programmesPage(r *http.Request) (*response, error) {
	return s.render(r, http.StatusOK, "programmes", "Training programmes and routes", []crumb{homeCrumb}, s.f)
}

func (s *Server) programmePage(r *http.Request) (*response, error) {
	p := s.f.Programme(r.PathValue("id"))
	if p == nil {
		return nil, notFound("There is no programme called %q.", r.PathValue("id"))
	}
	var requires [][]*framework.Credential
	for _, set := range p.Requires {
		var creds []*framework.Credential
		for _, c := range set {
			creds = append(creds, s.f.Credential(c))
		}
		requires = append(requires, creds)
	}
	var grants []*framework.Credential
	for _, c := range p.Grants {
		grants = append(grants, s.f.Credential(c))
	}
	var specs []*framework.Specialism
	if p.Level != nil {
		for _, sp := range s.f.CurrentSpecialisms() {
			if p.RunsIn(sp) {
				specs = append(specs, sp)
			}
		}
	}
	return s.render(r, http.StatusOK, "programme", p.Name, []crumb{homeCrumb, {"Programmes", "/programmes"}},
		map[string]any{"Programme": p, "Requires": requires, "Grants": grants, "Specialisms": specs, "Sources": s.sources(p.Sources)})
}

func (s *Server) notFoundPage(r *http.Request) (*response, error) {
	return nil, notFound("We could not find the page you asked for. Check the address, or search for what you need.")
}

// postFilter reads the open-posts filters, checking each value.
func (s *Server) postFilter(r *http.Request) (recruit.PostFilter, error) {
	q := r.URL.Query()
	f := recruit.PostFilter{Specialism: q.Get("specialism"), Region: q.Get("region"), Programme: q.Get("programme")}
	switch {
	case f.Specialism != "" && s.f.Specialism(f.Specialism) == nil:
		return f, apperr.Invalidf("specialism", "Choose a specialism from the list; %q is not one", f.Specialism)
	case f.Region != "" && !slices.Contains(auth.Regions, f.Region):
		return f, apperr.Invalidf("region", "Choose a region from the list; %q is not one", f.Region)
	case f.Programme != "" && (s.f.Programme(f.Programme) == nil || s.f.Programme(f.Programme).Level == nil):
		return f, apperr.Invalidf("programme", "Choose a programme from the list; %q is not one", f.Programme)
	}
	return f, nil
}

// postsPage is the public search of open training posts.
func (s *Server) postsPage(r *http.Request) (*response, error) {
	f, err := s.postFilter(r)
	data := map[string]any{"Filter": f, "Error": err, "Names": s.specialismNames()}
	if err != nil {
		return s.render(r, http.StatusBadRequest, "posts", "Open training posts", []crumb{homeCrumb}, data)
	}
	posts, err := s.recruit.OpenPosts(r.Context(), f)
	if err != nil {
		return nil, err
	}
	data["Posts"] = posts
	if data["Matched"], err = s.matchedRounds(r); err != nil {
		return nil, err
	}
	return s.render(r, http.StatusOK, "posts", "Open training posts", []crumb{homeCrumb}, data)
}

func (s *Server) apiOpenPosts(r *http.Request) (any, error) {
	f, err := s.postFilter(r)
	if err != nil {
		return nil, err
	}
	posts, err := s.recruit.OpenPosts(r.Context(), f)
	return map[string]any{"posts": posts}, err
}

// postPage is a training post's public page, from which applicants apply.
// It is not cached: a post's edits and withdrawal show at once.
func (s *Server) postPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.recruit.Post(r.Context(), id)
	if err != nil {
		return err
	}
	rd, err := s.recruit.Round(r.Context(), p.RoundID)
	if err != nil {
		return err
	}
	// Signed out, the apply link leads to sign-in; signed in, only an
	// account that may apply is offered it.
	who := principal(r)
	data := map[string]any{"Post": p, "Round": rd, "Specialism": s.specialismNames()[p.Specialism], "Programme": rd.Programme, "Band": []string{},
		"Open": rd.Stage(s.now()) == recruit.StageApplications, "CanApply": who == nil || who.Can(auth.ActionApply)}
	if prog := s.f.Programme(rd.Programme); prog != nil {
		data["Programme"], data["ProgrammeID"], data["Band"] = prog.Name, prog.ID, prog.BandTraining
	}
	return s.show(w, r, http.StatusOK, "post", p.Site+": "+s.specialismNames()[p.Specialism], []crumb{homeCrumb, {"Open posts", "/posts"}}, data)
}
