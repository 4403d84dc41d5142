package web

import (
	"net/http"
	"strconv"
	"strings"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/text"
	"hcs/internal/train"
)

// Training's pages: a trainee's record as each of its people sees it, the
// trainee's e-portfolio, sign-off, reviews and completion. Who may act is
// checked against the record's Target (its trainee, organisation,
// department and team) in the permission table; someone without the right
// is told the record is not found.

// pathTrainee loads the trainee's record named in the path and checks the
// action against it.
func (s *Server) pathTrainee(r *http.Request, action auth.Action) (*train.Trainee, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return s.traineeFor(r, id, action)
}

func (s *Server) traineeFor(r *http.Request, id int64, action auth.Action) (*train.Trainee, error) {
	t, err := s.train.Trainee(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if !principal(r).Allowed(action, t.Target()) {
		return nil, apperr.Errorf(apperr.NotFound, "there is no trainee %d", id)
	}
	return t, nil
}

// recordPage is everything a trainee's record page shows.
type recordPage struct {
	Status     train.Status
	Curriculum *train.Curriculum
	Evidence   []train.Evidence
	History    []train.HistoryEntry
	Changes    []train.Change
	Records    []train.Record
	// Invitations waiting for the training officer's approval.
	Waiting []train.Invitation
	Names   map[int64]string
	// What the viewer may do.
	IsTrainee, CanManage, CanSignOff, CanReview bool
	Me                                          int64
	// RecordsToAdd are the records the rules read that are not on the
	// record yet; ReviewChoices the reviews (and months) not held.
	RecordsToAdd  []string
	ReviewChoices [][2]string
	Outcomes      [][2]string
	ChangeKinds   [][2]string
	Specialism    string
	Programme     string
	Kinds         map[string]string
	StatusNames   map[string]string
	Judgements    map[string]string
	ChangeNames   map[string]string
	Exceptions    map[string]string
	// Certificates are the trainee's, the live one first; Registration
	// what completing leads to.
	Certificates []certificateView
	HasLive      bool
	// Files are the attachments of the entries shown, by entry.
	Files        map[int64][]train.Attachment
	Registration string
	Done         string
	Error        error
	Form         map[string]string
}

func (s *Server) recordPage(r *http.Request, t *train.Trainee) (*recordPage, error) {
	ctx := r.Context()
	p, err := s.train.Portfolio(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	st, err := s.train.Status(ctx, p)
	if err != nil {
		return nil, err
	}
	pr := principal(r)
	target := t.Target()
	rp := &recordPage{Status: st, Curriculum: s.train.Curricula().Curriculum(t.Curriculum), Changes: p.Changes, Records: p.Records,
		IsTrainee: t.UserID == pr.User.ID, CanManage: pr.Allowed(auth.ActionTrainingManage, target),
		CanSignOff: pr.Allowed(auth.ActionSignOff, target), CanReview: pr.Allowed(auth.ActionTrainingReview, target), Me: pr.User.ID,
		Evidence: train.VisibleEvidence(t, pr.User.ID, p.Evidence), Specialism: s.specialismNames()[t.Specialism], Programme: s.programmeName(t.Programme),
		Kinds: train.EvidenceNames, StatusNames: evidenceStatusNames, Judgements: train.JudgementNames, ChangeNames: train.ChangeNames, Exceptions: train.ExceptionNames}
	if rp.History, err = s.train.History(ctx, t.ID); err != nil {
		return nil, err
	}
	files, err := s.train.Attachments(ctx, t.ID, 0)
	if err != nil {
		return nil, err
	}
	rp.Files = map[int64][]train.Attachment{}
	for _, f := range train.VisibleFiles(t, pr.User.ID, rp.Evidence, files) {
		rp.Files[f.EvidenceID] = append(rp.Files[f.EvidenceID], f)
	}
	ids := append([]int64{t.TrainingOfficerID}, t.Supervisors...)
	for _, so := range p.SignOffs {
		ids = append(ids, so.SignedBy, so.ReopenedBy)
	}
	if rp.Names, err = s.train.Names(ctx, ids); err != nil {
		return nil, err
	}
	if rp.CanManage && t.TrainingOfficerID == pr.User.ID {
		invs, err := s.train.Invitations(ctx, t.ID)
		if err != nil {
			return nil, err
		}
		for _, inv := range invs {
			if inv.Status == train.InvitationAwaitingApproval {
				rp.Waiting = append(rp.Waiting, inv)
			}
		}
	}
	have := map[string]bool{}
	for _, rec := range p.Records {
		have[rec.Name] = true
	}
	for _, name := range rp.Curriculum.Records() {
		if !have[name] {
			rp.RecordsToAdd = append(rp.RecordsToAdd, name)
		}
	}
	for _, rs := range st.Reviews {
		if rs.Record == nil {
			label := rs.Review.Title
			if len(rs.Review.Months()) > 1 {
				label += ", month " + strconv.Itoa(rs.Month)
			}
			rp.ReviewChoices = append(rp.ReviewChoices, [2]string{rs.Review.ID + ":" + strconv.Itoa(rs.Month), label + " (due " + rs.Due + ")"})
		}
		if len(rs.Review.Outcomes) > 0 && rp.Outcomes == nil {
			rp.Outcomes = [][2]string{{"", "Choose the outcome, for reviews with outcomes"}}
			for _, o := range rs.Review.Outcomes {
				rp.Outcomes = append(rp.Outcomes, [2]string{strconv.Itoa(o.Code), strconv.Itoa(o.Code) + ": " + o.Title})
			}
		}
	}
	for _, k := range []string{train.ChangeTimeOut, train.ChangePartTime} {
		rp.ChangeKinds = append(rp.ChangeKinds, [2]string{k, train.ChangeNames[k]})
	}
	if t.Status == train.TraineeCompleted {
		if rp.Certificates, err = s.certificateViews(r, t); err != nil {
			return nil, err
		}
		rp.HasLive = len(rp.Certificates) > 0 && rp.Certificates[0].Live()
		rp.Registration = s.train.Registration(t.Programme, t.Specialism)
	}
	return rp, nil
}

func (s *Server) programmeName(id string) string {
	if p := s.f.Programme(id); p != nil {
		return p.Name
	}
	return id
}

func (s *Server) traineeRecordPage(w http.ResponseWriter, r *http.Request) error {
	t, err := s.pathTrainee(r, auth.ActionTrainingView)
	if err != nil {
		return err
	}
	rp, err := s.recordPage(r, t)
	if err != nil {
		return err
	}
	rp.Done = takeNotice(w, r)
	return s.show(w, r, http.StatusOK, "trainee-record", t.Name+": training record", s.trainingCrumbs(r), rp)
}

// trainingCrumbs lead back to the viewer's own training home page.
func (s *Server) trainingCrumbs(r *http.Request) []crumb {
	p := principal(r)
	switch {
	case p.Has(auth.RoleSchoolAdmin):
		return []crumb{{"Trainees", "/school/training"}}
	case p.Has(auth.RoleTrainingOfficer):
		return []crumb{{"Your training departments", "/training"}}
	case p.Has(auth.RoleSupervisor):
		return []crumb{{"Your trainees", "/supervisor"}}
	}
	return []crumb{{"Your training", "/trainee"}}
}

// recordFailure shows the record page again with the error of a form on
// it, or returns the error when it is not the person's to fix.
func (s *Server) recordFailure(w http.ResponseWriter, r *http.Request, t *train.Trainee, err error) error {
	return formFailure(err, func(status int) error {
		rp, rerr := s.recordPage(r, t)
		if rerr != nil {
			return rerr
		}
		rp.Error = err
		rp.Form = map[string]string{}
		for k, v := range r.PostForm {
			rp.Form[k] = strings.Join(v, "\n")
		}
		return s.show(w, r, status, "trainee-record", t.Name+": training record", s.trainingCrumbs(r), rp)
	})
}

// recordAction runs one form of the record page: it loads the record with
// the action checked, parses the form, acts, and returns to the record
// with a notice, or shows the record with the error.
func (s *Server) recordAction(action auth.Action, act func(r *http.Request, t *train.Trainee) (string, error)) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		t, err := s.pathTrainee(r, action)
		if err != nil {
			return err
		}
		if err := parseForm(r); err != nil {
			return err
		}
		notice, err := act(r, t)
		if err != nil {
			return s.recordFailure(w, r, t, err)
		}
		redirectBack(w, r, "/training/trainees/"+strconv.FormatInt(t.ID, 10), notice)
		return nil
	}
}

