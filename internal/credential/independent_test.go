package credential_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
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
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	for _, tool := range []string{"node", "openssl"} {
		if _, err := exec.LookPath(tool); err != nil {
			testkit.RequireOrSkip(t, "%s is not installed", tool)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "node_modules", "canonicalize")); err != nil {
		testkit.RequireOrSkip(t, "npm packages are not installed (run make assets)")
	}
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
	der, err := x509.MarshalPKIXPublicKey(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "issuer.pem")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	verify := func(credentialJSON []byte) (string, error) {
		in, data, sig := filepath.Join(dir, "signed.json"), filepath.Join(dir, "data.bin"), filepath.Join(dir, "sig.bin")
		if err := os.WriteFile(in, credentialJSON, 0o644); err != nil {
			t.Fatal(err)
		}
		node := exec.Command("node", filepath.Join(root, "tools", "credential-signing-input.mjs"), in, data, sig)
		node.Dir = root
		if out, err := node.CombinedOutput(); err != nil {
			t.Fatalf("node: %v\n%s", err, out)
		}
		out, err := exec.Command("openssl", "pkeyutl", "-verify", "-pubin", "-inkey", keyFile, "-rawin", "-in", data, "-sigfile", sig).CombinedOutput()
		return string(out), err
	}
	if out, err := verify(signed); err != nil || !bytes.Contains([]byte(out), []byte("Signature Verified Successfully")) {
		t.Fatalf("OpenSSL did not verify hcs's signature: %v\n%s", err, out)
	}
	changed := bytes.Replace(signed, []byte("Audiology"), []byte("Audiologz"), 1)
	if bytes.Equal(changed, signed) {
		t.Fatal("the change did not apply")
	}
	if out, err := verify(changed); err == nil {
		t.Fatalf("OpenSSL verified a changed credential:\n%s", out)
	}
	// Our own check agrees both ways.
	if err := credential.Verify(signed, priv.Public().(ed25519.PublicKey)); err != nil {
		t.Error(err)
	}
	if err := credential.Verify(changed, priv.Public().(ed25519.PublicKey)); err == nil {
		t.Error("hcs verified the changed credential")
	}
}
