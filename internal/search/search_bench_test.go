package search_test

import (
	"bufio"
	"net/url"
	"os"
	"testing"

	"hcs/internal/search"
	"hcs/internal/testkit"
)

// BenchmarkSearch measures one search, the work the server's response
// cache saves on repeated queries, over eight queries in turn.
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

// BenchmarkSearchDistinct measures searches over the distinct queries of
// bench/data/queries.txt (made by `go run ./bench/querygen`): one to three
// words as people type them, a fifth with a typo. Parsing is included.
func BenchmarkSearchDistinct(b *testing.B) {
	file, err := os.Open("../../bench/data/queries.txt")
	if err != nil {
		b.Skip("no distinct queries: run go run ./bench/querygen -n 5000 > bench/data/queries.txt")
	}
	defer file.Close()
	var queries []string
	sc := bufio.NewScanner(file)
	for sc.Scan() {
		q, err := url.QueryUnescape(sc.Text())
		if err != nil {
			b.Fatal(err)
		}
		queries = append(queries, q)
	}
	ix := testkit.Search(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := ix.Search(search.ParseQuery(queries[i%len(queries)]), search.DefaultLimit); err != nil {
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
