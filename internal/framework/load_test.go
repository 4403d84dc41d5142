package framework_test

import (
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"hcs/data"
	"hcs/internal/framework"
)

// These tests import only the framework and its data, not the shared
// testkit: pulling the search library into this binary would multiply the
// fuzzer's coverage map and slow it a hundredfold.

// embeddedFiles copies the real data files into a map the tests can break.
func embeddedFiles(t testing.TB) fstest.MapFS {
	t.Helper()
	sub, err := fs.Sub(data.Framework, "framework")
	if err != nil {
		t.Fatal(err)
	}
	m := fstest.MapFS{}
	err = fs.WalkDir(sub, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sub, path)
		m[path] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestEmbeddedFrameworkCoversTheSeed(t *testing.T) {
	f, err := framework.Load(embeddedFiles(t))
	if err != nil {
		t.Fatal(err)
	}
	// Every area, level, role group and specialism the seed names.
	for _, id := range []string{"life-sciences", "physiological-sciences", "physical-sciences", "informatics"} {
		if f.Division(id) == nil {
			t.Errorf("division %q is missing", id)
		}
	}
	for _, id := range []string{"microbiology", "blood-sciences", "cellular-sciences", "genetic-sciences", "neurosensory-sciences",
		"cardiovascular-respiratory-and-sleep-sciences", "gastrointestinal-physiology-and-urodynamic-sciences",
		"clinical-engineering-and-reconstructive-sciences", "medical-physics", "informatics"} {
		if f.RoleGroup(id) == nil {
			t.Errorf("role group %q is missing", id)
		}
	}
	if len(f.RoleGroups) != 10 {
		t.Errorf("%d role groups, want the seed's 10", len(f.RoleGroups))
	}
	for _, id := range []string{"associate-assistant", "practitioner", "clinical-scientist", "consultant"} {
		if f.Level(id) == nil {
			t.Errorf("level %q is missing", id)
		}
	}
	if n := len(f.CurrentSpecialisms()); n < 30 {
		t.Errorf("%d STP specialisms, want about 30", n)
	}
	for _, p := range []string{"ptp", "stp", "hsst", "apprenticeship-level-2", "apprenticeship-level-4", "apprenticeship-level-6", "apprenticeship-level-7", "stp-equivalence", "ptp-equivalence", "hss-equivalence"} {
		if f.Programme(p) == nil {
			t.Errorf("programme %q is missing", p)
		}
	}
}

func TestValidationNamesFileAndEntry(t *testing.T) {
	tests := []struct {
		name   string
		file   string
		change func(string) string
		want   []string // all must appear in one problem line
	}{
		{"unknown related specialism", "specialisms/physiological-sciences.yaml",
			func(s string) string {
				return strings.Replace(s, "related: [neurophysiology, ophthalmic-and-vision-science]", "related: [neurophysiology, astrology]", 1)
			},
			[]string{"specialisms/physiological-sciences.yaml:", `specialism "audiology"`, `related "astrology" is not a known specialism`}},
		{"duplicate id", "role-groups.yaml",
			func(s string) string { return strings.Replace(s, "- id: blood-sciences", "- id: microbiology", 1) },
			[]string{"role-groups.yaml:", `role group "microbiology"`, "duplicate id"}},
		{"duplicate alias across specialisms", "specialisms/life-sciences.yaml",
			func(s string) string {
				return strings.Replace(s, "aliases: [clinical virology]", "aliases: [clinical virology, immunology]", 1)
			},
			[]string{`specialism "`, `"immunology" is already used by specialism`}},
		{"missing sources", "divisions.yaml",
			func(s string) string {
				return strings.Replace(s, "  sources: [{source: seed}, {source: nshcs-stp-specialisms}]\n- id: physiological-sciences", "- id: physiological-sciences", 1)
			},
			[]string{"divisions.yaml:", `division "life-sciences"`, "sources are required"}},
		{"unknown source", "levels.yaml",
			func(s string) string {
				return strings.Replace(s, "{source: nhs-employers-assistants}", "{source: rumour}", 1)
			},
			[]string{"levels.yaml:", `level "associate-assistant"`, `source "rumour" is not in sources.yaml`}},
		{"bad source date", "sources.yaml",
			func(s string) string {
				return strings.Replace(s, "dated: 2022-01-19", "dated: last week", 1)
			},
			[]string{"sources.yaml:", `source "nshcs-stp-specialisms"`, `dated "last week" is not a date`}},
		{"source without address or reason", "sources.yaml",
			func(s string) string {
				return strings.Replace(s, "  url: https://nshcs.hee.nhs.uk/programmes/stp/applicants/stp-specialisms/\n", "", 1)
			},
			[]string{`source "nshcs-stp-specialisms"`, "url is required, or a note"}},
		{"closed band offered", "levels.yaml",
			func(s string) string {
				return strings.Replace(s, `bands: ["2", "3"]`, `bands: ["1", "2", "3"]`, 1)
			},
			[]string{`level "associate-assistant"`, "band 1 closed to new entrants on 2018-12-01"}},
		{"a comma inside brackets splits a list item", "specialisms/informatics.yaml",
			func(s string) string {
				return strings.Replace(s, `"programming (Python, R)"`, `programming (Python, R)`, 1)
			},
			[]string{`specialism "clinical-bioinformatics-genomics"`, `"programming (Python" has unbalanced brackets`}},
		{"pay points that fall", "pay.yaml",
			func(s string) string {
				return strings.Replace(s, "{years: 2, amount: 26598}", "{years: 2, amount: 20000}", 1)
			},
			[]string{"pay.yaml", `band "3"`, "rise from point to point"}},
		{"pay band missing", "pay.yaml",
			func(s string) string {
				return strings.Replace(s, "    - band: \"8d\"\n", "    - band: \"8c\"\n", 1)
			},
			[]string{"pay.yaml", "band 8d is missing"}},
		{"hsst without a source", "specialisms/life-sciences.yaml",
			func(s string) string {
				return strings.Replace(s, "  hsst_sources: [{source: nshcs-hsst-eligibility}]\n", "", 1)
			},
			[]string{`specialism "histopathology"`, "sources are required"}},
		{"programme_requires names an unknown programme", "specialisms/physical-sciences.yaml",
			func(s string) string {
				return strings.Replace(s, "    stp-in-service: [gdc-dental-technician]", "    stp-by-post: [gdc-dental-technician]", 1)
			},
			[]string{`specialism "reconstructive-science"`, `"stp-by-post" is not a known programme`}},
		{"unknown field", "programmes.yaml",
			func(s string) string {
				return strings.Replace(s, "  duration_months: 36\n  duration_note: Three years full time", "  duraton_months: 36\n  duration_note: Three years full time", 1)
			},
			[]string{"programmes.yaml", "duraton_months"}},
		{"bad band", "programmes.yaml",
			func(s string) string {
				return strings.Replace(s, `band_after: ["8c", "8d", "9"]`, `band_after: ["8c", "8e"]`, 1)
			},
			[]string{`programme "hsst"`, `"8e" is not an Agenda for Change band`}},
		{"unknown credential", "pathways.yaml",
			func(s string) string {
				return strings.Replace(s, "holds: [gcse, a-levels-science, degree-22]", "holds: [gcse, a-levels-science, degree-23]", 1)
			},
			[]string{"pathways.yaml", `starting point "science-degree-22"`, `"degree-23"`}},
		{"retired successor unknown", "renamed.yaml",
			func(s string) string {
				return strings.Replace(s, "successors: [genomic-counselling]", "successors: [genetic-magic]", 1)
			},
			[]string{"renamed.yaml:", `renamed specialism "genetic-counselling"`, `"genetic-magic"`}},
		{"malformed yaml", "divisions.yaml",
			func(s string) string { return s + "\n- id: [unclosed\n" },
			[]string{"divisions.yaml", "line"}},
		{"quiz item with unknown dimension", "quiz.yaml",
			func(s string) string {
				return strings.Replace(s, `dimensions: {engineering: 1}}`, `dimensions: {wizardry: 1}}`, 1)
			},
			[]string{"quiz.yaml", "item 9", `"wizardry"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := embeddedFiles(t)
			before := string(files[tt.file].Data)
			after := tt.change(before)
			if after == before {
				t.Fatalf("the test's change did not apply to %s", tt.file)
			}
			files[tt.file] = &fstest.MapFile{Data: []byte(after)}
			_, err := framework.Load(files)
			ve, ok := errors.AsType[*framework.ValidationError](err)
			if !ok {
				t.Fatalf("Load returned %v, want a *ValidationError", err)
			}
			for _, p := range ve.Problems {
				line := p.String()
				found := true
				for _, w := range tt.want {
					found = found && strings.Contains(line, w)
				}
				if found {
					return
				}
			}
			t.Errorf("no problem mentions all of %q; got:\n%v", tt.want, err)
		})
	}
}

func TestMissingFile(t *testing.T) {
	files := embeddedFiles(t)
	delete(files, "levels.yaml")
	_, err := framework.Load(files)
	if err == nil || !strings.Contains(err.Error(), "levels.yaml: cannot read file") {
		t.Fatalf("got %v, want a problem naming levels.yaml", err)
	}
}

// FuzzLoad feeds arbitrary bytes in place of each data file. Load must never
// panic, and must either succeed or explain every problem with a file name.
func FuzzLoad(f *testing.F) {
	base := embeddedFiles(f)
	names := make([]string, 0, len(base))
	for name := range base {
		names = append(names, name)
	}
	slices.Sort(names)
	// Seed with each file's first entry: small inputs keep the fuzzer fast.
	for i, name := range names {
		content := string(base[name].Data)
		if second := strings.Index(content[min(len(content), 3):], "\n- "); second > 0 {
			content = content[:second+3]
		}
		f.Add(uint8(i), []byte(content))
	}
	f.Add(uint8(0), []byte("- id: x\n  name: [\n"))
	f.Add(uint8(1), []byte("- \n- null\n-\n"))
	f.Add(uint8(2), []byte("{}"))
	f.Fuzz(func(t *testing.T, which uint8, content []byte) {
		files := fstest.MapFS{}
		for k, v := range base {
			files[k] = v
		}
		name := names[int(which)%len(names)]
		files[name] = &fstest.MapFile{Data: content}
		fw, err := framework.Load(files)
		if err != nil {
			ve, ok := errors.AsType[*framework.ValidationError](err)
			if !ok {
				t.Fatalf("error is not a *ValidationError: %v", err)
			}
			for _, p := range ve.Problems {
				if p.File == "" || p.Message == "" {
					t.Fatalf("problem without a file or message: %+v", p)
				}
			}
			return
		}
		if fw.Version == "" || len(fw.Specialisms) == 0 {
			t.Fatal("Load succeeded with an empty framework")
		}
	})
}
