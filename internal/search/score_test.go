package search

import (
	"io/fs"
	"sync"
	"testing"

	"hcs/data"
	"hcs/internal/framework"
)

var internalIndex = sync.OnceValues(func() (*Index, error) {
	sub, err := fs.Sub(data.Framework, "framework")
	if err != nil {
		return nil, err
	}
	f, err := framework.Load(sub)
	if err != nil {
		return nil, err
	}
	return New(f)
})

func testIndexInternal(t *testing.T) *Index {
	ix, err := internalIndex()
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// A phrase matches words that stand together within one value of a field,
// not words spread across two aliases.
func TestPhraseWithinOneValue(t *testing.T) {
	e := entry{}
	e.values[fieldAliases] = [][]token{analyse("heart scans"), analyse("ultrasound of the heart")}
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"heart scans", true},
		{"ultrasound heart", false}, // "of the" stands between them
		{"ultrasound of the heart", true},
		{"scans ultrasound", false}, // the end of one alias and the start of the next
		{"scans heart", false},
	} {
		if got := e.hasPhrase(fieldAliases, analyse(tc.text)); got != tc.want {
			t.Errorf("hasPhrase(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}

// Filters alone list every entry that has them, by name.
func TestFiltersAloneListByName(t *testing.T) {
	ix := testIndexInternal(t)
	results, err := ix.Search(ParseQuery("type:specialism patients:none"), MaxLimit)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) < 3 {
		t.Fatalf("%d results", len(results))
	}
	for i, r := range results {
		if r.Type != TypeSpecialism || ix.f.Specialism(r.ID).PatientContact != "none" {
			t.Errorf("%s/%s does not have the filters", r.Type, r.ID)
		}
		if i > 0 && results[i-1].Name > r.Name {
			t.Errorf("%q before %q", results[i-1].Name, r.Name)
		}
	}
}

// A typo with two letters swapped still finds the word.
func TestSwappedLetters(t *testing.T) {
	ix := testIndexInternal(t)
	for q, want := range map[string]string{"herat": "cardiac-science", "audiolgoy": "audiology"} {
		results, err := ix.Search(ParseQuery(q), 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(results) == 0 || results[0].ID != want {
			t.Errorf("%q: %v, want %s first", q, results, want)
		}
	}
}
