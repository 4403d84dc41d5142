package framework

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// validate checks every rule the rest of hcs relies on and links entries to
// each other. It records problems on l rather than stopping at the first.
func validate(f *Framework, l *loader) {
	v := &validator{f: f, l: l}
	published := v.date("framework.yaml", 0, "", "published", f.Published)
	v.published = published
	if strings.TrimSpace(f.Version) == "" {
		l.add(Problem{File: "framework.yaml", Message: "version is required"})
	}
	if lc := f.Licence; lc.ID == "" || lc.Name == "" || !strings.HasPrefix(lc.URL, "https://") || lc.Attribution == "" {
		l.add(Problem{File: "framework.yaml", Message: "licence needs an id, a name, an https url and an attribution"})
	}

	f.sources = index(v, "source", f.Sources, func(s *Source) (string, *origin) { return s.ID, &s.origin })
	for _, s := range f.Sources {
		if s.Title == "" {
			v.entry(s.origin, "source", s.ID, "title is required")
		}
		switch {
		case s.URL != "" && !strings.HasPrefix(s.URL, "https://") && !strings.HasPrefix(s.URL, "http://"):
			v.entry(s.origin, "source", s.ID, fmt.Sprintf("url %q must start with http:// or https://", s.URL))
		case s.URL == "" && s.Note == "":
			v.entry(s.origin, "source", s.ID, "url is required, or a note saying why the source has none")
		}
		if !slices.Contains([]string{StandingOfficial, StandingThirdParty, StandingSeed}, s.Standing) {
			v.entry(s.origin, "source", s.ID, fmt.Sprintf("standing %q must be official, third-party or seed", s.Standing))
		}
		if s.Dated != "" {
			t, ok := parseDated(s.Dated)
			switch {
			case !ok:
				v.entry(s.origin, "source", s.ID, fmt.Sprintf("dated %q is not a date in the form YYYY-MM-DD, YYYY-MM or YYYY", s.Dated))
			case !published.IsZero() && t.After(published):
				v.entry(s.origin, "source", s.ID, fmt.Sprintf("dated %s is after the data's published date", s.Dated))
			}
		}
	}

	f.credentials = map[string]*Credential{}
	if len(f.Credentials) > MaxCredentials {
		l.add(Problem{File: "pathways.yaml", Message: fmt.Sprintf("%d credentials; the pathway planner handles at most %d", len(f.Credentials), MaxCredentials)})
	}
	for i, c := range f.Credentials {
		if c == nil || c.ID == "" || c.Name == "" {
			l.add(Problem{File: "pathways.yaml", Message: fmt.Sprintf("credential %d needs an id and a name", i+1)})
			continue
		}
		if f.credentials[c.ID] != nil {
			l.add(Problem{File: "pathways.yaml", Entry: "credential " + quote(c.ID), Message: "duplicate id"})
		}
		f.credentials[c.ID] = c
	}

	v.validateQuiz()
	v.validatePay()

	f.divisions = index(v, "division", f.Divisions, func(d *Division) (string, *origin) { return d.ID, &d.origin })
	v.names("division", len(f.Divisions), func(i int) (*origin, string, string, []string) {
		d := f.Divisions[i]
		return &d.origin, d.ID, d.Name, d.Aliases
	})
	for _, d := range f.Divisions {
		v.common(d.origin, "division", d.ID, d.Name, d.Summary, d.Sources)
	}

	f.roleGroups = index(v, "role group", f.RoleGroups, func(g *RoleGroup) (string, *origin) { return g.ID, &g.origin })
	v.names("role group", len(f.RoleGroups), func(i int) (*origin, string, string, []string) {
		g := f.RoleGroups[i]
		return &g.origin, g.ID, g.Name, g.Aliases
	})
	for _, g := range f.RoleGroups {
		v.common(g.origin, "role group", g.ID, g.Name, g.Summary, g.Sources)
		if g.Division = f.divisions[g.DivisionID]; g.Division == nil {
			v.entry(g.origin, "role group", g.ID, fmt.Sprintf("division %q is not a known division", g.DivisionID))
			continue
		}
		g.Division.RoleGroups = append(g.Division.RoleGroups, g)
	}

	f.levels = index(v, "level", f.Levels, func(lv *Level) (string, *origin) { return lv.ID, &lv.origin })
	v.names("level", len(f.Levels), func(i int) (*origin, string, string, []string) {
		lv := f.Levels[i]
		return &lv.origin, lv.ID, lv.Name, lv.Aliases
	})
	slices.SortStableFunc(f.Levels, func(a, b *Level) int { return a.Order - b.Order })
	for i, lv := range f.Levels {
		v.common(lv.origin, "level", lv.ID, lv.Name, lv.Summary, lv.Sources)
		if lv.Order != i+1 {
			v.entry(lv.origin, "level", lv.ID, fmt.Sprintf("order %d: levels must be numbered 1 to %d without gaps", lv.Order, len(f.Levels)))
		}
		if len(lv.Stages) == 0 {
			v.entry(lv.origin, "level", lv.ID, "at least one stage is required")
		}
		for _, st := range lv.Stages {
			if st.Name == "" {
				v.entry(lv.origin, "level", lv.ID, "every stage needs a name")
			}
			v.bands(lv.origin, "level", lv.ID, "stage "+quote(st.Name), st.Bands, false)
		}
		v.credentialList(lv.origin, "level", lv.ID, "reached_by", lv.ReachedBy, false)
		for _, d := range sortedKeys(lv.RegistrationIn) {
			if f.divisions[d] == nil {
				v.entry(lv.origin, "level", lv.ID, fmt.Sprintf("registration_in: %q is not a known division", d))
			}
		}
	}

	v.validateSpecialisms()
	v.validateProgrammes()

	index(v, "title", f.Titles, func(t *Title) (string, *origin) { return t.ID, &t.origin })
	for _, t := range f.Titles {
		const kind = "title"
		v.common(t.origin, kind, t.ID, t.Name, t.Summary, t.Sources)
		if t.InHealthcareScience == (t.BelongsTo != "") {
			v.entry(t.origin, kind, t.ID, "a title is either in healthcare science or belongs_to another profession, not both or neither")
		}
		if len(t.SpecialismIDs) == 0 {
			v.entry(t.origin, kind, t.ID, "specialisms: list the healthcare science roles it covers or is nearest to")
		}
		t.Specialisms, t.Programmes = nil, nil
		for _, id := range t.SpecialismIDs {
			if sp := f.specialisms[id]; sp == nil {
				v.entry(t.origin, kind, t.ID, fmt.Sprintf("specialism %q is not a known specialism", id))
			} else {
				t.Specialisms = append(t.Specialisms, sp)
			}
		}
		for _, id := range t.ProgrammeIDs {
			if p := f.programmes[id]; p == nil {
				v.entry(t.origin, kind, t.ID, fmt.Sprintf("programme %q is not a known programme", id))
			} else {
				t.Programmes = append(t.Programmes, p)
			}
		}
	}

	f.startingPoints = map[string]*StartingPoint{}
	for i, sp := range f.StartingPoints {
		if sp == nil || sp.ID == "" || sp.Name == "" {
			l.add(Problem{File: "pathways.yaml", Message: fmt.Sprintf("starting point %d needs an id and a name", i+1)})
			continue
		}
		if f.startingPoints[sp.ID] != nil {
			l.add(Problem{File: "pathways.yaml", Entry: "starting point " + quote(sp.ID), Message: "duplicate id"})
		}
		f.startingPoints[sp.ID] = sp
		for _, c := range sp.Holds {
			cr := f.credentials[c]
			if cr == nil {
				l.add(Problem{File: "pathways.yaml", Entry: "starting point " + quote(sp.ID), Message: fmt.Sprintf("holds %q, which is not a known credential", c)})
				continue
			}
			sp.InSpecialism = sp.InSpecialism || cr.InSpecialism
		}
	}

	normaliseLists(f)

	for word, to := range f.Vocabulary.Spellings {
		if word != strings.ToLower(word) || strings.ContainsAny(word, " \t") || to == "" {
			l.add(Problem{File: "search.yaml", Entry: "spelling " + quote(word), Message: "must be one lower-case word mapped to a non-empty word"})
		}
	}
	for _, phrase := range sortedKeys(f.Vocabulary.Synonyms) {
		if phrase != strings.ToLower(phrase) || len(f.Vocabulary.Synonyms[phrase]) == 0 {
			l.add(Problem{File: "search.yaml", Entry: "synonym " + quote(phrase), Message: "must be lower case and list at least one word"})
		}
	}
}

