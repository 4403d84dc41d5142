package web

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"hcs/internal/apperr"
)

// addressLimiter is a token bucket per client address, for the routes
// that cost work before anyone is signed in (signing in and up, password
// resets): each address may send burst requests at once and perMinute
// more each minute. It holds at most maxAddresses buckets; when full it
// forgets the buckets that have refilled, which are the same as new ones.
//
// It is kept in memory, so each hcs process counts for itself; the
// sign-in attempt limits in the database hold across processes. Many
// people can share one address (a hospital's network), so the limits are
// set well above what one person does.
type addressLimiter struct {
	mu        sync.Mutex
	perMinute float64
	burst     float64
	buckets   map[string]*bucket
	now       func() time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

const maxAddresses = 100_000

func newAddressLimiter(perMinute, burst int) *addressLimiter {
	return &addressLimiter{perMinute: float64(perMinute), burst: float64(burst), buckets: map[string]*bucket{}, now: time.Now}
}

// allow takes a token for the address, or says how long until one is due.
func (l *addressLimiter) allow(address string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.buckets[address]
	if b == nil {
		if len(l.buckets) >= maxAddresses {
			l.forgetFull(now)
		}
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[address] = b
	}
	b.tokens = math.Min(l.burst, b.tokens+now.Sub(b.at).Minutes()*l.perMinute)
	b.at = now
	if b.tokens < 1 {
		return false, time.Duration((1 - b.tokens) / l.perMinute * float64(time.Minute))
	}
	b.tokens--
	return true, 0
}

func (l *addressLimiter) forgetFull(now time.Time) {
	for a, b := range l.buckets {
		if b.tokens+now.Sub(b.at).Minutes()*l.perMinute >= l.burst {
			delete(l.buckets, a)
		}
	}
	if len(l.buckets) >= maxAddresses { // every bucket is in use: start again rather than grow
		clear(l.buckets)
	}
}

// limited refuses a request with 429 and Retry-After when its address has
// used its allowance.
func (s *Server) limited(h http.Handler) http.Handler { return s.limitedBy(s.limiter, h) }

// checksPerMinute is how many certificates one address may check each
// minute: an employer's office checking a year's graduates shares an
// address, and a check costs far less than a sign-in's password hash. It
// has its own allowance, so that checking never uses up sign-ins.
const checksPerMinute = 600

// limitedChecks limits certificate checks by their own allowance.
func (s *Server) limitedChecks(h http.Handler) http.Handler { return s.limitedBy(s.checkLimiter, h) }

func (s *Server) limitedBy(l *addressLimiter, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok, wait := l.allow(clientAddress(r))
		if !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			s.fail(w, r, strings.HasPrefix(r.URL.Path, "/api/"), &apperr.Error{Code: apperr.TooManyRequests,
				Message: "Too many requests from your network. Wait a minute and try again."})
			return
		}
		h.ServeHTTP(w, r)
	})
}
