// Package workforce is the healthcare science workforce as employers
// record it: staff assignments from ESR-like extracts, the employers they
// work for, and the figures planners read from them (headcount and FTE by
// region, division, specialism, level and band, over time), with small
// numbers suppressed wherever a figure leaves the employer's own staff.
//
// The package owns the rules: what a valid assignment is, how an extract
// is read and merged into what is held, how figures are counted and which
// cells are hidden. Storage only loads and saves (Store); pages only
// decode and render.
package workforce

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"hcs/internal/framework"
)

// Day is a calendar date, counted in days from 1970-01-01. Assignments
// start and end on days; figures are counted on days.
type Day int32

// NoEnd is the end of an assignment that has not ended.
const NoEnd Day = 1<<31 - 1

// DayOf returns the day a time falls on, in UTC.
func DayOf(t time.Time) Day {
	y, m, d := t.UTC().Date()
	return Day(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// Date returns the day for a year, month and day of month.
func Date(y int, m time.Month, d int) Day {
	return Day(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// Time returns midnight UTC on the day.
func (d Day) Time() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// String writes the day as YYYY-MM-DD, and NoEnd as "".
func (d Day) String() string {
	if d == NoEnd {
		return ""
	}
	return d.Time().Format(time.DateOnly)
}

// MarshalText writes the day as String does.
func (d Day) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads a day as MarshalText writes it: "" is NoEnd.
func (d *Day) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = NoEnd
		return nil
	}
	v, err := ParseDay(string(b))
	*d = v
	return err
}

// Year is the day's calendar year.
func (d Day) Year() int { return d.Time().Year() }

// ParseDay reads YYYY-MM-DD, or DD/MM/YYYY as ESR writes it.
func ParseDay(s string) (Day, error) {
	layout := time.DateOnly
	if strings.Contains(s, "/") {
		layout = "02/01/2006"
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a date (write YYYY-MM-DD or DD/MM/YYYY)", s)
	}
	if t.Year() < 1950 || t.Year() > 2100 {
		return 0, fmt.Errorf("%s is not a plausible date", s)
	}
	return DayOf(t), nil
}

// FTE is a whole-time equivalent in hundredths: 100 is full time.
type FTE int32

// ParseFTE reads a whole-time equivalent such as 1, 0.8 or 0.53: more
// than 0, at most 1, in hundredths.
func ParseFTE(s string) (FTE, error) {
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > 2 || strings.ContainsAny(whole+frac, "+-") {
		return 0, fmt.Errorf("%q is not a whole-time equivalent (write a number from 0.01 to 1, such as 0.8)", s)
	}
	w, err1 := strconv.Atoi(whole)
	if w > 1 {
		err1 = strconv.ErrRange
	}
	f := 0
	var err2 error
	if frac != "" {
		f, err2 = strconv.Atoi(frac + strings.Repeat("0", 2-len(frac)))
	}
	v := FTE(w*100 + f)
	if err1 != nil || err2 != nil || v <= 0 || v > 100 {
		return 0, fmt.Errorf("%q is not a whole-time equivalent (write a number from 0.01 to 1, such as 0.8)", s)
	}
	return v, nil
}

// String writes the FTE with two decimals, as 0.80.
func (f FTE) String() string { return fmt.Sprintf("%d.%02d", f/100, f%100) }

// MarshalText writes the FTE as String does: "0.80".
func (f FTE) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// UnmarshalText reads an FTE as MarshalText writes it: a number of
// hundredths, from 0.00.
func (f *FTE) UnmarshalText(b []byte) error {
	whole, frac, ok := strings.Cut(string(b), ".")
	w, err1 := strconv.Atoi(whole)
	h, err2 := strconv.Atoi(frac)
	if !ok || len(frac) != 2 || err1 != nil || err2 != nil || w < 0 || h < 0 || strings.ContainsAny(string(b), "+-") {
		return fmt.Errorf("%q is not a full-time equivalent with two decimals", b)
	}
	*f = FTE(w*100 + h)
	return nil
}

// Float is the FTE as a number, 0.8 for 80.
func (f FTE) Float() float64 { return float64(f) / 100 }

// Staff groups of the NHS workforce data set that hold healthcare
// scientists: 06 is the healthcare scientists' own group; assistants with
// much patient contact may be recorded under 07, additional clinical
// services.
const (
	StaffGroupHealthcareScientists = "06"
	StaffGroupAdditionalClinical   = "07"
)

// StaffGroups names the staff groups an assignment may be in.
var StaffGroups = map[string]string{
	StaffGroupHealthcareScientists: "Healthcare Scientists",
	StaffGroupAdditionalClinical:   "Additional Clinical Services",
}

// Contracts are the kinds of contract an assignment is on.
var Contracts = []string{"permanent", "fixed-term"}

// Leaving reasons, recorded on the assignment a person leaves from.
// Retirements drive the forecast's retirement rates.
var LeavingReasons = []string{"retirement", "resignation", "end-of-contract", "dismissal", "death", "other"}

// Registration bodies an assignment may record: the statutory regulator
// (HCPC) and the voluntary registers.
var RegistrationBodies = []string{"HCPC", "AHCS", "RCCP"}

// Employer is an organisation whose staff are recorded here, by its
// organisation code.
type Employer struct {
	OrganisationID int64  `json:"organisation_id"`
	Code           string `json:"code"`
	Name           string `json:"name"`
	Region         string `json:"region"`
}

// Assignment is one job a person holds with an employer for a period: the
// row of an ESR-like extract. A person's assignments do not overlap, so
// on any day a person is counted once.
type Assignment struct {
	// Number is the assignment number, unique across every employer.
	Number string `json:"assignment_number"`
	// Person is the pseudonymous person reference the extract carries;
	// it links a person's assignments and nothing else.
	Person     string `json:"person_reference"`
	Employer   string `json:"organisation_code"`
	StaffGroup string `json:"staff_group"`
	// Occupation is the NHS occupation code, where the extract has one.
	Occupation string `json:"occupation_code,omitempty"`
	Specialism string `json:"specialism"`
	Level      string `json:"career_level"`
	Band       string `json:"afc_band"`
	FTE        FTE    `json:"fte"`
	Contract   string `json:"contract"`
	Start      Day    `json:"start"`
	// End is the last day of the assignment, NoEnd while it lasts.
	End           Day    `json:"end"`
	LeavingReason string `json:"leaving_reason,omitempty"`
	BirthYear     int    `json:"birth_year"`
	RegBody       string `json:"registration_body,omitempty"`
	RegNumber     string `json:"registration_number,omitempty"`
	// Certificate is the id of the training completion certificate hcs
	// issued the person, where the extract records one.
	Certificate string `json:"training_certificate,omitempty"`
}

// ActiveOn reports whether the assignment is held on day d.
func (a *Assignment) ActiveOn(d Day) bool { return a.Start <= d && d <= a.End }

// same reports whether two assignments say the same.
func (a *Assignment) same(b *Assignment) bool { return *a == *b }

// countedSpecialism is the specialism staff in a specialism are counted
// in: itself, or for a sub-specialism its parent.
func countedSpecialism(f *framework.Framework, id string) *framework.Specialism {
	s := f.Specialism(id)
	for s != nil && s.ParentID != "" {
		s = f.Specialism(s.ParentID)
	}
	return s
}
