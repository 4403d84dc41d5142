package train

import (
	"slices"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/text"
)

// Trainee statuses. A record starts pending until its training officer
// confirms it; only active records take evidence and sign-offs.
const (
	TraineePending   = "pending"
	TraineeActive    = "active"
	TraineeCompleted = "completed"
	TraineeLeft      = "left"
)

// DateFormat is how training dates are written and read: a calendar day.
const DateFormat = "2006-01-02"

// Trainee is a person's record on one training programme: where they
// train, who supervises them, the curriculum version they follow and when
// they are expected to finish.
type Trainee struct {
	ID     int64  `json:"id"`
	UserID int64  `json:"user_id"`
	Name   string `json:"name"`
	// OfferID is the accepted recruitment offer the record came from.
	OfferID        int64  `json:"offer_id,omitempty"`
	Programme      string `json:"programme"`
	Specialism     string `json:"specialism"`
	Curriculum     string `json:"curriculum"`
	OrganisationID int64  `json:"organisation_id"`
	Organisation   string `json:"organisation"`
	DepartmentID   int64  `json:"department_id"`
	Department     string `json:"department"`
	Region         string `json:"region"`
	// TrainingOfficerID is the training officer who confirms the record and
	// approves assessors; Supervisors sign off the trainee's competencies.
	TrainingOfficerID int64   `json:"training_officer_id"`
	Supervisors       []int64 `json:"supervisors"`
	StartDate         string  `json:"start_date"`
	ExpectedEnd       string  `json:"expected_end"`
	Status            string  `json:"status"`
	// ConfirmedAt is when the training officer confirmed the record.
	ConfirmedAt *time.Time `json:"confirmed_at,omitempty"`
	CompletedAt *time.Time `json:"completed_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	// ImportedFrom says where a record imported from an archive came
	// from: the service and when it was exported.
	ImportedFrom string `json:"imported_from,omitempty"`
}

// Supervises reports whether a person is one of the trainee's
// supervisors.
func (t *Trainee) Supervises(userID int64) bool { return slices.Contains(t.Supervisors, userID) }

// Active refuses changes to a record that is not in training.
func (t *Trainee) Active() error {
	switch t.Status {
	case TraineeActive:
		return nil
	case TraineePending:
		return apperr.Errorf(apperr.Conflict, "This training record waits for its training officer to confirm it.")
	case TraineeCompleted:
		return apperr.Errorf(apperr.Conflict, "This trainee has completed the programme: the record is closed.")
	}
	return apperr.Errorf(apperr.Conflict, "This trainee has left the programme: the record is closed.")
}

// MaxSupervisors bounds the supervisors one trainee has at once.
const MaxSupervisors = 6

// CheckSupervisors checks a record's list of supervisors: at least one,
// no one twice, and not the trainee.
func CheckSupervisors(traineeUserID int64, ids []int64) ([]int64, error) {
	out := slices.Clone(ids)
	slices.Sort(out)
	if len(slices.Compact(slices.Clone(out))) != len(out) {
		return nil, apperr.Invalidf("supervisors", "Name each supervisor once")
	}
	switch {
	case len(out) == 0:
		return nil, apperr.Invalidf("supervisors", "Choose at least one supervisor")
	case len(out) > MaxSupervisors:
		return nil, apperr.Invalidf("supervisors", "A trainee has at most %d supervisors at once", MaxSupervisors)
	case slices.Contains(out, traineeUserID):
		return nil, apperr.Invalidf("supervisors", "A trainee cannot supervise themselves")
	case out[0] <= 0:
		return nil, apperr.Invalidf("supervisors", "Supervisors are named by their account")
	}
	return out, nil
}

// ParseDate reads a calendar date a person typed, naming the field when it
// is not one.
func ParseDate(field, label, s string) (time.Time, error) {
	d, err := time.Parse(DateFormat, s)
	if err != nil {
		return time.Time{}, apperr.Invalidf(field, "%s must be a date written as YYYY-MM-DD, like 2026-09-07", label)
	}
	return d, nil
}

// Kinds of change to a trainee's training that move the expected end.
const (
	ChangeTimeOut  = "time-out"  // time out of training: the days away are added
	ChangePartTime = "part-time" // part-time working: the days not worked are added
	ChangeTransfer = "transfer"  // a move to another department: any gap is added
)

// ChangeKinds lists the kinds, as forms offer them.
var ChangeKinds = []string{ChangeTimeOut, ChangePartTime, ChangeTransfer}

// ChangeNames are the kinds as people read them.
var ChangeNames = map[string]string{
	ChangeTimeOut:  "Time out of training",
	ChangePartTime: "Part-time working",
	ChangeTransfer: "Transfer to another department",
}

// Change is a period that moves a trainee's expected end: time out, part-
// time working at a percentage of full time, or a transfer with the gap
// between leaving one department and starting in the next.
type Change struct {
	ID        int64  `json:"id"`
	TraineeID int64  `json:"trainee_id"`
	Kind      string `json:"kind"`
	From      string `json:"from"`
	To        string `json:"to"`
	// Percent is the part of full time worked, for part-time working.
	Percent int `json:"percent,omitempty"`
	// ToDepartmentID is where a transfer goes.
	ToDepartmentID int64     `json:"to_department_id,omitempty"`
	Reason         string    `json:"reason"`
	RecordedBy     int64     `json:"recorded_by"`
	CreatedAt      time.Time `json:"created_at"`
}

// Validate checks a change's own fields.
func (c *Change) Validate() error {
	if !slices.Contains(ChangeKinds, c.Kind) {
		return apperr.Invalidf("kind", "Choose time out of training, part-time working or a transfer")
	}
	from, err := ParseDate("from", "The first day", c.From)
	if err != nil {
		return err
	}
	to, err := ParseDate("to", "The last day", c.To)
	if err != nil {
		return err
	}
	if c.Kind == ChangeTransfer {
		if to.Before(from) {
			return apperr.Invalidf("to", "The day training starts in the new department cannot be before the day it ends in the old one")
		}
		if c.ToDepartmentID <= 0 {
			return apperr.Invalidf("department_id", "Choose the department the trainee moves to")
		}
	} else if to.Before(from) {
		return apperr.Invalidf("to", "The last day cannot be before the first")
	}
	if to.Sub(from) > 5*366*24*time.Hour {
		return apperr.Invalidf("to", "A change lasts at most five years; record a longer one as several")
	}
	if c.Kind == ChangePartTime {
		if c.Percent < 20 || c.Percent > 99 {
			return apperr.Invalidf("percent", "Part-time working is from 20%% to 99%% of full time")
		}
	} else {
		c.Percent = 0
	}
	if c.Reason, err = text.Para("reason", "The reason", c.Reason, 1000); err != nil {
		return err
	}
	if c.Reason == "" {
		return apperr.Invalidf("reason", "Give the reason, as the trainee's record will show it")
	}
	return nil
}

// Overlaps refuses a period of time out or part-time working that
// overlaps one already recorded: the days would be added twice. (A
// transfer's gap is a period of its own too.)
func (c *Change) Overlaps(recorded []Change) error {
	for _, r := range recorded {
		if c.From <= r.To && r.From <= c.To {
			return apperr.Errorf(apperr.Conflict, "%s from %s to %s is already recorded, and overlaps this one; record only the days not yet covered.",
				ChangeNames[r.Kind], r.From, r.To)
		}
	}
	return nil
}

// ExtraDays is how many days the change adds to the expected end: every
// day of time out; the days a part-time trainee does not work, scaled so
// that the same training is done (60% for 100 days adds 67); the days
// between leaving one department and starting in the next.
func (c *Change) ExtraDays() int {
	from, _ := time.Parse(DateFormat, c.From)
	to, _ := time.Parse(DateFormat, c.To)
	days := int(to.Sub(from).Hours()/24) + 1
	switch c.Kind {
	case ChangeTimeOut:
		return days
	case ChangePartTime:
		// Working p% of d days covers p·d/100 days of training; the rest,
		// d·(100−p)/p, is added, rounded up.
		return (days*(100-c.Percent) + c.Percent - 1) / c.Percent
	case ChangeTransfer:
		return max(0, days-2) // the days strictly between the two
	}
	return 0
}

// ExpectedEnd is the day a trainee is expected to finish: the start plus
// the programme's length, less a day, plus what each change adds.
func ExpectedEnd(start string, months int, changes []Change) (string, error) {
	s, err := ParseDate("start_date", "The start date", start)
	if err != nil {
		return "", err
	}
	end := s.AddDate(0, months, -1)
	for _, c := range changes {
		end = end.AddDate(0, 0, c.ExtraDays())
	}
	return end.Format(DateFormat), nil
}

// MonthsIn counts the whole months of training from the start to a day,
// less the months that changes added by then: a review due in month 12 is
// due twelve months of training in, not twelve calendar months.
func MonthsIn(start string, day time.Time, changes []Change) int {
	s, err := time.Parse(DateFormat, start)
	if err != nil || day.Before(s) {
		return 0
	}
	extra := 0
	for _, c := range changes {
		if c.From <= day.Format(DateFormat) {
			extra += c.ExtraDays()
		}
	}
	day = day.AddDate(0, 0, -extra)
	months := (day.Year()-s.Year())*12 + int(day.Month()-s.Month())
	if day.Day() < s.Day() {
		months--
	}
	return max(0, months)
}

// DueDate is the day a review due in a month of training falls on, after
// the changes recorded.
func DueDate(start string, month int, changes []Change) string {
	s, err := time.Parse(DateFormat, start)
	if err != nil {
		return ""
	}
	due := s.AddDate(0, month, 0)
	for _, c := range changes {
		if c.From < due.Format(DateFormat) {
			due = due.AddDate(0, 0, c.ExtraDays())
		}
	}
	return due.Format(DateFormat)
}
