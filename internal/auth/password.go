package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"hcs/internal/apperr"
)

// Password hashing: argon2id with the parameters OWASP's password storage
// guidance lists first (m=19 MiB, t=2, p=1), a 16-byte random salt and a
// 32-byte key, stored in the PHC string format so that parameters can be
// raised later without breaking existing hashes.
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonKeyLen    = 32
	argonSaltLen   = 16

	// A stored hash asking for more than this is refused rather than
	// computed: a corrupted or planted hash must not exhaust the server.
	// The limits leave room to raise today's parameters.
	maxArgonMemoryKiB = 64 * 1024
	maxArgonTime      = 10
)

// Password length limits. The maximum bounds the work an attacker can ask
// the server to do.
const (
	MinPasswordLength = 12
	MaxPasswordLength = 128
)

// ValidatePassword checks a new password.
func ValidatePassword(pw string) error {
	switch n := utf8.RuneCountInString(pw); {
	case n < MinPasswordLength:
		return apperr.Invalidf("password", "Your password must be at least %d characters", MinPasswordLength)
	case n > MaxPasswordLength:
		return apperr.Invalidf("password", "Your password must be %d characters or fewer", MaxPasswordLength)
	}
	return nil
}

// HashPassword returns the argon2id hash of a password.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// dummyHash is compared against when no account matches, so that signing
// in takes as long whether or not the email address has an account.
var dummyHash, _ = HashPassword("not a real password at all")

// CheckPassword reports whether pw matches the hash. An empty hash (an
// erased or password-less account) never matches.
func CheckPassword(hash, pw string) bool {
	if hash == "" {
		checkPassword(dummyHash, pw)
		return false
	}
	return checkPassword(hash, pw)
}

func checkPassword(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var mem, iters uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &iters, &threads); err != nil {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || mem > maxArgonMemoryKiB || iters > maxArgonTime || threads == 0 || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, iters, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// NewToken returns a random token for a session or password reset, and
// the hash that is stored in its place: a stolen database holds no usable
// tokens.
func NewToken() (token, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token), nil
}

// HashToken is the stored form of a token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewPassword returns a random password for demo accounts and new users.
func NewPassword() string {
	b := make([]byte, 12)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
