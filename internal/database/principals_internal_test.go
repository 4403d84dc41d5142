package database

import (
	"testing"
	"time"

	"hcs/internal/auth"
)

// TestPrincipalCacheKeepsOnlyWhatIsCurrent: nothing is kept or used
// unless a ping was heard within hearWithin; after a silence everything
// kept before is forgotten; a lookup that raced a change (something was
// forgotten while it read) is not kept; an entry is not used past its
// session's end or principalTTL.
func TestPrincipalCacheKeepsOnlyWhatIsCurrent(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	clock := now
	p := &auth.Principal{User: &auth.User{ID: 7}, Grants: []auth.Grant{{Role: auth.RoleTrainee}}}
	c := principalCache{clock: func() time.Time { return clock }}
	kept := func(at time.Time) bool { _, ok := c.get("h", at); return ok }
	store := func() {
		gen, _ := c.generation()
		c.put(gen, "h", p, now.Add(time.Hour), now)
	}

	store()
	if kept(now) {
		t.Fatal("kept before any ping was heard")
	}
	c.heardPing()

	gen, live := c.generation()
	c.forget() // a change, while the lookup read
	c.put(gen, "h", p, now.Add(time.Hour), now)
	if !live || kept(now) {
		t.Fatal("kept a lookup that raced a change")
	}

	store()
	if !kept(now) || !kept(now.Add(principalTTL)) {
		t.Fatal("a current lookup was not kept")
	}
	if kept(now.Add(principalTTL+time.Second)) || kept(now.Add(-time.Second)) {
		t.Fatal("an entry was used outside the time it may be")
	}
	c.put(gen+1, "h", p, now.Add(time.Second), now)
	if kept(now.Add(time.Second)) {
		t.Fatal("an entry was used when its session had ended")
	}

	// Silence: nothing is used, and what was kept is gone when pings
	// are heard again.
	store()
	clock = clock.Add(hearWithin)
	if kept(now) {
		t.Fatal("an entry was used after a silence")
	}
	store()
	c.heardPing()
	if kept(now) {
		t.Fatal("an entry kept before a silence outlived it")
	}
	store()
	clock = clock.Add(hearWithin / 2)
	c.heardPing() // no silence: entries stay
	if !kept(now) {
		t.Fatal("a ping in time forgot what was kept")
	}
	c.deaf()
	c.heardPing()
	if kept(now) {
		t.Fatal("an entry outlived the listener")
	}
}
