package database

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"hcs/internal/apperr"
)

// SQLite commits in groups. Each commit's fsync is most of a write's time,
// and SQLite has one writer, so writes queue here and one goroutine runs
// them: it opens a transaction, runs each queued write's fn inside its own
// savepoint, and commits the lot with one fsync. A fn that fails rolls back
// to its savepoint and gets its error at once; the others commit. Every
// write of a batch returns only after the batch's COMMIT, so a write that
// has returned nil is on disk.
//
// A batch takes what is queued when it starts and what arrives while its
// fns run, up to maxBatch writes or maxBatchTime from its start; then it
// commits, and the next batch takes what queued meanwhile.
const (
	maxBatch     = 128
	maxBatchTime = 10 * time.Millisecond
)

// ErrNestedWrite is the error of a Write called from inside another Write's
// fn. Writes do not nest: on SQLite the inner write would wait for the
// outer one's batch to commit, which waits for the inner write; on
// PostgreSQL it would take a second connection and commit on its own.
// Compose inside one transaction with helpers that take the *Tx instead.
var ErrNestedWrite = errors.New("database: Write called inside another Write's fn; writes do not nest (pass the *Tx to a helper instead)")

// errClosed is a write's error once the database is closed.
var errClosed = errors.New("database: closed")

// A write request moves from queued to running (the writer took it) or to
// abandoned (its context ended first, and its caller has returned).
const (
	queued int32 = iota
	running
	abandoned
)

type writeRequest struct {
	ctx   context.Context
	now   time.Time
	fn    func(*Tx) error
	state atomic.Int32
	// err and panicked are the outcome, set before done is closed.
	err      error
	panicked any
	done     chan struct{}
}

func (r *writeRequest) finish(err error) {
	r.err = err
	close(r.done)
}

// writer owns SQLite's one write connection and runs the write batches.
type writer struct {
	db   *DB
	conn *sql.Conn
	// stmts are the write connection's prepared statements by SQL text;
	// only the writer's goroutine uses them.
	stmts map[string]*sql.Stmt

	mu      sync.Mutex
	pending []*writeRequest
	closed  bool
	wake    chan struct{}
	exited  chan struct{}

	writes, batches atomic.Int64
}

func newWriter(ctx context.Context, db *DB) (*writer, error) {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return nil, err
	}
	w := &writer{db: db, conn: conn, stmts: map[string]*sql.Stmt{},
		wake: make(chan struct{}, 1), exited: make(chan struct{})}
	go w.loop()
	return w, nil
}

// do queues a write and waits for its batch to commit.
func (w *writer) do(ctx context.Context, now time.Time, fn func(*Tx) error) error {
	if err := ctx.Err(); err != nil {
		return mapError(err)
	}
	r := &writeRequest{ctx: ctx, now: now, fn: fn, done: make(chan struct{})}
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return mapError(errClosed)
	}
	w.pending = append(w.pending, r)
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
	select {
	case <-r.done:
	case <-ctx.Done():
		if r.state.CompareAndSwap(queued, abandoned) {
			return mapError(ctx.Err())
		}
		// Its fn has started: it sees the context end at its next
		// statement, but its outcome is the batch's, so wait for it.
		<-r.done
	}
	if r.panicked != nil {
		panic(r.panicked)
	}
	return r.err
}

// take removes up to n queued writes.
func (w *writer) take(n int) []*writeRequest {
	w.mu.Lock()
	defer w.mu.Unlock()
	n = min(n, len(w.pending))
	batch := w.pending[:n:n]
	w.pending = w.pending[n:]
	if len(w.pending) == 0 {
		w.pending = nil
	}
	return batch
}

// queuedWrites is how many writes wait for a batch, for tests.
func (w *writer) queuedWrites() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.pending)
}

func (w *writer) loop() {
	defer close(w.exited)
	w.db.writing.Store(goroutineID(), true)
	for {
		if batch := w.take(maxBatch); len(batch) > 0 {
			w.run(batch)
			continue
		}
		w.mu.Lock()
		closed := w.closed
		w.mu.Unlock()
		if closed {
			return
		}
		<-w.wake
	}
}

// close fails the writes still queued, lets the running batch finish and
// closes the write connection.
func (w *writer) close() error {
	w.mu.Lock()
	w.closed = true
	rest := w.pending
	w.pending = nil
	w.mu.Unlock()
	for _, r := range rest {
		if r.state.CompareAndSwap(queued, running) {
			r.finish(mapError(errClosed))
		}
	}
	select {
	case w.wake <- struct{}{}:
	default:
	}
	<-w.exited
	for _, s := range w.stmts {
		s.Close()
	}
	return w.conn.Close()
}

// exec runs one of the writer's own statements (BEGIN, SAVEPOINT…).
func (w *writer) exec(query string) error {
	s, err := w.stmt(query)
	if err == nil {
		_, err = s.ExecContext(context.Background())
	}
	return err
}