func (s *Server) confirmTrainee(r *http.Request, t *train.Trainee) (string, error) {
	_, err := s.train.Confirm(r.Context(), actor(r), t.ID)
	return "The training record is confirmed.", err
}

func (s *Server) signOffItem(r *http.Request, t *train.Trainee) (string, error) {
	module, comp := r.PostForm.Get("module"), r.PostForm.Get("competency")
	so, err := s.train.SignOff(r.Context(), actor(r), t.ID, module, comp)
	if err != nil {
		return "", err
	}
	return text.Capitalise(so.Item()) + " is signed off.", nil
}

func (s *Server) reopenItem(r *http.Request, t *train.Trainee) (string, error) {
	module, comp := r.PostForm.Get("module"), r.PostForm.Get("competency")
	so, err := s.train.Reopen(r.Context(), actor(r), t.ID, module, comp, r.PostForm.Get("reason-"+module))
	if apperr.Field(err) == "reason" {
		// Each module has its own reopening form and reason.
		return "", apperr.Invalidf("reason-"+module, "%s", apperr.Message(err))
	}
	if err != nil {
		return "", err
	}
	return text.Capitalise(so.Item()) + " is reopened.", nil
}

func (s *Server) recordReview(r *http.Request, t *train.Trainee) (string, error) {
	id, month, _ := strings.Cut(r.PostForm.Get("review"), ":")
	rec := train.ReviewRecord{Review: id, HeldOn: r.PostForm.Get("held_on"), Panel: r.PostForm.Get("panel"), Notes: r.PostForm.Get("notes")}
	if id == "" {
		return "", apperr.Invalidf("review", "Choose the review the panel held")
	}
	var err error
	if rec.Month, err = strconv.Atoi(month); err != nil {
		return "", apperr.Invalidf("review", "Choose the review the panel held")
	}
	if o := r.PostForm.Get("outcome"); o != "" {
		if rec.Outcome, err = strconv.Atoi(o); err != nil {
			return "", apperr.Invalidf("outcome", "Choose the outcome the panel recorded")
		}
	}
	saved, err := s.train.RecordReview(r.Context(), actor(r), t.ID, rec)
	if err != nil {
		return "", err
	}
	if saved.Outcome == 0 && !saved.Met {
		return "The review is recorded: its rule was not met.", nil
	}
	return "The review is recorded.", nil
}

