package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"time"
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

// Password work is bounded. Each argon2id call takes argonMemoryKiB of
// memory and tens of milliseconds of processor time, so at most
// HashSlots calls run at once; up to maxHashWaiting more wait, each for
// at most maxHashWait, and anything beyond is refused as busy. Signing in,
// signing up and resetting a password can then never take the server's
// memory with them, however many arrive.
var (
	HashSlots      = max(2, runtime.GOMAXPROCS(0))
	maxHashWaiting = 8 * HashSlots
	maxHashWait    = 5 * time.Second
	hashing        = newWorkLimit(HashSlots, maxHashWaiting, maxHashWait)
)

// ErrBusy is the answer when password work is at its limit.
var ErrBusy = &apperr.Error{Code: apperr.TooManyRequests, Field: "password",
	Message: "Too many people are signing in or changing passwords at this moment. Wait a minute and try again."}

// workLimit runs work in a bounded number of slots, with a bounded queue.
type workLimit struct {
	slots      chan struct{}
	waiting    atomic.Int64
	maxWaiting int64
	maxWait    time.Duration
	done       atomic.Int64
	refused    atomic.Int64
}

func newWorkLimit(slots, maxWaiting int, maxWait time.Duration) *workLimit {
	return &workLimit{slots: make(chan struct{}, slots), maxWaiting: int64(maxWaiting), maxWait: maxWait}
}

// do runs fn in a slot, waiting for one if need be, or returns ErrBusy.
func (l *workLimit) do(ctx context.Context, fn func()) error {
	select {
	case l.slots <- struct{}{}:
	default:
		if l.waiting.Add(1) > l.maxWaiting {
			l.waiting.Add(-1)
			l.refused.Add(1)
			return ErrBusy
		}
		timer := time.NewTimer(l.maxWait)
		select {
		case l.slots <- struct{}{}:
			timer.Stop()
			l.waiting.Add(-1)
		case <-timer.C:
			l.waiting.Add(-1)
			l.refused.Add(1)
			return ErrBusy
		case <-ctx.Done():
			timer.Stop()
			l.waiting.Add(-1)
			l.refused.Add(1)
			return ErrBusy
		}
	}
	defer func() { <-l.slots }()
	l.done.Add(1)
	fn()
	return nil
}

// HashWork counts password hashes computed and refused since the process
// started, and how many are running or waiting now.
type HashWork struct {
	Computed, Refused int64
	Running, Waiting  int
}

// PasswordWork reports the password work done so far.
func PasswordWork() HashWork {
	return HashWork{Computed: hashing.done.Load(), Refused: hashing.refused.Load(),
		Running: len(hashing.slots), Waiting: int(hashing.waiting.Load())}
}

// idKey is argon2id; tests replace it to watch the slots.
var idKey = argon2.IDKey

// HashPassword returns the argon2id hash of a password, or ErrBusy when
// password work is at its limit.
func HashPassword(ctx context.Context, pw string) (string, error) {
	var hash string
	var err error
	if werr := hashing.do(ctx, func() { hash, err = hashPassword(pw) }); werr != nil {
		return "", werr
	}
	return hash, err
}

func hashPassword(pw string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := idKey([]byte(pw), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// dummyHash is compared against when no account matches, so that signing
// in does the same work whether or not the email address has an account.
// Checking a password against it costs what checking a real hash costs (the
// same argon2id parameters), but making it costs nothing: its salt and key
// are fixed bytes, not the result of hashing, so no command pays for an
// argon2id hash when the package loads, and no password can match it.
var dummyHash = func() string {
	sum := sha256.Sum256([]byte("hcs: the hash no account has"))
	salt, key := sum[:argonSaltLen], append(sum[:], sum[:]...)[:argonKeyLen]
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}()

// CheckPassword reports whether pw matches the hash, or ErrBusy when
// password work is at its limit. An empty hash (no such account, or an
// erased or password-less one) is checked against a dummy hash, taking
// the same path and the same work, and never matches.
func CheckPassword(ctx context.Context, hash, pw string) (bool, error) {
	ok := false
	err := hashing.do(ctx, func() {
		if hash == "" {
			checkPassword(dummyHash, pw)
			return
		}
		ok = checkPassword(hash, pw)
	})
	return ok, err
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
	got := idKey([]byte(pw), salt, iters, mem, threads, uint32(len(want)))
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

// ValidToken reports whether s has the shape of a token NewToken makes:
// 43 characters of unpadded base64url. Anything else is refused before it
// reaches a page or the database.
func ValidToken(s string) bool {
	if len(s) != 43 {
		return false
	}
	_, err := base64.RawURLEncoding.Strict().DecodeString(s)
	return err == nil
}

// AccountKey is the key an account's sign-in attempts, and the audit
// entries about an email address without an account, are recorded under:
// a hash of the address, so that neither stores the address itself.
func AccountKey(email string) string {
	sum := sha256.Sum256([]byte(NormaliseEmail(email)))
	return "account:" + hex.EncodeToString(sum[:])
}

// AddressKey is the key a client's network address's sign-in attempts are
// counted under: a hash, so that the counters hold no network address.
func AddressKey(address string) string {
	sum := sha256.Sum256([]byte(address))
	return "address:" + hex.EncodeToString(sum[:])
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
