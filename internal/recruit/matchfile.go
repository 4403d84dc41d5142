package recruit

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"hash/maphash"
	"io"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"strconv"
	"sync"

	"hcs/internal/apperr"
)

// MatchInput is a market read from the three CSV files of `hcs match`,
// with the ids that the dense indexes stand for.
type MatchInput struct {
	Market       *Market
	PostIDs      []string
	ApplicantIDs []string
	// Preferences counts the rows of applicants.csv; Acceptable counts the
	// pairs that both sides ranked.
	Preferences int
	Acceptable  int
	// order, when set, will give the applicants in the order of
	// matches.csv: ReadMatchInput starts sorting them while the match runs.
	order <-chan []int32
}

// Progress is told how far reading has got: the file, and bytes read of
// the total (total is 0 when unknown).
type Progress func(file string, read, total int64)

// Source is one input file: read from R, or, when Data is set, the
// whole file already in memory (a mapping of it, say), which is parsed
// where it lies instead of being copied into buffers. Data must not
// change until ReadMatchInput returns; nothing in the result refers to it.
type Source struct {
	Name string // as the user gave it, for messages
	R    io.Reader
	Size int64 // 0 when unknown
	Data []byte
	// Parsed, if set, is told of each part of Data once it has been
	// parsed, so that a mapping's pages can be let go as reading goes on.
	// It may be called from several goroutines at once.
	Parsed func(part []byte)
}

// inputError names the file, line and value that are wrong.
func inputError(file string, line int, format string, args ...any) error {
	return &lineError{line: line, err: apperr.Invalidf("file", "%s line %d: %s", file, line, fmt.Sprintf(format, args...))}
}

// lineError is an input error that remembers its line, so that when
// several lines are wrong the earliest can be reported.
type lineError struct {
	line int
	err  error
}

func (e *lineError) Error() string { return e.err.Error() }
func (e *lineError) Unwrap() error { return e.err }

// parseInt reads an optionally signed decimal integer without allocating.
func parseInt(b []byte) (int64, bool) {
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		if len(b) > 18 {
			n, err := strconv.ParseInt(string(b), 10, 64) // rare: let strconv judge overflow
			if neg {
				n = -n
			}
			return n, err == nil
		}
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// ReadMatchInput reads posts.csv (post_id,capacity), applicants.csv
// (applicant_id,rank,post_id) and rankings.csv (post_id,rank,applicant_id).
// Rows may come in any order; a lower rank is preferred and only the order
// of ranks counts. Unknown posts, repeated preferences or ranks, negative
// capacities, wrong headers and non-numeric ranks are errors that name the
// file, line and value. A ranking of someone who did not apply is ignored:
// a pair counts only when both sides rank each other.
//
// The big files are read in chunks of whole lines that one worker per CPU
// parses at the same time; ids are looked up in idTables. When a file has
// several faults, the one on the earliest line is reported; faults found
// only once whole files are joined (repeats) are reported after faults
// within lines, applicants.csv's before rankings.csv's.
func ReadMatchInput(posts, applicants, rankings Source, progress Progress) (*MatchInput, error) {
	seed := maphash.MakeSeed()
	postTable, capacity, err := readPosts(posts, progress, seed)
	if err != nil {
		return nil, err
	}
	nP := len(capacity)

	// applicants.csv: each run of rows for one applicant is looked up (or
	// added) in the table of applicants as its chunk is merged, in file
	// order, so applicants are numbered in order of first appearance.
	apps := newIDTable(seed, int(min(1<<16, applicants.Size/32)))
	prefRows := &rowParser{file: applicants.Name, postsName: posts.Name, posts: postTable}
	appChunks, err := prefRows.read(applicants, progress, []string{"applicant_id", "rank", "post_id"}, func(c *rowChunk) {
		if prefRows.rows == 0 && c.size > 0 && applicants.Size > int64(4*c.size) {
			// The first chunk tells how many applicants a byte of the
			// file holds, and how long their ids are: size the table
			// for the whole file, with an eighth to spare.
			scale := float64(applicants.Size) / float64(c.size) * 9 / 8
			apps.reserve(int(float64(len(c.runEnds))*scale), int(float64(len(c.runIDs))*scale))
		}
		c.firstRow = prefRows.rows
		prefRows.rows += len(c.rows)
		mergeApplicants(c, apps)
	})
	if err != nil {
		return nil, err
	}
	nA := apps.len()
	in := &MatchInput{Preferences: prefRows.rows}

	// Applicants are numbered again in the order of their slots in the
	// table (see renumber), as their preferences are grouped.
	start, prefs := groupPreferences(appChunks, nA, apps.renumber())
	// A repeat in applicants.csv is reported only if rankings.csv reads
	// without fault.
	var appErr error
	if bad := sortPreferences(start, prefs); len(bad) > 0 {
		appErr = applicantRepeatError(appChunks, bad, apps.strings(), postTable.strings(), applicants.Name)
	}
	// applicants.csv's rows are done with: rankings.csv's rows reuse them.
	var spare [][]row
	for _, c := range appChunks {
		spare = append(spare, c.out.rows[:0])
	}
	appChunks = nil

	// rankings.csv: every row's applicant is looked up in the table, which
	// no longer changes, by all the workers at once.
	shift := uint(max(0, bits.Len(uint(nP))-8))
	rankRows := &rowParser{file: rankings.Name, postsName: posts.Name, posts: postTable, apps: apps, sortLookups: sortsLookups(apps), buckets: nP>>shift + 1, shift: shift, spare: spare}
	rankChunks, err := rankRows.read(rankings, progress, []string{"post_id", "rank", "applicant_id"}, func(c *rowChunk) {
		c.firstRow = rankRows.rows
		rankRows.rows += len(c.rows)
	})
	if err != nil {
		return nil, err
	}
	if appErr != nil {
		return nil, appErr
	}
	badPosts := scatterRanks(rankChunks, start, prefs)
	badPosts = append(badPosts, repeatedRanks(rankChunks, rankRows.buckets, shift, rankRows.rows)...)
	if len(badPosts) > 0 {
		return nil, rankingRepeatError(rankChunks, badPosts, start, prefs, apps.strings(), postTable.strings(), rankings.Name)
	}
	rankChunks = nil
	// The rows of both files and the repeat keys are garbage now. Collect
	// them before the ids and their order are made, so that those reuse
	// this memory: fresh pages cost far more than collecting a heap this
	// free of pointers.
	runtime.GC()

	in.Market = buildMarket(capacity, start, prefs)
	in.Acceptable = len(in.Market.prefs)
	in.PostIDs = postTable.strings()
	in.ApplicantIDs = apps.strings()
	order := make(chan []int32, 1)
	go func() { order <- sortIDs(in.ApplicantIDs) }()
	in.order = order
	return in, nil
}

// readPosts reads posts.csv, which is small, line by line.
func readPosts(src Source, progress Progress, seed maphash.Seed) (*idTable, []int32, error) {
	fr := newFileReader(src, progress)
	pos, err := fr.header("post_id", "capacity")
	if err != nil {
		return nil, nil, err
	}
	table := newIDTable(seed, 1024)
	var capacity []int32
	var fields [][]byte
	for {
		line, ok, err := fr.nextLine()
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			return table, capacity, nil
		}
		if fields, err = splitLine(line, fields); err != nil {
			return nil, nil, inputError(fr.name, fr.line, "not valid CSV: %v", err)
		}
		if len(fields) == 0 {
			continue
		}
		id := field(fields, pos[0])
		if len(id) == 0 {
			return nil, nil, inputError(fr.name, fr.line, "post_id is empty")
		}
		b := field(fields, pos[1])
		c, ok := parseInt(b)
		if !ok {
			return nil, nil, inputError(fr.name, fr.line, "capacity %q is not a whole number", b)
		}
		if c < 0 || c > math.MaxInt32 {
			return nil, nil, inputError(fr.name, fr.line, "capacity %d of post %q must be 0 or more", c, id)
		}
		if _, added := table.add(table.hash(id), id); !added {
			return nil, nil, inputError(fr.name, fr.line, "post %q is listed twice", id)
		}
		capacity = append(capacity, int32(c))
	}
}

