package train

import (
	"fmt"
	"slices"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/text"
)

// ReviewRecord is a progress review held for a trainee: when, by which
// panel, and what it found. A review decided by a rule records whether the
// rule held when the panel met; a review whose panel chooses an outcome
// (the HSST's annual review) records the outcome.
type ReviewRecord struct {
	ID        int64  `json:"id"`
	TraineeID int64  `json:"trainee_id"`
	Review    string `json:"review"`
	// Month is the month of training the review was due in: it tells the
	// years of a repeated review apart.
	Month   int      `json:"month"`
	HeldOn  string   `json:"held_on"`
	Met     bool     `json:"met"`
	Missing []string `json:"missing,omitempty"`
	Outcome int      `json:"outcome,omitempty"`
	// Panel names the panel's members, one per line.
	Panel      string    `json:"panel"`
	Notes      string    `json:"notes"`
	RecordedBy int64     `json:"recorded_by"`
	CreatedAt  time.Time `json:"created_at"`
}

// Validate checks what a panel typed: the day it met (not in the future,
// not before the start), its members and notes, and an outcome the review
// offers when it has outcomes.
func (r *ReviewRecord) Validate(rv *Review, t *Trainee, today time.Time) error {
	held, err := ParseDate("held_on", "The day the panel met", r.HeldOn)
	if err != nil {
		return err
	}
	if held.After(today) {
		return apperr.Invalidf("held_on", "The day the panel met cannot be in the future")
	}
	if r.HeldOn < t.StartDate {
		return apperr.Invalidf("held_on", "The panel cannot meet before training started on %s", t.StartDate)
	}
	if r.Panel, err = text.Para("panel", "The panel's members", r.Panel, 1000); err != nil {
		return err
	}
	if r.Panel == "" {
		return apperr.Invalidf("panel", "Name the panel's members, one per line")
	}
	if r.Notes, err = text.Para("notes", "The panel's notes", r.Notes, 5000); err != nil {
		return err
	}
	if len(rv.Outcomes) > 0 {
		if !slices.ContainsFunc(rv.Outcomes, func(o Outcome) bool { return o.Code == r.Outcome }) {
			return apperr.Invalidf("outcome", "Choose the outcome the panel recorded")
		}
	} else if r.Outcome != 0 {
		return apperr.Invalidf("outcome", "This review is decided by its rule; it records no outcome")
	}
	if !slices.Contains(rv.Months(), r.Month) {
		return apperr.Invalidf("month", "%s is due in month %s of training, not month %d", rv.Title, monthList(rv.Months()), r.Month)
	}
	return nil
}

func monthList(months []int) string {
	s := make([]string, len(months))
	for i, m := range months {
		s[i] = fmt.Sprint(m)
	}
	return joinList(s)
}

// Record is something the national school records that rules read: a
// passed final assessment, an awarded degree.
type Record struct {
	TraineeID  int64     `json:"trainee_id"`
	Name       string    `json:"name"`
	RecordedOn string    `json:"recorded_on"`
	RecordedBy int64     `json:"recorded_by"`
	CreatedAt  time.Time `json:"created_at"`
}

// Portfolio is everything about one trainee that their progress is
// computed from.
type Portfolio struct {
	Trainee  *Trainee
	Evidence []Evidence
	// Tally counts the evidence; when nil, it is counted from Evidence.
	Tally    *Tally
	SignOffs []SignOff
	Reviews  []ReviewRecord
	Records  []Record
	Changes  []Change
}

// SignOff returns the sign-off of a module or one of its competencies, or
// nil.
func (p *Portfolio) SignOff(module, competency string) *SignOff {
	for i := range p.SignOffs {
		if s := &p.SignOffs[i]; s.Module == module && s.Competency == competency {
			return s
		}
	}
	return nil
}

// Competencies maps a module's competencies to their sign-offs.
func (p *Portfolio) Competencies(module string) map[string]*SignOff {
	out := map[string]*SignOff{}
	for i := range p.SignOffs {
		if s := &p.SignOffs[i]; s.Module == module && s.Competency != "" {
			out[s.Competency] = s
		}
	}
	return out
}

// Progress is what the rules read of the portfolio.
func (p *Portfolio) Progress(cu *Curriculum) Progress {
	pr := Progress{SignedOff: map[string]int{}, Modules: map[string]bool{}, Meetings: map[string]bool{}, Records: map[string]bool{}}
	for _, s := range p.SignOffs {
		switch {
		case !s.Signed():
		case s.Competency == "":
			pr.Modules[s.Module] = true
		default:
			pr.SignedOff[s.Module]++
		}
	}
	for _, r := range p.Reviews {
		if rv := cu.Review(r.Review); rv != nil {
			pr.Meetings[rv.Meeting] = true
		}
	}
	for _, r := range p.Records {
		pr.Records[r.Name] = true
	}
	return pr
}

// ModuleStatus is how far one module has come.
type ModuleStatus struct {
	Module   *Module  `json:"module"`
	SignOff  *SignOff `json:"sign_off,omitempty"`
	Signed   int      `json:"competencies_signed"`
	Quota    Quota    `json:"assessments"`
	Evidence int      `json:"evidence"`
	// Counting is the entries that count towards signing the module off.
	Counting int `json:"counting"`
}

