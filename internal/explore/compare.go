package explore

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"hcs/internal/apperr"
	"hcs/internal/framework"
)

// MaxCompare is how many roles can be compared side by side.
const MaxCompare = 3

// Comparison sets specialisms side by side, one row per attribute.
type Comparison struct {
	Specialisms []*framework.Specialism `json:"-"`
	Rows        []CompareRow            `json:"rows"`
}

// CompareRow is one attribute across the compared specialisms. Differs is
// true when the values are not all the same, so the page can highlight it.
type CompareRow struct {
	Key     string   `json:"key"`
	Label   string   `json:"label"`
	Values  []string `json:"values"`
	Differs bool     `json:"differs"`
}

// Compare builds a comparison of up to three specialisms, in the order
// given. Repeated ids count once.
func Compare(f *framework.Framework, ids []string) (*Comparison, error) {
	var specs []*framework.Specialism
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id == "" {
			continue
		}
		s := f.Specialism(id)
		if s == nil {
			s = f.SpecialismByAlias(id)
		}
		if s == nil {
			return nil, apperr.Invalidf("ids", "%q is not a specialism we know", id)
		}
		if !slices.Contains(specs, s) {
			specs = append(specs, s)
		}
	}
	if len(specs) == 0 {
		return nil, apperr.Invalidf("ids", "Choose at least one role to compare")
	}
	if len(specs) > MaxCompare {
		return nil, apperr.Invalidf("ids", "You can compare up to %d roles at once; you chose %d", MaxCompare, len(specs))
	}
	c := &Comparison{Specialisms: specs}
	row := func(key, label string, value func(s *framework.Specialism) string) {
		r := CompareRow{Key: key, Label: label}
		for _, s := range specs {
			r.Values = append(r.Values, value(s))
		}
		for _, v := range r.Values[1:] {
			if v != r.Values[0] {
				r.Differs = true
			}
		}
		c.Rows = append(c.Rows, r)
	}
	row("summary", "What the work is", func(s *framework.Specialism) string { return s.Summary })
	row("area", "Area", func(s *framework.Specialism) string { return s.Division().Name })
	row("levels", "Career levels", func(s *framework.Specialism) string {
		var names []string
		for _, lv := range s.Levels {
			names = append(names, lv.Name)
		}
		return strings.Join(names, ", ")
	})
	row("bands", "Pay", func(s *framework.Specialism) string {
		var bands []string
		for _, lv := range s.Levels {
			bands = append(bands, lv.Bands()...)
		}
		out := framework.BandRange(bands)
		if ps := f.Pay(); ps != nil {
			if lo, hi, ok := ps.Range(bands); ok {
				out += fmt.Sprintf(" (%s to %s a year, Agenda for Change %s)", Pounds(lo), Pounds(hi), ps.Year)
			}
		}
		return out
	})
	row("entry", "Ways in", func(s *framework.Specialism) string {
		var names []string
		for _, p := range f.Programmes {
			if p.Level != nil && p.Kind != framework.ProgrammeEquivalence && p.RunsIn(s) {
				names = append(names, p.Name)
			}
		}
		out := strings.Join(names, "; ")
		if s.EntryNote != "" {
			out += ". " + s.EntryNote
		}
		return out
	})
	row("competition", "Competition for the STP", func(s *framework.Specialism) string {
		if !s.HasLevel("clinical-scientist") {
			return "No clinical scientist level"
		}
		if c := s.STPCompetition(); c != nil {
			return fmt.Sprintf("a published ratio of %g per post in %d", c.RatioPerPost, c.Year)
		}
		return "Not published for this specialism"
	})
	row("hsst", "Higher Specialist Scientific Training", func(s *framework.Specialism) string {
		switch {
		case !s.HasLevel("consultant"):
			return "No consultant level"
		case s.HSST == framework.HSSTAvailable:
			return "Has an HSST programme"
		case s.HSST == framework.HSSTNone:
			return "No HSST programme"
		}
		return "Not confirmed in our sources"
	})
	row("patients", "Contact with patients", func(s *framework.Specialism) string { return PatientContactText(s.PatientContact) })
	row("settings", "Where you work", func(s *framework.Specialism) string { return strings.Join(s.Settings, ", ") })
	row("hours", "Working hours", func(s *framework.Specialism) string {
		if s.WorkingPattern != nil {
			return HoursText(s.Hours) + ". " + s.WorkingPattern.Text
		}
		return HoursText(s.Hours)
	})
	row("registration", "Registration", func(s *framework.Specialism) string {
		if s.Registration != "" {
			return s.Registration
		}
		var regs []string
		for _, lv := range s.Levels {
			if lv.ID == "practitioner" || lv.ID == "clinical-scientist" {
				regs = append(regs, lv.Name+": "+lv.RegistrationFor(s))
			}
		}
		if len(regs) == 0 {
			return "None required by law"
		}
		return strings.Join(regs, " ")
	})
	return c, nil
}

// Pounds writes an amount as "£24,465".
func Pounds(n int) string {
	d := strconv.Itoa(n)
	for i := len(d) - 3; i > 0; i -= 3 {
		d = d[:i] + "," + d[i:]
	}
	return "£" + d
}

// Same returns the rows whose values are the same for every role, and
// Differ those that are not; with one role every row differs from nothing
// and all are in Differ.
func (c *Comparison) Same() []CompareRow {
	if len(c.Specialisms) < 2 {
		return nil
	}
	var out []CompareRow
	for _, r := range c.Rows {
		if !r.Differs {
			out = append(out, r)
		}
	}
	return out
}

// Differ returns the rows to show side by side.
func (c *Comparison) Differ() []CompareRow {
	var out []CompareRow
	for _, r := range c.Rows {
		if r.Differs || len(c.Specialisms) < 2 {
			out = append(out, r)
		}
	}
	return out
}

// PatientContactText describes a patient-contact value in words.
func PatientContactText(v string) string {
	switch v {
	case framework.ContactNone:
		return "None: you work with samples, equipment or data"
	case framework.ContactSome:
		return "Some: part of the work is with patients"
	case framework.ContactMost:
		return "Most of the day is spent with patients"
	}
	return v
}

// HoursText describes a working pattern in words.
func HoursText(v string) string {
	switch v {
	case framework.HoursStandard:
		return "Mostly weekday daytime hours"
	case framework.HoursOnCall:
		return "Weekday hours with some on-call or weekend work"
	case framework.HoursShifts:
		return "Shifts on a 24-hour, 7-day rota"
	}
	return v
}
