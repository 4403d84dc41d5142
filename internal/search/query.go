// Package search finds framework entries by name, alias, lay word, typo or
// abbreviation, best first. It indexes the framework in memory when hcs
// starts (index.go), scores queries with tf-idf over weighted fields
// (score.go) and finds misspelt words through a typo table (typo.go).
package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"hcs/internal/framework"
)

// MaxQueryLength bounds the text a query may carry, in characters.
const MaxQueryLength = 200

// Filter keys that can be written into a query as key:value or passed
// separately.
var FilterKeys = []string{"type", "area", "level", "patients", "setting"}

// Query is a parsed search: free text, quoted phrases and filters.
type Query struct {
	// Words are the unquoted words, lower case, in order.
	Words []string
	// Phrases are quoted phrases, lower case.
	Phrases []string
	Filters Filters
}

// Filters narrow results. Empty fields do not filter.
type Filters struct {
	Type     string `json:"type,omitempty"`     // division, role-group, specialism, level, programme
	Area     string `json:"area,omitempty"`     // division id
	Level    string `json:"level,omitempty"`    // level id
	Patients string `json:"patients,omitempty"` // none, some or most
	Setting  string `json:"setting,omitempty"`  // one of framework.Settings
}

func (f *Filters) set(key, value string) bool {
	switch key {
	case "type":
		f.Type = value
	case "area":
		f.Area = value
	case "level":
		f.Level = value
	case "patients":
		f.Patients = value
	case "setting":
		f.Setting = value
	default:
		return false
	}
	return true
}

// Set sets a filter by key from a form or URL value; unknown keys are
// ignored. The value is normalised the way the parser normalises it.
func (f *Filters) Set(key, value string) {
	if v := framework.Slug(value); v != "" {
		f.set(key, v)
	}
}

// Empty reports whether the query has nothing to search for.
func (q Query) Empty() bool {
	return len(q.Words) == 0 && len(q.Phrases) == 0 && q.Filters == (Filters{})
}

// Text is the query's words and phrases as plain text.
func (q Query) Text() string {
	parts := append([]string{}, q.Words...)
	parts = append(parts, q.Phrases...)
	return strings.Join(parts, " ")
}

// String writes the query back in the syntax ParseQuery reads.
func (q Query) String() string {
	parts := append([]string{}, q.Words...)
	for _, p := range q.Phrases {
		parts = append(parts, `"`+p+`"`)
	}
	for _, kv := range [][2]string{{"type", q.Filters.Type}, {"area", q.Filters.Area}, {"level", q.Filters.Level}, {"patients", q.Filters.Patients}, {"setting", q.Filters.Setting}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+":"+kv[1])
		}
	}
	return strings.Join(parts, " ")
}

// ParseQuery reads what a person typed. Words are split on anything that is
// not a letter or digit; "quoted text" is a phrase; key:value with a known
// filter key is a filter (later ones win). It never fails: anything it does
// not understand is searched for as text.
func ParseQuery(raw string) Query {
	raw = strings.ToValidUTF8(raw, " ")
	if utf8.RuneCountInString(raw) > MaxQueryLength {
		raw = string([]rune(raw)[:MaxQueryLength])
	}
	var q Query
	for len(raw) > 0 {
		raw = strings.TrimLeftFunc(raw, func(r rune) bool { return !isWordRune(r) && r != '"' })
		if raw == "" {
			break
		}
		if raw[0] == '"' {
			body, rest, closed := strings.Cut(raw[1:], `"`)
			if !closed {
				rest = ""
			}
			if words := splitWords(body); len(words) > 0 {
				q.Phrases = append(q.Phrases, strings.Join(words, " "))
			}
			raw = rest
			continue
		}
		end := strings.IndexFunc(raw, unicode.IsSpace)
		if end < 0 {
			end = len(raw)
		}
		field := raw[:end]
		raw = raw[end:]
		if key, value, ok := strings.Cut(field, ":"); ok {
			if v := framework.Slug(value); v != "" && q.Filters.set(strings.ToLower(key), v) {
				continue
			}
		}
		q.Words = append(q.Words, splitWords(field)...)
	}
	return q
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// splitWords lower-cases s and splits it into words.
func splitWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !isWordRune(r) })
}