func (s *Server) addRecord(r *http.Request, t *train.Trainee) (string, error) {
	rec, err := s.train.AddRecord(r.Context(), actor(r), t.ID, r.PostForm.Get("name"), r.PostForm.Get("recorded_on"))
	if err != nil {
		return "", err
	}
	return rec.Name + " is on the record.", nil
}

func (s *Server) completeTrainee(r *http.Request, t *train.Trainee) (string, error) {
	_, err := s.train.Complete(r.Context(), actor(r), t.ID)
	return "The trainee has completed the programme.", err
}

func (s *Server) recordChange(r *http.Request, t *train.Trainee) (string, error) {
	c := train.Change{Kind: r.PostForm.Get("kind"), From: r.PostForm.Get("from"), To: r.PostForm.Get("to"), Reason: r.PostForm.Get("reason")}
	if c.Kind == train.ChangeTransfer {
		return "", apperr.Invalidf("kind", "Record a transfer on the team page, where the new department and its people are chosen")
	}
	if p := r.PostForm.Get("percent"); p != "" {
		var err error
		if c.Percent, err = strconv.Atoi(p); err != nil {
			return "", apperr.Invalidf("percent", "Part-time working is a whole percentage of full time, from 20 to 99")
		}
	}
	tr, err := s.train.RecordChange(r.Context(), actor(r), t.ID, c, train.Team{})
	if err != nil {
		return "", err
	}
	return "Recorded. The expected end is now " + tr.ExpectedEnd + ".", nil
}

