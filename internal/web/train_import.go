package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/train"
)

// Importing a transferring trainee's record: the receiving training
// officer uploads the archive the trainee exported where they trained
// before, names the trainee's account here and their team.

// importBodyBytes bounds a request carrying an archive and its form.
const importBodyBytes = train.MaxArchiveBytes + 64<<10

// importPage is the import form.
type importPage struct {
	Department  *departmentView
	Officers    [][2]string
	Supervisors []train.Person
	Chosen      map[int64]bool
	Values      map[string]string
	MaxBytes    int64
	Error       error
}

// importDepartment loads the department in the path, where the person
// may start training records.
func (s *Server) importDepartment(r *http.Request) (*departmentView, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	d, err := s.departmentView(r, id)
	if apperr.Code(err) == apperr.NotFound || err == nil &&
		!principal(r).Allowed(auth.ActionTrainingManage, auth.Target{OrganisationID: d.OrganisationID, DepartmentID: d.ID}) {
		return nil, apperr.Errorf(apperr.NotFound, "there is no department %d", id)
	}
	return d, err
}

func (s *Server) importForm(r *http.Request, d *departmentView, values map[string]string, chosen []int64, err error) (*importPage, error) {
	sups, officers, serr := s.train.Staff(r.Context(), d.OrganisationID)
	if serr != nil {
		return nil, serr
	}
	ip := &importPage{Department: d, Supervisors: sups, Values: values, Error: err, Chosen: map[int64]bool{}, MaxBytes: train.MaxArchiveBytes,
		Officers: [][2]string{{"", "Choose the training officer"}}}
	for _, o := range officers {
		ip.Officers = append(ip.Officers, [2]string{strconv.FormatInt(o.ID, 10), o.Name})
	}
	for _, id := range chosen {
		ip.Chosen[id] = true
	}
	return ip, nil
}

func (s *Server) importPageTitle(d *departmentView) string {
	return "Import a trainee's record into " + d.Name
}

func (s *Server) importRecordPage(w http.ResponseWriter, r *http.Request) error {
	d, err := s.importDepartment(r)
	if err != nil {
		return err
	}
	values := map[string]string{}
	if principal(r).Has(auth.RoleTrainingOfficer) {
		values["training_officer_id"] = strconv.FormatInt(principal(r).User.ID, 10)
	}
	ip, err := s.importForm(r, d, values, nil, nil)
	if err != nil {
		return err
	}
	return s.show(w, r, http.StatusOK, "import", s.importPageTitle(d), []crumb{{"Your training departments", "/training"}}, ip)
}

func (s *Server) importRecord(w http.ResponseWriter, r *http.Request) error {
	d, err := s.importDepartment(r)
	if err != nil {
		return err
	}
	form, err := readMultipart(r, "archive", train.MaxArchiveBytes)
	values := map[string]string{}
	var sups []int64
	var got *train.Imported
	if err == nil {
		values["email"], values["training_officer_id"] = form.fields.Get("email"), form.fields.Get("training_officer_id")
		sups, err = formIDs(form.fields["supervisors"], "supervisors")
	}
	if err == nil {
		got, err = s.importArchive(r, d, form.content, values["email"], values["training_officer_id"], sups)
	}
	if err != nil {
		return formFailure(err, func(status int) error {
			ip, ferr := s.importForm(r, d, values, sups, err)
			if ferr != nil {
				return ferr
			}
			return s.show(w, r, status, "import", s.importPageTitle(d), []crumb{{"Your training departments", "/training"}}, ip)
		})
	}
	redirectBack(w, r, "/training/trainees/"+strconv.FormatInt(got.Trainee.ID, 10), importedNotice(got))
	return nil
}

// importArchive reads an archive and imports it into a department.
func (s *Server) importArchive(r *http.Request, d *departmentView, archive []byte, email, officer string, sups []int64) (*train.Imported, error) {
	if archive == nil {
		return nil, apperr.Invalidf("archive", "Choose the archive to import: the JSON file exported from the trainee's record")
	}
	a, err := train.ReadArchive(archive)
	if err != nil {
		return nil, err
	}
	in := train.Transfer{Email: email, Team: train.Team{DepartmentID: d.ID, Supervisors: sups}}
	if in.Team.TrainingOfficerID, err = formID(officer, "training_officer_id"); err != nil {
		return nil, apperr.Invalidf("training_officer_id", "Choose the trainee's training officer")
	}
	return s.train.Import(r.Context(), actor(r), a, in)
}

// importedNotice says what an import made, and what the trainee must do
// again here.
func importedNotice(got *train.Imported) string {
	n := fmt.Sprintf("The record is imported: %s with %s, %s, %s and %s. Its training officer confirms it.", countOf(got.Entries, "entry", "entries"),
		countOf(got.Files, "file", "files"), countOf(got.SignOffs, "sign-off", "sign-offs"), countOf(got.Reviews, "review", "reviews"),
		countOf(got.Records, "record", "records"))
	if len(got.Redrafted) > 0 {
		n += fmt.Sprintf(" Waiting for an assessor there, and drafts again here for the trainee to send to an assessor: %s.", strings.Join(got.Redrafted, "; "))
	}
	if len(n) > 290 {
		n = n[:strings.LastIndex(n[:280], " ")] + " …"
	}
	return n
}

// importRequest is the API's import: the trainee's account, their team
// in the department of the path, and the archive as exported.
type importRequest struct {
	Email             string          `json:"email"`
	TrainingOfficerID int64           `json:"training_officer_id"`
	Supervisors       []int64         `json:"supervisors"`
	Archive           json.RawMessage `json:"archive"`
}

func (s *Server) apiImport(w http.ResponseWriter, r *http.Request) (int, any, error) {
	d, err := s.importDepartment(r) // before reading what may be a large body
	if err != nil {
		return 0, nil, err
	}
	var req importRequest
	if err := decodeJSON(r, &req); err != nil {
		return 0, nil, err
	}
	got, err := s.importArchive(r, d, req.Archive, req.Email, strconv.FormatInt(req.TrainingOfficerID, 10), req.Supervisors)
	return http.StatusCreated, got, err
}

// countOf writes a number of things.
func countOf(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
