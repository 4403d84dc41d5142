package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"

	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/testkit"
	"hcs/internal/train"
)

// api sends a JSON request as a person (nil: signed out), checks the
// status, validates the answer against openapi.json, and decodes it.
func (w *trainingWorld) api(spec *apiSpec, u *auth.User, method, path string, body any, want int) map[string]any {
	w.t.Helper()
	var b []byte
	contentType := ""
	if body != nil {
		var err error
		if b, err = json.Marshal(body); err != nil {
			w.t.Fatal(err)
		}
		contentType = "application/json"
	}
	rec := w.raw(spec, u, method, path, contentType, b, want)
	out := map[string]any{}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		w.t.Fatalf("%s %s: not JSON: %s", method, path, rec.Body)
	}
	return out
}

// raw sends a body of any type, checks the answer's status and that
// openapi.json describes it, and returns it.
func (w *trainingWorld) raw(spec *apiSpec, u *auth.User, method, path, contentType string, body []byte, want int) *httptest.ResponseRecorder {
	w.t.Helper()
	req := w.request(u, method, path, contentType, body)
	rec := w.serve(req)
	if rec.Code != want {
		w.t.Fatalf("%s %s: %d, want %d: %s", method, path, rec.Code, want, rec.Body)
	}
	spec.validate(w.t, req, rec)
	return rec
}

// multipartFile is a form holding one file in a part called file.
func multipartFile(t *testing.T, name string, content []byte) (string, []byte) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(content)
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return mw.FormDataContentType(), b.Bytes()
}

func init() {
	// The file downloads' bodies are bytes, which the validator reads as
	// they are; so is NDJSON, whose lines the FHIR tests check.
	for _, ct := range []string{"application/fhir+ndjson", "application/pdf", "image/png", "image/jpeg", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.FileBodyDecoder)
	}
}

// get fetches a public address and returns its body, failing on any
// answer but 200.
func (w *trainingWorld) get(t *testing.T, path string) []byte {
	t.Helper()
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d: %s", path, rec.Code, rec.Body)
	}
	return rec.Body.Bytes()
}

