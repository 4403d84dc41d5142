package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/andybalholm/brotli"

	"hcs/internal/auth"
	"hcs/internal/testkit"
)

// scenario is one request and what must (and must not) come back.
type scenario struct {
	name     string
	url      string
	method   string // GET when empty
	header   map[string]string
	status   int
	location string   // expected Location header, for redirects
	contains []string // substrings the body must contain
	absent   []string // substrings it must not contain
	// undocumented marks API requests that are deliberately outside
	// openapi.json, such as unknown endpoints.
	undocumented bool
}

func (sc scenario) run(t *testing.T, h http.Handler, spec *apiSpec) {
	t.Helper()
	method := sc.method
	if method == "" {
		method = http.MethodGet
	}
	req := httptest.NewRequest(method, sc.url, nil)
	for k, v := range sc.header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body := rec.Body.String()
	if rec.Code != sc.status {
		t.Fatalf("%s %s: status %d, want %d\n%s", method, sc.url, rec.Code, sc.status, excerpt(body))
	}
	if sc.location != "" && rec.Header().Get("Location") != sc.location {
		t.Errorf("%s: Location %q, want %q", sc.url, rec.Header().Get("Location"), sc.location)
	}
	for _, want := range sc.contains {
		if !strings.Contains(body, want) {
			t.Errorf("%s: body does not contain %q\n%s", sc.url, want, excerpt(body))
		}
	}
	for _, bad := range sc.absent {
		if strings.Contains(body, bad) {
			t.Errorf("%s: body contains %q", sc.url, bad)
		}
	}
	if strings.HasPrefix(sc.url, "/api/v1/") && rec.Code != http.StatusMethodNotAllowed && !sc.undocumented {
		spec.validate(t, req, rec)
	}
}

func excerpt(s string) string {
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return s
}

// apiSpec validates API responses against openapi.json and records which
// of its operations the tests reached.
type apiSpec struct {
	doc    *openapi3.T
	router routers.Router
	seen   map[string]bool
}

func loadSpec(t *testing.T) *apiSpec {
	t.Helper()
	b, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.json is not a valid OpenAPI document: %v", err)
	}
	doc.Servers = openapi3.Servers{{URL: "http://example.com/api/v1"}}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &apiSpec{doc: doc, router: router, seen: map[string]bool{}}
}

func (s *apiSpec) validate(t *testing.T, req *http.Request, rec *httptest.ResponseRecorder) {
	t.Helper()
	req = req.Clone(context.Background())
	req.URL.Scheme, req.URL.Host = "http", "example.com"
	route, params, err := s.router.FindRoute(req)
	if err != nil {
		t.Errorf("%s: not described by openapi.json: %v", req.URL, err)
		return
	}
	s.seen[route.Method+" "+route.Path] = true
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 rec.Code,
		Header:                 rec.Header(),
		Body:                   io.NopCloser(bytes.NewReader(rec.Body.Bytes())),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
		t.Errorf("%s: response does not match openapi.json: %v", req.URL, err)
	}
}