// row is one line of applicants.csv or rankings.csv: the applicant, the
// post and the rank.
type row struct{ who, post, rank int32 }

// rowChunk is what a chunk of applicants.csv or rankings.csv holds.
type rowChunk struct {
	size int // bytes of the file in the chunk
	rows []row
	// order, when set, holds where each row was in the chunk: rows of
	// rankings.csv may be stored in the order their applicants were
	// looked up. Without it, rows are in file order.
	order    []int32
	firstRow int   // the file's row number of rows[0]
	gaps     []gap // blank lines, by row within the chunk
	// applicants.csv: rows' who is the run of rows for one applicant
	// until the chunk is merged; the runs' ids wait here.
	runIDs  []byte
	runEnds []int32
	runHash []uint64
	// rankings.csv: rows in each bucket of posts (post>>shift), and the
	// lowest and highest rank.
	bucketRows       []int32
	minRank, maxRank int32
}

// gap records that the rows from row onwards sit extra lines further down
// the chunk than their position suggests, because of blank lines.
type gap struct{ row, extra int32 }

// rowParser reads applicants.csv or rankings.csv.
type rowParser struct {
	file, postsName string
	cols            rowColumns
	posts           *idTable
	apps            *idTable // rankings.csv: the applicants to look up
	// rankings.csv: look up a chunk's applicants all at once, sorted by
	// slot (see lookUpApplicants), rather than a batch at a time.
	sortLookups bool
	buckets     int // rankings.csv: buckets of posts
	shift       uint
	rows        int // rows merged so far
	// rankings.csv: lookup scratch, reused from chunk to chunk rather
	// than made afresh, so that less fresh memory is touched.
	mu      sync.Mutex
	scratch []*lookupScratch
	spare   [][]row // room for rows, reused
	// applicants.csv: runs of rows, and bytes of their ids, per byte of
	// the first chunk parsed, to size the next chunks' runs at once
	// rather than by growing them.
	runsPerByte, idBytesPerByte float64
}

// lookupScratch holds a chunk of rankings.csv's applicant ids and their
// hashes until they are looked up, and room for the rows in the order of
// the lookups.
type lookupScratch struct {
	ids  [][]byte
	hs   []uint64
	rows []row // a chunk's rows before they are sorted by lookup
}

