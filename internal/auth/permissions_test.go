package auth_test

import (
	"fmt"
	"slices"
	"testing"

	"hcs/internal/auth"
)

// The values a test grant is scoped to, and the principal's own id.
const (
	grantOrg   = 10
	grantDept  = 20
	grantRound = 30
	selfID     = 40
	otherID    = 99 // a record of someone or something else
)

// scopeNeeds is what each scope must compare, written out here rather than
// read from the package, so that the test states the rule independently.
var scopeNeeds = map[auth.Scope][]auth.Field{
	auth.ScopeAll:          nil,
	auth.ScopeSelf:         {auth.FieldUser},
	auth.ScopeOrganisation: {auth.FieldOrganisation},
	auth.ScopeDepartment:   {auth.FieldDepartment, auth.FieldOrganisation},
	auth.ScopeRound:        {auth.FieldRound},
	auth.ScopeTeam:         {auth.FieldTeam},
}

// grantFor is a well-formed grant of the role, scoped as its role needs.
func grantFor(role auth.Role) auth.Grant {
	g := auth.Grant{Role: role, UserID: selfID}
	switch role {
	case auth.RoleEmployer:
		g.OrganisationID = grantOrg
	case auth.RoleTrainingOfficer, auth.RoleSupervisor:
		g.OrganisationID, g.DepartmentID = grantOrg, grantDept
	case auth.RoleReviewer:
		g.RoundID = grantRound
	}
	return g
}

// fieldState is one target field: missing, the grant's own value, or
// another record's.
type fieldState int

const (
	missing fieldState = iota
	same
	other
)

func (s fieldState) String() string { return [...]string{"missing", "same", "other"}[s] }

func value(s fieldState, own int64) int64 {
	switch s {
	case same:
		return own
	case other:
		return otherID
	}
	return 0
}

// TestEveryScopeNeedsItsFields checks every scope of the permission table
// against every combination of missing, matching and other target fields:
// allowed exactly when every field the scope needs is present and is the
// grant's own. A missing field is never "no particular record".
func TestEveryScopeNeedsItsFields(t *testing.T) {
	fields := []auth.Field{auth.FieldUser, auth.FieldOrganisation, auth.FieldDepartment, auth.FieldRound, auth.FieldTeam}
	tested := map[auth.Scope]int{}
	for _, perm := range auth.Permissions {
		needs, ok := scopeNeeds[perm.Scope]
		if !ok {
			t.Fatalf("scope %v of %s/%s is not in this test: add what it needs to scopeNeeds", perm.Scope, perm.Role, perm.Action)
		}
		var mask auth.Field
		for _, f := range needs {
			mask |= f
		}
		if perm.Scope.Needs() != mask {
			t.Errorf("scope %v says it needs %b, want %b", perm.Scope, perm.Scope.Needs(), mask)
		}
		p := &auth.Principal{User: &auth.User{ID: selfID}, Grants: []auth.Grant{grantFor(perm.Role)}}
		for combo := 0; combo < 243; combo++ {
			states := [5]fieldState{}
			for i, c := 0, combo; i < 5; i, c = i+1, c/3 {
				states[i] = fieldState(c % 3)
			}
			target := auth.Target{
				UserID:         value(states[0], selfID),
				OrganisationID: value(states[1], grantOrg),
				DepartmentID:   value(states[2], grantDept),
				RoundID:        value(states[3], grantRound),
			}
			// A trainee's record's team: the person among its members, or
			// only others.
			switch states[4] {
			case same:
				target.Team = auth.Team{TraineeID: 7, Members: []int64{otherID, selfID}}
			case other:
				target.Team = auth.Team{TraineeID: 7, Members: []int64{otherID}}
			}
			want := true
			for i, f := range fields {
				if slices.Contains(needs, f) && states[i] != same {
					want = false
				}
			}
			if got := p.Allowed(perm.Action, target); got != want {
				t.Errorf("%s %s (scope %v) on user %v, organisation %v, department %v, round %v, team %v: allowed %v, want %v",
					perm.Role, perm.Action, perm.Scope, states[0], states[1], states[2], states[3], states[4], got, want)
			}
			tested[perm.Scope]++
		}
		if !p.Allowed(perm.Action, auth.AnyRecord) || !p.Can(perm.Action) {
			t.Errorf("%s cannot %s any record at all", perm.Role, perm.Action)
		}
	}
	for _, s := range auth.Scopes() {
		if tested[s] == 0 {
			t.Errorf("no permission uses scope %v, so this test never checked it", s)
		}
	}
}

