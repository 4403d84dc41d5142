// Package credential signs and checks certificates as W3C Verifiable
// Credentials (VC Data Model 2.0) with a Data Integrity proof of the
// eddsa-jcs-2022 cryptosuite: the document and the proof's options are
// each canonicalised by JCS (RFC 8785) and hashed with SHA-256, and the
// two hashes, the options' first, are signed with Ed25519. Keys are
// written as multikeys ("z6Mk…"), as did:key and the W3C test vectors do.
package credential

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"time"
	"unicode/utf8"

	"github.com/gowebpki/jcs"
)

const (
	proofType       = "DataIntegrityProof"
	cryptosuite     = "eddsa-jcs-2022"
	assertionMethod = "assertionMethod" // the purpose of a credential's proof
)

// Multicodec prefixes of Ed25519 keys in a multikey.
var (
	ed25519PublicPrefix  = []byte{0xed, 0x01}
	ed25519PrivatePrefix = []byte{0x80, 0x26}
)

// PublicMultikey writes an Ed25519 public key as a multikey: "z" and the
// base58btc of the key with its multicodec prefix.
func PublicMultikey(pub ed25519.PublicKey) string {
	return "z" + base58Encode(append(bytes.Clone(ed25519PublicPrefix), pub...))
}

// ParsePublicMultikey reads a multikey written by PublicMultikey.
func ParsePublicMultikey(s string) (ed25519.PublicKey, error) {
	b, err := parseMultikey(s, ed25519PublicPrefix, ed25519.PublicKeySize)
	return ed25519.PublicKey(b), err
}

// PrivateMultikey writes an Ed25519 private key's seed as a multikey.
func PrivateMultikey(priv ed25519.PrivateKey) string {
	return "z" + base58Encode(append(bytes.Clone(ed25519PrivatePrefix), priv.Seed()...))
}

