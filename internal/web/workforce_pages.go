package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/text"
	"hcs/internal/workforce"
)

// breakdown is a way figures can be broken down: a dimension at a depth.
type breakdown struct {
	Value, Label string
	Dim          workforce.Dim
	Depth        int
}

var breakdowns = []breakdown{
	{"region", "Region", workforce.DimRegion, 1},
	{"division", "Division", workforce.DimSpecialism, 1},
	{"group", "Role group", workforce.DimSpecialism, 2},
	{"specialism", "Specialism", workforce.DimSpecialism, 3},
	{"level", "Career level", workforce.DimLevel, 1},
	{"band", "Agenda for Change band", workforce.DimBand, 1},
}

// figuresForm is the dashboard's filters as the URL carries them.
type figuresForm struct {
	At, By, Region, Specialism, Level, Band string
}

func (f figuresForm) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"at": f.At, "by": f.By, "region": f.Region, "specialism": f.Specialism, "level": f.Level, "band": f.Band} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// Query is the form as a query string, with some fields changed.
func (f figuresForm) Query(changes ...string) string {
	v := f.values()
	for i := 0; i+1 < len(changes); i += 2 {
		if changes[i+1] == "" {
			v.Del(changes[i])
		} else {
			v.Set(changes[i], changes[i+1])
		}
	}
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

// figuresQuery reads the dashboard's filters from a request.
func figuresQuery(r *http.Request, m *workforce.Model) (figuresForm, workforce.Query, error) {
	q := r.URL.Query()
	f := figuresForm{At: q.Get("at"), By: q.Get("by"), Region: q.Get("region"), Specialism: q.Get("specialism"), Level: q.Get("level"), Band: q.Get("band")}
	if f.By == "" {
		// The first breakdown the filters leave open.
		f.By = "level"
		for _, b := range breakdowns {
			filter := map[workforce.Dim]string{workforce.DimRegion: f.Region, workforce.DimSpecialism: f.Specialism, workforce.DimLevel: f.Level, workforce.DimBand: f.Band}[b.Dim]
			if filter == "" {
				f.By = b.Value
				break
			}
			if b.Dim == workforce.DimSpecialism {
				if n, ok := m.Dims[b.Dim].Node(filter); ok && m.Dims[b.Dim].Nodes[n].Depth < b.Depth {
					f.By = b.Value
					break
				}
			}
		}
	}
	var wq workforce.Query
	i := slices.IndexFunc(breakdowns, func(b breakdown) bool { return b.Value == f.By })
	if i < 0 {
		return f, wq, apperr.Invalidf("by", "Break the figures down by one of: region, division, group, specialism, level or band")
	}
	wq.By, wq.Depth = breakdowns[i].Dim, breakdowns[i].Depth
	if f.At != "" {
		d, err := workforce.ParseDay(f.At)
		if err != nil {
			return f, wq, apperr.Invalidf("at", "Choose a quarter's end from the list: %v", err)
		}
		wq.At = d
	}
	wq.Filter[workforce.DimRegion], wq.Filter[workforce.DimSpecialism] = f.Region, f.Specialism
	wq.Filter[workforce.DimLevel], wq.Filter[workforce.DimBand] = f.Level, f.Band
	if wq.By == workforce.DimSpecialism && f.Specialism != "" {
		if n, ok := m.Dims[workforce.DimSpecialism].Node(f.Specialism); ok && m.Dims[workforce.DimSpecialism].Nodes[n].Depth >= wq.Depth {
			return f, wq, apperr.Invalidf("by", "%s is one %s: break it down by something finer, or by region, level or band",
				m.Dims[workforce.DimSpecialism].Nodes[n].Name, strings.ToLower(breakdowns[i].Label))
		}
	} else if wq.By != workforce.DimSpecialism && wq.Filter[wq.By] != "" {
		return f, wq, apperr.Invalidf("by", "The figures are filtered to one %s: break them down by something else", strings.ToLower(breakdowns[i].Label))
	}
	return f, wq, nil
}

// dashboardRow is a row of the breakdown, with where it drills down to.
type dashboardRow struct {
	workforce.Cell
	Drill, DrillLabel string
}

// option is a choice in a select: value and label.
type option = [2]string

func (s *Server) workforceHome(w http.ResponseWriter, r *http.Request) error {
	m, err := s.workforce.Model(r.Context())
	if err != nil {
		return err
	}
	imports, err := s.workforce.Imports(r.Context(), 5, nil)
	if err != nil {
		return err
	}
	form, q, err := figuresQuery(r, m)
	data := map[string]any{"Form": form, "Imports": imports, "Threshold": m.Threshold, "Empty": len(m.Points) == 0,
		"Options": s.figureOptions(m), "CanImport": principal(r).Allowed(auth.ActionWorkforceImport, auth.AnyRecord)}
	var table *workforce.Table
	var series *workforce.Series
	if err == nil && len(m.Points) > 0 {
		if table, err = m.Breakdown(q); err == nil {
			series, err = m.Series(q.Filter)
		}
	}
	if err != nil || len(m.Points) == 0 {
		status := http.StatusOK
		if err != nil {
			data["Error"], status = err, errorStatus(err)
			if apperr.Code(err) != apperr.Invalid {
				return err
			}
		}
		return s.show(w, r, status, "workforce", "Workforce", nil, data)
	}
	byLabel := breakdowns[slices.IndexFunc(breakdowns, func(b breakdown) bool { return b.Value == form.By })].Label
	var rows []dashboardRow
	labels, values, notes := []string{}, []*int{}, []string{}
	for _, c := range table.Rows {
		row := dashboardRow{Cell: c}
		row.Drill, row.DrillLabel = drill(form, c)
		rows = append(rows, row)
		labels = append(labels, c.Name)
		values, notes = append(values, shownCount(c)), append(notes, shownNote(c, m.Threshold))
	}
	at := table.At.String()
	scope := filterText(table)
	data["Table"], data["Rows"], data["By"], data["At"], data["Scope"] = table, rows, byLabel, at, scope
	data["Bar"] = newBarChart("bars", fmt.Sprintf("Headcount by %s, %s", strings.ToLower(byLabel), longDate(at)),
		fmt.Sprintf("A bar for each %s: %s, on %s. The table after the chart has each figure.", strings.ToLower(byLabel), scope, longDate(at)), labels, values, notes)
	dates, points := make([]string, len(series.Points)), make([]*int, len(series.Points))
	for i, d := range series.Points {
		dates[i], points[i] = d.String(), shownCount(series.Cells[i])
	}
	data["Series"], data["SeriesDates"] = series, dates
	data["Line"] = newLineChart("line", fmt.Sprintf("Headcount at the end of each quarter, %s to %s", longDate(dates[0]), longDate(dates[len(dates)-1])),
		fmt.Sprintf("A line of the headcount of %s at each quarter's end; the line breaks where a figure is not shown. The table after the chart has each figure.", scope), dates, points)
	data["Points"] = m.Points
	// Joiners and leavers: in the year to the quarter shown, when the
	// records reach a year before it, and in each financial year.
	if flows, err := m.FlowBreakdown(q); err == nil {
		data["Flows"] = flows
	} else if apperr.Code(err) == apperr.Invalid {
		data["FlowsNote"] = err.Error()
	} else {
		return err
	}
	fs, err := m.FlowSeries(q.Filter)
	if err != nil && apperr.Code(err) != apperr.Invalid {
		return err
	}
	if err == nil && len(fs.Points) > 0 {
		years, joiners, leavers := make([]string, len(fs.Points)), make([]*int, len(fs.Points)), make([]*int, len(fs.Points))
		for i, d := range fs.Points {
			years[i], joiners[i], leavers[i] = d.String(), figureCount(fs.Cells[i].Joiners), figureCount(fs.Cells[i].Leavers)
		}
		data["FlowSeries"], data["FlowYears"] = fs, years
		data["FlowLine"] = newLineChart("flows", fmt.Sprintf("Joiners and leavers in each financial year, %s to %s", longDate(years[0]), longDate(years[len(years)-1])),
			fmt.Sprintf("Two lines, for %s: joiners (solid) and leavers (dashed) in each year to 31 March; a line breaks where a figure is not shown. The table after the chart has each figure.", scope), years, joiners, leavers)
	}
	return s.show(w, r, http.StatusOK, "workforce", "Workforce", nil, data)
}

// shownCount is a cell's headcount when it is shown.
func shownCount(c workforce.Cell) *int {
	if c.Shown != workforce.ShownCount {
		return nil
	}
	n := c.Headcount
	return &n
}

// shownNote says why a cell has no figure.
func shownNote(c workforce.Cell, threshold int) string {
	switch c.Shown {
	case workforce.ShownFewer:
		return fmt.Sprintf("fewer than %d", threshold)
	case workforce.ShownHidden:
		return "not shown"
	}
	return ""
}

// drill is where a row leads: its group broken down further, or the
// next dimension within it.
func drill(f figuresForm, c workforce.Cell) (string, string) {
	switch f.By {
	case "division":
		return f.Query("specialism", c.Code, "by", "group"), "by role group"
	case "group":
		return f.Query("specialism", c.Code, "by", "specialism"), "by specialism"
	case "specialism":
		return f.Query("specialism", c.Code, "by", "level"), "by career level"
	case "region":
		return f.Query("region", c.Code, "by", "division"), "by division"
	case "level":
		return f.Query("level", c.Code, "by", "band"), "by band"
	case "band":
		return f.Query("band", c.Code, "by", "region"), "by region"
	}
	return "", ""
}

// filterText says which staff a table counts.
func filterText(t *workforce.Table) string {
	var parts []string
	for _, f := range t.Filter {
		if f.Code != "" {
			parts = append(parts, f.Name)
		}
	}
	if len(parts) == 0 {
		return "all healthcare science staff"
	}
	return "staff in " + strings.Join(parts, ", ")
}

// figureOptions are the dashboard's choices.
func (s *Server) figureOptions(m *workforce.Model) map[string][]option {
	out := map[string][]option{}
	for _, b := range breakdowns {
		out["by"] = append(out["by"], option{b.Value, b.Label})
	}
	for i := len(m.Points) - 1; i >= 0; i-- {
		d := m.Points[i].String()
		out["at"] = append(out["at"], option{d, longDate(d)})
	}
	if len(out["at"]) > 0 {
		out["at"][0][0] = ""
		out["at"][0][1] += " (latest)"
	}
	keys := map[workforce.Dim]string{workforce.DimRegion: "region", workforce.DimSpecialism: "specialism", workforce.DimLevel: "level", workforce.DimBand: "band"}
	for _, d := range workforce.Dims {
		for _, n := range m.Dims[d].Nodes {
			out[keys[d]] = append(out[keys[d]], option{n.Code, strings.Repeat("\u2003", max(n.Depth-1, 0)) + n.Name})
		}
	}
	return out
}

// workforceFiguresCSV is the breakdown as CSV.
func (s *Server) workforceFiguresCSV(w http.ResponseWriter, r *http.Request) error {
	m, _, table, err := s.figures(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	cw.Write([]string{"as_at", "group_code", "group", "headcount", "fte", "note"})
	for _, c := range append(slices.Clone(table.Rows), totalOf(table)) {
		cw.Write(figureRecord(table.At.String(), c, m.Threshold))
	}
	cw.Flush()
	return sendCSV(w, fmt.Sprintf("workforce-%s.csv", table.At), buf.Bytes())
}

func totalOf(t *workforce.Table) workforce.Cell {
	c := t.Total
	c.Name = "Total: " + c.Name
	return c
}

func figureRecord(at string, c workforce.Cell, threshold int) []string {
	rec := []string{at, text.CSVCell(c.Code), text.CSVCell(c.Name), "", "", shownNote(c, threshold)}
	if c.Shown == workforce.ShownCount {
		rec[3], rec[4] = strconv.Itoa(c.Headcount), c.FTE.String()
	}
	return rec
}

func sendCSV(w http.ResponseWriter, name string, body []byte) error {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	w.Header().Set("Cache-Control", "no-store")
	_, err := w.Write(body)
	return err
}

// question reads a request's figures question against the model.
func (s *Server) question(r *http.Request) (*workforce.Model, figuresForm, workforce.Query, error) {
	m, err := s.workforce.Model(r.Context())
	if err != nil {
		return nil, figuresForm{}, workforce.Query{}, err
	}
	f, q, err := figuresQuery(r, m)
	return m, f, q, err
}

// figures answers a request's breakdown.
func (s *Server) figures(r *http.Request) (*workforce.Model, figuresForm, *workforce.Table, error) {
	m, f, q, err := s.question(r)
	if err != nil {
		return nil, f, nil, err
	}
	t, err := m.Breakdown(q)
	return m, f, t, err
}

// series answers a request's series.
func (s *Server) series(r *http.Request) (*workforce.Model, *workforce.Series, error) {
	m, _, q, err := s.question(r)
	if err != nil {
		return nil, nil, err
	}
	se, err := m.Series(q.Filter)
	return m, se, err
}

func (s *Server) workforceSeriesCSV(w http.ResponseWriter, r *http.Request) error {
	m, se, err := s.series(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	cw.Write([]string{"quarter_end", "group", "headcount", "fte", "note"})
	for i, c := range se.Cells {
		c.Name = se.Name
		rec := figureRecord(se.Points[i].String(), c, m.Threshold)
		cw.Write(append(rec[:1], rec[2:]...))
	}
	cw.Flush()
	return sendCSV(w, "workforce-quarters.csv", buf.Bytes())
}

// figuresJSON is the API's breakdown.
type figuresJSON struct {
	At        string            `json:"at"`
	By        string            `json:"by"`
	Filter    map[string]string `json:"filter"`
	Threshold int               `json:"threshold"`
	Rows      []workforce.Cell  `json:"rows"`
	Total     workforce.Cell    `json:"total"`
}

func (s *Server) apiWorkforceFigures(w http.ResponseWriter, r *http.Request) (int, any, error) {
	m, form, t, err := s.figures(r)
	if err != nil {
		return 0, nil, err
	}
	out := figuresJSON{At: t.At.String(), By: form.By, Filter: map[string]string{}, Threshold: m.Threshold, Rows: t.Rows, Total: t.Total}
	for i, f := range t.Filter {
		if f.Code != "" {
			out.Filter[workforce.Dim(i).String()] = f.Code
		}
	}
	if out.Rows == nil {
		out.Rows = []workforce.Cell{}
	}
	return http.StatusOK, out, nil
}

type seriesJSON struct {
	Name      string           `json:"name"`
	Threshold int              `json:"threshold"`
	Points    []string         `json:"quarter_ends"`
	Cells     []workforce.Cell `json:"cells"`
}

func (s *Server) apiWorkforceSeries(w http.ResponseWriter, r *http.Request) (int, any, error) {
	m, se, err := s.series(r)
	if err != nil {
		return 0, nil, err
	}
	out := seriesJSON{Name: se.Name, Threshold: m.Threshold, Points: make([]string, len(se.Points)), Cells: se.Cells}
	for i, d := range se.Points {
		out.Points[i] = d.String()
	}
	return http.StatusOK, out, nil
}

// The import page: employers' codes (nationally) and staff extracts.

// maxStaffFileBytes is the largest staff extract a page takes: about
// 400,000 assignments.
const maxStaffFileBytes = 64 << 20

// importScope is whom the person imports for: every employer, or their
// own organisation's staff.
func importScope(r *http.Request) (national bool, orgs []int64) {
	v := principal(r).Visible(auth.ActionWorkforceImport)
	return v.All, v.Organisations
}

func (s *Server) workforceImportPage(w http.ResponseWriter, r *http.Request) error {
	return s.showImport(w, r, http.StatusOK, nil, takeNotice(w, r))
}

func (s *Server) showImport(w http.ResponseWriter, r *http.Request, status int, err error, notice string) error {
	national, orgs := importScope(r)
	var own []int64
	if !national {
		own = append([]int64{}, orgs...)
	}
	imports, ierr := s.workforce.Imports(r.Context(), 10, own)
	if ierr != nil {
		return ierr
	}
	employers, eerr := s.workforce.Employers(r.Context())
	if eerr != nil {
		return eerr
	}
	var mine []workforce.Employer
	for _, e := range employers {
		if slices.Contains(orgs, e.OrganisationID) {
			mine = append(mine, e)
		}
	}
	data := map[string]any{"National": national, "Own": mine, "Imports": imports, "Error": err, "Notice": notice, "Employers": len(employers)}
	if fe, ok := workforce.AsFileError(err); ok {
		data["Problems"], data["More"], data["File"] = fe.Problems, fe.More, fe.File
	}
	crumbs := []crumb{}
	if principal(r).Allowed(auth.ActionWorkforceHome, auth.AnyRecord) {
		crumbs = append(crumbs, crumb{"Workforce", "/workforce"})
	}
	return s.show(w, r, status, "workforce-import", "Import staff records", crumbs, data)
}

func (s *Server) workforceImport(w http.ResponseWriter, r *http.Request) error {
	form, err := readMultipart(r, "file", maxStaffFileBytes)
	var notice string
	if err == nil {
		notice, err = s.importFile(r, form)
	}
	if err != nil {
		return formFailure(err, func(status int) error { return s.showImport(w, r, status, err, "") })
	}
	redirectBack(w, r, "/workforce/import", notice)
	return nil
}

// importFile imports an uploaded employers file or staff extract.
func (s *Server) importFile(r *http.Request, form *multipartForm) (string, error) {
	if len(form.content) == 0 {
		return "", apperr.Invalidf("file", "Choose the file to import: a CSV file with the columns named on this page")
	}
	national, orgs := importScope(r)
	name := filepath.Base(form.name)
	sum := sha256.Sum256(form.content)
	sha := hex.EncodeToString(sum[:])
	switch form.fields.Get("kind") {
	case "employers":
		if !national {
			return "", apperr.Errorf(apperr.Forbidden, "Only the national workforce team registers employers' codes")
		}
		es, err := workforce.ReadEmployers(bytes.NewReader(form.content), name)
		if err != nil {
			return "", err
		}
		im, err := s.workforce.RegisterEmployers(r.Context(), actor(r), name, sha, es)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s: %d employers, %d new, %d changed, %d unchanged.", im.File, im.Rows, im.Added, im.Changed, im.Unchanged), nil
	case "staff":
	default:
		return "", apperr.Invalidf("kind", "Say whether the file is a staff extract or a list of employers")
	}
	opt := workforce.ImportOptions{File: name, SHA256: sha}
	if !national {
		id, err := formID(form.fields.Get("organisation_id"), "organisation_id")
		if err != nil || !slices.Contains(orgs, id) {
			if len(orgs) != 1 {
				return "", apperr.Invalidf("organisation_id", "Choose the organisation whose staff the file holds")
			}
			id = orgs[0]
		}
		opt.OrganisationID = id
	}
	rows, err := workforce.ReadStaff(bytes.NewReader(form.content), s.f, workforce.ReadOptions{File: name, Year: s.now().Year()})
	if err != nil {
		return "", err
	}
	im, err := s.workforce.ImportStaff(r.Context(), actor(r), rows, opt)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s: %d assignments, %d new, %d changed, %d unchanged.", im.File, im.Rows, im.Added, im.Changed, im.Unchanged), nil
}

// flows answers a request's joiners and leavers: the breakdown in the
// year to its quarter, and its group's financial years.
func (s *Server) flows(r *http.Request) (*workforce.Model, figuresForm, *workforce.FlowTable, *workforce.FlowSeries, error) {
	m, f, q, err := s.question(r)
	if err != nil {
		return nil, f, nil, nil, err
	}
	ft, err := m.FlowBreakdown(q)
	if err != nil {
		return nil, f, nil, nil, err
	}
	fs, err := m.FlowSeries(q.Filter)
	return m, f, ft, fs, err
}

// workforceFlowsCSV is the joiners and leavers by group in the year to
// the quarter asked, or with years=all the group's financial years.
func (s *Server) workforceFlowsCSV(w http.ResponseWriter, r *http.Request) error {
	years := r.URL.Query().Get("years")
	if years != "" && years != "all" {
		return apperr.Invalidf("years", "years is all, for every financial year, or left out")
	}
	var m *workforce.Model
	var ft *workforce.FlowTable
	var fs *workforce.FlowSeries
	var err error
	if years == "all" {
		// The financial years alone: the quarter asked for does not
		// matter to them.
		var q workforce.Query
		if m, _, q, err = s.question(r); err == nil {
			fs, err = m.FlowSeries(q.Filter)
		}
	} else {
		m, _, ft, _, err = s.flows(r)
	}
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	record := func(from, to, code, name string, c workforce.FlowCell) []string {
		rec := []string{from, to, text.CSVCell(code), text.CSVCell(name)}
		for _, f := range []workforce.Figure{c.Joiners, c.Leavers} {
			n := ""
			if f.Shown == workforce.ShownCount {
				n = strconv.Itoa(f.Count)
			}
			rec = append(rec, n, figureNote(f, m.Threshold))
		}
		return rec
	}
	cw.Write([]string{"from", "to", "group_code", "group", "joiners", "joiners_note", "leavers", "leavers_note"})
	var name string
	if years == "all" {
		name = "workforce-flows-years.csv"
		for i, d := range fs.Points {
			from := workforce.DayOf(d.Time().AddDate(-1, 0, 0))
			cw.Write(record(from.String(), d.String(), "", fs.Name, fs.Cells[i]))
		}
	} else {
		name = fmt.Sprintf("workforce-flows-%s.csv", ft.To)
		for _, c := range ft.Rows {
			cw.Write(record(ft.From.String(), ft.To.String(), c.Code, c.Name, c))
		}
		cw.Write(record(ft.From.String(), ft.To.String(), ft.Total.Code, "Total: "+ft.Total.Name, ft.Total))
	}
	cw.Flush()
	return sendCSV(w, name, buf.Bytes())
}

func (s *Server) apiWorkforceFlows(w http.ResponseWriter, r *http.Request) (int, any, error) {
	m, form, ft, fs, err := s.flows(r)
	if err != nil {
		return 0, nil, err
	}
	if ft.Rows == nil {
		ft.Rows = []workforce.FlowCell{}
	}
	return http.StatusOK, struct {
		By        string                `json:"by"`
		Threshold int                   `json:"threshold"`
		Year      *workforce.FlowTable  `json:"year"`
		Years     *workforce.FlowSeries `json:"years"`
	}{form.By, m.Threshold, ft, fs}, nil
}
