package web

import (
	"net/http"
	"slices"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/train"
)

// Training's API: the same records and actions as the training pages, as
// JSON. Each handler loads the record, checks the action against it in the
// permission table (someone without the right is told it is not found),
// and calls the training service.

// apiTrainees lists the trainees the caller may see, with their progress
// now, those needing attention first.
func (s *Server) apiTrainees(w http.ResponseWriter, r *http.Request) (int, any, error) {
	q := r.URL.Query()
	f := trainingFilter(principal(r).Visible(auth.ActionTrainingView))
	f.Programme, f.Specialism, f.Region, f.Status = q.Get("programme"), q.Get("specialism"), q.Get("region"), q.Get("status")
	if f.Status != "" && f.Status != train.TraineePending && f.Status != train.TraineeActive && f.Status != train.TraineeCompleted && f.Status != train.TraineeLeft {
		return 0, nil, apperr.Invalidf("status", "status is one of pending, active, completed and left")
	}
	cohort, err := s.train.Cohort(r.Context(), f)
	return http.StatusOK, map[string]any{"trainees": cohort}, err
}

// traineeRecord is a trainee's record as the API gives it: what its
// record page shows.
type traineeRecord struct {
	Status   train.Status     `json:"status"`
	Evidence []train.Evidence `json:"evidence"`
	Changes  []train.Change   `json:"changes"`
	Records  []train.Record   `json:"records"`
}

func (s *Server) apiTrainee(w http.ResponseWriter, r *http.Request) (int, any, error) {
	t, err := s.pathTrainee(r, auth.ActionTrainingView)
	if err != nil {
		return 0, nil, err
	}
	p, err := s.train.Portfolio(r.Context(), t.ID)
	if err != nil {
		return 0, nil, err
	}
	st, err := s.train.Status(r.Context(), p)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, traineeRecord{Status: st, Evidence: train.VisibleEvidence(t, principal(r).User.ID, p.Evidence), Changes: p.Changes, Records: p.Records}, nil
}

func (s *Server) apiTraineeHistory(w http.ResponseWriter, r *http.Request) (int, any, error) {
	t, err := s.pathTrainee(r, auth.ActionTrainingView)
	if err != nil {
		return 0, nil, err
	}
	h, err := s.train.History(r.Context(), t.ID)
	return http.StatusOK, map[string]any{"history": h}, err
}

// apiPlacements lists the unconditional offers the caller may start training
// records for.
func (s *Server) apiPlacements(w http.ResponseWriter, r *http.Request) (int, any, error) {
	v := principal(r).Visible(auth.ActionTrainingManage)
	f := train.PlacementFilter{All: v.All, Organisations: v.Organisations}
	for _, d := range v.Departments {
		f.Organisations = append(f.Organisations, d.OrganisationID)
	}
	all, err := s.train.Placements(r.Context(), f)
	if err != nil {
		return 0, nil, err
	}
	depts, err := s.store.Departments(r.Context())
	if err != nil {
		return 0, nil, err
	}
	out := []train.Placement{}
	for _, p := range all {
		for _, d := range depts {
			if d.OrganisationID == p.OrganisationID && train.DepartmentTrains(&d, p.Specialism) &&
				principal(r).Allowed(auth.ActionTrainingManage, auth.Target{OrganisationID: d.OrganisationID, DepartmentID: d.ID}) {
				out = append(out, p)
				break
			}
		}
	}
	return http.StatusOK, map[string]any{"placements": out}, nil
}

type enrolRequest struct {
	DepartmentID      int64   `json:"department_id"`
	TrainingOfficerID int64   `json:"training_officer_id"`
	Supervisors       []int64 `json:"supervisors"`
	StartDate         string  `json:"start_date"`
}

func (s *Server) apiEnrol(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, req, err := pathAndBody[enrolRequest](r)
	if err != nil {
		return 0, nil, err
	}
	pl, err := s.train.Placement(r.Context(), id)
	if err != nil {
		return 0, nil, err
	}
	// An offer of an organisation the caller manages no department of is
	// not found, as one that does not exist.
	if !s.managesIn(r, pl.OrganisationID) {
		return 0, nil, apperr.Errorf(apperr.NotFound, "there is no unconditional offer %d waiting to start training", id)
	}
	if !principal(r).Allowed(auth.ActionTrainingManage, auth.Target{OrganisationID: pl.OrganisationID, DepartmentID: req.DepartmentID}) {
		return 0, nil, apperr.Invalidf("department_id", "Choose one of your departments")
	}
	t, err := s.train.Enrol(r.Context(), actor(r), train.Enrolment{OfferID: id, StartDate: req.StartDate,
		Team: train.Team{DepartmentID: req.DepartmentID, TrainingOfficerID: req.TrainingOfficerID, Supervisors: req.Supervisors}})
	return http.StatusCreated, t, err
}