// stmt is the write connection's prepared statement for query, prepared
// the first time it is asked for. Past maxStatements texts it returns nil
// and the statement runs unprepared.
func (w *writer) stmt(query string) (*sql.Stmt, error) {
	if s, ok := w.stmts[query]; ok {
		return s, nil
	}
	if len(w.stmts) >= maxStatements {
		return nil, nil
	}
	s, err := w.conn.PrepareContext(context.Background(), query)
	if err != nil {
		return nil, err
	}
	w.stmts[query] = s
	return s, nil
}

// run runs one batch: BEGIN, a savepoint per write, COMMIT.
func (w *writer) run(batch []*writeRequest) {
	started := time.Now()
	err := w.exec("BEGIN IMMEDIATE")
	if err != nil {
		// A transaction left open by a batch whose ROLLBACK failed would
		// refuse every BEGIN after it: end it and try once more.
		w.exec("ROLLBACK")
		err = w.exec("BEGIN IMMEDIATE")
	}
	if err != nil {
		for _, r := range batch {
			if r.state.CompareAndSwap(queued, running) {
				r.finish(mapError(err))
			}
		}
		return
	}
	var ran []*writeRequest // fns that succeeded, waiting for the COMMIT
	for i := 0; i < len(batch); i++ {
		r := batch[i]
		if !r.state.CompareAndSwap(queued, running) {
			continue // its caller gave up before its turn
		}
		if err := r.ctx.Err(); err != nil {
			r.finish(mapError(err))
		} else if ok, err := w.runOne(r); err != nil {
			// The savepoint machinery failed: the transaction may be
			// gone, and with it the writes that succeeded before.
			w.exec("ROLLBACK")
			r.finish(mapError(err))
			w.fail(ran, err)
			w.fail(batch[i+1:], err)
			return
		} else if ok {
			ran = append(ran, r)
		}
		if i == len(batch)-1 && len(batch) < maxBatch && time.Since(started) < maxBatchTime {
			batch = append(batch, w.take(maxBatch-len(batch))...)
		}
	}
	if err := w.exec("COMMIT"); err != nil {
		// A COMMIT that fails (a deferred constraint, a full disk) leaves
		// the transaction open; end it so the next batch can begin.
		w.exec("ROLLBACK")
		w.fail(ran, err)
		return
	}
	w.writes.Add(int64(len(ran)))
	w.batches.Add(1)
	if hook := w.db.Committed; hook != nil && len(ran) > 0 {
		hook(len(ran))
	}
	for _, r := range ran {
		r.finish(nil)
	}
}

// fail ends writes with err, whether or not their fns ran.
func (w *writer) fail(rs []*writeRequest, err error) {
	for _, r := range rs {
		if r.state.Load() == running || r.state.CompareAndSwap(queued, running) {
			r.finish(mapError(err))
		}
	}
}

// runOne runs a write's fn in a savepoint. ok reports that the fn
// succeeded and its changes wait for the COMMIT; a fn that fails (or
// panics) is rolled back to its savepoint and finished. err is a failure
// of the savepoint itself, which dooms the batch.
func (w *writer) runOne(r *writeRequest) (ok bool, err error) {
	if err := w.exec("SAVEPOINT write"); err != nil {
		return false, err
	}
	tx := &Tx{Now: r.now, Dialect: SQLite, q: w.conn, writer: w, detached: true}
	fnErr, panicked := callFn(r.fn, tx)
	if fnErr == nil && panicked == nil {
		// In the write's own savepoint: the Idempotency-Key it carries,
		// if any, is marked used exactly when the write commits.
		fnErr = markCommitted(r.ctx, tx)
	}
	if fnErr == nil && panicked == nil {
		// RELEASE also proves the transaction is still open: an error
		// that rolled it back (a full disk, say) leaves no savepoint.
		return true, w.exec("RELEASE write")
	}
	if err := w.exec("ROLLBACK TO write"); err != nil {
		return false, err
	}
	if err := w.exec("RELEASE write"); err != nil {
		return false, err
	}
	r.panicked = panicked
	r.finish(mapError(fnErr))
	return false, nil
}

// callFn runs fn, turning a panic into a value to re-raise on the
// caller's goroutine, with the writer's stack for the logs.
func callFn(fn func(*Tx) error, tx *Tx) (err error, panicked any) {
	defer func() {
		if p := recover(); p != nil {
			panicked = fmt.Sprintf("%v\n\nin a database write, at:\n%s", p, debug.Stack())
			err = apperr.Errorf(apperr.Internal, "the write panicked")
		}
	}()
	return fn(tx), nil
}

// goroutineID is the running goroutine's number, from the first line of
// its stack ("goroutine 42 [running]:"). It tells a Write called from
// inside a Write's fn from one called alongside it.
func goroutineID() uint64 {
	var buf [40]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		b = b[:i]
	}
	id, _ := strconv.ParseUint(string(b), 10, 64)
	return id
}
