package search

import (
	"slices"
	"strings"
	"sync"
)

// The query is a list of clauses, each scoring the entries it matches: the
// whole query as an exact name, as a phrase in names, aliases and lay
// keywords, its words in each field, typo-tolerant and prefix matches for
// words the data does not hold, and the vocabulary's synonyms. An entry's
// score is the sum of its clauses' scores times the share of clauses it
// matched, so an entry that answers the query several ways ranks above one
// that matches a single word strongly. (This is classic tf-idf with
// coordination, as Lucene and bleve score a boolean query.)

// Clause weights: an exact name counts most, then phrases in names,
// aliases and keywords, then single words by field.
const (
	boostExact = 20

	boostNamePhrase    = 12
	boostAliasPhrase   = 9
	boostKeywordPhrase = 8

	boostName     = 3
	boostAlias    = 5
	boostKeyword  = 4
	boostSummary  = 1.5
	boostBody     = 0.7
	boostWhere    = 6
	boostSynonym  = 1
	boostSynonymS = 0.5
)

// fuzzyFields are searched with typo tolerance and as prefixes, for the
// words of a query the data does not hold as typed.
var fuzzyFields = []struct {
	field field
	boost float64
}{{fieldName, 2.5}, {fieldAliases, 2}, {fieldKeywords, 1.5}}

// scorer holds one search's running scores, reused between searches.
type scorer struct {
	score   []float64 // sum of clause scores, by entry
	matched []int32   // clauses matched, by entry
	clause  []float64 // the current clause's scores, by entry
	hits    []int32   // the current clause's terms found, by entry
	touched []int32   // entries the current clause scored
	clauses int
}

var scorerPool = sync.Pool{New: func() any { return &scorer{} }}

func (sc *scorer) reset(n int) {
	if cap(sc.score) < n {
		sc.score, sc.matched, sc.clause, sc.hits = make([]float64, n), make([]int32, n), make([]float64, n), make([]int32, n)
	}
	sc.score, sc.matched, sc.clause, sc.hits = sc.score[:n], sc.matched[:n], sc.clause[:n], sc.hits[:n]
	clear(sc.score)
	clear(sc.matched)
	clear(sc.clause)
	clear(sc.hits)
	sc.touched = sc.touched[:0]
	sc.clauses = 0
}

// add scores entry i in the current clause.
func (sc *scorer) add(i int32, s float64) {
	if sc.clause[i] == 0 {
		sc.touched = append(sc.touched, i)
	}
	sc.clause[i] += s
}

// keep scores entry i in the current clause with the larger of s and what
// it has.
func (sc *scorer) keep(i int32, s float64) {
	if sc.clause[i] == 0 {
		sc.touched = append(sc.touched, i)
	}
	sc.clause[i] = max(sc.clause[i], s)
}

// end closes the current clause, scaling what it scored by scale.
func (sc *scorer) end(scale float64) {
	sc.clauses++
	for _, i := range sc.touched {
		sc.score[i] += sc.clause[i] * scale
		sc.matched[i]++
		sc.clause[i] = 0
	}
	sc.touched = sc.touched[:0]
}

// total is entry i's score over the whole query.
func (sc *scorer) total(i int) float64 {
	return sc.score[i] * float64(sc.matched[i]) / float64(sc.clauses)
}

