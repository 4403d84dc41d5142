// Package train is training to registration: curricula as versioned data,
// and the progression rules a trainee's record is reviewed against.
//
// A curriculum is data beside the framework (data/curricula), each entry
// citing a framework source. Where the research behind it has a module's
// place in the programme but not its competencies (most specialist
// modules), the module is an outline with its source, to be filled by a
// data edit: competencies are never invented here.
package train

import (
	"fmt"
	"slices"
	"strings"

	"hcs/internal/framework"
)

// Curriculum is one programme's curriculum, in one version.
type Curriculum struct {
	ID        string `yaml:"id" json:"id"`
	Programme string `yaml:"programme" json:"programme"` // a framework programme id
	Name      string `yaml:"name" json:"name"`
	Version   string `yaml:"version" json:"version"`
	// InForceFrom is the first start date (YYYY-MM-DD) that follows this
	// version; empty when the sources give none, which puts it before
	// every dated version of the programme.
	InForceFrom string   `yaml:"in_force_from" json:"in_force_from,omitempty"`
	Specialisms []string `yaml:"specialisms" json:"specialisms,omitempty"`
	// AllSpecialisms marks a curriculum shared by every specialism of the
	// programme; otherwise Specialisms lists them.
	AllSpecialisms bool         `yaml:"all_specialisms" json:"all_specialisms,omitempty"`
	Summary        string       `yaml:"summary" json:"summary"`
	Modules        []*Module    `yaml:"modules" json:"modules"`
	Reviews        []*Review    `yaml:"reviews" json:"reviews"`
	Completion     *Requirement `yaml:"completion" json:"completion"`
	// Certificate is what the national school issues when the completion
	// rule holds.
	Certificate *CertificateSpec     `yaml:"certificate" json:"certificate"`
	Sources     []framework.Citation `yaml:"sources" json:"sources"`

	file string
}

// CertificateSpec names a programme's completion certificate.
type CertificateSpec struct {
	Name  string `yaml:"name" json:"name"`   // in full, as the certificate is titled
	Short string `yaml:"short" json:"short"` // its abbreviation, such as CCSTP
	// Criteria says in a sentence what the holder did to earn it, for the
	// credential's criteria.
	Criteria string               `yaml:"criteria" json:"criteria"`
	Sources  []framework.Citation `yaml:"sources" json:"sources"`
}

// Module kinds, as the STP's work-based curriculum names them.
const (
	KindIntroduction = "introduction"
	KindCore         = "core"
	KindRotation     = "rotation"
	KindSpecialist   = "specialist"
	KindElective     = "elective"
	KindDevelopment  = "professional-development"
)

// ModuleKinds are the kinds a module may have. The MSc and the final
// assessment are not modules of the work-based curriculum: rules read them
// as records.
var ModuleKinds = []string{KindIntroduction, KindCore, KindRotation, KindSpecialist, KindElective, KindDevelopment}

// Module statuses: complete modules carry their competencies; outlines
// carry their place and source, and their competencies are still to be
// filled from the published curriculum.
const (
	StatusComplete = "complete"
	StatusOutline  = "outline"
)

// Module is a unit of the curriculum: for the STP, a module with an aim,
// competencies, assessments, learning outcomes and clinical experiences.
type Module struct {
	Code  string `yaml:"code" json:"code"`
	Title string `yaml:"title" json:"title,omitempty"`
	Kind  string `yaml:"kind" json:"kind"`
	// Phase is the part of the programme the module belongs to (the STP's
	// Phase 1 rotations, Phase 2 and so on); 0 when the curriculum has none.
	Phase    int    `yaml:"phase" json:"phase,omitempty"`
	Optional bool   `yaml:"optional" json:"optional,omitempty"`
	Status   string `yaml:"status" json:"status"`
	// ToFill says, for an outline, what is missing and where it is
	// published.
	ToFill           string               `yaml:"to_fill" json:"to_fill,omitempty"`
	Aim              string               `yaml:"aim" json:"aim,omitempty"`
	Competencies     []*Competency        `yaml:"competencies" json:"competencies,omitempty"`
	LearningOutcomes []string             `yaml:"learning_outcomes" json:"learning_outcomes,omitempty"`
	Experiences      []string             `yaml:"clinical_experiences" json:"clinical_experiences,omitempty"`
	Assessments      Assessments          `yaml:"assessments" json:"assessments"`
	Sources          []framework.Citation `yaml:"sources" json:"sources"`
}

