package database_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/database"
	"hcs/internal/testkit"
)

// The tests here hold SQLite's group commit to its promises: writes queued
// together commit together, a write whose fn fails leaves nothing and
// takes no other write with it, a failed COMMIT fails every write it would
// have made durable, a write whose context ends while queued never runs,
// and a Write inside a Write's fn is refused rather than deadlocking. On
// PostgreSQL each write is its own transaction; the same tests check the
// same outcomes, bar the COMMIT failure, which there fails only its own
// write.

var errRefused = errors.New("the write refuses")

// batches records the sizes of SQLite's group commits.
type batches struct {
	mu    sync.Mutex
	sizes []int
}

func (b *batches) record(db *database.DB) {
	db.Committed = func(n int) {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.sizes = append(b.sizes, n)
	}
}

func (b *batches) largest() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Max(append([]int{0}, b.sizes...))
}

// queueBehind runs fns as concurrent writes queued behind one that holds
// the writer until all of them wait, so that on SQLite they share one
// batch with it. It returns the holder's error and each write's.
func queueBehind(t *testing.T, db *database.DB, fns ...func(*database.Tx) error) (holder error, errs []error) {
	t.Helper()
	ctx := context.Background()
	holding, release := make(chan struct{}), make(chan struct{})
	holderErr := make(chan error, 1)
	go func() {
		holderErr <- db.Write(ctx, func(tx *database.Tx) error {
			close(holding)
			<-release
			_, err := tx.Exec(ctx, "INSERT INTO gc_items (name) VALUES ('holder')")
			return err
		})
	}()
	<-holding
	errs = make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.Write(ctx, fn)
		}()
	}
	if db.Dialect == database.SQLite {
		for db.QueuedWrites() < len(fns) {
			time.Sleep(time.Millisecond)
		}
	}
	close(release)
	wg.Wait()
	return <-holderErr, errs
}

