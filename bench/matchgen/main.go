// Command matchgen writes a synthetic national match for benchmarking
// `hcs match`: posts.csv, applicants.csv and rankings.csv in a folder.
//
//	go run ./bench/matchgen -applicants 1000000 -posts 50000 -prefs 10 -out bench/data/1m
//
// -ids chooses how ids look, for they are opaque text to hcs: numeric (1,
// 2, 3 for applicants and P000001 for posts), shaped (A0000123 and
// P004512, as NSHCS and NRMP write them) or random (12 random letters and
// digits each). With shaped or random ids the applicants' rows are
// shuffled by applicant as well, so nothing arrives in id order.
//
// Posts have 1 to 19 places (10 on average). Applicants choose distinct
// posts with a popularity skew, as real applicants crowd popular
// specialisms and regions. Every post ranks everyone who chose it by a
// national score plus a local adjustment, so the two sides' lists agree
// pair by pair. Ranks are spaced out (not 1, 2, 3) and the rows of
// rankings.csv are shuffled, because the contract allows both. The output
// is the same for the same seed.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
)

func main() {
	nA := flag.Int("applicants", 1_000_000, "number of applicants")
	nP := flag.Int("posts", 50_000, "number of posts")
	nPref := flag.Int("prefs", 10, "preferences per applicant")
	seed := flag.Uint64("seed", 1, "random seed")
	out := flag.String("out", "bench/data/1m", "folder to write into")
	idShape := flag.String("ids", "numeric", "how ids look: numeric, shaped or random")
	flag.Parse()
	if *idShape != "numeric" && *idShape != "shaped" && *idShape != "random" {
		fail(fmt.Errorf("-ids %q: use numeric, shaped or random", *idShape))
	}
	if *nPref > *nP {
		fail(fmt.Errorf("-prefs %d is more than -posts %d", *nPref, *nP))
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fail(err)
	}
	rng := rand.New(rand.NewPCG(*seed, 2026))
	appID, postID := ids(*idShape, *nA, "A", rng), ids(*idShape, *nP, "P", rng)

	posts := create(filepath.Join(*out, "posts.csv"))
	fmt.Fprintln(posts, "post_id,capacity,specialism")
	for p := range *nP {
		fmt.Fprintf(posts, "%s,%d,s%02d\n", postID[p], 1+rng.IntN(19), p%30)
	}
	done(posts)

	// Popularity: post p is chosen with weight 1/(p+1)^0.6, sampled by
	// inverting the cumulative weights.
	cum := make([]float64, *nP)
	total := 0.0
	for p := range cum {
		total += 1 / math.Pow(float64(p+1), 0.6)
		cum[p] = total
	}
	score := make([]float64, *nA)
	chosen := make([]int32, *nA**nPref)
	apps := create(filepath.Join(*out, "applicants.csv"))
	fmt.Fprintln(apps, "applicant_id,rank,post_id")
	order := make([]int, *nA)
	for i := range order {
		order[i] = i
	}
	if *idShape != "numeric" {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	}
	for _, a := range order {
		score[a] = rng.Float64()
		list := chosen[a**nPref : (a+1)**nPref]
		for i := range list {
			for {
				p := int32(min(*nP-1, sortSearch(cum, rng.Float64()*total)))
				if !slices.Contains(list[:i], p) {
					list[i] = p
					break
				}
			}
			fmt.Fprintf(apps, "%s,%d,%s\n", appID[a], 3*(i+1), postID[list[i]])
		}
	}
	done(apps)

	// Each post ranks its applicants by national score plus a local
	// adjustment.
	type entry struct {
		post int32
		app  int32
		key  float64
	}
	entries := make([]entry, 0, len(chosen))
	for i, p := range chosen {
		a := int32(i / *nPref)
		entries = append(entries, entry{p, a, score[a] + 0.2*rng.Float64()})
	}
	slices.SortFunc(entries, func(x, y entry) int {
		if x.post != y.post {
			return int(x.post) - int(y.post)
		}
		switch {
		case x.key > y.key:
			return -1
		case x.key < y.key:
			return 1
		}
		return int(x.app) - int(y.app)
	})
	ranks := make([]int32, len(entries))
	for i := range entries {
		if i > 0 && entries[i].post == entries[i-1].post {
			ranks[i] = ranks[i-1] + 1
		} else {
			ranks[i] = 1
		}
	}
	perm := rng.Perm(len(entries))
	rk := create(filepath.Join(*out, "rankings.csv"))
	fmt.Fprintln(rk, "post_id,rank,applicant_id")
	for _, i := range perm {
		e := entries[i]
		fmt.Fprintf(rk, "%s,%d,%s\n", postID[e.post], 10*ranks[i], appID[e.app])
	}
	done(rk)
}

// ids makes n distinct ids in the shape asked for.
func ids(shape string, n int, prefix string, rng *rand.Rand) []string {
	out := make([]string, n)
	seen := map[string]bool{}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	for i := range out {
		switch shape {
		case "numeric":
			if prefix == "A" {
				out[i] = fmt.Sprint(i + 1)
			} else {
				out[i] = fmt.Sprintf("P%06d", i+1)
			}
		case "shaped":
			out[i] = fmt.Sprintf("%s%07d", prefix, i+1)
		case "random":
			for {
				b := make([]byte, 12)
				for k := range b {
					b[k] = alphabet[rng.IntN(len(alphabet))]
				}
				if id := string(b); !seen[id] {
					seen[id] = true
					out[i] = id
					break
				}
			}
		}
	}
	if shape != "numeric" {
		// Shaped ids are not handed out in row order either.
		rng.Shuffle(n, func(i, j int) { out[i], out[j] = out[j], out[i] })
	}
	return out
}

func sortSearch(cum []float64, x float64) int {
	i, _ := slices.BinarySearch(cum, x)
	return i
}

type file struct {
	*bufio.Writer
	f *os.File
}

func create(name string) file {
	f, err := os.Create(name)
	if err != nil {
		fail(err)
	}
	return file{bufio.NewWriterSize(f, 1<<20), f}
}

func done(f file) {
	if err := f.Flush(); err != nil {
		fail(err)
	}
	if err := f.f.Close(); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "matchgen:", err)
	os.Exit(1)
}
