// Command mutants measures how many mutants of a package its tests kill.
//
// It runs gremlins (github.com/go-gremlins/gremlins) on each package, then
// runs every mutant gremlins could not judge itself: those it reports as
// "not covered" (gremlins maps coverage by statement, so conditions in a
// switch's cases and constant expressions look unreached even when tests
// run them) and those that timed out. Each is applied to a copy of its file
// and the package's tests run against it through `go test -overlay`, so the
// working tree is never touched. A mutant no test kills counts as a
// survivor, wherever it came from.
//
//	go run ./tools/mutants ./internal/auth
//	go run ./tools/mutants -files 'recruit/(offer|cascade)\.go' ./internal/recruit
//
// gremlins is taken from $GREMLINS, else from PATH, else run through
// `go run` at the pinned version. Everything runs in a copy of the module
// made at the start, so the working tree may change meanwhile.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"go/scanner"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

const gremlinsModule = "github.com/go-gremlins/gremlins/cmd/gremlins@v0.6.0"

type report struct {
	Files []struct {
		Name      string           `json:"file_name"`
		Mutations []gremlinsMutant `json:"mutations"`
	} `json:"files"`
}

type gremlinsMutant struct {
	Type   string `json:"type"`
	Status string `json:"status"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

// mutant is one mutation with where it came from and how it ended.
type mutant struct {
	file string // path relative to the module root
	gremlinsMutant
	verdict string // killed, lived, not viable
	by      string // "gremlins" or "overlay"
}

// mutations maps each mutator to its token replacements, as gremlins
// applies them.
var mutations = map[string]map[token.Token]token.Token{
	"ARITHMETIC_BASE":       {token.ADD: token.SUB, token.MUL: token.QUO, token.QUO: token.MUL, token.REM: token.MUL, token.SUB: token.ADD},
	"CONDITIONALS_BOUNDARY": {token.GEQ: token.GTR, token.GTR: token.GEQ, token.LEQ: token.LSS, token.LSS: token.LEQ},
	"CONDITIONALS_NEGATION": {token.EQL: token.NEQ, token.GEQ: token.LSS, token.GTR: token.LEQ, token.LEQ: token.GTR, token.LSS: token.GEQ, token.NEQ: token.EQL},
	"INCREMENT_DECREMENT":   {token.DEC: token.INC, token.INC: token.DEC},
	"INVERT_NEGATIVES":      {token.SUB: token.ADD},
	"INVERT_LOGICAL":        {token.LAND: token.LOR, token.LOR: token.LAND},
	"INVERT_LOOPCTRL":       {token.BREAK: token.CONTINUE, token.CONTINUE: token.BREAK},
}

func main() {
	files := flag.String("files", "", "only count mutants in files whose path matches this regular expression")
	timeout := flag.Duration("timeout", 3*time.Minute, "test time limit for one mutant; a mutant that hits it is killed")
	jobs := flag.Int("j", 2, "mutants judged at once after gremlins has run")
	workers := flag.Int("workers", 1, "gremlins workers (mutants it runs at once); mutants that time out are judged again")
	extra := flag.String("gremlins-flags", "--invert-logical --invert-loopctrl", "extra flags for gremlins unleash")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: go run ./tools/mutants [-files REGEXP] [-timeout D] PACKAGE...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	var only *regexp.Regexp
	if *files != "" {
		var err error
		if only, err = regexp.Compile(*files); err != nil {
			fatal("-files: %v", err)
		}
	}
	snapshot, err := copyModule()
	if err != nil {
		fatal("copy the module: %v", err)
	}
	defer os.RemoveAll(snapshot)
	if err := os.Chdir(snapshot); err != nil {
		fatal("%v", err)
	}
	var all []mutant
	for _, pkg := range flag.Args() {
		ms, err := run(pkg, only, *timeout, *jobs, *workers, strings.Fields(*extra))
		if err != nil {
			fatal("%s: %v", pkg, err)
		}
		all = append(all, ms...)
	}
	summarise(all)
}

// copyModule copies the module in the current directory, without its git
// history, front-end packages or built files, to a temporary directory.
func copyModule() (string, error) {
	dst, err := os.MkdirTemp("", "mutants-module-*")
	if err != nil {
		return "", err
	}
	skip := map[string]bool{".git": true, "node_modules": true, "bin": true, "var": true}
	err = filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && skip[path] {
			return filepath.SkipDir
		}
		target := filepath.Join(dst, path)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	return dst, err
}

func fatal(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "mutants: "+format+"\n", args...)
	os.Exit(1)
}

func gremlins() []string {
	if g := os.Getenv("GREMLINS"); g != "" {
		return strings.Fields(g)
	}
	if path, err := exec.LookPath("gremlins"); err == nil {
		return []string{path}
	}
	return []string{"go", "run", gremlinsModule}
}

func run(pkg string, only *regexp.Regexp, timeout time.Duration, jobs, workers int, extra []string) ([]mutant, error) {
	out, err := os.CreateTemp("", "gremlins-*.json")
	if err != nil {
		return nil, err
	}
	out.Close()
	defer os.Remove(out.Name())
	args := append(gremlins(), "unleash", "--silent", "--workers", fmt.Sprint(max(workers, 1)), "--timeout-coefficient", "10", "-o", out.Name())
	args = append(append(args, extra...), pkg)
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stderr = os.Stderr
	fmt.Fprintf(os.Stderr, "mutants: %s\n", strings.Join(args, " "))
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("gremlins: %w", err)
	}
	b, err := os.ReadFile(out.Name())
	if err != nil {
		return nil, err
	}
	var rep report
	if err := json.Unmarshal(b, &rep); err != nil {
		return nil, fmt.Errorf("read gremlins report: %w", err)
	}
	dir := strings.TrimPrefix(filepath.Clean(pkg), "./")
	var ms []mutant
	var unjudged []int // indexes into ms of mutants gremlins could not judge
	for _, f := range rep.Files {
		file := f.Name
		if !strings.Contains(file, "/") {
			file = filepath.Join(dir, file)
		}
		if only != nil && !only.MatchString(file) {
			continue
		}
		for _, m := range f.Mutations {
			mu := mutant{file: file, gremlinsMutant: m, by: "gremlins"}
			switch m.Status {
			case "KILLED":
				mu.verdict = "killed"
			case "LIVED":
				mu.verdict = "lived"
			case "NOT VIABLE":
				mu.verdict = "not viable"
			default: // NOT COVERED, TIMED OUT, SKIPPED: judge it here
				mu.by = "overlay"
				unjudged = append(unjudged, len(ms))
			}
			ms = append(ms, mu)
		}
	}
	return ms, judgeAll(pkg, ms, unjudged, timeout, jobs)
}

// judgeAll judges the mutants at the given indexes, jobs at a time, and
// records each verdict in place.
func judgeAll(pkg string, ms []mutant, idx []int, timeout time.Duration, jobs int) error {
	work := make(chan int)
	errs := make(chan error, len(idx))
	var wg sync.WaitGroup
	for range max(jobs, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				v, err := judge(pkg, ms[i], timeout)
				if err != nil {
					errs <- err
					continue
				}
				ms[i].verdict = v
			}
		}()
	}
	for _, i := range idx {
		work <- i
	}
	close(work)
	wg.Wait()
	close(errs)
	return <-errs // nil when the channel holds no error
}

// judge applies one mutant through an overlay and runs the package's
// tests against it.
func judge(pkg string, m mutant, timeout time.Duration) (string, error) {
	src, err := os.ReadFile(m.file)
	if err != nil {
		return "", err
	}
	mutated, err := apply(src, m)
	if err != nil {
		return "", fmt.Errorf("%s:%d:%d: %v", m.file, m.Line, m.Column, err)
	}
	tmp, err := os.MkdirTemp("", "mutant-*")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	abs, err := filepath.Abs(m.file)
	if err != nil {
		return "", err
	}
	mfile := filepath.Join(tmp, filepath.Base(m.file))
	if err := os.WriteFile(mfile, mutated, 0o644); err != nil {
		return "", err
	}
	overlay, _ := json.Marshal(map[string]map[string]string{"Replace": {abs: mfile}})
	ofile := filepath.Join(tmp, "overlay.json")
	if err := os.WriteFile(ofile, overlay, 0o644); err != nil {
		return "", err
	}
	// go vet fails on some mutants that compile; only compile errors make
	// a mutant not viable.
	if err := exec.Command("go", "build", "-overlay", ofile, pkg).Run(); err != nil {
		fmt.Fprintf(os.Stderr, "mutants: %s:%d:%d %s does not compile\n", m.file, m.Line, m.Column, m.Type)
		return "not viable", nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout+30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "test", "-count=1", "-vet=off", "-failfast", "-overlay", ofile, "-timeout", timeout.String(), pkg)
	var outb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &outb, &outb
	verdict := "lived"
	if cmd.Run() != nil {
		verdict = "killed"
	}
	fmt.Fprintf(os.Stderr, "mutants: %s:%d:%d %s (gremlins: %s): %s\n", m.file, m.Line, m.Column, m.Type, m.Status, verdict)
	return verdict, nil
}

// apply replaces the token at the mutant's line and column.
func apply(src []byte, m mutant) ([]byte, error) {
	table, ok := mutations[m.Type]
	if !ok {
		return nil, fmt.Errorf("mutator %s is not known here", m.Type)
	}
	fset := token.NewFileSet()
	file := fset.AddFile(m.file, -1, len(src))
	var s scanner.Scanner
	s.Init(file, src, nil, 0)
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			return nil, fmt.Errorf("no token at this position")
		}
		p := fset.Position(pos)
		if p.Line != m.Line || p.Column != m.Column {
			continue
		}
		to, ok := table[tok]
		if !ok {
			return nil, fmt.Errorf("%s cannot mutate %q", m.Type, tok)
		}
		text := tok.String()
		if lit != "" {
			text = lit
		}
		off := p.Offset
		return slices.Concat(src[:off], []byte(to.String()), src[off+len(text):]), nil
	}
}

func summarise(ms []mutant) {
	type tally struct{ killed, lived, notViable int }
	byFile := map[string]*tally{}
	var files []string
	var survivors []mutant
	total := &tally{}
	for _, m := range ms {
		t := byFile[m.file]
		if t == nil {
			t = &tally{}
			byFile[m.file] = t
			files = append(files, m.file)
		}
		for _, x := range []*tally{t, total} {
			switch m.verdict {
			case "killed":
				x.killed++
			case "lived":
				x.lived++
			default:
				x.notViable++
			}
		}
		if m.verdict == "lived" {
			survivors = append(survivors, m)
		}
	}
	slices.Sort(files)
	score := func(t *tally) string {
		if t.killed+t.lived == 0 {
			return "-"
		}
		return fmt.Sprintf("%.1f%%", 100*float64(t.killed)/float64(t.killed+t.lived))
	}
	fmt.Printf("%-48s %7s %6s %10s %7s\n", "file", "killed", "lived", "not viable", "score")
	for _, f := range files {
		t := byFile[f]
		fmt.Printf("%-48s %7d %6d %10d %7s\n", f, t.killed, t.lived, t.notViable, score(t))
	}
	fmt.Printf("%-48s %7d %6d %10d %7s\n", "total", total.killed, total.lived, total.notViable, score(total))
	if len(survivors) > 0 {
		fmt.Println("\nsurvivors:")
		for _, m := range survivors {
			fmt.Printf("  %s:%d:%d %s (%s)\n", m.file, m.Line, m.Column, m.Type, m.by)
		}
	}
}