// MaxCredentials is how many credentials the pathway planner can track: it
// keeps a person's credentials as bits of one 64-bit word.
const MaxCredentials = 64

// emptyNotNil makes absent lists empty, so that JSON shows [] rather than
// null for them.
func emptyNotNil(lists ...*[]string) {
	for _, l := range lists {
		if *l == nil {
			*l = []string{}
		}
	}
}

func normaliseLists(f *Framework) {
	for _, d := range f.Divisions {
		emptyNotNil(&d.Aliases)
	}
	for _, g := range f.RoleGroups {
		emptyNotNil(&g.Aliases)
	}
	for _, s := range f.Specialisms {
		emptyNotNil(&s.Aliases, &s.Settings, &s.Exposures, &s.Techniques, &s.LevelIDs, &s.Related, &s.Keywords)
	}
	for _, lv := range f.Levels {
		emptyNotNil(&lv.Aliases, &lv.ReachedBy)
	}
	for _, p := range f.Programmes {
		emptyNotNil(&p.Aliases, &p.Grants, &p.BandTraining, &p.BandAfter)
		for i := range p.Requires {
			emptyNotNil(&p.Requires[i])
		}
	}
	for _, sp := range f.StartingPoints {
		if sp != nil {
			emptyNotNil(&sp.Holds)
		}
	}
	for _, t := range f.Titles {
		emptyNotNil(&t.Aliases, &t.SpecialismIDs, &t.ProgrammeIDs)
	}
	for _, ps := range f.PayScales {
		for _, b := range ps.Bands {
			if b.Points == nil {
				b.Points = []PayPoint{}
			}
		}
	}
}