func createItems(t *testing.T, db *database.DB) {
	t.Helper()
	ctx := context.Background()
	id := "INTEGER PRIMARY KEY"
	if db.Dialect == database.Postgres {
		id = "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
	}
	err := db.Write(ctx, func(tx *database.Tx) error {
		for _, stmt := range []string{
			"CREATE TABLE gc_parents (id " + id + ")",
			// Deferred: a dangling reference fails the COMMIT, not the INSERT.
			`CREATE TABLE gc_items (id ` + id + `, name TEXT NOT NULL UNIQUE,
				parent_id INTEGER REFERENCES gc_parents (id) DEFERRABLE INITIALLY DEFERRED)`,
		} {
			if _, err := tx.Exec(ctx, stmt); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func items(t *testing.T, db *database.DB) []string {
	t.Helper()
	ctx := context.Background()
	var names []string
	err := db.Read(ctx, func(tx *database.Tx) error {
		rows, err := tx.Query(ctx, "SELECT name FROM gc_items ORDER BY name")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				return err
			}
			names = append(names, n)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// insertItem inserts an item and reads it back in the same write.
func insertItem(ctx context.Context, tx *database.Tx, name string) error {
	if _, err := tx.Exec(ctx, "INSERT INTO gc_items (name) VALUES ($1)", name); err != nil {
		return err
	}
	var n int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM gc_items WHERE name = $1", name).Scan(&n); err != nil {
		return err
	}
	if n != 1 {
		return fmt.Errorf("the write reads %d of its own %q, want 1", n, name)
	}
	return nil
}

// TestWritesInOneBatchSucceedAndFailApart: writes queued together, some
// failing after their inserts (by returning an error, by a constraint, by
// their context ending mid-fn, by a panic); the failed leave nothing, the
// others all commit, and each write reads its own earlier statements.
func TestWritesInOneBatchSucceedAndFailApart(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		createItems(t, db)
		var b batches
		b.record(db)
		ctx := context.Background()
		cancelled, cancel := context.WithCancel(ctx)
		interrupted, interrupt := context.WithCancel(ctx)
		defer cancel()
		defer interrupt()
		var want []string
		var fns []func(*database.Tx) error
		for i := range 40 {
			name := fmt.Sprintf("item %02d", i)
			switch i % 5 {
			case 0, 1:
				want = append(want, name)
				fns = append(fns, func(tx *database.Tx) error { return insertItem(ctx, tx, name) })
			case 2:
				fns = append(fns, func(tx *database.Tx) error {
					if err := insertItem(ctx, tx, name); err != nil {
						return err
					}
					return errRefused
				})
			case 3:
				fns = append(fns, func(tx *database.Tx) error {
					if err := insertItem(ctx, tx, name); err != nil {
						return err
					}
					return insertItem(ctx, tx, name) // a duplicate
				})
			case 4:
				if i == 4 {
					// Its context ends after its first statement: its
					// next fails, and the batch's transaction lives on.
					fns = append(fns, func(tx *database.Tx) error {
						if err := insertItem(cancelled, tx, name); err != nil {
							return err
						}
						cancel()
						return insertItem(cancelled, tx, name+" again")
					})
					continue
				}
				if i == 9 {
					// Its context ends while a long statement runs. On
					// SQLite that must not interrupt the connection: an
					// interrupted INSERT rolls back the whole transaction,
					// the other writes of the batch with it.
					fns = append(fns, func(tx *database.Tx) error {
						if err := insertItem(interrupted, tx, name); err != nil {
							return err
						}
						go func() { time.Sleep(5 * time.Millisecond); interrupt() }()
						if _, err := tx.Exec(interrupted, `INSERT INTO gc_items (name)
							WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 30000)
							SELECT 'bulk ' || x FROM c`); err != nil {
							return err
						}
						return insertItem(interrupted, tx, name+" again")
					})
					continue
				}
				want = append(want, name)
				fns = append(fns, func(tx *database.Tx) error { return insertItem(ctx, tx, name) })
			}
		}
		holder, errs := queueBehind(t, db, fns...)
		if holder != nil {
			t.Fatalf("holder: %v", holder)
		}
		want = append(want, "holder")
		slices.Sort(want)
		for i, err := range errs {
			name := fmt.Sprintf("item %02d", i)
			switch {
			case i == 4:
				if !errors.Is(err, context.Canceled) {
					t.Errorf("%s: %v, want context canceled", name, err)
				}
			case i == 9:
				if err == nil {
					t.Errorf("%s succeeded, though its context ended", name)
				}
			case i%5 == 2:
				if !errors.Is(err, errRefused) {
					t.Errorf("%s: %v, want its own error", name, err)
				}
			case i%5 == 3:
				if apperr.Code(err) != apperr.Conflict {
					t.Errorf("%s: %v, want conflict", name, err)
				}
			default:
				if err != nil {
					t.Errorf("%s: %v", name, err)
				}
			}
		}
		if got := items(t, db); !slices.Equal(got, want) {
			t.Errorf("items\n got %q\nwant %q", got, want)
		}
		// The holder's batch takes the queued writes only if they queued
		// within a batch's 10 ms (maxBatchTime); on a busy machine the
		// holder commits alone, and they commit together after it.
		if db.Dialect == database.SQLite && b.largest() < len(want)-1 {
			t.Errorf("largest group commit %d writes, want the %d that succeeded (and perhaps the holder) in one", b.largest(), len(want)-1)
		}
	})
}

// TestManyWritersSomeFailing: writers at once, with no arranged batches.
func TestManyWritersSomeFailing(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		createItems(t, db)
		ctx := context.Background()
		const n = 200
		errs := make([]error, n)
		testkit.Together(n, func(i int) {
			errs[i] = db.Write(ctx, func(tx *database.Tx) error {
				if err := insertItem(ctx, tx, fmt.Sprintf("item %03d", i)); err != nil {
					return err
				}
				if i%3 == 0 {
					return errRefused
				}
				return nil
			})
		})
		var want []string
		for i, err := range errs {
			if i%3 == 0 {
				if !errors.Is(err, errRefused) {
					t.Errorf("write %d: %v, want its own error", i, err)
				}
				continue
			}
			if err != nil {
				t.Errorf("write %d: %v", i, err)
			}
			want = append(want, fmt.Sprintf("item %03d", i))
		}
		if got := items(t, db); !slices.Equal(got, want) {
			t.Errorf("items\n got %q\nwant %q", got, want)
		}
	})
}

// TestFailedCommitFailsItsBatch: a write whose changes break a deferred
// constraint fails at COMMIT. On SQLite that COMMIT was every write of the
// batch, so all of them fail and none is kept; the writes after it commit.
func TestFailedCommitFailsItsBatch(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		createItems(t, db)
		ctx := context.Background()
		var fns []func(*database.Tx) error
		for i := range 10 {
			name := fmt.Sprintf("item %d", i)
			fns = append(fns, func(tx *database.Tx) error { return insertItem(ctx, tx, name) })
		}
		fns = append(fns, func(tx *database.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO gc_items (name, parent_id) VALUES ('dangling', 999)")
			return err
		})
		holder, errs := queueBehind(t, db, fns...)
		if errs[10] == nil {
			t.Fatal("the write with a dangling reference committed")
		}
		switch db.Dialect {
		case database.SQLite:
			for i, err := range errs[:10] {
				if err == nil {
					t.Errorf("write %d succeeded, though its batch's COMMIT failed", i)
				}
			}
			// The holder shares their batch and its fate, unless queuing
			// them took longer than a batch waits (10 ms) and it
			// committed alone before them.
			want := []string{}
			if holder == nil {
				want = []string{"holder"}
			}
			if got := items(t, db); !slices.Equal(got, want) {
				t.Errorf("items after a failed COMMIT: %q, want %q", got, want)
			}
		case database.Postgres:
			for i, err := range append(errs[:10], holder) {
				if err != nil {
					t.Errorf("write %d: %v", i, err)
				}
			}
			if got := items(t, db); len(got) != 11 {
				t.Errorf("items: %q, want the holder's and ten", got)
			}
		}
		if err := db.Write(ctx, func(tx *database.Tx) error { return insertItem(ctx, tx, "after") }); err != nil {
			t.Fatalf("a write after the failed COMMIT: %v", err)
		}
		if got := items(t, db); !slices.Contains(got, "after") {
			t.Errorf("items: %q, want one called after", got)
		}
	})
}

