package search_test

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"hcs/internal/search"
)

// TestSearchPrecision runs single-topic queries written the way people
// describe the work: each must put its specialism first and show no more
// than 10 results, so that relevance falls off instead of listing the
// whole framework.
func TestSearchPrecision(t *testing.T) {
	ix := testIndex(t)
	file, err := os.Open("testdata/precision.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	n := 0
	sc := bufio.NewScanner(file)
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		q, want, ok := strings.Cut(text, "\t")
		if !ok || ix.Framework().Specialism(want) == nil {
			t.Fatalf("testdata/precision.tsv:%d: want query<TAB>specialism id, got %q", line, text)
		}
		n++
		results, err := ix.Search(search.ParseQuery(q), search.MaxLimit)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		if len(results) == 0 || results[0].Type != search.TypeSpecialism || results[0].ID != want {
			var got []string
			for _, r := range results[:min(3, len(results))] {
				got = append(got, r.Type+"/"+r.ID)
			}
			t.Errorf("%q: first %v, want specialism/%s", q, got, want)
		}
		if len(results) > 10 {
			t.Errorf("%q: %d results; a single-topic query should show no more than 10", q, len(results))
		}
	}
	if n < 50 {
		t.Fatalf("the precision set has %d queries; it needs at least 50", n)
	}
}

// The lay words the explorer's users tried.
func TestSearchLayWords(t *testing.T) {
	ix := testIndex(t)
	f := ix.Framework()

	// "lab" finds laboratory roles, not only the cardiac catheter lab.
	results, err := ix.Search(search.ParseQuery("lab"), search.MaxLimit)
	if err != nil {
		t.Fatal(err)
	}
	labs := 0
	for _, r := range results {
		if r.Type == search.TypeSpecialism && f.Specialism(r.ID).HasSetting("laboratory") {
			labs++
		}
	}
	if labs < 3 {
		t.Errorf("lab: %d laboratory specialisms in %v; want at least 3", labs, results)
	}

	// "hearing test" is about one role.
	if results, _ := ix.Search(search.ParseQuery("hearing test"), search.MaxLimit); len(results) > 10 || results[0].ID != "audiology" {
		t.Errorf("hearing test: %d results, first %v", len(results), results[:1])
	}

	// A job title gets an answer that says where it lives.
	for _, tc := range []struct {
		q, title string
		inHCS    bool
		belongs  string
		spec     string
	}{
		{"biomedical scientist", "biomedical-scientist", true, "", "clinical-biochemistry"},
		{"Biomedical Scientists", "biomedical-scientist", true, "", "histopathology"},
		{"sonographer", "sonographer", false, "imaging", "vascular-science"},
		{"radiographer", "radiographer", false, "allied health professions", "radiotherapy-physics"},
		{"pharmacist", "pharmacist", false, "pharmacy", "clinical-pharmaceutical-science"},
		{"genetic counsellor", "genetic-counsellor", true, "", "genomic-counselling"},
	} {
		a := ix.Answer(search.ParseQuery(tc.q))
		if a == nil || a.ID != tc.title {
			t.Errorf("%q: answer %v, want %s", tc.q, a, tc.title)
			continue
		}
		if a.InHealthcareScience != tc.inHCS || !strings.Contains(a.BelongsTo, tc.belongs) {
			t.Errorf("%q: in healthcare science %v, belongs to %q", tc.q, a.InHealthcareScience, a.BelongsTo)
		}
		found := false
		for _, s := range a.Specialisms {
			found = found || s.ID == tc.spec
		}
		if !found {
			t.Errorf("%q: answer does not lead to %s", tc.q, tc.spec)
		}
	}
	// Only a whole title is answered: words that merely contain one are not.
	for _, q := range []string{"scientist", "biomedical scientist training", "heart"} {
		if a := ix.Answer(search.ParseQuery(q)); a != nil {
			t.Errorf("%q: answered with %s", q, a.ID)
		}
	}
}
