package recruit

// The reader of `hcs match`'s files as it was before it read in parallel
// chunks, kept as an oracle: the differential tests check that the
// current reader accepts and rejects exactly what this one did, with the
// same messages.

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// refLineReader reads CSV lines fast: lines without quotes are split on
// commas directly; lines with quotes go through encoding/csv.
type refLineReader struct {
	file     string
	r        *bufio.Reader
	line     int
	read     int64
	size     int64
	progress Progress
	fields   [][]byte
}

func refNewLineReader(src Source, progress Progress) *refLineReader {
	return &refLineReader{file: src.Name, r: bufio.NewReaderSize(src.R, 1<<20), size: src.Size, progress: progress}
}

// next returns the next non-blank line's fields, or nil at the end.
func (lr *refLineReader) next() ([][]byte, error) {
	for {
		b, err := lr.r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			return nil, inputError(lr.file, lr.line+1, "the line is longer than %d bytes", lr.r.Size())
		}
		if len(b) == 0 && err != nil {
			if err == io.EOF {
				return nil, nil
			}
			return nil, fmt.Errorf("read %s: %w", lr.file, err)
		}
		lr.line++
		lr.read += int64(len(b))
		if lr.progress != nil && lr.line&(1<<20-1) == 0 {
			lr.progress(lr.file, lr.read, lr.size)
		}
		for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
			b = b[:len(b)-1]
		}
		if len(bytes.TrimSpace(b)) == 0 {
			if err == io.EOF {
				return nil, nil
			}
			continue
		}
		lr.fields = lr.fields[:0]
		if bytes.IndexByte(b, '"') < 0 {
			for {
				i := bytes.IndexByte(b, ',')
				if i < 0 {
					lr.fields = append(lr.fields, bytes.TrimSpace(b))
					break
				}
				lr.fields = append(lr.fields, bytes.TrimSpace(b[:i]))
				b = b[i+1:]
			}
			return lr.fields, nil
		}
		rec, cerr := csv.NewReader(bytes.NewReader(b)).Read()
		if cerr != nil {
			return nil, inputError(lr.file, lr.line, "not valid CSV: %v", cerr)
		}
		for _, f := range rec {
			lr.fields = append(lr.fields, []byte(strings.TrimSpace(f)))
		}
		return lr.fields, nil
	}
}

// header reads the header and returns the position of each wanted column.
func (lr *refLineReader) header(want ...string) ([]int, error) {
	fields, err := lr.next()
	if err != nil {
		return nil, err
	}
	if fields == nil {
		return nil, inputError(lr.file, 1, "the file is empty; it needs the header %s", strings.Join(want, ","))
	}
	pos := make([]int, len(want))
	for i, w := range want {
		pos[i] = -1
		for j, f := range fields {
			if string(bytes.TrimPrefix(f, []byte("\ufeff"))) == w {
				pos[i] = j
			}
		}
		if pos[i] < 0 {
			return nil, inputError(lr.file, lr.line, "the header %q has no %s column; it must be %s", refJoinFields(fields), w, strings.Join(want, ","))
		}
	}
	return pos, nil
}

func refJoinFields(fields [][]byte) string {
	s := make([]string, len(fields))
	for i, f := range fields {
		s[i] = string(f)
	}
	return strings.Join(s, ",")
}

func refField(fields [][]byte, i int) []byte {
	if i < len(fields) {
		return fields[i]
	}
	return nil
}

func (lr *refLineReader) integer(b []byte, what string) (int64, error) {
	n, ok := refParseInt(b)
	if !ok {
		return 0, inputError(lr.file, lr.line, "%s %q is not a whole number", what, b)
	}
	return n, nil
}

