package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/explore"
	"hcs/internal/framework"
	"hcs/internal/search"
)

// API views: the framework's own fields plus links and the ids of
// connected entries.

type link struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	URL  string `json:"url"`
}

type divisionJSON struct {
	*framework.Division
	URL        string `json:"url"`
	RoleGroups []link `json:"role_groups"`
}

type roleGroupJSON struct {
	*framework.RoleGroup
	URL         string `json:"url"`
	Specialisms []link `json:"specialisms"`
}

type specialismJSON struct {
	*framework.Specialism
	URL            string `json:"url"`
	Division       link   `json:"division"`
	SubSpecialisms []link `json:"sub_specialisms"`
	FormerNames    []link `json:"former_names"`
	Programmes     []link `json:"programmes"`
}

type levelJSON struct {
	*framework.Level
	URL        string   `json:"url"`
	Bands      []string `json:"bands"`
	Programmes []link   `json:"programmes"`
}

type programmeJSON struct {
	*framework.Programme
	URL string `json:"url"`
}

func divisionLink(d *framework.Division) link {
	return link{d.ID, d.Name, "/api/v1/divisions/" + d.ID}
}
func roleGroupLink(g *framework.RoleGroup) link {
	return link{g.ID, g.Name, "/api/v1/role-groups/" + g.ID}
}
func specialismLink(s *framework.Specialism) link {
	return link{s.ID, s.Name, "/api/v1/specialisms/" + s.ID}
}
func programmeLink(p *framework.Programme) link {
	return link{p.ID, p.Name, "/api/v1/programmes/" + p.ID}
}

func (s *Server) divisionJSON(d *framework.Division) divisionJSON {
	v := divisionJSON{Division: d, URL: "/areas/" + d.ID, RoleGroups: []link{}}
	for _, g := range d.RoleGroups {
		v.RoleGroups = append(v.RoleGroups, roleGroupLink(g))
	}
	return v
}

func (s *Server) roleGroupJSON(g *framework.RoleGroup) roleGroupJSON {
	v := roleGroupJSON{RoleGroup: g, URL: "/role-groups/" + g.ID, Specialisms: []link{}}
	for _, sp := range g.Specialisms {
		v.Specialisms = append(v.Specialisms, specialismLink(sp))
	}
	return v
}

func (s *Server) specialismJSON(sp *framework.Specialism) specialismJSON {
	v := specialismJSON{Specialism: sp, URL: "/specialisms/" + sp.ID, Division: divisionLink(sp.Division()),
		SubSpecialisms: []link{}, FormerNames: []link{}, Programmes: []link{}}
	for _, c := range sp.Children {
		v.SubSpecialisms = append(v.SubSpecialisms, specialismLink(c))
	}
	for _, r := range sp.FormerNames {
		v.FormerNames = append(v.FormerNames, link{r.ID, r.Name, "/api/v1/renamed/" + r.ID})
	}
	for _, p := range s.f.Programmes {
		if p.Level != nil && p.RunsIn(sp) {
			v.Programmes = append(v.Programmes, programmeLink(p))
		}
	}
	return v
}

func (s *Server) levelJSON(lv *framework.Level) levelJSON {
	v := levelJSON{Level: lv, URL: "/levels/" + lv.ID, Bands: lv.Bands(), Programmes: []link{}}
	for _, p := range lv.Programmes {
		v.Programmes = append(v.Programmes, programmeLink(p))
	}
	return v
}

func (s *Server) apiFramework(r *http.Request) (any, error) { return s.f, nil }

func (s *Server) apiDivisions(r *http.Request) (any, error) {
	out := []divisionJSON{}
	for _, d := range s.f.Divisions {
		out = append(out, s.divisionJSON(d))
	}
	return map[string]any{"divisions": out}, nil
}

func (s *Server) apiDivision(r *http.Request) (any, error) {
	d := s.f.Division(r.PathValue("id"))
	if d == nil {
		return nil, notFound("there is no division %q", r.PathValue("id"))
	}
	return s.divisionJSON(d), nil
}

func (s *Server) apiRoleGroups(r *http.Request) (any, error) {
	out := []roleGroupJSON{}
	for _, g := range s.f.RoleGroups {
		out = append(out, s.roleGroupJSON(g))
	}
	return map[string]any{"role_groups": out}, nil
}

func (s *Server) apiRoleGroup(r *http.Request) (any, error) {
	g := s.f.RoleGroup(r.PathValue("id"))
	if g == nil {
		return nil, notFound("there is no role group %q", r.PathValue("id"))
	}
	return s.roleGroupJSON(g), nil
}

