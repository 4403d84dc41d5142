package train_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"hcs/internal/apperr"
	"hcs/internal/credential"
	"hcs/internal/database"
	"hcs/internal/testkit"
	"hcs/internal/train"
)

// finished stages one trainee and takes them to completion.
func finished(t *testing.T, db *database.DB) (*testkit.StagedTraining, *train.Trainee, *train.Certificate) {
	t.Helper()
	st := testkit.StageTraining(t, db, 1)
	tr := st.Enrol(t, 0)
	st.Clock.Set(testkit.Day(400))
	tr, cert := testkit.FinishTraining(t, st.Train, tr, actor(st.Applicants[0]), actor(st.Supervisors[0]), actor(st.School), "2028-01-10")
	return st, tr, cert
}

// Completion issues the certificate: an Open Badges credential signed
// with the issuer's key, naming the trainee, the award and the
// specialism, with a revocation list entry; the issuer's DID document
// lists the key; the verification finds it genuine.
func TestCompletionIssuesAVerifiableCertificate(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		st, tr, cert := finished(t, db)
		svc := st.Train
		if tr.Status != train.TraineeCompleted || cert.Award != "CCSTP" || !cert.Live() || cert.StatusList != 1 {
			t.Fatalf("trainee %+v, certificate %+v", tr, cert)
		}
		pub := testkit.IssuerKey.Public().(ed25519.PublicKey)
		if err := credential.Verify(cert.Credential, pub); err != nil {
			t.Fatal(err)
		}
		claims := must[*credential.Claims](t)(credential.Read(cert.Credential))
		if claims.HolderName != st.Applicants[0].Name || claims.AchievementName != "CCSTP in Audiology" || claims.IssuerID != "did:web:hcs.test" ||
			claims.ID != svc.CertificateURL(cert.ID) || claims.Status.ListURL != svc.StatusListURL(1) || claims.Status.Index != cert.StatusIndex {
			t.Errorf("claims %+v", claims)
		}
		doc := must[[]byte](t)(svc.DIDDocument(ctx))
		if !bytes.Contains(doc, []byte(credential.PublicMultikey(pub))) || !bytes.Contains(doc, []byte(claims.VerificationMethod)) {
			t.Errorf("the DID document does not list the signing key:\n%s", doc)
		}
		v := must[*train.Verification](t)(svc.Verify(ctx, cert.Credential))
		if !v.Valid || v.Revoked || len(v.Checks) != 4 || v.Holder != st.Applicants[0].Name {
			t.Errorf("verification %+v", v)
		}
		page := must[*train.IssuedCertificate](t)(svc.IssuedCertificate(ctx, cert.ID))
		if page.Holder != st.Applicants[0].Name || page.Specialism != "Audiology" || !strings.Contains(page.Registration, "HCPC") {
			t.Errorf("certificate page %+v", page)
		}
		// One live certificate: another is refused until it is revoked.
		_, err := svc.IssueCertificate(ctx, actor(st.School), tr.ID)
		wantCode(t, err, apperr.Conflict)
		if n := testkit.AuditCount(t, db, "certificate.issue"); n != 1 {
			t.Errorf("%d issues audited, want 1", n)
		}
	})
}

// A certificate is revoked with a reason, once; the revocation list
// marks it, so the verification reports it revoked; a new certificate
// then takes another index and verifies.
func TestRevocationThroughTheStatusList(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		st, tr, cert := finished(t, db)
		svc, school := st.Train, actor(st.School)
		_, err := svc.RevokeCertificate(ctx, school, cert.TraineeID, cert.ID, "  ")
		wantCode(t, err, apperr.Invalid)
		_, err = svc.RevokeCertificate(ctx, school, cert.TraineeID, "no-such-certificate", "Wrong name")
		wantCode(t, err, apperr.NotFound)
		revoked := must[*train.Certificate](t)(svc.RevokeCertificate(ctx, school, cert.TraineeID, cert.ID, "Issued with the wrong name"))
		if revoked.Live() || revoked.RevokedReason != "Issued with the wrong name" {
			t.Errorf("revoked %+v", revoked)
		}
		_, err = svc.RevokeCertificate(ctx, school, cert.TraineeID, cert.ID, "Again")
		wantCode(t, err, apperr.Conflict)

		list := must[[]byte](t)(svc.StatusList(ctx, 1))
		if err := credential.Verify(list, testkit.IssuerKey.Public().(ed25519.PublicKey)); err != nil {
			t.Fatalf("the status list's proof: %v", err)
		}
		bits := must[credential.StatusList](t)(credential.ReadStatusList(list))
		if on, _ := bits.Get(cert.StatusIndex); !on {
			t.Error("the status list does not mark the revoked certificate")
		}
		v := must[*train.Verification](t)(svc.Verify(ctx, cert.Credential))
		if v.Valid || !v.Revoked || v.RevokedAt == nil || !strings.Contains(v.Summary, "revoked") {
			t.Errorf("verification after revocation %+v", v)
		}
		_, err = svc.StatusList(ctx, 2)
		wantCode(t, err, apperr.NotFound)

		again := must[*train.Certificate](t)(svc.IssueCertificate(ctx, school, tr.ID))
		if again.ID == cert.ID || again.StatusIndex == cert.StatusIndex && again.StatusList == cert.StatusList {
			t.Errorf("the new certificate reuses the old one's id or index: %+v", again)
		}
		if v := must[*train.Verification](t)(svc.Verify(ctx, again.Credential)); !v.Valid {
			t.Errorf("the new certificate: %+v", v)
		}
		all := must[[]train.Certificate](t)(svc.CertificatesOf(ctx, tr.ID))
		if len(all) != 2 || !all[0].Live() || all[1].Live() || all[0].ID != again.ID {
			t.Errorf("certificates: %d, the first live %v, the second live %v", len(all), all[0].Live(), all[1].Live())
		}
		history := testkit.AuditCount(t, db, "certificate.revoke")
		if history != 1 {
			t.Errorf("%d revocations audited", history)
		}
	})
}

