package search_test

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"hcs/internal/search"
)

func TestParseQuery(t *testing.T) {
	tests := []struct {
		in   string
		want search.Query
	}{
		{"Hearing  Test", search.Query{Words: []string{"hearing", "test"}}},
		{`"sleep apnoea" level:practitioner`, search.Query{Phrases: []string{"sleep apnoea"}, Filters: search.Filters{Level: "practitioner"}}},
		{"heart AREA:Physiological-Sciences patients:most", search.Query{Words: []string{"heart"}, Filters: search.Filters{Area: "physiological-sciences", Patients: "most"}}},
		{"non-ionizing radiation", search.Query{Words: []string{"non", "ionizing", "radiation"}}},
		{"colour:red", search.Query{Words: []string{"colour", "red"}}}, // not a filter key
		{`"unclosed phrase`, search.Query{Phrases: []string{"unclosed phrase"}}},
		{"level:", search.Query{Words: []string{"level"}}},
		{"   ", search.Query{}},
	}
	for _, tt := range tests {
		got := search.ParseQuery(tt.in)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseQuery(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestSearchFilterErrorsNameTheField(t *testing.T) {
	ix := testIndex(t)
	_, err := ix.Search(search.ParseQuery("heart setting:moon"), 5)
	if err == nil || !strings.Contains(err.Error(), `setting "moon"`) {
		t.Fatalf("got %v, want an error naming the setting", err)
	}
}

// FuzzParseQuery: the parser never panics, keeps within its limits, and
// what it writes back parses to the same query.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"hearing test", `"sleep apnoea" level:practitioner`, "ECG", "área:life-sciences café", "a:b:c", `""`, "\xff\xfe", strings.Repeat("x ", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q := search.ParseQuery(raw)
		text := q.String()
		if !utf8.ValidString(text) {
			t.Fatalf("invalid UTF-8 from %q", raw)
		}
		if n := utf8.RuneCountInString(q.Text()); n > search.MaxQueryLength {
			t.Fatalf("query text has %d characters, more than the limit", n)
		}
		again := search.ParseQuery(text)
		if !reflect.DeepEqual(again, q) {
			t.Fatalf("round trip changed the query:\n raw   %q\n first %+v\n again %+v", raw, q, again)
		}
	})
}
