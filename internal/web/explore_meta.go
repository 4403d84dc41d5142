package web

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"slices"
	"strings"

	"hcs/internal/framework"
)

// The pages about the data itself: pay, sources, and what search engines
// read.

func (s *Server) payPage(r *http.Request) (*response, error) {
	ps := s.f.Pay()
	cites := [][]framework.Citation{ps.Sources}
	for _, b := range ps.Bands {
		cites = append(cites, b.ClosedSources)
	}
	return s.render(r, http.StatusOK, "pay", "NHS pay bands in pounds", []crumb{homeCrumb, {"Career levels", "/levels"}},
		map[string]any{"Scale": ps, "Sources": s.sources(cites...)})
}

func (s *Server) sourcesPage(r *http.Request) (*response, error) {
	return s.render(r, http.StatusOK, "sources", "Sources and licence", []crumb{homeCrumb}, s.f)
}

// dataJSON is the whole framework as one JSON document, for download.
func (s *Server) dataJSON(r *http.Request) (*response, error) {
	var buf bytes.Buffer
	if err := framework.ExportJSON(&buf, s.f); err != nil {
		return nil, err
	}
	return newResponse(http.StatusOK, "application/json; charset=utf-8", buf.Bytes()), nil
}

// dataCSV is one table of the framework as CSV, for download.
func (s *Server) dataCSV(r *http.Request) (*response, error) {
	table, ok := strings.CutSuffix(r.PathValue("file"), ".csv")
	if !ok || !slices.Contains(framework.ExportTables, table) {
		return nil, notFound("There is no table called %q. The tables are: %s.", r.PathValue("file"), strings.Join(framework.ExportTables, ", "))
	}
	var buf bytes.Buffer
	if err := framework.ExportCSV(&buf, s.f, table); err != nil {
		return nil, err
	}
	return newResponse(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes()), nil
}

// robots lets crawlers read the public explorer and keeps them out of
// signed-in pages, forms and the API.
func (s *Server) robots(r *http.Request) (*response, error) {
	var b strings.Builder
	b.WriteString("User-agent: *\n")
	for _, p := range []string{"/account", "/admin", "/api/", "/applications", "/apply", "/employer", "/interviews", "/offers", "/password-reset", "/preferences", "/profile", "/reviews", "/rounds", "/school", "/sign-in", "/sign-up", "/training", "/workforce"} {
		b.WriteString("Disallow: " + p + "\n")
	}
	b.WriteString("\nSitemap: " + s.baseURL + "/sitemap.xml\n")
	return newResponse(http.StatusOK, "text/plain; charset=utf-8", []byte(b.String())), nil
}

// sitemap lists every public explorer page.
func (s *Server) sitemap(r *http.Request) (*response, error) {
	paths := []string{"/", "/areas", "/specialisms", "/levels", "/programmes", "/compare", "/pathway", "/quiz", "/pay", "/sources", "/posts", "/data/framework.json"}
	for _, d := range s.f.Divisions {
		paths = append(paths, "/areas/"+d.ID)
	}
	for _, g := range s.f.RoleGroups {
		paths = append(paths, "/role-groups/"+g.ID)
	}
	for _, sp := range s.f.Specialisms {
		paths = append(paths, "/specialisms/"+sp.ID)
	}
	for _, rn := range s.f.Renamed {
		paths = append(paths, "/specialisms/"+rn.ID)
	}
	for _, lv := range s.f.Levels {
		paths = append(paths, "/levels/"+lv.ID)
	}
	for _, p := range s.f.Programmes {
		paths = append(paths, "/programmes/"+p.ID)
	}
	type url struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod"`
	}
	doc := struct {
		XMLName xml.Name `xml:"urlset"`
		NS      string   `xml:"xmlns,attr"`
		URLs    []url    `xml:"url"`
	}{NS: "http://www.sitemaps.org/schemas/sitemap/0.9"}
	for _, p := range paths {
		doc.URLs = append(doc.URLs, url{Loc: s.baseURL + p, LastMod: s.f.Published})
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return newResponse(http.StatusOK, "application/xml; charset=utf-8", buf.Bytes()), nil
}
