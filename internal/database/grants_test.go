package database_test

import (
	"context"
	"testing"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/privacy"
	"hcs/internal/recruit"
	"hcs/internal/testkit"
)

// TestDepartmentGrantsRecordTheirOrganisation: however a department grant
// is made (with a new user, or added later), it records the department's
// organisation; an organisation that is not the department's is refused,
// and the schema itself refuses a department grant without its own
// organisation.
func TestDepartmentGrantsRecordTheirOrganisation(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		a := &auth.Organisation{Kind: auth.OrgTrust, Name: "Trust A", Region: "London"}
		b := &auth.Organisation{Kind: auth.OrgTrust, Name: "Trust B", Region: "Wales"}
		for _, o := range []*auth.Organisation{a, b} {
			if err := db.CreateOrganisation(ctx, system, o); err != nil {
				t.Fatal(err)
			}
		}
		dept := &auth.Department{OrganisationID: a.ID, Name: "Audiology"}
		if err := db.CreateDepartment(ctx, system, dept); err != nil {
			t.Fatal(err)
		}
		created := &auth.User{Name: "Created", Email: "created@example.org"}
		if err := db.CreateUser(ctx, system, created, "", []auth.Grant{{Role: auth.RoleTrainingOfficer, DepartmentID: dept.ID}}); err != nil {
			t.Fatal(err)
		}
		later := &auth.User{Name: "Later", Email: "later@example.org"}
		if err := db.CreateUser(ctx, system, later, "", nil); err != nil {
			t.Fatal(err)
		}
		if err := db.AddGrant(ctx, system, &auth.Grant{UserID: later.ID, Role: auth.RoleTrainingOfficer, DepartmentID: dept.ID}); err != nil {
			t.Fatal(err)
		}
		for _, u := range []*auth.User{created, later} {
			got, err := db.User(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Grants) != 1 || got.Grants[0].OrganisationID != a.ID || got.Grants[0].DepartmentID != dept.ID {
				t.Errorf("%s's grants: %+v, want department %d of organisation %d", u.Name, got.Grants, dept.ID, a.ID)
			}
		}

		wrong := &auth.User{Name: "Wrong", Email: "wrong@example.org"}
		err := db.CreateUser(ctx, system, wrong, "", []auth.Grant{{Role: auth.RoleTrainingOfficer, OrganisationID: b.ID, DepartmentID: dept.ID}})
		if apperr.Code(err) != apperr.Invalid || apperr.Field(err) != "organisation_id" {
			t.Errorf("a department grant naming another organisation: %v", err)
		}
		if _, err := db.UserByEmail(ctx, "wrong@example.org"); apperr.Code(err) != apperr.NotFound {
			t.Errorf("the refused user was created anyway: %v", err)
		}
		if err := db.AddGrant(ctx, system, &auth.Grant{UserID: later.ID, Role: auth.RoleTrainingOfficer, DepartmentID: 999999}); apperr.Field(err) != "department_id" {
			t.Errorf("a grant to a missing department: %v", err)
		}
		if err := db.AddGrant(ctx, system, &auth.Grant{UserID: later.ID, Role: auth.RoleReviewer, RoundID: 999999}); apperr.Code(err) != apperr.Invalid {
			t.Errorf("a reviewer grant to a missing round: %v", err)
		}

		// Below the store, the schema holds the rule too.
		for _, tc := range []struct {
			name, role     string
			org, dept, rnd any
		}{
			{"department without organisation", "training-officer", nil, dept.ID, nil},
			{"department of another organisation", "training-officer", b.ID, dept.ID, nil},
			{"employer without organisation", "employer-recruiter", nil, nil, nil},
			{"employer with a department", "employer-recruiter", a.ID, dept.ID, nil},
			{"reviewer without a round", "reviewer", nil, nil, nil},
			{"applicant with an organisation", "applicant", a.ID, nil, nil},
		} {
			err := db.Write(ctx, func(tx *database.Tx) error {
				_, err := tx.Exec(ctx, "INSERT INTO grants (user_id, role, organisation_id, department_id, round_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
					later.ID, tc.role, tc.org, tc.dept, tc.rnd, tx.Now)
				return err
			})
			if apperr.Code(err) != apperr.Invalid {
				t.Errorf("%s: the schema allowed it (%v)", tc.name, err)
			}
		}
	})
}

