// Package auth holds accounts, organisations, roles and the permission
// table: who may do what, to which records. It knows nothing of HTTP or
// SQL; the database package stores its types and the web package asks it
// for decisions.
package auth

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/text"
)

// Role is what a person may do in hcs. A person may hold several.
type Role string

const (
	RoleApplicant        Role = "applicant"
	RoleEmployer         Role = "employer-recruiter"    // scoped to an organisation
	RoleTrainingOfficer  Role = "training-officer"      // scoped to a department
	RoleSchoolAdmin      Role = "national-school-admin" // the national school
	RoleWorkforcePlanner Role = "workforce-planner"
	RoleSystemAdmin      Role = "system-admin"
	RoleReviewer         Role = "reviewer"   // appointed by the national school to one recruitment round
	RoleSupervisor       Role = "supervisor" // scoped to a department; sees the trainees they supervise
	RoleTrainee          Role = "trainee"    // given when a training record is made from an unconditional offer
)

// Roles lists every role, in the order pages show them.
var Roles = []Role{RoleApplicant, RoleTrainee, RoleEmployer, RoleTrainingOfficer, RoleSupervisor, RoleSchoolAdmin, RoleWorkforcePlanner, RoleSystemAdmin, RoleReviewer}

// RoleNames are the roles as people read them.
var RoleNames = map[Role]string{
	RoleApplicant:        "Applicant",
	RoleEmployer:         "Employer recruiter",
	RoleTrainingOfficer:  "Training officer",
	RoleSupervisor:       "Supervisor",
	RoleTrainee:          "Trainee",
	RoleSchoolAdmin:      "National school administrator",
	RoleWorkforcePlanner: "Workforce planner",
	RoleSystemAdmin:      "System administrator",
	RoleReviewer:         "Application reviewer",
}

// HomePath is each role's home page.
var HomePath = map[Role]string{
	RoleApplicant:        "/applicant",
	RoleEmployer:         "/employer",
	RoleTrainingOfficer:  "/training",
	RoleSchoolAdmin:      "/school",
	RoleWorkforcePlanner: "/workforce",
	RoleSystemAdmin:      "/admin",
	RoleReviewer:         "/review",
	RoleSupervisor:       "/supervisor",
	RoleTrainee:          "/trainee",
}

// ParseRole reads a role name.
func ParseRole(s string) (Role, error) {
	r := Role(strings.TrimSpace(s))
	if !slices.Contains(Roles, r) {
		names := make([]string, len(Roles))
		for i, r := range Roles {
			names[i] = string(r)
		}
		return "", apperr.Invalidf("role", "%q is not a role; choose one of %s", s, strings.Join(names, ", "))
	}
	return r, nil
}

// Organisation kinds.
const (
	OrgTrust          = "trust"
	OrgNationalSchool = "national-school"
)

// Organisation is an NHS employer (a trust) or the national school.
type Organisation struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	Name      string    `json:"name"`
	Region    string    `json:"region"`
	CreatedAt time.Time `json:"created_at"`
}

// Regions are NHS England's regions, plus the devolved nations.
var Regions = []string{"East of England", "London", "Midlands", "North East and Yorkshire", "North West", "South East", "South West", "Scotland", "Wales", "Northern Ireland"}

// Validate checks an organisation before it is saved.
func (o *Organisation) Validate() error {
	var err error
	if o.Name, err = text.Name("name", "The organisation's name", o.Name, 200); err != nil {
		return err
	}
	switch {
	case o.Kind != OrgTrust && o.Kind != OrgNationalSchool:
		return apperr.Invalidf("kind", "kind must be %q or %q", OrgTrust, OrgNationalSchool)
	case !slices.Contains(Regions, o.Region):
		return apperr.Invalidf("region", "region %q is not one of: %s", o.Region, strings.Join(Regions, ", "))
	}
	return nil
}

// Department is a training department inside an organisation.
type Department struct {
	ID             int64     `json:"id"`
	OrganisationID int64     `json:"organisation_id"`
	Name           string    `json:"name"`
	Specialism     string    `json:"specialism"`
	CreatedAt      time.Time `json:"created_at"`
}

