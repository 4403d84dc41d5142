package web_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"hcs/internal/testkit"
)

// seedNames is every area, level, role group and specialism the seed text
// names, spelled as the seed spells it, with the entry it must lead to.
var seedNames = []struct{ name, typ, id string }{
	// Areas.
	{"Life sciences", "division", "life-sciences"},
	{"Physiological sciences", "division", "physiological-sciences"},
	{"Medical physics and clinical engineering", "division", "physical-sciences"},
	// Career levels, named by the seed with their programmes.
	{"Associate/assistant", "level", "associate-assistant"},
	{"Practitioner Training Programme (PTP)", "programme", "ptp"},
	{"Scientist Training Programme (STP)", "programme", "stp"},
	{"Higher specialist scientific training (HSST)", "programme", "hsst"},
	{"practitioner", "level", "practitioner"},
	{"clinical scientist", "level", "clinical-scientist"},
	{"consultant clinical scientist", "level", "consultant"},
	// Role groups.
	{"Microbiology", "role-group", "microbiology"},
	{"Blood sciences", "role-group", "blood-sciences"},
	{"Cellular sciences", "role-group", "cellular-sciences"},
	{"Genetic sciences", "role-group", "genetic-sciences"},
	{"Neurosensory sciences", "role-group", "neurosensory-sciences"},
	{"Cardiovascular respiratory and sleep sciences", "role-group", "cardiovascular-respiratory-and-sleep-sciences"},
	{"Gastrointestinal physiology and urodynamic sciences", "role-group", "gastrointestinal-physiology-and-urodynamic-sciences"},
	{"Clinical engineering", "role-group", "clinical-engineering-and-reconstructive-sciences"},
	{"reconstructive sciences", "role-group", "clinical-engineering-and-reconstructive-sciences"},
	{"Medical physics", "role-group", "medical-physics"},
	{"Informatics", "role-group", "informatics"},
	// Specialisms and sub-specialisms.
	{"infection control and epidemiology", "specialism", "infection-control-and-epidemiology"},
	{"mycology", "specialism", "mycology"},
	{"virology", "specialism", "virology"},
	{"toxicology", "specialism", "toxicology"},
	{"bacteriology", "specialism", "bacteriology"},
	{"parasitology", "specialism", "parasitology"},
	{"clinical biochemistry", "specialism", "clinical-biochemistry"},
	{"hematology", "specialism", "haematology-and-transfusion-science"},
	{"transfusion science", "specialism", "transfusion-science"},
	{"immunology", "specialism", "clinical-immunology"},
	{"histopathology", "specialism", "histopathology"},
	{"cytopathology", "specialism", "cytopathology"},
	{"reproductive science", "specialism", "andrology"},
	{"reproductive science", "specialism", "clinical-embryology"},
	{"genetic science", "specialism", "genomics"},
	{"bioinformatics genomics", "specialism", "clinical-bioinformatics-genomics"},
	{"audiology", "specialism", "audiology"},
	{"neurophysiology", "specialism", "neurophysiology"},
	{"ophthalmic and vision science", "specialism", "ophthalmic-and-vision-science"},
	{"cardiac science", "specialism", "cardiac-science"},
	{"respiratory and sleep science", "specialism", "respiratory-and-sleep-science"},
	{"vascular science", "specialism", "vascular-science"},
	{"critical care science", "specialism", "critical-care-science"},
	{"Gastrointestinal physiology", "specialism", "gastrointestinal-physiology"},
	{"urodynamic sciences", "specialism", "urodynamic-science"},
	{"rehabilitation engineering", "specialism", "rehabilitation-engineering"},
	{"clinical measurement and development", "specialism", "clinical-measurement-and-development"},
	{"medical device risk management and governance", "specialism", "medical-device-risk-management-and-governance"},
	{"maxillofacial prosthetics", "specialism", "maxillofacial-prosthetics"},
	{"radiation safety physics", "specialism", "radiation-safety-and-diagnostic-radiology"},
	{"radiotherapy physics", "specialism", "radiotherapy-physics"},
	{"imaging with ionising radiation", "specialism", "nuclear-medicine"},
	{"imaging with non-ionising radiation", "specialism", "imaging-with-non-ionising-radiation"},
	{"clinical pharmaceutical science", "specialism", "clinical-pharmaceutical-science"},
	{"genomics", "specialism", "genomics"},
	{"physical sciences informatics", "specialism", "clinical-scientific-computing"},
	{"health informatics", "specialism", "clinical-informatics"},
}

var apiPrefix = map[string]string{
	"division": "/api/v1/divisions/", "role-group": "/api/v1/role-groups/", "specialism": "/api/v1/specialisms/",
	"level": "/api/v1/levels/", "programme": "/api/v1/programmes/",
}

// TestSeedNamesAreFound: each name the seed uses finds its entry in the top
// three through the search API, and the entry has an API answer and a page.
func TestSeedNamesAreFound(t *testing.T) {
	h := testkit.Server(t)
	get := func(url string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", url, nil))
		return rec
	}
	for _, seed := range seedNames {
		rec := get("/api/v1/search?limit=3&q=" + url.QueryEscape(seed.name))
		var body struct {
			Results []struct{ Type, ID, URL string }
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("%q: %v", seed.name, err)
		}
		found := ""
		for _, r := range body.Results {
			if r.Type == seed.typ && r.ID == seed.id {
				found = r.URL
			}
		}
		if found == "" {
			t.Errorf("search %q: %s %s not in the top three: %+v", seed.name, seed.typ, seed.id, body.Results)
			continue
		}
		if rec := get(apiPrefix[seed.typ] + seed.id); rec.Code != http.StatusOK {
			t.Errorf("API %s%s: %d", apiPrefix[seed.typ], seed.id, rec.Code)
		}
		if rec := get(found); rec.Code != http.StatusOK {
			t.Errorf("page %s: %d", found, rec.Code)
		}
	}
}
