package workforce

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"hcs/internal/framework"
)

// FHIR R4. The framework is published as CodeSystems (the specialism tree
// of divisions, role groups, specialisms and sub-specialisms; the career
// levels; the Agenda for Change bands) with a ValueSet of each, and the
// staff records as Practitioner (one per pseudonymous person, with their
// registration as a qualification), PractitionerRole (one per assignment:
// employer, career level, specialism, period, band and whole-time
// equivalent) and Organization (the employers and the registers), in
// bulk as NDJSON, one resource a line. These are base R4 resources: the
// UK Core profiles cannot be fetched here, and none is claimed.

// FHIR is where the resources' own systems and extensions live: the
// service's public address, under /fhir.
type FHIR struct {
	Base string
}

// The CodeSystems, by id.
const (
	CodeSystemSpecialisms = "healthcare-science-specialisms"
	CodeSystemLevels      = "healthcare-science-career-levels"
	CodeSystemBands       = "agenda-for-change-bands"
	CodeSystemRegisters   = "healthcare-science-registers"
	CodeSystemProgrammes  = "healthcare-science-programmes"
)

func (x FHIR) url(kind, id string) string { return x.Base + "/fhir/" + kind + "/" + id }

type fhirCoding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code,omitempty"`
	Display string `json:"display,omitempty"`
}

type fhirCodeableConcept struct {
	Coding []fhirCoding `json:"coding,omitempty"`
	Text   string       `json:"text,omitempty"`
}

type fhirIdentifier struct {
	System string `json:"system,omitempty"`
	Value  string `json:"value,omitempty"`
}

type fhirReference struct {
	Reference string `json:"reference,omitempty"`
	Display   string `json:"display,omitempty"`
}

type fhirPeriod struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

type fhirExtension struct {
	URL          string       `json:"url"`
	ValueString  string       `json:"valueString,omitempty"`
	ValueCode    string       `json:"valueCode,omitempty"`
	ValueDecimal *json.Number `json:"valueDecimal,omitempty"`
}

// CodeSystemConcept is a code with its children.
type fhirConcept struct {
	Code       string         `json:"code"`
	Display    string         `json:"display,omitempty"`
	Definition string         `json:"definition,omitempty"`
	Property   []fhirProperty `json:"property,omitempty"`
	Concept    []fhirConcept  `json:"concept,omitempty"`
}

type fhirProperty struct {
	Code      string `json:"code"`
	ValueCode string `json:"valueCode,omitempty"`
}

type fhirPropertyDef struct {
	Code        string `json:"code"`
	Description string `json:"description,omitempty"`
	Type        string `json:"type"`
}

// CodeSystem is a FHIR R4 CodeSystem.
type CodeSystem struct {
	ResourceType     string            `json:"resourceType"`
	ID               string            `json:"id"`
	URL              string            `json:"url"`
	Version          string            `json:"version,omitempty"`
	Name             string            `json:"name"`
	Title            string            `json:"title"`
	Status           string            `json:"status"`
	Date             string            `json:"date,omitempty"`
	Publisher        string            `json:"publisher,omitempty"`
	Description      string            `json:"description,omitempty"`
	Copyright        string            `json:"copyright,omitempty"`
	CaseSensitive    bool              `json:"caseSensitive"`
	ValueSet         string            `json:"valueSet,omitempty"`
	HierarchyMeaning string            `json:"hierarchyMeaning,omitempty"`
	Content          string            `json:"content"`
	Count            int               `json:"count"`
	Property         []fhirPropertyDef `json:"property,omitempty"`
	Concept          []fhirConcept     `json:"concept"`
}

// ValueSet is a FHIR R4 ValueSet that includes a whole CodeSystem.
type ValueSet struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id"`
	URL          string `json:"url"`
	Version      string `json:"version,omitempty"`
	Name         string `json:"name"`
	Title        string `json:"title"`
	Status       string `json:"status"`
	Date         string `json:"date,omitempty"`
	Publisher    string `json:"publisher,omitempty"`
	Description  string `json:"description,omitempty"`
	Compose      struct {
		Include []struct {
			System  string `json:"system"`
			Version string `json:"version,omitempty"`
		} `json:"include"`
	} `json:"compose"`
}

const publisher = "NHS healthcare science workforce platform (hcs)"

