package auth

import "slices"

// Action is something a route does. Every route names one; anything not
// granted in the table below is denied.
type Action string

const (
	ActionPublic Action = "public" // anyone, signed in or not

	ActionAccountView   Action = "account.view"   // own account, own data download, sign out everywhere
	ActionApplicantHome Action = "applicant.home" // the applicant's home page
	ActionEmployerHome  Action = "employer.home"  // the employer's home page
	ActionTrainingHome  Action = "training.home"  // the training officer's home page
	ActionSchoolHome    Action = "school.home"    // the national school's home page
	ActionWorkforceHome Action = "workforce.home" // the workforce planner's home page
	ActionAdminHome     Action = "admin.home"     // the system administrator's home page
	ActionOrgView       Action = "organisation.view"
	ActionOrgCreate     Action = "organisation.create"
	ActionDeptCreate    Action = "department.create"
	ActionUsersList     Action = "users.list"
	ActionUsersCreate   Action = "users.create"
	ActionUsersGrant    Action = "users.grant" // grant and revoke roles
	ActionUsersErase    Action = "users.erase"
	ActionAuditRead     Action = "audit.read" // read and export
	ActionOutboxRead    Action = "outbox.read"

	ActionRoundManage Action = "round.manage"     // open rounds, rank, match, what-if, expire offers
	ActionPostCreate  Action = "post.create"      // publish training posts and rank their applicants
	ActionApply       Action = "recruit.apply"    // profile, apply, rank posts, answer offers
	ActionReview      Action = "recruit.review"   // blind shortlisting and interview scores
	ActionModerate    Action = "recruit.moderate" // settle reviewers who disagree
)

// Scope says which records a permission covers.
type Scope int

const (
	ScopeAll          Scope = iota // every record
	ScopeSelf                      // the person's own account
	ScopeOrganisation              // records of the organisation the grant names
	ScopeDepartment                // records of the department the grant names
)

// Permission grants a role an action within a scope.
type Permission struct {
	Role   Role
	Action Action
	Scope  Scope
}

// Permissions is the one permission table. Read it as the answer to "who
// may do this?": a role absent from an action's rows may not.
var Permissions = []Permission{
	{RoleApplicant, ActionAccountView, ScopeSelf},
	{RoleEmployer, ActionAccountView, ScopeSelf},
	{RoleTrainingOfficer, ActionAccountView, ScopeSelf},
	{RoleSchoolAdmin, ActionAccountView, ScopeSelf},
	{RoleWorkforcePlanner, ActionAccountView, ScopeSelf},
	{RoleSystemAdmin, ActionAccountView, ScopeSelf},

	{RoleApplicant, ActionApplicantHome, ScopeSelf},
	{RoleEmployer, ActionEmployerHome, ScopeOrganisation},
	{RoleTrainingOfficer, ActionTrainingHome, ScopeDepartment},
	{RoleSchoolAdmin, ActionSchoolHome, ScopeAll},
	{RoleWorkforcePlanner, ActionWorkforceHome, ScopeAll},
	{RoleSystemAdmin, ActionAdminHome, ScopeAll},

	{RoleEmployer, ActionOrgView, ScopeOrganisation},
	{RoleSchoolAdmin, ActionOrgView, ScopeAll},
	{RoleSystemAdmin, ActionOrgView, ScopeAll},
	{RoleSchoolAdmin, ActionOrgCreate, ScopeAll},
	{RoleSystemAdmin, ActionOrgCreate, ScopeAll},
	{RoleEmployer, ActionDeptCreate, ScopeOrganisation},
	{RoleSchoolAdmin, ActionDeptCreate, ScopeAll},
	{RoleSystemAdmin, ActionDeptCreate, ScopeAll},

	{RoleSystemAdmin, ActionUsersList, ScopeAll},
	{RoleSystemAdmin, ActionUsersCreate, ScopeAll},
	{RoleSystemAdmin, ActionUsersGrant, ScopeAll},
	{RoleSystemAdmin, ActionUsersErase, ScopeAll},
	{RoleSystemAdmin, ActionAuditRead, ScopeAll},
	{RoleSystemAdmin, ActionOutboxRead, ScopeAll},

	{RoleSchoolAdmin, ActionRoundManage, ScopeAll},
	{RoleEmployer, ActionPostCreate, ScopeOrganisation},
	{RoleSchoolAdmin, ActionPostCreate, ScopeAll},
	{RoleApplicant, ActionApply, ScopeSelf},
	{RoleEmployer, ActionReview, ScopeAll},
	{RoleSchoolAdmin, ActionReview, ScopeAll},
	{RoleSchoolAdmin, ActionModerate, ScopeAll},
}

// Actions lists every action in the table, for tests and documentation.
func Actions() []Action {
	var out []Action
	for _, p := range Permissions {
		if !slices.Contains(out, p.Action) {
			out = append(out, p.Action)
		}
	}
	return out
}

// Principal is a signed-in person with their grants. A nil *Principal is
// someone who is not signed in.
type Principal struct {
	User   *User
	Grants []Grant
}

// Target is the record an action is about. Zero fields are "no particular
// record", for list pages and actions on the whole service.
type Target struct {
	UserID         int64
	OrganisationID int64
	DepartmentID   int64
	// DepartmentOrganisationID is the organisation of DepartmentID, so that
	// an organisation-scoped grant covers its departments.
	DepartmentOrganisationID int64
}

// Can reports whether the principal may perform the action at all, for
// some record: the first check a route makes before it loads anything.
// Every scope admits "no particular record", so this is Allowed with an
// empty target.
func (p *Principal) Can(a Action) bool { return p.Allowed(a, Target{}) }

// Allowed reports whether the principal may perform the action on the
// target, honouring each grant's scope.
func (p *Principal) Allowed(a Action, t Target) bool {
	if a == ActionPublic {
		return true
	}
	if p == nil {
		return false
	}
	for _, g := range p.Grants {
		for _, perm := range Permissions {
			if perm.Role != g.Role || perm.Action != a {
				continue
			}
			switch perm.Scope {
			case ScopeAll:
				return true
			case ScopeSelf:
				if t.UserID == 0 || t.UserID == p.User.ID {
					return true
				}
			case ScopeOrganisation:
				// With no particular record, the handler lists only the
				// grant's own organisation.
				if t.OrganisationID == 0 && t.DepartmentOrganisationID == 0 {
					return true
				}
				if g.OrganisationID != 0 && (t.OrganisationID == g.OrganisationID || t.DepartmentOrganisationID == g.OrganisationID) {
					return true
				}
			case ScopeDepartment:
				if t.DepartmentID == 0 || t.DepartmentID == g.DepartmentID {
					return true
				}
			}
		}
	}
	return false
}

// Has reports whether the principal holds the role.
func (p *Principal) Has(r Role) bool {
	if p == nil {
		return false
	}
	return slices.ContainsFunc(p.Grants, func(g Grant) bool { return g.Role == r })
}

// OrganisationIDs returns the organisations the principal's grants of a
// role are scoped to.
func (p *Principal) OrganisationIDs(r Role) []int64 {
	var ids []int64
	if p == nil {
		return ids
	}
	for _, g := range p.Grants {
		if g.Role == r && g.OrganisationID != 0 {
			ids = append(ids, g.OrganisationID)
		}
	}
	return ids
}