// refParseInt reads an optionally signed decimal integer without allocating.
func refParseInt(b []byte) (int64, bool) {
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

// refReadMatchInput reads posts.csv (post_id,capacity), applicants.csv
// (applicant_id,rank,post_id) and rankings.csv (post_id,rank,applicant_id).
// Rows may come in any order; a lower rank is preferred and only the order
// of ranks counts. Unknown posts, repeated preferences or ranks, negative
// capacities, wrong headers and non-numeric ranks are errors that name the
// file, line and value. A ranking of someone who did not apply is ignored:
// a pair counts only when both sides rank each other.
func refReadMatchInput(posts, applicants, rankings Source, progress Progress) (*MatchInput, error) {
	in := &MatchInput{}

	// posts.csv
	postIndex := map[string]int32{}
	var capacity []int32
	lr := refNewLineReader(posts, progress)
	pos, err := lr.header("post_id", "capacity")
	if err != nil {
		return nil, err
	}
	for {
		f, err := lr.next()
		if err != nil {
			return nil, err
		}
		if f == nil {
			break
		}
		id := refField(f, pos[0])
		if len(id) == 0 {
			return nil, inputError(lr.file, lr.line, "post_id is empty")
		}
		c, err := lr.integer(refField(f, pos[1]), "capacity")
		if err != nil {
			return nil, err
		}
		if c < 0 || c > math.MaxInt32 {
			return nil, inputError(lr.file, lr.line, "capacity %d of post %q must be 0 or more", c, id)
		}
		if _, dup := postIndex[string(id)]; dup {
			return nil, inputError(lr.file, lr.line, "post %q is listed twice", id)
		}
		postIndex[string(id)] = int32(len(capacity))
		in.PostIDs = append(in.PostIDs, string(id))
		capacity = append(capacity, int32(c))
	}

	// applicants.csv and rankings.csv are independent until they are
	// joined, so they are read at the same time, each with its own table
	// of applicant ids.
	var prefs, ranks refRows
	var prefErr, rankErr error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		prefs, prefErr = refReadRows(applicants, progress, postIndex, posts.Name, "applicant_id", "rank", "post_id")
	}()
	go func() {
		defer wg.Done()
		ranks, rankErr = refReadRows(rankings, progress, postIndex, posts.Name, "post_id", "rank", "applicant_id")
	}()
	wg.Wait()
	if prefErr != nil {
		return nil, prefErr
	}
	if rankErr != nil {
		return nil, rankErr
	}
	in.ApplicantIDs = prefs.ids
	in.Preferences = len(prefs.who)
	nA, nP := len(in.ApplicantIDs), len(capacity)
	pPost, pRank := prefs.post, prefs.rank

	// Group preferences by applicant, best first, rejecting repeats.
	start, order := refGroupBy(prefs.who, nA)
	prefs.who = nil
	err = refInParallel(nA, func(lo, hi int) error {
		keys := make([]int64, 0, 64)
		for a := lo; a < hi; a++ {
			group := order[start[a]:start[a+1]]
			keys = refSortGroup(group, pRank, keys)
			for i := 1; i < len(group); i++ {
				if pRank[group[i]] == pRank[group[i-1]] {
					return inputError(applicants.Name, prefs.lineOf(max(group[i], group[i-1])), "applicant %q gives rank %d twice", in.ApplicantIDs[a], pRank[group[i]])
				}
				for j := range i {
					if pPost[group[i]] == pPost[group[j]] {
						return inputError(applicants.Name, prefs.lineOf(max(group[i], group[j])), "applicant %q lists post %q twice", in.ApplicantIDs[a], in.PostIDs[pPost[group[i]]])
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	// Lay each applicant's posts out contiguously, in preference order, so
	// that the join below reads memory in order.
	// Each entry holds the post and, once joined, the post's rank of the
	// applicant (-1 until then) side by side: the join touches both.
	type pair struct{ post, rank int32 }
	grouped := make([]pair, len(order))
	for i, row := range order {
		grouped[i] = pair{pPost[row], -1}
	}
	// Release what is no longer needed: at national scale each column is
	// tens of megabytes.
	order, pPost, pRank, prefs = nil, nil, nil, refRows{}

	// Translate rankings.csv's applicant ids to applicants.csv's, once per
	// distinct id; someone ranked who did not apply becomes -1 (ignored).
	var appIndex refIDIndex
	for a, id := range in.ApplicantIDs {
		appIndex.add([]byte(id), id, int32(a))
	}
	toApplicant := make([]int32, len(ranks.ids))
	for i, id := range ranks.ids {
		a, ok := appIndex.lookup([]byte(id))
		if !ok {
			a = -1
		}
		toApplicant[i] = a
	}
	refInParallel(len(ranks.who), func(lo, hi int) error {
		for row := lo; row < hi; row++ {
			ranks.who[row] = toApplicant[ranks.who[row]]
		}
		return nil
	})
	toApplicant = nil

	// Group rankings by post, best first; a post's rank of an applicant is
	// its position in that order.
	rStart, rOrder := refGroupBy(ranks.post, nP)
	// Posts are independent here: each pair (applicant, post) belongs to
	// one post, so halves of the posts can be joined at the same time.
	err = refInParallel(nP, func(lo, hi int) error {
		keys := make([]int64, 0, 256)
		for p := lo; p < hi; p++ {
			group := rOrder[rStart[p]:rStart[p+1]]
			keys = refSortGroup(group, ranks.rank, keys)
			for i := 1; i < len(group); i++ {
				if ranks.rank[group[i]] == ranks.rank[group[i-1]] {
					return inputError(rankings.Name, ranks.lineOf(max(group[i], group[i-1])), "post %q gives rank %d twice", in.PostIDs[p], ranks.rank[group[i]])
				}
			}
			for dense, row := range group {
				a := ranks.who[row]
				if a < 0 {
					continue
				}
				list := grouped[start[a]:start[a+1]]
				for i := range list {
					if list[i].post == int32(p) {
						if list[i].rank >= 0 {
							return inputError(rankings.Name, ranks.lineOf(row), "post %q ranks applicant %q twice", in.PostIDs[p], in.ApplicantIDs[a])
						}
						list[i].rank = int32(dense)
						break
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	ranks, rOrder = refRows{}, nil

	// Build the market from the mutually acceptable pairs, in each
	// applicant's order.
	m := &Market{capacity: capacity, start: make([]int32, nA+1)}
	for a := range nA {
		for _, e := range grouped[start[a]:start[a+1]] {
			if e.rank >= 0 {
				m.prefs = append(m.prefs, pref{e.post, e.rank})
			}
		}
		m.start[a+1] = int32(len(m.prefs))
	}
	in.Market = m
	in.Acceptable = len(m.prefs)
	return in, nil
}

// refIDIndex finds the index of an id. Ids that are plain numbers (no sign,
// no leading zero, below 2^26), the usual form of applicant numbers, are
// looked up in a table indexed by the number, which is several times
// faster than hashing at national scale; other ids go to a map.
type refIDIndex struct {
	numeric []int32 // number → index+1; 0 is "absent"
	other   map[string]int32
}

const refMaxDirectID = 1 << 26

func refPlainNumber(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 8 || (b[0] == '0' && len(b) > 1) {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, n < refMaxDirectID
}

func (x *refIDIndex) lookup(b []byte) (int32, bool) {
	if n, ok := refPlainNumber(b); ok {
		if n < len(x.numeric) && x.numeric[n] != 0 {
			return x.numeric[n] - 1, true
		}
		return 0, false
	}
	i, ok := x.other[string(b)]
	return i, ok
}

func (x *refIDIndex) add(b []byte, s string, i int32) {
	if n, ok := refPlainNumber(b); ok {
		if n >= len(x.numeric) {
			grown := make([]int32, max(n+1, 2*len(x.numeric), 1024))
			copy(grown, x.numeric)
			x.numeric = grown
		}
		x.numeric[n] = i + 1
		return
	}
	if x.other == nil {
		x.other = map[string]int32{}
	}
	x.other[s] = i
}

// refRows is one of the big files read into columns: who (an index into
// ids, the file's own table of applicant ids), post and rank. Line
// numbers are not stored per row: row r is on line r+2 (after the header)
// plus the blank lines before it, which gaps records.
type refRows struct {
	ids             []string
	who, post, rank []int32
	gaps            []refGap
}

// refGap records that the refRows from row onwards sit extra lines further down
// the file than their position suggests, because of blank lines.
type refGap struct{ row, extra int32 }

// lineOf returns the file line of a row.
func (r *refRows) lineOf(row int32) int {
	extra := int32(0)
	for _, g := range r.gaps {
		if g.row > row {
			break
		}
		extra = g.extra
	}
	return int(row) + 2 + int(extra)
}

// refReadRows reads applicants.csv or rankings.csv. The three column names
// are the applicant, rank and post columns in the order the header names
// them: applicant_id,rank,post_id or post_id,rank,applicant_id.
func refReadRows(src Source, progress Progress, postIndex map[string]int32, postsName string, columns ...string) (refRows, error) {
	var r refRows
	lr := refNewLineReader(src, progress)
	pos, err := lr.header(columns...)
	if err != nil {
		return r, err
	}
	appCol, rankCol, postCol := pos[0], pos[1], pos[2]
	if columns[0] == "post_id" {
		appCol, postCol = pos[2], pos[0]
	}
	sized := false
	var index refIDIndex
	var prevID []byte // refRows for one applicant or post often come together
	prevWho := int32(-1)
	var prevPostID []byte
	prevPost := int32(-1)
	for {
		f, err := lr.next()
		if err != nil {
			return r, err
		}
		if f == nil {
			break
		}
		postID := refField(f, postCol)
		post := prevPost
		if post < 0 || !bytes.Equal(postID, prevPostID) {
			var ok bool
			if post, ok = postIndex[string(postID)]; !ok {
				return r, inputError(lr.file, lr.line, "post %q is not in %s", postID, postsName)
			}
			prevPost, prevPostID = post, append(prevPostID[:0], postID...)
		}
		rank, err := lr.rank(refField(f, rankCol))
		if err != nil {
			return r, err
		}
		id := refField(f, appCol)
		if len(id) == 0 {
			return r, inputError(lr.file, lr.line, "applicant_id is empty")
		}
		who := prevWho
		if who < 0 || !bytes.Equal(id, prevID) {
			var ok bool
			if who, ok = index.lookup(id); !ok {
				who = int32(len(r.ids))
				s := string(id)
				index.add(id, s, who)
				r.ids = append(r.ids, s)
			}
			prevWho, prevID = who, append(prevID[:0], id...)
		}
		row := int32(len(r.who))
		if extra := int32(lr.line) - row - 2; (len(r.gaps) == 0 && extra != 0) || (len(r.gaps) > 0 && extra != r.gaps[len(r.gaps)-1].extra) {
			r.gaps = append(r.gaps, refGap{row, extra})
		}
		r.who, r.post, r.rank = append(r.who, who), append(r.post, post), append(r.rank, rank)
		// Once a sample shows how long refRows are, size the columns for the
		// whole file: growing them by doubling would waste memory.
		if !sized && len(r.who) == 4096 && src.Size > 0 {
			sized = true
			n := int(float64(src.Size)/float64(lr.read)*4096*1.02) - len(r.who)
			r.who, r.post, r.rank = slices.Grow(r.who, n), slices.Grow(r.post, n), slices.Grow(r.rank, n)
		}
	}
	return r, nil
}

// refInParallel splits 0..n into one range per CPU and runs fn on each at
// the same time. When several ranges fail, the error naming the earliest
// line wins, so that messages do not depend on timing.
func refInParallel(n int, fn func(lo, hi int) error) error {
	workers := min(runtime.GOMAXPROCS(0), max(1, n/1024))
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[w] = fn(n*w/workers, n*(w+1)/workers)
		}()
	}
	wg.Wait()
	var first error
	firstLine := math.MaxInt
	for _, err := range errs {
		if err == nil {
			continue
		}
		line := math.MaxInt
		if le, ok := errors.AsType[*lineError](err); ok {
			line = le.line
		}
		if first == nil || line < firstLine {
			first, firstLine = err, line
		}
	}
	return first
}

// rank reads a rank, which must be a whole number that fits in 32 bits.
func (lr *refLineReader) rank(b []byte) (int32, error) {
	n, err := lr.integer(b, "rank")
	if err != nil {
		return 0, err
	}
	if n < math.MinInt32 || n > math.MaxInt32 {
		return 0, inputError(lr.file, lr.line, "rank %d is too large; use numbers below 2147483648", n)
	}
	return int32(n), nil
}

// refGroupBy is a counting sort: it returns, for each key k, the row indexes
// order[start[k]:start[k+1]] of the refRows with that key, in file order.
func refGroupBy(keys []int32, n int) (start []int32, order []int32) {
	start = make([]int32, n+1)
	for _, k := range keys {
		start[k+1]++
	}
	for k := range n {
		start[k+1] += start[k]
	}
	fill := slices.Clone(start[:n])
	order = make([]int32, len(keys))
	for row, k := range keys {
		order[fill[k]] = int32(row)
		fill[k]++
	}
	return start, order
}

// refSortGroup orders a group of row indexes by rank. Rank and row are
// packed into one integer so that the sort needs no comparison function;
// keys is scratch space, returned for reuse.
func refSortGroup(group []int32, rank []int32, keys []int64) []int64 {
	if len(group) < 2 {
		return keys
	}
	if len(group) <= 12 {
		for i := 1; i < len(group); i++ {
			for j := i; j > 0 && rank[group[j]] < rank[group[j-1]]; j-- {
				group[j], group[j-1] = group[j-1], group[j]
			}
		}
		return keys
	}
	keys = keys[:0]
	for _, row := range group {
		keys = append(keys, int64(rank[row])<<32|int64(uint32(row)))
	}
	slices.Sort(keys)
	for i, k := range keys {
		group[i] = int32(uint32(k))
	}
	return keys
}
