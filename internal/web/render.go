package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/explore"
	"hcs/internal/framework"
	"hcs/internal/recruit"
	"hcs/internal/train"
	"hcs/internal/workforce"
)

// Cache-Control for explorer answers: shared caches may keep them for five
// minutes; ETags make revalidation cheap after that.
const cacheControlPublic = "public, max-age=300"

// cacheControlLive lets browsers and proxies keep a page that shows live
// records, but only to revalidate it (If-None-Match) before each use.
const cacheControlLive = "no-cache"

// crumb is one breadcrumb link.
type crumb struct {
	Name string
	URL  string
}

// describe is a page's meta description: the summary of what it shows
// where it has one, else a sentence about the page.
func describe(page, title string, data any) string {
	switch d := data.(type) {
	case interface{ Describe() string }:
		return d.Describe()
	case specialismView:
		return d.Summary
	case map[string]any:
		for _, k := range []string{"Level", "Programme", "Renamed"} {
			if v, ok := d[k].(interface{ Describe() string }); ok {
				return v.Describe()
			}
		}
	}
	if text, ok := pageDescriptions[page]; ok {
		return text
	}
	return title + ": NHS healthcare science careers, training and recruitment."
}

// pageDescriptions describe the pages that show no one entry.
var pageDescriptions = map[string]string{
	"home":         "Explore careers in NHS healthcare science: more than 40 specialisms, the four career levels, training routes, pay and open training posts.",
	"search":       "Search NHS healthcare science roles, career levels and training programmes by what the work involves.",
	"specialisms":  "Every NHS healthcare science specialism, filtered by area, career level, patient contact and where the work happens.",
	"compare":      "Compare NHS healthcare science roles side by side: entry, training, pay, patient contact and working hours.",
	"quiz":         "Answer 30 statements about work you enjoy to find NHS healthcare science roles that suit you.",
	"quiz-results": "NHS healthcare science roles that match your quiz answers, with the reasons.",
	"pathway":      "Plan your route into NHS healthcare science from where you are now: each step, how long it takes, pay, competition and registration.",
	"levels":       "The four NHS healthcare science career levels, from assistant to consultant clinical scientist, with their pay bands.",
	"programmes":   "Training programmes and routes into NHS healthcare science: apprenticeships, the PTP, the STP, HSST and equivalence.",
	"pay":          "Agenda for Change pay for England in pounds for every band, with the years to each pay point and sources.",
	"sources":      "The sources behind the NHS healthcare science careers data, with their dates and the data's open licence.",
	"areas":        "The four areas of NHS healthcare science: life sciences, physiological sciences, physical sciences and biomedical engineering, and informatics.",
}

// pageData is what every page template receives.
type pageData struct {
	Title       string
	Description string // the page's meta description
	Pay         *framework.PayScale
	Crumbs      []crumb
	Query       string // shown in the header's search box
	Path        string
	Version     string
	Options     map[string][][2]string
	Data        any
}

