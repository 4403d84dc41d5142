package train_test

import (
	"archive/zip"
	"bytes"
	"strings"
	"sync/atomic"
	"testing"

	"hcs/internal/apperr"
	"hcs/internal/database"
	"hcs/internal/testkit"
	"hcs/internal/train"
)

// docx builds a minimal Word document's package with the named parts.
func docx(t *testing.T, parts ...string) []byte {
	t.Helper()
	m := map[string]string{}
	for _, p := range parts {
		m[p] = "<x/>"
	}
	return docxWith(t, m)
}

// docxWith builds a package with parts and their contents.
func docxWith(t *testing.T, parts map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for p, content := range parts {
		w, err := z.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(content))
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var (
	pdf  = []byte("%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n")
	png  = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	jpeg = []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00")
)

// A file's type is read from its bytes, and its name must agree; what is
// refused says which file and why.
func TestCheckFile(t *testing.T) {
	word := docx(t, "[Content_Types].xml", "word/document.xml")
	for _, c := range []struct {
		name    string
		content []byte
		kept    string
		media   string
		problem string // in the error
	}{
		{"form.pdf", pdf, "form.pdf", "application/pdf", ""},
		{"FORM.PDF", pdf, "FORM.PDF", "application/pdf", ""},
		{`C:\Users\me\Desktop\scan.png`, png, "scan.png", "image/png", ""},
		{"../../etc/photo.jpeg", jpeg, "photo.jpeg", "image/jpeg", ""},
		{"photo.jpg", jpeg, "photo.jpg", "image/jpeg", ""},
		{"reflection.docx", word, "reflection.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ""},
		{"notes.txt", []byte("Line one\r\n\tindented\n"), "notes.txt", "text/plain", ""},
		{"scan.pdf", png, "", "", "scan.pdf is named as a PDF but holds a PNG image: rename it to end .png"},
		{"scan", png, "", "", "scan has no extension: it holds a PNG image, so name it scan.png"},
		{"notes.pdf", []byte("plain words"), "", "", "notes.pdf is named as a PDF but holds a text file"},
		{"setup.exe", []byte("MZ\x90\x00\x03\x00"), "", "", "setup.exe is not a kind of file hcs recognises, which cannot be attached"},
		{"page.html", []byte("<script>alert(1)</script>"), "", "", "page.html is named as a .html file but holds a text file"},
		{"archive.docx", docx(t, "a.txt"), "", "", "archive.docx is a ZIP archive, which cannot be attached"},
		{"macro.docx", docx(t, "[Content_Types].xml", "word/document.xml", "word/vbaProject.bin"), "", "", "a Word document with macros"},
		{"shout.docx", docx(t, "[Content_Types].xml", "word/document.xml", "word/VBAPROJECT.BIN"), "", "", "a Word document with macros"},
		{"slash.docx", docx(t, "[Content_Types].xml", "word/document.xml", "/word/vbaProject.bin"), "", "", "a Word document with macros"},
		{"data.docx", docx(t, "[Content_Types].xml", "word/document.xml", "word/vbaData.xml"), "", "", "a Word document with macros"},
		{"renamed.docx", docxWith(t, map[string]string{"[Content_Types].xml": "<Types/>", "word/document.xml": "<x/>", "word/macros.bin": "x",
			"word/_rels/document.xml.rels": `<Relationship Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="macros.bin"/>`}),
			"", "", "a Word document with macros"},
		{"declared.docx", docxWith(t, map[string]string{"word/document.xml": "<x/>",
			"[Content_Types].xml": `<Override ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/>`}), "", "", "a Word document with macros"},
		{"lower.docx", docx(t, "[content_types].xml", "word/document.xml"), "lower.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ""},
		{"wide.txt", []byte("\xff\xfeh\x00i\x00"), "", "", "text in UTF-16"},
		{"latin.txt", []byte("caf\xe9 cr\xe8me"), "", "", "text that is not UTF-8"},
		{"broken.docx", []byte("PK\x03\x04garbage"), "", "", "a damaged ZIP archive"},
		{"nul.txt", []byte("a\x00b"), "", "", "not a kind of file hcs recognises"},
		{"empty.pdf", nil, "", "", "empty.pdf is empty"},
		{"", nil, "", "", "Choose a file to attach"},
		{"", pdf, "", "", "The file has no name"},
		{"big.pdf", append(bytes.Clone(pdf), make([]byte, train.MaxFileBytes)...), "", "", "big.pdf is 10.0 MB; a file can be at most 10.0 MB"},
		{"just-fits.pdf", append(bytes.Clone(pdf), bytes.Repeat([]byte{' '}, train.MaxFileBytes-len(pdf))...), "just-fits.pdf", "application/pdf", ""},
		{"bad\u202ename.pdf", pdf, "", "", "name"},
		{strings.Repeat("n", train.MaxFileName) + ".pdf", pdf, "", "", "name"},
	} {
		kept, media, err := train.CheckFile(c.name, c.content)
		if c.problem == "" {
			if err != nil || kept != c.kept || media != c.media {
				t.Errorf("%q: %q %q %v, want %q %q", c.name, kept, media, err, c.kept, c.media)
			}
			continue
		}
		if err == nil || apperr.Field(err) != "file" || !strings.Contains(apperr.Message(err), c.problem) {
			t.Errorf("%q: %v (field %q), want an error on file saying %q", c.name, err, apperr.Field(err), c.problem)
		}
	}
}

// A trainee attaches files to a draft, never to someone else's or to a
// submitted entry; the store gives the bytes back checked against their
// checksum, and a damaged copy is reported rather than served.
func TestAttachmentsBelongToADraft(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		st := testkit.StageTraining(t, db, 2)
		svc, me, other := st.Train, st.Applicants[0], st.Applicants[1]
		tr, theirs := st.Enrol(t, 0), st.Enrol(t, 1)
		st.Clock.Set(testkit.Day(215))
		draft := train.Draft{Kind: train.EvidenceReflection, Module: "IPD", Title: "Audit poster", OccurredOn: "2027-08-02", Body: "Presented the audit."}
		e := must[*train.Evidence](t)(svc.AddEvidence(ctx, actor(me), tr.ID, draft))
		_, err := svc.Attach(ctx, actor(other), e.ID, "poster.pdf", pdf)
		wantCode(t, err, apperr.Forbidden)
		_, err = svc.Attach(ctx, actor(st.Supervisors[0]), e.ID, "poster.pdf", pdf)
		wantCode(t, err, apperr.Forbidden)
		_, err = svc.Attach(ctx, actor(me), e.ID, "poster.pdf", png)
		wantCode(t, err, apperr.Invalid)

		a := must[*train.Attachment](t)(svc.Attach(ctx, actor(me), e.ID, "poster.pdf", pdf))
		if a.Size != int64(len(pdf)) || a.SHA256 != train.Checksum(pdf) || a.MediaType != "application/pdf" || a.TraineeID != tr.ID {
			t.Errorf("attachment %+v", a)
		}
		f := must[*train.AttachedFile](t)(svc.File(ctx, a.ID, true))
		if !bytes.Equal(f.File.Content, pdf) || f.File.Intact() != nil || f.Evidence.ID != e.ID || f.Trainee.ID != tr.ID {
			t.Errorf("file %+v", f.File)
		}
		if f := must[*train.AttachedFile](t)(svc.File(ctx, a.ID, false)); f.File.Content != nil {
			t.Error("a file asked for without its bytes came with them")
		}
		// The log says a file was attached, not what it is called: a
		// draft is the trainee's own.
		if n := testkit.Count(t, db, "SELECT COUNT(*) FROM audit_log WHERE action = 'evidence.attach' AND detail LIKE '%poster%'"); n != 0 {
			t.Error("the audit log names a private draft's file")
		}
		// Removing goes by the entry named: a file of another entry is not
		// found there.
		o := must[*train.Evidence](t)(svc.AddEvidence(ctx, actor(other), theirs.ID, draft))
		oa := must[*train.Attachment](t)(svc.Attach(ctx, actor(other), o.ID, "theirs.txt", []byte("theirs")))
		wantCode(t, svc.Detach(ctx, actor(me), e.ID, oa.ID), apperr.NotFound)
		wantCode(t, svc.Detach(ctx, actor(me), o.ID, oa.ID), apperr.Forbidden)
		if err := svc.Detach(ctx, actor(me), e.ID, a.ID); err != nil {
			t.Fatal(err)
		}
		_, err = svc.File(ctx, a.ID, false)
		wantCode(t, err, apperr.NotFound)

		// Submitted, the entry's files are part of it.
		kept := must[*train.Attachment](t)(svc.Attach(ctx, actor(me), e.ID, "notes.txt", []byte("What I said.")))
		must[*train.Evidence](t)(svc.SubmitEvidence(ctx, actor(me), e.ID))
		_, err = svc.Attach(ctx, actor(me), e.ID, "late.pdf", pdf)
		wantCode(t, err, apperr.Conflict)
		wantCode(t, svc.Detach(ctx, actor(me), e.ID, kept.ID), apperr.Conflict)
		if files := must[[]train.Attachment](t)(svc.Attachments(ctx, tr.ID, 0)); len(files) != 1 || files[0].ID != kept.ID || files[0].Content != nil {
			t.Errorf("files %+v", files)
		}

		// A copy damaged in storage is found, not served.
		testkit.Exec(t, db, "UPDATE evidence_files SET content = $1 WHERE id = $2", []byte("What I paid."), kept.ID)
		f = must[*train.AttachedFile](t)(svc.File(ctx, kept.ID, true))
		if err := f.File.Intact(); apperr.Code(err) != apperr.Conflict || !strings.Contains(apperr.Message(err), "notes.txt") {
			t.Errorf("a damaged file: %v", err)
		}
		_, err = svc.Export(ctx, tr.ID, me.ID)
		wantCode(t, err, apperr.Conflict) // the archive is not made without it
		if _, err := svc.Statements(ctx, tr.ID, me.ID); err != nil {
			t.Errorf("statements, which only point to files: %v", err)
		}
		// The schema holds a file's size to its bytes.
		if err := testkit.TryExec(db, "UPDATE evidence_files SET size = size + 1 WHERE id = $1", kept.ID); err == nil {
			t.Error("the schema accepted a size that does not match the bytes")
		}
	})
}

// An entry holds at most MaxFilesPerEntry files, however many arrive at
// once.
func TestConcurrentAttachmentsKeepTheLimit(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		st := testkit.StageTraining(t, db, 1)
		svc, me := st.Train, st.Applicants[0]
		tr := st.Enrol(t, 0)
		st.Clock.Set(testkit.Day(215))
		e := must[*train.Evidence](t)(svc.AddEvidence(ctx, actor(me), tr.ID, train.Draft{Kind: train.EvidenceReflection, Module: "IPD",
			Title: "Scans", OccurredOn: "2027-08-02", Body: "b"}))
		for range train.MaxFilesPerEntry - 2 {
			must[*train.Attachment](t)(svc.Attach(ctx, actor(me), e.ID, "scan.png", png))
		}
		testkit.WarmPool(t, db, 8)
		var added atomic.Int32
		testkit.Together(8, func(i int) {
			if _, err := svc.Attach(ctx, actor(me), e.ID, "scan.png", png); err == nil {
				added.Add(1)
			} else if apperr.Code(err) != apperr.Invalid {
				t.Errorf("attach %d: %v", i, err)
			}
		})
		if added.Load() != 2 {
			t.Errorf("%d of 8 concurrent files attached to an entry with room for 2", added.Load())
		}
		if n := testkit.Count(t, db, "SELECT COUNT(*) FROM evidence_files WHERE evidence_id = $1", e.ID); n != train.MaxFilesPerEntry {
			t.Errorf("the entry holds %d files, want %d", n, train.MaxFilesPerEntry)
		}
	})
}

