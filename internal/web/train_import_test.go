package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/testkit"
	"hcs/internal/train"
)

// importForm posts the import form with an archive as a person.
func (w *trainingWorld) importForm(u *auth.User, dept int64, archive []byte, fields map[string][]string) *httptest.ResponseRecorder {
	w.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if archive != nil {
		fw, _ := mw.CreateFormFile("archive", "record.json")
		fw.Write(archive)
	}
	mw.Close()
	return w.serve(w.request(u, "POST", fmt.Sprintf("/training/departments/%d/import", dept), mw.FormDataContentType(), b.Bytes()))
}

// A training officer imports a transferring trainee's archive on the
// import page: mistakes are named on the form, the record opens with
// where it came from and the sign-offs made there; only the department's
// training officers can import into it.
func TestImportThroughThePages(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		w := newTrainingWorld(t, db, 1)
		me, officer, sup := w.Applicants[0], w.Officer, w.Supervisors[0]
		tr := w.Enrol(t, 0)
		w.Clock.Set(testkit.Day(215))
		if _, err := w.Train.SaveAndSubmit(ctx, auth.Actor{UserID: me.ID}, tr.ID, 0, train.Draft{Kind: train.EvidenceReflection, Module: "IPD",
			Title: "Reflection before moving", OccurredOn: "2027-08-02", Body: "What I learned."}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Train.SignOff(ctx, auth.Actor{UserID: sup.ID}, tr.ID, "IPD", ""); err != nil {
			t.Fatal(err)
		}
		archive := w.want(w.as(me, "GET", fmt.Sprintf("/training/trainees/%d/archive.json", tr.ID), nil), 200)
		// The person transferring in: their account here has their name.
		mover := &auth.User{Name: me.Name, Email: "moving.on@example.org"}
		stranger := &auth.User{Name: "Morgan Other", Email: "morgan.other@example.org"}
		for _, u := range []*auth.User{mover, stranger} {
			if err := db.CreateUser(ctx, auth.System("test"), u, "", nil); err != nil {
				t.Fatal(err)
			}
		}
		page := fmt.Sprintf("/training/departments/%d/import", w.Dept.ID)
		w.want(w.as(officer, "GET", "/training", nil), 200, page)
		w.want(w.as(officer, "GET", page, nil), 200, `enctype="multipart/form-data"`, "Import a trainee")
		w.want(w.as(w.OtherOfficer, "GET", page, nil), 404)
		w.want(w.as(sup, "GET", page, nil), 403)

		fields := map[string][]string{"email": {mover.Email}, "training_officer_id": {fmt.Sprint(officer.ID)}, "supervisors": {fmt.Sprint(sup.ID)}}
		w.want(w.importForm(officer, w.Dept.ID, nil, fields), 400, "Choose the archive to import", `id="archive-error"`, mover.Email)
		w.want(w.importForm(officer, w.Dept.ID, []byte(`{"format":"x"}`), fields), 400, "is not an hcs training archive")
		w.want(w.importForm(officer, w.Dept.ID, []byte(archive), map[string][]string{"email": {"nobody@example.org"},
			"training_officer_id": {fmt.Sprint(officer.ID)}, "supervisors": {fmt.Sprint(sup.ID)}}), 400, "No account here has the address nobody@example.org")
		w.want(w.importForm(w.OtherOfficer, w.Dept.ID, []byte(archive), fields), 404)
		w.want(w.importForm(officer, w.Dept.ID, []byte(archive), map[string][]string{"email": {stranger.Email},
			"training_officer_id": {fmt.Sprint(officer.ID)}, "supervisors": {fmt.Sprint(sup.ID)}}), 400, "The archive is "+me.Name+"&#39;s record")
		if n := testkit.Count(t, db, "SELECT COUNT(*) FROM trainees WHERE user_id = $1", mover.ID); n != 0 {
			t.Fatalf("%d records after refused imports", n)
		}

		rec := w.importForm(officer, w.Dept.ID, []byte(archive), fields)
		if rec.Code != 303 || !strings.HasPrefix(rec.Header().Get("Location"), "/training/trainees/") {
			t.Fatalf("import: %d %s", rec.Code, excerpt(rec.Body.String()))
		}
		body := w.want(w.as(officer, "GET", rec.Header().Get("Location"), nil), 200, "Imported from",
			"Reflection before moving", "signed off by "+sup.Name+" at http://hcs.test, accepted on transfer by "+officer.Name)
		if !strings.Contains(body, "Waiting for the training officer to confirm") {
			t.Error("the imported record does not wait for confirmation")
		}
		if n := rec.Result().Cookies(); len(n) == 0 || !strings.Contains(n[0].Value, "1+entry+with+0+files%2C+1+sign-off") {
			t.Errorf("the notice after importing: %v", n)
		}
	})
}

// TestBrowserImport: the training officer imports a transferring
// trainee's archive in the browser, from their training page to the new
// record, with axe-core checking each page.
func TestBrowserImport(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		if testing.Short() {
			t.Skip("browser tests are skipped with -short")
		}
		ctx := context.Background()
		st := testkit.StageTraining(t, db, 1)
		tr := st.Enrol(t, 0)
		st.Clock.Set(testkit.Day(215))
		a, err := st.Train.Export(ctx, tr.ID, st.Applicants[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(t.TempDir(), "training-record.json")
		if err := os.WriteFile(file, b, 0o600); err != nil {
			t.Fatal(err)
		}
		mover := &auth.User{Name: st.Applicants[0].Name, Email: "moving.on@example.org"}
		if err := db.CreateUser(ctx, system, mover, "", nil); err != nil {
			t.Fatal(err)
		}
		hash, err := auth.HashPassword(ctx, drivePassword)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SetPassword(ctx, system, st.Officer.ID, hash, ""); err != nil {
			t.Fatal(err)
		}
		d := &roundDriver{t: t, b: newBrowserOn(t, db), clock: st.Clock}
		d.as(st.Officer.Email)
		d.open("/training")
		d.click(fmt.Sprintf(`#imports a[href="/training/departments/%d/import"]`, st.Dept.ID))
		d.fill("email", mover.Email)
		d.submit(`#import-form button[type="submit"]`)
		d.expect(".nhsuk-error-summary", "Choose the archive to import")
		d.b.Do(t, chromedp.SetUploadFiles(chromedp.CSS("#archive"), []string{file}))
		d.click(fmt.Sprintf("#sup-%d", st.Supervisors[0].ID))
		d.submit(`#import-form button[type="submit"]`)
		d.expect(".nhsuk-inset-text", "The record is imported")
		d.expect("#summary", "Imported from")
		d.expect("#summary", "Waiting for the training officer to confirm")
		d.submit(`#confirm button`)
		d.expect("#summary", "In training")
	})
}