var templateFuncs = template.FuncMap{
	"sub":    func(a, b int) int { return a - b },
	"list":   func(v ...any) []any { return v },
	"mul100": func(f float64) float64 { return f * 100 },
	// staffColumns and employerColumns are the workforce files' columns.
	"staffColumns":    func() []string { return workforce.StaffColumns },
	"employerColumns": func() []string { return workforce.EmployerColumns },
	"count":           formatCount,
	"bands":           framework.BandRange,
	"months":          explore.FormatMonths,
	"contact":         explore.PatientContactText,
	"hours":           explore.HoursText,
	"join":            strings.Join,
	"lower":           strings.ToLower,
	"upper":           strings.ToUpper,
	// lowerFirst lower-cases a name's first letter for use mid-sentence,
	// keeping acronyms ("HCPC-registered") as they are.
	"lowerFirst": explore.LowerFirst,
	"contains":   func(list []string, v string) bool { return slices.Contains(list, v) },
	"contains64": func(list []int64, v int64) bool { return slices.Contains(list, v) },
	"add":        func(a, b int) int { return a + b },
	"date":       func(t time.Time) string { return t.UTC().Format("2 January 2006") },
	"dateTime":   func(t time.Time) string { return t.UTC().Format("2 January 2006 at 15:04 UTC") },
	"fileSize":   train.FileSize,
	"fileType":   train.TypeName,
	// dated writes a source's date, which may name only a month or a year.
	"dated": func(s string) string {
		for _, l := range [][2]string{{time.DateOnly, "2 January 2006"}, {"2006-01", "January 2006"}} {
			if t, err := time.Parse(l[0], s); err == nil {
				return t.Format(l[1])
			}
		}
		return s
	},
	// pay writes the pay range of bands in a scale: "£24,937 to £26,598".
	"pay": func(ps *framework.PayScale, bands []string) string {
		if ps == nil {
			return ""
		}
		lo, hi, ok := ps.Range(bands)
		switch {
		case !ok:
			return ""
		case lo == hi:
			return explore.Pounds(lo)
		}
		return explore.Pounds(lo) + " to " + explore.Pounds(hi)
	},
	// pounds writes an amount as "£24,465".
	"pounds": explore.Pounds,
	// firstLink is the first web address in a message's text, or "".
	"firstLink": func(body string) string {
		for _, f := range strings.Fields(body) {
			if strings.HasPrefix(f, "http://") || strings.HasPrefix(f, "https://") {
				return f
			}
		}
		return ""
	},
	// idText is an id for a form, blank for none.
	"idText": func(id int64) string {
		if id == 0 {
			return ""
		}
		return strconv.FormatInt(id, 10)
	},
	// paragraphs splits text written in a textarea into its paragraphs.
	"paragraphs": func(s string) []string {
		var out []string
		for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out
	},
	"yearText": func(y int) string {
		if y == 0 {
			return ""
		}
		return strconv.Itoa(y)
	},
	"errorMessage": apperr.Message,
	// errorField names the form control an error is about, for the error
	// summary's link.
	"errorField": func(err error) string {
		if f := apperr.Field(err); f != "" {
			return f
		}
		return "maincontent"
	},
	// fieldError returns the message when err is about the field.
	// (err is any, not error: a nil error kept in a map[string]any reaches
	// the template as a nil interface.)
	"fieldError": func(v any, field string) string {
		if err, ok := v.(error); ok && err != nil && apperr.Field(err) == field {
			return apperr.Message(err)
		}
		return ""
	},
	// errorForm names the form of a page with several that an error's
	// field belongs to, so that the form opens again with it.
	"errorForm": func(v any) string {
		err, ok := v.(error)
		if !ok || err == nil {
			return ""
		}
		switch apperr.Field(err) {
		case "review", "held_on", "panel", "outcome", "notes":
			return "review"
		case "kind", "from", "to", "percent", "reason":
			return "change"
		}
		return ""
	},
	// deref is the time a pointer holds, or the zero time.
	"deref": func(t *time.Time) time.Time {
		if t == nil {
			return time.Time{}
		}
		return *t
	},
	"capitalise": func(s string) string {
		if s == "" {
			return s
		}
		return strings.ToUpper(s[:1]) + s[1:]
	},
	// The names of pre-employment checks, their statuses and who acts.
	"checkName":      func(kind string) string { return recruit.CheckNames[kind] },
	"checkStatus":    func(status string) string { return recruit.CheckStatusNames[status] },
	"actorName":      func(actor string) string { return recruit.ActorNames[actor] },
	"offerRules":     func() string { return recruit.OfferRules },
	"inServiceRules": func() string { return recruit.InServiceRules },
	// dict builds a map for passing several values to a partial.
	"dict": func(kv ...any) (map[string]any, error) {
		if len(kv)%2 != 0 {
			return nil, fmt.Errorf("dict needs key and value pairs")
		}
		m := make(map[string]any, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			k, ok := kv[i].(string)
			if !ok {
				return nil, fmt.Errorf("dict key %v is not a string", kv[i])
			}
			m[k] = kv[i+1]
		}
		return m, nil
	},
}

