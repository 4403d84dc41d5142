package main

import (
	"context"
	"flag"
	"os"

	"hcs/internal/database"
)

// defaultDB is the embedded default: a SQLite file in a local data folder.
const defaultDB = "var/hcs.db"

// dbFlag adds --db to a command. Its default comes from HCS_DB, then the
// embedded default.
func dbFlag(fs *flag.FlagSet) *string {
	def := os.Getenv("HCS_DB")
	if def == "" {
		def = defaultDB
	}
	return fs.String("db", def, "database: a SQLite file path, or a postgres:// URL (default from $HCS_DB)")
}

// openDB opens and migrates the database.
func openDB(ctx context.Context, source string) (*database.DB, error) {
	db, err := database.Open(ctx, source)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}
