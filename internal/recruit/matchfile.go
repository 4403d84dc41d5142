package recruit

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
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
}

// Progress is told how far reading has got: the file, and bytes read of
// the total (total is 0 when unknown).
type Progress func(file string, read, total int64)

// Source is one input file.
type Source struct {
	Name string // as the user gave it, for messages
	R    io.Reader
	Size int64 // 0 when unknown
}

// inputError names the file, line and value that are wrong.
func inputError(file string, line int, format string, args ...any) error {
	return apperr.Invalidf("file", "%s line %d: %s", file, line, fmt.Sprintf(format, args...))
}

// lineReader reads CSV lines fast: lines without quotes are split on
// commas directly; lines with quotes go through encoding/csv.
type lineReader struct {
	file     string
	r        *bufio.Reader
	line     int
	read     int64
	size     int64
	progress Progress
	fields   [][]byte
}

func newLineReader(src Source, progress Progress) *lineReader {
	return &lineReader{file: src.Name, r: bufio.NewReaderSize(src.R, 1<<20), size: src.Size, progress: progress}
}

// next returns the next non-blank line's fields, or nil at the end.
func (lr *lineReader) next() ([][]byte, error) {
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
		b = bytes.TrimRight(b, "\r\n")
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
func (lr *lineReader) header(want ...string) ([]int, error) {
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
			return nil, inputError(lr.file, lr.line, "the header %q has no %s column; it must be %s", joinFields(fields), w, strings.Join(want, ","))
		}
	}
	return pos, nil
}

func joinFields(fields [][]byte) string {
	s := make([]string, len(fields))
	for i, f := range fields {
		s[i] = string(f)
	}
	return strings.Join(s, ",")
}

func field(fields [][]byte, i int) []byte {
	if i < len(fields) {
		return fields[i]
	}
	return nil
}

func (lr *lineReader) integer(b []byte, what string) (int64, error) {
	n, ok := parseInt(b)
	if !ok {
		return 0, inputError(lr.file, lr.line, "%s %q is not a whole number", what, b)
	}
	return n, nil
}

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
func ReadMatchInput(posts, applicants, rankings Source, progress Progress) (*MatchInput, error) {
	in := &MatchInput{}

	// posts.csv
	postIndex := map[string]int32{}
	var capacity []int32
	lr := newLineReader(posts, progress)
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
		id := field(f, pos[0])
		if len(id) == 0 {
			return nil, inputError(lr.file, lr.line, "post_id is empty")
		}
		c, err := lr.integer(field(f, pos[1]), "capacity")
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
	var prefs, ranks rows
	var prefErr, rankErr error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		prefs, prefErr = readRows(applicants, progress, postIndex, posts.Name, "applicant_id", "rank", "post_id")
	}()
	go func() {
		defer wg.Done()
		ranks, rankErr = readRows(rankings, progress, postIndex, posts.Name, "post_id", "rank", "applicant_id")
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
	pPost, pRank, pLine := prefs.post, prefs.rank, prefs.line

	// Group preferences by applicant, best first, rejecting repeats.
	start, order := groupBy(prefs.who, nA)
	prefs.who = nil
	keys := make([]int64, 0, 64)
	for a := range nA {
		group := order[start[a]:start[a+1]]
		keys = sortGroup(group, pRank, keys)
		for i := 1; i < len(group); i++ {
			if pRank[group[i]] == pRank[group[i-1]] {
				return nil, inputError(applicants.Name, int(max(pLine[group[i]], pLine[group[i-1]])), "applicant %q gives rank %d twice", in.ApplicantIDs[a], pRank[group[i]])
			}
			for j := range i {
				if pPost[group[i]] == pPost[group[j]] {
					return nil, inputError(applicants.Name, int(max(pLine[group[i]], pLine[group[j]])), "applicant %q lists post %q twice", in.ApplicantIDs[a], in.PostIDs[pPost[group[i]]])
				}
			}
		}
	}

	// Translate rankings.csv's applicant ids to applicants.csv's, once per
	// distinct id; someone ranked who did not apply becomes -1 (ignored).
	appIndex := make(map[string]int32, nA)
	for a, id := range in.ApplicantIDs {
		appIndex[id] = int32(a)
	}
	toApplicant := make([]int32, len(ranks.ids))
	for i, id := range ranks.ids {
		a, ok := appIndex[id]
		if !ok {
			a = -1
		}
		toApplicant[i] = a
	}
	appIndex = nil

	// Group rankings by post, best first; a post's rank of an applicant is
	// its position in that order.
	rStart, rOrder := groupBy(ranks.post, nP)
	postRank := make([]int32, len(pPost)) // per preference row: the post's rank of the applicant, or -1
	for i := range postRank {
		postRank[i] = -1
	}
	for p := range nP {
		group := rOrder[rStart[p]:rStart[p+1]]
		keys = sortGroup(group, ranks.rank, keys)
		for i := 1; i < len(group); i++ {
			if ranks.rank[group[i]] == ranks.rank[group[i-1]] {
				return nil, inputError(rankings.Name, int(max(ranks.line[group[i]], ranks.line[group[i-1]])), "post %q gives rank %d twice", in.PostIDs[p], ranks.rank[group[i]])
			}
		}
		for dense, row := range group {
			a := toApplicant[ranks.who[row]]
			if a < 0 {
				continue
			}
			for _, pref := range order[start[a]:start[a+1]] {
				if pPost[pref] == int32(p) {
					if postRank[pref] >= 0 {
						return nil, inputError(rankings.Name, int(ranks.line[row]), "post %q ranks applicant %q twice", in.PostIDs[p], in.ApplicantIDs[a])
					}
					postRank[pref] = int32(dense)
					break
				}
			}
		}
	}

	// Build the market from the mutually acceptable pairs, in each
	// applicant's order.
	m := &Market{capacity: capacity, start: make([]int32, nA+1)}
	for a := range nA {
		for _, pref := range order[start[a]:start[a+1]] {
			if postRank[pref] >= 0 {
				m.prefPost = append(m.prefPost, pPost[pref])
				m.prefRank = append(m.prefRank, postRank[pref])
			}
		}
		m.start[a+1] = int32(len(m.prefPost))
	}
	in.Market = m
	in.Acceptable = len(m.prefPost)
	return in, nil
}