func TestPages(t *testing.T) {
	h := testkit.Server(t)
	spec := loadSpec(t)
	for _, sc := range []scenario{
		{name: "home", url: "/", status: 200, contains: []string{"Careers in healthcare science", "Life sciences", "Physiological sciences", "Medical physics and clinical engineering", "nhsuk-header"}},
		{name: "areas", url: "/areas", status: 200, contains: []string{"Neurosensory sciences", "Informatics"}},
		{name: "division", url: "/areas/life-sciences", status: 200, contains: []string{"Microbiology", "Clinical biochemistry"}},
		{name: "unknown division", url: "/areas/astrology", status: 404, contains: []string{"Page not found", "astrology"}},
		{name: "role group", url: "/role-groups/medical-physics", status: 200, contains: []string{"Radiotherapy physics", "Nuclear medicine"}},
		{name: "specialism", url: "/specialisms/audiology", status: 200, contains: []string{"<h1>Audiology</h1>", "hearing", "Scientist Training Programme (STP)", "Related roles", "Sources for this page"}},
		{name: "sub-specialism", url: "/specialisms/mycology", status: 200, contains: []string{"part of <a href=\"/specialisms/clinical-microbiology\">"}},
		{name: "alias redirects", url: "/specialisms/genetics", status: 301, location: "/specialisms/genomics"},
		{name: "alias in other spelling redirects", url: "/specialisms/Hematology", status: 301, location: "/specialisms/haematology-and-transfusion-science"},
		{name: "retired name with two successors", url: "/specialisms/reproductive-science", status: 200, contains: []string{"Andrology", "Clinical embryology", "not been used since"}},
		{name: "unknown specialism", url: "/specialisms/astrology", status: 404},
		{name: "filtered roles", url: "/specialisms?patients=none&setting=office", status: 200, contains: []string{"Clinical informatics"}, absent: []string{">Audiology<"}},
		{name: "bad filter names the field", url: "/specialisms?level=wizard", status: 400, contains: []string{"There is a problem", `href="#level"`, "wizard"}},
		{name: "levels", url: "/levels", status: 200, contains: []string{"Associate and assistant", "Consultant clinical scientist"}},
		{name: "level", url: "/levels/clinical-scientist", status: 200, contains: []string{"Band 7", "Scientist Training Programme (STP)"}},
		{name: "programmes", url: "/programmes", status: 200, contains: []string{"Higher Specialist Scientific Training (HSST)", "STP equivalence (STPE)"}},
		{name: "programme", url: "/programmes/stp", status: 200, contains: []string{"2:1", "MSc Clinical Science", "Band 6"}},
		{name: "search", url: "/search?q=audiolgy", status: 200, contains: []string{"/specialisms/audiology"}},
		{name: "search with no results", url: "/search?q=xyzzyq", status: 200, contains: []string{"No results for"}},
		{name: "search bad filter", url: "/search?q=heart&area=moon", status: 400, contains: []string{`href="#area"`, "moon"}},
		{name: "compare form", url: "/compare", status: 200, contains: []string{"Choose up to 3 roles"}},
		{name: "compare", url: "/compare?ids=audiology&ids=clinical-biochemistry&ids=", status: 200, contains: []string{"Where the roles differ", "Contact with patients", "/compare?ids=audiology%2Cclinical-biochemistry"}},
		{name: "compare too many", url: "/compare?ids=audiology,genomics,virology,mycology", status: 400, contains: []string{"up to 3"}},
		{name: "compare unknown", url: "/compare?ids=audiology,astrology", status: 400, contains: []string{"astrology"}},
		{name: "pathway form", url: "/pathway", status: 200, contains: []string{"Where are you starting from?"}},
		{name: "pathway", url: "/pathway?from=science-degree-22&specialism=genomics&level=clinical-scientist", status: 200, contains: []string{"Quickest route", "Master", "Scientist Training Programme (STP)"}},
		{name: "pathway missing field", url: "/pathway?show=1&from=gcses&specialism=genomics", status: 400, contains: []string{`href="#level"`, "Choose the career level"}},
		// A role page's link pre-fills the role and shows the form, no error.
		{name: "pathway from a role page", url: "/pathway?specialism=audiology", status: 200, contains: []string{"Plan your route into audiology", `<option value="audiology" selected>`}, absent: []string{"There is a problem", "nhsuk-error-message"}},
		{name: "pathway needs the start's specialism", url: "/pathway?show=1&from=registered-clinical-scientist&specialism=radiotherapy-physics&level=clinical-scientist", status: 400, contains: []string{`href="#from_specialism"`, "choose the specialism you work or trained in"}, absent: []string{"as a working as"}},
		{name: "pathway from another specialism", url: "/pathway?show=1&from=registered-clinical-scientist&from_specialism=clinical-biochemistry&specialism=radiotherapy-physics&level=clinical-scientist", status: 200, contains: []string{"do not qualify you in radiotherapy physics", "Quickest route", "competition ratio of 4 per post in 2023", "Needs a job in a department first"}},
		{name: "pathway in-service", url: "/pathway?show=1&from=registered-practitioner&from_specialism=audiology&specialism=audiology&level=clinical-scientist", status: 200, contains: []string{"in-service route", "Taken in your job"}},
		{name: "pathway GDC", url: "/pathway?show=1&from=science-degree-21&specialism=reconstructive-science&level=clinical-scientist", status: 200, contains: []string{"Dental technology degree and GDC registration", "this also needs: GDC registration as a dental technician"}},
		{name: "pathway no HSST", url: "/pathway?show=1&from=consultant-level-no-hsst&from_specialism=histopathology&specialism=histopathology&level=consultant", status: 200, contains: []string{"no Higher Specialist Scientific Training programme in histopathology"}, absent: []string{"/programmes/hsst"}},
		{name: "search answers a title outside healthcare science", url: "/search?q=sonographer", status: 200, contains: []string{`id="answer"`, "Sonographer: part of the imaging workforce", "/specialisms/vascular-science"}},
		{name: "search answers biomedical scientist", url: "/search?q=biomedical+scientist", status: 200, contains: []string{`id="answer"`, "protected title", "/programmes/ibms-registration-portfolio"}},
		{name: "compare shows what differs and what is shared", url: "/compare?ids=audiology,genomics", status: 200, contains: []string{"Where the roles differ", `id="same"`, "The same for both", "a published ratio of 3.9 per post in 2023", `<span class="nhsuk-table__heading hcs-compare__role" aria-hidden="true">Audiology </span>`, "/pathway?specialism=audiology"}},
		{name: "quiz results lead on", url: "/quiz/results?code=555551111155555111115555511111", status: 200, contains: []string{"Compare your top three side by side", "/compare?ids=", "Plan your route into", "than of most roles"}},
		{name: "pay page", url: "/pay", status: 200, contains: []string{"£24,465", "£125,637", "Band 1 closed to new entrants on 1 December 2018", "2025/26"}},
		{name: "level shows pay in pounds", url: "/levels/practitioner", status: 200, contains: []string{"£31,049 to £37,796 a year"}},
		{name: "specialism shows what is its own", url: "/specialisms/histopathology", status: 200, contains: []string{"There is no HSST programme in histopathology", "competition ratio of 14.1 per post in 2023", "£47,810"}},
		{name: "practitioner registration by area", url: "/specialisms/audiology", status: 200, contains: []string{"Registration Council for Clinical Physiologists"}, absent: []string{"Biomedical scientists must register"}},
		{name: "genomic counselling registration", url: "/specialisms/genomic-counselling", status: 200, contains: []string{"GCRAB (formerly the Genetic Counsellor Registration Board, GCRB)", "psychology, nursing and midwifery degrees"}},
		{name: "data download as JSON", url: "/data/framework.json", status: 200, contains: []string{`"licence"`, `"OGL-UK-3.0"`, `"pay_scales"`}},
		{name: "data download as CSV", url: "/data/pay.csv", status: 200, contains: []string{"year,country,band,point,years_to_reach,annual_pounds,closed,sources,licence", "2025/26,England,5,3,4,37796"}},
		{name: "unknown data table", url: "/data/wizards.csv", status: 404, contains: []string{"specialisms, divisions"}},
		{name: "sources page", url: "/sources", status: 200, contains: []string{"Open Government Licence v3.0", "page itself carries", "Third-party guide"}},
		{name: "robots", url: "/robots.txt", status: 200, contains: []string{"User-agent: *", "Disallow: /admin", "Sitemap: "}},
		{name: "sitemap", url: "/sitemap.xml", status: 200, contains: []string{"<urlset", "/specialisms/audiology</loc>", "/pay</loc>"}},
		{name: "pathway unknown start", url: "/pathway?from=moon&specialism=genomics&level=practitioner", status: 400, contains: []string{"moon", "gcses"}},
		{name: "pathway level missing in specialism", url: "/pathway?from=gcses&specialism=genomic-counselling&level=practitioner", status: 200, contains: []string{"has no practitioner level"}},
		{name: "pathway already qualified", url: "/pathway?from=registered-clinical-scientist&from_specialism=genomics&specialism=genomics&level=practitioner", status: 200, contains: []string{"already qualified beyond"}},
		{name: "quiz first page", url: "/quiz", status: 200, contains: []string{"never used to select applicants", "Part 1 of 4", `name="q1"`}},
		{name: "quiz page submit redirects with code", url: "/quiz?code=&submitted=1&q1=5&q2=4", status: 303, location: "/quiz?code=54&page=2"},
		{name: "quiz deal-breakers submit", url: "/quiz?code=54&submitted=4&dealbreakers=P&dealbreakers=S", status: 303, location: "/quiz/results?code=54-PS"},
		{name: "quiz results", url: "/quiz/results?code=111155551111555511115555111155-P", status: 200, contains: []string{"% match", "Why it matched", "left out because of your choices"}},
		{name: "quiz results flat", url: "/quiz/results?code=333333", status: 200, contains: []string{"same answer"}},
		{name: "quiz bad code", url: "/quiz/results?code=9", status: 400, contains: []string{"answer 1"}},
		{name: "unknown page", url: "/no/such/page", status: 404, contains: []string{"Page not found"}},
		{name: "POST is refused", url: "/search", method: "POST", status: 405},
		{name: "health", url: "/healthz", status: 200, contains: []string{`"status":"ok"`, `"framework_version":"`}},
		{name: "assets by their own name are not served", url: "/assets/hcs.css", status: 404},
		{name: "the build manifest is not served", url: "/assets/manifest.json", status: 404},
		{name: "only built files are served", url: "/assets/README.md", status: 404},
		{name: "no folder listing", url: "/assets/images/", status: 404},
	} {
		t.Run(sc.name, func(t *testing.T) { sc.run(t, h, spec) })
	}
}