// What is not a genuine certificate of this issuer fails one named check;
// what is not a credential at all is refused with the reason.
func TestVerificationNamesWhatFails(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		st, _, cert := finished(t, db)
		svc := st.Train
		failed := func(raw []byte, check string) {
			t.Helper()
			v := must[*train.Verification](t)(svc.Verify(ctx, raw))
			i := slices.IndexFunc(v.Checks, func(c train.Check) bool { return !c.Passed && !c.Skipped })
			if v.Valid || i < 0 || v.Checks[i].Name != check || len(v.Checks) != 4 {
				t.Errorf("want the %q check to fail, and the rest not made: %+v", check, v)
			}
			if check == "Issuer" || check == "Signature" {
				if v.Holder != "" || v.Awarded != "" || v.IssuedAt != nil {
					t.Errorf("the claims of a credential whose %s failed are given as facts: %+v", check, v)
				}
			}
		}
		failed(bytes.Replace(cert.Credential, []byte("Audiology"), []byte("Audiologz"), 1), "Signature")
		// Signed by someone else with this issuer's name.
		_, other, _ := ed25519.GenerateKey(nil)
		forger := must[*credential.Issuer](t)(credential.NewIssuer(testkit.PublicURL, train.IssuerName, other))
		claims := must[*credential.Claims](t)(credential.Read(cert.Credential))
		forged := must[[]byte](t)(forger.Issue(credential.Badge{ID: claims.ID, Name: claims.Name, HolderName: "Mallory", AchievementID: "https://x/a",
			AchievementName: claims.AchievementName, Criteria: "c", Status: claims.Status}, testkit.Day(400)))
		failed(forged, "Signature")
		// Another issuer altogether.
		elsewhere := must[*credential.Issuer](t)(credential.NewIssuer("https://badges.example.org", "Elsewhere", other))
		failed(must[[]byte](t)(elsewhere.Issue(credential.Badge{ID: "https://badges.example.org/1", HolderName: "M", AchievementID: "https://x/a",
			AchievementName: "A", Criteria: "c"}, testkit.Day(400))), "Issuer")
		// Our key, but no revocation entry.
		ours := must[*credential.Issuer](t)(credential.NewIssuer(testkit.PublicURL, train.IssuerName, testkit.IssuerKey))
		failed(must[[]byte](t)(ours.Issue(credential.Badge{ID: claims.ID, HolderName: "M", AchievementID: "https://x/a",
			AchievementName: "A", Criteria: "c"}, testkit.Day(400))), "Not revoked")
		// Not yet in force.
		failed(must[[]byte](t)(ours.Issue(credential.Badge{ID: claims.ID, HolderName: "M", AchievementID: "https://x/a",
			AchievementName: "A", Criteria: "c", Status: claims.Status}, testkit.Day(900))), "In force")

		list := must[[]byte](t)(svc.StatusList(ctx, 1))
		for _, raw := range []string{"", "   ", "not json", `{"type": ["VerifiableCredential"]}`, `[1, 2]`, strings.Repeat(" ", train.MaxCredentialBytes+1),
			string(list), strings.Replace(string(cert.Credential), `"proof":{`, `"proof":[{`, 1)} {
			_, err := svc.Verify(ctx, []byte(raw))
			wantCode(t, err, apperr.Invalid)
		}
		// A byte order mark before the JSON is not part of it.
		if v := must[*train.Verification](t)(svc.Verify(ctx, append([]byte("\xef\xbb\xbf"), cert.Credential...))); !v.Valid {
			t.Errorf("a credential saved with a byte order mark: %+v", v)
		}
		// A JSON key given twice could be read two ways: refused.
		dup := bytes.Replace(cert.Credential, []byte(`"name":`), []byte(`"name":"Someone else","name":`), 1)
		_, err := svc.Verify(ctx, dup)
		wantCode(t, err, apperr.Invalid)
	})
}

