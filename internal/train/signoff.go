package train

import (
	"fmt"
	"slices"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/text"
)

// Sign-off statuses. A signed item is locked; reopening it, with a reason,
// unlocks it until it is signed again.
const (
	SignedOff = "signed"
	Reopened  = "reopened"
)

// SignOff is a supervisor's sign-off of one competency of a module, or of
// the module as a whole (Competency empty).
type SignOff struct {
	ID           int64      `json:"id"`
	TraineeID    int64      `json:"trainee_id"`
	Module       string     `json:"module"`
	Competency   string     `json:"competency,omitempty"`
	Status       string     `json:"status"`
	SignedBy     int64      `json:"signed_by"`
	SignedAt     time.Time  `json:"signed_at"`
	ReopenedBy   int64      `json:"reopened_by,omitempty"`
	ReopenedAt   *time.Time `json:"reopened_at,omitempty"`
	ReopenReason string     `json:"reopen_reason,omitempty"`
	// ImportedFrom, on a sign-off made elsewhere and imported with the
	// record, says who signed it off and where; SignedBy is then the
	// training officer who accepted it.
	ImportedFrom string `json:"imported_from,omitempty"`
}

// Item names what a sign-off is of, as history and messages say it.
func (s *SignOff) Item() string { return Item(s.Module, s.Competency) }

// Item names a module, or one of its competencies.
func Item(module, competency string) string {
	if competency == "" {
		return "module " + module
	}
	return fmt.Sprintf("competency %s of module %s", competency, module)
}

// Signed reports whether the item is signed off now.
func (s *SignOff) Signed() bool { return s != nil && s.Status == SignedOff }

// CanSignCompetency says whether a supervisor may sign off a competency
// now: it is in the module, the module is not signed off as a whole, the
// competency is not signed already, and final evidence is mapped to it.
func CanSignCompetency(m *Module, code string, module, current *SignOff, evidence []Evidence) error {
	if m.Competency(code) == nil {
		return apperr.Invalidf("competency", "%q is not a competency of module %s", code, m.Code)
	}
	if module.Signed() {
		return apperr.Errorf(apperr.Conflict, "Module %s is signed off as a whole; reopen it before changing its competencies.", m.Code)
	}
	if current.Signed() {
		return apperr.Errorf(apperr.Conflict, "%s was signed off on %s; reopen it first to sign it again.", capital(current.Item()), current.SignedAt.UTC().Format(DateFormat))
	}
	for _, e := range evidence {
		if e.Module == m.Code && e.Counts() && slices.Contains(e.Competencies, code) {
			return nil
		}
	}
	return apperr.Errorf(apperr.Conflict, "There is no submitted or satisfactorily assessed evidence for %s yet.", Item(m.Code, code))
}

// CanSignModule says whether a supervisor may sign off a module as a
// whole: not signed already, every competency the data lists signed off,
// the assessments it needs judged satisfactory, and some final evidence
// in it. A module still in outline (its competencies not yet in the data)
// is signed off on the evidence alone.
func CanSignModule(m *Module, current *SignOff, competencies map[string]*SignOff, evidence []Evidence) error {
	if current.Signed() {
		return apperr.Errorf(apperr.Conflict, "Module %s was signed off on %s; reopen it first to sign it again.", m.Code, current.SignedAt.UTC().Format(DateFormat))
	}
	var missing []string
	for _, c := range m.Competencies {
		if !competencies[c.Code].Signed() {
			missing = append(missing, c.Code)
		}
	}
	if len(missing) > 0 {
		return apperr.Errorf(apperr.Conflict, "Module %s has competencies not signed off yet: %s.", m.Code, joinList(missing))
	}
	q := ModuleQuota(m, evidence)
	if !q.Met() {
		return apperr.Errorf(apperr.Conflict, "Module %s needs more satisfactory assessments: %s.", m.Code, q.Short())
	}
	for _, e := range evidence {
		if e.Module == m.Code && e.Counts() {
			return nil
		}
	}
	return apperr.Errorf(apperr.Conflict, "Module %s has no submitted or satisfactorily assessed evidence yet.", m.Code)
}

// CanReopen says whether a supervisor may reopen a signed-off item: only
// the one who signed it (a supervisor or the training officer), unless
// they are no longer on the trainee's record, when any of the trainee's
// supervisors or their training officer may; a competency of a module
// signed off as a whole waits for the module to be reopened; and a reason
// is given.
func CanReopen(t *Trainee, s, module *SignOff, by int64, reason string) (string, error) {
	if !s.Signed() {
		return "", apperr.Errorf(apperr.Conflict, "%s is not signed off, so there is nothing to reopen.", capital(s.Item()))
	}
	if s.Competency != "" && module.Signed() {
		return "", apperr.Errorf(apperr.Conflict, "Module %s is signed off as a whole; reopen the module first.", s.Module)
	}
	onRecord := func(id int64) bool { return t.Supervises(id) || t.TrainingOfficerID == id }
	if s.SignedBy != by && onRecord(s.SignedBy) {
		return "", apperr.Errorf(apperr.Forbidden, "Only the one who signed off %s may reopen it.", s.Item())
	}
	if !onRecord(by) {
		return "", apperr.Errorf(apperr.Forbidden, "Only the trainee's supervisors and training officer may reopen a sign-off.")
	}
	reason, err := text.Para("reason", "The reason for reopening", reason, 1000)
	if err == nil && reason == "" {
		err = apperr.Invalidf("reason", "Say why the sign-off is reopened")
	}
	return reason, err
}

// Short says what a quota still lacks, as "2 more DOPS, 1 more CBD".
func (q Quota) Short() string {
	var parts []string
	add := func(n int, what string) {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d more %s", n, what))
		}
	}
	add(q.Need.DOPS-q.Have.DOPS, "DOPS")
	add(q.Need.OCE-q.Have.OCE, "OCE")
	add(q.Need.CBD-q.Have.CBD, "CBD")
	spare := max(0, q.Have.DOPS-q.Need.DOPS) + max(0, q.Have.OCE-q.Need.OCE)
	add(q.Need.DOPSOrOCE-spare, "DOPS or OCE")
	return joinList(parts)
}

func joinList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	out := items[0]
	for _, s := range items[1 : len(items)-1] {
		out += ", " + s
	}
	return out + " and " + items[len(items)-1]
}

func capital(s string) string {
	if s == "" {
		return s
	}
	b := []byte(s)
	if b[0] >= 'a' && b[0] <= 'z' {
		b[0] -= 'a' - 'A'
	}
	return string(b)
}
