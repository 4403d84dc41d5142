package web

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/workforce"
)

// The employer's view of its own staff: every figure as counted (only the
// employer and the national workforce team see it), with joiners and
// leavers over the last year.

// ownEmployer is the employer whose staff the request may see: the
// caller's own organisation (or the one chosen among theirs), or any one
// chosen by the national workforce team.
func (s *Server) ownEmployer(r *http.Request) (*workforce.Employer, []workforce.Employer, error) {
	employers, err := s.workforce.Employers(r.Context())
	if err != nil {
		return nil, nil, err
	}
	v := principal(r).Visible(auth.ActionWorkforceStaff)
	var mine []workforce.Employer
	for _, e := range employers {
		if v.All || slices.Contains(v.Organisations, e.OrganisationID) {
			mine = append(mine, e)
		}
	}
	if len(mine) == 0 {
		return nil, nil, nil
	}
	if q := r.URL.Query().Get("organisation_id"); q != "" {
		id, err := formID(q, "organisation_id")
		if err == nil {
			for i := range mine {
				if mine[i].OrganisationID == id {
					return &mine[i], mine, nil
				}
			}
		}
		return nil, mine, apperr.Invalidf("organisation_id", "Choose one of the employers listed")
	}
	if v.All {
		return nil, mine, nil
	}
	return &mine[0], mine, nil
}

// ownQuery reads the employer view's breakdown.
func ownQuery(r *http.Request) (string, workforce.Query, error) {
	by := r.URL.Query().Get("by")
	if by == "" {
		by = "specialism"
	}
	i := slices.IndexFunc(breakdowns, func(b breakdown) bool { return b.Value == by })
	if i < 0 || by == "region" {
		return by, workforce.Query{}, apperr.Invalidf("by", "Break your staff down by division, group, specialism, level or band")
	}
	return by, workforce.Query{By: breakdowns[i].Dim, Depth: breakdowns[i].Depth}, nil
}

func (s *Server) workforceEmployerPage(w http.ResponseWriter, r *http.Request) error {
	e, mine, err := s.ownEmployer(r)
	data := map[string]any{"Employer": e, "Employers": mine, "Error": err}
	title := "Your staff"
	if err != nil || e == nil {
		status := http.StatusOK
		if err != nil {
			status = errorStatus(err)
		}
		return s.show(w, r, status, "workforce-employer", title, nil, data)
	}
	m, err := s.workforce.Model(r.Context())
	if err != nil {
		return err
	}
	by, q, err := ownQuery(r)
	data["By"] = by
	var t *workforce.Table
	if err == nil && len(m.Points) > 0 {
		t, err = m.OwnBreakdown(e.Code, q)
	}
	if err != nil {
		data["Error"] = err
		return s.show(w, r, errorStatus(err), "workforce-employer", title, nil, data)
	}
	if t == nil {
		if err := s.ownPosts(r, e, data); err != nil {
			return err
		}
		return s.show(w, r, http.StatusOK, "workforce-employer", title, nil, data)
	}
	flows, err := m.OwnFlows(e.Code)
	if err != nil {
		return err
	}
	var labels []string
	var values []*int
	for _, c := range t.Rows {
		n := c.Headcount
		labels, values = append(labels, c.Name), append(values, &n)
	}
	label := breakdowns[slices.IndexFunc(breakdowns, func(b breakdown) bool { return b.Value == by })].Label
	data["Table"], data["Flows"], data["Label"], data["At"] = t, flows, label, t.At.String()
	data["Bar"] = newBarChart("own", fmt.Sprintf("Your staff by %s, %s", strings.ToLower(label), longDate(t.At.String())),
		fmt.Sprintf("A bar for each %s with %s's staff in post. The table after the chart has each figure.", strings.ToLower(label), e.Name),
		labels, values, make([]string, len(labels)))
	data["ByOptions"] = breakdowns[1:]
	if err := s.ownPosts(r, e, data); err != nil {
		return err
	}
	return s.show(w, r, http.StatusOK, "workforce-employer", title, nil, data)
}

// ownPosts adds the employer's training posts, by round, with a chart of
// the places filled.
func (s *Server) ownPosts(r *http.Request, e *workforce.Employer, data map[string]any) error {
	posts, err := s.workforce.OwnPosts(r.Context(), e.OrganisationID)
	if err != nil || len(posts) == 0 {
		return err
	}
	var labels []string
	var values []*int
	for _, p := range posts {
		n := p.Filled.Count
		labels, values = append(labels, p.Round), append(values, &n)
	}
	data["Posts"] = posts
	data["PostsBar"] = newBarChart("own-posts", "Your training places filled, by recruitment round",
		fmt.Sprintf("A bar for each recruitment round: %s's training places filled by an accepted offer. The table after the chart has the places and the rate.", e.Name),
		labels, values, make([]string, len(labels)))
	return nil
}

// workforceEmployerCSV is the employer view's table as CSV.
func (s *Server) workforceEmployerCSV(w http.ResponseWriter, r *http.Request) error {
	e, _, err := s.ownEmployer(r)
	if err != nil {
		return err
	}
	if e == nil {
		return apperr.Invalidf("organisation_id", "Choose the employer whose staff to download")
	}
	m, err := s.workforce.Model(r.Context())
	if err != nil {
		return err
	}
	_, q, err := ownQuery(r)
	if err != nil {
		return err
	}
	t, err := m.OwnBreakdown(e.Code, q)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	cw.Write([]string{"organisation_code", "as_at", "group_code", "group", "headcount", "fte"})
	for _, c := range append(slices.Clone(t.Rows), totalOf(t)) {
		cw.Write([]string{e.Code, t.At.String(), c.Code, c.Name, strconv.Itoa(c.Headcount), c.FTE.String()})
	}
	cw.Flush()
	return sendCSV(w, fmt.Sprintf("staff-%s-%s.csv", e.Code, t.At), buf.Bytes())
}
