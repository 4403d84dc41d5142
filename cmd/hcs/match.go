package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"hcs/internal/recruit"
)

// runMatch is `hcs match`: stable matching of applicants to posts from
// CSV files, a contract other tools rely on (see the README).
func runMatch(args []string, stdout, stderr io.Writer) error {
	started := time.Now()
	fs := newFlagSet("match", stderr)
	postsFile := fs.String("posts", "", "posts.csv: post_id,capacity")
	applicantsFile := fs.String("applicants", "", "applicants.csv: applicant_id,rank,post_id")
	rankingsFile := fs.String("rankings", "", "rankings.csv: post_id,rank,applicant_id")
	outFile := fs.String("out", "", "matches.csv to write: applicant_id,post_id")
	reportFile := fs.String("report", "", "also write the summary to this file as JSON")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	for name, v := range map[string]string{"--posts": *postsFile, "--applicants": *applicantsFile, "--rankings": *rankingsFile, "--out": *outFile} {
		if v == "" {
			return usageError{"match needs " + name + "; run hcs match -h"}
		}
	}
	open := func(name string) (recruit.Source, func(), error) {
		f, err := os.Open(name)
		if err != nil {
			return recruit.Source{}, nil, err
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return recruit.Source{}, nil, err
		}
		src := recruit.Source{Name: name, R: f, Size: st.Size()}
		data, parsed, unmap := mapFile(f, st.Size())
		if data == nil {
			return src, func() { f.Close() }, nil
		}
		src.Data, src.Parsed = data, parsed
		return src, func() { unmap(); f.Close() }, nil
	}
	var sources [3]recruit.Source
	for i, name := range []string{*postsFile, *applicantsFile, *rankingsFile} {
		src, closeFn, err := open(name)
		if err != nil {
			return err
		}
		defer closeFn()
		sources[i] = src
	}

	// What the match keeps and discards comes to about twice its input.
	preferHugePages(int(2 * (sources[1].Size + sources[2].Size)))
	progress := terminalProgress(stderr)
	in, err := recruit.ReadMatchInput(sources[0], sources[1], sources[2], progress)
	if progress != nil {
		fmt.Fprint(stderr, "\r\033[K")
	}
	if err != nil {
		return err
	}
	if progress != nil {
		fmt.Fprintf(stderr, "matching %d applicants to %d posts…", len(in.ApplicantIDs), len(in.PostIDs))
	}
	assign := in.Market.Match()
	// The verifier reads the matching while matches.csv is written.
	verified := make(chan recruit.Verification, 1)
	go func() { verified <- in.Market.Verify(assign) }()
	if progress != nil {
		fmt.Fprint(stderr, "\r\033[K")
	}

	// Write next to the target and rename, so that a failure leaves no
	// partial file and never replaces a good one.
	tmp, err := os.CreateTemp(filepath.Dir(*outFile), ".matches-*.csv")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := in.WriteMatches(tmp, assign); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), *outFile); err != nil {
		return err
	}

	verification := <-verified
	summary := in.Summarise(assign, verification)
	summary.Seconds = time.Since(started).Seconds()
	fmt.Fprintf(stderr, "matched %d, unmatched %d, unfilled places %d, blocking pairs %d, over capacity %d, time %.2fs\n",
		summary.Matched, summary.Unmatched, summary.UnfilledPlaces, verification.BlockingPairs, verification.OverCapacity, summary.Seconds)
	if *reportFile != "" {
		b, _ := json.MarshalIndent(summary, "", "  ")
		if err := os.WriteFile(*reportFile, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	if !verification.OK() {
		return fmt.Errorf("the verifier rejected the matching: %+v", verification)
	}
	return nil
}

// terminalProgress returns a progress display when stderr is a terminal,
// and nil otherwise (logs and pipes get only the summary).
func terminalProgress(stderr io.Writer) recruit.Progress {
	f, ok := stderr.(*os.File)
	if !ok {
		return nil
	}
	st, err := f.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return func(file string, read, total int64) {
		if total > 0 {
			fmt.Fprintf(stderr, "\r\033[Kreading %s: %d%%", filepath.Base(file), 100*read/total)
		} else {
			fmt.Fprintf(stderr, "\r\033[Kreading %s: %d MB", filepath.Base(file), read>>20)
		}
	}
}