type validator struct {
	f         *Framework
	l         *loader
	published time.Time
}

func quote(s string) string { return fmt.Sprintf("%q", s) }

func (v *validator) entry(o origin, kind, id, msg string) {
	v.l.add(Problem{File: o.file, Line: o.line, Entry: kind + " " + quote(id), Message: msg})
}

// date parses a YYYY-MM-DD date, recording a problem when it is not one.
func (v *validator) date(file string, line int, entry, field, value string) time.Time {
	t, err := time.Parse(time.DateOnly, value)
	if err != nil {
		v.l.add(Problem{File: file, Line: line, Entry: entry, Message: fmt.Sprintf("%s %q is not a date in the form YYYY-MM-DD", field, value)})
	}
	return t
}

// index builds an id map, recording missing, malformed and duplicate ids.
func index[T any](v *validator, kind string, list []*T, key func(*T) (string, *origin)) map[string]*T {
	m := make(map[string]*T, len(list))
	for _, e := range list {
		id, o := key(e)
		switch {
		case id == "":
			v.l.add(Problem{File: o.file, Line: o.line, Entry: kind, Message: "id is required"})
			continue
		case Slug(id) != id:
			v.entry(*o, kind, id, fmt.Sprintf("id must be lower case words joined by hyphens, like %q", Slug(id)))
		}
		if _, dup := m[id]; dup {
			v.entry(*o, kind, id, "duplicate id")
			continue
		}
		m[id] = e
	}
	return m
}

// names checks that no two entries of a kind share a name or alias, so that
// every name leads to exactly one entry.
func (v *validator) names(kind string, n int, at func(i int) (*origin, string, string, []string)) map[string]string {
	owner := map[string]string{}
	for i := range n {
		o, id, name, aliases := at(i)
		seen := map[string]bool{}
		for _, a := range append([]string{id, name}, aliases...) {
			s := Slug(a)
			if s == "" {
				v.entry(*o, kind, id, fmt.Sprintf("alias %q has no letters or digits", a))
				continue
			}
			if seen[s] {
				if a != name && a != id {
					v.entry(*o, kind, id, fmt.Sprintf("alias %q repeats another of its names", a))
				}
				continue
			}
			seen[s] = true
			if other, ok := owner[s]; ok && other != id {
				v.entry(*o, kind, id, fmt.Sprintf("name or alias %q is already used by %s %q", a, kind, other))
				continue
			}
			owner[s] = id
		}
	}
	return owner
}

