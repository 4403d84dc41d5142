// Package framework is the NHS healthcare science career framework as data:
// divisions, role groups, specialisms, career levels, programmes and the
// routes between them. It loads and validates the data files and answers
// questions about them; it knows nothing of HTTP, storage or templates.
package framework

import (
	"slices"
	"strings"
)

// Framework is a loaded, validated and cross-linked copy of the data files.
// It is read-only once Load returns, so it is safe for concurrent use.
type Framework struct {
	Version   string `json:"version"`
	Published string `json:"published"`
	Title     string `json:"title"`

	Sources        []*Source        `json:"sources"`
	Divisions      []*Division      `json:"divisions"`
	RoleGroups     []*RoleGroup     `json:"role_groups"`
	Specialisms    []*Specialism    `json:"specialisms"`
	Renamed        []*Renamed       `json:"renamed"`
	Levels         []*Level         `json:"levels"`
	Programmes     []*Programme     `json:"programmes"`
	Credentials    []*Credential    `json:"credentials"`
	StartingPoints []*StartingPoint `json:"starting_points"`
	Quiz           *Quiz            `json:"quiz"`
	Vocabulary     *Vocabulary      `json:"search_vocabulary"`

	sources        map[string]*Source
	divisions      map[string]*Division
	roleGroups     map[string]*RoleGroup
	specialisms    map[string]*Specialism
	renamed        map[string]*Renamed
	levels         map[string]*Level
	programmes     map[string]*Programme
	credentials    map[string]*Credential
	startingPoints map[string]*StartingPoint
	// specialismAlias maps the slug of every specialism alias to its id.
	specialismAlias map[string]string
}

// Citation records where an entry's facts come from and when they were
// last checked against that source.
type Citation struct {
	Source  string `yaml:"source" json:"source"`
	Checked string `yaml:"checked" json:"checked"`
}

// Source is a publication the framework cites.
type Source struct {
	origin `yaml:"-" json:"-"`

	ID        string `yaml:"id" json:"id"`
	Title     string `yaml:"title" json:"title"`
	Publisher string `yaml:"publisher" json:"publisher"`
	URL       string `yaml:"url" json:"url,omitempty"`
}

// Division is the top level of healthcare science, such as life sciences.
type Division struct {
	origin `yaml:"-" json:"-"`

	ID      string     `yaml:"id" json:"id"`
	Name    string     `yaml:"name" json:"name"`
	Aliases []string   `yaml:"aliases" json:"aliases"`
	Summary string     `yaml:"summary" json:"summary"`
	Sources []Citation `yaml:"sources" json:"sources"`

	RoleGroups []*RoleGroup `yaml:"-" json:"-"`
}

// RoleGroup is one of the seed's ten groups of related specialisms.
type RoleGroup struct {
	origin `yaml:"-" json:"-"`

	ID         string     `yaml:"id" json:"id"`
	Name       string     `yaml:"name" json:"name"`
	DivisionID string     `yaml:"division" json:"division"`
	Aliases    []string   `yaml:"aliases" json:"aliases"`
	Summary    string     `yaml:"summary" json:"summary"`
	Sources    []Citation `yaml:"sources" json:"sources"`

	Division    *Division     `yaml:"-" json:"-"`
	Specialisms []*Specialism `yaml:"-" json:"-"`
}

// Specialism kinds.
const (
	KindSpecialism    = "specialism"
	KindSubSpecialism = "sub-specialism"
)

// Patient contact, from none to most of the working day.
const (
	ContactNone = "none"
	ContactSome = "some"
	ContactMost = "most"
)

// Working patterns.
const (
	HoursStandard = "standard"
	HoursOnCall   = "on-call"
	HoursShifts   = "shifts"
)

// Settings is the vocabulary of places where the work happens.
var Settings = []string{"laboratory", "clinic", "ward", "theatre", "community", "office", "workshop"}

// Exposures is the vocabulary of things some people would rather avoid.
var Exposures = []string{"samples", "radiation"}

