package auth

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

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
		if got, _ := CheckPassword(context.Background(), tc.hash, pw); got != tc.ok {
			t.Errorf("%s: CheckPassword = %v, want %v", tc.name, got, tc.ok)
		}
	}
	if ok, _ := CheckPassword(context.Background(), good, pw+"!"); ok {
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

// TestPasswordWorkIsBounded: however many hashes are asked for at once,
// at most HashSlots run; up to maxHashWaiting more wait for a slot, and
// the rest are refused at once rather than queued without end.
func TestPasswordWorkIsBounded(t *testing.T) {
	release := make(chan struct{})
	var running, peak atomic.Int64
	idKey = func(pw, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
		n := running.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		<-release
		running.Add(-1)
		return make([]byte, keyLen)
	}
	defer func() { idKey = argon2.IDKey }()
	hashing = newWorkLimit(2, 3, time.Minute)
	defer func() { hashing = newWorkLimit(HashSlots, maxHashWaiting, maxHashWait) }()

	const asked = 9
	errs := make(chan error, asked)
	for i := range asked {
		go func() {
			if i%2 == 0 {
				_, err := HashPassword(context.Background(), "correct horse battery")
				errs <- err
			} else {
				_, err := CheckPassword(context.Background(), "", "correct horse battery")
				errs <- err
			}
		}()
	}
	// 2 run, 3 wait, 4 are refused straight away.
	for range 4 {
		if err := <-errs; err != ErrBusy {
			t.Fatalf("beyond the slots and the queue: %v, want ErrBusy", err)
		}
	}
	// A slot is taken just before its hash starts: wait for both hashes
	// to be running, not only for their slots.
	for PasswordWork().Waiting != 3 || PasswordWork().Running != 2 || running.Load() != 2 {
		time.Sleep(time.Millisecond)
	}
	close(release)
	for range asked - 4 {
		if err := <-errs; err != nil {
			t.Errorf("a hash that waited its turn: %v", err)
		}
	}
	if p := peak.Load(); p != 2 {
		t.Errorf("%d hashes ran at once; there are 2 slots", p)
	}
	if w := PasswordWork(); w.Computed != 5 || w.Refused != 4 {
		t.Errorf("work done: %+v, want 5 computed and 4 refused", w)
	}
}

// TestPasswordWaitEnds: a request waiting for a slot gives up when its
// wait runs out or its request is cancelled.
func TestPasswordWaitEnds(t *testing.T) {
	l := newWorkLimit(1, 5, 20*time.Millisecond)
	hold := make(chan struct{})
	go l.do(context.Background(), func() { <-hold })
	for len(l.slots) == 0 {
		time.Sleep(time.Millisecond)
	}
	if err := l.do(context.Background(), func() { t.Error("ran without a slot") }); err != ErrBusy {
		t.Errorf("after the longest wait: %v", err)
	}
	l.maxWait = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.do(ctx, func() { t.Error("ran without a slot") }); err != ErrBusy {
		t.Errorf("with the request cancelled: %v", err)
	}
	close(hold)
	if l.waiting.Load() != 0 {
		t.Errorf("%d still counted as waiting", l.waiting.Load())
	}
}

// The dummy hash costs what a real one costs to check (the same argon2id
// parameters), matches no password, and is made without hashing.
func TestDummyHash(t *testing.T) {
	real, err := hashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	params := func(h string) string { return strings.Join(strings.Split(h, "$")[:4], "$") }
	if params(dummyHash) != params(real) {
		t.Errorf("dummy hash parameters %q, a real hash's %q", params(dummyHash), params(real))
	}
	for _, pw := range []string{"", "not a real password at all", "correct horse battery"} {
		if checkPassword(dummyHash, pw) {
			t.Errorf("the dummy hash matches %q", pw)
		}
	}
}
