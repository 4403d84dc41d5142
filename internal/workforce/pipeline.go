package workforce

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math"
	"strconv"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/framework"
)

// The pipeline: trainees in training by programme and the year they are
// expected to complete, and each recruitment round's training posts with
// how many were filled. Read from the training and recruitment records
// as they are now, not from the staff extract.
//
// Whoever may read every trainee's record (the national school) sees the
// counts as they are; anyone else (a workforce planner) sees them with
// small numbers suppressed as the staff figures are, over a lattice of
// programme, year, region and specialism, and each round's places filled
// for the whole round alone.
//
// What a reader may choose and the rows they see do not depend on the
// records: every programme recruited to nationally, whether anyone
// trains on it or not, and the same run of years (the one before this
// and earlier, this, and the next six and later), so that a row's
// presence never tells that someone is on it.

// Trainee is a trainee in training: on which programme, where and in
// what they train, and when they are expected to complete.
type Trainee struct {
	Programme   string
	Specialism  string
	Region      string
	ExpectedEnd Day
}

// Post is a recruitment round's training post with how its places went:
// accepted offers, conditional or unconditional, fill a place; offers made
// and not yet answered may.
type Post struct {
	Round string
	// OrganisationID is the employer whose post it is.
	OrganisationID int64
	Programme      string
	Start          Day
	Specialism     string
	Region         string
	Places         int
	Accepted       int
	Awaiting       int
}

// PipelineQuery narrows the pipeline to a programme, a region and a
// division, role group or specialism, by code ("" for all).
type PipelineQuery struct {
	Programme  string
	Region     string
	Specialism string
}

// Figure is one count as it may be shown.
type Figure struct {
	Count int   `json:"count"`
	Shown Shown `json:"shown"`
}

// PipelineRow is a programme's trainees expected to complete in each
// year, and in all.
type PipelineRow struct {
	Code  string   `json:"code"`
	Name  string   `json:"name"`
	Years []Figure `json:"years"`
	Total Figure   `json:"total"`
}

// RoundFill is a recruitment round's training places and how many were
// filled, within the query's region and specialism.
type RoundFill struct {
	Round     string `json:"round"`
	Programme string `json:"programme"`
	Start     Day    `json:"start"`
	// Places are the posts' places: published with the posts, so always
	// shown.
	Places int    `json:"places"`
	Filled Figure `json:"filled"`
	// Unfilled is places less filled, shown only where filled is.
	Unfilled Figure `json:"unfilled"`
	// Awaiting counts offers not yet answered: shown to the national
	// school only.
	Awaiting *int `json:"awaiting,omitempty"`
	// FillRate is filled over places, in per cent to one place, where
	// filled is shown.
	FillRate *float64 `json:"fill_rate,omitempty"`
}

// fillRate is filled over places in per cent, rounded to one place.
func fillRate(filled, places int) *float64 {
	if places <= 0 {
		return nil
	}
	r := math.Round(float64(filled)*1000/float64(places)) / 10
	return &r
}

// Rate is the fill rate written as a percentage to one place, or "" when
// filled is not shown.
func (r RoundFill) Rate() string {
	if r.FillRate == nil {
		return ""
	}
	return strconv.FormatFloat(*r.FillRate, 'f', 1, 64) + "%"
}

// Pipeline is the pipeline's figures for a query.
type Pipeline struct {
	// Exact says the counts are as they are: the reader may see every
	// trainee's record. Otherwise small numbers are suppressed.
	Exact     bool `json:"exact"`
	Threshold int  `json:"threshold"`
	// CountedAt is when the records counted were read.
	CountedAt time.Time `json:"counted_at"`
	// Programme, Region and Specialism are the query's nodes.
	Programme  FilterOpt `json:"-"`
	Region     FilterOpt `json:"-"`
	Specialism FilterOpt `json:"-"`
	// Dims are what the query may choose from: programmes, years, regions
	// and the specialism tree.
	Dims [4]*Dimension `json:"-"`
	// Programmes are the programmes recruited to nationally, in the
	// framework's order, whether anyone is on them or not.
	Programmes []FilterOpt `json:"-"`
	// Years are the years of expected completion, oldest first, the same
	// run whatever the records hold: the first also counts every earlier
	// year (trainees whose training runs late), the last every later one.
	Years []int `json:"years"`
	// YearNames name the years as the tables head them ("2025 or
	// before", …, "2032 or later").
	YearNames []string `json:"year_names"`
	// RoundsWhole says the places filled are shown for whole rounds alone
	// (to a reader who sees suppressed figures, with a region or
	// specialism chosen): their places are shown, and filled is not.
	RoundsWhole bool `json:"rounds_whole_only,omitempty"`
	// Rows are the programmes (or the one asked for), and Total the
	// trainees of every programme in the query.
	Rows   []PipelineRow `json:"programmes"`
	Total  PipelineRow   `json:"total"`
	Rounds []RoundFill   `json:"rounds"`
}

