package web

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"strconv"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/train"
)

// Files attached to e-portfolio entries: the trainee attaches and removes
// them on a draft's page; the record's people download those of the
// entries they see; an assessor downloads those of the assessment their
// link opens.

// readUpload reads the part called "file" of a multipart form.
func readUpload(r *http.Request) (name string, content []byte, err error) {
	f, err := readMultipart(r, "file", train.MaxFileBytes)
	if err != nil {
		return "", nil, err
	}
	if f.content == nil {
		return "", nil, apperr.Invalidf("file", "Choose a file to attach")
	}
	return f.name, f.content, nil
}

// multipartForm is a multipart form's one file and its other fields.
type multipartForm struct {
	name    string // the file's, as the browser sent it
	content []byte // nil when the form had no file part
	fields  url.Values
}

// readMultipart reads a multipart form, streaming it rather than keeping
// temporary files: the part called fileField, up to limit bytes, and the
// other fields, each up to the ordinary body limit and checked as
// parseForm checks a form.
func readMultipart(r *http.Request, fileField string, limit int) (*multipartForm, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, apperr.Invalidf(fileField, "Send the form as multipart/form-data, with the file in a part called %s", fileField)
	}
	f := &multipartForm{fields: url.Values{}}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return f, nil
		}
		if err != nil {
			return nil, uploadError(fileField, limit, err)
		}
		if p.FormName() != fileField {
			v, err := io.ReadAll(io.LimitReader(p, maxBodyBytes+1))
			if err != nil {
				return nil, uploadError(fileField, limit, err)
			}
			key := p.FormName()
			if len(v) > maxBodyBytes || unreadable(string(v)) || unreadable(key) {
				return nil, apperr.Invalidf(key, "%s is too long, holds a NUL character or is not valid UTF-8", key)
			}
			f.fields.Add(key, string(v))
			continue
		}
		if f.content != nil {
			return nil, apperr.Invalidf(fileField, "Send one file at a time")
		}
		content, err := io.ReadAll(io.LimitReader(p, int64(limit)+1))
		if err != nil {
			return nil, uploadError(fileField, limit, err)
		}
		if len(content) > limit {
			return nil, apperr.Invalidf(fileField, "%s is larger than %s, the most a file can be here", p.FileName(), train.FileSize(int64(limit)))
		}
		f.name, f.content = p.FileName(), content
		if f.content == nil {
			f.content = []byte{}
		}
	}
}

func uploadError(field string, limit int, err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return apperr.Invalidf(field, "The file is larger than %s, the most a file can be here", train.FileSize(int64(limit)))
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return apperr.Invalidf(field, "The upload took longer than %d minutes and was stopped: try again on a faster connection, or send a smaller copy",
			int(uploadTime(int64(limit)).Minutes()))
	}
	return apperr.Invalidf(field, "The file could not be read: send it again")
}

func (s *Server) attachFile(w http.ResponseWriter, r *http.Request) error {
	t, e, err := s.pathEvidence(r)
	if err != nil {
		return err
	}
	name, content, err := readUpload(r)
	var a *train.Attachment
	if err == nil {
		a, err = s.train.Attach(r.Context(), actor(r), e.ID, name, content)
	}
	if err != nil {
		return formFailure(err, func(status int) error { return s.showEvidence(w, r, status, t, e, err) })
	}
	redirectBack(w, r, "/trainee/evidence/"+strconv.FormatInt(e.ID, 10)+"#files", a.Name+" is attached.")
	return nil
}

func (s *Server) removeFile(w http.ResponseWriter, r *http.Request) error {
	t, e, err := s.pathEvidence(r)
	if err != nil {
		return err
	}
	fileID, err := pathID(r, "file")
	if err != nil {
		return err
	}
	if err := s.train.Detach(r.Context(), actor(r), e.ID, fileID); err != nil {
		return formFailure(err, func(status int) error { return s.showEvidence(w, r, status, t, e, err) })
	}
	redirectBack(w, r, "/trainee/evidence/"+strconv.FormatInt(e.ID, 10)+"#files", "The file is removed.")
	return nil
}