// TestReviewerGrantsNameTheirRound: a reviewer is appointed to one round.
func TestReviewerGrantsNameTheirRound(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		now := db.Now()
		rd := &recruit.Round{Programme: "stp", Name: "STP", ApplicationsOpen: now, ShortlistingOpen: now.Add(time.Hour), InterviewsOpen: now.Add(2 * time.Hour),
			PreferencesOpen: now.Add(3 * time.Hour), OffersOpen: now.Add(4 * time.Hour), StartDate: now.Add(5 * time.Hour), TieBreakSeed: "s", ShortlistWeight: 1, OfferWorkingDays: 1}
		if err := testkit.Recruit(t, db).OpenRound(ctx, system, rd, nil); err != nil {
			t.Fatal(err)
		}
		u := &auth.User{Name: "Reviewer", Email: "reviewer@example.org"}
		if err := db.CreateUser(ctx, system, u, "", []auth.Grant{{Role: auth.RoleReviewer, RoundID: rd.ID}}); err != nil {
			t.Fatal(err)
		}
		got, err := db.User(ctx, u.ID)
		if err != nil || len(got.Grants) != 1 || got.Grants[0].RoundID != rd.ID {
			t.Fatalf("reviewer's grants: %+v, %v", got, err)
		}
		if err := db.AddGrant(ctx, system, &auth.Grant{UserID: u.ID, Role: auth.RoleReviewer, RoundID: rd.ID}); apperr.Code(err) != apperr.Conflict {
			t.Errorf("appointing the same reviewer twice: %v", err)
		}
	})
}

// TestGrantScopeMigrationFillsOrganisations: department grants made before
// grants recorded their organisation gain it when the schema is migrated.
func TestGrantScopeMigrationFillsOrganisations(t *testing.T) {
	testkit.EachEmptyDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		if _, err := db.MigrateTo(ctx, 3); err != nil {
			t.Fatal(err)
		}
		var userID, orgID int64
		err := db.Write(ctx, func(tx *database.Tx) error {
			var err error
			if orgID, err = tx.Insert(ctx, "INSERT INTO organisations (kind, name, region, created_at) VALUES ('trust', 'T', 'London', $1)", tx.Now); err != nil {
				return err
			}
			dept, err := tx.Insert(ctx, "INSERT INTO departments (organisation_id, name, created_at) VALUES ($1, 'D', $2)", orgID, tx.Now)
			if err != nil {
				return err
			}
			if userID, err = tx.Insert(ctx, "INSERT INTO users (email, name, created_at) VALUES ('old@example.org', 'Old', $1)", tx.Now); err != nil {
				return err
			}
			_, err = tx.Exec(ctx, "INSERT INTO grants (user_id, role, department_id, created_at) VALUES ($1, 'training-officer', $2, $3)", userID, dept, tx.Now)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		u, err := db.User(ctx, userID)
		if err != nil || len(u.Grants) != 1 || u.Grants[0].OrganisationID != orgID {
			t.Errorf("after migrating: %+v, %v; want the department's organisation %d", u, err, orgID)
		}
	})
}

// TestErasedPeopleGetNoRoles: once an applicant's data is erased, no role
// can be given to the account.
func TestErasedPeopleGetNoRoles(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		u := &auth.User{Name: "Gone", Email: "gone@example.org"}
		if err := db.CreateUser(ctx, system, u, "", []auth.Grant{{Role: auth.RoleApplicant}}); err != nil {
			t.Fatal(err)
		}
		if err := privacy.NewService(db, db).Erase(ctx, system, u.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.AddGrant(ctx, system, &auth.Grant{UserID: u.ID, Role: auth.RoleSystemAdmin}); apperr.Code(err) != apperr.Conflict {
			t.Errorf("granting a role to an erased account: %v", err)
		}
	})
}
