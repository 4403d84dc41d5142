package database

import (
	"context"
	"database/sql"
	"sync"
)

// maxStatements bounds how many SQL texts a pool or connection keeps
// prepared. The code's texts are fixed but for a few built from lists
// ("IN ($1, $2, …)"); past the bound a text runs unprepared.
const maxStatements = 512

// statements prepares each SQL text once per SQLite reader pool. modernc's
// driver otherwise parses and plans every statement each time it runs.
// database/sql keeps a pool statement's preparation per connection, so a
// connection prepares a text the first time it runs it and then reuses it.
type statements struct {
	pool *sql.DB
	mu   sync.RWMutex
	// m maps a text to its statement; nil while it is being prepared (or
	// when it cannot be).
	m map[string]*sql.Stmt
}

// get returns the prepared statement for query, or nil the first time it
// is asked for: the statement is then prepared in the background, because
// preparing on the pool needs a free connection and the caller holds one.
func (s *statements) get(query string) *sql.Stmt {
	s.mu.RLock()
	st, ok := s.m[query]
	s.mu.RUnlock()
	if ok {
		return st
	}
	s.mu.Lock()
	if _, ok := s.m[query]; !ok && len(s.m) < maxStatements && s.m != nil {
		s.m[query] = nil
		go s.prepare(query)
	}
	s.mu.Unlock()
	return nil
}

func (s *statements) prepare(query string) {
	st, err := s.pool.PrepareContext(context.Background(), query)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.m == nil: // closed meanwhile
		if err == nil {
			st.Close()
		}
	case err != nil:
		// Perhaps a table that a migration has yet to make: try again
		// next time.
		delete(s.m, query)
	default:
		s.m[query] = st
	}
}

// query runs a query on the pool outside a transaction, prepared when it
// can be.
func (s *statements) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := s.get(query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return s.pool.QueryContext(ctx, query, args...)
}

func (s *statements) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range s.m {
		if st != nil {
			st.Close()
		}
	}
	s.m = nil
}
