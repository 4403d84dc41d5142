package search_test

import (
	"testing"

	"hcs/internal/search"
	"hcs/internal/testkit"
)

// BenchmarkSearch measures one uncached search through bleve, the work the
// server's response cache saves on repeated queries.
func BenchmarkSearch(b *testing.B) {
	ix := testkit.Search(b)
	queries := []string{"hearing test", "audiolgy", "heart", "ECG", "cancer radiation treatment", "hematology", "neurophysiolgy", "level:practitioner patients:none"}
	parsed := make([]search.Query, len(queries))
	for i, q := range queries {
		parsed[i] = search.ParseQuery(q)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := ix.Search(parsed[i%len(parsed)], search.DefaultLimit); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkIndex measures building the index, which hcs does at start-up.
func BenchmarkIndex(b *testing.B) {
	f := testkit.Framework(b)
	for b.Loop() {
		if _, err := search.New(f); err != nil {
			b.Fatal(err)
		}
	}
}