// common checks what every entry needs: a name, a summary and sources.
func (v *validator) common(o origin, kind, id, name, summary string, sources []Citation) {
	if strings.TrimSpace(name) == "" {
		v.entry(o, kind, id, "name is required")
	}
	if strings.TrimSpace(summary) == "" {
		v.entry(o, kind, id, "summary is required")
	}
	v.citations(o, kind, id, sources)
}

func (v *validator) citations(o origin, kind, id string, sources []Citation) {
	if len(sources) == 0 {
		v.entry(o, kind, id, "sources are required: cite at least one source")
	}
	for _, c := range sources {
		if v.f.sources[c.Source] == nil {
			v.entry(o, kind, id, fmt.Sprintf("source %q is not in sources.yaml", c.Source))
		}
	}
}

// parseDated reads a source's date, which may name only a month or a year.
func parseDated(s string) (time.Time, bool) {
	for _, layout := range []string{time.DateOnly, "2006-01", "2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func (v *validator) bands(o origin, kind, id, field string, bands []string, emptyOK bool) {
	if len(bands) == 0 && !emptyOK {
		v.entry(o, kind, id, field+": at least one band is required")
	}
	for _, b := range bands {
		if !IsBand(b) {
			v.entry(o, kind, id, fmt.Sprintf("%s: %q is not an Agenda for Change band (1 to 9, with 8a to 8d)", field, b))
			continue
		}
		if pay := v.f.Pay(); pay != nil {
			if bp := pay.Band(b); bp != nil && bp.Closed != "" {
				v.entry(o, kind, id, fmt.Sprintf("%s: band %s closed to new entrants on %s (pay.yaml)", field, b, bp.Closed))
			}
		}
	}
}

func (v *validator) credentialList(o origin, kind, id, field string, creds []string, emptyOK bool) {
	if len(creds) == 0 && !emptyOK {
		v.entry(o, kind, id, field+" needs at least one credential")
	}
	for _, c := range creds {
		if v.f.credentials[c] == nil {
			v.entry(o, kind, id, fmt.Sprintf("%s: %q is not a credential in pathways.yaml", field, c))
		}
	}
}

func (v *validator) validateSpecialisms() {
	f := v.f
	f.specialisms = index(v, "specialism", f.Specialisms, func(s *Specialism) (string, *origin) { return s.ID, &s.origin })
	f.renamed = index(v, "renamed specialism", f.Renamed, func(r *Renamed) (string, *origin) { return r.ID, &r.origin })

	// Specialisms and retired names share one URL space, so their names
	// and aliases must not collide.
	n := len(f.Specialisms)
	owners := v.names("specialism", n+len(f.Renamed), func(i int) (*origin, string, string, []string) {
		if i < n {
			s := f.Specialisms[i]
			return &s.origin, s.ID, s.Name, s.Aliases
		}
		r := f.Renamed[i-n]
		return &r.origin, r.ID, r.Name, nil
	})
	f.specialismAlias = map[string]string{}
	for slug, id := range owners {
		if f.specialisms[id] != nil && slug != id {
			f.specialismAlias[slug] = id
		}
	}

	dims := map[string]bool{}
	for _, d := range f.Quiz.Dimensions {
		dims[d.ID] = true
	}

	// Parents first, so sub-specialisms can inherit from them.
	for _, s := range f.Specialisms {
		const kind = "specialism"
		v.common(s.origin, kind, s.ID, s.Name, s.Summary, s.Sources)
		switch s.Kind {
		case KindSpecialism:
			if s.ParentID != "" {
				v.entry(s.origin, kind, s.ID, "a specialism has no parent; use kind sub-specialism")
			}
			if s.Group = f.roleGroups[s.RoleGroupID]; s.Group == nil {
				v.entry(s.origin, kind, s.ID, fmt.Sprintf("role_group %q is not a known role group", s.RoleGroupID))
			}
			if len(s.LevelIDs) == 0 {
				v.entry(s.origin, kind, s.ID, "levels: list the career levels that exist in this specialism")
			}
		case KindSubSpecialism:
			if s.RoleGroupID != "" || len(s.LevelIDs) > 0 {
				v.entry(s.origin, kind, s.ID, "a sub-specialism takes its role_group and levels from its parent; remove them")
			}
			p := f.specialisms[s.ParentID]
			switch {
			case p == nil:
				v.entry(s.origin, kind, s.ID, fmt.Sprintf("parent %q is not a known specialism", s.ParentID))
			case p.Kind != KindSpecialism:
				v.entry(s.origin, kind, s.ID, fmt.Sprintf("parent %q is itself a sub-specialism", s.ParentID))
			default:
				s.Parent = p
				p.Children = append(p.Children, s)
			}
		default:
			v.entry(s.origin, kind, s.ID, fmt.Sprintf("kind %q must be %q or %q", s.Kind, KindSpecialism, KindSubSpecialism))
		}
		if strings.TrimSpace(s.DayToDay) == "" {
			v.entry(s.origin, kind, s.ID, "day_to_day is required: say what the work is, in plain English")
		}
		if !slices.Contains([]string{ContactNone, ContactSome, ContactMost}, s.PatientContact) {
			v.entry(s.origin, kind, s.ID, fmt.Sprintf("patient_contact %q must be none, some or most", s.PatientContact))
		}
		if !slices.Contains([]string{HoursStandard, HoursOnCall, HoursShifts}, s.Hours) {
			v.entry(s.origin, kind, s.ID, fmt.Sprintf("hours %q must be standard, on-call or shifts", s.Hours))
		}
		if len(s.Settings) == 0 {
			v.entry(s.origin, kind, s.ID, "settings: list where the work happens")
		}
		for _, st := range s.Settings {
			if !slices.Contains(Settings, st) {
				v.entry(s.origin, kind, s.ID, fmt.Sprintf("setting %q must be one of %s", st, strings.Join(Settings, ", ")))
			}
		}
		for _, e := range s.Exposures {
			if !slices.Contains(Exposures, e) {
				v.entry(s.origin, kind, s.ID, fmt.Sprintf("exposure %q must be one of %s", e, strings.Join(Exposures, ", ")))
			}
		}
		if len(s.Techniques) == 0 {
			v.entry(s.origin, kind, s.ID, "techniques: list typical techniques and equipment")
		}
		// A comma inside brackets splits a YAML flow list in two:
		// [programming (Python, R)] is two broken items. Quote such items.
		for _, list := range [][]string{s.Techniques, s.Keywords, s.Aliases} {
			for _, item := range list {
				if strings.Count(item, "(") != strings.Count(item, ")") {
					v.entry(s.origin, kind, s.ID, fmt.Sprintf("%q has unbalanced brackets; quote an item that holds a comma", item))
				}
			}
		}
		for _, g := range s.AlsoIn {
			if f.roleGroups[g] == nil {
				v.entry(s.origin, kind, s.ID, fmt.Sprintf("also_in %q is not a known role group", g))
			}
		}
		for _, lv := range s.LevelIDs {
			if f.levels[lv] == nil {
				v.entry(s.origin, kind, s.ID, fmt.Sprintf("level %q is not a known level", lv))
			}
		}
		for _, r := range s.Related {
			switch {
			case r == s.ID:
				v.entry(s.origin, kind, s.ID, "related lists the specialism itself")
			case f.specialisms[r] == nil:
				v.entry(s.origin, kind, s.ID, fmt.Sprintf("related %q is not a known specialism", r))
			}
		}
		top := 0
		for _, d := range sortedKeys(s.Interests) {
			w := s.Interests[d]
			if !dims[d] {
				v.entry(s.origin, kind, s.ID, fmt.Sprintf("interest %q is not a quiz dimension", d))
			}
			if w < 0 || w > 3 {
				v.entry(s.origin, kind, s.ID, fmt.Sprintf("interest %q is %d; use 0 to 3", d, w))
			}
			top = max(top, w)
		}
		if top == 0 {
			v.entry(s.origin, kind, s.ID, "interests: give at least one quiz dimension a weight of 1 to 3")
		}
		if !slices.Contains([]string{"", HSSTAvailable, HSSTNone, HSSTUnconfirmed}, s.HSST) {
			v.entry(s.origin, kind, s.ID, fmt.Sprintf("hsst %q must be available, none or unconfirmed", s.HSST))
		}
		if s.HSST == HSSTAvailable || s.HSST == HSSTNone {
			v.citations(s.origin, kind, s.ID, s.HSSTSources)
		}
		for _, c := range sortedKeys(s.AlsoCounts) {
			v.credentialList(s.origin, kind, s.ID, "also_counts", append([]string{c}, s.AlsoCounts[c]...), false)
		}
		if c := s.Competition; c != nil {
			if c.Year < 2000 || c.RatioPerPost <= 0 {
				v.entry(s.origin, kind, s.ID, "competition needs a year and a positive published ratio per post")
			}
			v.citations(s.origin, kind, s.ID, c.Sources)
		}
		if w := s.WorkingPattern; w != nil {
			if strings.TrimSpace(w.Text) == "" {
				v.entry(s.origin, kind, s.ID, "working_pattern needs its text")
			}
			v.citations(s.origin, kind, s.ID, w.Sources)
		}
	}
	// Inherit from parents, then link levels and role groups.
	for _, s := range f.Specialisms {
		if s.Parent != nil {
			s.RoleGroupID, s.Group = s.Parent.RoleGroupID, s.Parent.Group
			s.LevelIDs = s.Parent.LevelIDs
			if s.HSST == "" {
				s.HSST, s.HSSTSources = s.Parent.HSST, s.Parent.HSSTSources
			}
			if s.ProgrammeRequires == nil {
				s.ProgrammeRequires = s.Parent.ProgrammeRequires
			}
			if s.AlsoCounts == nil {
				s.AlsoCounts = s.Parent.AlsoCounts
			}
			if s.Registration == "" {
				s.Registration = s.Parent.Registration
			}
		}
		if s.HSST == "" {
			s.HSST = HSSTUnconfirmed
		}
		if s.Group != nil {
			s.Group.Specialisms = append(s.Group.Specialisms, s)
		}
		for _, g := range s.AlsoIn {
			if rg := f.roleGroups[g]; rg != nil {
				rg.Specialisms = append(rg.Specialisms, s)
			}
		}
		s.Levels = nil
		for _, lv := range f.Levels {
			if s.HasLevel(lv.ID) {
				s.Levels = append(s.Levels, lv)
			}
		}
	}
	for _, r := range f.Renamed {
		v.citations(r.origin, "renamed specialism", r.ID, r.Sources)
		if r.Name == "" || r.Note == "" {
			v.entry(r.origin, "renamed specialism", r.ID, "name and note are required")
		}
		if len(r.Successors) == 0 {
			v.entry(r.origin, "renamed specialism", r.ID, "successors: name at least one current specialism")
		}
		for _, id := range r.Successors {
			s := f.specialisms[id]
			if s == nil {
				v.entry(r.origin, "renamed specialism", r.ID, fmt.Sprintf("successor %q is not a known specialism", id))
				continue
			}
			r.SuccessorSpecialisms = append(r.SuccessorSpecialisms, s)
			s.FormerNames = append(s.FormerNames, r)
		}
	}
}

func (v *validator) validateProgrammes() {
	f := v.f
	f.programmes = index(v, "programme", f.Programmes, func(p *Programme) (string, *origin) { return p.ID, &p.origin })
	v.names("programme", len(f.Programmes), func(i int) (*origin, string, string, []string) {
		p := f.Programmes[i]
		return &p.origin, p.ID, p.Name, p.Aliases
	})
	granted := map[string]bool{}
	for _, p := range f.Programmes {
		const kind = "programme"
		v.common(p.origin, kind, p.ID, p.Name, p.Summary, p.Sources)
		switch p.Kind {
		case ProgrammeEducation:
			if p.LevelID != "" {
				v.entry(p.origin, kind, p.ID, "an education step has no career level")
			}
		case ProgrammeApprenticeship, ProgrammeTraining, ProgrammeEquivalence:
			if p.Level = f.levels[p.LevelID]; p.Level == nil {
				v.entry(p.origin, kind, p.ID, fmt.Sprintf("level %q is not a known level", p.LevelID))
			} else {
				p.Level.Programmes = append(p.Level.Programmes, p)
			}
			v.bands(p.origin, kind, p.ID, "band_training", p.BandTraining, true)
			v.bands(p.origin, kind, p.ID, "band_after", p.BandAfter, false)
		default:
			v.entry(p.origin, kind, p.ID, fmt.Sprintf("kind %q must be education, apprenticeship, training or equivalence", p.Kind))
		}
		if p.Entry == "" || p.Award == "" {
			v.entry(p.origin, kind, p.ID, "entry and award are required")
		}
		if p.DurationMonths <= 0 {
			v.entry(p.origin, kind, p.ID, fmt.Sprintf("duration_months %d must be a positive number of months", p.DurationMonths))
		}
		if len(p.Requires) == 0 {
			v.entry(p.origin, kind, p.ID, "requires: list the sets of credentials that give entry ([[]] for none)")
		}
		for _, set := range p.Requires {
			v.credentialList(p.origin, kind, p.ID, "requires", set, true)
		}
		v.credentialList(p.origin, kind, p.ID, "grants", p.Grants, false)
		for _, c := range p.Grants {
			granted[c] = true
		}
		for _, id := range p.SpecialismIDs {
			if f.specialisms[id] == nil {
				v.entry(p.origin, kind, p.ID, fmt.Sprintf("specialism %q is not a known specialism", id))
			}
		}
	}
	for _, s := range f.Specialisms {
		for _, id := range sortedKeys(s.ProgrammeRequires) {
			if f.programmes[id] == nil {
				v.entry(s.origin, "specialism", s.ID, fmt.Sprintf("programme_requires: %q is not a known programme", id))
			}
			v.credentialList(s.origin, "specialism", s.ID, "programme_requires "+quote(id), s.ProgrammeRequires[id], false)
		}
	}
	for _, lv := range f.Levels {
		reachable := slices.ContainsFunc(lv.ReachedBy, func(c string) bool { return granted[c] })
		if !reachable && len(lv.ReachedBy) > 0 {
			v.entry(lv.origin, "level", lv.ID, "no programme grants any of its reached_by credentials, so no route leads to it")
		}
	}
}

// validatePay checks the pay scales: every band once per scale, open bands
// with rising points, closed bands with the date they closed.
func (v *validator) validatePay() {
	f := v.f
	const file = "pay.yaml"
	if len(f.PayScales) == 0 {
		v.l.add(Problem{File: file, Message: "at least one pay scale is required"})
	}
	for _, ps := range f.PayScales {
		entry := "pay scale " + quote(ps.Year)
		if ps.Year == "" || ps.Country == "" {
			v.l.add(Problem{File: file, Entry: entry, Message: "year and country are required"})
		}
		v.date(file, 0, entry, "effective", ps.Effective)
		v.citations(origin{file: file}, "pay scale", ps.Year, ps.Sources)
		seen := map[string]bool{}
		for _, b := range ps.Bands {
			at := entry + ", band " + quote(b.Band)
			switch {
			case !IsBand(b.Band):
				v.l.add(Problem{File: file, Entry: at, Message: "not an Agenda for Change band (1 to 9, with 8a to 8d)"})
			case seen[b.Band]:
				v.l.add(Problem{File: file, Entry: at, Message: "listed twice"})
			}
			seen[b.Band] = true
			if b.Closed != "" {
				v.date(file, 0, at, "closed", b.Closed)
				if len(b.Points) > 0 || b.ClosedNote == "" {
					v.l.add(Problem{File: file, Entry: at, Message: "a closed band has a closed_note and no points"})
				}
				v.citations(origin{file: file}, "pay scale "+ps.Year+" band", b.Band, b.ClosedSources)
				continue
			}
			if len(b.Points) == 0 {
				v.l.add(Problem{File: file, Entry: at, Message: "points: give at least one pay point, or the date the band closed"})
			}
			for i, p := range b.Points {
				if p.Amount <= 0 || (i > 0 && p.Amount <= b.Points[i-1].Amount) {
					v.l.add(Problem{File: file, Entry: at, Message: fmt.Sprintf("point %d: amounts must be positive and rise from point to point", i+1)})
				}
				if p.Years != nil && (*p.Years < 0 || (i == 0) != (*p.Years == 0)) {
					v.l.add(Problem{File: file, Entry: at, Message: fmt.Sprintf("point %d: years must be 0 for the first point and more for later ones", i+1)})
				}
			}
		}
		for _, b := range bandOrder {
			if !seen[b] {
				v.l.add(Problem{File: file, Entry: entry, Message: fmt.Sprintf("band %s is missing", b)})
			}
		}
	}
}

func (v *validator) validateQuiz() {
	q, l := v.f.Quiz, v.l
	const file = "quiz.yaml"
	dims := map[string]bool{}
	for _, d := range q.Dimensions {
		if d == nil || d.ID == "" || d.Name == "" || dims[d.ID] {
			l.add(Problem{File: file, Message: "every dimension needs a unique id and a name"})
			continue
		}
		dims[d.ID] = true
	}
	if len(q.Items) == 0 {
		l.add(Problem{File: file, Message: "items: the quiz needs statements"})
	}
	for i, it := range q.Items {
		if it == nil {
			l.add(Problem{File: file, Message: fmt.Sprintf("item %d is empty", i+1)})
			continue
		}
		entry := fmt.Sprintf("item %d", it.ID)
		if it.ID != i+1 {
			l.add(Problem{File: file, Entry: entry, Message: fmt.Sprintf("items must be numbered 1, 2, 3… in order; expected %d", i+1)})
		}
		if strings.TrimSpace(it.Text) == "" {
			l.add(Problem{File: file, Entry: entry, Message: "text is required"})
		}
		if len(it.Dimensions) == 0 {
			l.add(Problem{File: file, Entry: entry, Message: "dimensions: name at least one"})
		}
		for _, d := range sortedKeys(it.Dimensions) {
			if !dims[d] || it.Dimensions[d] <= 0 {
				l.add(Problem{File: file, Entry: entry, Message: fmt.Sprintf("dimension %q must be a known dimension with a positive weight", d)})
			}
		}
	}
	if len(q.Answers) != 5 {
		l.add(Problem{File: file, Message: "answers: the scale must have five points, 1 to 5"})
	}
	for i, a := range q.Answers {
		if a == nil || a.Value != i+1 || a.Text == "" {
			l.add(Problem{File: file, Message: fmt.Sprintf("answer %d must have value %d and a text", i+1, i+1)})
		}
	}
	codes := map[string]bool{}
	for _, d := range q.DealBreakers {
		if d == nil || d.ID == "" || d.Text == "" {
			l.add(Problem{File: file, Message: "every deal-breaker needs an id and a text"})
			continue
		}
		entry := "deal-breaker " + quote(d.ID)
		if len(d.Code) != 1 || d.Code[0] < 'A' || d.Code[0] > 'Z' || codes[d.Code] {
			l.add(Problem{File: file, Entry: entry, Message: fmt.Sprintf("code %q must be one capital letter not used by another deal-breaker", d.Code)})
		}
		codes[d.Code] = true
		x := d.Excludes
		if len(x.PatientContact)+len(x.Hours)+len(x.Exposures) == 0 && x.NotSetting == "" {
			l.add(Problem{File: file, Entry: entry, Message: "excludes: say which specialisms it removes"})
		}
		for _, c := range x.PatientContact {
			if !slices.Contains([]string{ContactNone, ContactSome, ContactMost}, c) {
				l.add(Problem{File: file, Entry: entry, Message: fmt.Sprintf("patient_contact %q must be none, some or most", c)})
			}
		}
		for _, h := range x.Hours {
			if !slices.Contains([]string{HoursStandard, HoursOnCall, HoursShifts}, h) {
				l.add(Problem{File: file, Entry: entry, Message: fmt.Sprintf("hours %q must be standard, on-call or shifts", h)})
			}
		}
		for _, e := range x.Exposures {
			if !slices.Contains(Exposures, e) {
				l.add(Problem{File: file, Entry: entry, Message: fmt.Sprintf("exposure %q must be one of %s", e, strings.Join(Exposures, ", "))})
			}
		}
		if x.NotSetting != "" && !slices.Contains(Settings, x.NotSetting) {
			l.add(Problem{File: file, Entry: entry, Message: fmt.Sprintf("not_setting %q must be one of %s", x.NotSetting, strings.Join(Settings, ", "))})
		}
	}
}
