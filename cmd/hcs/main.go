// Command hcs runs the NHS healthcare science workforce platform: `hcs
// serve` for the web pages and API, and commands for the work that
// administrators script. This package does all the wiring; nothing else
// reads flags or the environment.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"syscall"

	"hcs/data"
	"hcs/internal/framework"
	"hcs/internal/search"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `hcs runs the NHS healthcare science workforce platform.

Usage:
  hcs serve [--addr 127.0.0.1:8080] [--db DB] [--demo]
                                         serve the web pages and JSON API
  hcs migrate [--db DB]                  apply database migrations
  hcs backup FILE [--db DB]              write a consistent copy while hcs runs
  hcs restore FILE [--db DB]             load a backup into an empty database
  hcs user create|grant|revoke|list      manage accounts and roles
  hcs match --posts F --applicants F --rankings F --out F [--report F]
                                         stable matching of applicants to posts
  hcs search "QUERY" [--json]            search the career framework
  hcs framework validate [--data DIR]    check the framework data files
  hcs framework export --format json|csv [--table NAME] [--data DIR]
  hcs curriculum validate [--dir DIR]    check the training curricula
  hcs curriculum export [--id ID] [--dir DIR]
                                         the curricula as JSON
  hcs workforce synth [--employers N] [--staff N] [--years N] [--seed N] [--out DIR]
                                         write a synthetic workforce (employers.csv, staff.csv)
  hcs workforce import [--db DB] [--employers FILE] [STAFF.csv]
                                         register employers and import a staff extract
  hcs issuer-key FILE                    make a key to sign completion certificates with
  hcs version                            print the build, data and schema versions

DB is a SQLite file path (default var/hcs.db, or $HCS_DB) or a
postgres:// URL.

Run "hcs COMMAND -h" for a command's options.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "hcs:", err)
		}
		os.Exit(exitCode(err))
	}
}

// exitCode is 2 for usage errors and 1 for everything else.
func exitCode(err error) int {
	var u usageError
	if errors.As(err, &u) || errors.Is(err, flag.ErrHelp) {
		return 2
	}
	return 1
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageError{"no command given"}
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, rest, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, rest, stdout, stderr)
	case "backup":
		return runBackup(ctx, rest, stdout, stderr)
	case "restore":
		return runRestore(ctx, rest, stdout, stderr)
	case "user":
		return runUser(ctx, rest, stdout, stderr)
	case "match":
		return runMatch(rest, stdout, stderr)
	case "search":
		return runSearch(rest, stdout, stderr)
	case "framework":
		return runFramework(rest, stdout, stderr)
	case "curriculum":
		return runCurriculum(rest, stdout, stderr)
	case "issuer-key":
		return runIssuerKey(rest, stdout, stderr)
	case "workforce":
		return runWorkforce(ctx, rest, stdout, stderr)
	case "version":
		return runVersion(stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return usageError{fmt.Sprintf("unknown command %q", cmd)}
}

// loadFramework loads the framework from a data directory, or from the
// copy embedded in the binary when dir is empty.
func loadFramework(dir string) (*framework.Framework, error) {
	var fsys fs.FS
	if dir != "" {
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
		fsys = os.DirFS(dir)
	} else {
		sub, err := fs.Sub(data.Framework, "framework")
		if err != nil {
			return nil, err
		}
		fsys = sub
	}
	return framework.Load(fsys)
}

// loadExplorer loads the framework and builds its search index.
func loadExplorer(dir string) (*framework.Framework, *search.Index, error) {
	f, err := loadFramework(dir)
	if err != nil {
		return nil, nil, err
	}
	index, err := search.New(f)
	if err != nil {
		return nil, nil, err
	}
	return f, index, nil
}

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parseFlags parses flags that may come before or after positional
// arguments, as in `hcs search "heart" --json`.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