// pipelineDims are the dimensions of the pipeline's lattice: programme,
// year of expected completion, region, and the specialism tree.
const (
	pdProgramme = iota
	pdYear
	pdRegion
	pdSpecialism
)

// PipelineFresh is how long counts of the pipeline are read without
// looking for changes: a request reads the counts made at most this long
// ago, so that a busy page does not read every trainee each time.
const PipelineFresh = 30 * time.Second

// Pipeline counts the pipeline. exact is whether the reader may see every
// trainee's record, and so every count as it is. The counts and their
// suppression are made once for the records as they are: after
// PipelineFresh the records are read again, and counted again only when
// a trainee or a post has changed.
func (s *Service) Pipeline(ctx context.Context, q PipelineQuery, exact bool) (*Pipeline, error) {
	s.pipeMu.Lock()
	pc := s.pipe
	s.pipeMu.Unlock()
	if pc == nil || time.Since(pc.read) > PipelineFresh {
		var trainees []Trainee
		var posts []Post
		var at time.Time
		err := s.store.Read(ctx, func(tx Tx) error {
			var err error
			at = tx.Now()
			if trainees, err = tx.Pipeline(); err != nil {
				return err
			}
			posts, err = tx.TrainingPosts()
			return err
		})
		if err != nil {
			return nil, err
		}
		key := pipelineKey(at.Year(), trainees, posts)
		// Counts are never changed once made, for other requests may be
		// reading them: a new reading of the same records is a copy.
		s.pipeMu.Lock()
		var next pipelineCounts
		if s.pipe != nil && s.pipe.key == key {
			next = *s.pipe
		} else {
			next = *countPipeline(s.f, at.Year(), trainees, posts, s.threshold)
			next.key = key
		}
		next.read, next.at = time.Now(), at
		s.pipe, pc = &next, &next
		s.pipeMu.Unlock()
	}
	return pc.answer(q, exact)
}

// OwnPosts is an employer's training posts by recruitment round, newest
// first: places, filled, not filled and awaiting an answer, as counted,
// for the employer alone sees them.
func (s *Service) OwnPosts(ctx context.Context, organisationID int64) ([]RoundFill, error) {
	var posts []Post
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		posts, err = tx.TrainingPosts()
		return err
	})
	if err != nil {
		return nil, err
	}
	byRound := map[string]*RoundFill{}
	var order []string
	for _, po := range posts {
		if po.OrganisationID != organisationID {
			continue
		}
		rf, ok := byRound[po.Round]
		if !ok {
			rf = &RoundFill{Round: po.Round, Programme: po.Programme, Start: po.Start, Awaiting: new(int)}
			byRound[po.Round] = rf
			order = append(order, po.Round)
		}
		rf.Places += po.Places
		rf.Filled.Count += po.Accepted
		*rf.Awaiting += po.Awaiting
	}
	out := make([]RoundFill, 0, len(order))
	for i := len(order) - 1; i >= 0; i-- {
		rf := byRound[order[i]]
		rf.Filled.Shown, rf.Unfilled = ShownCount, Figure{Count: rf.Places - rf.Filled.Count, Shown: ShownCount}
		rf.FillRate = fillRate(rf.Filled.Count, rf.Places)
		out = append(out, *rf)
	}
	return out, nil
}

// pipelineKey is a digest of what the pipeline counts, in a year.
func pipelineKey(year int, trainees []Trainee, posts []Post) [32]byte {
	h := sha256.New()
	b := fmt.Appendf(nil, "y\x00%d\n", year)
	h.Write(b)
	for _, t := range trainees {
		b = fmt.Appendf(b[:0], "t\x00%s\x00%s\x00%s\x00%d\n", t.Programme, t.Specialism, t.Region, t.ExpectedEnd)
		h.Write(b)
	}
	for _, p := range posts {
		b = fmt.Appendf(b[:0], "p\x00%s\x00%s\x00%d\x00%s\x00%s\x00%d\x00%d\x00%d\n", p.Round, p.Programme, p.Start, p.Specialism, p.Region, p.Places, p.Accepted, p.Awaiting)
		h.Write(b)
	}
	var k [32]byte
	h.Sum(k[:0])
	return k
}

