package workforce

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"hcs/internal/framework"
)

// SynthOptions shape a synthetic workforce.
type SynthOptions struct {
	Employers int
	// Staff is the headcount on the last day.
	Staff int
	Years int
	Today Day
	Seed  uint64
	// Named employers are used first, before made-up ones: the demo's
	// trusts, say.
	Named []Employer
}

// What the synthetic workforce is shaped by. Where the reference has a
// published figure it is used; the rest are this generator's
// assumptions, chosen to look plausible, and are not NHS statistics.
var (
	// One employer: 160 registered healthcare scientists and 130 support
	// staff (Blackpool Teaching Hospitals, 2023), so support staff are
	// about 45%; the split of the registered levels is assumed.
	synthLevels = map[string]float64{"associate-assistant": 0.45, "practitioner": 0.33, "clinical-scientist": 0.185, "consultant": 0.035}
	// Assumed: the divisions' shares of staff.
	synthDivisions = map[string]float64{"life-sciences": 0.50, "physiological-sciences": 0.26, "physical-sciences": 0.19, "informatics": 0.05}
	// Assumed: regions' shares of employers, roughly by population.
	synthRegions = map[string]float64{"London": 0.15, "South East": 0.14, "Midlands": 0.17, "North East and Yorkshire": 0.13,
		"North West": 0.11, "East of England": 0.10, "South West": 0.09, "Scotland": 0.05, "Wales": 0.03, "Northern Ireland": 0.03}
	// Assumed yearly rates: leaving (other than retirement), retirement
	// from 60, promotion to the next band of the level, growth of the
	// whole workforce.
	synthLeaveRate, synthRetireRate, synthPromoteRate, synthGrowth = 0.075, 0.18, 0.05, 0.02
	// Assumed: share of part-time staff, and of fixed-term contracts
	// outside training.
	synthPartTime, synthFixedTerm = 0.22, 0.06
)

var synthPlaces = []string{"Ash", "Brad", "Cal", "Dun", "Elm", "Fair", "Glen", "Hart", "Ivy", "Kel", "Lang", "Mar", "Nor", "Oak", "Pen", "Rad", "Sel", "Thorn", "Wey", "Yar"}
var synthEnds = []string{"bury", "ford", "vale", "wick", "ton", "mouth", "field", "moor", "stead", "ham"}

// pick picks an index with the weights given, which add up to 1.
func pick(rng *rand.Rand, weights []float64) int {
	x := rng.Float64()
	for i, w := range weights {
		if x -= w; x < 0 {
			return i
		}
	}
	return len(weights) - 1
}

// weighted picks a key of a weights table.
func weighted(rng *rand.Rand, keys []string, w map[string]float64) string {
	weights := make([]float64, len(keys))
	for i, k := range keys {
		weights[i] = w[k]
	}
	return keys[pick(rng, weights)]
}

