package workforce_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"hcs/internal/testkit"
	"hcs/internal/workforce"
)

// lost returns the first field of a that b lacks or holds differently,
// by its path, or "". b may hold more: the Go model writes its
// CodeSystem properties' other value[x] fields empty.
func lost(t *testing.T, a, b []byte) string {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	return missing("", x, y)
}

func missing(path string, x, y any) string {
	switch xv := x.(type) {
	case map[string]any:
		yv, ok := y.(map[string]any)
		if !ok {
			return path
		}
		for k, v := range xv {
			if m := missing(path+"."+k, v, yv[k]); m != "" {
				return m
			}
		}
		return ""
	case []any:
		yv, ok := y.([]any)
		if !ok || len(yv) != len(xv) {
			return path
		}
		for i := range xv {
			if m := missing(path+"["+strconv.Itoa(i)+"]", xv[i], yv[i]); m != "" {
				return m
			}
		}
		return ""
	}
	if !reflect.DeepEqual(x, y) {
		return path
	}
	return ""
}

// checkResource validates a resource against the official R4 schema and
// parses it into an independent Go FHIR model, which must write back
// every field.
func checkResource(t *testing.T, b []byte) {
	t.Helper()
	if err := testkit.CheckFHIR(t, b); err != nil {
		t.Fatalf("not valid FHIR R4: %v\n%s", err, b)
	}
	var head struct{ ResourceType string }
	json.Unmarshal(b, &head)
	var back []byte
	var err error
	switch head.ResourceType {
	case "CodeSystem":
		var r fhir.CodeSystem
		if r, err = fhir.UnmarshalCodeSystem(b); err == nil {
			back, err = r.MarshalJSON()
		}
	case "ValueSet":
		var r fhir.ValueSet
		if r, err = fhir.UnmarshalValueSet(b); err == nil {
			back, err = r.MarshalJSON()
		}
	case "Practitioner":
		var r fhir.Practitioner
		if r, err = fhir.UnmarshalPractitioner(b); err == nil {
			back, err = r.MarshalJSON()
		}
	case "PractitionerRole":
		var r fhir.PractitionerRole
		if r, err = fhir.UnmarshalPractitionerRole(b); err == nil {
			back, err = r.MarshalJSON()
		}
	case "Organization":
		var r fhir.Organization
		if r, err = fhir.UnmarshalOrganization(b); err == nil {
			back, err = r.MarshalJSON()
		}
	default:
		t.Fatalf("no model for %s", head.ResourceType)
	}
	if err != nil {
		t.Fatalf("%s does not parse into the Go FHIR model: %v\n%s", head.ResourceType, err, b)
	}
	if path := lost(t, b, back); path != "" {
		t.Fatalf("%s lost or changed %s through the Go FHIR model", head.ResourceType, path)
	}
}

func TestFrameworkAsFHIR(t *testing.T) {
	f := testkit.Framework(t)
	x := workforce.FHIR{Base: "https://hcs.example.nhs.uk"}
	systems := x.CodeSystems(f)
	for _, cs := range systems {
		b, err := json.Marshal(cs)
		if err != nil {
			t.Fatal(err)
		}
		checkResource(t, b)
	}
	// Every division, role group, specialism and sub-specialism, and every
	// level, is a code.
	var codes []string
	var walk func(cs []json.RawMessage)
	b, _ := json.Marshal(systems[0])
	var tree struct {
		Count   int               `json:"count"`
		Concept []json.RawMessage `json:"concept"`
	}
	json.Unmarshal(b, &tree)
	walk = func(cs []json.RawMessage) {
		for _, c := range cs {
			var n struct {
				Code    string            `json:"code"`
				Concept []json.RawMessage `json:"concept"`
			}
			json.Unmarshal(c, &n)
			codes = append(codes, n.Code)
			walk(n.Concept)
		}
	}
	walk(tree.Concept)
	if want := len(f.Divisions) + len(f.RoleGroups) + len(f.Specialisms); len(codes) != want || tree.Count != want {
		t.Errorf("%d codes (count %d), want %d", len(codes), tree.Count, want)
	}
	for _, sp := range f.Specialisms {
		if !strings.Contains(strings.Join(codes, " ")+" ", sp.ID+" ") {
			t.Errorf("specialism %s is not a code", sp.ID)
		}
	}
	if len(systems[1].Concept) != len(f.Levels) {
		t.Errorf("%d level codes, want %d", len(systems[1].Concept), len(f.Levels))
	}
	for _, vs := range x.ValueSets(f) {
		b, err := json.Marshal(vs)
		if err != nil {
			t.Fatal(err)
		}
		checkResource(t, b)
	}
}

