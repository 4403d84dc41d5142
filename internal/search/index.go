package search

import (
	"cmp"
	"encoding/json"
	"maps"
	"math"
	"slices"
	"strings"

	"hcs/internal/apperr"
	"hcs/internal/framework"
)

// Result types.
const (
	TypeDivision   = "division"
	TypeRoleGroup  = "role-group"
	TypeSpecialism = "specialism"
	TypeLevel      = "level"
	TypeProgramme  = "programme"
)

// Types lists the result types in the order the explorer presents them.
var Types = []string{TypeSpecialism, TypeRoleGroup, TypeDivision, TypeLevel, TypeProgramme}

// Result is one search hit. The first four fields are a contract other
// tools rely on.
type Result struct {
	Type    string  `json:"type"`
	ID      string  `json:"id"`
	Name    string  `json:"name"`
	URL     string  `json:"url"`
	Summary string  `json:"summary"`
	Score   float64 `json:"-"`
	// json is the result as JSON, made once when the index is built.
	json []byte
}

// AppendJSON appends the result as JSON, byte for byte as encoding/json
// writes it (without the score).
func (r Result) AppendJSON(b []byte) []byte {
	if r.json == nil {
		r.json, _ = json.Marshal(r)
	}
	return append(b, r.json...)
}

// Fields an entry's text is indexed under, each searched with its own
// weight.
type field int

const (
	fieldName field = iota
	fieldAliases
	fieldKeywords
	fieldSummary
	fieldBody
	fieldWhere
	numFields
)

// entry is one indexed framework entry.
type entry struct {
	result Result
	// values holds each field's texts as tokens, one slice per value (an
	// entry has several aliases), for matching phrases within a value.
	values [numFields][][]token
	// exactForms counts the entry's exact forms, which share its exact
	// score between them.
	exactForms int
	// What the filters compare.
	areas, levels, settings []string
	patients                string
}

// posting is one entry holding a term in a field, with the term's weight
// there: how rare the term is across entries (idf, squared as tf-idf
// weighs both the query and the entry), how often the entry uses it
// (square root of the count), and how short the field is (1/√length), so
// that a name of two words counts more than a paragraph.
type posting struct {
	entry  int32
	weight float64
}

// Index searches one framework. It is safe for concurrent use: it is built
// once and only read.
type Index struct {
	f       *framework.Framework
	entries []entry
	// postings maps each term to its postings in each field.
	postings map[string]*[numFields][]posting
	// exact maps an entry's name and aliases, in their exact form, to the
	// entries and their exact weights.
	exact map[string][]posting
	// typos finds the names', aliases' and keywords' terms near a
	// misspelt or half-typed word.
	typos *typoTable
	// words maps every word of every entry (names, aliases, keywords,
	// summary, body, settings), roughly stemmed, to the entries that hold
	// it: for measuring how much of a query an entry covers. A query word
	// found here is spelled as the data spells it and needs no fuzzy
	// match. wordsSorted holds the same words in order.
	words       map[string]entrySet
	wordsSorted []string
	// titles maps each job title's name and aliases, in their exact
	// form, to the title.
	titles map[string]*framework.Title
}

