package xapi_test

import (
	"encoding/json"
	"strings"
	"testing"

	"hcs/internal/testkit"
	"hcs/internal/xapi"
)

func good() map[string]any {
	var m map[string]any
	b, _ := json.Marshal(xapi.Statement{
		ID:        "3f2b7c1e-9d4a-5b6c-8d7e-1f2a3b4c5d6e",
		Actor:     xapi.Agent{ObjectType: "Agent", Name: "A Trainee", Account: xapi.Account{HomePage: "https://hcs.example", Name: "user-7"}},
		Verb:      xapi.Verb{ID: xapi.VerbCompleted, Display: map[string]string{"en-GB": "completed"}},
		Object:    xapi.Activity{ObjectType: "Activity", ID: "https://hcs.example/xapi/evidence-1", Definition: &xapi.Definition{Name: map[string]string{"en-GB": "A DOPS"}, Type: xapi.ActivityAssessment}},
		Timestamp: "2027-08-02T09:00:00Z",
		Version:   xapi.Version,
	})
	json.Unmarshal(b, &m)
	return m
}

// The schema the statement tests use accepts a well-formed statement and
// refuses each thing the standard forbids: it can fail.
func TestStatementSchemaCanFail(t *testing.T) {
	if err := testkit.CheckXAPIStatement(t, good()); err != nil {
		t.Fatalf("a good statement: %v", err)
	}
	for name, edit := range map[string]func(m map[string]any){
		"two identifiers": func(m map[string]any) { m["actor"].(map[string]any)["mbox"] = "mailto:a@example.org" },
		"no identifier":   func(m map[string]any) { delete(m["actor"].(map[string]any), "account") },
		"id not a UUID":   func(m map[string]any) { m["id"] = "statement-1" },
		"no time zone":    func(m map[string]any) { m["timestamp"] = "2027-08-02T09:00:00" },
		"verb not an IRI": func(m map[string]any) { m["verb"].(map[string]any)["id"] = "completed" },
		"bad language": func(m map[string]any) {
			m["verb"].(map[string]any)["display"] = map[string]any{"english!": "completed"}
		},
		"scaled above 1": func(m map[string]any) { m["result"] = map[string]any{"score": map[string]any{"scaled": 1.5}} },
		"unknown field":  func(m map[string]any) { m["mood"] = "happy" },
		"old version":    func(m map[string]any) { m["version"] = "1.0.3" },
		"no verb":        func(m map[string]any) { delete(m, "verb") },
		"attachment without sha2": func(m map[string]any) {
			m["attachments"] = []any{map[string]any{"usageType": "http://id.tincanapi.com/attachment/supporting_media",
				"display": map[string]any{"en-GB": "form.pdf"}, "contentType": "application/pdf", "length": 10}}
		},
		"attachment sha1": func(m map[string]any) {
			m["attachments"] = []any{map[string]any{"usageType": "http://id.tincanapi.com/attachment/supporting_media",
				"display": map[string]any{"en-GB": "form.pdf"}, "contentType": "application/pdf", "length": 10, "sha2": strings.Repeat("a", 40)}}
		},
	} {
		m := good()
		edit(m)
		if err := testkit.CheckXAPIStatement(t, m); err == nil {
			t.Errorf("%s: the schema accepted it", name)
		}
	}
}
