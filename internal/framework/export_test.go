package framework_test

import (
	"bytes"
	"encoding/csv"
	"io/fs"
	"strings"
	"testing"

	"hcs/data"
	"hcs/internal/framework"
)

// Finding 12 of the security review: a framework value that a spreadsheet
// would read as a formula reached the CSV export as it was. Framework
// data can come from a folder given to hcs (--data), so the export
// neutralises every cell.
func TestExportCSVNeutralisesFormulas(t *testing.T) {
	sub, err := fs.Sub(data.Framework, "framework")
	if err != nil {
		t.Fatal(err)
	}
	f, err := framework.Load(sub)
	if err != nil {
		t.Fatal(err)
	}
	f.Specialisms[0].Summary = `=HYPERLINK("http://evil.example","x")`
	f.Specialisms[1].Summary = "@SUM(A1)"
	f.Levels[0].Registration = "+44 20 0000 0000"
	for _, table := range []string{"specialisms", "levels"} {
		var buf bytes.Buffer
		if err := framework.ExportCSV(&buf, f, table); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows {
			for _, cell := range row {
				if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
					t.Errorf("%s: a cell a spreadsheet would run: %q", table, cell)
				}
			}
		}
	}
}
