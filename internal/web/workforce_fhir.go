package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/workforce"
)

// FHIR R4: the framework's CodeSystems and ValueSets, public at their
// canonical addresses (/fhir/CodeSystem/{id}, /fhir/ValueSet/{id}) and
// under the API; and the staff records in bulk, as NDJSON, for those who
// may read them one by one.

func (s *Server) fhir() workforce.FHIR { return workforce.FHIR{Base: s.baseURL} }

// fhirTerminology answers a CodeSystem or ValueSet by id.
func (s *Server) fhirTerminology(kind string) func(r *http.Request) (*response, error) {
	return func(r *http.Request) (*response, error) {
		id := r.PathValue("id")
		var v any
		switch kind {
		case "CodeSystem":
			list := s.fhir().CodeSystems(s.f)
			if i := slices.IndexFunc(list, func(c workforce.CodeSystem) bool { return c.ID == id }); i >= 0 {
				v = list[i]
			}
		case "ValueSet":
			list := s.fhir().ValueSets(s.f)
			if i := slices.IndexFunc(list, func(c workforce.ValueSet) bool { return c.ID == id }); i >= 0 {
				v = list[i]
			}
		}
		if v == nil {
			return nil, apperr.Errorf(apperr.NotFound, "there is no %s %q: there are %s, %s, %s and %s", kind, id,
				workforce.CodeSystemSpecialisms, workforce.CodeSystemLevels, workforce.CodeSystemBands, workforce.CodeSystemRegisters)
		}
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return nil, err
		}
		return newResponse(http.StatusOK, "application/fhir+json; charset=utf-8", append(b, '\n')), nil
	}
}

// workforceFHIRStaff sends one kind of the staff records' resources as
// NDJSON: every employer's for the national team, an employer's own
// for an employer.
func (s *Server) workforceFHIRStaff(w http.ResponseWriter, r *http.Request) error {
	v := principal(r).Visible(auth.ActionWorkforceStaff)
	var org int64
	if !v.All {
		if len(v.Organisations) == 0 {
			return apperr.Errorf(apperr.Forbidden, "You may not read staff records")
		}
		org = v.Organisations[0]
		if q := r.URL.Query().Get("organisation_id"); q != "" {
			id, err := formID(q, "organisation_id")
			if err != nil || !slices.Contains(v.Organisations, id) {
				return apperr.Invalidf("organisation_id", "Choose one of your organisations")
			}
			org = id
		}
	}
	rs, err := s.workforce.StaffRecords(r.Context(), org)
	if err != nil {
		return err
	}
	st := s.fhir().Staff(s.f, rs.Employers, rs.Assignments, rs.Today, rs.Certificates)
	var buf bytes.Buffer
	switch r.PathValue("type") {
	case "Practitioner.ndjson":
		err = workforce.WriteNDJSON(&buf, st.Practitioners)
	case "PractitionerRole.ndjson":
		err = workforce.WriteNDJSON(&buf, st.PractitionerRoles)
	case "Organization.ndjson":
		err = workforce.WriteNDJSON(&buf, st.Organizations)
	default:
		return apperr.Errorf(apperr.NotFound, "there is no %q: ask for Practitioner.ndjson, PractitionerRole.ndjson or Organization.ndjson", r.PathValue("type"))
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/fhir+ndjson")
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(buf.Bytes())
	return err
}