// TestTrainingAPI runs the training pages' journey through the JSON API,
// every answer checked against openapi.json, on both databases.
func TestTrainingAPI(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		w := newTrainingWorld(t, db, 2)
		spec := loadSpec(t)
		me, officer, sup, school := w.Applicants[0], w.Officer, w.Supervisors[0], w.School

		places := w.api(spec, officer, "GET", "/api/v1/placements", nil, 200)["placements"].([]any)
		if len(places) != 2 {
			t.Fatalf("placements %v", places)
		}
		w.api(spec, w.OtherOfficer, "GET", "/api/v1/placements", nil, 200) // a cardiac department: none of these
		offer := fmt.Sprint(w.Offers[0].ID)
		w.api(spec, officer, "POST", "/api/v1/placements/"+offer+"/trainee", map[string]any{"department_id": w.Dept.ID, "training_officer_id": officer.ID, "supervisors": []int64{}}, 400)
		w.api(spec, w.OtherOfficer, "POST", "/api/v1/placements/"+offer+"/trainee", map[string]any{"department_id": w.Dept.ID, "training_officer_id": officer.ID, "supervisors": []int64{sup.ID}}, 400) // not their department
		tr := w.api(spec, officer, "POST", "/api/v1/placements/"+offer+"/trainee", map[string]any{"department_id": w.Dept.ID, "training_officer_id": officer.ID, "supervisors": []int64{sup.ID}}, 201)
		id := fmt.Sprint(num(tr["id"]))
		w.api(spec, sup, "POST", "/api/v1/trainees/"+id+"/confirm", nil, 403)
		w.api(spec, officer, "POST", "/api/v1/trainees/"+id+"/confirm", nil, 200)
		other := w.Enrol(t, 1) // another trainee, who must see nothing of this one
		w.api(spec, officer, "PUT", "/api/v1/trainees/"+id+"/team", map[string]any{"training_officer_id": officer.ID, "supervisors": []int64{sup.ID, w.Supervisors[1].ID}}, 200)
		w.api(spec, officer, "POST", "/api/v1/trainees/"+id+"/changes", map[string]any{"kind": "time-out", "from": "2027-09-01", "to": "2027-09-10", "reason": "Illness"}, 200)

		w.Clock.Set(testkit.Day(215))
		e := w.api(spec, me, "POST", "/api/v1/trainees/"+id+"/evidence", map[string]any{"kind": "dops", "module": "ROTATIONS", "title": "Audiometry",
			"occurred_on": "2027-08-02", "body": "b", "assessor_name": "Ann", "assessor_email": "ann@example.org"}, 201)
		eid := fmt.Sprint(num(e["id"]))
		w.api(spec, me, "GET", "/api/v1/evidence/"+eid, nil, 200)
		w.api(spec, me, "PATCH", "/api/v1/evidence/"+eid, map[string]any{"kind": "dops", "module": "ROTATIONS", "title": "Pure-tone audiometry",
			"occurred_on": "2027-08-02", "body": "b", "shared": true, "assessor_name": "Ann", "assessor_email": "ann@example.org"}, 200)
		w.api(spec, w.Applicants[1], "GET", "/api/v1/evidence/"+eid, nil, 404)

		// Files: attached to the draft as a multipart form, like the page;
		// the shared draft's team sees and downloads them; others do not.
		pdf := []byte("%PDF-1.7\n% a signed DOPS form\n%%EOF\n")
		ct, form := multipartFile(t, "dops-form.pdf", pdf)
		f := w.raw(spec, me, "POST", "/api/v1/evidence/"+eid+"/files", ct, form, 201)
		var file train.Attachment
		if err := json.Unmarshal(f.Body.Bytes(), &file); err != nil || file.MediaType != "application/pdf" || file.SHA256 != train.Checksum(pdf) {
			t.Fatalf("attached %s (%v)", f.Body, err)
		}
		fid := fmt.Sprint(file.ID)
		ct, form = multipartFile(t, "photo.pdf", []byte("\x89PNG\r\n\x1a\n"))
		if rec := w.raw(spec, me, "POST", "/api/v1/evidence/"+eid+"/files", ct, form, 400); !strings.Contains(rec.Body.String(), "holds a PNG image") {
			t.Errorf("a PNG named .pdf: %s", rec.Body)
		}
		w.raw(spec, me, "POST", "/api/v1/evidence/"+eid+"/files", "application/pdf", pdf, 400) // not a form
		ct, form = multipartFile(t, "theirs.pdf", pdf)
		w.raw(spec, w.Applicants[1], "POST", "/api/v1/evidence/"+eid+"/files", ct, form, 404)
		ct, form = multipartFile(t, "spare.txt", []byte("A note."))
		spare := w.raw(spec, me, "POST", "/api/v1/evidence/"+eid+"/files", ct, form, 201)
		var spareFile train.Attachment
		json.Unmarshal(spare.Body.Bytes(), &spareFile)
		w.raw(spec, w.Applicants[1], "DELETE", "/api/v1/files/"+fmt.Sprint(spareFile.ID), "", nil, 404)
		w.raw(spec, sup, "DELETE", "/api/v1/files/"+fmt.Sprint(spareFile.ID), "", nil, 403)
		w.raw(spec, me, "DELETE", "/api/v1/files/"+fmt.Sprint(spareFile.ID), "", nil, 204)
		if files := w.api(spec, sup, "GET", "/api/v1/trainees/"+id+"/files", nil, 200)["files"].([]any); len(files) != 1 {
			t.Errorf("the supervisor lists files %v", files)
		}
		sum := sha256.Sum256(pdf)
		got := w.raw(spec, sup, "GET", "/api/v1/files/"+fid, "", nil, 200)
		if !bytes.Equal(got.Body.Bytes(), pdf) || got.Header().Get("Repr-Digest") != "sha-256=:"+base64.StdEncoding.EncodeToString(sum[:])+":" ||
			!strings.HasPrefix(got.Header().Get("Content-Disposition"), "attachment") || !strings.Contains(got.Header().Get("Content-Security-Policy"), "sandbox") {
			t.Errorf("download: %q %v", got.Body, got.Header())
		}
		w.raw(spec, w.OtherSupervisor, "GET", "/api/v1/files/"+fid, "", nil, 404)
		w.raw(spec, w.Applicants[1], "GET", "/api/v1/files/"+fid, "", nil, 404)
		w.api(spec, w.OtherSupervisor, "GET", "/api/v1/trainees/"+id+"/files", nil, 404)
		w.api(spec, me, "POST", "/api/v1/evidence/"+eid+"/submit", nil, 200)
		w.raw(spec, me, "DELETE", "/api/v1/files/"+fid, "", nil, 409) // part of the submitted entry
		rec := w.api(spec, officer, "GET", "/api/v1/trainees/"+id, nil, 200)
		if ev := rec["evidence"].([]any); len(ev) != 1 {
			t.Fatalf("evidence %v", ev)
		}
		p, err := w.Train.Invitations(context.Background(), num(tr["id"]))
		if err != nil {
			t.Fatal(err)
		}
		inv := fmt.Sprint(p[0].ID)
		w.api(spec, officer, "POST", "/api/v1/invitations/"+inv+"/decision", map[string]any{}, 400)
		w.api(spec, w.OtherOfficer, "POST", "/api/v1/invitations/"+inv+"/decision", map[string]any{"approve": true}, 404)
		w.api(spec, officer, "POST", "/api/v1/invitations/"+inv+"/decision", map[string]any{"approve": true}, 200)
		msgs, err := db.Outbox(context.Background(), 3)
		if err != nil {
			t.Fatal(err)
		}
		token := assessLink.FindStringSubmatch(msgs[0].Body)[1]
		a := w.api(spec, nil, "GET", "/api/v1/assessments/"+token, nil, 200)
		if a["trainee"] != me.Name || strings.Contains(fmt.Sprint(a), "ann@example.org") {
			t.Errorf("assignment %v", a)
		}
		w.api(spec, nil, "POST", "/api/v1/assessments/"+token, map[string]any{"judgement": "maybe", "feedback": "x"}, 400)
		w.api(spec, nil, "POST", "/api/v1/assessments/"+token, map[string]any{"judgement": "satisfactory", "feedback": "Good."}, 200)
		w.api(spec, nil, "POST", "/api/v1/assessments/"+token, map[string]any{"judgement": "satisfactory", "feedback": "Again."}, 409)
		w.api(spec, nil, "GET", "/api/v1/assessments/nonsense-token-of-enough-length", nil, 404)

		w.api(spec, w.OtherSupervisor, "POST", "/api/v1/trainees/"+id+"/sign-offs", map[string]any{"module": "ROTATIONS"}, 404)
		w.api(spec, sup, "POST", "/api/v1/trainees/"+id+"/sign-offs", map[string]any{"module": "ROTATIONS"}, 200)
		w.api(spec, w.Supervisors[1], "POST", "/api/v1/trainees/"+id+"/reopenings", map[string]any{"module": "ROTATIONS", "reason": "x"}, 403)
		w.api(spec, sup, "POST", "/api/v1/trainees/"+id+"/reopenings", map[string]any{"module": "ROTATIONS", "reason": "Too early"}, 200)
		w.api(spec, school, "POST", "/api/v1/trainees/"+id+"/reviews", map[string]any{"review": "six-month-check-in", "held_on": "2027-08-05", "panel": "Dr One"}, 201)
		w.api(spec, school, "POST", "/api/v1/trainees/"+id+"/records", map[string]any{"name": "MSc Clinical Science awarded", "recorded_on": "2027-08-05"}, 201)
		w.api(spec, school, "POST", "/api/v1/trainees/"+id+"/complete", nil, 409)

		list := w.api(spec, school, "GET", "/api/v1/trainees?status=active", nil, 200)["trainees"].([]any)
		if len(list) != 2 {
			t.Errorf("active trainees %d, want 2", len(list))
		}
		if list := w.api(spec, w.Applicants[1], "GET", "/api/v1/trainees", nil, 200)["trainees"].([]any); len(list) != 1 || strings.Contains(fmt.Sprint(list), me.Name) {
			t.Errorf("another trainee lists %v", list)
		}
		w.api(spec, school, "GET", "/api/v1/trainees?status=asleep", nil, 400)
		if n := len(w.api(spec, w.OtherSupervisor, "GET", "/api/v1/trainees", nil, 200)["trainees"].([]any)); n != 0 {
			t.Errorf("another department's supervisor lists %d trainees", n)
		}
		hist := w.api(spec, me, "GET", "/api/v1/trainees/"+id+"/history", nil, 200)["history"].([]any)
		if !strings.Contains(fmt.Sprint(hist), "Too early") {
			t.Errorf("history %v lacks the reopening", hist)
		}
		w.api(spec, w.Applicants[1], "GET", "/api/v1/trainees/"+id, nil, 404)

		// Completion issues the certificate, which anyone can check
		// through the API; the school revokes it and issues another.
		trainee, err := w.Train.Trainee(context.Background(), num(tr["id"]))
		if err != nil {
			t.Fatal(err)
		}
		w.api(spec, school, "POST", "/api/v1/trainees/"+id+"/certificates", nil, 409) // not completed
		w.Clock.Set(testkit.Day(400))
		testkit.FinishTraining(t, w.Train, trainee, auth.Actor{UserID: me.ID}, auth.Actor{UserID: sup.ID}, auth.Actor{UserID: school.ID}, "2028-01-10")
		certs := w.api(spec, me, "GET", "/api/v1/trainees/"+id+"/certificates", nil, 200)["certificates"].([]any)
		if len(certs) != 1 {
			t.Fatalf("certificates %v", certs)
		}
		w.api(spec, w.Applicants[1], "GET", "/api/v1/trainees/"+id+"/certificates", nil, 404)
		w.api(spec, w.OtherSupervisor, "GET", "/api/v1/trainees/"+id+"/certificates", nil, 404)
		cert := certs[0].(map[string]any)
		credential := w.get(t, "/certificates/"+cert["id"].(string)+"/credential.json")
		var sent map[string]any
		if err := json.Unmarshal(credential, &sent); err != nil {
			t.Fatal(err)
		}
		if v := w.api(spec, nil, "POST", "/api/v1/credentials/verify", sent, 200); v["valid"] != true || v["holder"] != me.Name {
			t.Errorf("verification %v", v)
		}
		w.api(spec, nil, "POST", "/api/v1/credentials/verify", map[string]any{"type": "nothing"}, 400)
		revoke := "/api/v1/trainees/" + id + "/certificates/" + cert["id"].(string) + "/revoke"
		w.api(spec, sup, "POST", revoke, map[string]any{"reason": "x"}, 403)
		w.api(spec, school, "POST", revoke, map[string]any{"reason": ""}, 400)
		w.api(spec, school, "POST", "/api/v1/trainees/"+fmt.Sprint(other.ID)+"/certificates/"+cert["id"].(string)+"/revoke", map[string]any{"reason": "x"}, 404)
		w.api(spec, school, "POST", revoke, map[string]any{"reason": "Issued in error"}, 200)
		if v := w.api(spec, nil, "POST", "/api/v1/credentials/verify", sent, 200); v["valid"] != false || v["revoked"] != true {
			t.Errorf("verification after revocation %v", v)
		}
		archive := w.api(spec, me, "GET", "/api/v1/trainees/"+id+"/archive", nil, 200)
		if archive["format"] != "hcs-training-archive/1" || len(archive["certificates"].([]any)) != 1 {
			t.Errorf("archive %v", archive["trainee"])
		}
		var archived []string
		for _, e := range archive["evidence"].([]any) {
			for _, f := range e.(map[string]any)["files"].([]any) {
				f := f.(map[string]any)
				archived = append(archived, fmt.Sprint(f["name"], " ", f["content"] == base64.StdEncoding.EncodeToString(pdf)))
			}
		}
		if fmt.Sprint(archived) != "[dops-form.pdf true]" {
			t.Errorf("the archive's files: %v", archived)
		}
		w.api(spec, w.Applicants[1], "GET", "/api/v1/trainees/"+id+"/archive", nil, 404)

		// Import: a completed record is refused (its certificate travels);
		// another trainee's record imports for someone transferring in.
		dept := fmt.Sprintf("/api/v1/departments/%d/trainees", w.Dept.ID)
		w.api(spec, officer, "POST", dept, map[string]any{"email": me.Email, "training_officer_id": officer.ID, "supervisors": []int64{sup.ID},
			"archive": archive}, 409)
		theirs := w.api(spec, w.Applicants[1], "GET", "/api/v1/trainees/"+fmt.Sprint(other.ID)+"/archive", nil, 200)
		// The person transferring in: their account here has their name.
		mover := &auth.User{Name: w.Applicants[1].Name, Email: "moving.on@example.org"}
		if err := db.CreateUser(context.Background(), auth.System("test"), mover, "", nil); err != nil {
			t.Fatal(err)
		}
		body := map[string]any{"email": mover.Email, "training_officer_id": officer.ID, "supervisors": []int64{sup.ID}, "archive": theirs}
		w.api(spec, sup, "POST", dept, body, 403)
		w.api(spec, w.OtherOfficer, "POST", dept, body, 404)
		w.api(spec, officer, "POST", dept, map[string]any{"email": mover.Email, "training_officer_id": officer.ID, "supervisors": []int64{sup.ID},
			"archive": map[string]any{"format": "hcs-training-archive/0"}}, 400)
		imported := w.api(spec, officer, "POST", dept, body, 201)
		if tr := imported["trainee"].(map[string]any); tr["name"] != mover.Name || tr["status"] != "pending" || tr["imported_from"] == nil {
			t.Errorf("imported %v", imported)
		}
		w.api(spec, officer, "POST", dept, body, 409) // one record in progress per person
		statements := w.api(spec, sup, "GET", "/api/v1/trainees/"+id+"/statements", nil, 200)["statements"].([]any)
		withFiles := 0
		for _, st := range statements {
			if err := testkit.CheckXAPIStatement(t, st); err != nil {
				t.Errorf("statement %v: %v", st, err)
			}
			if _, ok := st.(map[string]any)["attachments"]; ok {
				withFiles++
			}
		}
		if withFiles != 1 {
			t.Errorf("%d statements point to files, want 1 (the DOPS with its form)", withFiles)
		}
		w.api(spec, w.OtherSupervisor, "GET", "/api/v1/trainees/"+id+"/statements", nil, 404)
		w.api(spec, school, "POST", "/api/v1/trainees/"+id+"/certificates", nil, 201)
		w.api(spec, school, "POST", "/api/v1/trainees/"+id+"/certificates", nil, 409)
		spec.checkExercised(t, "Training")
	})
}
