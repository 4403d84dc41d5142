package web

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"testing"

	"hcs/data"
	"hcs/internal/framework"
	"hcs/internal/search"
)

// The search answer written by hand is byte for byte what encoding/json
// writes for the same value, for queries with and without results, a job
// title's answer, filters and characters JSON escapes.
func TestSearchAnswerMatchesEncodingJSON(t *testing.T) {
	sub, err := fs.Sub(data.Framework, "framework")
	if err != nil {
		t.Fatal(err)
	}
	f, err := framework.Load(sub)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := search.New(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, raw := range []string{"heart", "hearing test", "audiolgy", "sonographer", `"x-ray" <b>&`, "type:specialism patients:none",
		"level:practitioner lab", "zzzz", "", "biomedical scientists"} {
		q := search.ParseQuery(raw)
		results, err := ix.Search(q, search.DefaultLimit)
		if err != nil {
			t.Fatal(err)
		}
		var answer any
		if a := ix.Answer(q); a != nil {
			answer = map[string]any{"title": a.Name, "summary": a.Summary, "note": "<&>"}
		}
		want, err := json.Marshal(struct {
			Answer  any             `json:"answer"`
			Filters search.Filters  `json:"filters"`
			Query   string          `json:"query"`
			Results []search.Result `json:"results"`
		}{answer, q.Filters, q.String(), results})
		if err != nil {
			t.Fatal(err)
		}
		if got := searchAnswer(answer, q, results); !bytes.Equal(got, append(want, '\n')) {
			t.Errorf("%q:\n got %s\nwant %s", raw, got, want)
		}
	}
}