// pipelineCounts is the pipeline counted, and suppressed for readers
// who may not see every record: what every query reads.
type pipelineCounts struct {
	key [32]byte
	// read is when the records were last read (by this process's clock),
	// and at the database's time then: what the counts are as of.
	read, at  time.Time
	f         *framework.Framework
	threshold int
	posts     []Post
	dims      [4]*Dimension
	years     []int
	lat       *lattice
	count     []int32
	labels    []label
}

// countPipeline counts the trainees and suppresses their lattice, in
// year (this year: it fixes the run of years).
func countPipeline(f *framework.Framework, year int, trainees []Trainee, posts []Post, threshold int) *pipelineCounts {
	pc := &pipelineCounts{f: f, threshold: threshold, posts: posts}
	pc.dims, pc.years = pipelineDims(f, year)
	pc.lat = newLattice(pc.dims[:])
	pc.count = traineeCounts(f, pc.lat, pc.years, trainees)
	pc.labels = pc.lat.suppress(pc.count, threshold)
	return pc
}

func pipeline(f *framework.Framework, year int, trainees []Trainee, posts []Post, q PipelineQuery, exact bool, threshold int) (*Pipeline, error) {
	return countPipeline(f, year, trainees, posts, threshold).answer(q, exact)
}

// answer reads a query's figures.
func (pc *pipelineCounts) answer(q PipelineQuery, exact bool) (*Pipeline, error) {
	f, dims, posts, lat, count, threshold := pc.f, pc.dims, pc.posts, pc.lat, pc.count, pc.threshold
	programmes, regions, specialisms := dims[pdProgramme], dims[pdRegion], dims[pdSpecialism]
	p := &Pipeline{Exact: exact, Threshold: threshold, Years: pc.years, Dims: dims, CountedAt: pc.at}
	for n := 1; n < len(dims[pdYear].Nodes); n++ {
		p.YearNames = append(p.YearNames, dims[pdYear].Nodes[n].Name)
	}
	labels := pc.labels
	if exact {
		labels = nil
	}

	var at [4]int
	for k, c := range []struct {
		d    *Dimension
		code string
		key  string
		what string
		opt  *FilterOpt
	}{
		{programmes, q.Programme, "programme", "programme", &p.Programme},
		{nil, "", "", "", nil},
		{regions, q.Region, "region", "region", &p.Region},
		{specialisms, q.Specialism, "specialism", "division, role group or specialism", &p.Specialism},
	} {
		if c.d == nil {
			continue
		}
		n, ok := c.d.Node(c.code)
		if !ok {
			return nil, apperr.Invalidf(c.key, "%q is not a %s", c.code, c.what)
		}
		at[k] = n
		*c.opt = FilterOpt{Code: c.d.Nodes[n].Code, Name: c.d.Nodes[n].Name}
	}

	figure := func(c [4]int) Figure {
		i := c[0]*lat.stride[0] + c[1]*lat.stride[1] + c[2]*lat.stride[2] + c[3]*lat.stride[3]
		return figureOf(count, labels, i)
	}
	row := func(prog int) PipelineRow {
		r := PipelineRow{Code: programmes.Nodes[prog].Code, Name: programmes.Nodes[prog].Name, Years: make([]Figure, 0, len(p.Years))}
		for y := range p.Years {
			r.Years = append(r.Years, figure([4]int{prog, y + 1, at[pdRegion], at[pdSpecialism]}))
		}
		r.Total = figure([4]int{prog, 0, at[pdRegion], at[pdSpecialism]})
		return r
	}
	for n := 1; n < len(programmes.Nodes); n++ {
		node := programmes.Nodes[n]
		p.Programmes = append(p.Programmes, FilterOpt{Code: node.Code, Name: node.Name})
		if at[pdProgramme] == 0 || n == at[pdProgramme] {
			p.Rows = append(p.Rows, row(n))
		}
	}
	p.Total = row(at[pdProgramme])

	// Rounds: places as published with the posts. Places filled, as
	// counted for the national school; for anyone else, for the whole
	// round alone, and "fewer than" the threshold from 1 up. Places are
	// published for every post, so a region's or a specialism's places
	// bound its filled places so closely that suppression over them
	// would withhold nearly everything: rounds are published whole.
	p.RoundsWhole = !exact && (at[pdRegion] != 0 || at[pdSpecialism] != 0)
	byRound := map[string]*RoundFill{}
	filled, awaiting := map[string]int{}, map[string]int{}
	var order []string
	for _, po := range posts {
		if at[pdProgramme] != 0 && po.Programme != programmes.Nodes[at[pdProgramme]].Code {
			continue
		}
		rf, ok := byRound[po.Round]
		if !ok {
			rf = &RoundFill{Round: po.Round, Programme: po.Programme, Start: po.Start}
			byRound[po.Round] = rf
			order = append(order, po.Round)
		}
		ri, ok1 := regions.Node(po.Region)
		si, ok2 := specialisms.Node(countedID(f, po.Specialism))
		if ok1 && ok2 && regions.Under(ri, at[pdRegion]) && specialisms.Under(si, at[pdSpecialism]) {
			rf.Places += po.Places
			filled[po.Round] += po.Accepted
			awaiting[po.Round] += po.Awaiting
		}
	}
	for _, name := range order {
		rf := byRound[name]
		n := filled[name]
		switch {
		case exact:
			rf.Filled = Figure{Count: n, Shown: ShownCount}
		case p.RoundsWhole:
			rf.Filled = Figure{Shown: ShownHidden}
		case n == 0 || n >= threshold:
			rf.Filled = Figure{Count: n, Shown: ShownCount}
		default:
			rf.Filled = Figure{Shown: ShownFewer}
		}
		rf.Unfilled = Figure{Shown: ShownHidden}
		if rf.Filled.Shown == ShownCount {
			rf.Unfilled = Figure{Count: rf.Places - n, Shown: ShownCount}
			rf.FillRate = fillRate(n, rf.Places)
		}
		if exact {
			a := awaiting[name]
			rf.Awaiting = &a
		}
		p.Rounds = append(p.Rounds, *rf)
	}
	return p, nil
}

