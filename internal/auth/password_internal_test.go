package auth

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
)

// phc builds a stored hash of pw with the given parameters.
func phc(pw string, version int, mem, iters uint32, threads uint8) string {
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte(pw), salt, iters, mem, threads, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", version, mem, iters, threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// TestCheckPasswordLimits: hashes at the limits verify; one step beyond
// them, or malformed in any part, never match.
func TestCheckPasswordLimits(t *testing.T) {
	const pw = "correct horse battery"
	good := phc(pw, argon2.Version, 64, 1, 1)
	parts := strings.Split(good, "$")
	for _, tc := range []struct {
		name string
		hash string
		ok   bool
	}{
		{"small parameters", good, true},
		{"most memory", phc(pw, argon2.Version, maxArgonMemoryKiB, 1, 1), true},
		{"most passes", phc(pw, argon2.Version, 64, maxArgonTime, 1), true},
		{"too much memory", phc(pw, argon2.Version, maxArgonMemoryKiB+1, 1, 1), false},
		{"too many passes", phc(pw, argon2.Version, 64, maxArgonTime+1, 1), false},
		{"no threads", strings.Replace(good, "p=1", "p=0", 1), false},
		{"old version", phc(pw, argon2.Version-1, 64, 1, 1), false},
		{"argon2i", strings.Replace(good, "argon2id", "argon2i", 1), false},
		{"no version", strings.Replace(good, "v=19", "v=x", 1), false},
		{"no parameters", strings.Replace(good, "m=64,t=1,p=1", "m=64", 1), false},
		{"bad salt", strings.Join(append(append([]string{}, parts[:4]...), "!!", parts[5]), "$"), false},
		{"bad key", strings.Join(append(append([]string{}, parts[:5]...), "!!"), "$"), false},
		{"empty key", strings.Join(append(append([]string{}, parts[:5]...), ""), "$"), false},
		{"too few parts", strings.Join(parts[:5], "$"), false},
		{"too many parts", good + "$x", false},
	} {
		if got := CheckPassword(tc.hash, pw); got != tc.ok {
			t.Errorf("%s: CheckPassword = %v, want %v", tc.name, got, tc.ok)
		}
	}
	if CheckPassword(good, pw+"!") {
		t.Error("a wrong password matched")
	}
}

func TestTokens(t *testing.T) {
	token, hash, err := NewToken()
	if err != nil || len(token) != 43 || hash != HashToken(token) || len(hash) != 64 {
		t.Fatalf("NewToken = %q, %q, %v", token, hash, err)
	}
	other, _, _ := NewToken()
	if other == token || HashToken(other) == hash {
		t.Error("two tokens are equal")
	}
	if HashToken("abc") != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Error("HashToken is not SHA-256 in hex")
	}
	a, b := NewPassword(), NewPassword()
	if len(a) != 16 || a == b {
		t.Errorf("NewPassword = %q, %q", a, b)
	}
}
