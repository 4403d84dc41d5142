package database

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"hcs/internal/auth"
)

// principalCache keeps, on PostgreSQL, the signed-in people this process
// has looked up by session, so that most signed-in requests need no round
// trip to the database to know who is asking. It never serves what the
// database has since changed:
//
//   - Migration 0023's triggers mark every transaction that changes a
//     session, an account or a grant, and send NOTIFY hcs_principals when
//     it commits. A process that commits such a change forgets everything
//     before Write returns (the mark is read with the COMMIT), so its own
//     next request sees the change; every other process forgets when the
//     notification arrives, a millisecond or so later on one machine.
//   - Nothing is kept unless the process is listening: from the moment the
//     listening connection fails (a notification may have been missed)
//     until it listens again, every lookup goes to the database, and
//     everything kept before is forgotten.
//   - A lookup stores what it read only if nothing was forgotten while it
//     read (the generation is unchanged), so a read that raced a change
//     cannot put the old principal back.
//   - An entry is used until its session expires, and for no more than
//     principalTTL after it was read, which bounds the harm of anything
//     the above misses.
//
// On SQLite nothing is kept: a session check is a read in the process.
type principalCache struct {
	mu      sync.Mutex
	entries map[string]cachedPrincipal
	gen     uint64 // counts forgettings
	live    bool   // the listener is listening

	start  sync.Once
	cancel context.CancelFunc
	done   chan struct{}
}

type cachedPrincipal struct {
	p       *auth.Principal
	expires time.Time // the session's end
	read    time.Time
}

const (
	// principalTTL is the longest an entry is used after it was read.
	principalTTL = 30 * time.Second
	// maxPrincipals bounds the entries: past it, all are forgotten.
	maxPrincipals = 100_000
	// principalsChannel is the channel migration 0023's triggers notify.
	principalsChannel = "hcs_principals"
)

// get returns the kept principal for a session's token hash, a copy the
// caller may change.
func (c *principalCache) get(tokenHash string, now time.Time) (*auth.Principal, bool) {
	c.mu.Lock()
	e, ok := c.entries[tokenHash]
	c.mu.Unlock()
	if !ok || !now.Before(e.expires) || now.Sub(e.read) > principalTTL || now.Before(e.read) {
		return nil, false
	}
	return clonePrincipal(e.p), true
}

// generation returns what put needs to know that nothing was forgotten
// since, and whether anything may be kept at all.
func (c *principalCache) generation() (gen uint64, live bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen, c.live
}

// put keeps p, read since generation gen, unless something was forgotten
// since then or the listener is not listening.
func (c *principalCache) put(gen uint64, tokenHash string, p *auth.Principal, expires, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.live || c.gen != gen {
		return
	}
	if c.entries == nil || len(c.entries) >= maxPrincipals {
		c.entries = map[string]cachedPrincipal{}
	}
	c.entries[tokenHash] = cachedPrincipal{p: clonePrincipal(p), expires: expires, read: now}
}

// forget drops every entry, and so every lookup under way from storing
// what it read.
func (c *principalCache) forget() { c.setLive(nil) }

// setLive forgets, and with live set says whether the listener is
// listening.
func (c *principalCache) setLive(live *bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.entries)
	if live != nil {
		c.live = *live
	}
}

// listen starts, once, the goroutine that listens for changes on its own
// connection to url.
func (c *principalCache) listen(url string) {
	c.start.Do(func() {
		ctx, cancel := context.WithCancel(context.Background())
		c.cancel, c.done = cancel, make(chan struct{})
		go func() {
			defer close(c.done)
			c.listenLoop(ctx, url)
		}()
	})
}

// listenLoop listens until ctx ends, connecting again after a failure.
// While it is not listening, nothing is kept.
func (c *principalCache) listenLoop(ctx context.Context, url string) {
	yes, no := true, false
	wait := 50 * time.Millisecond
	for ctx.Err() == nil {
		conn, err := pgx.Connect(ctx, url)
		if err == nil {
			if _, err = conn.Exec(ctx, "LISTEN "+principalsChannel); err == nil {
				c.setLive(&yes)
				wait = 50 * time.Millisecond
				for err == nil {
					if _, err = conn.WaitForNotification(ctx); err == nil {
						c.forget()
					}
				}
			}
			conn.Close(context.Background())
		}
		c.setLive(&no)
		select {
		case <-ctx.Done():
		case <-time.After(wait):
			wait = min(2*wait, 5*time.Second)
		}
	}
}

// close stops the listener, if it started.
func (c *principalCache) close() {
	c.start.Do(func() {}) // no listener may start after this
	if c.cancel != nil {
		c.cancel()
		<-c.done
	}
}

func clonePrincipal(p *auth.Principal) *auth.Principal {
	u := *p.User
	u.Grants = slices.Clone(p.Grants)
	return &auth.Principal{User: &u, Grants: u.Grants}
}
