package auth_test

import (
	"strings"
	"testing"

	"hcs/internal/auth"
)

func TestPasswordHashing(t *testing.T) {
	h, err := auth.HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q does not record argon2id and its parameters", h)
	}
	if !auth.CheckPassword(h, "correct horse battery") || auth.CheckPassword(h, "correct horse batterz") {
		t.Error("the hash does not tell right from wrong")
	}
	if auth.CheckPassword("", "anything") || auth.CheckPassword("$argon2id$garbage", "x") {
		t.Error("an empty or malformed hash matched")
	}
	other, _ := auth.HashPassword("correct horse battery")
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
		{auth.Grant{Role: auth.RoleEmployer, OrganisationID: 1}, true},
		{auth.Grant{Role: auth.RoleEmployer}, false},
		{auth.Grant{Role: auth.RoleTrainingOfficer, DepartmentID: 2}, true},
		{auth.Grant{Role: auth.RoleTrainingOfficer, OrganisationID: 1}, false},
		{auth.Grant{Role: "emperor"}, false},
	} {
		if err := tc.g.Validate(); (err == nil) != tc.ok {
			t.Errorf("%+v: %v, want ok=%v", tc.g, err, tc.ok)
		}
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