// rowsFor returns room for n rows: spare room if any is large enough.
func (p *rowParser) rowsFor(n int) []row {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, rows := range p.spare {
		if cap(rows) >= n {
			last := len(p.spare) - 1
			p.spare[i], p.spare[last] = p.spare[last], nil
			p.spare = p.spare[:last]
			return rows
		}
	}
	return make([]row, 0, n)
}

// getScratch returns scratch for n rows, empty.
func (p *rowParser) getScratch(n int) *lookupScratch {
	sc := new(lookupScratch)
	p.mu.Lock()
	if k := len(p.scratch); k > 0 {
		sc, p.scratch = p.scratch[k-1], p.scratch[:k-1]
	}
	p.mu.Unlock()
	if cap(sc.ids) < n {
		// Chunks differ a little in rows; room for more saves remaking.
		n += n / 8
		sc.ids, sc.hs = make([][]byte, 0, n), make([]uint64, 0, n)
	}
	return sc
}

// putScratch keeps sc for the next chunk. The ids point into a chunk
// that is about to be reused, so they are cleared first.
func (p *rowParser) putScratch(sc *lookupScratch) {
	clear(sc.ids[:cap(sc.ids)])
	sc.ids, sc.hs = sc.ids[:0], sc.hs[:0]
	p.mu.Lock()
	p.scratch = append(p.scratch, sc)
	p.mu.Unlock()
}

func (p *rowParser) read(src Source, progress Progress, columns []string, merge func(c *rowChunk)) ([]*chunk[rowChunk], error) {
	fr := newFileReader(src, progress)
	pos, err := fr.header(columns...)
	if err != nil {
		return nil, err
	}
	p.cols = rowColumns{app: pos[0], rank: pos[1], post: pos[2]}
	if columns[0] == "post_id" {
		p.cols.app, p.cols.post = pos[2], pos[0]
	}
	return parseChunks(fr, p.parse, func(c *chunk[rowChunk]) { merge(&c.out) })
}

// lookupBatch is how many rows' ids are looked up together.
const lookupBatch = 64

// rowBatch holds rows parsed but not yet looked up: their ids wait here so
// that a batch's lookups can overlap their cache misses.
type rowBatch struct {
	n        int // rows; a line with a fault may follow them
	postIDs  [lookupBatch + 1][]byte
	postHash [lookupBatch + 1]uint64
	appIDs   [lookupBatch][]byte // rankings.csv, unless lookups are sorted
	appHash  [lookupBatch]uint64
	appFound [lookupBatch]int32
	line     [lookupBatch + 1]int
	found    [lookupBatch + 1]int32
}