func TestAPI(t *testing.T) {
	h := testkit.Server(t)
	spec := loadSpec(t)
	for _, sc := range []scenario{
		{name: "openapi", url: "/api/v1/openapi.json", status: 200, contains: []string{`"openapi": "3.0.3"`}},
		{name: "framework", url: "/api/v1/framework", status: 200, contains: []string{`"version":"`}},
		{name: "divisions", url: "/api/v1/divisions", status: 200, contains: []string{`"life-sciences"`}},
		{name: "division", url: "/api/v1/divisions/informatics", status: 200},
		{name: "division 404", url: "/api/v1/divisions/moon", status: 404, contains: []string{`"code":"not_found"`}},
		{name: "role groups", url: "/api/v1/role-groups", status: 200},
		{name: "role group", url: "/api/v1/role-groups/microbiology", status: 200, contains: []string{"mycology"}},
		{name: "role group 404", url: "/api/v1/role-groups/moon", status: 404},
		{name: "specialisms", url: "/api/v1/specialisms", status: 200, contains: []string{"audiology", "mycology"}},
		{name: "specialisms filtered", url: "/api/v1/specialisms?level=practitioner&patients=most", status: 200, contains: []string{"audiology"}, absent: []string{`"genomic-counselling"`}},
		{name: "specialisms bad filter", url: "/api/v1/specialisms?setting=moon", status: 400, contains: []string{`"field":"setting"`}},
		{name: "specialism", url: "/api/v1/specialisms/clinical-microbiology", status: 200, contains: []string{`"sub_specialisms"`, "virology"}},
		{name: "specialism alias", url: "/api/v1/specialisms/genetics", status: 301, location: "/api/v1/specialisms/genomics"},
		{name: "specialism retired", url: "/api/v1/specialisms/reproductive-science", status: 301, location: "/api/v1/renamed/reproductive-science"},
		{name: "specialism 404", url: "/api/v1/specialisms/moon", status: 404},
		{name: "renamed", url: "/api/v1/renamed/imaging-with-ionising-radiation", status: 200, contains: []string{"nuclear-medicine"}},
		{name: "renamed 404", url: "/api/v1/renamed/moon", status: 404},
		{name: "levels", url: "/api/v1/levels", status: 200},
		{name: "level", url: "/api/v1/levels/consultant", status: 200, contains: []string{`"9"`}},
		{name: "level 404", url: "/api/v1/levels/moon", status: 404},
		{name: "programmes", url: "/api/v1/programmes", status: 200},
		{name: "programme", url: "/api/v1/programmes/hsst", status: 200, contains: []string{"DClinSci"}},
		{name: "programme 404", url: "/api/v1/programmes/moon", status: 404},
		{name: "starting points", url: "/api/v1/starting-points", status: 200, contains: []string{"gcses"}},
		{name: "search", url: "/api/v1/search?q=hearing+test", status: 200, contains: []string{`"results":[{"type":"specialism","id":"audiology","name":"Audiology","url":"/specialisms/audiology"`}},
		{name: "search filtered", url: "/api/v1/search?q=level:consultant", status: 200, contains: []string{`"level":"consultant"`}},
		{name: "search empty", url: "/api/v1/search?q=", status: 200, contains: []string{`"results":[]`}},
		{name: "search bad filter", url: "/api/v1/search?q=x&patients=lots", status: 400, contains: []string{`"field":"patients"`}},
		{name: "compare", url: "/api/v1/compare?ids=audiology,genomics", status: 200, contains: []string{`"differs":true`}},
		{name: "compare none", url: "/api/v1/compare", status: 400, contains: []string{`"field":"ids"`}},
		{name: "pathway", url: "/api/v1/pathway?from=gcses&specialism=cardiac-science&level=practitioner", status: 200, contains: []string{`"status":"route"`, `"ptp"`}},
		{name: "pathway unavailable", url: "/api/v1/pathway?from=gcses&specialism=genomic-counselling&level=associate-assistant", status: 200, contains: []string{`"status":"level-unavailable"`}},
		{name: "pathway bad", url: "/api/v1/pathway?from=x&specialism=genomics&level=consultant", status: 400, contains: []string{`"field":"from"`}},
		{name: "search answer", url: "/api/v1/search?q=radiographer", status: 200, contains: []string{`"in_healthcare_science":false`, `"belongs_to":"the allied health professions"`}},
		{name: "pathway across specialisms", url: "/api/v1/pathway?from=registered-practitioner&from_specialism=audiology&specialism=audiology&level=clinical-scientist", status: 200, contains: []string{`"id":"stp-in-service"`, `"has_job":true`, `"ratio_per_post":3.9`}},
		{name: "quiz", url: "/api/v1/quiz", status: 200, contains: []string{"never used to select applicants"}},
		{name: "quiz results", url: "/api/v1/quiz/results?code=5555511111-R", status: 200, contains: []string{`"matches":[`, `"deal_breaker":"no-radiation"`}},
		{name: "quiz results bad", url: "/api/v1/quiz/results?code=12x", status: 400, contains: []string{"answer 3"}},
		{name: "open posts", url: "/api/v1/posts?region=Wales", status: 200, contains: []string{`"posts":[]`}},
		{name: "open posts bad filter", url: "/api/v1/posts?region=Atlantis", status: 400, contains: []string{`"field":"region"`}},
		{name: "unknown endpoint", url: "/api/v1/nothing", status: 404, contains: []string{`"code":"not_found"`}, undocumented: true},
		{name: "POST refused", url: "/api/v1/search", method: "POST", status: 405},
	} {
		t.Run(sc.name, func(t *testing.T) { sc.run(t, h, spec) })
	}
	spec.checkExercised(t, "Explorer")
}

