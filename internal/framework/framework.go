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
	Version   string  `json:"version"`
	Published string  `json:"published"`
	Title     string  `json:"title"`
	Licence   Licence `json:"licence"`

	Sources        []*Source        `json:"sources"`
	Divisions      []*Division      `json:"divisions"`
	RoleGroups     []*RoleGroup     `json:"role_groups"`
	Specialisms    []*Specialism    `json:"specialisms"`
	Renamed        []*Renamed       `json:"renamed"`
	Levels         []*Level         `json:"levels"`
	Programmes     []*Programme     `json:"programmes"`
	Credentials    []*Credential    `json:"credentials"`
	StartingPoints []*StartingPoint `json:"starting_points"`
	PayScales      []*PayScale      `json:"pay_scales"`
	Titles         []*Title         `json:"titles"`
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

// Licence is the open licence the framework data is published under.
type Licence struct {
	ID          string `yaml:"id" json:"id"` // SPDX identifier
	Name        string `yaml:"name" json:"name"`
	URL         string `yaml:"url" json:"url"`
	Attribution string `yaml:"attribution" json:"attribution"`
}

// Citation records which source an entry's facts come from.
type Citation struct {
	Source string `yaml:"source" json:"source"`
}

// Source standings: who stands behind a source.
const (
	StandingOfficial   = "official"    // a public body, regulator or professional body
	StandingThirdParty = "third-party" // a commercial guide, blog or other copy
	StandingSeed       = "seed"        // the text hcs is built from
)

// Source is a publication the framework cites. Dated is the date the page
// itself carries (published or last updated), as the research notes behind
// the data record it: YYYY-MM-DD, YYYY-MM or YYYY, or empty when the page
// is undated. It is not the day anyone typed the fact in.
type Source struct {
	origin `yaml:"-" json:"-"`

	ID        string `yaml:"id" json:"id"`
	Title     string `yaml:"title" json:"title"`
	Publisher string `yaml:"publisher" json:"publisher"`
	URL       string `yaml:"url" json:"url,omitempty"`
	Dated     string `yaml:"dated" json:"dated,omitempty"`
	Standing  string `yaml:"standing" json:"standing"`
	Note      string `yaml:"note" json:"note,omitempty"`
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
	// Registration, when set, is how people in this specialism register,
	// where it differs from their career level's usual registration.
	Registration string `yaml:"registration" json:"registration,omitempty"`
	// HSST says whether the specialism has a Higher Specialist Scientific
	// Training programme: HSSTAvailable, HSSTNone or HSSTUnconfirmed.
	HSST        string     `yaml:"hsst" json:"hsst"`
	HSSTSources []Citation `yaml:"hsst_sources" json:"hsst_sources,omitempty"`
	// ProgrammeRequires adds credentials a programme needs in this
	// specialism on top of its usual entry (reconstructive science's STP
	// needs GDC registration).
	ProgrammeRequires map[string][]string `yaml:"programme_requires" json:"programme_requires,omitempty"`
	// AlsoCounts lets credentials stand in for another in this specialism:
	// {degree-21: [care-degree-21]} means a nursing, midwifery or
	// psychology degree counts as a relevant degree.
	AlsoCounts map[string][]string `yaml:"also_counts" json:"also_counts,omitempty"`
	// Competition is the STP's published competition ratio per post.
	Competition *Competition `yaml:"competition" json:"competition,omitempty"`
	// Hours and settings as the sources describe them, where they do.
	WorkingPattern *Fact      `yaml:"working_pattern" json:"working_pattern,omitempty"`
	Sources        []Citation `yaml:"sources" json:"sources"`

	Parent   *Specialism   `yaml:"-" json:"-"`
	Children []*Specialism `yaml:"-" json:"-"`
	Group    *RoleGroup    `yaml:"-" json:"-"`
	Levels   []*Level      `yaml:"-" json:"-"`
	// FormerNames are retired names whose successor this is.
	FormerNames []*Renamed `yaml:"-" json:"-"`
}

// HSST availability.
const (
	HSSTAvailable   = "available"   // a source confirms an HSST programme
	HSSTNone        = "none"        // a source confirms there is none
	HSSTUnconfirmed = "unconfirmed" // no source either way
)

