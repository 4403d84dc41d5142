package train

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"hcs/internal/framework"
)

// Load reads every curriculum file (*.yaml) in fsys and checks it against
// itself and the framework: programmes, specialisms and sources must
// exist there. Every problem found is returned at once, each naming its
// file and entry.
func Load(fsys fs.FS, f *framework.Framework) (*Curricula, error) {
	files, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	v := &validator{f: f}
	if len(files) == 0 {
		v.add(".", "", "no curriculum files (*.yaml) found")
	}
	c := &Curricula{byID: map[string]*Curriculum{}}
	for _, file := range files {
		b, err := fs.ReadFile(fsys, file)
		if err != nil {
			v.add(file, "", "cannot read file: %v", err)
			continue
		}
		var cu Curriculum
		dec := yaml.NewDecoder(bytes.NewReader(b))
		dec.KnownFields(true)
		if err := dec.Decode(&cu); err != nil {
			if errors.Is(err, io.EOF) {
				err = errors.New("file is empty")
			}
			v.add(file, "", "%s", strings.ReplaceAll(strings.TrimPrefix(err.Error(), "yaml: "), "\n  ", "; "))
			continue
		}
		var more yaml.Node
		if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
			v.add(file, "", "one curriculum per file: a second YAML document follows the first")
			continue
		}
		cu.file = file
		v.curriculum(&cu)
		if cu.ID != "" {
			if other, ok := c.byID[cu.ID]; ok {
				v.add(file, "", "curriculum id %q is also used by %s", cu.ID, other.file)
				continue
			}
			c.byID[cu.ID] = &cu
		}
		c.List = append(c.List, &cu)
	}
	if len(v.problems) > 0 {
		return nil, &ValidationError{Problems: v.problems}
	}
	slices.SortFunc(c.List, func(a, b *Curriculum) int { return strings.Compare(a.ID, b.ID) })
	return c, nil
}

type validator struct {
	f        *framework.Framework
	problems []framework.Problem
}

func (v *validator) add(file, entry, format string, args ...any) {
	v.problems = append(v.problems, framework.Problem{File: file, Entry: entry, Message: fmt.Sprintf(format, args...)})
}

func (v *validator) curriculum(cu *Curriculum) {
	file := cu.file
	need := func(value, field string) {
		if strings.TrimSpace(value) == "" {
			v.add(file, "", "%s is required", field)
		}
	}
	need(cu.ID, "id")
	need(cu.Name, "name")
	need(cu.Version, "version")
	if _, err := time.Parse(time.DateOnly, cu.InForceFrom); cu.InForceFrom != "" && err != nil {
		v.add(file, "", "in_force_from %q is not a date like 2022-09-01", cu.InForceFrom)
	}
	if v.f.Programme(cu.Programme) == nil {
		v.add(file, "", "programme %q is not a programme of the framework", cu.Programme)
	}
	switch {
	case cu.AllSpecialisms && len(cu.Specialisms) > 0:
		v.add(file, "", "give either all_specialisms or a list of specialisms, not both")
	case !cu.AllSpecialisms && len(cu.Specialisms) == 0:
		v.add(file, "", "name the specialisms that follow this curriculum, or set all_specialisms")
	}
	for _, id := range cu.Specialisms {
		if v.f.Specialism(id) == nil {
			v.add(file, "", "specialism %q is not in the framework", id)
		}
	}
	v.sources(file, "", cu.Sources)

	codes := map[string]bool{}
	phases := map[int]bool{}
	cu.Modules = dropNil(v, file, "module", cu.Modules)
	cu.Reviews = dropNil(v, file, "review", cu.Reviews)
	for i, m := range cu.Modules {
		entry := fmt.Sprintf("module %d (%s)", i+1, m.Code)
		if m.Code == "" {
			v.add(file, entry, "code is required")
		} else if codes[m.Code] {
			v.add(file, entry, "module code %q is used twice", m.Code)
		}
		codes[m.Code] = true
		if !slices.Contains(ModuleKinds, m.Kind) {
			v.add(file, entry, "kind %q: use one of %s", m.Kind, strings.Join(ModuleKinds, ", "))
		}
		if m.Phase < 0 {
			v.add(file, entry, "phase %d: use 1 or more, or leave it out", m.Phase)
		}
		if !m.Optional {
			phases[m.Phase] = true // a rule counts only modules every trainee takes
		}
		switch m.Status {
		case StatusOutline:
			if len(m.Competencies) > 0 {
				v.add(file, entry, "an outline has no competencies; set status: complete when they are filled")
			}
			if strings.TrimSpace(m.ToFill) == "" {
				v.add(file, entry, "an outline says in to_fill what is missing and where it is published")
			}
		case StatusComplete:
			if strings.TrimSpace(m.Title) == "" || len(m.Competencies) == 0 {
				v.add(file, entry, "a complete module has a title and its competencies")
			}
			if m.ToFill != "" {
				v.add(file, entry, "to_fill is for outlines; a complete module has nothing left to fill")
			}
		default:
			v.add(file, entry, "status %q: use complete or outline", m.Status)
		}
		seen := map[string]bool{}
		m.Competencies = dropNil(v, file, entry+": competency", m.Competencies)
		for _, c := range m.Competencies {
			if c.Code == "" || c.Title == "" {
				v.add(file, entry, "every competency has a code and a title")
			} else if seen[c.Code] {
				v.add(file, entry, "competency %q is listed twice", c.Code)
			}
			seen[c.Code] = true
		}
		a := m.Assessments
		if a.CBD < 0 || a.DOPS < 0 || a.OCE < 0 || a.DOPSOrOCE < 0 {
			v.add(file, entry, "assessment counts are 0 or more")
		}
		v.sources(file, entry, m.Sources)
	}

	ids, meetings := map[string]bool{}, map[string]bool{}
	for i, r := range cu.Reviews {
		entry := fmt.Sprintf("review %d (%s)", i+1, r.ID)
		if r.ID == "" || r.Title == "" {
			v.add(file, entry, "a review has an id and a title")
		} else if ids[r.ID] {
			v.add(file, entry, "review id %q is used twice", r.ID)
		}
		ids[r.ID] = true
		if r.DueMonth <= 0 {
			v.add(file, entry, "due_month is the month of training the review is held by: 1 or more")
		}
		if r.EveryMonths < 0 || (r.EveryMonths > 0) != (r.LastMonth > 0) || (r.LastMonth > 0 && r.LastMonth < r.DueMonth) {
			v.add(file, entry, "a repeated review gives every_months and a last_month from its due_month on; a review held once gives neither")
		}
		if r.Meeting == "" {
			v.add(file, entry, "meeting names the meeting that recording the review holds")
		} else if meetings[r.Meeting] {
			v.add(file, entry, "meeting %q is held by two reviews", r.Meeting)
		}
		meetings[r.Meeting] = true
		switch {
		case r.Rule == nil && len(r.Outcomes) == 0:
			v.add(file, entry, "a review has a rule, or the outcomes its panel records")
		case r.Rule != nil && len(r.Outcomes) > 0:
			v.add(file, entry, "give a rule or outcomes, not both")
		case r.Rule != nil:
			v.requirement(file, entry+": rule", r.Rule, codes, phases)
		}
		outcomes := map[int]bool{}
		for _, o := range r.Outcomes {
			if o.Code <= 0 || o.Title == "" || outcomes[o.Code] {
				v.add(file, entry, "outcomes have distinct codes from 1 and a title")
			}
			outcomes[o.Code] = true
		}
		v.sources(file, entry, r.Sources)
	}
	if cu.Completion == nil {
		v.add(file, "", "completion (the rule for completing the programme) is required")
	} else {
		v.requirement(file, "completion", cu.Completion, codes, phases)
	}
	if c := cu.Certificate; c == nil {
		v.add(file, "", "certificate (the name, abbreviation and criteria of what completion gives) is required")
	} else {
		if c.Name == "" || c.Short == "" || c.Criteria == "" {
			v.add(file, "certificate", "name, short and criteria are each required")
		}
		v.sources(file, "certificate", c.Sources)
	}
	// A rule's meeting must be one that recording a review holds, or the
	// rule could never be met.
	var named func(entry string, r *Requirement)
	named = func(entry string, r *Requirement) {
		if r == nil {
			return
		}
		if r.Meeting != "" && !meetings[r.Meeting] {
			v.add(file, entry, "meeting %q is not held by any review of this curriculum", r.Meeting)
		}
		for _, sub := range append(slices.Clone(r.All), r.Any...) {
			named(entry, sub)
		}
	}
	for _, r := range cu.Reviews {
		named("review "+r.ID, r.Rule)
	}
	named("completion", cu.Completion)
}