// parseTemplates parses each page template with the shared layout and
// partials, once at start-up.
func parseTemplates(assetNames map[string]string) (map[string]*template.Template, error) {
	// asset is the address of a front-end file under its fingerprinted
	// name; an unknown name fails the render rather than linking nothing.
	asset := func(name string) (string, error) {
		file, ok := assetNames[name]
		if !ok {
			return "", fmt.Errorf("no front-end file %q in the manifest", name)
		}
		return "/assets/" + file, nil
	}
	files, err := fs.Glob(embedded, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	// The layout and partials are parsed once and each page is parsed
	// into its own copy of them.
	base, err := template.New("layout").Funcs(templateFuncs).Funcs(template.FuncMap{"asset": asset}).ParseFS(embedded, "templates/layout.html", "templates/partials.html")
	if err != nil {
		return nil, fmt.Errorf("parse templates: %w", err)
	}
	// Pages are parsed on every CPU at once: this is a third of start-up.
	parsed := make([]*template.Template, len(files))
	errs := make([]error, len(files))
	var next atomic.Int32
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(files)) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < len(files); i = int(next.Add(1)) - 1 {
				t, err := base.Clone()
				if err == nil {
					t, err = t.ParseFS(embedded, files[i])
				}
				if err != nil {
					errs[i] = fmt.Errorf("parse template %s: %w", files[i], err)
				}
				parsed[i] = t
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	pages := make(map[string]*template.Template, len(files))
	for i, file := range files {
		pages[strings.TrimSuffix(path.Base(file), ".html")] = parsed[i]
	}
	return pages, nil
}

// selectOptions builds the option lists the forms share, once.
func selectOptions(f *framework.Framework) map[string][][2]string {
	o := map[string][][2]string{
		"areas":           {{"", "Any area"}},
		"levels":          {{"", "Any level"}},
		"targetLevels":    {{"", "Choose a career level"}},
		"fromSpecialisms": {{"", "Choose a specialism, if you work or trained in one"}},
		"patients":        {{"", "Any"}, {framework.ContactNone, "None"}, {framework.ContactSome, "Some"}, {framework.ContactMost, "Most of the day"}},
		"settings":        {{"", "Anywhere"}},
		"starts":          {{"", "Choose where you are starting from"}},
		"specialisms":     {{"", "Choose a role"}},
		"compareSlots":    {{"role-1", "First role"}, {"role-2", "Second role"}, {"role-3", "Third role"}},
		"regions":         {{"", "Any region"}},
		"programmes":      {{"", "Any programme"}},
	}
	for _, r := range auth.Regions {
		o["regions"] = append(o["regions"], [2]string{r, r})
	}
	for _, p := range f.Programmes {
		if p.Kind == framework.ProgrammeTraining || p.Kind == framework.ProgrammeApprenticeship {
			o["programmes"] = append(o["programmes"], [2]string{p.ID, p.Name})
		}
	}
	for _, d := range f.Divisions {
		o["areas"] = append(o["areas"], [2]string{d.ID, d.Name})
	}
	for _, lv := range f.Levels {
		o["levels"] = append(o["levels"], [2]string{lv.ID, lv.Name})
		o["targetLevels"] = append(o["targetLevels"], [2]string{lv.ID, lv.Name})
	}
	for _, st := range framework.Settings {
		o["settings"] = append(o["settings"], [2]string{st, strings.ToUpper(st[:1]) + st[1:]})
	}
	for _, sp := range f.StartingPoints {
		o["starts"] = append(o["starts"], [2]string{sp.ID, sp.Name})
	}
	specs := slices.Clone(f.Specialisms)
	slices.SortFunc(specs, func(a, b *framework.Specialism) int { return strings.Compare(a.Name, b.Name) })
	for _, sp := range specs {
		o["specialisms"] = append(o["specialisms"], [2]string{sp.ID, sp.Name})
		o["fromSpecialisms"] = append(o["fromSpecialisms"], [2]string{sp.ID, sp.Name})
	}
	return o
}

// render executes a page template into a response.
func (s *Server) render(r *http.Request, status int, page, title string, crumbs []crumb, data any) (*response, error) {
	t, ok := s.pages[page]
	if !ok {
		return nil, fmt.Errorf("no template for page %q", page)
	}
	pd := pageData{Title: title, Description: describe(page, title, data), Pay: s.f.Pay(),
		Crumbs: crumbs, Path: r.URL.Path, Version: s.f.Version, Options: s.options, Data: data}
	if r.URL.Path == "/search" {
		pd.Query = r.URL.Query().Get("q")
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", pd); err != nil {
		return nil, fmt.Errorf("render %s: %w", page, err)
	}
	return newResponse(status, "text/html; charset=utf-8", buf.Bytes()), nil
}

// page wraps a page handler: only GET and HEAD, cached by URL, errors
// rendered as pages. For pages built from the framework alone, which is
// fixed while the process runs.
func (s *Server) page(build func(r *http.Request) (*response, error)) http.Handler {
	return s.pageWith(build, true)
}

// livePage wraps a public page that shows what the database holds (open
// posts): kept in this process only for cacheTTLLive, since another
// server's write would not reach its copy, and revalidated by clients on
// every use (an unchanged page costs them a 304).
func (s *Server) livePage(build func(r *http.Request) (*response, error)) http.Handler {
	return s.pageWith(build, false)
}

func (s *Server) pageWith(build func(r *http.Request) (*response, error), fixed bool) http.Handler {
	cacheControl, ttl := cacheControlPublic, cacheTTL
	if !fixed {
		cacheControl, ttl = cacheControlLive, cacheTTLLive
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			resp, err := s.render(r, http.StatusMethodNotAllowed, "error", "That action is not allowed here", nil,
				map[string]any{"Status": http.StatusMethodNotAllowed, "Message": "This page can only be read, not sent to."})
			if err != nil {
				http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
				return
			}
			resp.write(w, r, "no-store")
			return
		}
		key, cacheable := cacheKey("page", r.Pattern, r.URL)
		if resp := s.cachedResponse(key, cacheable); resp != nil {
			resp.write(w, r, cacheControl)
			return
		}
		resp, err := build(r)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		if resp.status < 400 {
			if cacheable {
				s.cache.put(key, resp, ttl)
			}
			resp.write(w, r, cacheControl)
			return
		}
		resp.write(w, r, "no-store")
	})
}