// Validate checks a department before it is saved.
func (d *Department) Validate() error {
	var err error
	if d.Name, err = text.Name("name", "The department's name", d.Name, 200); err != nil {
		return err
	}
	if d.OrganisationID <= 0 {
		return apperr.Invalidf("organisation_id", "choose the organisation the department belongs to")
	}
	return nil
}

// User is a person with an account.
type User struct {
	ID           int64      `json:"id"`
	Email        string     `json:"email"`
	Name         string     `json:"name"`
	PasswordHash string     `json:"-"`
	CreatedAt    time.Time  `json:"created_at"`
	ErasedAt     *time.Time `json:"erased_at,omitempty"`
	Grants       []Grant    `json:"grants"`
}

// NormaliseEmail lower-cases and trims an address so that one person has
// one account.
func NormaliseEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// CheckEmail normalises and checks an email address.
func CheckEmail(s string) (string, error) {
	s, err := text.Line("email", "Your email address", s, 254)
	if err != nil {
		return "", err
	}
	s = NormaliseEmail(s)
	return s, ValidateEmail(s)
}

// ValidateEmail checks a normalised email address.
func ValidateEmail(s string) error {
	if s == "" {
		return apperr.Invalidf("email", "Enter your email address")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndex(s, "@"):], ".") || len(s) > 254 {
		return apperr.Invalidf("email", "Enter an email address in the correct format, like name@example.com")
	}
	return nil
}

// CheckName checks a person's name and returns it trimmed.
func CheckName(s string) (string, error) {
	return text.Name("name", "Your full name", s, 200)
}

// ValidateName checks a person's name.
func ValidateName(s string) error {
	_, err := CheckName(s)
	return err
}

// Grant gives a user a role, scoped to an organisation, a department or a
// recruitment round where the role needs one. A department grant always
// records the department's organisation too: the store fills it in.
type Grant struct {
	ID             int64     `json:"id"`
	UserID         int64     `json:"user_id"`
	Role           Role      `json:"role"`
	OrganisationID int64     `json:"organisation_id,omitempty"`
	DepartmentID   int64     `json:"department_id,omitempty"`
	RoundID        int64     `json:"round_id,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
}

// Validate checks that the grant has the scope its role needs.
func (g *Grant) Validate() error {
	if _, err := ParseRole(string(g.Role)); err != nil {
		return err
	}
	if g.OrganisationID < 0 || g.DepartmentID < 0 || g.RoundID < 0 {
		return apperr.Invalidf("organisation_id", "organisation, department and round ids must be positive")
	}
	switch g.Role {
	case RoleEmployer:
		if g.OrganisationID == 0 || g.DepartmentID != 0 || g.RoundID != 0 {
			return apperr.Invalidf("organisation_id", "an employer recruiter role needs an organisation, and no department or round")
		}
	case RoleTrainingOfficer, RoleSupervisor:
		if g.DepartmentID == 0 || g.RoundID != 0 {
			return apperr.Invalidf("department_id", "a %s role needs a department, and no round", strings.ToLower(RoleNames[g.Role]))
		}
	case RoleReviewer:
		if g.RoundID == 0 || g.OrganisationID != 0 || g.DepartmentID != 0 {
			return apperr.Invalidf("round_id", "a reviewer is appointed to one recruitment round, and to no organisation or department")
		}
	default:
		if g.OrganisationID != 0 || g.DepartmentID != 0 || g.RoundID != 0 {
			return apperr.Invalidf("role", "the %s role is national: it takes no organisation, department or round", g.Role)
		}
	}
	return nil
}

func (g Grant) String() string {
	switch {
	case g.RoundID != 0:
		return fmt.Sprintf("%s (round %d)", g.Role, g.RoundID)
	case g.DepartmentID != 0:
		return fmt.Sprintf("%s (department %d)", g.Role, g.DepartmentID)
	case g.OrganisationID != 0:
		return fmt.Sprintf("%s (organisation %d)", g.Role, g.OrganisationID)
	}
	return string(g.Role)
}
