// Package testkit is the shared test harness: the embedded framework, its
// search index, and helpers used by tests across packages.
package testkit

import (
	"context"
	"io/fs"
	"sync"
	"testing"
	"time"

	"hcs/data"
	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/framework"
	"hcs/internal/privacy"
	"hcs/internal/recruit"
	"hcs/internal/search"
	"hcs/internal/web"
	"hcs/internal/workforce"
)

var (
	once    sync.Once
	fw      *framework.Framework
	index   *search.Index
	loadErr error
)

func load() {
	var sub fs.FS
	sub, loadErr = fs.Sub(data.Framework, "framework")
	if loadErr != nil {
		return
	}
	if fw, loadErr = framework.Load(sub); loadErr != nil {
		return
	}
	index, loadErr = search.New(fw)
}

// Framework returns the embedded framework, loaded once per test binary.
func Framework(tb testing.TB) *framework.Framework {
	tb.Helper()
	once.Do(load)
	if loadErr != nil {
		tb.Fatal(loadErr)
	}
	return fw
}

// Search returns a search index over the embedded framework.
func Search(tb testing.TB) *search.Index {
	tb.Helper()
	Framework(tb)
	return index
}

// Server returns hcs's HTTP handler over the embedded framework and a
// fresh SQLite database.
func Server(tb testing.TB) *web.Server {
	tb.Helper()
	return ServerWith(tb, SQLiteDB(tb))
}

// Recruit returns the recruitment service over the given database.
func Recruit(tb testing.TB, db *database.DB) *recruit.Service {
	return recruit.NewService(db.Recruitment(), Framework(tb))
}

// PublicURL is the address test servers put in the links they send.
const PublicURL = "http://hcs.test"

// PasswordHash hashes a password for a test account.
func PasswordHash(tb testing.TB, password string) string {
	tb.Helper()
	hash, err := auth.HashPassword(context.Background(), password)
	if err != nil {
		tb.Fatal(err)
	}
	return hash
}

// ServerWith returns hcs's HTTP handler over the given database.
func ServerWith(tb testing.TB, db *database.DB) *web.Server {
	tb.Helper()
	recruitment, training := Recruit(tb, db), Train(tb, db)
	s, err := web.New(web.Config{Framework: Framework(tb), Search: Search(tb), Started: time.Now(), Version: "test", PublicURL: PublicURL,
		Store: db, Recruit: recruitment, Train: training, Workforce: workforce.NewService(db.Workforce(), Framework(tb), 0), Privacy: privacy.NewService(db, db, recruitment, training), SchemaVersion: db.LatestVersion, Clock: func() time.Time { return db.Now() }})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}
