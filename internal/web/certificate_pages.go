package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/train"
)

// Completion certificates: the public page of each, its credential and
// PDF, the verification page anyone may use, the issuer's DID document
// and revocation lists; and, on a trainee's record, revoking and issuing
// again.

// certificatePage is what a certificate's public page shows.
type certificatePage struct {
	Cert   *train.IssuedCertificate
	Status *train.Verification
}

// issuedCertificate finds a certificate whose credential the record still
// holds: an erased person's is not shown.
func (s *Server) issuedCertificate(r *http.Request) (*train.IssuedCertificate, error) {
	c, err := s.train.IssuedCertificate(r.Context(), r.PathValue("id"))
	if apperr.Code(err) == apperr.NotFound || err == nil && len(c.Credential) == 0 {
		return nil, notFound("There is no certificate at this address. Check the address against the one on the certificate.")
	}
	return c, err
}

func (s *Server) certificatePage(w http.ResponseWriter, r *http.Request) error {
	c, err := s.issuedCertificate(r)
	if err != nil {
		return err
	}
	v, err := s.train.Verify(r.Context(), c.Credential)
	if err != nil {
		return err
	}
	w.Header().Set("X-Robots-Tag", "noindex")
	return s.show(w, r, http.StatusOK, "certificate", c.Name+": "+c.Holder, nil, certificatePage{Cert: c, Status: v})
}

func (s *Server) certificateCredential(w http.ResponseWriter, r *http.Request) error {
	c, err := s.issuedCertificate(r)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/vc")
	h.Set("Content-Disposition", `attachment; filename="`+strings.ToLower(c.Award)+"-"+c.ID+`.json"`)
	h.Set("X-Robots-Tag", "noindex")
	_, err = w.Write(c.Credential)
	return err
}

func (s *Server) certificatePDF(w http.ResponseWriter, r *http.Request) error {
	c, err := s.issuedCertificate(r)
	if err != nil {
		return err
	}
	pdf, err := s.certificatePDFBytes(c)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", `inline; filename="`+strings.ToLower(c.Award)+"-"+c.ID+`.pdf"`)
	h.Set("X-Robots-Tag", "noindex")
	_, err = w.Write(pdf)
	return err
}

// verifyPage is the verification form and, once used, what it found.
type verifyPage struct {
	Result *train.Verification
	Error  error
	Pasted string
}

func (s *Server) verifyForm(w http.ResponseWriter, r *http.Request) error {
	return s.show(w, r, http.StatusOK, "verify", "Check a certificate", nil, verifyPage{})
}

// verifyCredential checks the credential pasted into the form or chosen
// as a file (a file wins when both are given).
func (s *Server) verifyCredential(w http.ResponseWriter, r *http.Request) error {
	raw, fromFile, err := credentialFromForm(r)
	var page verifyPage
	if !fromFile {
		page.Pasted = string(raw)
	}
	if err == nil {
		page.Result, err = s.train.Verify(r.Context(), raw)
		if fromFile && apperr.Field(err) == "credential" {
			// What is wrong is the chosen file's.
			err = apperr.Invalidf("file", "%s", apperr.Message(err))
		}
	}
	if err != nil {
		return formFailure(err, func(status int) error {
			page.Error = err
			return s.show(w, r, status, "verify", "Check a certificate", nil, page)
		})
	}
	return s.show(w, r, http.StatusOK, "verify", "Check a certificate", nil, page)
}

