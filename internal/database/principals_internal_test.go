package database

import (
	"testing"
	"time"

	"hcs/internal/auth"
)

// TestPrincipalCacheKeepsOnlyWhatIsCurrent: nothing is kept while the
// listener is not listening; a lookup that raced a change (something was
// forgotten while it read) is not kept; an entry is not used past its
// session's end or principalTTL.
func TestPrincipalCacheKeepsOnlyWhatIsCurrent(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	p := &auth.Principal{User: &auth.User{ID: 7}, Grants: []auth.Grant{{Role: auth.RoleTrainee}}}
	var c principalCache
	kept := func(at time.Time) bool { _, ok := c.get("h", at); return ok }

	gen, live := c.generation()
	c.put(gen, "h", p, now.Add(time.Hour), now)
	if live || kept(now) {
		t.Fatal("kept while not listening")
	}
	yes := true
	c.setLive(&yes)

	gen, _ = c.generation()
	c.forget() // a change, while the lookup read
	c.put(gen, "h", p, now.Add(time.Hour), now)
	if kept(now) {
		t.Fatal("kept a lookup that raced a change")
	}

	gen, _ = c.generation()
	c.put(gen, "h", p, now.Add(time.Hour), now)
	if !kept(now) || !kept(now.Add(principalTTL)) {
		t.Fatal("a current lookup was not kept")
	}
	if kept(now.Add(principalTTL+time.Second)) || kept(now.Add(-time.Second)) {
		t.Fatal("an entry was used outside the time it may be")
	}
	c.put(gen, "h", p, now.Add(time.Second), now)
	if kept(now.Add(time.Second)) {
		t.Fatal("an entry was used when its session had ended")
	}
	no := false
	c.put(gen, "h", p, now.Add(time.Hour), now)
	c.setLive(&no)
	if kept(now) {
		t.Fatal("an entry outlived the listener")
	}
}
