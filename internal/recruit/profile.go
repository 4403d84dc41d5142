package recruit

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/framework"
	"hcs/internal/text"
)

// Qualification is one qualification an applicant holds: a framework
// credential (degree-21, masters, …), which eligibility reads, with the
// subject, grade and year a reviewer reads.
type Qualification struct {
	Credential string `json:"credential"`
	Subject    string `json:"subject"`
	Grade      string `json:"grade"`
	Year       int    `json:"year"`
}

// Registration is a professional registration an applicant holds.
type Registration struct {
	Body   string `json:"body"`
	Number string `json:"number"`
}

// RegistrationBodies are the registers an applicant may name.
var RegistrationBodies = []string{
	"HCPC", // Health and Care Professions Council
	"AHCS", // Academy for Healthcare Science
	"GDC",  // General Dental Council
	"NMC",  // Nursing and Midwifery Council
	"GMC",  // General Medical Council
	"RCCP", // Registration Council for Clinical Physiologists
}

// Profile is what an applicant tells hcs about themselves for
// recruitment: qualifications, registrations, the right to work in the UK,
// and their current employer (so that nobody from it reviews them).
type Profile struct {
	UserID         int64           `json:"user_id"`
	Qualifications []Qualification `json:"qualifications"`
	Registrations  []Registration  `json:"registrations"`
	// Notes is anything else the applicant says about their
	// qualifications.
	Notes       string    `json:"notes"`
	RightToWork bool      `json:"right_to_work"`
	EmployerID  int64     `json:"employer_id,omitempty"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Profile limits.
const (
	MaxQualifications = 20
	MaxRegistrations  = 10
)

// Validate checks a profile against the framework's credentials. Problems
// name the row and field, as qualifications[2].year.
func (p *Profile) Validate(f *framework.Framework) error {
	if len(p.Qualifications) > MaxQualifications {
		return apperr.Invalidf("qualifications", "list up to %d qualifications", MaxQualifications)
	}
	if len(p.Registrations) > MaxRegistrations {
		return apperr.Invalidf("registrations", "list up to %d registrations", MaxRegistrations)
	}
	var err error
	if p.Notes, err = text.Para("notes", "Other qualifications", p.Notes, 2000); err != nil {
		return err
	}
	if p.EmployerID < 0 {
		return apperr.Invalidf("employer_id", "choose your current employer from the list, or none")
	}
	for i := range p.Qualifications {
		q := &p.Qualifications[i]
		field := fmt.Sprintf("qualifications[%d].", i)
		if q.Subject, err = text.Line(field+"subject", fmt.Sprintf("Qualification %d's subject", i+1), q.Subject, 200); err != nil {
			return err
		}
		if q.Grade, err = text.Line(field+"grade", fmt.Sprintf("Qualification %d's grade", i+1), q.Grade, 50); err != nil {
			return err
		}
		switch {
		case f.Credential(q.Credential) == nil:
			return apperr.Invalidf(field+"credential", "qualification %d: %q is not a qualification we know; choose one from the list", i+1, q.Credential)
		case q.Year != 0 && (q.Year < 1950 || q.Year > time.Now().Year()+1):
			return apperr.Invalidf(field+"year", "qualification %d: the year must be a year from 1950 to %d, such as 2024", i+1, time.Now().Year()+1)
		}
	}
	for i := range p.Registrations {
		r := &p.Registrations[i]
		field := fmt.Sprintf("registrations[%d].", i)
		r.Body = strings.TrimSpace(r.Body)
		if r.Number, err = text.Line(field+"number", fmt.Sprintf("Registration %d's number", i+1), r.Number, 50); err != nil {
			return err
		}
		switch {
		case !slices.Contains(RegistrationBodies, r.Body):
			return apperr.Invalidf(field+"body", "registration %d: %q is not a register; choose one of %s", i+1, r.Body, strings.Join(RegistrationBodies, ", "))
		case !text.Visible(r.Number):
			return apperr.Invalidf(field+"number", "registration %d: enter the registration number (up to 50 characters)", i+1)
		}
	}
	return nil
}

// Submission is what an application made now keeps of the profile.
func (p *Profile) Submission() Submission {
	return Submission{Qualifications: append([]Qualification{}, p.Qualifications...), Registrations: append([]Registration{}, p.Registrations...),
		Notes: p.Notes, EmployerID: p.EmployerID}
}

// Credentials lists the framework credentials the profile's qualifications
// give, each once.
func (p *Profile) Credentials() []string {
	var out []string
	for _, q := range p.Qualifications {
		if !slices.Contains(out, q.Credential) {
			out = append(out, q.Credential)
		}
	}
	return out
}

// Eligibility says whether someone may apply to a round, and why not when
// they may not.
type Eligibility struct {
	Eligible bool   `json:"eligible"`
	Reason   string `json:"reason"`
}

// CheckApplicant decides whether a profile meets a round's programme's
// entry requirements: a profile at all, the right to work in the UK, and
// one of the programme's sets of credentials.
func CheckApplicant(f *framework.Framework, programmeID string, p *Profile) Eligibility {
	switch {
	case p == nil:
		return Eligibility{Reason: "Fill in your qualifications in your profile first."}
	case !p.RightToWork:
		return Eligibility{Reason: "Training posts need the right to work in the UK. If you have it, say so in your profile."}
	}
	return CheckEligibility(f, programmeID, p.Credentials())
}