// checkExercised fails for each operation with one of the tags that the
// test did not call.
func (s *apiSpec) checkExercised(t *testing.T, tags ...string) {
	t.Helper()
	for path, item := range s.doc.Paths.Map() {
		for method, op := range item.Operations() {
			if slices.ContainsFunc(op.Tags, func(tag string) bool { return slices.Contains(tags, tag) }) && !s.seen[method+" "+path] {
				t.Errorf("openapi.json describes %s %s but this test does not call it", method, path)
			}
		}
	}
}

// TestOpenAPIDescribesEveryRoute: every /api/v1 route of the routing table
// has an operation in openapi.json, every operation a success response,
// and every success response with a body a schema that says something.
// Signed-in operations name the session cookie; their errors are
// described.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	spec := loadSpec(t)
	routes := testkit.Server(t).Routes()
	described := 0
	for _, rt := range routes {
		if !rt.API() {
			continue
		}
		method, path, _ := strings.Cut(rt.Pattern, " ")
		item := spec.doc.Paths.Find(strings.TrimPrefix(path, "/api/v1"))
		var op *openapi3.Operation
		if item != nil {
			op = item.GetOperation(method)
		}
		if op == nil {
			t.Errorf("%s has no operation in openapi.json", rt.Pattern)
			continue
		}
		described++
		if rt.Action != auth.ActionPublic && (op.Security == nil || len(*op.Security) == 0) {
			t.Errorf("%s needs someone signed in, but its operation names no security scheme", rt.Pattern)
		}
		if rt.Action != auth.ActionPublic && op.Responses.Value("401") == nil {
			t.Errorf("%s: the operation does not describe 401", rt.Pattern)
		}
		success := 0
		for code, r := range op.Responses.Map() {
			if !strings.HasPrefix(code, "2") {
				continue
			}
			success++
			if code == "204" {
				continue
			}
			if len(r.Value.Content) == 0 {
				t.Errorf("%s: success response %s describes no body", rt.Pattern, code)
			}
			for ct, mt := range r.Value.Content {
				if mt.Schema == nil || emptySchema(mt.Schema) {
					t.Errorf("%s: success response %s as %s has no schema, or one that says nothing", rt.Pattern, code, ct)
				}
			}
		}
		if success == 0 {
			t.Errorf("%s: no success response", rt.Pattern)
		}
	}
	if described < 60 {
		t.Errorf("only %d API routes are described", described)
	}
	// The check itself can fail.
	if !emptySchema(&openapi3.SchemaRef{Value: &openapi3.Schema{}}) || emptySchema(&openapi3.SchemaRef{Ref: "#/components/schemas/Post"}) {
		t.Error("emptySchema is wrong")
	}
}