// parse reads a chunk's lines into rows. Faults are checked in the order
// post, rank, applicant, line by line; the first stops the chunk.
func (p *rowParser) parse(c *chunk[rowChunk]) {
	data, out := c.data, &c.out
	out.size = len(data)
	quoted := bytes.IndexByte(data, '"') >= 0
	out.rows = p.rowsFor(bytes.Count(data, []byte{'\n'}) + 1)
	var appIDs [][]byte
	var appHash []uint64
	var sc *lookupScratch
	if p.apps != nil {
		out.bucketRows = make([]int32, p.buckets)
		out.minRank, out.maxRank = math.MaxInt32, math.MinInt32
		if p.sortLookups {
			sc = p.getScratch(cap(out.rows))
			defer p.putScratch(sc)
			appIDs, appHash = sc.ids, sc.hs
		}
	} else {
		p.mu.Lock()
		runs, idBytes := p.runsPerByte*float64(len(data)), p.idBytesPerByte*float64(len(data))
		p.mu.Unlock()
		if runs > 0 {
			// An eighth to spare, as chunks differ a little.
			runs, idBytes = runs*9/8+16, idBytes*9/8+256
			out.runIDs, out.runEnds, out.runHash = make([]byte, 0, int(idBytes)), make([]int32, 0, int(runs)), make([]uint64, 0, int(runs))
		}
	}
	var scratch [][]byte
	var prevApp []byte
	var bt rowBatch
	// flush looks up the batch's posts (and for rankings.csv its
	// applicants) and reports an unknown post, or else the fault of the
	// line after the rows, if any.
	flush := func(fault *lineIssue) bool {
		n, m := bt.n, bt.n
		if fault != nil && fault.line < 0 {
			m = n + 1
			fault.line = -fault.line
		}
		p.posts.findBatch(bt.postHash[:m], bt.postIDs[:m], bt.found[:m])
		rows := out.rows[len(out.rows)-n:]
		for i := range m {
			if bt.found[i] < 0 {
				c.issue = &lineIssue{line: bt.line[i], format: "post %q is not in %s", args: []any{string(bt.postIDs[i]), p.postsName}}
				return false
			}
		}
		for i := range rows {
			rows[i].post = bt.found[i]
		}
		if p.apps != nil && !p.sortLookups {
			p.apps.findBatch(bt.appHash[:n], bt.appIDs[:n], bt.appFound[:n])
			for i := range rows {
				rows[i].who = bt.appFound[i]
			}
		}
		if p.apps != nil {
			for i := range rows {
				out.bucketRows[rows[i].post>>p.shift]++
				out.minRank = min(out.minRank, rows[i].rank)
				out.maxRank = max(out.maxRank, rows[i].rank)
			}
		}
		bt.n = 0
		if fault != nil {
			c.issue = fault
			return false
		}
		return true
	}
	extra := int32(0)
	line := 0
	for pos := 0; pos < len(data); {
		s := scanLine(data, pos)
		start, b := pos, data[pos:s.end]
		pos = s.end + 1
		line++
		if len(b) >= maxLineLength {
			flush(&lineIssue{line: line, format: "the line is longer than %d bytes", args: []any{maxLineLength}})
			return
		}
		var app, rankField, post []byte
		ok := false
		if !quoted {
			app, rankField, post, ok = p.cols.firstThree(data, start, &s)
		}
		if !ok {
			var blank bool
			var err error
			app, rankField, post, blank, err = p.cols.split(b, quoted, &scratch)
			if err != nil {
				flush(&lineIssue{line: line, format: "not valid CSV: %v", args: []any{err}})
				return
			}
			if blank {
				continue
			}
		}
		i := bt.n
		bt.postIDs[i], bt.postHash[i], bt.line[i] = post, p.posts.hash(post), line
		rank, ok := parseInt(rankField)
		if !ok {
			// A negative line asks flush to check this line's post first.
			flush(&lineIssue{line: -line, format: "rank %q is not a whole number", args: []any{string(rankField)}})
			return
		}
		if rank < math.MinInt32 || rank > math.MaxInt32 {
			flush(&lineIssue{line: -line, format: "rank %d is too large; use numbers below 2147483648", args: []any{rank}})
			return
		}
		if len(app) == 0 {
			flush(&lineIssue{line: -line, format: "applicant_id is empty"})
			return
		}
		r := int32(len(out.rows))
		if e := int32(line) - r - 1; e != extra {
			out.gaps = append(out.gaps, gap{r, e})
			extra = e
		}
		who := int32(-1)
		if p.apps == nil {
			if len(out.runEnds) == 0 || !bytes.Equal(app, prevApp) {
				out.runIDs = append(out.runIDs, app...)
				out.runEnds = append(out.runEnds, int32(len(out.runIDs)))
				out.runHash = append(out.runHash, p.posts.hash(app))
				prevApp = app
			}
			who = int32(len(out.runEnds) - 1)
		} else if p.sortLookups {
			appIDs, appHash = append(appIDs, app), append(appHash, p.apps.hash(app))
		} else {
			bt.appIDs[i], bt.appHash[i] = app, p.apps.hash(app)
		}
		out.rows = append(out.rows, row{who, -1, int32(rank)})
		bt.n++
		if bt.n == lookupBatch && !flush(nil) {
			return
		}
	}
	if bt.n > 0 && !flush(nil) {
		return
	}
	c.lines = line
	if p.sortLookups {
		p.lookUpApplicants(out, appIDs, appHash, sc)
	} else if p.apps == nil && len(data) > 0 {
		p.mu.Lock()
		if p.runsPerByte == 0 {
			p.runsPerByte = float64(len(out.runEnds)) / float64(len(data))
			p.idBytesPerByte = float64(len(out.runIDs)) / float64(len(data))
		}
		p.mu.Unlock()
	}
}

// sortLookupsAbove is the size in bytes of a table of applicants above
// which lookups are sorted by slot; a variable so that tests can take
// either way. A smaller table fits in cache, where sorting would cost
// more than it saves: its lookups are made a batch at a time as rows are
// parsed.
var sortLookupsAbove = 12 << 20

// sortsLookups reports whether the lookups in apps are sorted by slot.
func sortsLookups(apps *idTable) bool {
	return len(apps.slots)*8+len(apps.arena) > sortLookupsAbove
}

// lookUpApplicants finds the applicants of a chunk of rankings.csv in a
// large table. Rows are taken in the order of their ids' slots in the
// table (a counting sort), so that the table and its arena are read
// nearly from front to back rather than at random, and are stored in that
// order: applicants are numbered in slot order too, so the rows come out
// nearly sorted by applicant, which is how they are used next.
func (p *rowParser) lookUpApplicants(out *rowChunk, ids [][]byte, hs []uint64, sc *lookupScratch) {
	buckets, bucket := p.apps.slotBucket()
	next := make([]int32, buckets+1)
	for _, h := range hs {
		next[bucket(h)+1]++
	}
	for b := range buckets {
		next[b+1] += next[b]
	}
	order := make([]int32, len(hs))
	for r, h := range hs {
		b := bucket(h)
		order[next[b]] = int32(r)
		next[b]++
	}
	// The rows are sorted into the rows of an earlier chunk, kept in the
	// scratch, and this chunk's unsorted rows are kept there in turn.
	sorted := sc.rows
	if cap(sorted) < len(out.rows) {
		sorted = make([]row, len(out.rows))
	}
	sorted = sorted[:len(out.rows)]
	var bh [lookupBatch]uint64
	var bid [lookupBatch][]byte
	var found [lookupBatch]int32
	for lo := 0; lo < len(order); lo += lookupBatch {
		part := order[lo:min(lo+lookupBatch, len(order))]
		for i, r := range part {
			bh[i], bid[i] = hs[r], ids[r]
		}
		p.apps.findBatch(bh[:len(part)], bid[:len(part)], found[:len(part)])
		for i, r := range part {
			x := out.rows[r]
			x.who = found[i]
			sorted[lo+i] = x
		}
	}
	out.rows, sc.rows, out.order = sorted, out.rows, order
}

