package search

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"

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
}

// document is what bleve indexes for one entry.
type document struct {
	Type     string   `json:"type"`
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Aliases  []string `json:"aliases"`
	Exact    []string `json:"exact"`
	Keywords []string `json:"keywords"`
	Summary  string   `json:"summary"`
	Body     string   `json:"body"`
	Area     []string `json:"area"`
	Levels   []string `json:"levels"`
	Patients string   `json:"patients"`
	Settings []string `json:"settings"`
	// Where is the settings as words to search ("laboratory").
	Where []string `json:"where"`
}

// Index searches one framework. It is safe for concurrent use.
type Index struct {
	f       *framework.Framework
	bleve   bleve.Index
	results map[string]Result // by bleve document id
	// words holds each document's words (names, aliases, keywords,
	// summary, body), for measuring how much of a query it covers.
	words map[string]map[string]bool
	// known is every word of every document, stemmed: a query word found
	// here is spelled as the data spells it and needs no fuzzy match.
	known map[string]bool
	// titles maps each job title's name and aliases, in their exact
	// form, to the title.
	titles map[string]*framework.Title
}

// New indexes the framework in memory.
func New(f *framework.Framework) (*Index, error) {
	ix := &Index{f: f, results: map[string]Result{}, words: map[string]map[string]bool{}, known: map[string]bool{}, titles: map[string]*framework.Title{}}
	for _, t := range f.Titles {
		for _, form := range exactForms(append([]string{t.Name}, t.Aliases...)) {
			ix.titles[form] = t
		}
	}
	idx, err := bleve.NewMemOnly(indexMapping())
	if err != nil {
		return nil, fmt.Errorf("create search index: %w", err)
	}
	ix.bleve = idx
	batch := idx.NewBatch()
	add := func(d document, url string) error {
		key := d.Type + "/" + d.ID
		d.Exact = exactForms(append([]string{d.Name}, d.Aliases...))
		ix.results[key] = Result{Type: d.Type, ID: d.ID, Name: d.Name, URL: url, Summary: d.Summary}
		ws := map[string]bool{}
		for _, text := range slices.Concat([]string{d.Name, d.Summary, d.Body}, d.Aliases, d.Keywords, d.Where) {
			for _, w := range splitWords(text) {
				ws[stem(w)] = true
				ix.known[stem(w)] = true
			}
		}
		ix.words[key] = ws
		return batch.Index(key, d)
	}
	for _, d := range f.Divisions {
		doc := document{Type: TypeDivision, ID: d.ID, Name: d.Name, Aliases: d.Aliases, Summary: d.Summary, Area: []string{d.ID}}
		if err := add(doc, "/areas/"+d.ID); err != nil {
			return nil, err
		}
	}
	for _, g := range f.RoleGroups {
		doc := document{Type: TypeRoleGroup, ID: g.ID, Name: g.Name, Aliases: g.Aliases, Summary: g.Summary, Area: []string{g.DivisionID}}
		if err := add(doc, "/role-groups/"+g.ID); err != nil {
			return nil, err
		}
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
		doc := document{
			Type: TypeSpecialism, ID: s.ID, Name: s.Name, Aliases: aliases, Keywords: s.Keywords,
			Summary: s.Summary, Body: s.DayToDay + " " + strings.Join(s.Techniques, ". "),
			Area: areas, Levels: s.LevelIDs, Patients: s.PatientContact, Settings: s.Settings, Where: s.Settings,
		}
		if err := add(doc, "/specialisms/"+s.ID); err != nil {
			return nil, err
		}
	}
	for _, lv := range f.Levels {
		var body []string
		for _, st := range lv.Stages {
			body = append(body, st.Name+". "+st.Description)
		}
		doc := document{Type: TypeLevel, ID: lv.ID, Name: lv.Name, Aliases: lv.Aliases, Summary: lv.Summary, Body: strings.Join(body, " "), Levels: []string{lv.ID}}
		if err := add(doc, "/levels/"+lv.ID); err != nil {
			return nil, err
		}
	}
	for _, p := range f.Programmes {
		doc := document{Type: TypeProgramme, ID: p.ID, Name: p.Name, Aliases: p.Aliases, Summary: p.Summary, Body: p.Entry + " " + p.Award}
		if p.LevelID != "" {
			doc.Levels = []string{p.LevelID}
		}
		if err := add(doc, "/programmes/"+p.ID); err != nil {
			return nil, err
		}
	}
	if err := idx.Batch(batch); err != nil {
		return nil, fmt.Errorf("index framework: %w", err)
	}
	return ix, nil
}