// requirement checks that each node of a rule is one thing and names what
// exists.
func (v *validator) requirement(file, entry string, r *Requirement, modules map[string]bool, phases map[int]bool) {
	kinds := 0
	for _, set := range []bool{len(r.All) > 0, len(r.Any) > 0, r.Module != "", r.Phase != 0, r.Overall, r.Meeting != "", r.Record != ""} {
		if set {
			kinds++
		}
	}
	if kinds != 1 {
		v.add(file, entry, "each requirement is exactly one of all, any, module, phase, overall, meeting or record (found %d)", kinds)
		return
	}
	percentage := r.Module != "" || r.Phase != 0 || r.Overall
	switch {
	case percentage && (r.Percent < 1 || r.Percent > 100):
		v.add(file, entry, "percent %d: a percentage of competencies signed off is 1 to 100", r.Percent)
	case !percentage && r.Percent != 0:
		v.add(file, entry, "percent applies to module, phase or overall")
	}
	if r.Module != "" && !modules[r.Module] {
		v.add(file, entry, "module %q is not in this curriculum", r.Module)
	}
	if r.Phase != 0 && !phases[r.Phase] {
		v.add(file, entry, "no module every trainee takes is in phase %d", r.Phase)
	}
	if r.Overall && len(phases) == 0 {
		v.add(file, entry, "overall: no module every trainee takes")
	}
	for _, sub := range append(slices.Clone(r.All), r.Any...) {
		if sub == nil {
			v.add(file, entry, "an empty requirement in all or any")
			continue
		}
		v.requirement(file, entry, sub, modules, phases)
	}
}

func (v *validator) sources(file, entry string, cs []framework.Citation) {
	if len(cs) == 0 {
		v.add(file, entry, "cite at least one source (an id from the framework's sources.yaml)")
	}
	for _, c := range cs {
		if v.f.Source(c.Source) == nil {
			v.add(file, entry, "source %q is not in the framework's sources.yaml", c.Source)
		}
	}
}

// dropNil reports and drops empty list entries (a bare "-" or "~").
func dropNil[T any](v *validator, file, what string, list []*T) []*T {
	out := list[:0]
	for i, x := range list {
		if x == nil {
			v.add(file, "", "%s %d is empty", what, i+1)
			continue
		}
		out = append(out, x)
	}
	return out
}