// Competition is the STP's competition ratio per post in a year, as the
// national school publishes it (not always applications divided by posts).
type Competition struct {
	Year         int        `yaml:"year" json:"year"`
	RatioPerPost float64    `yaml:"ratio_per_post" json:"ratio_per_post"`
	Sources      []Citation `yaml:"sources" json:"sources"`
}

// Fact is a sentence of data with the sources that hold it.
type Fact struct {
	Text    string     `yaml:"text" json:"text"`
	Sources []Citation `yaml:"sources" json:"sources"`
}

// Division is the division the specialism's role group belongs to.
func (s *Specialism) Division() *Division { return s.Group.Division }

// STPCompetition is the specialism's published STP competition, or its
// parent's for a sub-specialism without its own (it trains through the
// parent's STP).
func (s *Specialism) STPCompetition() *Competition {
	for ; s != nil; s = s.Parent {
		if s.Competition != nil {
			return s.Competition
		}
	}
	return nil
}

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

	ID           string   `yaml:"id" json:"id"`
	Name         string   `yaml:"name" json:"name"`
	Order        int      `yaml:"order" json:"order"`
	Aliases      []string `yaml:"aliases" json:"aliases"`
	Summary      string   `yaml:"summary" json:"summary"`
	ReachedBy    []string `yaml:"reached_by" json:"reached_by"`
	Stages       []Stage  `yaml:"stages" json:"stages"`
	Registration string   `yaml:"registration" json:"registration"`
	// RegistrationIn is the registration in one area, where it differs
	// from Registration (life-science practitioners register with the
	// HCPC as biomedical scientists), keyed by division id.
	RegistrationIn map[string]string `yaml:"registration_in" json:"registration_in,omitempty"`
	Sources        []Citation        `yaml:"sources" json:"sources"`

	Programmes []*Programme `yaml:"-" json:"-"`
}

// RegistrationFor is how people at this level register in the specialism.
func (l *Level) RegistrationFor(s *Specialism) string {
	if s.Registration != "" {
		return s.Registration
	}
	if r, ok := l.RegistrationIn[s.Division().ID]; ok {
		return r
	}
	return l.Registration
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
	// NeedsJob marks programmes a person takes in a job: apprenticeships,
	// the in-service STP and the IBMS portfolio.
	NeedsJob bool `yaml:"needs_job" json:"needs_job"`
	// HSST marks the Higher Specialist Scientific Training programme, which
	// does not run in specialisms whose HSST is HSSTNone.
	HSST          bool       `yaml:"hsst" json:"hsst,omitempty"`
	Award         string     `yaml:"award" json:"award"`
	BandTraining  []string   `yaml:"band_training" json:"band_training"`
	BandAfter     []string   `yaml:"band_after" json:"band_after"`
	Registration  string     `yaml:"registration" json:"registration,omitempty"`
	SpecialismIDs []string   `yaml:"specialisms" json:"specialisms,omitempty"`
	Sources       []Citation `yaml:"sources" json:"sources"`

	Level *Level `yaml:"-" json:"-"`
}