func sortedKeys(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// synthPerson is a person being simulated.
type synthPerson struct {
	ref        string
	employer   int
	specialism string
	level      string
	band       int // index into the level's bands
	fte        FTE
	birth      int
	regBody    string
	regNumber  string
	group      string
	contract   string
	start      Day
	seq        int
	left       bool
}

// Synthesize makes a synthetic workforce: employers, and the assignments
// of their staff over the years, with joiners, leavers, retirements and
// promotions, ending with about opt.Staff in post on opt.Today. The same
// options give the same workforce.
func Synthesize(f *framework.Framework, opt SynthOptions) ([]Employer, []Assignment) {
	rng := rand.New(rand.NewPCG(opt.Seed, 0x5eed))
	// Employers, with sizes spread like a log-normal: a few large
	// teaching trusts, many smaller ones.
	regions := sortedKeys(synthRegions)
	employers := make([]Employer, 0, opt.Employers)
	size := make([]float64, 0, opt.Employers)
	names := map[string]bool{}
	for i := range opt.Employers {
		var e Employer
		if i < len(opt.Named) {
			e = opt.Named[i]
		} else {
			e = Employer{Code: fmt.Sprintf("ZZ%03d", i+1), Region: weighted(rng, regions, synthRegions)}
			for e.Name == "" || names[e.Name] {
				kind := []string{"Hospitals NHS Trust", "Teaching Hospitals NHS Foundation Trust", "University Hospitals NHS Trust", "Health Board"}[rng.IntN(4)]
				if e.Region == "Scotland" || e.Region == "Wales" || e.Region == "Northern Ireland" {
					kind = "Health Board"
				}
				e.Name = synthPlaces[rng.IntN(len(synthPlaces))] + synthEnds[rng.IntN(len(synthEnds))] + " " + kind
			}
		}
		names[e.Name] = true
		employers = append(employers, e)
		size = append(size, math.Exp(rng.NormFloat64()*0.6))
	}
	var total float64
	for _, s := range size {
		total += s
	}
	for i := range size {
		size[i] /= total
	}
	// Specialisms of each division, with assumed weights.
	var specialisms []string
	spWeight := map[string]float64{}
	divisions := sortedKeys(synthDivisions)
	for _, dv := range divisions {
		var ids []string
		var sum float64
		for _, s := range f.CurrentSpecialisms() {
			if f.RoleGroup(s.RoleGroupID).DivisionID == dv {
				ids = append(ids, s.ID)
				w := 0.5 + rng.Float64()
				spWeight[s.ID] = w
				sum += w
			}
		}
		for _, id := range ids {
			spWeight[id] *= synthDivisions[dv] / sum
		}
		specialisms = append(specialisms, ids...)
	}
	levels := sortedKeys(synthLevels)
	bands := map[string][]string{}
	for _, l := range f.Levels {
		for _, st := range l.Stages {
			for _, b := range st.Bands {
				if !slices.Contains(bands[l.ID], b) {
					bands[l.ID] = append(bands[l.ID], b)
				}
			}
		}
	}

	first := Date(opt.Today.Year()-opt.Years, opt.Today.Time().Month(), opt.Today.Time().Day())
	startYear := first.Year()
	refs := rng.Perm(10_000_000)
	nextRef := 0
	newPerson := func(on Day, joining bool) *synthPerson {
		p := &synthPerson{ref: fmt.Sprintf("S%08d", refs[nextRef]+10_000_000), specialism: weighted(rng, specialisms, spWeight),
			level: weighted(rng, levels, synthLevels), fte: 100, contract: "permanent", group: StaffGroupHealthcareScientists}
		nextRef++
		p.employer = pick(rng, size)
		age := 22 + rng.IntN(42)
		if joining {
			age = 21 + rng.IntN(20)
			if rng.Float64() < 0.5 && p.level != "consultant" {
				p.band = 0
			} else {
				p.band = rng.IntN(len(bands[p.level]))
			}
		} else {
			p.band = rng.IntN(len(bands[p.level]))
		}
		if p.level == "consultant" {
			age = max(age, 38+rng.IntN(15))
		}
		p.birth = on.Year() - age
		if rng.Float64() < synthPartTime {
			p.fte = FTE(40 + 10*rng.IntN(6))
		}
		if rng.Float64() < synthFixedTerm || joining && p.level == "clinical-scientist" && p.band == 0 {
			p.contract = "fixed-term"
		}
		if p.level == "associate-assistant" && rng.Float64() < 0.3 {
			p.group = StaffGroupAdditionalClinical
		}
		switch p.level {
		case "clinical-scientist", "consultant":
			if !(p.level == "clinical-scientist" && p.band == 0 && p.contract == "fixed-term") {
				p.regBody, p.regNumber = "HCPC", fmt.Sprintf("CS%05d", 10000+rng.IntN(89999))
			}
		case "practitioner":
			if rng.Float64() < 0.6 {
				p.regBody, p.regNumber = []string{"HCPC", "AHCS", "RCCP"}[rng.IntN(3)], fmt.Sprintf("PR%05d", 10000+rng.IntN(89999))
			}
		}
		if joining {
			p.start = on
		} else {
			// In post already: started up to twenty years before the
			// history starts.
			p.start = on - Day(rng.IntN(20*365))
			p.start = max(p.start, Date(p.birth+21, time.September, 1))
		}
		return p
	}
	var out []Assignment
	emit := func(p *synthPerson, end Day, reason string) {
		p.seq++
		e := employers[p.employer]
		out = append(out, Assignment{Number: fmt.Sprintf("%s-%d", p.ref[1:], p.seq), Person: p.ref, Employer: e.Code,
			StaffGroup: p.group, Specialism: p.specialism, Level: p.level, Band: bands[p.level][p.band], FTE: p.fte,
			Contract: p.contract, Start: p.start, End: end, LeavingReason: reason, BirthYear: p.birth,
			RegBody: p.regBody, RegNumber: p.regNumber})
	}

	start := float64(opt.Staff) / math.Pow(1+synthGrowth, float64(opt.Years))
	var staff []*synthPerson
	for range int(start) {
		staff = append(staff, newPerson(first, false))
	}
	for y := range opt.Years {
		yearStart := Date(startYear+y, first.Time().Month(), first.Time().Day())
		yearEnd := min(Date(startYear+y+1, first.Time().Month(), first.Time().Day())-1, opt.Today)
		days := int(yearEnd-yearStart) + 1
		kept := staff[:0]
		for _, p := range staff {
			age := yearStart.Year() - p.birth
			on := yearStart + Day(rng.IntN(days))
			switch {
			case age >= 60 && rng.Float64() < synthRetireRate || age >= 68:
				emit(p, max(on, p.start), "retirement")
				continue
			case rng.Float64() < synthLeaveRate:
				reason := "resignation"
				if p.contract == "fixed-term" && rng.Float64() < 0.5 {
					reason = "end-of-contract"
				} else if rng.Float64() < 0.05 {
					reason = []string{"dismissal", "other", "death"}[rng.IntN(3)]
				}
				emit(p, max(on, p.start), reason)
				continue
			case rng.Float64() < synthPromoteRate && p.band+1 < len(bands[p.level]) && on > p.start:
				emit(p, on-1, "")
				p.band++
				p.start = on
				if p.contract == "fixed-term" && rng.Float64() < 0.7 {
					p.contract = "permanent"
				}
			}
			kept = append(kept, p)
		}
		staff = kept
		want := int(start * math.Pow(1+synthGrowth, float64(y+1)))
		for len(staff) < want {
			staff = append(staff, newPerson(yearStart+Day(rng.IntN(days)), true))
		}
	}
	for _, p := range staff {
		emit(p, NoEnd, "")
	}
	// Extracts come employer by employer, each in no particular order.
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	slices.SortStableFunc(out, func(a, b Assignment) int { return strings.Compare(a.Employer, b.Employer) })
	return employers, out
}