// score runs the query's clauses and reports whether it had any text.
func (ix *Index) score(sc *scorer, q Query) bool {
	words := ix.normalise(q.Words)
	phrases := make([]string, len(q.Phrases))
	for i, p := range q.Phrases {
		phrases[i] = strings.Join(ix.normalise(strings.Fields(p)), " ")
	}
	if len(words) == 0 && len(phrases) == 0 {
		return false
	}
	all := strings.Join(append(slices.Clone(words), phrases...), " ")

	for _, p := range ix.exact[all] {
		sc.add(p.entry, boostExact*p.weight)
	}
	sc.end(1)

	allTokens := analyse(all)
	for _, text := range append([]string{all}, phrases...) {
		ts := allTokens
		if text != all {
			ts = analyse(text)
		}
		ix.phrase(sc, fieldName, ts, boostNamePhrase)
		ix.phrase(sc, fieldAliases, ts, boostAliasPhrase)
		ix.phrase(sc, fieldKeywords, ts, boostKeywordPhrase)
	}
	allTerms := ix.lookup(allTokens)
	ix.match(sc, fieldName, allTerms, boostName)
	ix.match(sc, fieldAliases, allTerms, boostAlias)
	ix.match(sc, fieldKeywords, allTerms, boostKeyword)
	ix.match(sc, fieldSummary, allTerms, boostSummary)
	ix.match(sc, fieldBody, allTerms, boostBody)
	ix.match(sc, fieldWhere, allTerms, boostWhere)

	for _, w := range append(slices.Clone(words), strings.Fields(strings.Join(phrases, " "))...) {
		// A word the data holds as typed is matched above; only a
		// misspelt or half-typed one needs the fuzzy and prefix matches.
		n := len([]rune(w))
		if _, known := ix.words[stem(w)]; n < 4 || known {
			continue
		}
		edits := 1
		if n >= 8 {
			edits = 2
		}
		near := ix.typos.near(stemTerm(w), edits)
		for _, fb := range fuzzyFields {
			ix.fuzzy(sc, fb.field, near, fb.boost)
			ix.prefix(sc, fb.field, w, fb.boost/2)
		}
	}

	if extra := ix.synonyms(words); len(extra) > 0 {
		ts := ix.lookup(analyse(strings.Join(extra, " ")))
		ix.match(sc, fieldKeywords, ts, boostSynonym)
		ix.match(sc, fieldSummary, ts, boostSynonymS)
	}
	return true
}

// lookup returns the tokens' postings, nil for a term no entry holds.
func (ix *Index) lookup(ts []token) []*[numFields][]posting {
	out := make([]*[numFields][]posting, len(ts))
	for i, t := range ts {
		out[i] = ix.postings[t.term]
	}
	return out
}

// match scores the entries holding any of the terms in the field: each
// term's weight, times the share of the terms the entry holds.
func (ix *Index) match(sc *scorer, fl field, ts []*[numFields][]posting, boost float64) {
	for _, p := range ts {
		if p == nil {
			continue
		}
		for _, ps := range p[fl] {
			sc.add(ps.entry, boost*ps.weight)
			sc.hits[ps.entry]++
		}
	}
	// Each entry is scaled by its own share of the terms.
	for _, i := range sc.touched {
		sc.clause[i] *= float64(sc.hits[i]) / float64(max(len(ts), 1))
		sc.hits[i] = 0
	}
	sc.end(1)
}

// phrase scores the entries where the tokens stand together, in order,
// within one value of the field: the sum of their terms' weights.
func (ix *Index) phrase(sc *scorer, fl field, ts []token, boost float64) {
	defer sc.end(1)
	if len(ts) == 0 {
		return
	}
	first := ix.postings[ts[0].term]
	if first == nil {
		return
	}
	for _, ps := range first[fl] {
		if len(ts) > 1 && !ix.entries[ps.entry].hasPhrase(fl, ts) {
			continue
		}
		var s float64
		for _, t := range ts {
			s += ix.weight(t.term, fl, ps.entry)
		}
		sc.add(ps.entry, boost*s)
	}
}

// hasPhrase reports whether one of the field's values holds the tokens at
// the same distances from each other as in the query.
func (e *entry) hasPhrase(fl field, ts []token) bool {
	for _, v := range e.values[fl] {
	start:
		for _, first := range v {
			if first.term != ts[0].term {
				continue
			}
			for _, t := range ts[1:] {
				want := first.pos + t.pos - ts[0].pos
				if !slices.Contains(v, token{term: t.term, pos: want}) {
					continue start
				}
			}
			return true
		}
	}
	return false
}

// weight is a term's weight in an entry's field, or 0.
func (ix *Index) weight(term string, fl field, i int32) float64 {
	if p := ix.postings[term]; p != nil {
		for _, ps := range p[fl] {
			if ps.entry == i {
				return ps.weight
			}
		}
	}
	return 0
}

// fuzzy scores the entries whose field holds one of the terms near a
// query word: the best such term's weight, less for more edits.
func (ix *Index) fuzzy(sc *scorer, fl field, near []nearWord, boost float64) {
	for _, n := range near {
		for _, ps := range ix.postings[n.word][fl] {
			sc.keep(ps.entry, boost*ps.weight/float64(n.distance+1))
		}
	}
	sc.end(1)
}

// prefix scores the entries whose field holds a term that starts with the
// word as typed: the best such term's weight.
func (ix *Index) prefix(sc *scorer, fl field, w string, boost float64) {
	for _, term := range ix.typos.withPrefix(w) {
		for _, ps := range ix.postings[term][fl] {
			sc.keep(ps.entry, boost*ps.weight)
		}
	}
	sc.end(1)
}