// An assessor's link opens the files of its own assessment, while it
// works, and no other file.
func TestAssessorSeesTheAssessmentsFiles(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		st := testkit.StageTraining(t, db, 1)
		svc, me := st.Train, st.Applicants[0]
		tr := st.Enrol(t, 0)
		st.Clock.Set(testkit.Day(215))
		e := must[*train.Evidence](t)(svc.AddEvidence(ctx, actor(me), tr.ID, train.Draft{Kind: train.EvidenceDOPS, Module: "IPD", Title: "t",
			OccurredOn: "2027-08-02", Body: "b", AssessorName: "Ann", AssessorEmail: "ann@example.org"}))
		a := must[*train.Attachment](t)(svc.Attach(ctx, actor(me), e.ID, "form.pdf", pdf))
		other := must[*train.Evidence](t)(svc.AddEvidence(ctx, actor(me), tr.ID, train.Draft{Kind: train.EvidenceReflection, Module: "IPD", Title: "private",
			OccurredOn: "2027-08-02", Body: "b"}))
		private := must[*train.Attachment](t)(svc.Attach(ctx, actor(me), other.ID, "diary.txt", []byte("mine")))
		must[*train.Evidence](t)(svc.SubmitEvidence(ctx, actor(me), e.ID))
		invs := must[[]train.Invitation](t)(invitations(t, db, tr.ID))
		must[*train.Invitation](t)(svc.ApproveAssessor(ctx, actor(st.Officer), invs[0].ID, true))
		token := lastToken(t, db, "ann@example.org")
		as := must[*train.Assignment](t)(svc.Assignment(ctx, token))
		if len(as.Files) != 1 || as.Files[0].ID != a.ID {
			t.Errorf("the assignment lists %+v", as.Files)
		}
		got := must[*train.Attachment](t)(svc.AssignmentFile(ctx, token, a.ID))
		if !bytes.Equal(got.Content, pdf) {
			t.Error("the assessor's file differs")
		}
		_, err := svc.AssignmentFile(ctx, token, private.ID)
		wantCode(t, err, apperr.NotFound)
		must[*train.Evidence](t)(svc.Assess(ctx, actor(st.Officer), token, train.JudgementSatisfactory, "Good"))
		_, err = svc.AssignmentFile(ctx, token, a.ID)
		wantCode(t, err, apperr.Conflict) // the link is used
	})
}

