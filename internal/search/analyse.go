package search

import (
	"strings"

	"github.com/blevesearch/go-porterstemmer"
)

// token is one indexed word: its stem and its place in the text, counting
// the stop words dropped before it, so that a phrase matches only words
// that stand together.
type token struct {
	term string
	pos  int
}

// analyse turns text into the tokens that are indexed and searched for:
// lower-cased words with a possessive 's dropped, stop words left out, the
// rest reduced to their Porter stems ("scanning" and "scans" to "scan").
func analyse(text string) []token {
	text = possessive.Replace(text + " ")
	var out []token
	for i, w := range splitWords(text) {
		if analyserStopWords[w] {
			continue
		}
		out = append(out, token{term: stemTerm(w), pos: i})
	}
	return out
}

var possessive = strings.NewReplacer("'s ", " ", "’s ", " ")

func stemTerm(w string) string {
	return string(porterstemmer.StemWithoutLowerCasing([]rune(w)))
}

// analyserStopWords are the common English words left out of the index:
// they occur in nearly every entry and would only add noise to scores.
// "s" and "t" are what is left of "patient's," and "don't".
var analyserStopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a about above after again against all am an and any are as at be
		because been before being below between both but by can could did do does doing down during
		each few for from further had has have having he her here hers him his how i if in into is it
		its itself just me more most my no nor not of off on once only or other our ours out over own
		same she should so some such than that the their theirs them then there these they this those
		through to too under until up very was we were what when where which while who whom why will
		with would you your yours s t`) {
		m[w] = true
	}
	return m
}()
