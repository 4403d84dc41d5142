package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"hcs/internal/framework"
)

func runFramework(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{"framework needs a subcommand: validate or export"}
	}
	switch args[0] {
	case "validate":
		return runFrameworkValidate(args[1:], stdout, stderr)
	case "export":
		return runFrameworkExport(args[1:], stdout, stderr)
	}
	return usageError{fmt.Sprintf("unknown framework subcommand %q; use validate or export", args[0])}
}

func runFrameworkValidate(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("framework validate", stderr)
	dataDir := fs.String("data", "", "validate the data files in this directory instead of the embedded copy")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	f, err := loadFramework(*dataDir)
	if err != nil {
		if ve, ok := errors.AsType[*framework.ValidationError](err); ok {
			for _, p := range ve.Problems {
				fmt.Fprintln(stderr, p.String())
			}
			return fmt.Errorf("framework data is not valid: %d problem(s)", len(ve.Problems))
		}
		return err
	}
	fmt.Fprintf(stdout, "Framework %s is valid: %d divisions, %d role groups, %d specialisms (%d renamed), %d levels, %d programmes, %d quiz statements, %d sources.\n",
		f.Version, len(f.Divisions), len(f.RoleGroups), len(f.Specialisms), len(f.Renamed), len(f.Levels), len(f.Programmes), len(f.Quiz.Items), len(f.Sources))
	return nil
}

func runFrameworkExport(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("framework export", stderr)
	format := fs.String("format", "json", "json or csv")
	table := fs.String("table", "specialisms", "for csv, the table to write: "+strings.Join(framework.ExportTables, ", "))
	dataDir := fs.String("data", "", "export the data files in this directory instead of the embedded copy")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *format != "json" && *format != "csv" {
		return usageError{fmt.Sprintf("--format %q: use json or csv", *format)}
	}
	tableSet := false
	fs.Visit(func(fl *flag.Flag) { tableSet = tableSet || fl.Name == "table" })
	if *format == "json" && tableSet {
		return usageError{"--table applies to --format csv; the JSON export holds every table in one document"}
	}
	if *format == "csv" && !slices.Contains(framework.ExportTables, *table) {
		return usageError{fmt.Sprintf("--table %q: use one of %s", *table, strings.Join(framework.ExportTables, ", "))}
	}
	f, err := loadFramework(*dataDir)
	if err != nil {
		return err
	}
	if *format == "json" {
		return framework.ExportJSON(stdout, f)
	}
	return framework.ExportCSV(stdout, f, *table)
}