// rows is one of the big files read into columns: who (an index into
// ids, the file's own table of applicant ids), post, rank and line.
type rows struct {
	ids                   []string
	who, post, rank, line []int32
}

// readRows reads applicants.csv or rankings.csv. The three column names
// are the applicant, rank and post columns in the order the header names
// them: applicant_id,rank,post_id or post_id,rank,applicant_id.
func readRows(src Source, progress Progress, postIndex map[string]int32, postsName string, columns ...string) (rows, error) {
	var r rows
	lr := newLineReader(src, progress)
	pos, err := lr.header(columns...)
	if err != nil {
		return r, err
	}
	appCol, rankCol, postCol := pos[0], pos[1], pos[2]
	if columns[0] == "post_id" {
		appCol, postCol = pos[2], pos[0]
	}
	if src.Size > 0 {
		n := int(src.Size / 12) // rows are rarely shorter than 12 bytes
		r.who, r.post, r.rank, r.line = make([]int32, 0, n), make([]int32, 0, n), make([]int32, 0, n), make([]int32, 0, n)
	}
	index := map[string]int32{}
	for {
		f, err := lr.next()
		if err != nil {
			return r, err
		}
		if f == nil {
			break
		}
		postID := field(f, postCol)
		post, ok := postIndex[string(postID)]
		if !ok {
			return r, inputError(lr.file, lr.line, "post %q is not in %s", postID, postsName)
		}
		rank, err := lr.rank(field(f, rankCol))
		if err != nil {
			return r, err
		}
		id := field(f, appCol)
		if len(id) == 0 {
			return r, inputError(lr.file, lr.line, "applicant_id is empty")
		}
		who, ok := index[string(id)]
		if !ok {
			s := string(id)
			who = int32(len(r.ids))
			index[s] = who
			r.ids = append(r.ids, s)
		}
		r.who, r.post, r.rank, r.line = append(r.who, who), append(r.post, post), append(r.rank, rank), append(r.line, int32(lr.line))
	}
	return r, nil
}

// rank reads a rank, which must be a whole number that fits in 32 bits.
func (lr *lineReader) rank(b []byte) (int32, error) {
	n, err := lr.integer(b, "rank")
	if err != nil {
		return 0, err
	}
	if n < math.MinInt32 || n > math.MaxInt32 {
		return 0, inputError(lr.file, lr.line, "rank %d is too large; use numbers below 2147483648", n)
	}
	return int32(n), nil
}

// groupBy is a counting sort: it returns, for each key k, the row indexes
// order[start[k]:start[k+1]] of the rows with that key, in file order.
func groupBy(keys []int32, n int) (start []int32, order []int32) {
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

// sortGroup orders a group of row indexes by rank. Rank and row are
// packed into one integer so that the sort needs no comparison function;
// keys is scratch space, returned for reuse.
func sortGroup(group []int32, rank []int32, keys []int64) []int64 {
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
	ids := in.ApplicantIDs
	order := make([]int32, len(ids))
	for i := range order {
		order[i] = int32(i)
	}
	numeric := make([]int64, len(ids))
	allNumeric := true
	for i, id := range ids {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			allNumeric = false
			break
		}
		numeric[i] = n
	}
	if allNumeric {
		slices.SortFunc(order, func(x, y int32) int {
			switch {
			case numeric[x] < numeric[y]:
				return -1
			case numeric[x] > numeric[y]:
				return 1
			}
			return strings.Compare(ids[x], ids[y])
		})
	} else {
		slices.SortFunc(order, func(x, y int32) int { return strings.Compare(ids[x], ids[y]) })
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	cw := csv.NewWriter(bw)
	cw.Write([]string{"applicant_id", "post_id"})
	row := []string{"", ""}
	for _, a := range order {
		row[0], row[1] = ids[a], ""
		if p := assign[a]; p != Unmatched {
			row[1] = in.PostIDs[p]
		}
		cw.Write(row)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}