// New indexes the framework in memory.
func New(f *framework.Framework) (*Index, error) {
	ix := &Index{f: f, postings: map[string]*[numFields][]posting{}, exact: map[string][]posting{}, words: map[string]entrySet{}, titles: map[string]*framework.Title{}}
	for _, t := range f.Titles {
		for _, form := range exactForms(append([]string{t.Name}, t.Aliases...)) {
			ix.titles[form] = t
		}
	}
	type text struct {
		name, summary, body string
		aliases, keywords   []string
		where               []string
	}
	add := func(r Result, tx text, e entry) {
		r.json, _ = json.Marshal(r)
		e.result = r
		n := int32(len(ix.entries))
		forms := exactForms(append([]string{tx.name}, tx.aliases...))
		e.exactForms = len(forms)
		for _, form := range forms {
			ix.exact[form] = append(ix.exact[form], posting{entry: n})
		}
		for fl, values := range [numFields][]string{
			fieldName: {tx.name}, fieldAliases: tx.aliases, fieldKeywords: tx.keywords,
			fieldSummary: {tx.summary}, fieldBody: {tx.body}, fieldWhere: tx.where,
		} {
			for _, v := range values {
				e.values[fl] = append(e.values[fl], analyse(v))
			}
		}
		for _, v := range slices.Concat([]string{tx.name, tx.summary, tx.body}, tx.aliases, tx.keywords, tx.where) {
			for _, w := range splitWords(v) {
				ix.words[stem(w)] = ix.words[stem(w)].with(int(n))
			}
		}
		ix.entries = append(ix.entries, e)
	}
	for _, d := range f.Divisions {
		add(Result{Type: TypeDivision, ID: d.ID, Name: d.Name, URL: "/areas/" + d.ID, Summary: d.Summary},
			text{name: d.Name, aliases: d.Aliases, summary: d.Summary},
			entry{areas: []string{d.ID}})
	}
	for _, g := range f.RoleGroups {
		add(Result{Type: TypeRoleGroup, ID: g.ID, Name: g.Name, URL: "/role-groups/" + g.ID, Summary: g.Summary},
			text{name: g.Name, aliases: g.Aliases, summary: g.Summary},
			entry{areas: []string{g.DivisionID}})
	}
	for _, s := range f.Specialisms {
		aliases := slices.Clone(s.Aliases)
		for _, r := range s.FormerNames {
			aliases = append(aliases, r.Name)
		}
		areas := []string{s.Division().ID}
		for _, g := range s.AlsoIn {
			areas = append(areas, f.RoleGroup(g).DivisionID)
		}
		add(Result{Type: TypeSpecialism, ID: s.ID, Name: s.Name, URL: "/specialisms/" + s.ID, Summary: s.Summary},
			text{name: s.Name, aliases: aliases, keywords: s.Keywords, summary: s.Summary,
				body: s.DayToDay + " " + strings.Join(s.Techniques, ". "), where: s.Settings},
			entry{areas: areas, levels: s.LevelIDs, patients: s.PatientContact, settings: s.Settings})
	}
	for _, lv := range f.Levels {
		var body []string
		for _, st := range lv.Stages {
			body = append(body, st.Name+". "+st.Description)
		}
		add(Result{Type: TypeLevel, ID: lv.ID, Name: lv.Name, URL: "/levels/" + lv.ID, Summary: lv.Summary},
			text{name: lv.Name, aliases: lv.Aliases, summary: lv.Summary, body: strings.Join(body, " ")},
			entry{levels: []string{lv.ID}})
	}
	for _, p := range f.Programmes {
		e := entry{}
		if p.LevelID != "" {
			e.levels = []string{p.LevelID}
		}
		add(Result{Type: TypeProgramme, ID: p.ID, Name: p.Name, URL: "/programmes/" + p.ID, Summary: p.Summary},
			text{name: p.Name, aliases: p.Aliases, summary: p.Summary, body: p.Entry + " " + p.Award}, e)
	}
	ix.weigh()
	return ix, nil
}

// weigh builds the postings and their weights once every entry is in.
func (ix *Index) weigh() {
	n := float64(len(ix.entries))
	idf := func(df int) float64 { return 1 + math.Log(n/float64(df+1)) }
	for i, e := range ix.entries {
		for fl := range numFields {
			length := 0
			freq := map[string]int{}
			for _, v := range e.values[fl] {
				length += len(v)
				for _, t := range v {
					freq[t.term]++
				}
			}
			for term, tf := range freq {
				p := ix.postings[term]
				if p == nil {
					p = new([numFields][]posting)
					ix.postings[term] = p
				}
				// The weight without idf for now: df is known at the end.
				p[fl] = append(p[fl], posting{entry: int32(i), weight: math.Sqrt(float64(tf)) / math.Sqrt(float64(length))})
			}
		}
	}
	var dictionary []string
	for term, p := range ix.postings {
		for fl := range numFields {
			w := idf(len(p[fl]))
			for j := range p[fl] {
				p[fl][j].weight *= w * w
			}
		}
		if len(p[fieldName])+len(p[fieldAliases])+len(p[fieldKeywords]) > 0 {
			dictionary = append(dictionary, term)
		}
	}
	for form, ps := range ix.exact {
		w := idf(len(ps))
		for j := range ps {
			ps[j].weight = w * w / math.Sqrt(float64(ix.entries[ps[j].entry].exactForms))
		}
		ix.exact[form] = ps
	}
	ix.wordsSorted = slices.Sorted(maps.Keys(ix.words))
	slices.Sort(dictionary)
	ix.typos = newTypoTable(dictionary, 2)
}