// mergeApplicants gives a chunk's runs of rows their applicants' indexes,
// adding applicants not seen before.
func mergeApplicants(c *rowChunk, apps *idTable) {
	index := make([]int32, len(c.runEnds))
	from := int32(0)
	for lo := 0; lo < len(index); lo += lookupBatch {
		hi := min(lo+lookupBatch, len(index))
		apps.warm(c.runHash[lo:hi])
		for j := lo; j < hi; j++ {
			index[j], _ = apps.add(c.runHash[j], c.runIDs[from:c.runEnds[j]])
			from = c.runEnds[j]
		}
	}
	for i := range c.rows {
		c.rows[i].who = index[c.rows[i].who]
	}
	c.runIDs, c.runEnds, c.runHash = nil, nil, nil
}

// lines maps the file's row numbers to line numbers, for messages.
type lines []*chunk[rowChunk]

func (ls lines) of(row int32) int {
	c := ls[chunkOf(ls, row)]
	local := row - int32(c.out.firstRow)
	extra := int32(0)
	for _, g := range c.out.gaps {
		if g.row > local {
			break
		}
		extra = g.extra
	}
	return c.lineBase + int(local) + 1 + int(extra)
}

// chunkOf finds the chunk that holds a row.
func chunkOf(ls lines, row int32) int {
	i, _ := slices.BinarySearchFunc(ls, row, func(c *chunk[rowChunk], row int32) int {
		switch {
		case int(row) < c.out.firstRow:
			return 1
		case int(row) >= c.out.firstRow+len(c.out.rows):
			return -1
		}
		return 0
	})
	return i
}

// pref is one of an applicant's preferences: while reading
// applicants.csv, a post and the applicant's rank of it; once rankings.csv
// is read, a post the post ranked stores ^post and the post's rank of the
// applicant.
type pref struct{ post, rank int32 }

// chunkRanges splits chunks into one run of neighbouring chunks per CPU,
// with about as many rows each.
func chunkRanges(chunks []*chunk[rowChunk], total int) [][]*chunk[rowChunk] {
	workers := max(1, min(runtime.GOMAXPROCS(0), len(chunks)))
	out := make([][]*chunk[rowChunk], 0, workers)
	from, rows := 0, 0
	for i, c := range chunks {
		rows += len(c.out.rows)
		if rows*workers >= total*(len(out)+1) || i == len(chunks)-1 {
			out = append(out, chunks[from:i+1])
			from = i + 1
		}
	}
	return out
}

// parallel runs fn(w, lo, hi) on one range of 0..n per CPU at the same
// time (one range only when n is small).
func parallel(n int, fn func(w, lo, hi int)) {
	workers := max(1, min(runtime.GOMAXPROCS(0), n/1024))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() { fn(w, n*w/workers, n*(w+1)/workers) })
	}
	wg.Wait()
}

// groupPreferences lays each applicant's preferences out together, in
// file order: applicant a's are prefs[start[a]:start[a+1]]. It is a
// counting sort, each CPU placing the rows of its own run of chunks. The
// applicants are numbered anew on the way: moved[old] is a row's new
// number, which its who becomes.
func groupPreferences(chunks []*chunk[rowChunk], nA int, moved []int32) ([]int32, []pref) {
	total := 0
	for _, c := range chunks {
		total += len(c.out.rows)
	}
	ranges := chunkRanges(chunks, total)
	counts := make([][]int32, len(ranges))
	var wg sync.WaitGroup
	for w, rg := range ranges {
		wg.Go(func() {
			count := make([]int32, nA)
			for _, c := range rg {
				rows := c.out.rows
				for i := range rows {
					a := moved[rows[i].who]
					rows[i].who = a
					count[a]++
				}
			}
			counts[w] = count
		})
	}
	wg.Wait()
	// Turn counts into where each range's rows of each applicant go.
	start := make([]int32, nA+1)
	next := int32(0)
	for a := range nA {
		start[a] = next
		for _, count := range counts {
			count[a], next = next, next+count[a]
		}
	}
	start[nA] = next
	prefs := make([]pref, total)
	for w, rg := range ranges {
		wg.Go(func() {
			at := counts[w]
			for _, c := range rg {
				for _, r := range c.out.rows {
					prefs[at[r.who]] = pref{r.post, r.rank}
					at[r.who]++
				}
			}
		})
	}
	wg.Wait()
	return start, prefs
}

