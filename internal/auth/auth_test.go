package auth_test

import (
	"context"
	"strings"
	"testing"

	"hcs/internal/apperr"
	"hcs/internal/auth"
)

func TestPasswordHashing(t *testing.T) {
	ctx := context.Background()
	check := func(hash, pw string) bool {
		ok, err := auth.CheckPassword(ctx, hash, pw)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	h, err := auth.HashPassword(ctx, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q does not record argon2id and its parameters", h)
	}
	if !check(h, "correct horse battery") || check(h, "correct horse batterz") {
		t.Error("the hash does not tell right from wrong")
	}
	if check("", "anything") || check("$argon2id$garbage", "x") {
		t.Error("an empty or malformed hash matched")
	}
	other, _ := auth.HashPassword(ctx, "correct horse battery")
	if other == h {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
}

func TestGrantScopes(t *testing.T) {
	for _, tc := range []struct {
		g  auth.Grant
		ok bool
	}{
		{auth.Grant{Role: auth.RoleApplicant}, true},
		{auth.Grant{Role: auth.RoleApplicant, OrganisationID: 1}, false},
		{auth.Grant{Role: auth.RoleApplicant, DepartmentID: 1}, false},
		{auth.Grant{Role: auth.RoleSchoolAdmin, RoundID: 1}, false},
		{auth.Grant{Role: auth.RoleEmployer, OrganisationID: 1}, true},
		{auth.Grant{Role: auth.RoleEmployer}, false},
		{auth.Grant{Role: auth.RoleEmployer, OrganisationID: -1}, false},
		{auth.Grant{Role: auth.RoleEmployer, OrganisationID: 1, DepartmentID: 2}, false},
		{auth.Grant{Role: auth.RoleEmployer, OrganisationID: 1, RoundID: 2}, false},
		{auth.Grant{Role: auth.RoleTrainingOfficer, DepartmentID: 2}, true},
		{auth.Grant{Role: auth.RoleTrainingOfficer, DepartmentID: 2, OrganisationID: 1}, true},
		{auth.Grant{Role: auth.RoleTrainingOfficer, DepartmentID: -2}, false},
		{auth.Grant{Role: auth.RoleTrainingOfficer, OrganisationID: 1}, false},
		{auth.Grant{Role: auth.RoleTrainingOfficer, DepartmentID: 2, RoundID: 3}, false},
		{auth.Grant{Role: auth.RoleReviewer, RoundID: 3}, true},
		{auth.Grant{Role: auth.RoleReviewer}, false},
		{auth.Grant{Role: auth.RoleReviewer, RoundID: -3}, false},
		{auth.Grant{Role: auth.RoleReviewer, RoundID: 3, OrganisationID: 1}, false},
		{auth.Grant{Role: auth.RoleReviewer, RoundID: 3, DepartmentID: 1}, false},
		{auth.Grant{Role: "emperor"}, false},
	} {
		err := tc.g.Validate()
		if (err == nil) != tc.ok {
			t.Errorf("%+v: %v, want ok=%v", tc.g, err, tc.ok)
		}
		if err != nil && apperr.Code(err) != apperr.Invalid {
			t.Errorf("%+v: code %s, want invalid", tc.g, apperr.Code(err))
		}
	}
	for _, tc := range []struct {
		g    auth.Grant
		want string
	}{
		{auth.Grant{Role: auth.RoleApplicant}, "applicant"},
		{auth.Grant{Role: auth.RoleEmployer, OrganisationID: 4}, "employer-recruiter (organisation 4)"},
		{auth.Grant{Role: auth.RoleTrainingOfficer, OrganisationID: 4, DepartmentID: 5}, "training-officer (department 5)"},
		{auth.Grant{Role: auth.RoleReviewer, RoundID: 6}, "reviewer (round 6)"},
	} {
		if got := tc.g.String(); got != tc.want {
			t.Errorf("%+v.String() = %q, want %q", tc.g, got, tc.want)
		}
	}
}

func TestParseRole(t *testing.T) {
	for _, r := range auth.Roles {
		got, err := auth.ParseRole(" " + string(r) + " ")
		if err != nil || got != r {
			t.Errorf("ParseRole(%q) = %q, %v", r, got, err)
		}
	}
	_, err := auth.ParseRole("wizard")
	if err == nil || !strings.Contains(apperr.Message(err), `"wizard" is not a role`) || !strings.Contains(apperr.Message(err), "reviewer") {
		t.Errorf("ParseRole(wizard): %v", err)
	}
}

func TestValidation(t *testing.T) {
	long := strings.Repeat("x", 201)
	for _, tc := range []struct {
		name  string
		err   error
		field string // "" when valid
	}{
		{"trust", (&auth.Organisation{Kind: auth.OrgTrust, Name: " Trust ", Region: "London"}).Validate(), ""},
		{"school", (&auth.Organisation{Kind: auth.OrgNationalSchool, Name: "School", Region: "Wales"}).Validate(), ""},
		{"kind", (&auth.Organisation{Kind: "shop", Name: "X", Region: "London"}).Validate(), "kind"},
		{"no name", (&auth.Organisation{Kind: auth.OrgTrust, Name: "  ", Region: "London"}).Validate(), "name"},
		{"long name", (&auth.Organisation{Kind: auth.OrgTrust, Name: long, Region: "London"}).Validate(), "name"},
		{"200 chars", (&auth.Organisation{Kind: auth.OrgTrust, Name: long[:200], Region: "London"}).Validate(), ""},
		{"region", (&auth.Organisation{Kind: auth.OrgTrust, Name: "X", Region: "Atlantis"}).Validate(), "region"},
		{"department", (&auth.Department{OrganisationID: 1, Name: "Audiology"}).Validate(), ""},
		{"department org", (&auth.Department{Name: "Audiology"}).Validate(), "organisation_id"},
		{"department negative org", (&auth.Department{OrganisationID: -1, Name: "Audiology"}).Validate(), "organisation_id"},
		{"department name", (&auth.Department{OrganisationID: 1, Name: " "}).Validate(), "name"},
		{"department long", (&auth.Department{OrganisationID: 1, Name: long}).Validate(), "name"},
		{"department 200", (&auth.Department{OrganisationID: 1, Name: long[:200]}).Validate(), ""},
		{"email", auth.ValidateEmail("ada@example.org"), ""},
		{"no email", auth.ValidateEmail(""), "email"},
		{"email no dot", auth.ValidateEmail("ada@localhost"), "email"},
		{"email display name", auth.ValidateEmail("Ada <ada@example.org>"), "email"},
		{"email junk", auth.ValidateEmail("not an address"), "email"},
		{"email long", auth.ValidateEmail(strings.Repeat("a", 243) + "@example.org"), "email"},
		{"email 254", auth.ValidateEmail(strings.Repeat("a", 242) + "@example.org"), ""},
		{"name", auth.ValidateName("Ada Lovelace"), ""},
		{"no name", auth.ValidateName("   "), "name"},
		{"long name", auth.ValidateName(long), "name"},
		{"200 name", auth.ValidateName(long[:200]), ""},
		{"password", auth.ValidatePassword(strings.Repeat("p", auth.MinPasswordLength)), ""},
		{"short password", auth.ValidatePassword(strings.Repeat("p", auth.MinPasswordLength-1)), "password"},
		{"long password", auth.ValidatePassword(strings.Repeat("p", auth.MaxPasswordLength+1)), "password"},
		{"longest password", auth.ValidatePassword(strings.Repeat("é", auth.MaxPasswordLength)), ""},
	} {
		switch {
		case tc.field == "" && tc.err != nil:
			t.Errorf("%s: %v, want valid", tc.name, tc.err)
		case tc.field != "" && (tc.err == nil || apperr.Field(tc.err) != tc.field || apperr.Code(tc.err) != apperr.Invalid):
			t.Errorf("%s: %v (field %q), want invalid %s", tc.name, tc.err, apperr.Field(tc.err), tc.field)
		}
	}
	o := &auth.Organisation{Kind: auth.OrgTrust, Name: "  Trimmed  ", Region: "London"}
	d := &auth.Department{OrganisationID: 1, Name: "  Trimmed  "}
	if o.Validate() != nil || o.Name != "Trimmed" || d.Validate() != nil || d.Name != "Trimmed" {
		t.Errorf("names are not trimmed: %q, %q", o.Name, d.Name)
	}
	if got := auth.NormaliseEmail("  Ada@Example.ORG "); got != "ada@example.org" {
		t.Errorf("NormaliseEmail = %q", got)
	}
}

func TestAllowedHonoursScope(t *testing.T) {
	employer := &auth.Principal{User: &auth.User{ID: 7}, Grants: []auth.Grant{{Role: auth.RoleEmployer, OrganisationID: 1}}}
	if !employer.Allowed(auth.ActionOrgView, auth.Target{OrganisationID: 1}) {
		t.Error("an employer cannot see their own organisation")
	}
	if employer.Allowed(auth.ActionOrgView, auth.Target{OrganisationID: 2}) {
		t.Error("an employer can see another organisation")
	}
	if !employer.Allowed(auth.ActionDeptCreate, auth.Target{OrganisationID: 1}) || employer.Allowed(auth.ActionDeptCreate, auth.Target{OrganisationID: 2}) {
		t.Error("department creation is not scoped to the employer's organisation")
	}
	if employer.Allowed(auth.ActionUsersList, auth.Target{}) || employer.Can(auth.ActionAuditRead) {
		t.Error("an employer has administrator rights")
	}
	applicant := &auth.Principal{User: &auth.User{ID: 3}, Grants: []auth.Grant{{Role: auth.RoleApplicant}}}
	if !applicant.Allowed(auth.ActionAccountView, auth.Target{UserID: 3}) || applicant.Allowed(auth.ActionAccountView, auth.Target{UserID: 4}) {
		t.Error("account access is not limited to oneself")
	}
	var nobody *auth.Principal
	if nobody.Can(auth.ActionAccountView) || !nobody.Can(auth.ActionPublic) {
		t.Error("signed-out rights are wrong")
	}
}
