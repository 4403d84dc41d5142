package search

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b  string
		limit int
		want  int
	}{
		{"heart", "heart", 2, 0},
		{"heart", "herat", 2, 1},  // neighbours swapped
		{"heart", "hart", 2, 1},   // a letter dropped
		{"heart", "hearts", 2, 1}, // a letter added
		{"heart", "hurt", 2, 2},
		{"audiology", "adiolgy", 2, 2},
		{"heart", "brain", 2, 3}, // over the limit: limit+1
		{"ab", "abcdef", 2, 3},
		{"röntgen", "rontgen", 1, 1},
		{"", "ab", 2, 2},
	} {
		if got := editDistance(tc.a, tc.b, tc.limit); got != tc.want {
			t.Errorf("editDistance(%q, %q, %d) = %d, want %d", tc.a, tc.b, tc.limit, got, tc.want)
		}
	}
}

// The typo table finds exactly the dictionary words a comparison with
// every word would find, for random misspellings of its words.
func TestTypoTableAgreesWithBruteForce(t *testing.T) {
	ix := testIndexInternal(t)
	dict := ix.typos.words
	rng := rand.New(rand.NewPCG(1, 2))
	letters := "abcdefghijklmnopqrstuvwxyz"
	for range 2000 {
		w := []byte(dict[rng.IntN(len(dict))])
		for range 1 + rng.IntN(3) {
			i := rng.IntN(len(w) + 1)
			switch rng.IntN(4) {
			case 0:
				if len(w) > 1 && i < len(w) {
					w = slices.Delete(w, i, i+1)
				}
			case 1:
				w = slices.Insert(w, i, letters[rng.IntN(26)])
			case 2:
				if i < len(w) {
					w[i] = letters[rng.IntN(26)]
				}
			case 3:
				if i+1 < len(w) {
					w[i], w[i+1] = w[i+1], w[i]
				}
			}
		}
		for edits := 1; edits <= 2; edits++ {
			var got, want []string
			for _, n := range ix.typos.near(string(w), edits) {
				got = append(got, n.word)
				if d := editDistance(string(w), n.word, edits); d != n.distance {
					t.Errorf("near(%q): %q at distance %d, but it is %d", w, n.word, n.distance, d)
				}
			}
			for _, d := range dict {
				if editDistance(string(w), d, edits) <= edits {
					want = append(want, d)
				}
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("near(%q, %d) = %v, want %v", w, edits, got, want)
			}
		}
	}
}

func TestTypoTablePrefix(t *testing.T) {
	tt := newTypoTable([]string{"cardiac", "cardiolog", "card", "audiolog"}, 1)
	if got := tt.withPrefix("cardi"); !slices.Equal(got, []string{"cardiac", "cardiolog"}) {
		t.Errorf("withPrefix(cardi) = %v", got)
	}
	if got := tt.withPrefix("zz"); len(got) != 0 {
		t.Errorf("withPrefix(zz) = %v", got)
	}
	// A word that is not ASCII is looked up by its letters, not bytes.
	tt = newTypoTable([]string{"röntgen"}, 1)
	if got := tt.near("röntgn", 1); len(got) != 1 || got[0].word != "röntgen" {
		t.Errorf("near(röntgn) = %v", got)
	}
}

func TestAnalyse(t *testing.T) {
	got := analyse("The patient's heart and the scanning of lungs; a patient's, don't")
	want := []token{{"patient", 1}, {"heart", 2}, {"scan", 5}, {"lung", 7}, {"patient", 9}, {"don", 11}}
	if !slices.Equal(got, want) {
		t.Errorf("analyse = %v, want %v", got, want)
	}
}

func TestEntrySet(t *testing.T) {
	var s entrySet
	s = s.with(3).with(130)
	for i, want := range map[int]bool{3: true, 130: true, 4: false, 64: false, 500: false} {
		if s.has(i) != want {
			t.Errorf("has(%d) = %v", i, !want)
		}
	}
	u := entrySet(nil).with(1).union(s)
	if !u.has(1) || !u.has(3) || !u.has(130) || s.has(1) {
		t.Errorf("union: %v from %v", u, s)
	}
}