// sortPreferences puts each applicant's preferences best first and
// returns the applicants who give a rank twice or list a post twice.
func sortPreferences(start []int32, prefs []pref) []int32 {
	nA := len(start) - 1
	var mu sync.Mutex
	var bad []int32
	parallel(nA, func(_, lo, hi int) {
		var posts []int32
		for a := lo; a < hi; a++ {
			g := prefs[start[a]:start[a+1]]
			if len(g) <= 16 {
				for i := 1; i < len(g); i++ {
					for j := i; j > 0 && g[j].rank < g[j-1].rank; j-- {
						g[j], g[j-1] = g[j-1], g[j]
					}
				}
			} else {
				slices.SortStableFunc(g, func(x, y pref) int { return compare(x.rank, y.rank) })
			}
			repeat := false
			for i := 1; i < len(g); i++ {
				repeat = repeat || g[i].rank == g[i-1].rank
			}
			if len(g) <= 16 {
				for i := 1; i < len(g) && !repeat; i++ {
					for j := range i {
						repeat = repeat || g[i].post == g[j].post
					}
				}
			} else if !repeat {
				posts = posts[:0]
				for _, p := range g {
					posts = append(posts, p.post)
				}
				slices.Sort(posts)
				for i := 1; i < len(posts); i++ {
					repeat = repeat || posts[i] == posts[i-1]
				}
			}
			if repeat {
				mu.Lock()
				bad = append(bad, int32(a))
				mu.Unlock()
			}
		}
	})
	return bad
}

func compare(x, y int32) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// lineRow is a row with its row number, for the messages about repeats.
type lineRow struct {
	at int32
	row
}

// rowsOf returns the rows, in file order, whose key is marked.
func rowsOf(chunks []*chunk[rowChunk], marked []bool, key func(r row) int32) map[int32][]lineRow {
	out := map[int32][]lineRow{}
	for _, c := range chunks {
		for i, r := range c.out.rows {
			if k := key(r); k >= 0 && marked[k] {
				at := int32(i)
				if c.out.order != nil {
					at = c.out.order[i]
				}
				out[k] = append(out[k], lineRow{int32(c.out.firstRow) + at, r})
			}
		}
	}
	for _, group := range out {
		slices.SortFunc(group, func(x, y lineRow) int { return compare(x.at, y.at) })
	}
	return out
}

// sortByRank orders a group of rows by rank, keeping file order among
// equal ranks.
func sortByRank(group []lineRow) {
	slices.SortStableFunc(group, func(x, y lineRow) int { return compare(x.rank, y.rank) })
}

// applicantRepeatError words the fault of each applicant who repeats a
// rank or a post, and returns the one on the earliest line.
func applicantRepeatError(chunks []*chunk[rowChunk], bad []int32, appIDs, postIDs []string, file string) error {
	marked := make([]bool, len(appIDs))
	for _, a := range bad {
		marked[a] = true
	}
	at := lines(chunks)
	var first error
	firstLine := math.MaxInt
	report := func(line int, format string, args ...any) {
		if line < firstLine {
			first, firstLine = inputError(file, line, format, args...), line
		}
	}
	for a, group := range rowsOf(chunks, marked, func(r row) int32 { return r.who }) {
		sortByRank(group)
	check:
		for i := 1; i < len(group); i++ {
			if group[i].rank == group[i-1].rank {
				report(at.of(max(group[i].at, group[i-1].at)), "applicant %q gives rank %d twice", appIDs[a], group[i].rank)
				break
			}
			for j := range i {
				if group[i].post == group[j].post {
					report(at.of(max(group[i].at, group[j].at)), "applicant %q lists post %q twice", appIDs[a], postIDs[group[i].post])
					break check
				}
			}
		}
	}
	return first
}

// rankingRepeatError words the fault of each post that gives a rank twice
// or ranks an applicant twice, and returns the one on the earliest line.
// A post ranking twice someone who did not list it is no fault: such
// rankings are ignored.
func rankingRepeatError(chunks []*chunk[rowChunk], bad []int32, start []int32, prefs []pref, appIDs, postIDs []string, file string) error {
	marked := make([]bool, len(postIDs))
	for _, p := range bad {
		marked[p] = true
	}
	at := lines(chunks)
	var first error
	firstLine := math.MaxInt
	report := func(line int, format string, args ...any) {
		if line < firstLine {
			first, firstLine = inputError(file, line, format, args...), line
		}
	}
	lists := func(a, p int32) bool {
		for _, e := range prefs[start[a]:start[a+1]] {
			if e.post == p || e.post == ^p {
				return true
			}
		}
		return false
	}
	for p, group := range rowsOf(chunks, marked, func(r row) int32 { return r.post }) {
		sortByRank(group)
		repeat := false
		for i := 1; i < len(group) && !repeat; i++ {
			if group[i].rank == group[i-1].rank {
				report(at.of(max(group[i].at, group[i-1].at)), "post %q gives rank %d twice", postIDs[p], group[i].rank)
				repeat = true
			}
		}
		seen := map[int32]bool{}
		for _, r := range group {
			if repeat {
				break
			}
			if r.who < 0 || !lists(r.who, p) {
				continue
			}
			if seen[r.who] {
				report(at.of(r.at), "post %q ranks applicant %q twice", postIDs[p], appIDs[r.who])
				break
			}
			seen[r.who] = true
		}
	}
	return first
}