func (s *Server) apiSpecialisms(r *http.Request) (any, error) {
	sf, err := parseSpecialismFilter(s.f, r)
	if err != nil {
		return nil, err
	}
	out := []specialismJSON{}
	for _, sp := range filterSpecialisms(s.f, sf) {
		out = append(out, s.specialismJSON(sp))
	}
	return map[string]any{"specialisms": out}, nil
}

func (s *Server) apiSpecialism(r *http.Request) (any, error) {
	id := r.PathValue("id")
	if sp := s.f.Specialism(id); sp != nil {
		return s.specialismJSON(sp), nil
	}
	slug := framework.Slug(id)
	if sp := s.f.Specialism(slug); sp != nil {
		return redirect("/api/v1/specialisms/" + sp.ID), nil
	}
	if sp := s.f.SpecialismByAlias(slug); sp != nil {
		return redirect("/api/v1/specialisms/" + sp.ID), nil
	}
	if rn := s.f.RenamedSpecialism(slug); rn != nil {
		return redirect("/api/v1/renamed/" + rn.ID), nil
	}
	return nil, notFound("there is no specialism %q", id)
}

func (s *Server) apiRenamed(r *http.Request) (any, error) {
	rn := s.f.RenamedSpecialism(r.PathValue("id"))
	if rn == nil {
		return nil, notFound("there is no retired specialism name %q", r.PathValue("id"))
	}
	succ := []link{}
	for _, sp := range rn.SuccessorSpecialisms {
		succ = append(succ, specialismLink(sp))
	}
	return map[string]any{"id": rn.ID, "name": rn.Name, "retired": rn.Retired, "note": rn.Note,
		"successors": succ, "sources": rn.Sources, "url": "/specialisms/" + rn.ID}, nil
}

func (s *Server) apiLevels(r *http.Request) (any, error) {
	out := []levelJSON{}
	for _, lv := range s.f.Levels {
		out = append(out, s.levelJSON(lv))
	}
	return map[string]any{"levels": out}, nil
}

func (s *Server) apiLevel(r *http.Request) (any, error) {
	lv := s.f.Level(r.PathValue("id"))
	if lv == nil {
		return nil, notFound("there is no level %q", r.PathValue("id"))
	}
	return s.levelJSON(lv), nil
}

func (s *Server) apiProgrammes(r *http.Request) (any, error) {
	out := []programmeJSON{}
	for _, p := range s.f.Programmes {
		out = append(out, programmeJSON{p, "/programmes/" + p.ID})
	}
	return map[string]any{"programmes": out}, nil
}

func (s *Server) apiProgramme(r *http.Request) (any, error) {
	p := s.f.Programme(r.PathValue("id"))
	if p == nil {
		return nil, notFound("there is no programme %q", r.PathValue("id"))
	}
	return programmeJSON{p, "/programmes/" + p.ID}, nil
}

func (s *Server) apiStartingPoints(r *http.Request) (any, error) {
	return map[string]any{"starting_points": s.f.StartingPoints}, nil
}

func (s *Server) apiSearch(r *http.Request) (any, error) {
	q, limit := searchRequest(r)
	results, err := s.search.Search(q, limit)
	if err != nil {
		return nil, err
	}
	var answer any // null when the query names no job title
	if t := s.search.Answer(q); t != nil {
		specs := []link{}
		for _, sp := range t.Specialisms {
			specs = append(specs, specialismLink(sp))
		}
		progs := []link{}
		for _, p := range t.Programmes {
			progs = append(progs, programmeLink(p))
		}
		answer = map[string]any{"title": t.Name, "in_healthcare_science": t.InHealthcareScience, "belongs_to": t.BelongsTo,
			"summary": t.Summary, "specialisms": specs, "programmes": progs, "sources": t.Sources}
	}
	return newResponse(http.StatusOK, "application/json", searchAnswer(answer, q, results)), nil
}

// searchAnswer writes a search's answer as JSON: {"answer", "filters",
// "query", "results"}, byte for byte what encoding/json would write, with
// each result's JSON made once when the index was built (a search is
// mostly its results, so this halves the cost of writing one).
func searchAnswer(answer any, q search.Query, results []search.Result) []byte {
	b := make([]byte, 0, 256+400*len(results))
	b = append(b, `{"answer":`...)
	b = appendJSON(b, answer)
	b = append(b, `,"filters":`...)
	b = appendJSON(b, q.Filters)
	b = append(b, `,"query":`...)
	b = appendJSON(b, q.String())
	b = append(b, `,"results":[`...)
	for i, r := range results {
		if i > 0 {
			b = append(b, ',')
		}
		b = r.AppendJSON(b)
	}
	return append(b, "]}\n"...)
}