// readableFile loads a file for the signed-in person: someone who may see
// the trainee's record and the entry it is attached to. Anyone else is told
// there is no such file.
func (s *Server) readableFile(r *http.Request) (*train.Attachment, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	// Who may read it is decided before its bytes are loaded.
	f, err := s.train.File(r.Context(), id, false)
	if err != nil {
		return nil, err
	}
	p := principal(r)
	if !p.Allowed(auth.ActionTrainingView, f.Trainee.Target()) || !f.Evidence.VisibleTo(f.Trainee, p.User.ID) {
		return nil, apperr.Errorf(apperr.NotFound, "there is no file %d", id)
	}
	if f, err = s.train.File(r.Context(), id, true); err != nil {
		return nil, err
	}
	return f.File, f.File.Intact()
}

func (s *Server) fileDownload(w http.ResponseWriter, r *http.Request) error {
	a, err := s.readableFile(r)
	if err != nil {
		return err
	}
	serveFile(w, a)
	return nil
}

func (s *Server) assessFile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a, err := s.train.AssignmentFile(r.Context(), r.PathValue("token"), id)
	if err != nil {
		return err
	}
	serveFile(w, a)
	return nil
}

// serveFile sends a stored file to be saved, never shown in the site's
// origin: a sandbox policy and no sniffing.
func serveFile(w http.ResponseWriter, a *train.Attachment) {
	h := w.Header()
	ct := a.MediaType
	if ct == "text/plain" {
		ct += "; charset=utf-8"
	}
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Name}))
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Cache-Control", "private, no-store")
	// The representation's digest (RFC 9530), the same whatever content
	// coding carries it.
	if sum, err := hex.DecodeString(a.SHA256); err == nil {
		h.Set("Repr-Digest", "sha-256=:"+base64.StdEncoding.EncodeToString(sum)+":")
	}
	w.WriteHeader(http.StatusOK)
	w.Write(a.Content)
}

// The API's files: attach (multipart, like the page), list, download,
// remove.

func (s *Server) apiAttachFile(w http.ResponseWriter, r *http.Request) (int, any, error) {
	_, e, err := s.pathEvidence(r)
	if err != nil {
		return 0, nil, err
	}
	name, content, err := readUpload(r)
	if err != nil {
		return 0, nil, err
	}
	a, err := s.train.Attach(r.Context(), actor(r), e.ID, name, content)
	return http.StatusCreated, a, err
}

// fileList is the files of a trainee's entries that the caller sees.
type fileList struct {
	Files []train.Attachment `json:"files"`
}

func (s *Server) apiFiles(w http.ResponseWriter, r *http.Request) (int, any, error) {
	t, err := s.pathTrainee(r, auth.ActionTrainingView)
	if err != nil {
		return 0, nil, err
	}
	p, err := s.train.Portfolio(r.Context(), t.ID)
	if err != nil {
		return 0, nil, err
	}
	files, err := s.train.Attachments(r.Context(), t.ID, 0)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, fileList{train.VisibleFiles(p.Trainee, principal(r).User.ID, p.Evidence, files)}, nil
}

func (s *Server) apiFile(w http.ResponseWriter, r *http.Request) {
	a, err := s.readableFile(r)
	if err != nil {
		s.fail(w, r, true, err)
		return
	}
	serveFile(w, a)
}

func (s *Server) apiRemoveFile(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	f, err := s.train.File(r.Context(), id, false)
	if err != nil {
		return 0, nil, err
	}
	if !principal(r).Allowed(auth.ActionEvidence, f.Trainee.Target()) {
		return 0, nil, apperr.Errorf(apperr.NotFound, "there is no file %d", id)
	}
	return http.StatusNoContent, nil, s.train.Detach(r.Context(), actor(r), f.Evidence.ID, id)
}
