package testkit

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

var (
	xapiOnce   sync.Once
	xapiSchema *jsonschema.Schema
	xapiErr    error
)

// XAPIStatementSchema is the JSON Schema (2020-12) of an xAPI 2.0
// statement written from the standard for the tests
// (internal/xapi/testdata/statement.schema.json), compiled once.
func XAPIStatementSchema(tb testing.TB) *jsonschema.Schema {
	tb.Helper()
	xapiOnce.Do(func() {
		path := filepath.Join(moduleRoot(), "internal", "xapi", "testdata", "statement.schema.json")
		var b []byte
		if b, xapiErr = os.ReadFile(path); xapiErr != nil {
			return
		}
		var doc any
		if doc, xapiErr = jsonschema.UnmarshalJSON(bytes.NewReader(b)); xapiErr != nil {
			return
		}
		c := jsonschema.NewCompiler()
		if xapiErr = c.AddResource("statement.schema.json", doc); xapiErr != nil {
			return
		}
		xapiSchema, xapiErr = c.Compile("statement.schema.json")
	})
	if xapiErr != nil {
		tb.Fatal(xapiErr)
	}
	return xapiSchema
}

// CheckXAPIStatement validates one statement, as JSON, against the schema
// and returns what is wrong, or nil.
func CheckXAPIStatement(tb testing.TB, statement any) error {
	tb.Helper()
	b, err := json.Marshal(statement)
	if err != nil {
		tb.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		tb.Fatal(err)
	}
	return XAPIStatementSchema(tb).Validate(inst)
}