func appendJSON(b []byte, v any) []byte {
	j, err := json.Marshal(v)
	if err != nil {
		return append(b, "null"...)
	}
	return append(b, j...)
}

func (s *Server) apiCompare(r *http.Request) (any, error) {
	c, err := explore.Compare(s.f, compareIDs(r))
	if err != nil {
		return nil, err
	}
	specs := []link{}
	for _, sp := range c.Specialisms {
		specs = append(specs, specialismLink(sp))
	}
	return map[string]any{"specialisms": specs, "rows": c.Rows, "url": compareURL(c)}, nil
}

type stepJSON struct {
	Programme    link     `json:"programme"`
	Kind         string   `json:"kind"`
	Months       int      `json:"months"`
	Award        string   `json:"award"`
	BandTraining []string `json:"band_training"`
	BandAfter    []string `json:"band_after"`
	Registration string   `json:"registration"`
	Assumes      string   `json:"assumes"`
	// NeedsJob: the step is taken in a job; HasJob: the person has one in
	// the specialism.
	NeedsJob        bool             `json:"needs_job"`
	HasJob          bool             `json:"has_job"`
	AlsoRequires    []string         `json:"also_requires"`
	Competition     *competitionJSON `json:"competition"`
	HSSTUnconfirmed bool             `json:"hsst_unconfirmed"`
}

type competitionJSON struct {
	Year         int     `json:"year"`
	RatioPerPost float64 `json:"ratio_per_post"`
}

type routeJSON struct {
	TotalMonths int        `json:"total_months"`
	Total       string     `json:"total"`
	Steps       []stepJSON `json:"steps"`
}

func (s *Server) apiPathway(r *http.Request) (any, error) {
	v := r.URL.Query()
	plan, err := explore.PlanPathway(s.f, explore.PlanRequest{From: v.Get("from"), FromSpecialism: v.Get("from_specialism"), Specialism: v.Get("specialism"), Level: v.Get("level")})
	if err != nil {
		return nil, err
	}
	routes := []routeJSON{}
	for _, rt := range plan.Routes {
		out := routeJSON{TotalMonths: rt.TotalMonths, Total: explore.FormatMonths(rt.TotalMonths), Steps: []stepJSON{}}
		for _, st := range rt.Steps {
			p := st.Programme
			step := stepJSON{Programme: programmeLink(p), Kind: p.Kind, Months: p.DurationMonths,
				Award: p.Award, BandTraining: nonNil(p.BandTraining), BandAfter: nonNil(p.BandAfter), Registration: p.Registration, Assumes: p.Assumes,
				NeedsJob: st.NeedsJob, HasJob: st.HasJob, HSSTUnconfirmed: st.HSSTUnconfirmed, AlsoRequires: []string{}}
			for _, c := range st.AlsoRequires {
				step.AlsoRequires = append(step.AlsoRequires, c.Name)
			}
			if c := st.Competition; c != nil {
				step.Competition = &competitionJSON{Year: c.Year, RatioPerPost: c.RatioPerPost}
			}
			out.Steps = append(out.Steps, step)
		}
		routes = append(routes, out)
	}
	return map[string]any{
		"status": plan.Status, "message": plan.Message, "notes": plan.Notes,
		"from":       link{plan.From.ID, plan.From.Name, ""},
		"specialism": specialismLink(plan.Specialism),
		"level":      link{plan.Level.ID, plan.Level.Name, "/api/v1/levels/" + plan.Level.ID},
		"routes":     routes,
	}, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

const quizNotice = "This quiz is for exploring careers. It is never used to select applicants."

func (s *Server) apiQuiz(r *http.Request) (any, error) {
	return map[string]any{"notice": quizNotice, "items": s.f.Quiz.Items, "answers": s.f.Quiz.Answers,
		"deal_breakers": s.f.Quiz.DealBreakers, "dimensions": s.f.Quiz.Dimensions}, nil
}

func (s *Server) apiQuizResults(r *http.Request) (any, error) {
	answers, err := explore.ParseQuizCode(s.f.Quiz, r.URL.Query().Get("code"))
	if err != nil {
		return nil, err
	}
	res := explore.ScoreQuiz(s.f, answers)
	type matchJSON struct {
		Specialism link                 `json:"specialism"`
		Percent    int                  `json:"percent"`
		Drivers    []explore.QuizDriver `json:"drivers"`
	}
	type excludedJSON struct {
		Specialism  link   `json:"specialism"`
		DealBreaker string `json:"deal_breaker"`
		Reason      string `json:"reason"`
	}
	matches, excluded := []matchJSON{}, []excludedJSON{}
	for _, m := range res.Matches {
		drivers := m.Drivers
		if drivers == nil {
			drivers = []explore.QuizDriver{}
		}
		matches = append(matches, matchJSON{specialismLink(m.Specialism), m.Percent, drivers})
	}
	for _, x := range res.Excluded {
		excluded = append(excluded, excludedJSON{specialismLink(x.Specialism), x.DealBreaker.ID, x.Reason})
	}
	return map[string]any{"notice": quizNotice, "code": answers.Code(s.f.Quiz), "answered": res.Answered,
		"flat": res.Flat, "matches": matches, "excluded": excluded}, nil
}

func (s *Server) apiOpenAPI(r *http.Request) (any, error) {
	b, err := embedded.ReadFile("openapi.json")
	if err != nil {
		return nil, err
	}
	return newResponse(http.StatusOK, "application/json", b), nil
}

func (s *Server) apiNotFound(r *http.Request) (any, error) {
	return nil, notFound("there is no API endpoint at %s; see /api/v1/openapi.json", r.URL.Path)
}

// healthz answers quickly and is never cached: load balancers and the
// start-up benchmark poll it.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(struct {
		Status           string `json:"status"`
		Version          string `json:"version"`
		FrameworkVersion string `json:"framework_version"`
		SchemaVersion    int    `json:"schema_version"`
		UptimeSeconds    int    `json:"uptime_seconds"`
	}{"ok", s.version, s.f.Version, s.schemaVersion(), int(time.Since(s.started).Seconds())})
}

