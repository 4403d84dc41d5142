package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"hcs/internal/search"
)

func runSearch(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("search", stderr)
	asJSON := fs.Bool("json", false, `print {"results":[…]} as JSON`)
	limit := fs.Int("limit", search.DefaultLimit, "maximum number of results")
	dataDir := fs.String("data", "", "read framework data from this directory instead of the embedded copy")
	positional, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(positional) == 0 {
		return usageError{`search needs a query, as in: hcs search "hearing test"`}
	}
	_, index, err := loadExplorer(*dataDir)
	if err != nil {
		return err
	}
	results, err := index.Search(search.ParseQuery(strings.Join(positional, " ")), *limit)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"results": results})
	}
	if len(results) == 0 {
		fmt.Fprintln(stdout, "No results.")
		return nil
	}
	for i, r := range results {
		fmt.Fprintf(stdout, "%2d. %s (%s) %s\n", i+1, r.Name, r.Type, r.URL)
	}
	return nil
}
