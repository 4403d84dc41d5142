package web_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"hcs/internal/auth"
	"hcs/internal/credential"
	"hcs/internal/database"
	"hcs/internal/testkit"
)

// publishedKey reads the key a credential's proof names from the issuer's
// DID document at /.well-known/did.json, as a verifier elsewhere would.
func publishedKey(t *testing.T, w *trainingWorld, signed []byte) ed25519.PublicKey {
	t.Helper()
	claims, err := credential.Read(signed)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		ID                 string `json:"id"`
		VerificationMethod []struct {
			ID                 string `json:"id"`
			PublicKeyMultibase string `json:"publicKeyMultibase"`
		} `json:"verificationMethod"`
		AssertionMethod []string `json:"assertionMethod"`
	}
	if err := json.Unmarshal(w.get(t, "/.well-known/did.json"), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.ID != claims.IssuerID {
		t.Fatalf("the DID document is %s; the credential's issuer %s", doc.ID, claims.IssuerID)
	}
	for _, m := range doc.VerificationMethod {
		if m.ID == claims.VerificationMethod {
			key, err := credential.ParsePublicMultikey(m.PublicKeyMultibase)
			if err != nil {
				t.Fatal(err)
			}
			return key
		}
	}
	t.Fatalf("the DID document does not list %s", claims.VerificationMethod)
	return nil
}

// A certificate issued on completion verifies with tools that share
// nothing with hcs, against the key the issuer publishes; one changed
// byte fails. After the school revokes it through the record page, the
// revocation list (read independently), the certificate's page, the
// verification page and the API all say so. The PDF carries the holder's
// name as written.
func TestCertificateVerifiesIndependentlyAndRevokes(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		w := newTrainingWorld(t, db, 1)
		me, school := w.Applicants[0], w.School
		tr := w.Enrol(t, 0)
		w.Clock.Set(testkit.Day(400))
		_, cert := testkit.FinishTraining(t, w.Train, tr, auth.Actor{UserID: me.ID}, auth.Actor{UserID: w.Supervisors[0].ID}, auth.Actor{UserID: school.ID}, "2028-01-10")
		page := "/certificates/" + cert.ID
		signed := w.get(t, page+"/credential.json")
		if !bytes.Equal(signed, cert.Credential) {
			t.Fatal("the downloaded credential differs from the one issued")
		}
		key := publishedKey(t, w, signed)
		if ok, out := testkit.VerifiedIndependently(t, signed, key); !ok {
			t.Fatalf("OpenSSL did not verify the issued certificate against the published key:\n%s", out)
		}
		changed := bytes.Replace(signed, []byte(me.Name), []byte(me.Name+"x"), 1)
		if ok, _ := testkit.VerifiedIndependently(t, changed, key); ok {
			t.Fatal("OpenSSL verified a certificate with a changed name")
		}
		list := "/credentials/status/" + strconv.Itoa(cert.StatusList)
		if testkit.StatusBitIndependently(t, w.get(t, list), cert.StatusIndex) {
			t.Fatal("the revocation list marks a certificate nobody revoked")
		}
		w.want(w.as(nil, "GET", page, nil), 200, me.Name, "Genuine and in force", "HCPC", "CCSTP")

		// The school revokes it on the record page; a reason is needed.
		record := "/training/trainees/" + strconv.FormatInt(tr.ID, 10)
		w.want(w.as(school, "GET", record, nil), 200, "Revoke this certificate")
		revoke := record + "/certificates/" + cert.ID + "/revoke"
		w.want(w.as(w.Supervisors[0], "POST", revoke, url.Values{"reason": {"x"}}), 403)
		w.want(w.as(school, "POST", revoke, url.Values{"reason": {""}}), 400, "Say why the certificate is revoked")
		w.want(w.as(school, "POST", revoke, url.Values{"reason": {"Issued with the wrong name"}}), 303)
		w.want(w.as(school, "GET", record, nil), 200, "was revoked on", "Issued with the wrong name", "Issue a new certificate")

		if !testkit.StatusBitIndependently(t, w.get(t, list), cert.StatusIndex) {
			t.Fatal("the revocation list does not mark the revoked certificate")
		}
		body := w.want(w.as(nil, "GET", page, nil), 200, "Revoked", "revoked it on", "no longer stands")
		if strings.Contains(body, "What it leads to") {
			t.Error("the revoked certificate's page still says what it leads to")
		}
		revokedPDF := w.get(t, page+"/certificate.pdf")
		w.want(w.as(nil, "POST", "/verify", url.Values{"credential": {string(signed)}}), 200, "Revoked", "Signature: passed", "Not revoked: failed")
		// A changed credential: its claims are not shown as facts, and the
		// checks after the signature are not made.
		body = w.want(w.as(nil, "POST", "/verify", url.Values{"credential": {string(changed)}}), 200, "Signature: failed", "In force: not checked")
		if strings.Contains(body, "Awarded to") {
			t.Error("the verification page shows a changed credential's holder as a fact")
		}
		var v map[string]any
		rec := httptest.NewRecorder()
		w.h.ServeHTTP(rec, httptest.NewRequest("POST", "/api/v1/credentials/verify", bytes.NewReader(signed)))
		if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil || v["revoked"] != true || v["valid"] != false {
			t.Fatalf("the API after revocation: %d %s", rec.Code, rec.Body)
		}

		// A new certificate, checked by uploading its file.
		w.want(w.as(school, "POST", record+"/certificates", url.Values{}), 303)
		certs, err := w.Train.CertificatesOf(t.Context(), tr.ID)
		if err != nil || len(certs) != 2 || !certs[0].Live() {
			t.Fatalf("certificates after issuing again: %d, %v", len(certs), err)
		}
		var form bytes.Buffer
		mw := multipart.NewWriter(&form)
		fw, _ := mw.CreateFormFile("file", "ccstp.json")
		fw.Write(certs[0].Credential)
		mw.WriteField("credential", "")
		mw.Close()
		req := httptest.NewRequest("POST", "/verify", &form)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		rec = httptest.NewRecorder()
		w.h.ServeHTTP(rec, req)
		w.want(rec, 200, "Genuine and in force", "This is a genuine certificate")
		w.want(w.as(me, "GET", "/trainee", nil), 200, "/certificates/"+certs[0].ID)

		// The PDF, read back by poppler's pdftotext.
		pdf := w.get(t, "/certificates/"+certs[0].ID+"/certificate.pdf")
		if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Fatalf("not a PDF: %q", pdf[:min(20, len(pdf))])
		}
		if _, err := exec.LookPath("pdftotext"); err != nil {
			testkit.RequireOrSkip(t, "pdftotext (poppler-utils) is not installed")
		}
		file := filepath.Join(t.TempDir(), "c.pdf")
		os.WriteFile(file, pdf, 0o644)
		out, err := exec.Command("pdftotext", "-layout", file, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(strings.Fields(string(out)), " ")
		os.WriteFile(file, revokedPDF, 0o644)
		revokedOut, err := exec.Command("pdftotext", "-layout", file, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		if rt := strings.Join(strings.Fields(string(revokedOut)), " "); !strings.Contains(rt, "REVOKED on") || strings.Contains(rt, "This certifies that") {
			t.Errorf("the revoked certificate's PDF: %s", rt)
		}
		for _, want := range []string{me.Name, "Certificate of Completion of the Scientist Training Programme", "Audiology", certs[0].ID} {
			if !strings.Contains(text, want) {
				t.Errorf("the PDF's text lacks %q: %s", want, text)
			}
		}
	})
}