func (s *Server) approveAssessor(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	inv, err := s.train.Invitation(r.Context(), id)
	if err != nil {
		return err
	}
	t, err := s.traineeFor(r, inv.TraineeID, auth.ActionTrainingManage)
	if err != nil {
		return apperr.Errorf(apperr.NotFound, "there is no invitation %d", id)
	}
	if err := parseForm(r); err != nil {
		return err
	}
	decision := r.PostForm.Get("decision")
	if decision != "approve" && decision != "refuse" {
		return s.recordFailure(w, r, t, apperr.Invalidf("decision", "Choose whether to approve the assessor"))
	}
	approve := decision == "approve"
	if inv, err = s.train.ApproveAssessor(r.Context(), actor(r), id, approve); err != nil {
		return s.recordFailure(w, r, t, err)
	}
	notice := inv.Name + " is approved and has been sent the link."
	if !approve {
		notice = inv.Name + " was not approved; the trainee has been asked to choose another assessor."
	}
	redirectBack(w, r, "/training/trainees/"+strconv.FormatInt(t.ID, 10), notice)
	return nil
}

// teamPage names a trainee's training officer and supervisors again, or
// records a transfer to another department of the employer.
type teamPage struct {
	Trainee     *train.Trainee
	Departments [][2]string
	Officers    [][2]string
	Supervisors []train.Person
	Chosen      map[int64]bool
	Values      map[string]string
	Error       error
}

func (s *Server) teamForm(r *http.Request, t *train.Trainee, values map[string]string, chosen []int64, err error) (*teamPage, error) {
	sups, officers, serr := s.train.Staff(r.Context(), t.OrganisationID)
	if serr != nil {
		return nil, serr
	}
	depts, derr := s.store.Departments(r.Context())
	if derr != nil {
		return nil, derr
	}
	tp := &teamPage{Trainee: t, Supervisors: sups, Values: values, Error: err, Chosen: map[int64]bool{}}
	for _, d := range depts {
		if d.OrganisationID == t.OrganisationID {
			tp.Departments = append(tp.Departments, [2]string{strconv.FormatInt(d.ID, 10), d.Name})
		}
	}
	for _, o := range officers {
		tp.Officers = append(tp.Officers, [2]string{strconv.FormatInt(o.ID, 10), o.Name})
	}
	for _, id := range chosen {
		tp.Chosen[id] = true
	}
	return tp, nil
}

func (s *Server) traineeTeamPage(w http.ResponseWriter, r *http.Request) error {
	t, err := s.pathTrainee(r, auth.ActionTrainingManage)
	if err != nil {
		return err
	}
	tp, err := s.teamForm(r, t, map[string]string{"department_id": strconv.FormatInt(t.DepartmentID, 10),
		"training_officer_id": strconv.FormatInt(t.TrainingOfficerID, 10)}, t.Supervisors, nil)
	if err != nil {
		return err
	}
	return s.show(w, r, http.StatusOK, "trainee-team", "Change "+t.Name+"'s team", s.recordCrumbs(r, t), tp)
}

func (s *Server) recordCrumbs(r *http.Request, t *train.Trainee) []crumb {
	return append(s.trainingCrumbs(r), crumb{t.Name, "/training/trainees/" + strconv.FormatInt(t.ID, 10)})
}

