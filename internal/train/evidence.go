package train

import (
	"slices"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/text"
)

// Kinds of evidence in the e-portfolio. Case-based discussions, direct
// observations of practical skills and observed clinical events are
// work-based assessments: an assessor completes each. The rest are the
// trainee's own records.
const (
	EvidenceCBD        = "cbd"
	EvidenceDOPS       = "dops"
	EvidenceOCE        = "oce"
	EvidenceReflection = "reflection"
	EvidenceRotation   = "rotation" // a rotation completed
	EvidenceMSF        = "msf"      // a round of multi-source feedback
)

// EvidenceKinds lists the kinds in the order forms offer them.
var EvidenceKinds = []string{EvidenceDOPS, EvidenceOCE, EvidenceCBD, EvidenceReflection, EvidenceRotation, EvidenceMSF}

// EvidenceNames are the kinds as people read them.
var EvidenceNames = map[string]string{
	EvidenceCBD:        "Case-based discussion (CBD)",
	EvidenceDOPS:       "Direct observation of practical skills (DOPS)",
	EvidenceOCE:        "Observed clinical event (OCE)",
	EvidenceReflection: "Reflective entry",
	EvidenceRotation:   "Rotation completed",
	EvidenceMSF:        "Multi-source feedback round",
}

// Assessed reports whether a kind of evidence is a work-based assessment
// that an assessor completes.
func Assessed(kind string) bool {
	return kind == EvidenceCBD || kind == EvidenceDOPS || kind == EvidenceOCE
}

// Evidence statuses. A draft is the trainee's, seen by their supervisors
// only when shared; an assessment waits for its assessor once submitted;
// everything else is final when submitted.
const (
	EvidenceDraft     = "draft"
	EvidenceSubmitted = "submitted"
	EvidenceAwaiting  = "awaiting-assessor"
	EvidenceAssessed  = "assessed"
)

// Assessor judgements on a work-based assessment. Only a satisfactory one
// counts towards a module's assessments.
const (
	JudgementSatisfactory = "satisfactory"
	JudgementNotYet       = "not-yet"
)

// JudgementNames are the judgements as people read them.
var JudgementNames = map[string]string{
	JudgementSatisfactory: "Satisfactory: the trainee showed the competencies observed",
	JudgementNotYet:       "Not yet: the trainee should be assessed again",
}

