package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/testkit"
	"hcs/internal/train"
)

// upload posts a file from a page's form as a person.
func (w *trainingWorld) upload(u *auth.User, path, name string, content []byte) *httptest.ResponseRecorder {
	w.t.Helper()
	ct, body := multipartFile(w.t, name, content)
	return w.serve(w.request(u, "POST", path, ct, body))
}

// The trainee attaches files to a draft on its page and removes them;
// what is refused is said beside the file box with the draft intact; the
// entry's people download the files of what they see, and nobody else
// does; the assessor downloads those of the assessment their link opens.
func TestFilesThroughThePages(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		w := newTrainingWorld(t, db, 2)
		me, sup := w.Applicants[0], w.Supervisors[0]
		tr, theirs := w.Enrol(t, 0), w.Enrol(t, 1)
		w.Clock.Set(testkit.Day(215))
		e, err := w.Train.AddEvidence(ctx, auth.Actor{UserID: me.ID}, tr.ID, train.Draft{Kind: train.EvidenceDOPS, Module: "ROTATIONS",
			Title: "Tympanometry", OccurredOn: "2027-08-02", Body: "Observed.", AssessorName: "Ann Assessor", AssessorEmail: "ann@example.org"})
		if err != nil {
			t.Fatal(err)
		}
		page := fmt.Sprintf("/trainee/evidence/%d", e.ID)
		w.want(w.as(me, "GET", page, nil), 200, `enctype="multipart/form-data"`, "No files attached.")

		pdf := []byte("%PDF-1.4\n% the signed form\n%%EOF\n")
		rec := w.upload(me, page+"/files", "signed form.pdf", pdf)
		if rec.Code != 303 {
			t.Fatalf("attach: %d %s", rec.Code, excerpt(rec.Body.String()))
		}
		body := w.want(w.as(me, "GET", page, nil), 200, "signed form.pdf", fmt.Sprintf("PDF, %d bytes", len(pdf)), "Remove")
		fileLink := firstMatch(t, body, `/training/files/\d+`)

		// Refused: said beside the box, on the draft's page.
		w.want(w.upload(me, page+"/files", "scan.pdf", []byte("\x89PNG\r\n\x1a\nxx")), 400,
			"scan.pdf is named as a PDF but holds a PNG image", `id="file-error"`, "Tympanometry")
		big := append([]byte("%PDF-"), make([]byte, train.MaxFileBytes+200<<10)...)
		w.want(w.upload(me, page+"/files", "big.pdf", big), 400, "larger than 10.0 MB")
		w.want(w.upload(w.Applicants[1], page+"/files", "x.pdf", pdf), 404)
		w.want(w.upload(sup, page+"/files", "x.pdf", pdf), 403)
		// Other forms keep their small limit.
		w.want(w.as(me, "POST", page, url.Values{"title": {strings.Repeat("x", 100<<10)}}), 400, "larger than")

		// A private draft's files are the trainee's alone.
		w.want(w.as(sup, "GET", fileLink, nil), 404)
		d := train.Draft{Kind: e.Kind, Module: e.Module, Title: e.Title, OccurredOn: e.OccurredOn, Body: e.Body, Shared: true,
			AssessorName: e.AssessorName, AssessorEmail: e.AssessorEmail}
		if _, err := w.Train.EditEvidence(ctx, auth.Actor{UserID: me.ID}, e.ID, d); err != nil {
			t.Fatal(err)
		}
		got := w.as(sup, "GET", fileLink, nil)
		if got.Code != 200 || !bytes.Equal(got.Body.Bytes(), pdf) || got.Header().Get("Content-Type") != "application/pdf" ||
			got.Header().Get("Content-Disposition") != `attachment; filename="signed form.pdf"` || got.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("the supervisor's download: %d %v", got.Code, got.Header())
		}
		w.want(w.as(sup, "GET", fmt.Sprintf("/training/trainees/%d", tr.ID), nil), 200, fileLink, "signed form.pdf")
		w.want(w.as(w.OtherSupervisor, "GET", fileLink, nil), 404)
		w.want(w.as(w.Applicants[1], "GET", fileLink, nil), 404)
		w.want(w.as(nil, "GET", fileLink, nil), 303)
		w.want(w.as(w.School, "GET", fileLink, nil), 200)
		w.want(w.as(w.Applicants[1], "POST", page+"/files/"+strings.TrimPrefix(fileLink, "/training/files/")+"/remove", url.Values{}), 404)
		if n := testkit.Count(t, db, "SELECT COUNT(*) FROM evidence_files WHERE trainee_id = $1", theirs.ID); n != 0 {
			t.Errorf("another trainee has %d files", n)
		}

		// Removing, then submitting: the assessor sees the file on their link.
		w.want(w.upload(me, page+"/files", "extra.txt", []byte("Extra notes.")), 303)
		removes := regexp.MustCompile(`/trainee/evidence/\d+/files/\d+/remove`).FindAllString(w.want(w.as(me, "GET", page, nil), 200, "extra.txt"), -1)
		if len(removes) != 2 {
			t.Fatalf("remove buttons %v, want two", removes)
		}
		w.want(w.as(me, "POST", removes[1], url.Values{}), 303)
		w.want(w.as(me, "GET", page, nil), 200)
		if n := testkit.Count(t, db, "SELECT COUNT(*) FROM evidence_files WHERE evidence_id = $1", e.ID); n != 1 {
			t.Fatalf("%d files after removing one of two", n)
		}
		w.want(w.as(me, "POST", page, url.Values{"do": {"submit"}, "kind": {e.Kind}, "module": {e.Module}, "title": {e.Title},
			"occurred_on": {e.OccurredOn}, "body": {e.Body}, "assessor_name": {e.AssessorName}, "assessor_email": {e.AssessorEmail}}), 303)
		body = w.want(w.as(me, "GET", page, nil), 200, "signed form.pdf")
		if strings.Contains(body, "Attach file") || strings.Contains(body, "/remove") {
			t.Error("a submitted entry still offers to change its files")
		}
		invs, err := w.Train.Invitations(ctx, tr.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Train.ApproveAssessor(ctx, auth.Actor{UserID: w.Officer.ID}, invs[0].ID, true); err != nil {
			t.Fatal(err)
		}
		msgs, err := db.Outbox(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		token := assessLink.FindStringSubmatch(msgs[0].Body)[1]
		assessFile := firstMatch(t, w.want(w.as(nil, "GET", "/assess/"+token, nil), 200, "signed form.pdf"), `/assess/[^/"]+/files/\d+`)
		if got := w.as(nil, "GET", assessFile, nil); got.Code != 200 || !bytes.Equal(got.Body.Bytes(), pdf) {
			t.Errorf("the assessor's download: %d", got.Code)
		}
		w.want(w.as(nil, "GET", "/assess/"+strings.Repeat("B", 43)+"/files/1", nil), 404)
	})
}