// CodeSystems returns the framework's CodeSystems.
func (x FHIR) CodeSystems(f *framework.Framework) []CodeSystem {
	base := func(id, name, title, desc string, concepts []fhirConcept, count int) CodeSystem {
		return CodeSystem{ResourceType: "CodeSystem", ID: id, URL: x.url("CodeSystem", id), Version: f.Version, Name: name, Title: title,
			Status: "active", Date: f.Published, Publisher: publisher, Description: desc, Copyright: f.Licence.Name + ". " + f.Licence.Attribution,
			CaseSensitive: true, ValueSet: x.url("ValueSet", id), Content: "complete", Count: count, Concept: concepts}
	}
	// The specialism tree.
	kind := func(k string) []fhirProperty { return []fhirProperty{{Code: "kind", ValueCode: k}} }
	var tree []fhirConcept
	n := 0
	for _, dv := range f.Divisions {
		d := fhirConcept{Code: "division:" + dv.ID, Display: dv.Name, Definition: strings.TrimSpace(dv.Summary), Property: kind("division")}
		n++
		for _, rg := range dv.RoleGroups {
			g := fhirConcept{Code: "group:" + rg.ID, Display: rg.Name, Property: kind("role-group")}
			n++
			for _, sp := range f.Specialisms {
				if sp.RoleGroupID != rg.ID || sp.ParentID != "" {
					continue
				}
				c := fhirConcept{Code: sp.ID, Display: sp.Name, Definition: strings.TrimSpace(sp.Summary), Property: kind(sp.Kind)}
				n++
				for _, sub := range f.Specialisms {
					if sub.ParentID == sp.ID {
						c.Concept = append(c.Concept, fhirConcept{Code: sub.ID, Display: sub.Name, Definition: strings.TrimSpace(sub.Summary), Property: kind(sub.Kind)})
						n++
					}
				}
				g.Concept = append(g.Concept, c)
			}
			d.Concept = append(d.Concept, g)
		}
		tree = append(tree, d)
	}
	specialisms := base(CodeSystemSpecialisms, "HealthcareScienceSpecialisms", "Healthcare science divisions, role groups and specialisms",
		"The healthcare science career framework's divisions, the role groups in each, their specialisms and sub-specialisms. A child is part of its parent.", tree, n)
	specialisms.HierarchyMeaning = "part-of"
	specialisms.Property = []fhirPropertyDef{{Code: "kind", Type: "code", Description: "division, role-group, specialism or sub-specialism"}}

	var levels []fhirConcept
	for _, l := range f.Levels {
		levels = append(levels, fhirConcept{Code: l.ID, Display: l.Name, Definition: strings.TrimSpace(l.Summary)})
	}
	var bands []fhirConcept
	for _, b := range framework.Bands() {
		bands = append(bands, fhirConcept{Code: b, Display: "Band " + b})
	}
	var regs []fhirConcept
	for _, r := range registers {
		regs = append(regs, fhirConcept{Code: r.Code, Display: r.Display})
	}
	var programmes []fhirConcept
	for _, p := range f.Programmes {
		programmes = append(programmes, fhirConcept{Code: p.ID, Display: p.Name, Definition: strings.TrimSpace(p.Summary)})
	}
	return []CodeSystem{
		specialisms,
		base(CodeSystemLevels, "HealthcareScienceCareerLevels", "Healthcare science career levels", "The career framework's four levels, from associate and assistant to consultant.", levels, len(levels)),
		base(CodeSystemBands, "AgendaForChangeBands", "Agenda for Change pay bands", "The NHS Agenda for Change pay bands.", bands, len(bands)),
		base(CodeSystemRegisters, "HealthcareScienceRegisters", "Registers of healthcare science staff", "The statutory register (HCPC) and the voluntary registers healthcare scientists join: a registration, as a qualification.", regs, len(regs)),
		base(CodeSystemProgrammes, "HealthcareScienceProgrammes", "Healthcare science programmes and routes", "The career framework's programmes, apprenticeships, equivalence routes and education between its credentials: a programme completed, as a qualification.", programmes, len(programmes)),
	}
}

// registers are the registers an assignment records, as qualifications.
var registers = []struct {
	Code, Display, Name string
}{
	{"HCPC", "Registered with the Health and Care Professions Council", "Health and Care Professions Council"},
	{"AHCS", "Registered with the Academy for Healthcare Science", "Academy for Healthcare Science"},
	{"RCCP", "Registered with the Registration Council for Clinical Physiologists", "Registration Council for Clinical Physiologists"},
}

// ValueSets returns a ValueSet of each CodeSystem: all of its codes.
func (x FHIR) ValueSets(f *framework.Framework) []ValueSet {
	var out []ValueSet
	for _, cs := range x.CodeSystems(f) {
		vs := ValueSet{ResourceType: "ValueSet", ID: cs.ID, URL: x.url("ValueSet", cs.ID), Version: cs.Version, Name: cs.Name, Title: cs.Title,
			Status: "active", Date: cs.Date, Publisher: publisher, Description: "Every code of the CodeSystem " + cs.Title + "."}
		vs.Compose.Include = append(vs.Compose.Include, struct {
			System  string `json:"system"`
			Version string `json:"version,omitempty"`
		}{System: cs.URL, Version: cs.Version})
		out = append(out, vs)
	}
	return out
}