// Limits on results per search.
const (
	DefaultLimit = 20
	MaxLimit     = 100
)

// Search runs a query and returns results best first. Filters with unknown
// values are invalid input, named in the error.
func (ix *Index) Search(q Query, limit int) ([]Result, error) {
	if err := ix.checkFilters(q.Filters); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > MaxLimit {
		limit = DefaultLimit
	}
	sc := scorerPool.Get().(*scorer)
	defer scorerPool.Put(sc)
	sc.reset(len(ix.entries))
	text := ix.score(sc, q)
	if !text && q.Filters == (Filters{}) {
		return []Result{}, nil
	}
	content := ix.contentWords(q)
	type hit struct {
		entry int
		score float64
	}
	var hits []hit
	for i := range ix.entries {
		e := &ix.entries[i]
		if !e.passes(q.Filters) || text && sc.score[i] == 0 {
			continue
		}
		h := hit{entry: i}
		if text {
			h.score = sc.total(i) * typeWeight[e.result.Type] * coverage(i, content)
		}
		hits = append(hits, h)
	}
	slices.SortFunc(hits, func(a, b hit) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		if c := cmp.Compare(ix.entries[a.entry].result.Name, ix.entries[b.entry].result.Name); c != 0 {
			return c
		}
		return cmp.Compare(a.entry, b.entry)
	})
	out := make([]Result, 0, min(len(hits), limit))
	for _, h := range hits {
		// Relevance falls off: keep the strong matches, not every entry
		// that shares a word with the query.
		if len(out) == limit || h.score < hits[0].score*RelevanceFloor {
			break
		}
		r := ix.entries[h.entry].result
		r.Score = h.score
		out = append(out, r)
	}
	return out, nil
}

// passes reports whether the entry has every value the filters ask for.
func (e *entry) passes(f Filters) bool {
	return (f.Type == "" || e.result.Type == f.Type) &&
		(f.Area == "" || slices.Contains(e.areas, f.Area)) &&
		(f.Level == "" || slices.Contains(e.levels, f.Level)) &&
		(f.Patients == "" || e.patients == f.Patients) &&
		(f.Setting == "" || slices.Contains(e.settings, f.Setting))
}

// contentWord is one of the query's words that says what it is about,
// roughly stemmed (stop words dropped, spellings normalised, synonyms not
// added), as the entries that hold it and those that nearly do: that hold
// a word starting with it or with it less its last letter, as a typo or a
// half-typed word would.
type contentWord struct {
	in, near entrySet
}

func (ix *Index) contentWords(q Query) []contentWord {
	var out []contentWord
	for _, w := range ix.normalise(append(slices.Clone(q.Words), strings.Fields(strings.Join(q.Phrases, " "))...)) {
		if stopWords[w] {
			continue
		}
		w = stem(w)
		c := contentWord{in: ix.words[w]}
		if len(w) >= 4 {
			p := w[:len(w)-1]
			i, _ := slices.BinarySearch(ix.wordsSorted, p)
			for j := i; j < len(ix.wordsSorted) && strings.HasPrefix(ix.wordsSorted[j], p); j++ {
				c.near = c.near.union(ix.words[ix.wordsSorted[j]])
			}
		}
		out = append(out, c)
	}
	return out
}

// coverage is the share of the query's content words entry i holds,
// counting near misses (a typo, a half-typed word) as half. A result that
// matches one word of a three-word query strongly (a name) falls behind one
// that matches all three; a one-word query is unaffected.
func coverage(i int, content []contentWord) float64 {
	if len(content) < 2 {
		return 1
	}
	var got float64
	for _, c := range content {
		switch {
		case c.in.has(i):
			got++
		case c.near.has(i):
			got += 0.5
		}
	}
	c := max(got, 0.5) / float64(len(content))
	return c * c
}

// entrySet is a set of entries by index.
type entrySet []uint64

func (s entrySet) has(i int) bool { return i/64 < len(s) && s[i/64]&(1<<(i%64)) != 0 }

// with returns the set with entry i added.
func (s entrySet) with(i int) entrySet {
	for len(s) <= i/64 {
		s = append(s, 0)
	}
	s[i/64] |= 1 << (i % 64)
	return s
}

// union returns the entries in s or t, in a new set.
func (s entrySet) union(t entrySet) entrySet {
	out := make(entrySet, max(len(s), len(t)))
	copy(out, s)
	for i, x := range t {
		out[i] |= x
	}
	return out
}

