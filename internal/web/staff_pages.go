package web

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/privacy"
	"hcs/internal/text"
)

// visibleOrganisations lists the organisations whose records the action
// lets the signed-in person see, as the permission table scopes it.
func (s *Server) visibleOrganisations(r *http.Request, action auth.Action) ([]auth.Organisation, error) {
	v := principal(r).Visible(action)
	if v.All {
		return s.store.Organisations(r.Context(), nil)
	}
	return s.store.Organisations(r.Context(), append([]int64{}, v.Organisations...))
}

// departmentView is a department with its organisation's name.
type departmentView struct {
	auth.Department
	Organisation string
}

func (s *Server) departmentView(r *http.Request, id int64) (*departmentView, error) {
	d, err := s.store.Department(r.Context(), id)
	if err != nil {
		return nil, err
	}
	org, _, err := s.store.Organisation(r.Context(), d.OrganisationID)
	if err != nil {
		return nil, err
	}
	return &departmentView{Department: *d, Organisation: org.Name}, nil
}

func (s *Server) departmentPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, err := s.departmentView(r, id)
	if err != nil {
		return err
	}
	if !principal(r).Allowed(auth.ActionDeptView, auth.Target{OrganisationID: d.OrganisationID, DepartmentID: d.ID}) {
		return apperr.Errorf(apperr.NotFound, "there is no department %d", id) // do not confirm it exists
	}
	people, err := s.store.DepartmentPeople(r.Context(), d.ID)
	if err != nil {
		return err
	}
	var specialism string
	if sp := s.f.Specialism(d.Specialism); sp != nil {
		specialism = sp.Name
	}
	crumbs := []crumb{{"Your training departments", "/training"}}
	if principal(r).Allowed(auth.ActionOrgView, auth.Target{OrganisationID: d.OrganisationID}) {
		crumbs = []crumb{{d.Organisation, "/organisations/" + strconv.FormatInt(d.OrganisationID, 10)}}
	}
	return s.show(w, r, http.StatusOK, "department", d.Name, crumbs, map[string]any{"Department": d, "People": people, "Specialism": specialism})
}

func (s *Server) adminHome(w http.ResponseWriter, r *http.Request) error {
	orgs, err := s.visibleOrganisations(r, auth.ActionOrgView)
	if err != nil {
		return err
	}
	return s.show(w, r, http.StatusOK, "home-admin", "Administration", nil, map[string]any{
		"Organisations": orgs, "Regions": auth.Regions, "Form": formPage{Values: map[string]string{}}, "Done": takeNotice(w, r)})
}

func (s *Server) organisationPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := authorize(r, auth.ActionOrgView, auth.Target{OrganisationID: id}); err != nil {
		return err
	}
	org, depts, err := s.store.Organisation(r.Context(), id)
	if err != nil {
		return err
	}
	canAdd := principal(r).Allowed(auth.ActionDeptCreate, auth.Target{OrganisationID: id})
	return s.show(w, r, http.StatusOK, "organisation", org.Name, nil, map[string]any{
		"Organisation": org, "Departments": depts, "CanAdd": canAdd, "Specialisms": s.options["specialisms"],
		"Form": formPage{Values: map[string]string{}}, "Done": takeNotice(w, r)})
}

