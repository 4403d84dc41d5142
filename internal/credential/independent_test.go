package credential_test

import (
	"bytes"
	"crypto/ed25519"
	"testing"
	"time"

	"hcs/internal/credential"
	"hcs/internal/testkit"
)

// A credential hcs signs verifies with tools that share nothing with it:
// the npm canonicalize package rebuilds the signed bytes
// (tools/credential-signing-input.mjs) and OpenSSL checks the Ed25519
// signature against the issuer's public key. One changed byte fails.
func TestIndependentVerifierAcceptsOurSignature(t *testing.T) {
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	unsigned := []byte(`{
  "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
  "type": ["VerifiableCredential", "OpenBadgeCredential"],
  "issuer": {"id": "https://hcs.example.nhs.uk/issuers/nshcs", "type": ["Profile"], "name": "National School of Healthcare Science"},
  "validFrom": "2026-09-30T00:00:00Z",
  "name": "Certificate of Completion of the Scientist Training Programme",
  "credentialSubject": {"type": ["AchievementSubject"], "achievement": {"type": ["Achievement"], "name": "CCSTP – Audiology", "criteria": {"narrative": "100% of the e-portfolio, the Final Year Assessment and the MSc"}}},
  "note": "Ünïcödé, <tags> & a number 1.50"
}`)
	signed, err := credential.Sign(unsigned, priv, credential.Options{Created: time.Date(2026, 9, 30, 12, 0, 0, 0, time.UTC),
		VerificationMethod: "https://hcs.example.nhs.uk/.well-known/issuer-key#key-1", ProofPurpose: "assertionMethod"})
	if err != nil {
		t.Fatal(err)
	}
	pub := priv.Public().(ed25519.PublicKey)
	if ok, out := testkit.VerifiedIndependently(t, signed, pub); !ok {
		t.Fatalf("OpenSSL did not verify hcs's signature:\n%s", out)
	}
	changed := bytes.Replace(signed, []byte("Audiology"), []byte("Audiologz"), 1)
	if bytes.Equal(changed, signed) {
		t.Fatal("the change did not apply")
	}
	if ok, out := testkit.VerifiedIndependently(t, changed, pub); ok {
		t.Fatalf("OpenSSL verified a changed credential:\n%s", out)
	}
	// Our own check agrees both ways.
	if err := credential.Verify(signed, pub); err != nil {
		t.Error(err)
	}
	if err := credential.Verify(changed, pub); err == nil {
		t.Error("hcs verified the changed credential")
	}
}