// TestQueuedWriteCancelled: a write whose context ends while it waits for
// the writer (or, on PostgreSQL, for a connection) returns the context's
// error and its fn never runs; the write it waited behind commits.
func TestQueuedWriteCancelled(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		createItems(t, db)
		db.SetPoolSize(1) // PostgreSQL: one connection, which the holder takes
		ctx := context.Background()
		holding, release := make(chan struct{}), make(chan struct{})
		holderErr := make(chan error, 1)
		go func() {
			holderErr <- db.Write(ctx, func(tx *database.Tx) error {
				close(holding)
				<-release
				return insertItem(ctx, tx, "holder")
			})
		}()
		<-holding
		queuedCtx, cancel := context.WithCancel(ctx)
		queuedErr := make(chan error, 1)
		ran := false
		go func() {
			queuedErr <- db.Write(queuedCtx, func(tx *database.Tx) error {
				ran = true
				return insertItem(ctx, tx, "cancelled")
			})
		}()
		if db.Dialect == database.SQLite {
			for db.QueuedWrites() < 1 {
				time.Sleep(time.Millisecond)
			}
		}
		cancel()
		if err := <-queuedErr; !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled write: %v, want context canceled", err)
		}
		close(release)
		if err := <-holderErr; err != nil {
			t.Fatalf("holder: %v", err)
		}
		if ran {
			t.Error("the cancelled write's fn ran")
		}
		if got := items(t, db); !slices.Equal(got, []string{"holder"}) {
			t.Errorf("items: %q, want the holder's alone", got)
		}
	})
}