// stem reduces an English word to a rough stem, enough to compare a
// query's words with an entry's: "scans" and "scan", "testing" and "test".
func stem(w string) string {
	for _, suf := range []string{"ing", "ies", "es", "s", "ed"} {
		if len(w) > len(suf)+3 && strings.HasSuffix(w, suf) {
			return strings.TrimSuffix(w, suf)
		}
	}
	return w
}

// stopWords are words that say nothing about what a query is about.
var stopWords = map[string]bool{
	"a": true, "an": true, "and": true, "the": true, "of": true, "for": true, "in": true, "on": true, "to": true,
	"with": true, "after": true, "at": true, "by": true, "from": true, "or": true, "my": true, "i": true,
	"how": true, "what": true, "who": true, "job": true, "jobs": true, "work": true, "career": true, "careers": true,
}

// RelevanceFloor is the share of the best result's score below which a
// result is dropped.
var RelevanceFloor = 0.1

// typeWeight nudges specialisms, which most people are looking for, above
// broader entries that match equally well.
var typeWeight = map[string]float64{
	TypeSpecialism: 1.0,
	TypeRoleGroup:  0.9,
	TypeDivision:   0.85,
	TypeLevel:      0.95,
	TypeProgramme:  0.9,
}

func (ix *Index) checkFilters(f Filters) error {
	if f.Type != "" && !slices.Contains(Types, f.Type) {
		return apperr.Invalidf("type", "type %q is not one of %s", f.Type, strings.Join(Types, ", "))
	}
	if f.Area != "" && ix.f.Division(f.Area) == nil {
		var ids []string
		for _, d := range ix.f.Divisions {
			ids = append(ids, d.ID)
		}
		return apperr.Invalidf("area", "area %q is not one of %s", f.Area, strings.Join(ids, ", "))
	}
	if f.Level != "" && ix.f.Level(f.Level) == nil {
		var ids []string
		for _, lv := range ix.f.Levels {
			ids = append(ids, lv.ID)
		}
		return apperr.Invalidf("level", "level %q is not one of %s", f.Level, strings.Join(ids, ", "))
	}
	if f.Patients != "" && !slices.Contains([]string{framework.ContactNone, framework.ContactSome, framework.ContactMost}, f.Patients) {
		return apperr.Invalidf("patients", "patients %q is not one of none, some, most", f.Patients)
	}
	if f.Setting != "" && !slices.Contains(framework.Settings, f.Setting) {
		return apperr.Invalidf("setting", "setting %q is not one of %s", f.Setting, strings.Join(framework.Settings, ", "))
	}
	return nil
}

// exactForms returns each name in the form a query is compared with for an
// exact match: lower-case words separated by single spaces. A name with a
// bracketed abbreviation, like "Scientist Training Programme (STP)", also
// gives the abbreviation and the name without it.
func exactForms(names []string) []string {
	var out []string
	for _, n := range names {
		out = append(out, strings.Join(splitWords(n), " "))
		if open := strings.LastIndex(n, "("); open > 0 && strings.HasSuffix(n, ")") {
			out = append(out, strings.Join(splitWords(n[open:]), " "), strings.Join(splitWords(n[:open]), " "))
		}
	}
	return out
}

// normalise rewrites variant spellings to the ones the data uses.
func (ix *Index) normalise(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		if to, ok := ix.f.Vocabulary.Spellings[w]; ok {
			w = to
		}
		out[i] = w
	}
	return out
}

// synonyms returns the extra words the vocabulary adds for these words.
func (ix *Index) synonyms(words []string) []string {
	var extra []string
	for _, w := range words {
		extra = append(extra, ix.f.Vocabulary.Synonyms[w]...)
	}
	return extra
}

// Answer returns the job title the query names, such as "biomedical
// scientist" or "sonographer", or nil. The whole query must be the title,
// one of its aliases, or either without a plural s.
func (ix *Index) Answer(q Query) *framework.Title {
	text := strings.Join(ix.normalise(append(slices.Clone(q.Words), q.Phrases...)), " ")
	if text == "" {
		return nil
	}
	if t := ix.titles[text]; t != nil {
		return t
	}
	return ix.titles[strings.TrimSuffix(text, "s")]
}

// Framework returns the framework the index was built from.
func (ix *Index) Framework() *framework.Framework { return ix.f }