// TestMalformedGrantsCoverNothing: a scoped grant without the field its
// scope compares (an employer grant with no organisation, a department
// grant with no organisation) allows nothing, not even "some record".
func TestMalformedGrantsCoverNothing(t *testing.T) {
	for _, tc := range []struct {
		g      auth.Grant
		action auth.Action
		target auth.Target
	}{
		{auth.Grant{Role: auth.RoleEmployer}, auth.ActionOrgView, auth.Target{}},
		{auth.Grant{Role: auth.RoleTrainingOfficer, DepartmentID: grantDept}, auth.ActionDeptView, auth.Target{DepartmentID: grantDept}},
		{auth.Grant{Role: auth.RoleTrainingOfficer, OrganisationID: grantOrg}, auth.ActionDeptView, auth.Target{OrganisationID: grantOrg}},
		{auth.Grant{Role: auth.RoleReviewer}, auth.ActionReview, auth.Target{}},
	} {
		p := &auth.Principal{User: &auth.User{ID: selfID}, Grants: []auth.Grant{tc.g}}
		if p.Allowed(tc.action, tc.target) || p.Can(tc.action) {
			t.Errorf("malformed grant %+v is allowed %s", tc.g, tc.action)
		}
		if v := p.Visible(tc.action); !v.Nothing() {
			t.Errorf("malformed grant %+v sees %+v", tc.g, v)
		}
	}
}

func TestSignedOutAndPublic(t *testing.T) {
	var nobody *auth.Principal
	noUser := &auth.Principal{Grants: []auth.Grant{{Role: auth.RoleSchoolAdmin}}}
	for _, p := range []*auth.Principal{nobody, noUser} {
		if p.Can(auth.ActionAccountView) || p.Allowed(auth.ActionRoundManage, auth.Target{}) {
			t.Errorf("%+v is allowed a signed-in action", p)
		}
		if !p.Can(auth.ActionPublic) || !p.Allowed(auth.ActionPublic, auth.Target{UserID: otherID}) {
			t.Errorf("%+v is refused a public action", p)
		}
		if v := p.Visible(auth.ActionOrgView); !v.Nothing() {
			t.Errorf("%+v sees %+v", p, v)
		}
	}
	if nobody.Has(auth.RoleApplicant) {
		t.Error("a signed-out person holds a role")
	}
}

// TestNationalRolesNeedNoTarget: a national role acts on the whole
// service with no particular record, and on any record.
func TestNationalRolesNeedNoTarget(t *testing.T) {
	school := &auth.Principal{User: &auth.User{ID: selfID}, Grants: []auth.Grant{{Role: auth.RoleSchoolAdmin}}}
	for _, target := range []auth.Target{{}, {OrganisationID: otherID}, {UserID: otherID, RoundID: otherID}} {
		if !school.Allowed(auth.ActionRoundManage, target) {
			t.Errorf("the school may not manage rounds for %+v", target)
		}
	}
	if school.Allowed(auth.ActionApply, auth.Target{UserID: selfID}) || school.Allowed(auth.ActionUsersErase, auth.Target{}) {
		t.Error("the school holds an action the table does not give it")
	}
	if !school.Has(auth.RoleSchoolAdmin) || school.Has(auth.RoleApplicant) {
		t.Error("Has is wrong")
	}
}