// Bad input to the public certificate pages gets a clear answer.
func TestCertificatePagesRefuseBadInput(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		w := newTrainingWorld(t, db, 1)
		w.want(w.as(nil, "GET", "/certificates/not-a-certificate", nil), 404, "no certificate at this address")
		w.want(w.as(nil, "GET", "/certificates/not-a-certificate/certificate.pdf", nil), 404)
		w.want(w.as(nil, "GET", "/credentials/status/abc", nil), 404)
		w.want(w.as(nil, "GET", "/credentials/status/7", nil), 404, "no revocation list 7")
		w.want(w.as(nil, "GET", "/achievements/stp-2023/nowhere", nil), 404)
		w.want(w.as(nil, "POST", "/verify", url.Values{"credential": {""}}), 400, "Paste the certificate")
		w.want(w.as(nil, "POST", "/verify", url.Values{"credential": {"{not json"}}), 400, "not a credential that can be checked")
		w.want(w.as(nil, "GET", "/verify", nil), 200, "Check a certificate")
		rec := httptest.NewRecorder()
		w.h.ServeHTTP(rec, httptest.NewRequest("GET", "/.well-known/did.json", nil))
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/did+json" || !strings.Contains(rec.Body.String(), "did:web:") {
			t.Errorf("DID document: %d %s %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
		}
	})
}

// Checking certificates has its own allowance: an office checking many
// does not use up its network's sign-ins.
func TestCheckingCertificatesLeavesSignInsAlone(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		w := newTrainingWorld(t, db, 1)
		for i := range 40 {
			if rec := w.as(nil, "POST", "/verify", url.Values{"credential": {"{}"}}); rec.Code == http.StatusTooManyRequests {
				t.Fatalf("check %d was refused as too many", i+1)
			}
		}
		if rec := w.as(nil, "POST", "/sign-in", url.Values{"email": {"nobody@example.org"}, "password": {"wrong password"}}); rec.Code == http.StatusTooManyRequests {
			t.Error("forty certificate checks used up the address's sign-ins")
		}
	})
}