// RunsIn reports whether the programme trains people in the specialism.
// A programme with a level needs the specialism to have that level; any
// programme that lists specialisms (an education step may, such as the
// IBMS-accredited degree) runs only in those (a sub-specialism counts
// when its parent is). HSST does not run where a
// source says the specialism has none.
func (p *Programme) RunsIn(s *Specialism) bool {
	if p.Level != nil && (!s.HasLevel(p.LevelID) || (p.HSST && s.HSST == HSSTNone)) {
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
// or a kind of experience. A credential InSpecialism belongs to the
// specialism the person trained or works in (a practitioner qualification,
// a job in a department); it does not carry over to another specialism.
type Credential struct {
	ID           string `yaml:"id" json:"id"`
	Name         string `yaml:"name" json:"name"`
	InSpecialism bool   `yaml:"in_specialism" json:"in_specialism"`
}

// StartingPoint is where a person begins in the pathway planner. One that
// holds a credential in a specialism asks which specialism that is.
type StartingPoint struct {
	ID    string   `yaml:"id" json:"id"`
	Name  string   `yaml:"name" json:"name"`
	Holds []string `yaml:"holds" json:"holds"`

	// InSpecialism is set when the starting point holds any credential
	// that belongs to a specialism.
	InSpecialism bool `yaml:"-" json:"in_specialism"`
}

// Title is a job title people search for, and where it lives: in
// healthcare science, with the specialisms and routes it covers, or in
// another profession (BelongsTo), with the nearest healthcare science
// roles.
type Title struct {
	origin `yaml:"-" json:"-"`

	ID                  string     `yaml:"id" json:"id"`
	Name                string     `yaml:"name" json:"name"`
	Aliases             []string   `yaml:"aliases" json:"aliases"`
	InHealthcareScience bool       `yaml:"in_healthcare_science" json:"in_healthcare_science"`
	BelongsTo           string     `yaml:"belongs_to" json:"belongs_to,omitempty"`
	Summary             string     `yaml:"summary" json:"summary"`
	SpecialismIDs       []string   `yaml:"specialisms" json:"specialisms"`
	ProgrammeIDs        []string   `yaml:"programmes" json:"programmes"`
	Sources             []Citation `yaml:"sources" json:"sources"`

	Specialisms []*Specialism `yaml:"-" json:"-"`
	Programmes  []*Programme  `yaml:"-" json:"-"`
}

// PayScale is one year's Agenda for Change pay in one country.
type PayScale struct {
	Year      string     `yaml:"year" json:"year"`
	Country   string     `yaml:"country" json:"country"`
	Effective string     `yaml:"effective" json:"effective"`
	Note      string     `yaml:"note" json:"note"`
	Sources   []Citation `yaml:"sources" json:"sources"`
	Bands     []*BandPay `yaml:"bands" json:"bands"`
}

// BandPay is one band's pay points in a scale, lowest first, or the date
// the band closed to new entrants.
type BandPay struct {
	Band          string     `yaml:"band" json:"band"`
	Points        []PayPoint `yaml:"points" json:"points"`
	Closed        string     `yaml:"closed" json:"closed,omitempty"`
	ClosedNote    string     `yaml:"closed_note" json:"closed_note,omitempty"`
	ClosedSources []Citation `yaml:"closed_sources" json:"closed_sources,omitempty"`
}

// PayPoint is an annual full-time amount in pounds, reached after Years in
// the band; Years is nil where the sources do not say.
type PayPoint struct {
	Years  *int `yaml:"years" json:"years"`
	Amount int  `yaml:"amount" json:"amount"`
}

// Min and Max are the band's lowest and highest points.
func (b *BandPay) Min() int { return b.Points[0].Amount }
func (b *BandPay) Max() int { return b.Points[len(b.Points)-1].Amount }

// Pay is the current scale (the first listed), or nil when there is none.
func (f *Framework) Pay() *PayScale {
	if len(f.PayScales) == 0 {
		return nil
	}
	return f.PayScales[0]
}

// Range is the lowest and highest annual pay across the bands; ok is false
// when none of them is open in the scale.
func (ps *PayScale) Range(bands []string) (lo, hi int, ok bool) {
	for _, id := range bands {
		b := ps.Band(id)
		if b == nil || len(b.Points) == 0 {
			continue
		}
		if !ok || b.Min() < lo {
			lo = b.Min()
		}
		if !ok || b.Max() > hi {
			hi = b.Max()
		}
		ok = true
	}
	return lo, hi, ok
}

// Band returns the band's pay in the scale, or nil.
func (ps *PayScale) Band(band string) *BandPay {
	for _, b := range ps.Bands {
		if b.Band == band {
			return b
		}
	}
	return nil
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

// Bands lists the Agenda for Change bands, lowest first.
func Bands() []string { return slices.Clone(bandOrder) }

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

// Describe gives each kind of entry's one-line description, for page
// metadata.
func (l *Level) Describe() string     { return l.Summary }
func (p *Programme) Describe() string { return p.Summary }
func (d *Division) Describe() string  { return d.Summary }
func (g *RoleGroup) Describe() string { return g.Summary }
func (r *Renamed) Describe() string   { return r.Note }