func indexMapping() mapping.IndexMapping {
	text := func() *mapping.FieldMapping {
		fm := bleve.NewTextFieldMapping()
		fm.Analyzer = en.AnalyzerName
		fm.Store = false
		fm.IncludeTermVectors = true // phrase queries need positions
		return fm
	}
	exact := func() *mapping.FieldMapping {
		fm := bleve.NewKeywordFieldMapping()
		fm.Analyzer = keyword.Name
		fm.Store = false
		fm.IncludeInAll = false
		return fm
	}
	doc := bleve.NewDocumentStaticMapping()
	for _, f := range []string{"name", "aliases", "keywords", "summary", "body", "where"} {
		doc.AddFieldMappingsAt(f, text())
	}
	for _, f := range []string{"type", "id", "exact", "area", "levels", "patients", "settings"} {
		doc.AddFieldMappingsAt(f, exact())
	}
	m := bleve.NewIndexMapping()
	m.DefaultMapping = doc
	m.DefaultAnalyzer = en.AnalyzerName
	return m
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
	var must []query.Query
	if tq := ix.textQuery(q); tq != nil {
		must = append(must, tq)
	}
	for field, value := range map[string]string{"type": q.Filters.Type, "area": q.Filters.Area, "levels": q.Filters.Level, "patients": q.Filters.Patients, "settings": q.Filters.Setting} {
		if value != "" {
			tq := bleve.NewTermQuery(value)
			tq.SetField(field)
			must = append(must, tq)
		}
	}
	if len(must) == 0 {
		return []Result{}, nil
	}
	req := bleve.NewSearchRequestOptions(bleve.NewConjunctionQuery(must...), MaxLimit, 0, false)
	res, err := ix.bleve.Search(req)
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", q.String(), err)
	}
	content := ix.contentWords(q)
	out := make([]Result, 0, len(res.Hits))
	for _, h := range res.Hits {
		r := ix.results[h.ID]
		r.Score = h.Score * typeWeight[r.Type] * ix.coverage(h.ID, content)
		out = append(out, r)
	}
	slices.SortStableFunc(out, func(a, b Result) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	// Relevance falls off: keep the strong matches, not every entry that
	// shares a word with the query.
	for i, r := range out {
		if r.Score < out[0].Score*RelevanceFloor {
			out = out[:i]
			break
		}
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// contentWords are the query's words that say what it is about, stemmed:
// stop words dropped, spellings normalised, synonyms not added.
func (ix *Index) contentWords(q Query) []string {
	var out []string
	for _, w := range ix.normalise(append(slices.Clone(q.Words), strings.Fields(strings.Join(q.Phrases, " "))...)) {
		if !stopWords[w] {
			out = append(out, stem(w))
		}
	}
	return out
}

// coverage is the share of the query's content words an entry holds,
// counting near misses (a typo, a half-typed word) as half. A result that
// matches one word of a three-word query strongly (a name) falls behind one
// that matches all three; a one-word query is unaffected.
func (ix *Index) coverage(key string, content []string) float64 {
	if len(content) < 2 {
		return 1
	}
	ws := ix.words[key]
	var got float64
	for _, w := range content {
		switch {
		case ws[w]:
			got++
		case nearly(ws, w):
			got += 0.5
		}
	}
	c := max(got, 0.5) / float64(len(content))
	return c * c
}

// nearly reports whether a word of the set starts with w or w with one
// letter changed at its end: how a typo or a half-typed word still counts.
func nearly(ws map[string]bool, w string) bool {
	if len(w) < 4 {
		return false
	}
	for x := range ws {
		if strings.HasPrefix(x, w[:len(w)-1]) {
			return true
		}
	}
	return false
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

// textQuery builds the scoring query: exact names and phrases count most,
// then aliases and lay keywords, then descriptions; typo-tolerant and
// prefix matches on names catch misspellings and half-typed words (words
// the data does not hold as typed).
func (ix *Index) textQuery(q Query) query.Query {
	words := ix.normalise(q.Words)
	phrases := make([]string, len(q.Phrases))
	for i, p := range q.Phrases {
		phrases[i] = strings.Join(ix.normalise(strings.Fields(p)), " ")
	}
	if len(words) == 0 && len(phrases) == 0 {
		return nil
	}
	var should []query.Query
	exact := bleve.NewTermQuery(strings.Join(append(slices.Clone(words), phrases...), " "))
	exact.SetField("exact")
	exact.SetBoost(20)
	should = append(should, exact)
	match := func(field, text string, boost float64, fuzziness int) {
		m := bleve.NewMatchQuery(text)
		m.SetField(field)
		m.SetBoost(boost)
		m.SetFuzziness(fuzziness)
		should = append(should, m)
	}
	phrase := func(field, text string, boost float64) {
		p := bleve.NewMatchPhraseQuery(text)
		p.SetField(field)
		p.SetBoost(boost)
		should = append(should, p)
	}
	all := strings.Join(append(slices.Clone(words), phrases...), " ")
	for _, text := range append([]string{all}, phrases...) {
		phrase("name", text, 12)
		phrase("aliases", text, 9)
		phrase("keywords", text, 8)
	}
	match("name", all, 3, 0)
	match("aliases", all, 5, 0)
	match("keywords", all, 4, 0)
	match("summary", all, 1.5, 0)
	match("body", all, 0.7, 0)
	match("where", all, 6, 0)
	for _, w := range append(slices.Clone(words), strings.Fields(strings.Join(phrases, " "))...) {
		// A word the data holds as typed is matched above; only a
		// misspelt or half-typed one needs the fuzzy and prefix matches.
		if n := len([]rune(w)); n >= 4 && !ix.known[stem(w)] {
			fuzz := 1
			if n >= 8 {
				fuzz = 2
			}
			for _, fb := range fuzzyFields {
				match(fb.field, w, fb.boost, fuzz)
				p := bleve.NewPrefixQuery(w)
				p.SetField(fb.field)
				p.SetBoost(fb.boost / 2)
				should = append(should, p)
			}
		}
	}
	if extra := ix.synonyms(words); len(extra) > 0 {
		text := strings.Join(extra, " ")
		match("keywords", text, 1, 0)
		match("summary", text, 0.5, 0)
	}
	return bleve.NewDisjunctionQuery(should...)
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

// fuzzyFields are searched with typo tolerance and as prefixes.
var fuzzyFields = []struct {
	field string
	boost float64
}{{"name", 2.5}, {"aliases", 2}, {"keywords", 1.5}}

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