// formIDs reads a list of ids a form sent under one name.
func formIDs(values []string, name string) ([]int64, error) {
	out := make([]int64, 0, len(values))
	for _, v := range values {
		id, err := formID(v, name)
		if err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, nil
}

func (s *Server) changeTeam(w http.ResponseWriter, r *http.Request) error {
	t, err := s.pathTrainee(r, auth.ActionTrainingManage)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	values := map[string]string{}
	for _, k := range []string{"department_id", "training_officer_id", "from", "to", "reason"} {
		values[k] = r.PostForm.Get(k)
	}
	sups, err := formIDs(r.PostForm["supervisors"], "supervisors")
	err = func() error {
		if err != nil {
			return err
		}
		team := train.Team{Supervisors: sups}
		if team.DepartmentID, err = formID(values["department_id"], "department_id"); err != nil {
			return apperr.Invalidf("department_id", "Choose the department the trainee trains in")
		}
		if team.TrainingOfficerID, err = formID(values["training_officer_id"], "training_officer_id"); err != nil {
			return apperr.Invalidf("training_officer_id", "Choose the trainee's training officer")
		}
		if team.DepartmentID == t.DepartmentID {
			_, err = s.train.ChangeTeam(r.Context(), actor(r), t.ID, team)
			return err
		}
		// A move to another department is a transfer: the new department
		// must be one the person manages too.
		if err := authorize(r, auth.ActionTrainingManage, auth.Target{OrganisationID: t.OrganisationID, DepartmentID: team.DepartmentID}); err != nil {
			return apperr.Invalidf("department_id", "You cannot move trainees into that department")
		}
		_, err = s.train.RecordChange(r.Context(), actor(r), t.ID, train.Change{Kind: train.ChangeTransfer, From: values["from"], To: values["to"], Reason: values["reason"]}, team)
		return err
	}()
	if err != nil {
		return formFailure(err, func(status int) error {
			tp, ferr := s.teamForm(r, t, values, sups, err)
			if ferr != nil {
				return ferr
			}
			return s.show(w, r, status, "trainee-team", "Change "+t.Name+"'s team", s.recordCrumbs(r, t), tp)
		})
	}
	redirectBack(w, r, "/training/trainees/"+strconv.FormatInt(t.ID, 10), "The team is changed.")
	return nil
}

// evidenceStatusNames are an entry's statuses as people read them.
var evidenceStatusNames = map[string]string{
	train.EvidenceDraft:     "draft",
	train.EvidenceSubmitted: "submitted",
	train.EvidenceAwaiting:  "waiting for the assessor",
	train.EvidenceAssessed:  "assessed",
}

// The trainee's own pages.

func (s *Server) traineeHome(w http.ResponseWriter, r *http.Request) error {
	me := principal(r).User.ID
	records, err := s.train.Cohort(r.Context(), train.Filter{UserIDs: []int64{me}})
	if err != nil {
		return err
	}
	// Each completed record's certificate in force.
	certs := map[int64]train.Certificate{}
	for _, st := range records {
		if st.Trainee.Status != train.TraineeCompleted {
			continue
		}
		cs, err := s.train.CertificatesOf(r.Context(), st.Trainee.ID)
		if err != nil {
			return err
		}
		if len(cs) > 0 && cs[0].Live() {
			certs[st.Trainee.ID] = cs[0]
		}
	}
	return s.show(w, r, http.StatusOK, "home-trainee", "Your training", nil, map[string]any{
		"Records": records, "Names": s.specialismNames(), "Exceptions": train.ExceptionNames, "Certificates": certs, "Done": takeNotice(w, r)})
}

// evidenceForm is the page to write or change an entry.
type evidenceForm struct {
	Trainee   *train.Trainee
	Evidence  *train.Evidence
	Kinds     [][2]string
	Modules   [][2]string
	Comps     []competencyChoice
	Values    map[string]string
	Chosen    map[string]bool
	Error     error
	Judgement map[string]string
	KindNames map[string]string
	// StatusNames name an entry's statuses.
	StatusNames map[string]string
	Done        string
	// Files are the entry's attachments; a draft takes up to MaxFiles,
	// each up to MaxFileBytes.
	Files        []train.Attachment
	MaxFiles     int
	MaxFileBytes int64
}

type competencyChoice struct{ Module, Code, Title string }

func (s *Server) evidenceForm(t *train.Trainee, e *train.Evidence, values map[string]string, chosen []string, err error) *evidenceForm {
	cu := s.train.Curricula().Curriculum(t.Curriculum)
	f := &evidenceForm{Trainee: t, Evidence: e, Values: values, Error: err, Chosen: map[string]bool{}, Judgement: train.JudgementNames,
		KindNames: train.EvidenceNames, StatusNames: evidenceStatusNames, MaxFiles: train.MaxFilesPerEntry, MaxFileBytes: train.MaxFileBytes,
		Kinds: [][2]string{{"", "Choose the kind of evidence"}}, Modules: [][2]string{{"", "Choose the module"}}}
	for _, k := range train.EvidenceKinds {
		f.Kinds = append(f.Kinds, [2]string{k, train.EvidenceNames[k]})
	}
	for _, m := range cu.Modules {
		label := m.Code
		if m.Title != "" {
			label += ": " + m.Title
		}
		f.Modules = append(f.Modules, [2]string{m.Code, label})
		for _, c := range m.Competencies {
			f.Comps = append(f.Comps, competencyChoice{m.Code, c.Code, c.Title})
		}
	}
	for _, c := range chosen {
		f.Chosen[c] = true
	}
	return f
}

func draftValues(d train.Draft) map[string]string {
	shared := ""
	if d.Shared {
		shared = "yes"
	}
	return map[string]string{"kind": d.Kind, "module": d.Module, "title": d.Title, "occurred_on": d.OccurredOn, "body": d.Body,
		"shared": shared, "assessor_name": d.AssessorName, "assessor_email": d.AssessorEmail}
}

// readDraft reads an entry from its form. Competencies are sent as
// "MODULE COMPETENCY"; only the chosen module's count.
func readDraft(r *http.Request) train.Draft {
	d := train.Draft{Kind: r.PostForm.Get("kind"), Module: r.PostForm.Get("module"), Title: r.PostForm.Get("title"),
		OccurredOn: r.PostForm.Get("occurred_on"), Body: r.PostForm.Get("body"), Shared: r.PostForm.Get("shared") == "yes",
		AssessorName: r.PostForm.Get("assessor_name"), AssessorEmail: r.PostForm.Get("assessor_email")}
	for _, c := range r.PostForm["competencies"] {
		if m, code, ok := strings.Cut(c, " "); ok && m == d.Module {
			d.Competencies = append(d.Competencies, code)
		}
	}
	return d
}

func (s *Server) newEvidencePage(w http.ResponseWriter, r *http.Request) error {
	id, err := formID(r.URL.Query().Get("trainee"), "trainee")
	if err != nil {
		return err
	}
	t, err := s.traineeFor(r, id, auth.ActionEvidence)
	if err != nil {
		return err
	}
	return s.show(w, r, http.StatusOK, "evidence", "Add evidence", s.recordCrumbs(r, t),
		s.evidenceForm(t, nil, map[string]string{"occurred_on": s.now().UTC().Format(train.DateFormat)}, nil, nil))
}

func (s *Server) createEvidence(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	id, err := formID(r.PostForm.Get("trainee"), "trainee")
	if err != nil {
		return err
	}
	t, err := s.traineeFor(r, id, auth.ActionEvidence)
	if err != nil {
		return err
	}
	d := readDraft(r)
	submit := r.PostForm.Get("do") == "submit"
	var e *train.Evidence
	if submit {
		e, err = s.train.SaveAndSubmit(r.Context(), actor(r), t.ID, 0, d)
	} else {
		e, err = s.train.AddEvidence(r.Context(), actor(r), t.ID, d)
	}
	if err != nil {
		return formFailure(err, func(status int) error {
			return s.show(w, r, status, "evidence", "Add evidence", s.recordCrumbs(r, t), s.evidenceForm(t, nil, draftValues(d), r.PostForm["competencies"], err))
		})
	}
	notice := "Your draft is saved."
	if submit {
		notice = submittedNotice(e)
	}
	redirectBack(w, r, "/trainee/evidence/"+strconv.FormatInt(e.ID, 10), notice)
	return nil
}

func submittedNotice(e *train.Evidence) string {
	if train.Assessed(e.Kind) {
		return "Submitted. Your assessor gets a link by email; an assessor new to your department waits for your training officer's approval first."
	}
	return "Submitted: your supervisors can see it."
}

// pathEvidence loads the entry in the path with its record, for the
// trainee's own pages.
func (s *Server) pathEvidence(r *http.Request) (*train.Trainee, *train.Evidence, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, nil, err
	}
	p, err := s.train.EvidenceWithTrainee(r.Context(), id)
	if err != nil {
		return nil, nil, err
	}
	if !principal(r).Allowed(auth.ActionEvidence, p.Trainee.Target()) {
		return nil, nil, apperr.Errorf(apperr.NotFound, "there is no evidence %d", id)
	}
	return p.Trainee, &p.Evidence[0], nil
}