// ParsePrivateMultikey reads a private multikey (the key's 32-byte seed).
func ParsePrivateMultikey(s string) (ed25519.PrivateKey, error) {
	seed, err := parseMultikey(s, ed25519PrivatePrefix, ed25519.SeedSize)
	if err != nil {
		return nil, err
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

func parseMultikey(s string, prefix []byte, size int) ([]byte, error) {
	if len(s) < 2 || s[0] != 'z' {
		return nil, errors.New("a multikey starts with z (base58btc)")
	}
	b, err := base58Decode(s[1:])
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(b, prefix) || len(b) != len(prefix)+size {
		return nil, fmt.Errorf("not an Ed25519 multikey of %d bytes", size)
	}
	return b[len(prefix):], nil
}

// Options are the proof's options besides its type and cryptosuite.
type Options struct {
	Created            time.Time
	VerificationMethod string // the URL of the issuer's public key
	ProofPurpose       string // "assertionMethod" for a credential
}

// Sign returns the JSON document (an object without a proof) with a
// DataIntegrityProof added. The proof carries the document's @context.
func Sign(document []byte, priv ed25519.PrivateKey, o Options) ([]byte, error) {
	doc, err := decodeObject(document)
	if err != nil {
		return nil, err
	}
	if _, ok := doc["proof"]; ok {
		return nil, errors.New("credential: the document already has a proof")
	}
	if o.VerificationMethod == "" || o.ProofPurpose == "" || o.Created.IsZero() {
		return nil, errors.New("credential: a proof needs its created time, verification method and purpose")
	}
	proof := map[string]any{
		"type":               proofType,
		"cryptosuite":        cryptosuite,
		"created":            o.Created.UTC().Format(time.RFC3339),
		"verificationMethod": o.VerificationMethod,
		"proofPurpose":       o.ProofPurpose,
	}
	if c, ok := doc["@context"]; ok {
		proof["@context"] = c
	}
	hash, err := signingInput(proof, doc)
	if err != nil {
		return nil, err
	}
	proof["proofValue"] = "z" + base58Encode(ed25519.Sign(priv, hash))
	doc["proof"] = proof
	return json.Marshal(doc)
}

// Verify checks a signed credential's eddsa-jcs-2022 proof, made for
// assertionMethod, against the issuer's public key, and says what is
// wrong when it fails.
func Verify(signed []byte, pub ed25519.PublicKey) error {
	if len(pub) != ed25519.PublicKeySize {
		return errors.New("credential: the issuer's public key is not an Ed25519 key")
	}
	doc, err := decodeObject(signed)
	if err != nil {
		return err
	}
	proof, ok := doc["proof"].(map[string]any)
	if !ok {
		return errors.New("credential: the document has no proof (one proof object is expected)")
	}
	delete(doc, "proof")
	if proof["type"] != proofType || proof["cryptosuite"] != cryptosuite {
		return fmt.Errorf("credential: the proof is %v/%v; only %s/%s is checked here", proof["type"], proof["cryptosuite"], proofType, cryptosuite)
	}
	if proof["proofPurpose"] != assertionMethod {
		return fmt.Errorf("credential: the proof's purpose is %v; a credential's is %s", proof["proofPurpose"], assertionMethod)
	}
	if c, ok := proof["@context"]; ok && !reflect.DeepEqual(c, doc["@context"]) {
		return errors.New("credential: the proof's @context differs from the document's")
	}
	value, _ := proof["proofValue"].(string)
	delete(proof, "proofValue")
	// An Ed25519 signature is 64 bytes: at most 88 base58 characters.
	if len(value) < 2 || len(value) > 90 || value[0] != 'z' {
		return errors.New("credential: the proofValue is not base58btc multibase")
	}
	sig, err := base58Decode(value[1:])
	if err != nil || len(sig) != ed25519.SignatureSize {
		return errors.New("credential: the proofValue is not an Ed25519 signature")
	}
	hash, err := signingInput(proof, doc)
	if err != nil {
		return err
	}
	if !ed25519.Verify(pub, hash, sig) {
		return errors.New("credential: the signature does not match: the credential was changed or signed with another key")
	}
	return nil
}

// signingInput is SHA-256 of the canonical proof options followed by
// SHA-256 of the canonical document: 64 bytes.
func signingInput(proofOptions, doc map[string]any) ([]byte, error) {
	out := make([]byte, 0, 2*sha256.Size)
	for _, v := range []map[string]any{proofOptions, doc} {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		canon, err := jcs.Transform(b)
		if err != nil {
			return nil, fmt.Errorf("credential: canonicalise: %w", err)
		}
		sum := sha256.Sum256(canon)
		out = append(out, sum[:]...)
	}
	return out, nil
}

// decodeObject reads one JSON object, keeping numbers as written. Input
// that other readers could take differently is refused: invalid UTF-8, a
// key given twice in an object (one reader keeps the first, another the
// last), or anything after the object.
func decodeObject(b []byte) (map[string]any, error) {
	if !utf8.Valid(b) {
		return nil, errors.New("credential: the JSON is not valid UTF-8")
	}
	if err := checkKeys(json.NewDecoder(bytes.NewReader(b))); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return nil, errors.New("credential: it must be one JSON object, in { }")
		}
		return nil, fmt.Errorf("credential: not JSON: %w", err)
	}
	if doc == nil {
		return nil, errors.New("credential: not a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("credential: something follows the JSON object")
	}
	return doc, nil
}

// checkKeys walks one JSON value and refuses a key repeated in an object.
func checkKeys(dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("credential: not JSON: %w", err)
	}
	switch tok {
	case json.Delim('{'):
		seen := map[string]bool{}
		for dec.More() {
			key, err := dec.Token()
			if err != nil {
				return fmt.Errorf("credential: not JSON: %w", err)
			}
			k := key.(string)
			if seen[k] {
				return fmt.Errorf("credential: the key %q appears twice in one object", k)
			}
			seen[k] = true
			if err := checkKeys(dec); err != nil {
				return err
			}
		}
		_, err = dec.Token()
	case json.Delim('['):
		for dec.More() {
			if err := checkKeys(dec); err != nil {
				return err
			}
		}
		_, err = dec.Token()
	}
	if err != nil {
		return fmt.Errorf("credential: not JSON: %w", err)
	}
	return nil
}
