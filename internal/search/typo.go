package search

import (
	"slices"
	"strings"
)

// typoTable finds the words of a dictionary within one or two edits of a
// misspelt word without comparing it with every word. At build time each
// word is stored under every form it takes with up to maxEdits letters
// deleted; a query word's own deletions then meet those of every word
// within that many edits (the symmetric-delete method), and each candidate
// is confirmed with a true edit distance.
type typoTable struct {
	maxEdits int
	words    []string
	deletes  map[string][]int32 // deletion form → indexes in words
	sorted   []string           // words in order, for prefixes
}

func newTypoTable(words []string, maxEdits int) *typoTable {
	t := &typoTable{maxEdits: maxEdits, words: words, deletes: map[string][]int32{}}
	for i, w := range words {
		for _, d := range deletions(w, maxEdits) {
			t.deletes[d] = append(t.deletes[d], int32(i))
		}
	}
	t.sorted = slices.Sorted(slices.Values(words))
	return t
}

// near returns the words within edits of w (at most the table's
// maxEdits), each with its distance.
func (t *typoTable) near(w string, edits int) []nearWord {
	edits = min(edits, t.maxEdits)
	var out []nearWord
	var seen []int32
	lookup := func(d []byte) {
		for _, i := range t.deletes[string(d)] {
			if slices.Contains(seen, i) {
				continue
			}
			seen = append(seen, i)
			if dist := editDistance(w, t.words[i], edits); dist <= edits {
				out = append(out, nearWord{t.words[i], dist})
			}
		}
	}
	// The query word's own deletions, made in one buffer: a map lookup
	// with string(bytes) does not allocate.
	if !isASCII(w) {
		for _, d := range deletions(w, edits) {
			lookup([]byte(d))
		}
		return out
	}
	buf := make([]byte, 0, len(w))
	lookup([]byte(w))
	if edits >= 1 {
		for i := range len(w) {
			lookup(append(append(buf[:0], w[:i]...), w[i+1:]...))
			if edits >= 2 {
				one := append([]byte(nil), w[:i]...)
				one = append(one, w[i+1:]...)
				for j := i; j < len(one); j++ {
					lookup(append(append(buf[:0], one[:j]...), one[j+1:]...))
				}
			}
		}
	}
	return out
}

// nearWord is a dictionary word near a query word.
type nearWord struct {
	word     string
	distance int
}

// withPrefix returns the words that start with p.
func (t *typoTable) withPrefix(p string) []string {
	i, _ := slices.BinarySearch(t.sorted, p)
	j := i
	for j < len(t.sorted) && strings.HasPrefix(t.sorted[j], p) {
		j++
	}
	return t.sorted[i:j]
}

// deletions returns w and every form of it with up to n letters deleted,
// without repeats.
func deletions(w string, n int) []string {
	out := []string{w}
	seen := map[string]bool{w: true}
	frontier := []string{w}
	for range n {
		var next []string
		for _, x := range frontier {
			r := []rune(x)
			for i := range r {
				d := string(r[:i]) + string(r[i+1:])
				if !seen[d] {
					seen[d] = true
					out = append(out, d)
					next = append(next, d)
				}
			}
		}
		frontier = next
	}
	return out
}

// editDistance is the number of single-letter insertions, deletions,
// substitutions and swaps of neighbours that turn a into b (optimal string
// alignment), or limit+1 when it is more than limit.
func editDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > limit || -d > limit {
		return limit + 1
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			best = min(best, cur[j])
		}
		if best > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(rb)], limit+1)
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