// Ready reports whether the module waits for its supervisor's sign-off:
// not signed off, every competency the data lists signed, its assessments
// met and some evidence that counts.
func (ms ModuleStatus) Ready() bool {
	return !ms.SignOff.Signed() && ms.Signed >= len(ms.Module.Competencies) && ms.Quota.Met() && ms.Counting > 0
}

// ReviewStatus is one review due in a trainee's training: when, whether it
// was held and, for a review decided by a rule, whether the rule holds now
// and what is missing.
type ReviewStatus struct {
	Review  *Review       `json:"review"`
	Month   int           `json:"month"`
	Due     string        `json:"due"`
	Record  *ReviewRecord `json:"record,omitempty"`
	Now     Result        `json:"now"`
	Overdue bool          `json:"overdue"`
}

// Exceptions the national school is alerted to.
const (
	ExceptionUnconfirmed     = "unconfirmed"      // waiting for the training officer
	ExceptionReviewOverdue   = "review-overdue"   // a review's due day has passed and it has not been held
	ExceptionBehind          = "behind-schedule"  // a review held or due found the rule not met, or its panel recorded progress short of satisfactory
	ExceptionAssessorWaiting = "assessor-waiting" // an assessment has waited for its assessor too long
	ExceptionPastEnd         = "past-expected-end"
)

// ExceptionNames are the exceptions as people read them.
var ExceptionNames = map[string]string{
	ExceptionUnconfirmed:     "Waiting for the training officer to confirm",
	ExceptionReviewOverdue:   "Review overdue",
	ExceptionBehind:          "Behind schedule",
	ExceptionAssessorWaiting: "Assessor waiting",
	ExceptionPastEnd:         "Past the expected end",
}

// Waits: how long a record may wait for its training officer, and an
// assessment for its assessor, before the national school is told.
const (
	ConfirmWait  = 14 * 24 * time.Hour
	AssessorWait = 21 * 24 * time.Hour
)

// Status is a trainee's progress at a moment: each module, each review
// due, the completion rule and the exceptions the school is alerted to.
type Status struct {
	Trainee    *Trainee       `json:"trainee"`
	MonthsIn   int            `json:"months_in"`
	Modules    []ModuleStatus `json:"modules"`
	Reviews    []ReviewStatus `json:"reviews"`
	Completion Result         `json:"completion"`
	Exceptions []string       `json:"exceptions"`
}

// Assess computes a trainee's status on a day from their portfolio and
// curriculum.
func Assess(cu *Curriculum, p *Portfolio, now time.Time) Status {
	t := p.Trainee
	today := now.UTC().Format(DateFormat)
	st := Status{Trainee: t, MonthsIn: MonthsIn(t.StartDate, now, p.Changes), Exceptions: []string{}}
	pr := p.Progress(cu)
	tally := p.Tally
	if tally == nil {
		tally = TallyOf(p.Evidence)
	}
	for _, m := range cu.Modules {
		ms := ModuleStatus{Module: m, SignOff: p.SignOff(m.Code, ""), Quota: tally.Quota(m), Signed: pr.SignedOff[m.Code], Evidence: tally.Visible(m.Code), Counting: tally.Counting(m.Code)}
		if ms.SignOff.Signed() {
			ms.Signed = len(m.Competencies)
		}
		st.Modules = append(st.Modules, ms)
	}
	exception := func(code string) {
		if !slices.Contains(st.Exceptions, code) {
			st.Exceptions = append(st.Exceptions, code)
		}
	}
	for _, rv := range cu.Reviews {
		for _, month := range rv.Months() {
			rs := ReviewStatus{Review: rv, Month: month, Due: DueDate(t.StartDate, month, p.Changes)}
			for i := range p.Reviews {
				if r := &p.Reviews[i]; r.Review == rv.ID && r.Month == month {
					rs.Record = r
				}
			}
			if rv.Rule != nil {
				rs.Now = cu.Check(rv.Rule, pr)
			}
			rs.Overdue = rs.Record == nil && rs.Due < today && t.Status == TraineeActive
			if rs.Overdue {
				exception(ExceptionReviewOverdue)
			}
			if rec := rs.Record; rec != nil && t.Status == TraineeActive && (rv.Rule != nil && !rec.Met && !rs.Now.Met || rec.Outcome >= 3 && rec.Outcome <= 4) {
				exception(ExceptionBehind)
			}
			st.Reviews = append(st.Reviews, rs)
		}
	}
	st.Completion = cu.Check(cu.Completion, pr)
	if t.Status == TraineePending && now.Sub(t.CreatedAt) > ConfirmWait {
		exception(ExceptionUnconfirmed)
	}
	if t.Status == TraineeActive {
		if tally.OldestAwaiting != nil && now.Sub(*tally.OldestAwaiting) > AssessorWait {
			exception(ExceptionAssessorWaiting)
		}
		if t.ExpectedEnd < today && !st.Completion.Met {
			exception(ExceptionPastEnd)
		}
	}
	return st
}
