// Command querygen writes distinct search queries for benchmarking
// /api/v1/search without the response cache's help: one query per line,
// URL-encoded, as people type them. Each is one to three words drawn from
// the framework's own words (names, aliases, lay keywords, summaries) and
// a list of lay words, and about one in five has a typo (a letter dropped,
// doubled, swapped or changed). No query repeats.
//
//	go run ./bench/querygen -n 5000 > bench/data/queries.txt
//
// bench/search-distinct.lua sends them to wrk in turn.
package main

import (
	"flag"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"net/url"
	"os"
	"slices"
	"strings"
	"unicode"

	"hcs/data"
	"hcs/internal/framework"
)

// layWords are words people use about the work that the data may not.
var layWords = []string{
	"hearing", "heart", "blood", "cancer", "baby", "babies", "eyes", "brain", "lungs", "sleep", "kidney",
	"dna", "genes", "x-ray", "scan", "scanner", "lab", "test", "tests", "machine", "computer", "data",
	"patients", "children", "hospital", "infection", "germs", "radiation", "ultrasound", "mri", "ivf",
	"fertility", "breathing", "nerves", "bones", "skin", "science", "physics", "chemistry", "biology",
	"engineering", "job", "career", "training", "apprenticeship", "degree", "pay", "nhs", "scientist",
}

func main() {
	n := flag.Int("n", 5000, "how many distinct queries")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	sub, err := fs.Sub(data.Framework, "framework")
	if err != nil {
		fail(err)
	}
	f, err := framework.Load(sub)
	if err != nil {
		fail(err)
	}
	rng := rand.New(rand.NewPCG(*seed, 11))
	words := vocabulary(f)
	seen := map[string]bool{}
	for len(seen) < *n {
		k := 1 + rng.IntN(3)
		q := make([]string, k)
		for i := range q {
			if rng.IntN(3) == 0 {
				q[i] = layWords[rng.IntN(len(layWords))]
			} else {
				q[i] = words[rng.IntN(len(words))]
			}
		}
		if rng.IntN(5) == 0 {
			i := rng.IntN(k)
			q[i] = typo(q[i], rng)
		}
		text := strings.Join(q, " ")
		if seen[text] {
			continue
		}
		seen[text] = true
		fmt.Println(url.QueryEscape(text))
	}
}

// vocabulary is the distinct words of four letters or more in the
// framework's names, aliases, keywords and summaries.
func vocabulary(f *framework.Framework) []string {
	set := map[string]bool{}
	add := func(texts ...string) {
		for _, t := range texts {
			for _, w := range strings.FieldsFunc(strings.ToLower(t), func(r rune) bool { return !unicode.IsLetter(r) }) {
				if len(w) >= 4 {
					set[w] = true
				}
			}
		}
	}
	for _, s := range f.Specialisms {
		add(s.Name, s.Summary)
		add(s.Aliases...)
		add(s.Keywords...)
	}
	for _, p := range f.Programmes {
		add(p.Name, p.Summary)
	}
	for _, l := range f.Levels {
		add(l.Name, l.Summary)
	}
	out := make([]string, 0, len(set))
	for w := range set {
		out = append(out, w)
	}
	slices.Sort(out)
	return out
}

// typo changes a word the way people mistype: a letter dropped, doubled,
// swapped with the next or changed.
func typo(w string, rng *rand.Rand) string {
	if len(w) < 4 {
		return w
	}
	b := []byte(w)
	i := 1 + rng.IntN(len(b)-2)
	switch rng.IntN(4) {
	case 0:
		return string(append(b[:i:i], b[i+1:]...))
	case 1:
		return string(b[:i+1]) + string(b[i:])
	case 2:
		b[i], b[i+1] = b[i+1], b[i]
		return string(b)
	}
	b[i] = byte('a' + rng.IntN(26))
	return string(b)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "querygen:", err)
	os.Exit(1)
}