// scatterRanks stores each post's rank of an applicant in the
// applicant's preference for the post, if there is one, and returns the
// posts that rank someone twice. Each CPU takes the rankings of its own
// range of applicants, so that no preference is written by two at once.
func scatterRanks(chunks []*chunk[rowChunk], start []int32, prefs []pref) []int32 {
	nA := len(start) - 1
	var mu sync.Mutex
	var bad []int32
	parallel(nA, func(_, lo, hi int) {
		const batch = 256
		var rows [batch]row
		var from [batch]int32
		n := 0
		apply := func() {
			// Read every applicant's start, then touch every list, before
			// searching the lists: the cache misses overlap.
			for i, r := range rows[:n] {
				from[i] = start[r.who]
			}
			var touch int32
			for _, f := range from[:n] {
				touch += prefs[f].post
			}
			for i, r := range rows[:n] {
				list := prefs[from[i]:start[r.who+1]]
				for k := range list {
					if list[k].post == r.post {
						list[k] = pref{^r.post, r.rank}
						break
					}
					if list[k].post == ^r.post {
						mu.Lock()
						bad = append(bad, r.post)
						mu.Unlock()
						break
					}
				}
			}
			runtime.KeepAlive(touch)
			n = 0
		}
		span := uint32(hi - lo)
		for _, c := range chunks {
			for _, r := range c.out.rows {
				rows[n] = r
				if uint32(r.who-int32(lo)) < span {
					n++
				}
				if n == batch {
					apply()
				}
			}
		}
		apply()
	})
	return bad
}

// repeatedRanks returns the posts that give some rank twice, counting
// rankings of people who did not apply. Each chunk's (post, rank) pairs
// are spread into buckets of neighbouring posts, small enough for a hash
// set in cache, and the buckets are checked at the same time. A pair is
// a key of 4 bytes when the ranks' span leaves room beside them for a
// post's place in its bucket, as it does for any real list, and of 8
// otherwise.
func repeatedRanks(chunks []*chunk[rowChunk], buckets int, shift uint, total int) []int32 {
	lowest, highest := int64(math.MaxInt32), int64(math.MinInt32)
	for _, c := range chunks {
		if len(c.out.rows) > 0 {
			lowest, highest = min(lowest, int64(c.out.minRank)), max(highest, int64(c.out.maxRank))
		}
	}
	if highest-lowest < 1<<(32-shift)-1 {
		// A key is the post's place in its bucket above the rank's
		// distance from the lowest.
		inBucket := int32(1)<<shift - 1
		return bucketRepeats(chunks, buckets, shift, total,
			func(r row) uint32 { return uint32(r.post&inBucket)<<(32-shift) | uint32(int64(r.rank)-lowest) },
			func(b int, k uint32) int32 { return int32(b)<<shift | int32(uint64(k)>>(32-shift)) })
	}
	return bucketRepeats(chunks, buckets, shift, total,
		func(r row) uint64 { return uint64(r.post)<<32 | uint64(uint32(r.rank)) },
		func(_ int, k uint64) int32 { return int32(k >> 32) })
}

// bucketRepeats is repeatedRanks with its keys: key makes a row's, which
// must not be the largest K, and post finds the post of a key in bucket b.
func bucketRepeats[K uint32 | uint64](chunks []*chunk[rowChunk], buckets int, shift uint, total int, key func(r row) K, post func(b int, k K) int32) []int32 {
	bucketStart := make([]int, buckets+1)
	next := 0
	for b := range buckets {
		bucketStart[b] = next
		for _, c := range chunks {
			n := int(c.out.bucketRows[b])
			c.out.bucketRows[b] = int32(next)
			next += n
		}
	}
	bucketStart[buckets] = next
	keys := make([]K, total)
	var wg sync.WaitGroup
	for _, rg := range chunkRanges(chunks, total) {
		wg.Go(func() {
			for _, c := range rg {
				at := c.out.bucketRows
				for _, r := range c.out.rows {
					b := r.post >> shift
					keys[at[b]] = key(r)
					at[b]++
				}
			}
		})
	}
	wg.Wait()
	var mu sync.Mutex
	var bad []int32
	parallel(buckets*1024, func(_, lo, hi int) {
		var set []K
		for b := lo / 1024; b < hi/1024; b++ {
			bucket := keys[bucketStart[b]:bucketStart[b+1]]
			size := 16
			for size < 2*len(bucket) {
				size *= 2
			}
			if cap(set) < size {
				set = make([]K, size)
			}
			set = set[:size]
			clear(set)
			mask := uint64(size - 1)
			for _, k := range bucket {
				k++ // 0 marks an empty slot
				i := (uint64(k) * 0x9E3779B97F4A7C15) >> 32 & mask
				for set[i] != 0 && set[i] != k {
					i = (i + 1) & mask
				}
				if set[i] == k {
					mu.Lock()
					bad = append(bad, post(b, k-1))
					mu.Unlock()
				}
				set[i] = k
			}
		}
	})
	return bad
}

