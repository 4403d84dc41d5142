package testkit

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// independentTools skips (or, in CI, fails) a test when node, OpenSSL or
// the npm packages the independent checks use are missing.
func independentTools(tb testing.TB) string {
	tb.Helper()
	for _, tool := range []string{"node", "openssl"} {
		if _, err := exec.LookPath(tool); err != nil {
			RequireOrSkip(tb, "%s is not installed", tool)
		}
	}
	root := moduleRoot()
	if _, err := os.Stat(filepath.Join(root, "node_modules", "canonicalize")); err != nil {
		RequireOrSkip(tb, "npm packages are not installed (run make assets)")
	}
	return root
}

// VerifiedIndependently checks a credential's eddsa-jcs-2022 proof with
// tools that share nothing with hcs: the npm canonicalize package rebuilds
// the signed bytes (tools/credential-signing-input.mjs) and OpenSSL checks
// the Ed25519 signature against the public key. It returns OpenSSL's
// verdict and what it printed.
func VerifiedIndependently(tb testing.TB, signed []byte, pub ed25519.PublicKey) (bool, string) {
	tb.Helper()
	root := independentTools(tb)
	dir := tb.TempDir()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		tb.Fatal(err)
	}
	keyFile, in := filepath.Join(dir, "issuer.pem"), filepath.Join(dir, "signed.json")
	data, sig := filepath.Join(dir, "data.bin"), filepath.Join(dir, "sig.bin")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(in, signed, 0o644); err != nil {
		tb.Fatal(err)
	}
	node := exec.Command("node", filepath.Join(root, "tools", "credential-signing-input.mjs"), in, data, sig)
	node.Dir = root
	if out, err := node.CombinedOutput(); err != nil {
		tb.Fatalf("node: %v\n%s", err, out)
	}
	out, err := exec.Command("openssl", "pkeyutl", "-verify", "-pubin", "-inkey", keyFile, "-rawin", "-in", data, "-sigfile", sig).CombinedOutput()
	return err == nil && strings.Contains(string(out), "Signature Verified Successfully"), string(out)
}

// StatusBitIndependently reads the bit at index of a
// BitstringStatusListCredential with node's own gunzip and base64url
// (tools/status-list-bit.mjs): true when it marks the credential revoked.
func StatusBitIndependently(tb testing.TB, statusList []byte, index int) bool {
	tb.Helper()
	root := independentTools(tb)
	in := filepath.Join(tb.TempDir(), "status.json")
	if err := os.WriteFile(in, statusList, 0o644); err != nil {
		tb.Fatal(err)
	}
	node := exec.Command("node", filepath.Join(root, "tools", "status-list-bit.mjs"), in, strconv.Itoa(index))
	node.Dir = root
	out, err := node.CombinedOutput()
	if err != nil {
		tb.Fatalf("node: %v\n%s", err, out)
	}
	switch strings.TrimSpace(string(out)) {
	case "1":
		return true
	case "0":
		return false
	}
	tb.Fatalf("status-list-bit printed %q", out)
	return false
}