// Without an issuer key, completion is refused and the record stays as
// it was; bringing in a new key keeps the old one in the DID document, so
// certificates signed before still verify.
func TestIssuerKeys(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		st := testkit.StageTraining(t, db, 2)
		first, second := st.Enrol(t, 0), st.Enrol(t, 1)
		st.Clock.Set(testkit.Day(400))
		_, cert := testkit.FinishTraining(t, st.Train, first, actor(st.Applicants[0]), actor(st.Supervisors[0]), actor(st.School), "2028-01-10")
		bare := train.NewService(db.Training(), testkit.Framework(t), testkit.Curricula(t), testkit.PublicURL)
		if bare.CanIssue() {
			t.Fatal("a service without a key can issue")
		}
		// The second trainee meets every requirement, but without a key
		// completion is refused and the record stays open.
		cu := bare.Curricula().Curriculum(second.Curriculum)
		for _, m := range cu.Modules {
			e := must[*train.Evidence](t)(bare.AddEvidence(ctx, actor(st.Applicants[1]), second.ID, train.Draft{Kind: train.EvidenceReflection,
				Module: m.Code, Title: "On " + m.Code, OccurredOn: "2028-01-10", Body: "b"}))
			must[*train.Evidence](t)(bare.SubmitEvidence(ctx, actor(st.Applicants[1]), e.ID))
			if !m.Optional {
				must[*train.SignOff](t)(bare.SignOff(ctx, actor(st.Supervisors[0]), second.ID, m.Code, ""))
			}
		}
		for _, rec := range cu.Records() {
			must[*train.Record](t)(bare.AddRecord(ctx, actor(st.School), second.ID, rec, "2028-01-10"))
		}
		_, err := bare.Complete(ctx, actor(st.School), second.ID)
		wantCode(t, err, apperr.Unavailable)
		if p := must[*train.Portfolio](t)(bare.Portfolio(ctx, second.ID)); p.Trainee.Status != train.TraineeActive {
			t.Errorf("after the refused completion the record is %s", p.Trainee.Status)
		}
		_, next, _ := ed25519.GenerateKey(nil)
		if err := bare.UseIssuer(ctx, next); err != nil {
			t.Fatal(err)
		}
		var doc struct {
			AssertionMethod []string `json:"assertionMethod"`
		}
		if err := json.Unmarshal(must[[]byte](t)(bare.DIDDocument(ctx)), &doc); err != nil || len(doc.AssertionMethod) != 2 {
			t.Fatalf("DID document keys %v, %v; want the old and the new", doc.AssertionMethod, err)
		}
		if v := must[*train.Verification](t)(bare.Verify(ctx, cert.Credential)); !v.Valid {
			t.Errorf("a certificate signed with the older key: %+v", v)
		}
		must[*train.Trainee](t)(bare.Complete(ctx, actor(st.School), second.ID))
		certs := must[[]train.Certificate](t)(bare.CertificatesOf(ctx, second.ID))
		if len(certs) != 1 || !strings.HasSuffix(must[*credential.Claims](t)(credential.Read(certs[0].Credential)).VerificationMethod, credential.PublicMultikey(next.Public().(ed25519.PublicKey))) {
			t.Error("the certificate after the new key is not signed with it")
		}
	})
}

// Eight requests issuing a certificate at once give one; eight revoking
// one at once revoke it once.
func TestConcurrentIssueAndRevoke(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		st, tr, cert := finished(t, db)
		svc, school := st.Train, actor(st.School)
		testkit.WarmPool(t, db, 8)
		var revoked atomic.Int32
		testkit.Together(8, func(i int) {
			if _, err := svc.RevokeCertificate(ctx, school, cert.TraineeID, cert.ID, "Wrong name"); err == nil {
				revoked.Add(1)
			} else if apperr.Code(err) != apperr.Conflict {
				t.Errorf("revocation %d: %v", i, err)
			}
		})
		var issued atomic.Int32
		testkit.Together(8, func(i int) {
			if _, err := svc.IssueCertificate(ctx, school, tr.ID); err == nil {
				issued.Add(1)
			} else if apperr.Code(err) != apperr.Conflict {
				t.Errorf("issue %d: %v", i, err)
			}
		})
		if revoked.Load() != 1 || issued.Load() != 1 {
			t.Errorf("%d revocations and %d issues succeeded, want 1 each", revoked.Load(), issued.Load())
		}
		certs := must[[]train.Certificate](t)(svc.CertificatesOf(ctx, tr.ID))
		if len(certs) != 2 {
			t.Errorf("%d certificates, want 2", len(certs))
		}
	})
}
