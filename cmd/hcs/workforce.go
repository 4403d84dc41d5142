package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"hcs/internal/auth"
	"hcs/internal/workforce"
)

// runWorkforce is `hcs workforce synth|import`: a synthetic workforce
// for demonstrations and benchmarks, and the import of employers and
// staff extracts.
func runWorkforce(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{"workforce needs a subcommand: synth or import"}
	}
	switch args[0] {
	case "synth":
		return runWorkforceSynth(args[1:], stdout, stderr)
	case "import":
		return runWorkforceImport(ctx, args[1:], stdout, stderr)
	}
	return usageError{fmt.Sprintf("unknown workforce subcommand %q; use synth or import", args[0])}
}

func runWorkforceSynth(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("workforce synth", stderr)
	employers := fs.Int("employers", 200, "number of employers")
	staff := fs.Int("staff", 60000, "headcount on the last day")
	years := fs.Int("years", 10, "years of history")
	seed := fs.Uint64("seed", 1, "the same seed gives the same workforce")
	out := fs.String("out", ".", "folder to write employers.csv and staff.csv in")
	asOf := fs.String("today", "", "the last day, YYYY-MM-DD (default today)")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *employers < 1 || *staff < 1 || *years < 1 || *years > 40 {
		return usageError{"--employers and --staff must be at least 1, and --years from 1 to 40"}
	}
	today := workforce.DayOf(time.Now())
	if *asOf != "" {
		d, err := workforce.ParseDay(*asOf)
		if err != nil {
			return usageError{"--today: " + err.Error()}
		}
		today = d
	}
	f, err := loadFramework("")
	if err != nil {
		return err
	}
	es, as := workforce.Synthesize(f, workforce.SynthOptions{Employers: *employers, Staff: *staff, Years: *years, Today: today, Seed: *seed})
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(*out, "employers.csv"), func(w io.Writer) error { return workforce.WriteEmployers(w, es) }); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(*out, "staff.csv"), func(w io.Writer) error { return workforce.WriteStaff(w, as) }); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Wrote %d employers and %d assignments to %s (employers.csv, staff.csv).\n", len(es), len(as), *out)
	return nil
}

func writeFile(path string, fn func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := fn(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func runWorkforceImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("workforce import", stderr)
	dbSource := dbFlag(fs)
	employersFile := fs.String("employers", "", "register the employers in this file first (Organisation Code, Organisation Name, Region)")
	progress := fs.String("progress", "auto", "show a progress bar: auto (when stderr is a terminal), always or never")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 1 || len(rest) == 0 && *employersFile == "" {
		return usageError{"usage: hcs workforce import [--employers FILE] [STAFF.csv]"}
	}
	var bar *progressBar
	switch *progress {
	case "always":
		bar = &progressBar{w: stderr}
	case "auto":
		if isTerminal(stderr) {
			bar = &progressBar{w: stderr}
		}
	case "never":
	default:
		return usageError{"--progress is auto, always or never"}
	}
	// An import is a short batch job holding the whole file: collect
	// garbage less often than a server would.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	f, err := loadFramework("")
	if err != nil {
		return err
	}
	db, err := openDB(ctx, *dbSource)
	if err != nil {
		return err
	}
	defer db.Close()
	s := workforce.NewService(db.Workforce(), f, 0)
	by := auth.System("command line")
	if *employersFile != "" {
		body, sum, err := readAll(*employersFile)
		if err != nil {
			return err
		}
		es, err := workforce.ReadEmployers(bytes.NewReader(body), filepath.Base(*employersFile))
		if err != nil {
			return err
		}
		im, err := s.RegisterEmployers(ctx, by, filepath.Base(*employersFile), sum, es)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %d employers, %d new, %d changed, %d unchanged.\n", im.File, im.Rows, im.Added, im.Changed, im.Unchanged)
	}
	if len(rest) == 0 {
		return nil
	}
	start := time.Now()
	file, err := os.Open(rest[0])
	if err != nil {
		return err
	}
	defer file.Close()
	st, err := file.Stat()
	if err != nil {
		return err
	}
	h := sha256.New()
	var r io.Reader = io.TeeReader(file, h)
	if bar != nil {
		r = &countingReader{r: r, fn: func(n int64) { bar.show("reading", n>>10, st.Size()>>10, "KB") }}
	}
	name := filepath.Base(rest[0])
	rows, err := workforce.ReadStaff(r, f, workforce.ReadOptions{File: name, Year: time.Now().Year()})
	if bar != nil {
		bar.done()
	}
	if err != nil {
		if fe, ok := workforce.AsFileError(err); ok {
			for _, p := range fe.Problems {
				fmt.Fprintf(stderr, "%s: %s\n", name, p)
			}
			if fe.More > 0 {
				fmt.Fprintf(stderr, "%s: and %d more problems\n", name, fe.More)
			}
			return fmt.Errorf("%s was not imported: nothing was saved", name)
		}
		return err
	}
	opt := workforce.ImportOptions{File: name, SHA256: hex.EncodeToString(h.Sum(nil))}
	if bar != nil {
		opt.Progress = func(done, total int) { bar.show("saving", int64(done), int64(total), "rows") }
	}
	im, err := s.ImportStaff(ctx, by, rows, opt)
	if bar != nil {
		bar.done()
	}
	if err != nil {
		if fe, ok := workforce.AsFileError(err); ok {
			for _, p := range fe.Problems {
				fmt.Fprintf(stderr, "%s: %s\n", name, p)
			}
			return fmt.Errorf("%s was not imported: nothing was saved", name)
		}
		return err
	}
	elapsed := time.Since(start)
	fmt.Fprintf(stdout, "%s: %d rows, %d new, %d changed, %d unchanged, in %.2f s (%.0f rows/s).\n",
		im.File, im.Rows, im.Added, im.Changed, im.Unchanged, elapsed.Seconds(), float64(im.Rows)/elapsed.Seconds())
	return nil
}

func readAll(path string) ([]byte, string, error) {
	body, err := os.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(body)
	return body, hex.EncodeToString(sum[:]), nil
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// countingReader tells fn how many bytes have been read.
type countingReader struct {
	r  io.Reader
	n  int64
	fn func(int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	c.fn(c.n)
	return n, err
}

// progressBar draws one line, redrawn in place, at most every 100 ms.
type progressBar struct {
	w    io.Writer
	last time.Time
	line bool
}

func (b *progressBar) show(stage string, done, total int64, unit string) {
	if now := time.Now(); done < total && now.Sub(b.last) < 100*time.Millisecond {
		return
	} else {
		b.last = now
	}
	const width = 30
	filled := 0
	pct := int64(100)
	if total > 0 {
		filled = int(int64(width) * min(done, total) / total)
		pct = 100 * min(done, total) / total
	}
	fmt.Fprintf(b.w, "\r\033[K%-8s [%s%s] %3d%% %d/%d %s", stage, strings.Repeat("#", filled), strings.Repeat(".", width-filled), pct, done, total, unit)
	b.line = true
}

func (b *progressBar) done() {
	if b.line {
		fmt.Fprintln(b.w)
		b.line = false
	}
	b.last = time.Time{}
}