// buildMarket keeps the mutually acceptable pairs, in each applicant's
// order, in prefs itself: the market takes prefs over rather than copying
// it. Each CPU compacts its own range of applicants in place, then the
// ranges are moved down to close the gaps between them.
func buildMarket(capacity []int32, start []int32, prefs []pref) *Market {
	nA := len(start) - 1
	m := &Market{capacity: capacity, start: make([]int32, nA+1)}
	workers := max(1, min(runtime.GOMAXPROCS(0), nA/1024))
	kept := make([]int32, workers) // pairs each range keeps
	parallel(nA, func(w, lo, hi int) {
		k := start[lo]
		for a := lo; a < hi; a++ {
			for _, e := range prefs[start[a]:start[a+1]] {
				if e.post < 0 {
					prefs[k] = pref{^e.post, e.rank}
					k++
				}
			}
			m.start[a+1] = k
		}
		kept[w] = k - start[lo]
	})
	// Range w starts at start[lo] and moves down to the pairs kept by the
	// ranges before it; a range never moves past its own start, so moving
	// them in order overwrites nothing still to be moved.
	to := make([]int32, workers+1)
	for w := range workers {
		lo := nA * w / workers
		from := start[lo]
		copy(prefs[to[w]:], prefs[from:from+kept[w]])
		to[w+1] = to[w] + kept[w]
	}
	parallel(nA, func(w, lo, hi int) {
		shift := start[lo] - to[w]
		for a := lo; a < hi; a++ {
			m.start[a+1] -= shift
		}
	})
	m.prefs = prefs[:to[workers]:to[workers]]
	return m
}

// MatchSummary describes a match for people and for --report.
type MatchSummary struct {
	Applicants     int          `json:"applicants"`
	Posts          int          `json:"posts"`
	Places         int64        `json:"places"`
	Preferences    int          `json:"preferences"`
	AcceptablePair int          `json:"acceptable_pairs"`
	Matched        int          `json:"matched"`
	Unmatched      int          `json:"unmatched"`
	UnfilledPlaces int64        `json:"unfilled_places"`
	Verification   Verification `json:"verification"`
	Seconds        float64      `json:"seconds"`
}

// Summarise counts a matching.
func (in *MatchInput) Summarise(assign []int32, v Verification) MatchSummary {
	s := MatchSummary{Applicants: len(in.ApplicantIDs), Posts: len(in.PostIDs), Preferences: in.Preferences,
		AcceptablePair: in.Acceptable, Verification: v}
	for _, c := range in.Market.capacity {
		s.Places += int64(c)
	}
	for _, p := range assign {
		if p == Unmatched {
			s.Unmatched++
		} else {
			s.Matched++
		}
	}
	s.UnfilledPlaces = s.Places - int64(s.Matched)
	return s
}

// WriteMatches writes matches.csv: applicant_id,post_id for every
// applicant, sorted by applicant_id (as numbers when every id is a whole
// number, otherwise byte by byte), post_id empty when unmatched.
func (in *MatchInput) WriteMatches(w io.Writer, assign []int32) error {
	var order []int32
	if in.order != nil {
		order, in.order = <-in.order, nil
	} else {
		order = sortIDs(in.ApplicantIDs)
	}
	// Each CPU writes the lines of its own part of the order.
	parts := make([][]byte, runtime.GOMAXPROCS(0))
	errs := make([]error, len(parts))
	parallel(len(order), func(p, lo, hi int) {
		parts[p], errs[p] = in.matchLines(order[lo:hi], assign)
	})
	if _, err := io.WriteString(w, "applicant_id,post_id\n"); err != nil {
		return err
	}
	for p, part := range parts {
		if errs[p] != nil {
			return errs[p]
		}
		if _, err := w.Write(part); err != nil {
			return err
		}
	}
	return nil
}

// matchLines returns the lines of matches.csv for the applicants in order.
func (in *MatchInput) matchLines(order, assign []int32) ([]byte, error) {
	out := make([]byte, 0, 32*len(order))
	var quoted bytes.Buffer
	var cw *csv.Writer
	for _, a := range order {
		id, post := in.ApplicantIDs[a], ""
		if p := assign[a]; p != Unmatched {
			post = in.PostIDs[p]
		}
		if mayNeedQuotes(id) || mayNeedQuotes(post) {
			// Rare: let encoding/csv decide and quote.
			if cw == nil {
				cw = csv.NewWriter(&quoted)
			}
			cw.Write([]string{id, post})
			cw.Flush()
			if err := cw.Error(); err != nil {
				return nil, err
			}
			out = append(out, quoted.Bytes()...)
			quoted.Reset()
			continue
		}
		out = append(out, id...)
		out = append(out, ',')
		out = append(out, post...)
		out = append(out, '\n')
	}
	return out, nil
}

// mayNeedQuotes reports whether encoding/csv might quote a field: it
// holds a comma, quote or line break, starts with something that may be
// a space, or is `\.`.
func mayNeedQuotes(s string) bool {
	if s == "" {
		return false
	}
	if c := s[0]; c <= ' ' || c >= 0x80 || s == `\.` {
		return true
	}
	// Eight bytes at a time: a byte is one of the four when it xors to
	// zero with it.
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		const ones = 0x0101010101010101
		if zeroBytes(x^','*ones)|zeroBytes(x^'"'*ones)|zeroBytes(x^'\r'*ones)|zeroBytes(x^'\n'*ones) != 0 {
			return true
		}
	}
	for ; i < len(s); i++ {
		switch s[i] {
		case ',', '"', '\r', '\n':
			return true
		}
	}
	return false
}