// credentialFromForm reads the credential given in the form, and says
// whether it came from a chosen file.
func credentialFromForm(r *http.Request) ([]byte, bool, error) {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if err := r.ParseMultipartForm(maxBodyBytes); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return nil, true, apperr.Invalidf("file", "The file is larger than %d KB: a certificate's credential is a few KB.", tooBig.Limit>>10)
			}
			return nil, false, apperr.Invalidf("file", "The form could not be read.")
		}
		if f, _, err := r.FormFile("file"); err == nil {
			defer f.Close()
			b, err := io.ReadAll(io.LimitReader(f, train.MaxCredentialBytes+1))
			if err != nil {
				return nil, true, apperr.Invalidf("file", "The file could not be read.")
			}
			if len(strings.TrimSpace(string(b))) > 0 {
				return b, true, nil
			}
		}
		pasted := r.PostFormValue("credential")
		if unreadable(pasted) {
			return nil, false, apperr.Invalidf("credential", "What was pasted holds a NUL character or is not valid UTF-8: a credential is JSON text.")
		}
		return []byte(pasted), false, nil
	}
	if err := parseForm(r); err != nil {
		return nil, false, err
	}
	return []byte(r.PostForm.Get("credential")), false, nil
}

// apiVerify checks a credential sent as the request body.
func (s *Server) apiVerify(w http.ResponseWriter, r *http.Request) (int, any, error) {
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return 0, nil, apperr.Invalidf("body", "the body is larger than %d bytes", tooBig.Limit)
		}
		return 0, nil, apperr.Invalidf("body", "the body could not be read")
	}
	v, err := s.train.Verify(r.Context(), raw)
	return http.StatusOK, v, err
}

func (s *Server) didDocument(w http.ResponseWriter, r *http.Request) error {
	doc, err := s.train.DIDDocument(r.Context())
	if err != nil {
		return err
	}
	return writePublicJSON(w, "application/did+json", doc)
}

func (s *Server) statusList(w http.ResponseWriter, r *http.Request) error {
	n, err := strconv.Atoi(r.PathValue("list"))
	if err != nil {
		return notFound("There is no revocation list %q.", r.PathValue("list"))
	}
	list, err := s.train.StatusList(r.Context(), n)
	if err != nil {
		return err
	}
	return writePublicJSON(w, "application/vc", list)
}