// Specialism is a field of healthcare science in which people train and
// work, or a sub-specialism within one.
type Specialism struct {
	origin `yaml:"-" json:"-"`

	ID             string         `yaml:"id" json:"id"`
	Name           string         `yaml:"name" json:"name"`
	Kind           string         `yaml:"kind" json:"kind"`
	ParentID       string         `yaml:"parent" json:"parent,omitempty"`
	RoleGroupID    string         `yaml:"role_group" json:"role_group"`
	AlsoIn         []string       `yaml:"also_in" json:"also_in,omitempty"`
	Aliases        []string       `yaml:"aliases" json:"aliases"`
	Summary        string         `yaml:"summary" json:"summary"`
	DayToDay       string         `yaml:"day_to_day" json:"day_to_day"`
	PatientContact string         `yaml:"patient_contact" json:"patient_contact"`
	Settings       []string       `yaml:"settings" json:"settings"`
	Hours          string         `yaml:"hours" json:"hours"`
	Exposures      []string       `yaml:"exposures" json:"exposures"`
	Techniques     []string       `yaml:"techniques" json:"techniques"`
	LevelIDs       []string       `yaml:"levels" json:"levels"`
	Related        []string       `yaml:"related" json:"related"`
	Interests      map[string]int `yaml:"interests" json:"interests"`
	Keywords       []string       `yaml:"keywords" json:"keywords"`
	EntryNote      string         `yaml:"entry_note" json:"entry_note,omitempty"`
	Sources        []Citation     `yaml:"sources" json:"sources"`

	Parent   *Specialism   `yaml:"-" json:"-"`
	Children []*Specialism `yaml:"-" json:"-"`
	Group    *RoleGroup    `yaml:"-" json:"-"`
	Levels   []*Level      `yaml:"-" json:"-"`
	// FormerNames are retired names whose successor this is.
	FormerNames []*Renamed `yaml:"-" json:"-"`
}

// Division is the division the specialism's role group belongs to.
func (s *Specialism) Division() *Division { return s.Group.Division }

// HasLevel reports whether people can work at the level in this specialism.
func (s *Specialism) HasLevel(levelID string) bool { return slices.Contains(s.LevelIDs, levelID) }

// HasSetting reports whether the work happens in the setting.
func (s *Specialism) HasSetting(setting string) bool { return slices.Contains(s.Settings, setting) }

// Renamed is a retired name that leads to one or more current specialisms.
type Renamed struct {
	origin `yaml:"-" json:"-"`

	ID         string     `yaml:"id" json:"id"`
	Name       string     `yaml:"name" json:"name"`
	Retired    string     `yaml:"retired" json:"retired"`
	Successors []string   `yaml:"successors" json:"successors"`
	Note       string     `yaml:"note" json:"note"`
	Sources    []Citation `yaml:"sources" json:"sources"`

	SuccessorSpecialisms []*Specialism `yaml:"-" json:"-"`
}

// Stage is a career stage inside a level, with its pay bands.
type Stage struct {
	Name        string   `yaml:"name" json:"name"`
	Bands       []string `yaml:"bands" json:"bands"`
	Description string   `yaml:"description" json:"description"`
}

// Level is one of the four career levels.
type Level struct {
	origin `yaml:"-" json:"-"`

	ID           string     `yaml:"id" json:"id"`
	Name         string     `yaml:"name" json:"name"`
	Order        int        `yaml:"order" json:"order"`
	Aliases      []string   `yaml:"aliases" json:"aliases"`
	Summary      string     `yaml:"summary" json:"summary"`
	ReachedBy    []string   `yaml:"reached_by" json:"reached_by"`
	Stages       []Stage    `yaml:"stages" json:"stages"`
	Registration string     `yaml:"registration" json:"registration"`
	Sources      []Citation `yaml:"sources" json:"sources"`

	Programmes []*Programme `yaml:"-" json:"-"`
}

// Bands lists every band across the level's stages, lowest first.
func (l *Level) Bands() []string {
	var out []string
	for _, st := range l.Stages {
		for _, b := range st.Bands {
			if !slices.Contains(out, b) {
				out = append(out, b)
			}
		}
	}
	slices.SortFunc(out, CompareBands)
	return out
}