// Practitioner is a FHIR R4 Practitioner: one pseudonymous person.
type Practitioner struct {
	ResourceType  string              `json:"resourceType"`
	ID            string              `json:"id"`
	Identifier    []fhirIdentifier    `json:"identifier"`
	Active        bool                `json:"active"`
	BirthDate     string              `json:"birthDate,omitempty"`
	Qualification []fhirQualification `json:"qualification,omitempty"`
}

type fhirQualification struct {
	Identifier []fhirIdentifier    `json:"identifier,omitempty"`
	Code       fhirCodeableConcept `json:"code"`
	Period     *fhirPeriod         `json:"period,omitempty"`
	Issuer     *fhirReference      `json:"issuer,omitempty"`
}

// school is the Organization that issues training certificates.
const school = "National School of Healthcare Science"

// PractitionerRole is a FHIR R4 PractitionerRole: one assignment.
type PractitionerRole struct {
	ResourceType string                `json:"resourceType"`
	ID           string                `json:"id"`
	Extension    []fhirExtension       `json:"extension,omitempty"`
	Identifier   []fhirIdentifier      `json:"identifier"`
	Active       bool                  `json:"active"`
	Period       fhirPeriod            `json:"period"`
	Practitioner fhirReference         `json:"practitioner"`
	Organization fhirReference         `json:"organization"`
	Code         []fhirCodeableConcept `json:"code"`
	Specialty    []fhirCodeableConcept `json:"specialty"`
}

// Organization is a FHIR R4 Organization: an employer or a register.
type Organization struct {
	ResourceType string           `json:"resourceType"`
	ID           string           `json:"id"`
	Identifier   []fhirIdentifier `json:"identifier,omitempty"`
	Active       bool             `json:"active"`
	Name         string           `json:"name"`
	Address      []struct {
		Text string `json:"text,omitempty"`
	} `json:"address,omitempty"`
}

// fhirID makes a reference usable as a FHIR id: letters, digits, - and .
// up to 64 characters. References are letters, digits, - and _ already.
func fhirID(s string) string { return strings.ReplaceAll(s, "_", ".") }

// Staff is the staff records as FHIR: a Practitioner for each person, a
// PractitionerRole for each assignment, and an Organization for each
// employer they work for and each register they are on. Only the
// employers in keep, when it is not nil.
type Staff struct {
	Practitioners     []Practitioner
	PractitionerRoles []PractitionerRole
	Organizations     []Organization
}

