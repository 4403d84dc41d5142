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
	ActionReviewerHome  Action = "reviewer.home"  // the reviewer's home page: the rounds they review
	ActionOrgView       Action = "organisation.view"
	ActionOrgCreate     Action = "organisation.create"
	ActionDeptView      Action = "department.view"
	ActionDeptCreate    Action = "department.create"
	ActionUsersList     Action = "users.list"
	ActionUsersCreate   Action = "users.create"
	ActionUsersGrant    Action = "users.grant" // grant and revoke roles
	ActionUsersErase    Action = "users.erase"
	ActionAuditRead     Action = "audit.read" // read and export
	ActionOutboxRead    Action = "outbox.read"

	ActionRoundManage Action = "round.manage"      // open rounds, rank, match, what-if, expire offers
	ActionPostCreate  Action = "post.create"       // publish training posts and rank their applicants
	ActionApply       Action = "recruit.apply"     // profile, apply, rank posts, answer offers
	ActionReview      Action = "recruit.review"    // blind shortlisting scores
	ActionInterview   Action = "recruit.interview" // interview scores, station by station
	ActionModerate    Action = "recruit.moderate"  // settle reviewers who disagree
	ActionOfferChecks Action = "recruit.checks"    // record the pre-employment checks of accepted offers of the organisation's posts
	ActionNominate    Action = "recruit.nominate"  // nominate the organisation's own employees for the in-service route

	ActionTraineeHome    Action = "trainee.home"      // the trainee's home page: what is due, their records
	ActionSupervisorHome Action = "supervisor.home"   // the supervisor's home page: their trainees, what awaits sign-off
	ActionTrainingView   Action = "training.view"     // a trainee's record: progress, evidence the team sees, history
	ActionEvidence       Action = "training.evidence" // record, share and submit evidence; invite assessors
	ActionSignOff        Action = "training.signoff"  // sign off competencies and modules, reopen with a reason
	ActionTrainingManage Action = "training.manage"   // start a record from an unconditional offer, confirm it, name its team, record time out, part-time working and transfers, approve assessors
	ActionTrainingReview Action = "training.review"   // record progress reviews and records, see the whole cohort

	ActionWorkforceImport Action = "workforce.import"   // register employers' codes (nationally) and import staff extracts (an employer: its own staff)
	ActionWorkforceStaff  Action = "workforce.staff"    // staff records one by one (pseudonymous), as FHIR: every employer's nationally, an employer its own
	ActionPipeline        Action = "workforce.pipeline" // the training pipeline's figures: trainees by programme and expected completion, training places filled
)

// Field is one field of a Target that a scope compares.
type Field uint8

const (
	FieldUser Field = 1 << iota
	FieldOrganisation
	FieldDepartment
	FieldRound
	FieldTeam
)

// Scope says which records a permission covers. Each scope names the
// target fields it compares: a check whose target lacks one of them is
// denied, never taken as "no particular record".
type Scope int

const (
	ScopeAll          Scope = iota // every record
	ScopeSelf                      // the person's own records: needs UserID
	ScopeOrganisation              // records of the grant's organisation: needs OrganisationID
	ScopeDepartment                // records of the grant's department: needs DepartmentID and its OrganisationID
	ScopeRound                     // records of the recruitment round the grant appoints to: needs RoundID
	ScopeTeam                      // a trainee's record whose supervisors or training officer include the person: needs Team
)

// scopeRule is how one scope decides.
type scopeRule struct {
	name  string
	needs Field
	// grantNeeds are the grant fields without which the grant covers
	// nothing at all.
	grantNeeds Field
	// covers compares a target that has every needed field with the grant.
	covers func(p *Principal, g Grant, t Target) bool
	// reveal adds what the grant lets a list show.
	reveal func(v *Visibility, p *Principal, g Grant)
}

// scopeRules is the one place each scope's rule is written. A new scope
// (training's "supervisor or training officer of this trainee", say) adds a
// row here with the fields it needs, and a Field for anything new.
var scopeRules = map[Scope]scopeRule{
	ScopeAll: {name: "every record",
		covers: func(*Principal, Grant, Target) bool { return true },
		reveal: func(v *Visibility, _ *Principal, _ Grant) { v.All = true }},
	ScopeSelf: {name: "own records", needs: FieldUser,
		covers: func(p *Principal, _ Grant, t Target) bool { return t.UserID == p.User.ID },
		reveal: func(v *Visibility, p *Principal, _ Grant) { v.UserIDs = addID(v.UserIDs, p.User.ID) }},
	ScopeOrganisation: {name: "the grant's organisation", needs: FieldOrganisation, grantNeeds: FieldOrganisation,
		covers: func(_ *Principal, g Grant, t Target) bool { return t.OrganisationID == g.OrganisationID },
		reveal: func(v *Visibility, _ *Principal, g Grant) { v.Organisations = addID(v.Organisations, g.OrganisationID) }},
	ScopeDepartment: {name: "the grant's department", needs: FieldDepartment | FieldOrganisation, grantNeeds: FieldDepartment | FieldOrganisation,
		covers: func(_ *Principal, g Grant, t Target) bool {
			return t.DepartmentID == g.DepartmentID && t.OrganisationID == g.OrganisationID
		},
		reveal: func(v *Visibility, _ *Principal, g Grant) {
			if d := (DepartmentRef{g.OrganisationID, g.DepartmentID}); !slices.Contains(v.Departments, d) {
				v.Departments = append(v.Departments, d)
			}
		}},
	ScopeRound: {name: "the round the grant appoints to", needs: FieldRound, grantNeeds: FieldRound,
		covers: func(_ *Principal, g Grant, t Target) bool { return t.RoundID == g.RoundID },
		reveal: func(v *Visibility, _ *Principal, g Grant) { v.Rounds = addID(v.Rounds, g.RoundID) }},
	ScopeTeam: {name: "the trainees the person supervises or is training officer of", needs: FieldTeam,
		covers: func(p *Principal, _ Grant, t Target) bool { return slices.Contains(t.Team.Members, p.User.ID) },
		reveal: func(v *Visibility, p *Principal, _ Grant) { v.TeamOf = p.User.ID }},
}

