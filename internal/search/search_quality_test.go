package search_test

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"hcs/internal/search"
	"hcs/internal/testkit"
)

// TestSearchQuality runs the query set people would type and requires the
// expected specialism in the top three for at least 90% of them.
func TestSearchQuality(t *testing.T) {
	ix := testkit.Search(t)
	file, err := os.Open("testdata/queries.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	var total, top3, first int
	kinds := map[string]bool{}
	sc := bufio.NewScanner(file)
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		cols := strings.Split(text, "\t")
		if len(cols) != 3 {
			t.Fatalf("testdata/queries.tsv:%d: want kind<TAB>query<TAB>specialism, got %q", line, text)
		}
		kind, q, want := cols[0], cols[1], cols[2]
		kinds[kind] = true
		if ix.Framework().Specialism(want) == nil {
			t.Fatalf("testdata/queries.tsv:%d: %q is not a specialism", line, want)
		}
		results, err := ix.Search(search.ParseQuery(q), 3)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		total++
		var got []string
		for i, r := range results {
			got = append(got, r.Type+"/"+r.ID)
			if r.Type == search.TypeSpecialism && r.ID == want {
				top3++
				if i == 0 {
					first++
				}
			}
		}
		if !strings.Contains(strings.Join(got, " "), "specialism/"+want) {
			t.Logf("miss (%s) %q: want %s, got %v", kind, q, want, got)
		}
	}
	if total < 60 {
		t.Fatalf("the query set has %d queries; it needs at least 60", total)
	}
	for _, k := range []string{"lay", "typo", "spelling", "abbreviation"} {
		if !kinds[k] {
			t.Errorf("the query set has no %q queries", k)
		}
	}
	rate := float64(top3) / float64(total)
	t.Logf("%d queries: %d (%.0f%%) in the top 3, %d first", total, top3, 100*rate, first)
	if rate < 0.9 {
		t.Errorf("only %.1f%% of queries have the expected specialism in the top 3; need at least 90%%", 100*rate)
	}
}

func testIndex(t *testing.T) *search.Index { return testkit.Search(t) }