func (s *Server) evidencePage(w http.ResponseWriter, r *http.Request) error {
	t, e, err := s.pathEvidence(r)
	if err != nil {
		return err
	}
	return s.showEvidence(w, r, http.StatusOK, t, e, nil)
}

// showEvidence shows an entry as saved, with its files, and an error from
// something done to it.
func (s *Server) showEvidence(w http.ResponseWriter, r *http.Request, status int, t *train.Trainee, e *train.Evidence, err error) error {
	f := s.evidenceForm(t, e, draftValues(train.Draft{Kind: e.Kind, Module: e.Module, Title: e.Title, OccurredOn: e.OccurredOn, Body: e.Body,
		Shared: e.Shared, AssessorName: e.AssessorName, AssessorEmail: e.AssessorEmail}), moduleCompetencies(e), err)
	if err == nil {
		f.Done = takeNotice(w, r)
	}
	var ferr error
	if f.Files, ferr = s.train.Attachments(r.Context(), t.ID, e.ID); ferr != nil {
		return ferr
	}
	return s.show(w, r, status, "evidence", e.Title, s.recordCrumbs(r, t), f)
}

func moduleCompetencies(e *train.Evidence) []string {
	out := make([]string, len(e.Competencies))
	for i, c := range e.Competencies {
		out[i] = e.Module + " " + c
	}
	return out
}

