package credential

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// The W3C test vector for eddsa-jcs-2022, from the Data Integrity EdDSA
// Cryptosuites specification's repository (w3c/vc-di-eddsa,
// TestVectors/keyPair.json and TestVectors/eddsa-jcs-2022/signedJCS.json
// at abb673e).
const (
	vectorPublicKey  = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
	vectorPrivateKey = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
	vectorProofValue = "z2HnFSSPPBzR36zdDgK8PbEHeXbR56YF24jwMpt3R1eHXQzJDMWS93FCzpvJpwTWd3GAVFuUfjoJdcnTMuVor51aX"
	vectorMethod     = "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
	vectorUnsigned   = `{
  "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
  "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
  "type": ["VerifiableCredential", "AlumniCredential"],
  "name": "Alumni Credential",
  "description": "A minimum viable example of an Alumni Credential.",
  "issuer": "https://vc.example/issuers/5678",
  "validFrom": "2023-01-01T00:00:00Z",
  "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"}
}`
	vectorProof = `{
  "type": "DataIntegrityProof",
  "cryptosuite": "eddsa-jcs-2022",
  "created": "2023-02-24T23:36:38Z",
  "verificationMethod": "` + vectorMethod + `",
  "proofPurpose": "assertionMethod",
  "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
  "proofValue": "` + vectorProofValue + `"
}`
)

func vectorSigned() []byte {
	return []byte(strings.TrimSuffix(vectorUnsigned, "\n}") + `,
  "proof": ` + vectorProof + "\n}")
}

func TestW3CTestVector(t *testing.T) {
	pub, err := ParsePublicMultikey(vectorPublicKey)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := ParsePrivateMultikey(vectorPrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(priv.Public().(ed25519.PublicKey), pub) {
		t.Fatal("the vector's private key does not give its public key")
	}
	if PublicMultikey(pub) != vectorPublicKey || PrivateMultikey(priv) != vectorPrivateKey {
		t.Error("multikeys do not round-trip")
	}
	// The vector's signed credential verifies.
	if err := Verify(vectorSigned(), pub); err != nil {
		t.Fatalf("the W3C vector does not verify: %v", err)
	}
	// Signing its document with its key and options gives its proof
	// value byte for byte (Ed25519 is deterministic).
	signed, err := Sign([]byte(vectorUnsigned), priv, Options{
		Created: time.Date(2023, 2, 24, 23, 36, 38, 0, time.UTC), VerificationMethod: vectorMethod, ProofPurpose: "assertionMethod"})
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Proof struct {
			ProofValue string `json:"proofValue"`
		} `json:"proof"`
	}
	if err := json.Unmarshal(signed, &out); err != nil || out.Proof.ProofValue != vectorProofValue {
		t.Fatalf("proofValue %q (%v), want the vector's %q", out.Proof.ProofValue, err, vectorProofValue)
	}
	if err := Verify(signed, pub); err != nil {
		t.Errorf("our own signature does not verify: %v", err)
	}
}

func TestVerifyRefusesChanges(t *testing.T) {
	pub, _ := ParsePublicMultikey(vectorPublicKey)
	signed := vectorSigned()
	for name, change := range map[string]func([]byte) []byte{
		"subject changed": func(b []byte) []byte {
			return bytes.Replace(b, []byte("The School of Examples"), []byte("The School of Exampled"), 1)
		},
		"proof time moved": func(b []byte) []byte { return bytes.Replace(b, []byte("23:36:38Z"), []byte("23:36:39Z"), 1) },
		"signature byte": func(b []byte) []byte {
			return bytes.Replace(b, []byte(vectorProofValue), []byte(vectorProofValue[:20]+"2"+vectorProofValue[21:]), 1)
		},
		"no proof": func([]byte) []byte { return []byte(vectorUnsigned) },
		// Readers that keep the first of two keys would show another name.
		"a key twice": func(b []byte) []byte { return append([]byte(`{"name": "Someone Else",`), b[1:]...) },
		"another purpose": func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"assertionMethod"`), []byte(`"authentication"`), 1)
		},
		"a bracket after": func(b []byte) []byte { return append(b, ']') },
		"a brace after":   func(b []byte) []byte { return append(b, '}', '}') },
		"invalid UTF-8":   func(b []byte) []byte { return bytes.Replace(b, []byte("Alumni Credential"), []byte("Alumni \xff"), 1) },
		"a huge proofValue": func(b []byte) []byte {
			return bytes.Replace(b, []byte(vectorProofValue), bytes.Repeat([]byte("z"), 200000), 1)
		},
		"other suite": func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"eddsa-jcs-2022"`), []byte(`"eddsa-rdfc-2022"`), 1)
		},
	} {
		if err := Verify(change(bytes.Clone(signed)), pub); err == nil {
			t.Errorf("%s: verified", name)
		}
	}
	if err := Verify(signed, nil); err == nil {
		t.Error("verified against no key")
	}
	if _, err := Sign([]byte("null"), ed25519.NewKeyFromSeed(make([]byte, 32)), Options{Created: time.Now(), VerificationMethod: "k", ProofPurpose: "assertionMethod"}); err == nil {
		t.Error("signed null")
	}
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32)).Public().(ed25519.PublicKey)
	if err := Verify(signed, other); err == nil || !strings.Contains(err.Error(), "another key") {
		t.Errorf("another key: %v", err)
	}
}

func TestBase58(t *testing.T) {
	for _, b := range [][]byte{{}, {0}, {0, 0, 1}, {0xff, 0xee}, bytes.Repeat([]byte{0x80}, 40)} {
		got, err := base58Decode(base58Encode(b))
		if err != nil || !bytes.Equal(got, b) {
			t.Errorf("%x → %q → %x (%v)", b, base58Encode(b), got, err)
		}
	}
	// Bitcoin's well-known vector.
	if s := base58Encode([]byte("hello world")); s != "StV1DL6CwTryKyV" {
		t.Errorf("hello world → %q", s)
	}
	if _, err := base58Decode("0OIl"); err == nil {
		t.Error("characters outside the alphabet were accepted")
	}
}
