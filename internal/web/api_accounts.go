package web

import (
	"net/http"

	"hcs/internal/auth"
	"hcs/internal/privacy"
	"hcs/internal/recruit"
)

type signInRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

func (s *Server) apiSignIn(w http.ResponseWriter, r *http.Request) (int, any, error) {
	var req signInRequest
	if err := decodeJSON(r, &req); err != nil {
		return 0, nil, err
	}
	u, err := s.authenticate(r, req.Email, req.Password)
	if err != nil {
		return 0, nil, err
	}
	if err := s.startSession(w, r, u.ID); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, map[string]any{"user": u}, nil
}

type passwordChange struct {
	Current  string `json:"current"`
	Password string `json:"password"`
}

func (s *Server) apiChangePassword(w http.ResponseWriter, r *http.Request) (int, any, error) {
	var req passwordChange
	if err := decodeJSON(r, &req); err != nil {
		return 0, nil, err
	}
	if err := s.changePassword(r, req.Current, req.Password, req.Password); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

func (s *Server) apiSignOut(w http.ResponseWriter, r *http.Request) (int, any, error) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.store.DeleteSession(r.Context(), actor(r), auth.HashToken(c.Value)); err != nil {
			return 0, nil, err
		}
	}
	s.clearSessionCookie(w, r)
	return http.StatusNoContent, nil, nil
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) (int, any, error) {
	return http.StatusOK, map[string]any{"user": principal(r).User}, nil
}

func (s *Server) apiMyData(w http.ResponseWriter, r *http.Request) (int, any, error) {
	pd, err := s.myData(r)
	return http.StatusOK, pd, err
}

// myData is a person's data export: every row about them, and for each
// of their applications the results at every stage that recruitment
// works out from those rows (the rank of the last person holding each
// post they ranked among them).
type myData struct {
	*privacy.Export
	ApplicationResults []*recruit.Feedback `json:"application_results,omitempty"`
}

func (s *Server) myData(r *http.Request) (*myData, error) {
	id := principal(r).User.ID
	pd, err := s.privacy.Export(r.Context(), id)
	if err != nil {
		return nil, err
	}
	out := &myData{Export: pd}
	apps, err := s.recruit.ApplicationsOf(r.Context(), id)
	if err != nil {
		return nil, err
	}
	for _, a := range apps {
		fb, err := s.recruit.Feedback(r.Context(), a.ID)
		if err != nil {
			return nil, err
		}
		out.ApplicationResults = append(out.ApplicationResults, fb)
	}
	return out, nil
}

func (s *Server) apiOrganisations(w http.ResponseWriter, r *http.Request) (int, any, error) {
	orgs, err := s.visibleOrganisations(r, auth.ActionOrgView)
	if orgs == nil {
		orgs = []auth.Organisation{}
	}
	return http.StatusOK, map[string]any{"organisations": orgs}, err
}

type organisationRequest struct {
	Kind   string `json:"kind"`
	Name   string `json:"name"`
	Region string `json:"region"`
}

func (s *Server) apiCreateOrganisation(w http.ResponseWriter, r *http.Request) (int, any, error) {
	var req organisationRequest
	if err := decodeJSON(r, &req); err != nil {
		return 0, nil, err
	}
	o := &auth.Organisation{Kind: req.Kind, Name: req.Name, Region: req.Region}
	if err := s.store.CreateOrganisation(r.Context(), actor(r), o); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, o, nil
}

func (s *Server) apiOrganisation(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	if err := authorize(r, auth.ActionOrgView, auth.Target{OrganisationID: id}); err != nil {
		return 0, nil, err
	}
	org, depts, err := s.store.Organisation(r.Context(), id)
	if err != nil {
		return 0, nil, err
	}
	if depts == nil {
		depts = []auth.Department{}
	}
	return http.StatusOK, map[string]any{"organisation": org, "departments": depts}, nil
}

type departmentRequest struct {
	Name       string `json:"name"`
	Specialism string `json:"specialism"`
}

func (s *Server) apiCreateDepartment(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	if err := authorize(r, auth.ActionDeptCreate, auth.Target{OrganisationID: id}); err != nil {
		return 0, nil, err
	}
	var req departmentRequest
	if err := decodeJSON(r, &req); err != nil {
		return 0, nil, err
	}
	if err := s.checkSpecialism(req.Specialism); err != nil {
		return 0, nil, err
	}
	d := &auth.Department{OrganisationID: id, Name: req.Name, Specialism: req.Specialism}
	if err := s.store.CreateDepartment(r.Context(), actor(r), d); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, d, nil
}

func (s *Server) apiUsers(w http.ResponseWriter, r *http.Request) (int, any, error) {
	users, err := s.store.Users(r.Context())
	if users == nil {
		users = []auth.User{}
	}
	return http.StatusOK, map[string]any{"users": users}, err
}

type userRequest struct {
	Name   string         `json:"name"`
	Email  string         `json:"email"`
	Grants []grantRequest `json:"grants"`
}

type grantRequest struct {
	Role           string `json:"role"`
	OrganisationID int64  `json:"organisation_id"`
	DepartmentID   int64  `json:"department_id"`
	RoundID        int64  `json:"round_id"`
}

func (g grantRequest) grant(userID int64) (*auth.Grant, error) {
	out := &auth.Grant{UserID: userID, Role: auth.Role(g.Role), OrganisationID: g.OrganisationID, DepartmentID: g.DepartmentID, RoundID: g.RoundID}
	return out, out.Validate()
}

func (s *Server) apiCreateUser(w http.ResponseWriter, r *http.Request) (int, any, error) {
	var req userRequest
	if err := decodeJSON(r, &req); err != nil {
		return 0, nil, err
	}
	var grants []auth.Grant
	for _, gr := range req.Grants {
		g, err := gr.grant(0)
		if err != nil {
			return 0, nil, err
		}
		grants = append(grants, *g)
	}
	u, err := s.newUser(r, req.Name, req.Email, grants)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, u, nil
}

func (s *Server) apiAddGrant(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, req, err := pathAndBody[grantRequest](r)
	if err != nil {
		return 0, nil, err
	}
	g, err := req.grant(id)
	if err != nil {
		return 0, nil, err
	}
	if err := s.store.AddGrant(r.Context(), actor(r), g); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, g, nil
}

func (s *Server) apiRevokeGrant(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	grant, err := pathID(r, "grant")
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, s.store.RevokeGrant(r.Context(), actor(r), id, grant)
}

func (s *Server) apiEraseUser(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	if err := s.privacy.Erase(r.Context(), actor(r), id); err != nil {
		return 0, nil, err
	}
	u, err := s.store.User(r.Context(), id)
	return http.StatusOK, u, err
}

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request) (int, any, error) {
	entries, err := s.store.Audit(r.Context(), auditFilter(r))
	return http.StatusOK, map[string]any{"entries": entries}, err
}

func (s *Server) apiOutbox(w http.ResponseWriter, r *http.Request) (int, any, error) {
	msgs, err := s.store.Outbox(r.Context(), 200)
	return http.StatusOK, map[string]any{"messages": msgs}, err
}