// Programme kinds.
const (
	ProgrammeEducation      = "education"
	ProgrammeApprenticeship = "apprenticeship"
	ProgrammeTraining       = "training"
	ProgrammeEquivalence    = "equivalence"
)

// Programme is a step between credentials: a training programme,
// apprenticeship, equivalence route or general education.
type Programme struct {
	origin `yaml:"-" json:"-"`

	ID             string     `yaml:"id" json:"id"`
	Name           string     `yaml:"name" json:"name"`
	Kind           string     `yaml:"kind" json:"kind"`
	LevelID        string     `yaml:"level" json:"level,omitempty"`
	Aliases        []string   `yaml:"aliases" json:"aliases"`
	Summary        string     `yaml:"summary" json:"summary"`
	Entry          string     `yaml:"entry" json:"entry"`
	Requires       [][]string `yaml:"requires" json:"requires"`
	Grants         []string   `yaml:"grants" json:"grants"`
	Assumes        string     `yaml:"assumes" json:"assumes,omitempty"`
	DurationMonths int        `yaml:"duration_months" json:"duration_months"`
	DurationNote   string     `yaml:"duration_note" json:"duration_note,omitempty"`
	Award          string     `yaml:"award" json:"award"`
	BandTraining   []string   `yaml:"band_training" json:"band_training"`
	BandAfter      []string   `yaml:"band_after" json:"band_after"`
	Registration   string     `yaml:"registration" json:"registration,omitempty"`
	SpecialismIDs  []string   `yaml:"specialisms" json:"specialisms,omitempty"`
	Sources        []Citation `yaml:"sources" json:"sources"`

	Level *Level `yaml:"-" json:"-"`
}

// RunsIn reports whether the programme trains people in the specialism.
// Education steps run everywhere; others need the specialism to have the
// programme's level and, when the programme lists specialisms, to be listed
// (a sub-specialism counts when its parent is).
func (p *Programme) RunsIn(s *Specialism) bool {
	if p.Level == nil {
		return true
	}
	if !s.HasLevel(p.LevelID) {
		return false
	}
	if len(p.SpecialismIDs) == 0 {
		return true
	}
	for sp := s; sp != nil; sp = sp.Parent {
		if slices.Contains(p.SpecialismIDs, sp.ID) {
			return true
		}
	}
	return false
}

// Credential is something a person holds: a qualification, a registration
// or a kind of experience.
type Credential struct {
	ID   string `yaml:"id" json:"id"`
	Name string `yaml:"name" json:"name"`
}

// StartingPoint is where a person begins in the pathway planner.
type StartingPoint struct {
	ID    string   `yaml:"id" json:"id"`
	Name  string   `yaml:"name" json:"name"`
	Holds []string `yaml:"holds" json:"holds"`
}

// Quiz is the interest quiz's item bank.
type Quiz struct {
	Dimensions   []*Dimension   `yaml:"dimensions" json:"dimensions"`
	Items        []*QuizItem    `yaml:"items" json:"items"`
	Answers      []*AnswerScale `yaml:"answers" json:"answers"`
	DealBreakers []*DealBreaker `yaml:"deal_breakers" json:"deal_breakers"`
}

// Dimension is one interest a quiz item scores and a specialism has.
type Dimension struct {
	ID   string `yaml:"id" json:"id"`
	Name string `yaml:"name" json:"name"`
}

// QuizItem is one statement about a work activity.
type QuizItem struct {
	ID         int            `yaml:"id" json:"id"`
	Text       string         `yaml:"text" json:"text"`
	Dimensions map[string]int `yaml:"dimensions" json:"dimensions"`
}

// AnswerScale is one point on the answer scale.
type AnswerScale struct {
	Value int    `yaml:"value" json:"value"`
	Text  string `yaml:"text" json:"text"`
}

// DealBreaker is a hard limit that removes specialisms from quiz results.
type DealBreaker struct {
	ID       string   `yaml:"id" json:"id"`
	Code     string   `yaml:"code" json:"code"`
	Text     string   `yaml:"text" json:"text"`
	Excludes Excludes `yaml:"excludes" json:"excludes"`
}