// firstMatch finds a pattern in a page, or fails.
func firstMatch(t *testing.T, body, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindString(body)
	if m == "" {
		t.Fatalf("the page has nothing like %s: %s", pattern, excerpt(body))
	}
	return m
}

// A retried upload with the same Idempotency-Key is answered as the first
// was, although every client draws a new multipart boundary for it; the
// key sent with another file is refused.
func TestRetriedUploadIsAnsweredOnce(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		w := newTrainingWorld(t, db, 1)
		me := w.Applicants[0]
		tr := w.Enrol(t, 0)
		w.Clock.Set(testkit.Day(215))
		e, err := w.Train.AddEvidence(ctx, auth.Actor{UserID: me.ID}, tr.ID, train.Draft{Kind: train.EvidenceReflection, Module: "IPD",
			Title: "Poster", OccurredOn: "2027-08-02", Body: "b"})
		if err != nil {
			t.Fatal(err)
		}
		send := func(content []byte) *httptest.ResponseRecorder {
			ct, body := multipartFile(t, "poster.pdf", content)
			req := w.request(me, "POST", fmt.Sprintf("/api/v1/evidence/%d/files", e.ID), ct, body)
			req.Header.Set("Idempotency-Key", "upload-poster-1")
			return w.serve(req)
		}
		pdf := []byte("%PDF-1.4\n% poster\n%%EOF\n")
		first, again := send(pdf), send(pdf)
		if first.Code != 201 || again.Code != 201 || first.Body.String() != again.Body.String() {
			t.Fatalf("first %d %s, retry %d %s", first.Code, first.Body, again.Code, again.Body)
		}
		if n := testkit.Count(t, db, "SELECT COUNT(*) FROM evidence_files WHERE evidence_id = $1", e.ID); n != 1 {
			t.Errorf("%d files after a retried upload, want 1", n)
		}
		if other := send([]byte("%PDF-1.4\n% another poster\n%%EOF\n")); other.Code < 400 || other.Code >= 500 {
			t.Errorf("the key with another file: %d %s", other.Code, other.Body)
		}
	})
}