// managesIn reports whether the caller may start training records in some
// department of an organisation.
func (s *Server) managesIn(r *http.Request, organisationID int64) bool {
	v := principal(r).Visible(auth.ActionTrainingManage)
	return v.All || slices.Contains(v.Organisations, organisationID) ||
		slices.ContainsFunc(v.Departments, func(d auth.DepartmentRef) bool { return d.OrganisationID == organisationID })
}

// apiRecordAction runs one action on the trainee in the path with the
// action checked against the record, answering what the service returns.
func apiRecordAction[Req, Resp any](s *Server, action auth.Action, status int, act func(r *http.Request, t *train.Trainee, req Req) (Resp, error)) func(w http.ResponseWriter, r *http.Request) (int, any, error) {
	return func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		t, err := s.pathTrainee(r, action)
		if err != nil {
			return 0, nil, err
		}
		var req Req
		if _, none := any(req).(empty); !none {
			if err := decodeJSON(r, &req); err != nil {
				return 0, nil, err
			}
		}
		out, err := act(r, t, req)
		return status, out, err
	}
}

// empty is the body of an action that takes none.
type empty struct{}

type itemRequest struct {
	Module     string `json:"module"`
	Competency string `json:"competency"`
	Reason     string `json:"reason"`
}

type reviewRequest struct {
	Review  string `json:"review"`
	Month   int    `json:"month"`
	HeldOn  string `json:"held_on"`
	Panel   string `json:"panel"`
	Outcome int    `json:"outcome"`
	Notes   string `json:"notes"`
}

type recordRequest struct {
	Name       string `json:"name"`
	RecordedOn string `json:"recorded_on"`
}

type changeRequest struct {
	Kind    string `json:"kind"`
	From    string `json:"from"`
	To      string `json:"to"`
	Percent int    `json:"percent"`
	Reason  string `json:"reason"`
	// A transfer's new department and team.
	DepartmentID      int64   `json:"department_id"`
	TrainingOfficerID int64   `json:"training_officer_id"`
	Supervisors       []int64 `json:"supervisors"`
}

type teamRequest struct {
	TrainingOfficerID int64   `json:"training_officer_id"`
	Supervisors       []int64 `json:"supervisors"`
}

type evidenceRequest struct {
	Kind          string   `json:"kind"`
	Module        string   `json:"module"`
	Competencies  []string `json:"competencies"`
	Title         string   `json:"title"`
	OccurredOn    string   `json:"occurred_on"`
	Body          string   `json:"body"`
	Shared        bool     `json:"shared"`
	AssessorName  string   `json:"assessor_name"`
	AssessorEmail string   `json:"assessor_email"`
}

func (e evidenceRequest) draft() train.Draft {
	return train.Draft{Kind: e.Kind, Module: e.Module, Competencies: e.Competencies, Title: e.Title, OccurredOn: e.OccurredOn, Body: e.Body,
		Shared: e.Shared, AssessorName: e.AssessorName, AssessorEmail: e.AssessorEmail}
}

func (s *Server) trainingAPI() map[string]func(w http.ResponseWriter, r *http.Request) (int, any, error) {
	return map[string]func(w http.ResponseWriter, r *http.Request) (int, any, error){
		"confirm": apiRecordAction(s, auth.ActionTrainingManage, http.StatusOK, func(r *http.Request, t *train.Trainee, _ empty) (*train.Trainee, error) {
			return s.train.Confirm(r.Context(), actor(r), t.ID)
		}),
		"team": apiRecordAction(s, auth.ActionTrainingManage, http.StatusOK, func(r *http.Request, t *train.Trainee, req teamRequest) (*train.Trainee, error) {
			return s.train.ChangeTeam(r.Context(), actor(r), t.ID, train.Team{TrainingOfficerID: req.TrainingOfficerID, Supervisors: req.Supervisors})
		}),
		"change": apiRecordAction(s, auth.ActionTrainingManage, http.StatusOK, func(r *http.Request, t *train.Trainee, req changeRequest) (*train.Trainee, error) {
			team := train.Team{DepartmentID: req.DepartmentID, TrainingOfficerID: req.TrainingOfficerID, Supervisors: req.Supervisors}
			if req.Kind == train.ChangeTransfer && !principal(r).Allowed(auth.ActionTrainingManage, auth.Target{OrganisationID: t.OrganisationID, DepartmentID: req.DepartmentID}) {
				return nil, apperr.Invalidf("department_id", "You cannot move trainees into that department")
			}
			return s.train.RecordChange(r.Context(), actor(r), t.ID, train.Change{Kind: req.Kind, From: req.From, To: req.To, Percent: req.Percent, Reason: req.Reason}, team)
		}),
		"evidence": apiRecordAction(s, auth.ActionEvidence, http.StatusCreated, func(r *http.Request, t *train.Trainee, req evidenceRequest) (*train.Evidence, error) {
			return s.train.AddEvidence(r.Context(), actor(r), t.ID, req.draft())
		}),
		"sign-off": apiRecordAction(s, auth.ActionSignOff, http.StatusOK, func(r *http.Request, t *train.Trainee, req itemRequest) (*train.SignOff, error) {
			return s.train.SignOff(r.Context(), actor(r), t.ID, req.Module, req.Competency)
		}),
		"reopen": apiRecordAction(s, auth.ActionSignOff, http.StatusOK, func(r *http.Request, t *train.Trainee, req itemRequest) (*train.SignOff, error) {
			return s.train.Reopen(r.Context(), actor(r), t.ID, req.Module, req.Competency, req.Reason)
		}),
		"review": apiRecordAction(s, auth.ActionTrainingReview, http.StatusCreated, func(r *http.Request, t *train.Trainee, req reviewRequest) (*train.ReviewRecord, error) {
			return s.train.RecordReview(r.Context(), actor(r), t.ID, train.ReviewRecord{Review: req.Review, Month: req.Month, HeldOn: req.HeldOn,
				Panel: req.Panel, Outcome: req.Outcome, Notes: req.Notes})
		}),
		"record": apiRecordAction(s, auth.ActionTrainingReview, http.StatusCreated, func(r *http.Request, t *train.Trainee, req recordRequest) (*train.Record, error) {
			return s.train.AddRecord(r.Context(), actor(r), t.ID, req.Name, req.RecordedOn)
		}),
		"complete": apiRecordAction(s, auth.ActionTrainingReview, http.StatusOK, func(r *http.Request, t *train.Trainee, _ empty) (*train.Trainee, error) {
			return s.train.Complete(r.Context(), actor(r), t.ID)
		}),
	}
}