// achievement describes what a curriculum's certificate in a specialism
// attests, at the address its credentials name.
func (s *Server) achievement(w http.ResponseWriter, r *http.Request) error {
	cu := s.train.Curricula().Curriculum(r.PathValue("curriculum"))
	sp := s.f.Specialism(r.PathValue("specialism"))
	if cu == nil || sp == nil || cu.Certificate == nil {
		return notFound("There is no such achievement.")
	}
	doc, err := json.MarshalIndent(map[string]any{
		"@context":        []string{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
		"id":              s.train.AchievementURL(cu.ID, sp.ID),
		"type":            []string{"Achievement"},
		"achievementType": "Certificate",
		"name":            cu.Certificate.Short + " in " + sp.Name,
		"description":     cu.Certificate.Name + " (" + cu.Certificate.Short + "), " + sp.Name + ", " + cu.Version + " curriculum.",
		"criteria":        map[string]string{"narrative": cu.Certificate.Criteria},
		"fieldOfStudy":    sp.Name,
	}, "", "  ")
	if err != nil {
		return err
	}
	return writePublicJSON(w, "application/json", doc)
}

// writePublicJSON answers with a document anyone may fetch and cache for a
// minute: a revocation reaches checkers within that.
func writePublicJSON(w http.ResponseWriter, contentType string, body []byte) error {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", "public, max-age=60")
	h.Set("Access-Control-Allow-Origin", "*")
	_, err := w.Write(body)
	return err
}

// Actions on a trainee's record.

func (s *Server) revokeCertificate(r *http.Request, t *train.Trainee) (string, error) {
	c, err := s.train.RevokeCertificate(r.Context(), actor(r), t.ID, r.PathValue("cert"), r.PostForm.Get("reason"))
	if err != nil {
		return "", err
	}
	return "The " + c.Award + " certificate is revoked: anyone who checks it is told so.", nil
}

func (s *Server) reissueCertificate(r *http.Request, t *train.Trainee) (string, error) {
	c, err := s.train.IssueCertificate(r.Context(), actor(r), t.ID)
	if err != nil {
		return "", err
	}
	return "A new " + c.Award + " certificate is issued.", nil
}

// certificateView is a certificate on a trainee's record, without its
// credential's bytes.
type certificateView struct {
	train.Certificate
	URL string `json:"url"`
}

func (s *Server) certificateViews(r *http.Request, t *train.Trainee) ([]certificateView, error) {
	certs, err := s.train.CertificatesOf(r.Context(), t.ID)
	out := make([]certificateView, len(certs))
	for i, c := range certs {
		out[i] = certificateView{Certificate: c, URL: s.train.CertificateURL(c.ID)}
	}
	return out, err
}

func (s *Server) apiCertificates(w http.ResponseWriter, r *http.Request) (int, any, error) {
	t, err := s.pathTrainee(r, auth.ActionTrainingView)
	if err != nil {
		return 0, nil, err
	}
	certs, err := s.certificateViews(r, t)
	return http.StatusOK, map[string]any{"certificates": certs}, err
}

type revokeRequest struct {
	Reason string `json:"reason"`
}

func (s *Server) apiRevokeCertificate(w http.ResponseWriter, r *http.Request) (int, any, error) {
	t, err := s.pathTrainee(r, auth.ActionTrainingReview)
	if err != nil {
		return 0, nil, err
	}
	var req revokeRequest
	if err := decodeJSON(r, &req); err != nil {
		return 0, nil, err
	}
	c, err := s.train.RevokeCertificate(r.Context(), actor(r), t.ID, r.PathValue("cert"), req.Reason)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, certificateView{Certificate: *c, URL: s.train.CertificateURL(c.ID)}, nil
}

func (s *Server) apiIssueCertificate(w http.ResponseWriter, r *http.Request) (int, any, error) {
	t, err := s.pathTrainee(r, auth.ActionTrainingReview)
	if err != nil {
		return 0, nil, err
	}
	c, err := s.train.IssueCertificate(r.Context(), actor(r), t.ID)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, certificateView{Certificate: *c, URL: s.train.CertificateURL(c.ID)}, nil
}

// A trainee's whole record, to take elsewhere: as a JSON archive, and as
// xAPI 2.0 statements for a learning record store. Each holds what its
// viewer may see of the record.

func (s *Server) archiveDownload(w http.ResponseWriter, r *http.Request) error {
	t, err := s.pathTrainee(r, auth.ActionTrainingView)
	if err != nil {
		return err
	}
	a, err := s.train.Export(r.Context(), t.ID, principal(r).User.ID)
	if err != nil {
		return err
	}
	return writeDownload(w, fmt.Sprintf("training-record-%d.json", t.ID), a)
}

func (s *Server) statementsDownload(w http.ResponseWriter, r *http.Request) error {
	t, err := s.pathTrainee(r, auth.ActionTrainingView)
	if err != nil {
		return err
	}
	st, err := s.train.Statements(r.Context(), t.ID, principal(r).User.ID)
	if err != nil {
		return err
	}
	return writeDownload(w, fmt.Sprintf("training-record-%d-xapi.json", t.ID), st)
}

// writeDownload answers with JSON to save as a file.
func writeDownload(w http.ResponseWriter, filename string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	_, err = w.Write(b)
	return err
}

func (s *Server) apiArchive(w http.ResponseWriter, r *http.Request) (int, any, error) {
	t, err := s.pathTrainee(r, auth.ActionTrainingView)
	if err != nil {
		return 0, nil, err
	}
	a, err := s.train.Export(r.Context(), t.ID, principal(r).User.ID)
	return http.StatusOK, a, err
}

func (s *Server) apiStatements(w http.ResponseWriter, r *http.Request) (int, any, error) {
	t, err := s.pathTrainee(r, auth.ActionTrainingView)
	if err != nil {
		return 0, nil, err
	}
	st, err := s.train.Statements(r.Context(), t.ID, principal(r).User.ID)
	return http.StatusOK, map[string]any{"statements": st}, err
}
