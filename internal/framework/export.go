package framework

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"hcs/internal/text"
)

// ExportTables are the tables ExportCSV can write.
var ExportTables = []string{"specialisms", "divisions", "role-groups", "levels", "programmes", "renamed", "sources", "pay"}

// ExportJSON writes the whole framework as one JSON document.
func ExportJSON(w io.Writer, f *Framework) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(f)
}

// ExportCSV writes one table of the framework as CSV with a header row.
// Lists are joined with "; ". Every row ends with the data's licence (its
// SPDX identifier), so a table carries it wherever it is copied.
func ExportCSV(w io.Writer, f *Framework, table string) error {
	cw := csv.NewWriter(w)
	list := func(s []string) string { return strings.Join(s, "; ") }
	cites := func(cs []Citation) string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Source)
		}
		return list(out)
	}
	var rows [][]string
	switch table {
	case "specialisms":
		rows = append(rows, []string{"id", "name", "kind", "parent", "division", "role_group", "aliases", "summary", "patient_contact", "settings", "hours", "levels", "related", "keywords", "sources"})
		for _, s := range f.Specialisms {
			rows = append(rows, []string{s.ID, s.Name, s.Kind, s.ParentID, s.Division().ID, s.RoleGroupID, list(s.Aliases), s.Summary,
				s.PatientContact, list(s.Settings), s.Hours, list(s.LevelIDs), list(s.Related), list(s.Keywords), cites(s.Sources)})
		}
	case "divisions":
		rows = append(rows, []string{"id", "name", "aliases", "summary", "sources"})
		for _, d := range f.Divisions {
			rows = append(rows, []string{d.ID, d.Name, list(d.Aliases), d.Summary, cites(d.Sources)})
		}
	case "role-groups":
		rows = append(rows, []string{"id", "name", "division", "aliases", "summary", "sources"})
		for _, g := range f.RoleGroups {
			rows = append(rows, []string{g.ID, g.Name, g.DivisionID, list(g.Aliases), g.Summary, cites(g.Sources)})
		}
	case "levels":
		rows = append(rows, []string{"id", "name", "order", "bands", "registration", "sources"})
		for _, lv := range f.Levels {
			rows = append(rows, []string{lv.ID, lv.Name, strconv.Itoa(lv.Order), list(lv.Bands()), lv.Registration, cites(lv.Sources)})
		}
	case "programmes":
		rows = append(rows, []string{"id", "name", "kind", "level", "duration_months", "award", "band_training", "band_after", "registration", "entry", "sources"})
		for _, p := range f.Programmes {
			rows = append(rows, []string{p.ID, p.Name, p.Kind, p.LevelID, strconv.Itoa(p.DurationMonths), p.Award,
				list(p.BandTraining), list(p.BandAfter), p.Registration, p.Entry, cites(p.Sources)})
		}
	case "renamed":
		rows = append(rows, []string{"id", "name", "retired", "successors", "note", "sources"})
		for _, r := range f.Renamed {
			rows = append(rows, []string{r.ID, r.Name, r.Retired, list(r.Successors), r.Note, cites(r.Sources)})
		}
	case "sources":
		rows = append(rows, []string{"id", "title", "publisher", "url", "dated", "standing", "note"})
		for _, src := range f.Sources {
			rows = append(rows, []string{src.ID, src.Title, src.Publisher, src.URL, src.Dated, src.Standing, src.Note})
		}
	case "pay":
		rows = append(rows, []string{"year", "country", "band", "point", "years_to_reach", "annual_pounds", "closed", "sources"})
		for _, ps := range f.PayScales {
			for _, b := range ps.Bands {
				if b.Closed != "" {
					rows = append(rows, []string{ps.Year, ps.Country, b.Band, "", "", "", b.Closed, cites(b.ClosedSources)})
				}
				for i, p := range b.Points {
					years := ""
					if p.Years != nil {
						years = strconv.Itoa(*p.Years)
					}
					rows = append(rows, []string{ps.Year, ps.Country, b.Band, strconv.Itoa(i + 1), years, strconv.Itoa(p.Amount), "", cites(ps.Sources)})
				}
			}
		}
	default:
		return fmt.Errorf("unknown table %q; choose one of %s", table, strings.Join(ExportTables, ", "))
	}
	rows[0] = append(rows[0], "licence")
	for i := range rows[1:] {
		rows[i+1] = append(rows[i+1], f.Licence.ID)
	}
	// Framework data can come from a folder given to hcs, so every cell is
	// neutralised for the spreadsheets this export is opened in.
	for _, row := range rows[1:] {
		for i := range row {
			row[i] = text.CSVCell(row[i])
		}
	}
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	return cw.Error()
}