// emptySchema reports whether a schema constrains nothing.
func emptySchema(s *openapi3.SchemaRef) bool {
	if s.Ref != "" {
		return false
	}
	v := s.Value
	return v == nil || v.Type == nil && len(v.Properties) == 0 && v.Items == nil && len(v.AllOf) == 0 && len(v.OneOf) == 0 && len(v.AnyOf) == 0
}

func TestETagRevalidation(t *testing.T) {
	h := testkit.Server(t)
	for _, url := range []string{"/specialisms/audiology", "/api/v1/search?q=heart"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", url, nil))
		etag := rec.Header().Get("ETag")
		if etag == "" || rec.Header().Get("Cache-Control") == "" {
			t.Fatalf("%s: no ETag or Cache-Control", url)
		}
		req := httptest.NewRequest("GET", url, nil)
		req.Header.Set("If-None-Match", etag)
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
			t.Errorf("%s with matching If-None-Match: %d and %d bytes, want 304 and none", url, rec.Code, rec.Body.Len())
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	h := testkit.Server(t)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	csp := rec.Header().Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP allows unsafe-inline: %q", csp)
	}
	if rec.Header().Get("X-Content-Type-Options") != "nosniff" || rec.Header().Get("Referrer-Policy") == "" {
		t.Errorf("missing nosniff or referrer policy: %v", rec.Header())
	}
	// One inline script, allowed by its hash; no inline styles.
	body := rec.Body.String()
	if strings.Count(body, "<script>") != 1 || strings.Contains(body, "style=") {
		t.Fatal("pages carry inline scripts or styles beyond the one the CSP allows")
	}
	_, rest, _ := strings.Cut(body, "<script>")
	script, _, _ := strings.Cut(rest, "</script>")
	sum := sha256.Sum256([]byte(script))
	if !strings.Contains(csp, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") {
		t.Errorf("CSP %q does not allow the page's inline script by its hash", csp)
	}
}

