package train

import (
	"fmt"
	"slices"
	"strings"
)

// Requirement is a progression or completion rule as data: a group of
// requirements that must all hold (All) or of which one must (Any), or
// one requirement of the trainee's record. The STP's end-of-year-2 rule,
// for example, is all of: 50% of S-C1, the review meeting, and any of
// (100% of Phase 2) or (60% overall and 100% of S-C2).
type Requirement struct {
	All []*Requirement `yaml:"all" json:"all,omitempty"`
	Any []*Requirement `yaml:"any" json:"any,omitempty"`

	// Percent of competencies signed off, in one module, in every module
	// of a phase together, or in every module together (Overall).
	Module  string `yaml:"module" json:"module,omitempty"`
	Phase   int    `yaml:"phase" json:"phase,omitempty"`
	Overall bool   `yaml:"overall" json:"overall,omitempty"`
	Percent int    `yaml:"percent" json:"percent,omitempty"`

	// Meeting is a review meeting that must have been held; Record is
	// something else that must be on the record (a passed final
	// assessment, the MSc awarded).
	Meeting string `yaml:"meeting" json:"meeting,omitempty"`
	Record  string `yaml:"record" json:"record,omitempty"`
}

// Progress is what a trainee's record holds that rules read.
type Progress struct {
	// SignedOff counts each module's competencies signed off.
	SignedOff map[string]int
	// Modules are the modules signed off as a whole: every competency of
	// such a module counts as signed off, and a module still in outline
	// counts as one item, done.
	Modules map[string]bool
	// Meetings held and other records present, by name.
	Meetings map[string]bool
	Records  map[string]bool
}

// Result is a rule applied to a record: whether it holds and, if not,
// exactly which requirements are missing, in words.
type Result struct {
	Met     bool     `json:"met"`
	Missing []string `json:"missing,omitempty"`
}

// Check applies a rule of the curriculum to a trainee's progress.
func (cu *Curriculum) Check(rule *Requirement, p Progress) Result {
	if rule == nil {
		return Result{Missing: []string{"there is no rule to check: the review's panel records an outcome"}}
	}
	met, missing := cu.check(rule, p)
	return Result{Met: met, Missing: missing}
}

func (cu *Curriculum) check(r *Requirement, p Progress) (bool, []string) {
	switch {
	case len(r.All) > 0:
		var missing []string
		for _, sub := range r.All {
			if ok, m := cu.check(sub, p); !ok {
				for _, s := range m {
					if !slices.Contains(missing, s) { // two requirements can lack one module
						missing = append(missing, s)
					}
				}
			}
		}
		return len(missing) == 0, missing
	case len(r.Any) > 0:
		var options []string
		for _, sub := range r.Any {
			ok, m := cu.check(sub, p)
			if ok {
				return true, nil
			}
			options = append(options, strings.Join(m, " and "))
		}
		return false, []string{"one of: " + strings.Join(options, "; or ")}
	case r.Meeting != "":
		if p.Meetings[r.Meeting] {
			return true, nil
		}
		return false, []string{"the " + r.Meeting + " meeting has not been held"}
	case r.Record != "":
		if p.Records[r.Record] {
			return true, nil
		}
		return false, []string{r.Record + " is not on the record"}
	}
	done, total, what, outline := cu.competencies(r, p)
	if outline != "" {
		// The outline's competencies are not in the data, so it counts
		// only once signed off as a whole.
		if what == "module "+outline {
			return false, []string{what + " is not signed off yet"}
		}
		return false, []string{fmt.Sprintf("%s: module %s is not signed off yet", what, outline)}
	}
	// Whole numbers, so that the edges are exact: 50% of 7 needs 4.
	if total > 0 && done*100 >= r.Percent*total {
		return true, nil
	}
	return false, []string{fmt.Sprintf("%d%% of %s signed off (%d of %d competencies; %d%% needed)", pct(done, total), what, done, total, r.Percent)}
}

// competencies counts what a percentage requirement measures, or names an
// outline module that stops it being measured.
func (cu *Curriculum) competencies(r *Requirement, p Progress) (done, total int, what, outline string) {
	count := func(m *Module) {
		switch n := len(m.Competencies); {
		case p.Modules[m.Code]:
			total, done = total+max(n, 1), done+max(n, 1)
		case m.Status == StatusOutline:
			if outline == "" {
				outline = m.Code
			}
			total += n
		default:
			total += n
			done += max(0, min(p.SignedOff[m.Code], n))
		}
	}
	switch {
	case r.Module != "":
		what = "module " + r.Module
		if m := cu.Module(r.Module); m != nil {
			count(m)
		}
	case r.Phase > 0:
		what = fmt.Sprintf("the Phase %d modules", r.Phase)
		for _, m := range cu.Modules {
			if m.Phase == r.Phase && !m.Optional {
				count(m)
			}
		}
	case r.Overall:
		what = "the whole curriculum"
		for _, m := range cu.Modules {
			if !m.Optional {
				count(m)
			}
		}
	}
	return done, total, what, outline
}

func pct(done, total int) int {
	if total == 0 {
		return 0
	}
	return done * 100 / total
}