func TestVisible(t *testing.T) {
	me := &auth.User{ID: selfID}
	two := &auth.Principal{User: me, Grants: []auth.Grant{
		{Role: auth.RoleEmployer, OrganisationID: 1}, {Role: auth.RoleEmployer, OrganisationID: 2}, {Role: auth.RoleEmployer, OrganisationID: 1},
		{Role: auth.RoleTrainingOfficer, OrganisationID: 1, DepartmentID: 5}, {Role: auth.RoleTrainingOfficer, OrganisationID: 1, DepartmentID: 5},
		{Role: auth.RoleTrainingOfficer, OrganisationID: 2, DepartmentID: 6},
		{Role: auth.RoleReviewer, RoundID: 7}, {Role: auth.RoleReviewer, RoundID: 8}, {Role: auth.RoleReviewer, RoundID: 7},
		{Role: auth.RoleApplicant}, {Role: auth.RoleApplicant},
	}}
	for _, tc := range []struct {
		action auth.Action
		want   auth.Visibility
	}{
		{auth.ActionOrgView, auth.Visibility{Organisations: []int64{1, 2}}},
		{auth.ActionTrainingHome, auth.Visibility{Departments: []auth.DepartmentRef{{1, 5}, {2, 6}}}},
		{auth.ActionDeptView, auth.Visibility{Organisations: []int64{1, 2}, Departments: []auth.DepartmentRef{{1, 5}, {2, 6}}}},
		{auth.ActionReview, auth.Visibility{Rounds: []int64{7, 8}}},
		{auth.ActionApply, auth.Visibility{UserIDs: []int64{selfID}}},
		{auth.ActionUsersList, auth.Visibility{}},
	} {
		if got := two.Visible(tc.action); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("Visible(%s) = %+v, want %+v", tc.action, got, tc.want)
		}
	}
	// A national grant beside scoped ones sees everything, and says only that.
	both := &auth.Principal{User: me, Grants: []auth.Grant{{Role: auth.RoleEmployer, OrganisationID: 1}, {Role: auth.RoleSchoolAdmin}}}
	if got := both.Visible(auth.ActionOrgView); fmt.Sprint(got) != fmt.Sprint(auth.Visibility{All: true}) || got.Nothing() {
		t.Errorf("employer and school: %+v", got)
	}
	if v := (auth.Visibility{Rounds: []int64{1}}); v.Nothing() {
		t.Error("a visibility of one round is Nothing")
	}
	for _, v := range []auth.Visibility{{UserIDs: []int64{1}}, {Organisations: []int64{1}}, {Departments: []auth.DepartmentRef{{1, 2}}}} {
		if v.Nothing() {
			t.Errorf("%+v is Nothing", v)
		}
	}
}

// TestTableIsWellFormed: one row per role and action, every action named,
// every scope described.
func TestTableIsWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range auth.Permissions {
		key := string(p.Role) + " " + string(p.Action)
		if seen[key] {
			t.Errorf("%s has two rows for %s", p.Role, p.Action)
		}
		seen[key] = true
		if !slices.Contains(auth.Roles, p.Role) {
			t.Errorf("row for unknown role %q", p.Role)
		}
	}
	actions := auth.Actions()
	if len(actions) == 0 || slices.Contains(actions, auth.ActionPublic) {
		t.Errorf("Actions() = %v", actions)
	}
	for i, a := range actions {
		if slices.Contains(actions[i+1:], a) {
			t.Errorf("Actions() lists %s twice", a)
		}
	}
	names := map[string]bool{}
	for _, s := range auth.Scopes() {
		if s.String() == "" || names[s.String()] {
			t.Errorf("scope %d has no name of its own: %q", s, s.String())
		}
		names[s.String()] = true
	}
	for _, role := range auth.Roles {
		if auth.RoleNames[role] == "" || auth.HomePath[role] == "" {
			t.Errorf("role %s has no name or home", role)
		}
	}
}