// Front-end files are fingerprinted, cached for a year and sent as the
// build's brotli or gzip copy; pages and API answers are compressed too,
// each encoding with its own ETag.
func TestAssetsAndCompression(t *testing.T) {
	h := testkit.Server(t)
	get := func(url, enc string, header ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", url, nil)
		if enc != "" {
			req.Header.Set("Accept-Encoding", enc)
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	decode := func(t *testing.T, rec *httptest.ResponseRecorder) string {
		t.Helper()
		var r io.Reader = rec.Body
		switch rec.Header().Get("Content-Encoding") {
		case "br":
			r = brotli.NewReader(rec.Body)
		case "gzip":
			zr, err := gzip.NewReader(rec.Body)
			if err != nil {
				t.Fatal(err)
			}
			r = zr
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	page := get("/", "")
	css := regexp.MustCompile(`href="(/assets/hcs\.[0-9a-f]{12}\.css)"`).FindStringSubmatch(page.Body.String())
	js := regexp.MustCompile(`src="(/assets/hcs\.[0-9a-f]{12}\.js)"`).FindStringSubmatch(page.Body.String())
	if css == nil || js == nil {
		t.Fatalf("the page does not link fingerprinted hcs.css and hcs.js")
	}
	for _, enc := range []string{"br", "gzip", "gzip, deflate, br", ""} {
		rec := get(css[1], enc)
		want := map[string]string{"br": "br", "gzip": "gzip", "gzip, deflate, br": "br", "": ""}[enc]
		if rec.Code != 200 || rec.Header().Get("Content-Encoding") != want {
			t.Errorf("%s with Accept-Encoding %q: %d, encoding %q, want %q", css[1], enc, rec.Code, rec.Header().Get("Content-Encoding"), want)
		}
		if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") || !strings.Contains(cc, "immutable") {
			t.Errorf("%s: Cache-Control %q", css[1], cc)
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
			t.Errorf("%s: Content-Type %q", css[1], ct)
		}
		body := decode(t, rec)
		if !strings.Contains(body, ".nhsuk-header") || strings.Contains(body, "@font-face") || strings.Contains(body, "assets.nhs.uk") {
			t.Errorf("%s (%s): not the design system's stylesheet without its webfont", css[1], enc)
		}
	}
	if rec := get(js[1], "br"); rec.Header().Get("Content-Encoding") != "br" || !strings.Contains(decode(t, rec), "initAll") {
		t.Errorf("%s: not hcs.js in brotli", js[1])
	}
	if rec := get(css[1]+".br", ""); rec.Code != 404 {
		t.Errorf("the build's compressed copy is served by its own name: %d", rec.Code)
	}

	// A page: compressed, varying by encoding, its ETag per encoding.
	plain, gz, br := get("/specialisms/audiology", ""), get("/specialisms/audiology", "gzip"), get("/specialisms/audiology", "br")
	if gz.Header().Get("Content-Encoding") != "gzip" || br.Header().Get("Content-Encoding") != "br" || plain.Header().Get("Content-Encoding") != "" {
		t.Fatalf("page encodings: %q %q %q", plain.Header().Get("Content-Encoding"), gz.Header().Get("Content-Encoding"), br.Header().Get("Content-Encoding"))
	}
	if !strings.Contains(br.Header().Get("Vary"), "Accept-Encoding") {
		t.Error("a compressed page does not vary by Accept-Encoding")
	}
	if decode(t, gz) != plain.Body.String() || decode(t, br) != plain.Body.String() {
		t.Error("a compressed page does not decode to the plain one")
	}
	if plain.Header().Get("ETag") == gz.Header().Get("ETag") || gz.Header().Get("ETag") == br.Header().Get("ETag") {
		t.Error("encodings share an ETag")
	}
	if rec := get("/specialisms/audiology", "gzip", "If-None-Match", gz.Header().Get("ETag")); rec.Code != http.StatusNotModified {
		t.Errorf("revalidating the gzip page: %d, want 304", rec.Code)
	}
	// A dynamic answer (not from the cache) is compressed as it is written.
	if rec := get("/api/v1/openapi.json", "br"); rec.Header().Get("Content-Encoding") != "br" || !strings.Contains(decode(t, rec), `"openapi"`) {
		t.Errorf("the API document is not sent in brotli: %q", rec.Header().Get("Content-Encoding"))
	}
	if rec := get("/healthz", "gzip"); rec.Header().Get("Content-Encoding") != "gzip" {
		t.Errorf("healthz is not compressed: %q", rec.Header().Get("Content-Encoding"))
	}
}