// A training record holds at most MaxRecordBytes of files, so that its
// archive can be imported.
func TestRecordFilesHaveAQuota(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		st := testkit.StageTraining(t, db, 1)
		svc, me := st.Train, st.Applicants[0]
		tr := st.Enrol(t, 0)
		st.Clock.Set(testkit.Day(215))
		draft := train.Draft{Kind: train.EvidenceReflection, Module: "IPD", Title: "Scans", OccurredOn: "2027-08-02", Body: "b"}
		full := append(bytes.Clone(pdf), bytes.Repeat([]byte{' '}, train.MaxFileBytes-len(pdf))...)
		e := must[*train.Evidence](t)(svc.AddEvidence(ctx, actor(me), tr.ID, draft))
		for range train.MaxRecordBytes / train.MaxFileBytes {
			must[*train.Attachment](t)(svc.Attach(ctx, actor(me), e.ID, "scan.pdf", full))
		}
		next := must[*train.Evidence](t)(svc.AddEvidence(ctx, actor(me), tr.ID, draft))
		_, err := svc.Attach(ctx, actor(me), next.ID, "one-more.txt", []byte("x"))
		if apperr.Code(err) != apperr.Invalid || !strings.Contains(apperr.Message(err), "holds at most 100.0 MB") {
			t.Errorf("over the quota: %v", err)
		}
	})
}
