package main

import (
	"context"
	"fmt"
	"io"
	"os"
)

// runBackup writes a consistent copy of the database while it is in use.
// It writes to FILE.partial and renames it only when complete.
func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("backup", stderr)
	dbURL := dbFlag(fs)
	positional, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(positional) != 1 {
		return usageError{"backup needs one file name: hcs backup FILE"}
	}
	db, err := openDB(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	file := positional[0]
	f, err := os.OpenFile(file+".partial", os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := db.Backup(ctx, f); err != nil {
		f.Close()
		os.Remove(file + ".partial")
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(file+".partial", file); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s\n", db.Source(), file)
	return nil
}

func runRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("restore", stderr)
	dbURL := dbFlag(fs)
	positional, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(positional) != 1 {
		return usageError{"restore needs one file name: hcs restore FILE"}
	}
	f, err := os.Open(positional[0])
	if err != nil {
		return err
	}
	defer f.Close()
	db, err := openDB(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	report, err := db.Restore(ctx, f)
	if err != nil {
		return err
	}
	rows := 0
	for _, n := range report.Rows {
		rows += n
	}
	fmt.Fprintf(stdout, "restored %s into %s: %d rows in %d tables\n", positional[0], db.Source(), rows, len(report.Rows))
	if report.NULs > 0 {
		fmt.Fprintf(stdout, "%d text values held a NUL character, which hcs does not accept and PostgreSQL cannot store; each NUL was replaced with U+FFFD\n", report.NULs)
	}
	return nil
}