// TestNestedWriteIsRefused: a Write from inside a Write's fn returns
// ErrNestedWrite at once (on SQLite it would otherwise wait for its own
// batch), and the outer write, failing with it, leaves nothing.
func TestNestedWriteIsRefused(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		createItems(t, db)
		ctx := context.Background()
		var inner error
		outer := db.Write(ctx, func(tx *database.Tx) error {
			if err := insertItem(ctx, tx, "outer"); err != nil {
				return err
			}
			inner = db.Write(ctx, func(tx *database.Tx) error { return insertItem(ctx, tx, "inner") })
			return inner
		})
		if !errors.Is(inner, database.ErrNestedWrite) || !errors.Is(outer, database.ErrNestedWrite) {
			t.Fatalf("nested write: inner %v, outer %v; want ErrNestedWrite", inner, outer)
		}
		if !strings.Contains(inner.Error(), "writes do not nest") {
			t.Errorf("nested write's error says %q", inner)
		}
		// A Read inside a Write is allowed; so is a Write after one.
		err := db.Write(ctx, func(tx *database.Tx) error {
			var n int
			return db.Read(ctx, func(rtx *database.Tx) error {
				return rtx.QueryRow(ctx, "SELECT COUNT(*) FROM gc_items").Scan(&n)
			})
		})
		if err != nil {
			t.Fatalf("read inside a write: %v", err)
		}
		if got := items(t, db); len(got) != 0 {
			t.Errorf("items: %q, want none", got)
		}
	})
}

// TestPanickingWrite: a fn's panic reaches its caller and rolls its write
// back; the writes beside it commit.
func TestPanickingWrite(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		createItems(t, db)
		ctx := context.Background()
		var recovered any
		func() {
			defer func() { recovered = recover() }()
			db.Write(ctx, func(tx *database.Tx) error {
				insertItem(ctx, tx, "panicked")
				panic("the write's own panic")
			})
		}()
		if !strings.Contains(fmt.Sprint(recovered), "the write's own panic") {
			t.Fatalf("recovered %v, want the write's panic", recovered)
		}
		if err := db.Write(ctx, func(tx *database.Tx) error { return insertItem(ctx, tx, "after") }); err != nil {
			t.Fatal(err)
		}
		if got := items(t, db); !slices.Equal(got, []string{"after"}) {
			t.Errorf("items: %q", got)
		}
	})
}

// TestStatementFailureFnIgnores: a fn that carries on past a failed
// statement. PostgreSQL has aborted the transaction, and its COMMIT (sent
// with no error of fn's to stop it) must fail rather than report success;
// SQLite undoes only the failed statement, and the rest commits.
func TestStatementFailureFnIgnores(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		createItems(t, db)
		ctx := context.Background()
		if err := db.Write(ctx, func(tx *database.Tx) error { return insertItem(ctx, tx, "first") }); err != nil {
			t.Fatal(err)
		}
		err := db.Write(ctx, func(tx *database.Tx) error {
			if _, err := tx.Exec(ctx, "INSERT INTO gc_items (name) VALUES ('first')"); apperr.Code(err) != apperr.Conflict {
				return fmt.Errorf("duplicate: %v, want conflict", err)
			}
			if db.Dialect == database.SQLite {
				return insertItem(ctx, tx, "second")
			}
			return nil
		})
		switch db.Dialect {
		case database.SQLite:
			if err != nil {
				t.Fatal(err)
			}
			if got := items(t, db); !slices.Equal(got, []string{"first", "second"}) {
				t.Errorf("items: %q", got)
			}
		case database.Postgres:
			if err == nil || !strings.Contains(err.Error(), "rollback") {
				t.Fatalf("write after an ignored failure: %v, want the commit to report a rollback", err)
			}
		}
		// Transactions that run no statement are fine too.
		if err := db.Write(ctx, func(*database.Tx) error { return nil }); err != nil {
			t.Errorf("empty write: %v", err)
		}
		if err := db.Read(ctx, func(*database.Tx) error { return nil }); err != nil {
			t.Errorf("empty read: %v", err)
		}
	})
}