func organisationFromForm(f map[string][]string) *auth.Organisation {
	get := func(k string) string {
		if v := f[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	return &auth.Organisation{Name: get("name"), Kind: get("kind"), Region: get("region")}
}

func (s *Server) createOrganisation(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	o := organisationFromForm(r.PostForm)
	if err := s.store.CreateOrganisation(r.Context(), actor(r), o); err != nil {
		return err
	}
	redirectBack(w, r, "/organisations/"+strconv.FormatInt(o.ID, 10), "Organisation created")
	return nil
}

// checkSpecialism accepts an empty value or a known specialism id.
func (s *Server) checkSpecialism(id string) error {
	if id != "" && s.f.Specialism(id) == nil {
		return apperr.Invalidf("specialism", "%q is not a specialism", id)
	}
	return nil
}

func (s *Server) createDepartment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := authorize(r, auth.ActionDeptCreate, auth.Target{OrganisationID: id}); err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	d := &auth.Department{OrganisationID: id, Name: r.PostForm.Get("name"), Specialism: r.PostForm.Get("specialism")}
	if err := s.checkSpecialism(d.Specialism); err != nil {
		return err
	}
	if err := s.store.CreateDepartment(r.Context(), actor(r), d); err != nil {
		return err
	}
	redirectBack(w, r, "/organisations/"+strconv.FormatInt(id, 10), "Department added")
	return nil
}

// grantChoices are the options of the grant form: every role, and the
// organisations, departments and rounds a grant can be scoped to.
type grantChoices struct {
	Roles, Organisations, Departments, Rounds [][2]string
}

func (s *Server) grantChoices(r *http.Request, noRole bool) (*grantChoices, error) {
	orgs, err := s.store.Organisations(r.Context(), nil)
	if err != nil {
		return nil, err
	}
	depts, err := s.store.Departments(r.Context())
	if err != nil {
		return nil, err
	}
	rounds, err := s.recruit.Rounds(r.Context())
	if err != nil {
		return nil, err
	}
	c := &grantChoices{Organisations: [][2]string{{"", "None"}}, Departments: [][2]string{{"", "None"}}, Rounds: [][2]string{{"", "None"}}}
	if noRole {
		c.Roles = [][2]string{{"", "No role yet"}}
	}
	for _, role := range auth.Roles {
		c.Roles = append(c.Roles, [2]string{string(role), auth.RoleNames[role]})
	}
	names := map[int64]string{}
	for _, o := range orgs {
		names[o.ID] = o.Name
		c.Organisations = append(c.Organisations, [2]string{strconv.FormatInt(o.ID, 10), o.Name})
	}
	for _, d := range depts {
		c.Departments = append(c.Departments, [2]string{strconv.FormatInt(d.ID, 10), names[d.OrganisationID] + ": " + d.Name})
	}
	for _, rd := range rounds {
		c.Rounds = append(c.Rounds, [2]string{strconv.FormatInt(rd.ID, 10), rd.Name})
	}
	return c, nil
}

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request) error {
	users, err := s.store.Users(r.Context())
	if err != nil {
		return err
	}
	choices, err := s.grantChoices(r, true)
	if err != nil {
		return err
	}
	return s.show(w, r, http.StatusOK, "admin-users", "People", []crumb{{"Administration", "/admin"}}, map[string]any{
		"Users": users, "Done": takeNotice(w, r), "RoleNames": auth.RoleNames, "Choices": choices})
}

// newUser creates an account without a password and sends its owner a
// link to choose one: no default passwords exist.
func (s *Server) newUser(r *http.Request, name, email string, grants []auth.Grant) (*auth.User, error) {
	u := &auth.User{Name: name, Email: email}
	if err := s.store.CreateUser(r.Context(), actor(r), u, "", grants); err != nil {
		return nil, err
	}
	token, tokenHash, err := auth.NewToken()
	if err != nil {
		return nil, err
	}
	msg := auth.NewAccountMessage(s.baseURL, token)
	msg.Recipient = u.Email
	return u, s.store.CreatePasswordReset(r.Context(), actor(r), u.ID, tokenHash, auth.NewAccountLinkLifetime, msg)
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	var grants []auth.Grant
	if f := r.PostForm; f.Get("role") != "" {
		g, err := grantFromValues(0, f.Get("role"), f.Get("organisation_id"), f.Get("department_id"), f.Get("round_id"))
		if err != nil {
			return err
		}
		grants = append(grants, *g)
	}
	u, err := s.newUser(r, r.PostForm.Get("name"), r.PostForm.Get("email"), grants)
	if err != nil {
		return err
	}
	redirectBack(w, r, "/admin/users/"+strconv.FormatInt(u.ID, 10), "Account created; a link to set a password is in the outbox")
	return nil
}