// Competency is one competency of a module, signed off on its own.
type Competency struct {
	Code  string `yaml:"code" json:"code"`
	Title string `yaml:"title" json:"title"`
}

// Assessments are the work-based assessments a module needs, each a
// separate submission: case-based discussions, direct observations of
// practical skills, observed clinical events, and those that may be either
// a DOPS or an OCE.
type Assessments struct {
	CBD       int `yaml:"cbd" json:"cbd,omitempty"`
	DOPS      int `yaml:"dops" json:"dops,omitempty"`
	OCE       int `yaml:"oce" json:"oce,omitempty"`
	DOPSOrOCE int `yaml:"dops_or_oce" json:"dops_or_oce,omitempty"`
}

// Review is a progress review and the rule it applies.
type Review struct {
	ID    string `yaml:"id" json:"id"`
	Title string `yaml:"title" json:"title"`
	// DueMonth is the month of training, counted from the start, by which
	// the review is held.
	DueMonth int `yaml:"due_month" json:"due_month"`
	// EveryMonths and LastMonth repeat a review: the HSST's annual review
	// is held every 12 months from month 24 to month 72.
	EveryMonths int `yaml:"every_months" json:"every_months,omitempty"`
	LastMonth   int `yaml:"last_month" json:"last_month,omitempty"`
	// Meeting is the meeting recording the review holds, as rules name it.
	Meeting string `yaml:"meeting" json:"meeting"`
	// Outcomes, when set, are the outcomes a panel records (the HSST's
	// annual review has five); otherwise the rule decides met or not met.
	Outcomes []Outcome            `yaml:"outcomes" json:"outcomes,omitempty"`
	Rule     *Requirement         `yaml:"rule" json:"rule,omitempty"`
	Sources  []framework.Citation `yaml:"sources" json:"sources"`
}

// Months lists the months of training the review is due in.
func (r *Review) Months() []int {
	if r.EveryMonths <= 0 {
		return []int{r.DueMonth}
	}
	var out []int
	for m := r.DueMonth; m <= r.LastMonth; m += r.EveryMonths {
		out = append(out, m)
	}
	return out
}

// Review returns the review with an id, or nil.
func (cu *Curriculum) Review(id string) *Review {
	for _, r := range cu.Reviews {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// Records lists what the curriculum's rules read from the record besides
// sign-offs and meetings (a passed final assessment, an awarded degree),
// in the order the rules name them: what the national school records.
func (cu *Curriculum) Records() []string {
	var out []string
	var walk func(r *Requirement)
	walk = func(r *Requirement) {
		if r == nil {
			return
		}
		if r.Record != "" && !slices.Contains(out, r.Record) {
			out = append(out, r.Record)
		}
		for _, sub := range append(slices.Clone(r.All), r.Any...) {
			walk(sub)
		}
	}
	for _, r := range cu.Reviews {
		walk(r.Rule)
	}
	walk(cu.Completion)
	return out
}

// Outcome is one outcome a review panel may record.
type Outcome struct {
	Code  int    `yaml:"code" json:"code"`
	Title string `yaml:"title" json:"title"`
}

// Curricula are every curriculum, by id.
type Curricula struct {
	List []*Curriculum
	byID map[string]*Curriculum
}

// Curriculum returns the curriculum with an id, or nil.
func (c *Curricula) Curriculum(id string) *Curriculum { return c.byID[id] }

// InForce returns the curriculum a trainee starting a programme in a
// specialism on a date (YYYY-MM-DD) follows: the latest in force by then.
func (c *Curricula) InForce(programme, specialism, start string) *Curriculum {
	var best *Curriculum
	for _, cu := range c.List {
		if cu.Programme != programme || cu.InForceFrom > start || !cu.Covers(specialism) {
			continue
		}
		if best == nil || cu.InForceFrom > best.InForceFrom {
			best = cu
		}
	}
	return best
}

// Covers reports whether the curriculum is followed in a specialism.
func (cu *Curriculum) Covers(specialism string) bool {
	return cu.AllSpecialisms || slices.Contains(cu.Specialisms, specialism)
}

// Module returns the module with a code, or nil.
func (cu *Curriculum) Module(code string) *Module {
	for _, m := range cu.Modules {
		if m.Code == code {
			return m
		}
	}
	return nil
}

// ValidationError lists every problem found in the curriculum data, each
// naming its file and entry as the framework's problems do.
type ValidationError struct{ Problems []framework.Problem }

func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return fmt.Sprintf("curriculum data has %d problem(s):\n%s", len(e.Problems), strings.Join(lines, "\n"))
}