func TestStaffAsFHIR(t *testing.T) {
	f := testkit.Framework(t)
	employers, as := synth(t, 4, 300)
	stored := make([]workforce.Stored, len(as))
	for i := range as {
		stored[i] = workforce.Stored{ID: int64(i + 1), Assignment: as[i]}
	}
	// Two people hold training certificates: one in force, one revoked.
	live, revoked := "0b7c6a52-3f0e-4e47-9d3a-5c2f1e8d9a10", "9d1e0f3a-1111-4c4c-8a8a-000000000001"
	certs := map[string]workforce.Completion{
		live:    {ID: live, Programme: "stp", Specialism: "audiology", Award: "Certificate of Completion of the Scientist Training Programme", Issued: today - 400},
		revoked: {ID: revoked, Programme: "stp", Specialism: "audiology", Award: "Certificate of Completion", Issued: today - 300, Revoked: true},
	}
	holders := map[string]string{}
	for i, c := range []string{live, revoked} {
		person := stored[i*7].Person
		holders[person] = c
		for j := range stored {
			if stored[j].Person == person {
				stored[j].Certificate = c
			}
		}
	}
	x := workforce.FHIR{Base: "https://hcs.example.nhs.uk"}
	st := x.Staff(f, employers, stored, today, certs)
	for _, p := range st.Practitioners {
		c, ok := holders[p.Identifier[0].Value]
		if !ok {
			continue
		}
		var got []string
		for _, q := range p.Qualification {
			got = append(got, q.Identifier[0].Value)
		}
		if has := slices.Contains(got, c); has != (c == live) {
			t.Errorf("%s holds certificate %s (revoked: %v); qualifications %v", p.ID, c, c == revoked, got)
		}
	}
	if len(st.PractitionerRoles) != len(as) || len(st.Practitioners) == 0 || len(st.Organizations) < len(employers) {
		t.Fatalf("%d roles for %d assignments, %d practitioners, %d organisations", len(st.PractitionerRoles), len(as), len(st.Practitioners), len(st.Organizations))
	}
	var buf bytes.Buffer
	for _, write := range []func() error{
		func() error { return workforce.WriteNDJSON(&buf, st.Practitioners) },
		func() error { return workforce.WriteNDJSON(&buf, st.PractitionerRoles) },
		func() error { return workforce.WriteNDJSON(&buf, st.Organizations) },
	} {
		if err := write(); err != nil {
			t.Fatal(err)
		}
	}
	sc := bufio.NewScanner(&buf)
	sc.Buffer(nil, 1<<20)
	lines, registered, withEnd := 0, 0, 0
	ids := map[string]bool{}
	for sc.Scan() {
		line := append([]byte(nil), sc.Bytes()...)
		checkResource(t, line)
		lines++
		var r struct {
			ResourceType  string `json:"resourceType"`
			ID            string `json:"id"`
			Qualification []any  `json:"qualification"`
			Period        struct{ End string }
			Practitioner  struct{ Reference string }
			Organization  struct{ Reference string }
		}
		json.Unmarshal(line, &r)
		ids[r.ResourceType+"/"+r.ID] = true
		if len(r.Qualification) > 0 {
			registered++
		}
		if r.Period.End != "" {
			withEnd++
		}
	}
	if lines != len(st.Practitioners)+len(st.PractitionerRoles)+len(st.Organizations) || registered == 0 || withEnd == 0 {
		t.Fatalf("%d lines, %d registered, %d ended", lines, registered, withEnd)
	}
	// Every reference points to a resource in the export.
	for _, r := range st.PractitionerRoles {
		if !ids[r.Practitioner.Reference] || !ids[r.Organization.Reference] {
			t.Fatalf("role %s refers to %s and %s, not both exported", r.ID, r.Practitioner.Reference, r.Organization.Reference)
		}
	}
	for _, p := range st.Practitioners {
		for _, q := range p.Qualification {
			if !ids[q.Issuer.Reference] {
				t.Fatalf("%s's registration is issued by %s, which is not exported", p.ID, q.Issuer.Reference)
			}
		}
	}
}

// The schema check can fail: a resource with a bad field is refused.
func TestFHIRSchemaRefusesBadResources(t *testing.T) {
	for _, bad := range []string{
		`{"resourceType":"Practitioner","id":"x","active":"yes"}`,
		`{"resourceType":"Practitioner","id":"x","colour":"blue"}`,
		`{"resourceType":"PractitionerRole","id":"x","period":{"start":"01-04-2020"}}`,
		`{"resourceType":"CodeSystem","id":"x","status":"live","content":"complete"}`,
	} {
		if err := testkit.CheckFHIR(t, []byte(bad)); err == nil {
			t.Errorf("the schema accepted %s", bad)
		}
	}
}
