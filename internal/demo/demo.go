// Package demo fills an empty hcs with synthetic organisations and one
// account per role, so that a newcomer can try every role at once. All of
// it is invented; none of it is personal data.
package demo

import (
	"context"
	"fmt"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/recruit"
	"hcs/internal/train"
)

// Account is a demo account and the password it was given this time.
type Account struct {
	Role     auth.Role
	Name     string
	Email    string
	Password string
}

var system = auth.System("demo set-up")

type orgSpec struct {
	org   auth.Organisation
	depts []auth.Department
}

var organisations = []orgSpec{
	{auth.Organisation{Kind: auth.OrgTrust, Name: "Northshire Teaching Hospitals NHS Foundation Trust", Region: "North West"},
		[]auth.Department{{Name: "Audiology", Specialism: "audiology"}, {Name: "Clinical Biochemistry", Specialism: "clinical-biochemistry"}, {Name: "Medical Physics", Specialism: "radiotherapy-physics"}}},
	{auth.Organisation{Kind: auth.OrgTrust, Name: "Southvale University Hospitals NHS Trust", Region: "South West"},
		[]auth.Department{{Name: "Cardiac Physiology", Specialism: "cardiac-science"}, {Name: "Genomics Laboratory", Specialism: "genomics"}}},
	{auth.Organisation{Kind: auth.OrgNationalSchool, Name: "National School of Healthcare Science (demo)", Region: "Midlands"}, nil},
}

// Seed creates the demo organisations, accounts and recruitment rounds if
// they are missing, gives each demo account that has no password a random
// one (every account, with newPasswords), and returns the accounts given
// one: none when the demo was already set up, so that a restart neither
// changes passwords nor signs anyone out. at moves the stores' clock to a
// moment (the zero time returns it to the real clock), so that past rounds
// are made as they would have been. It is only ever run in demo mode: no
// default password exists otherwise. Processes sharing a database must not
// run it at once (serve holds a lock around it).
func Seed(ctx context.Context, store auth.Store, rec *recruit.Service, tr *train.Service, at func(time.Time), newPasswords bool) ([]Account, error) {
	orgIDs := map[string]int64{}
	deptIDs := map[string]int64{}
	existing, err := store.Organisations(ctx, nil)
	if err != nil {
		return nil, err
	}
	for _, spec := range organisations {
		id := int64(0)
		for _, o := range existing {
			if o.Name == spec.org.Name {
				id = o.ID
			}
		}
		if id == 0 {
			o := spec.org
			if err := store.CreateOrganisation(ctx, system, &o); err != nil {
				return nil, fmt.Errorf("demo organisation %q: %w", o.Name, err)
			}
			id = o.ID
		}
		orgIDs[spec.org.Name] = id
		_, depts, err := store.Organisation(ctx, id)
		if err != nil {
			return nil, err
		}
		for _, want := range spec.depts {
			found := int64(0)
			for _, d := range depts {
				if d.Name == want.Name {
					found = d.ID
				}
			}
			if found == 0 {
				d := want
				d.OrganisationID = id
				if err := store.CreateDepartment(ctx, system, &d); err != nil {
					return nil, err
				}
				found = d.ID
			}
			deptIDs[want.Name] = found
		}
	}
	northshire := orgIDs[organisations[0].org.Name]
	accounts := []struct {
		name, email string
		grant       auth.Grant
	}{
		{"Alex Applicant", "applicant@demo.hcs.test", auth.Grant{Role: auth.RoleApplicant}},
		{"Erin Employer", "employer@demo.hcs.test", auth.Grant{Role: auth.RoleEmployer, OrganisationID: northshire}},
		{"Tariq Trainer", "training@demo.hcs.test", auth.Grant{Role: auth.RoleTrainingOfficer, OrganisationID: northshire, DepartmentID: deptIDs["Audiology"]}},
		{"Sam School", "school@demo.hcs.test", auth.Grant{Role: auth.RoleSchoolAdmin}},
		{"Priya Planner", "planner@demo.hcs.test", auth.Grant{Role: auth.RoleWorkforcePlanner}},
		{"Ade Admin", "admin@demo.hcs.test", auth.Grant{Role: auth.RoleSystemAdmin}},
		{"Rhys Reviewer", "reviewer@demo.hcs.test", auth.Grant{Role: auth.RoleReviewer}}, // appointed to a round below
		{"Sophie Supervisor", "supervisor@demo.hcs.test", auth.Grant{Role: auth.RoleSupervisor, OrganisationID: northshire, DepartmentID: deptIDs["Audiology"]}},
		{"Tom Trainee", "trainee@demo.hcs.test", auth.Grant{Role: auth.RoleTrainee}}, // recruited in an earlier round below
	}
	people := map[auth.Role]*auth.User{}
	for _, a := range accounts {
		u, err := store.UserByEmail(ctx, a.email)
		if apperr.Code(err) == apperr.NotFound {
			u = &auth.User{Name: a.name, Email: a.email}
			var grants []auth.Grant
			if a.grant.Role != auth.RoleReviewer {
				grants = append(grants, a.grant)
			}
			err = store.CreateUser(ctx, system, u, "", grants)
		}
		if err != nil {
			return nil, fmt.Errorf("demo account %s: %w", a.email, err)
		}
		people[a.grant.Role] = u
	}
	if err := seedRecruitment(ctx, store, rec, tr, at, orgIDs, deptIDs, people); err != nil {
		return nil, err
	}
	var out []Account
	for _, a := range accounts {
		u := people[a.grant.Role]
		if u.PasswordHash != "" && !newPasswords {
			continue
		}
		password := auth.NewPassword()
		hash, err := auth.HashPassword(ctx, password)
		if err != nil {
			return nil, err
		}
		if err := store.SetPassword(ctx, system, u.ID, hash, ""); err != nil {
			return nil, err
		}
		out = append(out, Account{Role: a.grant.Role, Name: a.name, Email: a.email, Password: password})
	}
	return out, nil
}
