package web

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/text"
	"hcs/internal/workforce"
)

// The training pipeline: trainees by programme and the year they are
// expected to complete, and how each recruitment round filled its
// places. The national school reads every count; a planner reads them
// with small numbers suppressed.

// pipelineForm is the pipeline's filters as the URL carries them.
type pipelineForm struct {
	Programme, Region, Specialism string
}

// Query is the form as a query string, with extra pairs added.
func (f pipelineForm) Query(extra ...string) string {
	v := url.Values{}
	for k, s := range map[string]string{"programme": f.Programme, "region": f.Region, "specialism": f.Specialism} {
		if s != "" {
			v.Set(k, s)
		}
	}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

// pipeline answers a request's pipeline question: exactly for whoever
// may read every trainee's record.
func (s *Server) pipeline(r *http.Request) (pipelineForm, *workforce.Pipeline, error) {
	q := r.URL.Query()
	f := pipelineForm{Programme: q.Get("programme"), Region: q.Get("region"), Specialism: q.Get("specialism")}
	exact := principal(r).Visible(auth.ActionTrainingReview).All
	p, err := s.workforce.Pipeline(r.Context(), workforce.PipelineQuery{Programme: f.Programme, Region: f.Region, Specialism: f.Specialism}, exact)
	return f, p, err
}

// figureCount is a figure's count when it is shown.
func figureCount(f workforce.Figure) *int {
	if f.Shown != workforce.ShownCount {
		return nil
	}
	n := f.Count
	return &n
}

// figureNote says why a figure has no count.
func figureNote(f workforce.Figure, threshold int) string {
	return shownNote(workforce.Cell{Shown: f.Shown}, threshold)
}

// pipelineScope says which trainees or places the figures count.
func pipelineScope(p *workforce.Pipeline) string {
	var parts []string
	for _, o := range []workforce.FilterOpt{p.Programme, p.Region, p.Specialism} {
		if o.Code != "" {
			parts = append(parts, o.Name)
		}
	}
	if len(parts) == 0 {
		return "every programme, region and specialism"
	}
	return strings.Join(parts, ", ")
}

func (s *Server) workforcePipelinePage(w http.ResponseWriter, r *http.Request) error {
	form, p, err := s.pipeline(r)
	if err == nil {
		return s.showPipeline(w, r, http.StatusOK, form, p, nil)
	}
	if apperr.Code(err) != apperr.Invalid {
		return err
	}
	// A choice that is not one: the page with its error, counting all.
	bad := err
	p, err = s.workforce.Pipeline(r.Context(), workforce.PipelineQuery{}, principal(r).Visible(auth.ActionTrainingReview).All)
	if err != nil {
		return err
	}
	return s.showPipeline(w, r, errorStatus(bad), form, p, bad)
}

func (s *Server) showPipeline(w http.ResponseWriter, r *http.Request, status int, form pipelineForm, p *workforce.Pipeline, bad error) error {
	scope := pipelineScope(p)
	data := map[string]any{"Form": form, "P": p, "Scope": scope, "Error": bad}
	options := map[string][]option{}
	options["programme"] = []option{{"", "All programmes"}}
	for _, o := range p.Programmes {
		options["programme"] = append(options["programme"], option{o.Code, o.Name})
	}
	for k, key := range map[int]string{2: "region", 3: "specialism"} {
		for _, n := range p.Dims[k].Nodes {
			options[key] = append(options[key], option{n.Code, strings.Repeat("\u2003", max(n.Depth-1, 0)) + n.Name})
		}
	}
	data["Options"] = options
	labels, values, notes := []string{}, []*int{}, []string{}
	for i, y := range p.YearNames {
		labels = append(labels, y)
		values, notes = append(values, figureCount(p.Total.Years[i])), append(notes, figureNote(p.Total.Years[i], p.Threshold))
	}
	data["Bar"] = newBarChart("completions", "Trainees expected to complete, by year",
		fmt.Sprintf("A bar for each year: the trainees in training (%s) expected to complete in it. The table after the chart has each figure.", scope), labels, values, notes)
	labels, values, notes = []string{}, []*int{}, []string{}
	for _, rf := range p.Rounds {
		labels = append(labels, rf.Round)
		values, notes = append(values, figureCount(rf.Filled)), append(notes, figureNote(rf.Filled, p.Threshold))
	}
	if !p.RoundsWhole { // filled is not shown for part of a round: no chart
		data["Fill"] = newBarChart("filled", "Training places filled, by recruitment round",
			fmt.Sprintf("A bar for each recruitment round: its places filled by an accepted offer (%s). The table after the chart has the places and the rate.", scope), labels, values, notes)
	}
	crumbs := []crumb{}
	if principal(r).Allowed(auth.ActionSchoolHome, auth.AnyRecord) {
		crumbs = append(crumbs, crumb{"National school", "/school"})
	} else if principal(r).Allowed(auth.ActionWorkforceHome, auth.AnyRecord) {
		crumbs = append(crumbs, crumb{"Workforce", "/workforce"})
	}
	return s.show(w, r, status, "workforce-pipeline", "The training pipeline", crumbs, data)
}

// workforcePipelineCSV is the trainees by programme and year, or with
// table=rounds the rounds' places, as CSV.
func (s *Server) workforcePipelineCSV(w http.ResponseWriter, r *http.Request) error {
	_, p, err := s.pipeline(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	count := func(f workforce.Figure) (string, string) {
		if f.Shown == workforce.ShownCount {
			return strconv.Itoa(f.Count), ""
		}
		return "", figureNote(f, p.Threshold)
	}
	name := "pipeline.csv"
	switch r.URL.Query().Get("table") {
	case "rounds":
		name = "pipeline-rounds.csv"
		cw.Write([]string{"round", "programme", "start", "places", "filled", "not_filled", "fill_rate_percent", "note"})
		for _, rf := range p.Rounds {
			filled, note := count(rf.Filled)
			if p.RoundsWhole {
				note = "shown for whole rounds only"
			}
			unfilled, _ := count(rf.Unfilled)
			rate := strings.TrimSuffix(rf.Rate(), "%")
			cw.Write([]string{text.CSVCell(rf.Round), rf.Programme, rf.Start.String(), strconv.Itoa(rf.Places), filled, unfilled, rate, note})
		}
	case "", "trainees":
		cw.Write([]string{"programme_code", "programme", "expected_completion_year", "trainees", "note"})
		write := func(row workforce.PipelineRow, name string) {
			for i, y := range p.YearNames {
				n, note := count(row.Years[i])
				cw.Write([]string{row.Code, text.CSVCell(name), y, n, note})
			}
			n, note := count(row.Total)
			cw.Write([]string{row.Code, text.CSVCell(name), "all", n, note})
		}
		for _, row := range p.Rows {
			write(row, row.Name)
		}
		write(p.Total, "Total: "+p.Total.Name)
	default:
		return apperr.Invalidf("table", "Choose table=trainees or table=rounds")
	}
	cw.Flush()
	return sendCSV(w, name, buf.Bytes())
}

func (s *Server) apiWorkforcePipeline(w http.ResponseWriter, r *http.Request) (int, any, error) {
	form, p, err := s.pipeline(r)
	if err != nil {
		return 0, nil, err
	}
	out := struct {
		Filter map[string]string `json:"filter"`
		*workforce.Pipeline
	}{map[string]string{}, p}
	for k, v := range map[string]string{"programme": form.Programme, "region": form.Region, "specialism": form.Specialism} {
		if v != "" {
			out.Filter[k] = v
		}
	}
	if p.Rows == nil {
		p.Rows = []workforce.PipelineRow{}
	}
	if p.Rounds == nil {
		p.Rounds = []workforce.RoundFill{}
	}
	return http.StatusOK, out, nil
}
