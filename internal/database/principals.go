package database

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

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
//   - Nothing is kept unless the process is known to hear: every
//     process sends a ping (NOTIFY hcs_principals, 'ping') through its
//     pool every pingEvery, and any process's ping tells a listener it
//     hears; entries are kept and used only while a ping has reached the
//     listening connection within hearWithin. A
//     listening connection that fails, or goes silent, or that a pooler
//     such as PgBouncer in transaction mode has cut off from the server
//     session it listened on, hears no pings, so nothing is kept; when
//     pings are heard again, everything kept before is forgotten.
//   - A lookup stores what it read only if nothing was forgotten while it
//     read (the generation is unchanged), so a read that raced a change
//     cannot put the old principal back.
//   - An entry is used until its session expires, and for no more than
//     principalTTL after it was read, which bounds the harm of anything
//     the above misses.
//
// Changes that fire no trigger are not heard: PostgreSQL's
// session_replication_role = replica turns triggers off (pg_restore
// --disable-triggers does this), so a load done that way, like a
// database restored underneath running servers, must be followed by
// restarting hcs, or by any change to a session, account or grant.
//
// On SQLite nothing is kept: a session check is a read in the process.
type principalCache struct {
	mu      sync.Mutex
	entries map[string]cachedPrincipal
	gen     uint64    // counts forgettings
	heard   time.Time // when the listener last heard a ping; zero when not listening
	// clock is the time for hearing (monotonic, unlike DB.Now, which
	// tests move); time.Now when nil.
	clock func() time.Time

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
	// pingEvery is how often each process pings every listener, and
	// hearWithin how recently a ping must have been heard for entries to
	// be kept and used.
	pingEvery  = 250 * time.Millisecond
	hearWithin = 2 * time.Second
	// pingPayload marks a ping, which changes nothing; a change's
	// notification has no payload.
	pingPayload = "ping"
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
	hearing := c.hearing()
	c.mu.Unlock()
	if !ok || !hearing || !now.Before(e.expires) || now.Sub(e.read) > principalTTL || now.Before(e.read) {
		return nil, false
	}
	return clonePrincipal(e.p), true
}

// hearing reports whether the listener heard a ping recently enough for
// entries to be kept and used. c.mu is held.
func (c *principalCache) hearing() bool {
	return !c.heard.IsZero() && c.now().Sub(c.heard) < hearWithin
}

func (c *principalCache) now() time.Time {
	if c.clock != nil {
		return c.clock()
	}
	return time.Now()
}

// generation returns what put needs to know that nothing was forgotten
// since, and whether anything may be kept at all.
func (c *principalCache) generation() (gen uint64, live bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen, c.hearing()
}

// put keeps p, read since generation gen, unless something was forgotten
// since then or the listener is not hearing.
func (c *principalCache) put(gen uint64, tokenHash string, p *auth.Principal, expires, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.hearing() || c.gen != gen {
		return
	}
	if c.entries == nil || len(c.entries) >= maxPrincipals {
		c.entries = map[string]cachedPrincipal{}
	}
	c.entries[tokenHash] = cachedPrincipal{p: clonePrincipal(p), expires: expires, read: now}
}

// forget drops every entry, and so every lookup under way from storing
// what it read.
func (c *principalCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.forgetLocked()
}

// forgetLocked is forget with c.mu held.
func (c *principalCache) forgetLocked() {
	c.gen++
	clear(c.entries)
}

// heardPing records a ping heard by the listener. After a silence long
// enough that a change may have gone unheard, everything is forgotten.
func (c *principalCache) heardPing() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.hearing() {
		c.forgetLocked()
	}
	c.heard = c.now()
}

// deaf records that the listener is not listening: nothing is kept or
// used until it hears a ping again.
func (c *principalCache) deaf() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.forgetLocked()
	c.heard = time.Time{}
}

// listen starts, once, the goroutines that listen for changes, on a
// connection of their own to url, and that ping, with ping. The ping
// uses the pool, which costs a server one connection rather than two; a
// pool so busy that a ping waits past hearWithin stops the keeping until
// the pings get through again.
func (c *principalCache) listen(url string, ping func(context.Context) error) {
	c.start.Do(func() {
		ctx, cancel := context.WithCancel(context.Background())
		c.cancel, c.done = cancel, make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() { c.listenLoop(ctx, url) })
		wg.Go(func() { pingLoop(ctx, ping) })
		go func() {
			wg.Wait()
			close(c.done)
		}()
	})
}

// pingLoop pings every process's listener, this one's included, every
// pingEvery until ctx ends. A ping that fails is a ping not heard.
func pingLoop(ctx context.Context, ping func(context.Context) error) {
	t := time.NewTicker(pingEvery)
	defer t.Stop()
	for {
		pctx, cancel := context.WithTimeout(ctx, hearWithin)
		ping(pctx)
		cancel()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// listenLoop listens until ctx ends, connecting again after a failure.
func (c *principalCache) listenLoop(ctx context.Context, url string) {
	wait := 50 * time.Millisecond
	for ctx.Err() == nil {
		conn, err := pgx.Connect(ctx, url)
		if err == nil {
			if _, err = conn.Exec(ctx, "LISTEN "+principalsChannel); err == nil {
				wait = 50 * time.Millisecond
				for err == nil {
					var n *pgconn.Notification
					if n, err = conn.WaitForNotification(ctx); err != nil {
						break
					}
					if n.Payload == pingPayload {
						c.heardPing()
					} else {
						c.forget()
					}
				}
			}
			conn.Close(context.Background())
		}
		c.deaf()
		select {
		case <-ctx.Done():
		case <-time.After(wait):
			wait = min(2*wait, 5*time.Second)
		}
	}
}

// close stops the listener and the pings, if they started.
func (c *principalCache) close() {
	c.start.Do(func() {}) // nothing may start after this
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
