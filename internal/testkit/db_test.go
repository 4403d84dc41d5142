package testkit_test

import (
	"testing"
	"time"

	"hcs/internal/testkit"
)

// A test that holds the lock on many connections, and its subtests, may
// take it again without waiting for themselves.
func TestManyConnectionsTakenAgain(t *testing.T) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		testkit.ManyConnections(t)
		testkit.ManyConnections(t)
		t.Run("subtest", func(t *testing.T) {
			testkit.ManyConnections(t)
			db := testkit.PostgresDB(t)
			testkit.PoolSize(t, db, 20)
		})
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("a test waited for the lock it holds")
	}
}