func (s *Server) userPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	u, err := s.store.User(r.Context(), id)
	if err != nil {
		return err
	}
	grants, err := s.grantViews(r, u.Grants)
	if err != nil {
		return err
	}
	choices, err := s.grantChoices(r, false)
	if err != nil {
		return err
	}
	return s.show(w, r, http.StatusOK, "admin-user", u.Name, []crumb{{"Administration", "/admin"}, {"People", "/admin/users"}}, map[string]any{
		"User": u, "Grants": grants, "Choices": choices, "CanErase": privacy.CanErase(u) == nil && u.ErasedAt == nil,
		"Done": takeNotice(w, r)})
}

// grantFromValues reads a grant's role and scope from form values.
func grantFromValues(userID int64, role, org, dept, round string) (*auth.Grant, error) {
	g := &auth.Grant{UserID: userID, Role: auth.Role(role)}
	for _, f := range []struct {
		value, name string
		id          *int64
	}{{org, "organisation_id", &g.OrganisationID}, {dept, "department_id", &g.DepartmentID}, {round, "round_id", &g.RoundID}} {
		if strings.TrimSpace(f.value) == "" {
			continue
		}
		id, err := formID(f.value, f.name)
		if err != nil {
			return nil, err
		}
		*f.id = id
	}
	return g, g.Validate()
}

func (s *Server) addGrant(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	f := r.PostForm
	g, err := grantFromValues(id, f.Get("role"), f.Get("organisation_id"), f.Get("department_id"), f.Get("round_id"))
	if err != nil {
		return err
	}
	if err := s.store.AddGrant(r.Context(), actor(r), g); err != nil {
		return err
	}
	redirectBack(w, r, "/admin/users/"+strconv.FormatInt(id, 10), "Role granted")
	return nil
}

func (s *Server) revokeGrant(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	grant, err := pathID(r, "grant")
	if err != nil {
		return err
	}
	if err := s.store.RevokeGrant(r.Context(), actor(r), id, grant); err != nil {
		return err
	}
	redirectBack(w, r, "/admin/users/"+strconv.FormatInt(id, 10), "Role revoked")
	return nil
}

func (s *Server) eraseUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.privacy.Erase(r.Context(), actor(r), id); err != nil {
		return err
	}
	redirectBack(w, r, "/admin/users/"+strconv.FormatInt(id, 10), "Personal data erased")
	return nil
}

func auditFilter(r *http.Request) auth.AuditFilter {
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	actor, _ := strconv.ParseInt(q.Get("actor"), 10, 64)
	return auth.AuditFilter{RecordType: q.Get("record_type"), RecordID: q.Get("record_id"), ActorID: actor, Limit: limit}
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) error {
	f := auditFilter(r)
	entries, err := s.store.Audit(r.Context(), f)
	if err != nil {
		return err
	}
	return s.show(w, r, http.StatusOK, "admin-audit", "Audit log", []crumb{{"Administration", "/admin"}}, map[string]any{"Entries": entries, "Filter": f})
}

func (s *Server) auditCSV(w http.ResponseWriter, r *http.Request) error {
	f := auditFilter(r)
	if f.Limit == 0 {
		f.Limit = 100000
	}
	entries, err := s.store.Audit(r.Context(), f)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="hcs-audit.csv"`)
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "at", "actor_id", "action", "record_type", "record_id", "address", "detail"})
	for _, e := range entries {
		// Every cell that holds text is neutralised: a spreadsheet must
		// show a station named "=HYPERLINK(…)" as text, not run it.
		cw.Write([]string{strconv.FormatInt(e.ID, 10), e.At.UTC().Format("2006-01-02T15:04:05.000000Z"), strconv.FormatInt(e.ActorID, 10),
			text.CSVCell(e.Action), text.CSVCell(e.RecordType), text.CSVCell(e.RecordID), text.CSVCell(e.Address), text.CSVCell(e.Detail)})
	}
	cw.Flush()
	return cw.Error()
}

func (s *Server) outboxPage(w http.ResponseWriter, r *http.Request) error {
	msgs, err := s.store.Outbox(r.Context(), 200)
	if err != nil {
		return err
	}
	return s.show(w, r, http.StatusOK, "admin-outbox", "Outbox", []crumb{{"Administration", "/admin"}}, msgs)
}