// cachedResponse looks a public response up in the cache, counting hits
// and misses; a request whose answer may not be kept is a miss.
func (s *Server) cachedResponse(key string, cacheable bool) *response {
	if !s.cache.enabled() {
		return nil
	}
	if !cacheable {
		s.metrics.cacheLookup(false)
		return nil
	}
	resp := s.cache.get(key)
	s.metrics.cacheLookup(resp != nil)
	return resp
}

// api wraps a JSON API handler in the same way. A handler may return a
// *response itself, for redirects.
func (s *Server) api(build func(r *http.Request) (any, error)) http.Handler {
	return s.apiWith(build, true)
}

// liveAPI is the API's livePage: answers from the database, kept only
// for a moment.
func (s *Server) liveAPI(build func(r *http.Request) (any, error)) http.Handler {
	return s.apiWith(build, false)
}

func (s *Server) apiWith(build func(r *http.Request) (any, error), fixed bool) http.Handler {
	cacheControl, ttl := cacheControlPublic, cacheTTL
	if !fixed {
		cacheControl, ttl = cacheControlLive, cacheTTLLive
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			var body apiError
			body.Error.Code = "method_not_allowed"
			body.Error.Message = r.Method + " is not allowed here; the explorer API is read-only"
			b, _ := json.Marshal(body)
			newResponse(http.StatusMethodNotAllowed, "application/json", append(b, '\n')).write(w, r, "no-store")
			return
		}
		key, cacheable := cacheKey("api", r.Pattern, r.URL)
		if resp := s.cachedResponse(key, cacheable); resp != nil {
			resp.write(w, r, cacheControl)
			return
		}
		v, err := build(r)
		if err != nil {
			s.fail(w, r, true, err)
			return
		}
		resp, ok := v.(*response)
		if !ok {
			b, err := json.Marshal(v)
			if err != nil {
				s.logIfInternal(r, err)
				s.jsonError(err).write(w, r, "no-store")
				return
			}
			resp = newResponse(http.StatusOK, "application/json", append(b, '\n'))
		}
		if cacheable {
			s.cache.put(key, resp, ttl)
		}
		resp.write(w, r, cacheControl)
	})
}

func notFound(format string, args ...any) error {
	return apperr.Errorf(apperr.NotFound, format, args...)
}

// dynamic wraps a handler whose answer depends on who is asking or changes
// something: never cached. Errors are rendered as pages.
func (s *Server) dynamic(h func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if err := h(w, r); err != nil {
			s.renderError(w, r, err)
		}
	})
}

// show renders a page for a dynamic handler.
func (s *Server) show(w http.ResponseWriter, r *http.Request, status int, page, title string, crumbs []crumb, data any) error {
	resp, err := s.render(r, status, page, title, crumbs, data)
	if err != nil {
		return err
	}
	resp.write(w, r, "no-store")
	return nil
}

// apiJSON wraps an API handler that may depend on who is asking or change
// something: never cached; errors as JSON.
func (s *Server) apiJSON(h func(w http.ResponseWriter, r *http.Request) (int, any, error)) http.Handler {
	return s.idempotent(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status, v, err := h(w, r)
		if err != nil {
			s.fail(w, r, true, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		if v != nil {
			json.NewEncoder(w).Encode(v)
		}
	}))
}
