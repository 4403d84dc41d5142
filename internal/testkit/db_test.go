package testkit_test

import (
	"testing"
	"time"

	"hcs/internal/testkit"
)

// A test that holds the lock on many connections, and its subtests, may
// take it again without waiting for themselves.
func TestManyConnectionsTakenAgain(t *testing.T) {
	// Waiting for itself, the test would wait the lock's ten minutes:
	// stop the process after one, with every goroutine's stack.
	watchdog := time.AfterFunc(time.Minute, func() { panic("a test waited for the lock on many connections that it holds") })
	defer watchdog.Stop()
	testkit.ManyConnections(t)
	testkit.ManyConnections(t)
	t.Run("subtest", func(t *testing.T) {
		testkit.ManyConnections(t)
		db := testkit.PostgresDB(t)
		testkit.PoolSize(t, db, 20)
	})
}