// readyz reports whether this server should be sent requests: 503 while
// it drains for shutdown, or when the database does not answer or holds a
// schema this build does not expect. Balancers poll it; /healthz only says
// the process is alive.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	status, reason := http.StatusOK, ""
	if s.draining.Load() {
		status, reason = http.StatusServiceUnavailable, "shutting down"
	} else if s.ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.ready(ctx); err != nil {
			// The detail (addresses, driver messages) is for the log,
			// not the public.
			status, reason = http.StatusServiceUnavailable, "the database is not ready"
			s.log.Warn("not ready", "err", err)
		}
	}
	body := struct {
		Status string `json:"status"`
		Reason string `json:"reason,omitempty"`
	}{"ready", reason}
	if status != http.StatusOK {
		body.Status = "unavailable"
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

// assets serves the embedded front-end files. Fingerprinted names never
// change content, so they are cached for a year; the build's brotli or
// gzip copy is sent to clients that accept it.
func (s *Server) assets() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/assets/")
		// Only the files the build lists: not a folder, the manifest or
		// the compressed copies by their own names.
		if !s.servedAssets[name] {
			s.fail(w, r, false, apperr.Errorf(apperr.NotFound, "there is no file %q", r.URL.Path))
			return
		}
		h := w.Header()
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		ctype := mime.TypeByExtension(path.Ext(name))
		h.Set("Content-Type", ctype)
		file := name
		if compressible(ctype) {
			h.Add("Vary", "Accept-Encoding")
			if enc := encoding(r); enc != "" {
				ext := map[string]string{"br": ".br", "gzip": ".gz"}[enc]
				if _, err := fs.Stat(s.static, name+ext); err == nil {
					file = name + ext
					h.Set("Content-Encoding", enc)
				}
			}
		}
		// Embedded files seek, so they are served in place, not copied.
		f, err := s.static.Open(file)
		if err != nil {
			s.fail(w, r, false, err)
			return
		}
		defer f.Close()
		http.ServeContent(w, r, "", time.Time{}, f.(io.ReadSeeker))
	})
}

// readManifest reads the build's map from front-end file names to their
// fingerprinted files, and checks the files the pages need are there.
func readManifest(static fs.FS) (map[string]string, error) {
	b, err := fs.ReadFile(static, "manifest.json")
	if err != nil {
		return nil, fmt.Errorf("web: the front-end files are missing (%v); run `make build`", err)
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("web: static/manifest.json: %v; run `make build` again", err)
	}
	for _, need := range []string{"hcs.css", "hcs.js", "nhsuk-frontend.js", "images/favicon.ico", "images/favicon.svg"} {
		if _, err := fs.Stat(static, m[need]); m[need] == "" || err != nil {
			return nil, fmt.Errorf("web: the front-end file %s is missing from the build; run `make build`", need)
		}
	}
	return m, nil
}