// Evidence is one entry of the e-portfolio, in one module of the
// curriculum and mapped to some of its competencies.
type Evidence struct {
	ID           int64    `json:"id"`
	TraineeID    int64    `json:"trainee_id"`
	Kind         string   `json:"kind"`
	Module       string   `json:"module"`
	Competencies []string `json:"competencies"`
	Title        string   `json:"title"`
	OccurredOn   string   `json:"occurred_on"`
	Body         string   `json:"body"`
	Status       string   `json:"status"`
	// Shared marks a draft the trainee lets their supervisors see.
	Shared bool `json:"shared"`
	// The assessor of a work-based assessment and what they recorded.
	AssessorName  string     `json:"assessor_name,omitempty"`
	AssessorEmail string     `json:"assessor_email,omitempty"`
	Judgement     string     `json:"judgement,omitempty"`
	Feedback      string     `json:"feedback,omitempty"`
	AssessedAt    *time.Time `json:"assessed_at,omitempty"`
	SubmittedAt   *time.Time `json:"submitted_at,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

// Final reports whether the entry counts: submitted, or assessed.
func (e *Evidence) Final() bool {
	return e.Status == EvidenceSubmitted || e.Status == EvidenceAssessed
}

// Counts reports whether the entry counts towards sign-off: a final
// record, or a work-based assessment judged satisfactory.
func (e *Evidence) Counts() bool {
	if Assessed(e.Kind) {
		return e.Status == EvidenceAssessed && e.Judgement == JudgementSatisfactory
	}
	return e.Status == EvidenceSubmitted
}

// VisibleToTeam reports whether the trainee's supervisors, training
// officer and the national school see the entry: anything but a draft the
// trainee has kept to themselves.
func (e *Evidence) VisibleToTeam() bool { return e.Status != EvidenceDraft || e.Shared }

// Limits on what a trainee types.
const (
	MaxTitle = 200
	MaxBody  = 20000
)

// Validate checks an entry's fields against the curriculum: a kind, a
// module of the trainee's curriculum, competencies of that module, a
// title, a date not in the future, and what it says.
func (e *Evidence) Validate(cu *Curriculum, today time.Time) error {
	if !slices.Contains(EvidenceKinds, e.Kind) {
		return apperr.Invalidf("kind", "Choose what kind of evidence this is")
	}
	m := cu.Module(e.Module)
	if m == nil {
		return apperr.Invalidf("module", "Choose a module of the %s", cu.Name)
	}
	comps := append([]string{}, e.Competencies...)
	slices.Sort(comps)
	comps = slices.Compact(comps)
	for _, c := range comps {
		if m.Competency(c) == nil {
			return apperr.Invalidf("competencies", "%q is not a competency of module %s", c, m.Code)
		}
	}
	e.Competencies = comps
	var err error
	if e.Title, err = text.Line("title", "The title", e.Title, MaxTitle); err != nil {
		return err
	}
	if e.Title == "" {
		return apperr.Invalidf("title", "Give the entry a title")
	}
	day, err := ParseDate("occurred_on", "The date it happened", e.OccurredOn)
	if err != nil {
		return err
	}
	if day.After(today) {
		return apperr.Invalidf("occurred_on", "The date it happened cannot be in the future")
	}
	if e.Body, err = text.Para("body", "What happened and what you learned", e.Body, MaxBody); err != nil {
		return err
	}
	return nil
}

// Editable refuses changes to an entry that is no longer a draft.
func (e *Evidence) Editable() error {
	if e.Status == EvidenceDraft {
		return nil
	}
	return apperr.Errorf(apperr.Conflict, "This entry was submitted on %s and can no longer be changed.", e.SubmittedAt.UTC().Format(DateFormat))
}

// Competency returns the module's competency with a code, or nil.
func (m *Module) Competency(code string) *Competency {
	for _, c := range m.Competencies {
		if c.Code == code {
			return c
		}
	}
	return nil
}

// Quota is how far a module's work-based assessments have come: those
// judged satisfactory of each kind, against what the module needs.
type Quota struct {
	Need Assessments `json:"need"`
	Have Assessments `json:"have"`
}

// Met reports whether every kind has enough: DOPS and OCE beyond their
// own counts stand for the "DOPS or OCE" ones.
func (q Quota) Met() bool {
	spare := max(0, q.Have.DOPS-q.Need.DOPS) + max(0, q.Have.OCE-q.Need.OCE)
	return q.Have.CBD >= q.Need.CBD && q.Have.DOPS >= q.Need.DOPS && q.Have.OCE >= q.Need.OCE &&
		spare >= q.Need.DOPSOrOCE
}

// SaveEvidence saves a new entry or a change to one, and keeps the
// trainee's tally with it: the old entry's contribution taken away, the
// new one's added. Every write of evidence goes through it.
func SaveEvidence(tx Tx, e *Evidence) error {
	if e.ID == 0 {
		if err := tx.InsertEvidence(e); err != nil {
			return err
		}
		return addToTally(tx, e, 1)
	}
	old, err := tx.Evidence(e.ID)
	if err != nil {
		return err
	}
	if err := addToTally(tx, old, -1); err != nil {
		return err
	}
	if err := tx.UpdateEvidence(e); err != nil {
		return err
	}
	return addToTally(tx, e, 1)
}

func addToTally(tx Tx, e *Evidence, sign int) error {
	t := TallyOf([]Evidence{*e})
	mt := t.Modules[e.Module]
	d := ModuleTally{Visible: sign * mt.Visible, Counting: sign * mt.Counting,
		Have: Assessments{CBD: sign * mt.Have.CBD, DOPS: sign * mt.Have.DOPS, OCE: sign * mt.Have.OCE}}
	return tx.AddToTally(e.TraineeID, e.Module, d)
}

// ModuleQuota counts a module's satisfactory assessments.
func ModuleQuota(m *Module, evidence []Evidence) Quota {
	return TallyOf(evidence).Quota(m)
}

// Tally counts a trainee's evidence by module: what the cohort's overview
// needs, which the store can count without loading each entry.
type Tally struct {
	Modules map[string]*ModuleTally
	// OldestAwaiting is when the longest-waiting assessment was sent to
	// its assessor.
	OldestAwaiting *time.Time
}

// ModuleTally is one module's evidence counted.
type ModuleTally struct {
	// Have counts the assessments judged satisfactory, by kind.
	Have Assessments
	// Counting is the entries that count towards sign-off; Visible those
	// the trainee's supervisors see.
	Counting, Visible int
}

// TallyOf counts entries.
func TallyOf(evidence []Evidence) *Tally {
	t := &Tally{}
	for i := range evidence {
		t.Add(&evidence[i], 1)
	}
	return t
}

// Add counts n entries shaped like e (the store counts groups of alike
// entries, and passes the earliest submission of the group in e).
func (t *Tally) Add(e *Evidence, n int) {
	if t.Modules == nil {
		t.Modules = map[string]*ModuleTally{}
	}
	mt := t.Modules[e.Module]
	if mt == nil {
		mt = &ModuleTally{}
		t.Modules[e.Module] = mt
	}
	if e.VisibleToTeam() {
		mt.Visible += n
	}
	if e.Counts() {
		mt.Counting += n
		switch e.Kind {
		case EvidenceCBD:
			mt.Have.CBD += n
		case EvidenceDOPS:
			mt.Have.DOPS += n
		case EvidenceOCE:
			mt.Have.OCE += n
		}
	}
	if e.Status == EvidenceAwaiting && e.SubmittedAt != nil && (t.OldestAwaiting == nil || e.SubmittedAt.Before(*t.OldestAwaiting)) {
		at := *e.SubmittedAt
		t.OldestAwaiting = &at
	}
}

// Quota is how far a module's assessments have come.
func (t *Tally) Quota(m *Module) Quota {
	q := Quota{Need: m.Assessments}
	if mt := t.Modules[m.Code]; mt != nil {
		q.Have = mt.Have
	}
	return q
}

// Counting is how many entries of a module count towards sign-off.
func (t *Tally) Counting(module string) int {
	if mt := t.Modules[module]; mt != nil {
		return mt.Counting
	}
	return 0
}

// Visible is how many entries of a module the trainee's supervisors see.
func (t *Tally) Visible(module string) int {
	if mt := t.Modules[module]; mt != nil {
		return mt.Visible
	}
	return 0
}