func addID(ids []int64, id int64) []int64 {
	if slices.Contains(ids, id) {
		return ids
	}
	return append(ids, id)
}

// Scopes lists every scope, for tests and documentation.
func Scopes() []Scope {
	return []Scope{ScopeAll, ScopeSelf, ScopeOrganisation, ScopeDepartment, ScopeRound, ScopeTeam}
}

// Needs returns the target fields the scope compares.
func (s Scope) Needs() Field { return scopeRules[s].needs }

func (s Scope) String() string { return scopeRules[s].name }

// Permission grants a role an action within a scope.
type Permission struct {
	Role   Role
	Action Action
	Scope  Scope
}

// Permissions is the one permission table. Read it as the answer to "who
// may do this, to which records?": a role absent from an action's rows may
// not.
var Permissions = []Permission{
	{RoleApplicant, ActionAccountView, ScopeSelf},
	{RoleEmployer, ActionAccountView, ScopeSelf},
	{RoleTrainingOfficer, ActionAccountView, ScopeSelf},
	{RoleSchoolAdmin, ActionAccountView, ScopeSelf},
	{RoleWorkforcePlanner, ActionAccountView, ScopeSelf},
	{RoleSystemAdmin, ActionAccountView, ScopeSelf},
	{RoleReviewer, ActionAccountView, ScopeSelf},

	{RoleApplicant, ActionApplicantHome, ScopeSelf},
	{RoleEmployer, ActionEmployerHome, ScopeOrganisation},
	{RoleTrainingOfficer, ActionTrainingHome, ScopeDepartment},
	{RoleSchoolAdmin, ActionSchoolHome, ScopeAll},
	{RoleWorkforcePlanner, ActionWorkforceHome, ScopeAll},
	{RoleSystemAdmin, ActionAdminHome, ScopeAll},
	{RoleReviewer, ActionReviewerHome, ScopeRound},

	{RoleEmployer, ActionOrgView, ScopeOrganisation},
	{RoleSchoolAdmin, ActionOrgView, ScopeAll},
	{RoleSystemAdmin, ActionOrgView, ScopeAll},
	{RoleSchoolAdmin, ActionOrgCreate, ScopeAll},
	{RoleSystemAdmin, ActionOrgCreate, ScopeAll},
	{RoleEmployer, ActionDeptView, ScopeOrganisation},
	{RoleTrainingOfficer, ActionDeptView, ScopeDepartment},
	{RoleSchoolAdmin, ActionDeptView, ScopeAll},
	{RoleSystemAdmin, ActionDeptView, ScopeAll},
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
	{RoleReviewer, ActionReview, ScopeRound},
	{RoleEmployer, ActionInterview, ScopeOrganisation},
	{RoleSchoolAdmin, ActionInterview, ScopeAll},
	{RoleSchoolAdmin, ActionModerate, ScopeAll},
	// Pre-employment checks are the employer's alone: the national school
	// does not read or record them.
	{RoleEmployer, ActionOfferChecks, ScopeOrganisation},
	// Only an employer nominates its own employees.
	{RoleEmployer, ActionNominate, ScopeOrganisation},

	{RoleTrainee, ActionAccountView, ScopeSelf},
	{RoleSupervisor, ActionAccountView, ScopeSelf},
	{RoleTrainee, ActionTraineeHome, ScopeSelf},
	{RoleSupervisor, ActionSupervisorHome, ScopeDepartment},
	{RoleTrainingOfficer, ActionSupervisorHome, ScopeDepartment},
	{RoleTrainee, ActionTrainingView, ScopeSelf},
	{RoleSupervisor, ActionTrainingView, ScopeTeam},
	{RoleTrainingOfficer, ActionTrainingView, ScopeDepartment},
	{RoleSchoolAdmin, ActionTrainingView, ScopeAll},
	{RoleTrainee, ActionEvidence, ScopeSelf},
	{RoleSupervisor, ActionSignOff, ScopeTeam},
	{RoleTrainingOfficer, ActionSignOff, ScopeTeam},
	{RoleTrainingOfficer, ActionTrainingManage, ScopeDepartment},
	{RoleSchoolAdmin, ActionTrainingManage, ScopeAll},
	{RoleSchoolAdmin, ActionTrainingReview, ScopeAll},

	{RoleWorkforcePlanner, ActionWorkforceImport, ScopeAll},
	{RoleEmployer, ActionWorkforceImport, ScopeOrganisation},
	{RoleWorkforcePlanner, ActionWorkforceStaff, ScopeAll},
	{RoleEmployer, ActionWorkforceStaff, ScopeOrganisation},
	{RoleSchoolAdmin, ActionPipeline, ScopeAll},
	{RoleWorkforcePlanner, ActionPipeline, ScopeAll},
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

// Target is the record an action is about: the person it belongs to, the
// organisation and department it sits in, the round it is part of. Fill
// every field the record has; a scope that needs a field the target lacks
// denies. AnyRecord is the one target that stands for "some record of this
// kind", for list routes that filter by the caller's scope in their query.
type Target struct {
	UserID         int64
	OrganisationID int64
	// DepartmentID goes with the department's OrganisationID: a
	// department-scoped grant needs both to match.
	DepartmentID int64
	RoundID      int64
	// Team is a trainee's record's people, for the team scope.
	Team Team
	any  bool
}

// Team names a trainee's record and the people on it who are not the
// trainee: supervisors and training officer. A record always has them, so
// a Team with no TraineeID means the target is not a trainee's record.
type Team struct {
	TraineeID int64
	Members   []int64
}

// AnyRecord is "some record of this kind": allowed when the principal holds
// the action in any scope. Only list routes use it, and they then filter
// their rows by Visible.
var AnyRecord = Target{any: true}

// has reports whether the target fills every field in f.
func (t Target) has(f Field) bool {
	return (f&FieldUser == 0 || t.UserID != 0) &&
		(f&FieldOrganisation == 0 || t.OrganisationID != 0) &&
		(f&FieldDepartment == 0 || t.DepartmentID != 0) &&
		(f&FieldRound == 0 || t.RoundID != 0) &&
		(f&FieldTeam == 0 || t.Team.TraineeID != 0)
}

// hasFields reports whether the grant records every field in f.
func (g Grant) hasFields(f Field) bool {
	return Target{OrganisationID: g.OrganisationID, DepartmentID: g.DepartmentID, RoundID: g.RoundID, UserID: g.UserID}.has(f)
}

// Can reports whether the principal may perform the action on some record:
// the first check a route makes before it loads anything. Handlers then
// check the record itself with Allowed.
func (p *Principal) Can(a Action) bool { return p.Allowed(a, AnyRecord) }

// Allowed reports whether the principal may perform the action on the
// target, honouring each grant's scope.
func (p *Principal) Allowed(a Action, t Target) bool {
	if a == ActionPublic {
		return true
	}
	if p == nil || p.User == nil {
		return false
	}
	return p.eachCover(a, func(rule scopeRule, g Grant) bool {
		return t.any || (t.has(rule.needs) && rule.covers(p, g, t))
	})
}

// Visibility is what a principal may see of one action's records, for list
// routes to filter their queries by. All means every record; otherwise a
// record is visible when it belongs to one of the users, organisations,
// departments or rounds listed (a department with its organisation), or
// is a trainee's record on which TeamOf is a supervisor or the training
// officer.
type Visibility struct {
	All           bool
	UserIDs       []int64
	Organisations []int64
	Departments   []DepartmentRef
	Rounds        []int64
	TeamOf        int64
}

// DepartmentRef names a department with its organisation.
type DepartmentRef struct{ OrganisationID, DepartmentID int64 }

// Visible returns what the principal may see of the action's records,
// read from the same table and scope rules as Allowed.
func (p *Principal) Visible(a Action) Visibility {
	var v Visibility
	if p == nil || p.User == nil {
		return v
	}
	p.eachCover(a, func(rule scopeRule, g Grant) bool {
		rule.reveal(&v, p, g)
		return false
	})
	if v.All {
		return Visibility{All: true}
	}
	return v
}

// eachCover calls fn with the scope rule of every permission the
// principal's well-formed grants hold for the action, until fn returns true.
func (p *Principal) eachCover(a Action, fn func(rule scopeRule, g Grant) bool) bool {
	for _, g := range p.Grants {
		for _, perm := range Permissions {
			if perm.Role != g.Role || perm.Action != a {
				continue
			}
			rule := scopeRules[perm.Scope]
			if !g.hasFields(rule.grantNeeds) {
				continue // a malformed grant covers nothing
			}
			if fn(rule, g) {
				return true
			}
		}
	}
	return false
}

// Nothing reports whether nothing at all is visible.
func (v Visibility) Nothing() bool {
	return !v.All && len(v.UserIDs) == 0 && len(v.Organisations) == 0 && len(v.Departments) == 0 && len(v.Rounds) == 0 && v.TeamOf == 0
}

// Has reports whether the principal holds the role.
func (p *Principal) Has(r Role) bool {
	if p == nil {
		return false
	}
	return slices.ContainsFunc(p.Grants, func(g Grant) bool { return g.Role == r })
}