// Pipeline years: a run from the year before this one to six years on,
// whatever the records hold; each of a forecast's five years, from a
// quarter in this year or the one before, ends in one of its own.
const (
	pipelineYearsBefore = 1
	pipelineYearsAfter  = ForecastYears + 1
)

// pipelineDims are the pipeline lattice's dimensions in a year, and the
// years of expected completion: the same whatever the records hold.
func pipelineDims(f *framework.Framework, year int) ([4]*Dimension, []int) {
	base := dimensions(f)
	programmes := &Dimension{Levels: []string{"Programme"}}
	programmes.add("", "All programmes", 0)
	for _, p := range f.Programmes {
		if p.Kind == framework.ProgrammeTraining || p.Kind == framework.ProgrammeApprenticeship {
			programmes.add(p.ID, p.Name, 0)
		}
	}
	years := &Dimension{Levels: []string{"Year"}}
	years.add("", "All years", 0)
	var list []int
	lo, hi := year-pipelineYearsBefore, year+pipelineYearsAfter
	for y := lo; y <= hi; y++ {
		name := strconv.Itoa(y)
		switch y {
		case lo:
			name += " or before"
		case hi:
			name += " or later"
		}
		years.add(strconv.Itoa(y), name, 0)
		list = append(list, y)
	}
	return [4]*Dimension{programmes, years, base[DimRegion], base[DimSpecialism]}, list
}

// traineeCounts counts each trainee at its leaf of the lattice (a year
// of expected completion outside years counts in the nearest of them),
// then sums the groups.
func traineeCounts(f *framework.Framework, lat *lattice, years []int, trainees []Trainee) []int32 {
	count := make([]int32, lat.cells)
	for _, t := range trainees {
		sp := countedID(f, t.Specialism)
		pi, ok1 := lat.dims[pdProgramme].Node(t.Programme)
		ri, ok2 := lat.dims[pdRegion].Node(t.Region)
		si, ok3 := lat.dims[pdSpecialism].Node(sp)
		if !ok1 || !ok2 || !ok3 {
			// Not a node of the framework in use, or a programme not
			// recruited to nationally (training records follow the
			// national programmes' curricula): cannot be placed.
			continue
		}
		y := min(max(t.ExpectedEnd.Year(), years[0]), years[len(years)-1])
		yi, _ := lat.dims[pdYear].Node(strconv.Itoa(y))
		count[pi*lat.stride[pdProgramme]+yi*lat.stride[pdYear]+ri*lat.stride[pdRegion]+si*lat.stride[pdSpecialism]]++
	}
	lat.rollUp(count)
	return count
}

// countedID is the specialism figures count a specialism under.
func countedID(f *framework.Framework, id string) string {
	if c := countedSpecialism(f, id); c != nil {
		return c.ID
	}
	return id
}

// figureOf is a lattice cell's count as it may be shown.
func figureOf(count []int32, labels []label, i int) Figure {
	if labels == nil {
		return Figure{Count: int(count[i]), Shown: ShownCount}
	}
	switch labels[i] {
	case labelFewer:
		return Figure{Shown: ShownFewer}
	case labelWithheld:
		return Figure{Shown: ShownHidden}
	}
	return Figure{Count: int(count[i]), Shown: ShownCount}
}
