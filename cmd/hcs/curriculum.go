package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"hcs/data"
	"hcs/internal/framework"
	"hcs/internal/train"
)

// runCurriculum is `hcs curriculum validate|export`: the training curricula
// as data, checked and exported as the framework is.
func runCurriculum(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{"curriculum needs a subcommand: validate or export"}
	}
	fs := newFlagSet("curriculum "+args[0], stderr)
	dir := fs.String("dir", "", "read the curriculum files (*.yaml) in this directory instead of the embedded copy")
	frameworkDir := fs.String("data", "", "check against the framework data in this directory instead of the embedded copy")
	id := fs.String("id", "", "export: only the curriculum with this id")
	switch args[0] {
	case "validate", "export":
	default:
		return usageError{fmt.Sprintf("unknown curriculum subcommand %q; use validate or export", args[0])}
	}
	if _, err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	c, err := loadCurricula(*dir, *frameworkDir)
	if err != nil {
		if ve, ok := errors.AsType[*train.ValidationError](err); ok {
			for _, p := range ve.Problems {
				fmt.Fprintln(stderr, p.String())
			}
			return fmt.Errorf("curriculum data is not valid: %d problem(s)", len(ve.Problems))
		}
		return err
	}
	if args[0] == "validate" {
		outlines := 0
		modules := 0
		for _, cu := range c.List {
			for _, m := range cu.Modules {
				modules++
				if m.Status == train.StatusOutline {
					outlines++
				}
			}
		}
		fmt.Fprintf(stdout, "Curricula are valid: %d curricula, %d modules (%d outlines still to fill from their sources).\n", len(c.List), modules, outlines)
		return nil
	}
	list := c.List
	if *id != "" {
		cu := c.Curriculum(*id)
		if cu == nil {
			return usageError{fmt.Sprintf("--id %q: no such curriculum", *id)}
		}
		list = []*train.Curriculum{cu}
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(map[string]any{"curricula": list})
}

// embeddedCurricula loads the curricula built into the binary.
func embeddedCurricula(f *framework.Framework) (*train.Curricula, error) {
	fsys, err := fs.Sub(data.Curricula, "curricula")
	if err != nil {
		return nil, err
	}
	return train.Load(fsys, f)
}

// loadCurricula loads the curricula from a directory, or the embedded
// copy when dir is empty, checked against the framework.
func loadCurricula(dir, frameworkDir string) (*train.Curricula, error) {
	f, err := loadFramework(frameworkDir)
	if err != nil {
		return nil, err
	}
	var fsys fs.FS
	if dir != "" {
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("curriculum directory: %w", err)
		}
		fsys = os.DirFS(dir)
	} else if fsys, err = fs.Sub(data.Curricula, "curricula"); err != nil {
		return nil, err
	}
	return train.Load(fsys, f)
}