func (s *Server) evidenceFailure(w http.ResponseWriter, r *http.Request, t *train.Trainee, e *train.Evidence, d train.Draft, err error) error {
	return formFailure(err, func(status int) error {
		f := s.evidenceForm(t, e, draftValues(d), r.PostForm["competencies"], err)
		var ferr error
		if f.Files, ferr = s.train.Attachments(r.Context(), t.ID, e.ID); ferr != nil {
			return ferr
		}
		return s.show(w, r, status, "evidence", e.Title, s.recordCrumbs(r, t), f)
	})
}

func (s *Server) saveEvidence(w http.ResponseWriter, r *http.Request) error {
	t, e, err := s.pathEvidence(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	d := readDraft(r)
	submit := r.PostForm.Get("do") == "submit"
	var saved *train.Evidence
	if submit {
		saved, err = s.train.SaveAndSubmit(r.Context(), actor(r), t.ID, e.ID, d)
	} else {
		saved, err = s.train.EditEvidence(r.Context(), actor(r), e.ID, d)
	}
	if err != nil {
		return s.evidenceFailure(w, r, t, e, d, err)
	}
	notice := "Your draft is saved."
	if submit {
		notice = submittedNotice(saved)
	}
	redirectBack(w, r, "/trainee/evidence/"+strconv.FormatInt(saved.ID, 10), notice)
	return nil
}

func (s *Server) resendInvitation(w http.ResponseWriter, r *http.Request) error {
	t, e, err := s.pathEvidence(r)
	if err != nil {
		return err
	}
	if _, err := s.train.ResendInvitation(r.Context(), actor(r), e.ID); err != nil {
		return formFailure(err, func(status int) error { return s.showEvidence(w, r, status, t, e, err) })
	}
	redirectBack(w, r, "/trainee/evidence/"+strconv.FormatInt(e.ID, 10), "A new link has been sent to "+e.AssessorName+"; the old one no longer works.")
	return nil
}

// The assessor's pages: no account, only the link.

func (s *Server) assessPage(w http.ResponseWriter, r *http.Request) error {
	a, err := s.train.Assignment(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	return s.show(w, r, http.StatusOK, "assess", "Assess "+a.Trainee.Name, nil, s.assessData(a, r.PathValue("token"), nil, nil))
}

func (s *Server) assessData(a *train.Assignment, token string, values map[string]string, err error) map[string]any {
	return map[string]any{"A": a, "Token": token, "Kind": train.EvidenceNames[a.Evidence.Kind], "Programme": s.programmeName(a.Trainee.Programme),
		"Specialism": s.specialismNames()[a.Trainee.Specialism], "Judgements": [][2]string{
			{train.JudgementSatisfactory, train.JudgementNames[train.JudgementSatisfactory]}, {train.JudgementNotYet, train.JudgementNames[train.JudgementNotYet]}},
		"Values": values, "Error": err}
}

func (s *Server) assess(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	if err := parseForm(r); err != nil {
		return err
	}
	values := map[string]string{"judgement": r.PostForm.Get("judgement"), "feedback": r.PostForm.Get("feedback")}
	e, err := s.train.Assess(r.Context(), actor(r), token, values["judgement"], values["feedback"])
	if err != nil {
		if apperr.Code(err) == apperr.Invalid {
			a, aerr := s.train.Assignment(r.Context(), token)
			if aerr != nil {
				return aerr
			}
			return s.show(w, r, errorStatus(err), "assess", "Assess "+a.Trainee.Name, nil, s.assessData(a, token, values, err))
		}
		return err
	}
	return s.show(w, r, http.StatusOK, "assess-done", "Thank you", nil, map[string]any{"Evidence": e})
}