// Excludes says which specialisms a deal-breaker removes: any that match one
// of the listed values.
type Excludes struct {
	PatientContact []string `yaml:"patient_contact" json:"patient_contact,omitempty"`
	Hours          []string `yaml:"hours" json:"hours,omitempty"`
	Exposures      []string `yaml:"exposures" json:"exposures,omitempty"`
	NotSetting     string   `yaml:"not_setting" json:"not_setting,omitempty"`
}

// Reason returns why the deal-breaker removes the specialism, or "" when it
// does not.
func (d *DealBreaker) Reason(s *Specialism) string {
	switch {
	case slices.Contains(d.Excludes.PatientContact, s.PatientContact):
		return "works directly with patients"
	case slices.Contains(d.Excludes.Hours, s.Hours):
		if s.Hours == HoursShifts {
			return "works shifts on a 24-hour rota"
		}
		return "includes on-call work"
	case d.Excludes.NotSetting != "" && !s.HasSetting(d.Excludes.NotSetting):
		return "is not mainly " + d.Excludes.NotSetting + "-based"
	}
	for _, e := range s.Exposures {
		if slices.Contains(d.Excludes.Exposures, e) {
			if e == "samples" {
				return "handles blood, tissue or other body samples"
			}
			return "works with " + e
		}
	}
	return ""
}

// Vocabulary is the search vocabulary kept with the data.
type Vocabulary struct {
	Spellings map[string]string   `yaml:"spellings" json:"spellings"`
	Synonyms  map[string][]string `yaml:"synonyms" json:"synonyms"`
}

// Lookups. Each returns nil when the id is unknown.

func (f *Framework) Source(id string) *Source               { return f.sources[id] }
func (f *Framework) Division(id string) *Division           { return f.divisions[id] }
func (f *Framework) RoleGroup(id string) *RoleGroup         { return f.roleGroups[id] }
func (f *Framework) Specialism(id string) *Specialism       { return f.specialisms[id] }
func (f *Framework) RenamedSpecialism(id string) *Renamed   { return f.renamed[id] }
func (f *Framework) Level(id string) *Level                 { return f.levels[id] }
func (f *Framework) Programme(id string) *Programme         { return f.programmes[id] }
func (f *Framework) Credential(id string) *Credential       { return f.credentials[id] }
func (f *Framework) StartingPoint(id string) *StartingPoint { return f.startingPoints[id] }

// SpecialismByAlias returns the specialism whose alias has the given slug,
// so that /specialisms/genetics can lead to genomics.
func (f *Framework) SpecialismByAlias(slug string) *Specialism {
	return f.specialisms[f.specialismAlias[slug]]
}

// CurrentSpecialisms returns the specialisms (not sub-specialisms).
func (f *Framework) CurrentSpecialisms() []*Specialism {
	var out []*Specialism
	for _, s := range f.Specialisms {
		if s.Kind == KindSpecialism {
			out = append(out, s)
		}
	}
	return out
}

// bandOrder is the Agenda for Change band scale, lowest first.
var bandOrder = []string{"1", "2", "3", "4", "5", "6", "7", "8a", "8b", "8c", "8d", "9"}

// IsBand reports whether b is an Agenda for Change band.
func IsBand(b string) bool { return slices.Contains(bandOrder, b) }

// CompareBands orders Agenda for Change bands.
func CompareBands(a, b string) int {
	return slices.Index(bandOrder, a) - slices.Index(bandOrder, b)
}

// BandRange formats bands as "6" or "8c to 9".
func BandRange(bands []string) string {
	if len(bands) == 0 {
		return ""
	}
	s := slices.Clone(bands)
	slices.SortFunc(s, CompareBands)
	if s[0] == s[len(s)-1] {
		return "Band " + s[0]
	}
	return "Bands " + s[0] + " to " + s[len(s)-1]
}

// Slug turns a name into the form used in ids and URLs:
// "Haematology and transfusion science" becomes
// "haematology-and-transfusion-science".
func Slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
	}
	return b.String()
}
