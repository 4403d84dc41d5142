// Package idempotency lets an API client retry a write safely: a request
// sent with an Idempotency-Key header is carried out once, and a retry
// with the same key gets the first answer, from whichever server it
// reaches. The keys live in the database, so every process sees them.
package idempotency

import (
	"context"
	"time"
)

// Claim is one request being carried out under a key, for one account.
type Claim struct {
	UserID int64
	Key    string
}

type claimKey struct{}

// WithClaim marks ctx as carrying out the claimed request: the store
// records, in the same transaction as the request's write, that the write
// was made, so that a retry after a crash can tell whether it happened.
func WithClaim(ctx context.Context, c Claim) context.Context {
	return context.WithValue(ctx, claimKey{}, c)
}

// FromContext returns the claim ctx carries, if any.
func FromContext(ctx context.Context) (Claim, bool) {
	c, ok := ctx.Value(claimKey{}).(Claim)
	return c, ok
}

// Record is what the store holds for a key.
type Record struct {
	// Fingerprint identifies the request (method, address and a hash of
	// the body): a key may not be reused for another request.
	Fingerprint string
	CreatedAt   time.Time
	// Committed reports that the request's write was made.
	Committed bool
	// Status is the answer's HTTP status, 0 until it is kept.
	Status      int
	ContentType string
	Body        string
}

// Store keeps keys and answers.
type Store interface {
	// ClaimKey records the key for this request unless the account
	// already used it. With claimed false it returns what is held. A key
	// whose request never wrote anything and is older than stale is taken
	// over: the process that held it has gone.
	ClaimKey(ctx context.Context, c Claim, fingerprint string, stale time.Duration) (held *Record, claimed bool, err error)
	// SaveAnswer keeps the answer to a claimed request.
	SaveAnswer(ctx context.Context, c Claim, status int, contentType, body string) error
	// ReleaseKey forgets a claim whose request failed without writing, so
	// that a retry carries it out.
	ReleaseKey(ctx context.Context, c Claim) error
}

// Lifetime is how long an answer is kept for retries.
const Lifetime = 24 * time.Hour