// apiEvidence is one entry of the caller's own e-portfolio.
func (s *Server) apiEvidence(w http.ResponseWriter, r *http.Request) (int, any, error) {
	_, e, err := s.pathEvidence(r)
	return http.StatusOK, e, err
}

func (s *Server) apiEditEvidence(w http.ResponseWriter, r *http.Request) (int, any, error) {
	_, req, err := pathAndBody[evidenceRequest](r)
	if err != nil {
		return 0, nil, err
	}
	_, e, err := s.pathEvidence(r)
	if err != nil {
		return 0, nil, err
	}
	e, err = s.train.EditEvidence(r.Context(), actor(r), e.ID, req.draft())
	return http.StatusOK, e, err
}

func (s *Server) apiSubmitEvidence(w http.ResponseWriter, r *http.Request) (int, any, error) {
	_, e, err := s.pathEvidence(r)
	if err != nil {
		return 0, nil, err
	}
	e, err = s.train.SubmitEvidence(r.Context(), actor(r), e.ID)
	return http.StatusOK, e, err
}

type decisionRequest struct {
	Approve *bool `json:"approve"`
}

// apiAssessorDecision is the training officer's answer to an assessor new
// to the department.
func (s *Server) apiAssessorDecision(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, req, err := pathAndBody[decisionRequest](r)
	if err != nil {
		return 0, nil, err
	}
	inv, err := s.train.Invitation(r.Context(), id)
	if err != nil {
		return 0, nil, err
	}
	if _, err := s.traineeFor(r, inv.TraineeID, auth.ActionTrainingManage); err != nil {
		return 0, nil, apperr.Errorf(apperr.NotFound, "there is no invitation %d", id)
	}
	if req.Approve == nil {
		return 0, nil, apperr.Invalidf("approve", "Say whether the assessor is approved: true or false")
	}
	inv, err = s.train.ApproveAssessor(r.Context(), actor(r), id, *req.Approve)
	return http.StatusOK, inv, err
}

// assignmentView is what an assessor's link shows.
type assignmentView struct {
	Trainee      string         `json:"trainee"`
	Programme    string         `json:"programme"`
	Specialism   string         `json:"specialism"`
	Department   string         `json:"department"`
	Organisation string         `json:"organisation"`
	Evidence     train.Evidence `json:"evidence"`
	ExpiresAt    string         `json:"expires_at"`
}

func (s *Server) apiAssignment(w http.ResponseWriter, r *http.Request) (int, any, error) {
	a, err := s.train.Assignment(r.Context(), r.PathValue("token"))
	if err != nil {
		return 0, nil, err
	}
	e := *a.Evidence
	e.AssessorEmail = "" // the assessor knows it; nobody else reads it here
	return http.StatusOK, assignmentView{Trainee: a.Trainee.Name, Programme: s.programmeName(a.Trainee.Programme), Specialism: s.specialismNames()[a.Trainee.Specialism],
		Department: a.Trainee.Department, Organisation: a.Trainee.Organisation, Evidence: e, ExpiresAt: a.Invitation.ExpiresAt.UTC().Format("2006-01-02T15:04:05Z")}, nil
}

type assessRequest struct {
	Judgement string `json:"judgement"`
	Feedback  string `json:"feedback"`
}

func (s *Server) apiAssess(w http.ResponseWriter, r *http.Request) (int, any, error) {
	var req assessRequest
	if err := decodeJSON(r, &req); err != nil {
		return 0, nil, err
	}
	e, err := s.train.Assess(r.Context(), actor(r), r.PathValue("token"), req.Judgement, req.Feedback)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"status": e.Status, "judgement": e.Judgement}, nil
}