// Staff turns assignments into resources. today decides which are
// active; employers name the organisations; certificates are the training
// certificates the assignments name, each a qualification while it is not
// revoked.
func (x FHIR) Staff(f *framework.Framework, employers []Employer, as []Stored, today Day, certificates map[string]Completion) *Staff {
	out := &Staff{}
	byCode := map[string]Employer{}
	for _, e := range employers {
		byCode[e.Code] = e
	}
	type person struct {
		latest *Assignment
		active bool
	}
	people := map[string]*person{}
	var order []string
	usedEmployers := map[string]bool{}
	usedRegisters := map[string]bool{}
	usedSchool := false
	for i := range as {
		a := &as[i].Assignment
		e, ok := byCode[a.Employer]
		if !ok {
			continue
		}
		usedEmployers[e.Code] = true
		p := people[a.Person]
		if p == nil {
			p = &person{}
			people[a.Person] = p
			order = append(order, a.Person)
		}
		if p.latest == nil || a.Start > p.latest.Start {
			p.latest = a
		}
		p.active = p.active || a.ActiveOn(today)
		role := PractitionerRole{ResourceType: "PractitionerRole", ID: fhirID(a.Number),
			Identifier:   []fhirIdentifier{{System: x.url("Id", "assignment-number"), Value: a.Number}},
			Active:       a.ActiveOn(today),
			Period:       fhirPeriod{Start: a.Start.String()},
			Practitioner: fhirReference{Reference: "Practitioner/" + fhirID(a.Person)},
			Organization: fhirReference{Reference: "Organization/" + e.Code, Display: e.Name},
		}
		if a.End != NoEnd {
			role.Period.End = a.End.String()
		}
		fte := json.Number(a.FTE.String())
		role.Extension = []fhirExtension{
			{URL: x.url("StructureDefinition", "afc-band"), ValueCode: a.Band},
			{URL: x.url("StructureDefinition", "whole-time-equivalent"), ValueDecimal: &fte},
			{URL: x.url("StructureDefinition", "contract"), ValueCode: a.Contract},
		}
		if a.LeavingReason != "" {
			role.Extension = append(role.Extension, fhirExtension{URL: x.url("StructureDefinition", "leaving-reason"), ValueCode: a.LeavingReason})
		}
		level := f.Level(a.Level)
		role.Code = []fhirCodeableConcept{{Coding: []fhirCoding{{System: x.url("CodeSystem", CodeSystemLevels), Code: a.Level, Display: level.Name}}}}
		group := "Healthcare Scientists"
		if a.StaffGroup == StaffGroupAdditionalClinical {
			group = "Additional Clinical Services"
		}
		role.Code = append(role.Code, fhirCodeableConcept{Text: fmt.Sprintf("NHS staff group %s %s", a.StaffGroup, group)})
		if a.Occupation != "" {
			role.Code = append(role.Code, fhirCodeableConcept{Text: "NHS occupation code " + a.Occupation})
		}
		sp := f.Specialism(a.Specialism)
		role.Specialty = []fhirCodeableConcept{{Coding: []fhirCoding{{System: x.url("CodeSystem", CodeSystemSpecialisms), Code: sp.ID, Display: sp.Name}}}}
		out.PractitionerRoles = append(out.PractitionerRoles, role)
	}
	for _, ref := range order {
		p := people[ref]
		pr := Practitioner{ResourceType: "Practitioner", ID: fhirID(ref), Active: p.active,
			Identifier: []fhirIdentifier{{System: x.url("Id", "person-reference"), Value: ref}},
			BirthDate:  fmt.Sprintf("%04d", p.latest.BirthYear)}
		if a := p.latest; a.RegBody != "" {
			i := slices.IndexFunc(registers, func(r struct{ Code, Display, Name string }) bool { return r.Code == a.RegBody })
			usedRegisters[a.RegBody] = true
			pr.Qualification = append(pr.Qualification, fhirQualification{
				Identifier: []fhirIdentifier{{System: x.url("Id", strings.ToLower(a.RegBody)+"-registration-number"), Value: a.RegNumber}},
				Code:       fhirCodeableConcept{Coding: []fhirCoding{{System: x.url("CodeSystem", CodeSystemRegisters), Code: a.RegBody, Display: registers[i].Display}}},
				Issuer:     &fhirReference{Reference: "Organization/register-" + strings.ToLower(a.RegBody), Display: registers[i].Name},
			})
		}
		if c, ok := certificates[p.latest.Certificate]; ok && !c.Revoked {
			usedSchool = true
			code := fhirCodeableConcept{Text: c.Award}
			if prog := f.Programme(c.Programme); prog != nil {
				code.Coding = []fhirCoding{{System: x.url("CodeSystem", CodeSystemProgrammes), Code: prog.ID, Display: prog.Name}}
			}
			pr.Qualification = append(pr.Qualification, fhirQualification{
				Identifier: []fhirIdentifier{{System: x.url("Id", "training-certificate"), Value: c.ID}},
				Code:       code,
				Period:     &fhirPeriod{Start: c.Issued.String()},
				Issuer:     &fhirReference{Reference: "Organization/nshcs", Display: school},
			})
		}
		out.Practitioners = append(out.Practitioners, pr)
	}
	for _, e := range employers {
		if !usedEmployers[e.Code] {
			continue
		}
		o := Organization{ResourceType: "Organization", ID: e.Code, Active: true, Name: e.Name,
			Identifier: []fhirIdentifier{{System: x.url("Id", "organisation-code"), Value: e.Code}}}
		o.Address = append(o.Address, struct {
			Text string `json:"text,omitempty"`
		}{Text: e.Region})
		out.Organizations = append(out.Organizations, o)
	}
	for _, r := range registers {
		if usedRegisters[r.Code] {
			out.Organizations = append(out.Organizations, Organization{ResourceType: "Organization", ID: "register-" + strings.ToLower(r.Code), Active: true, Name: r.Name})
		}
	}
	if usedSchool {
		out.Organizations = append(out.Organizations, Organization{ResourceType: "Organization", ID: "nshcs", Active: true, Name: school})
	}
	return out
}

// WriteNDJSON writes resources one a line, as FHIR bulk data is.
func WriteNDJSON[T any](w io.Writer, resources []T) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for i := range resources {
		if err := enc.Encode(&resources[i]); err != nil {
			return err
		}
	}
	return nil
}
