package recruit

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"fmt"
	"io"
	"math/bits"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
)

// maxLineLength is the longest line the reader accepts, in bytes.
const maxLineLength = 1 << 20

// readChunkSize is how much of a file is read at once and parsed as one
// piece. A variable so that tests can cut files into tiny pieces.
var readChunkSize = 4 << 20

// fileReader reads one CSV file: its first lines one by one (the header),
// then the rest in chunks of whole lines, which workers parse at the same
// time.
type fileReader struct {
	name     string
	r        io.Reader
	whole    []byte // the file, when it is in memory: chunks are slices of it
	parsed   func(part []byte)
	size     int64
	progress Progress
	read     int64
	eof      bool
	pending  []byte // read but not handed out yet
	carry    []byte // holds pending between chunks
	line     int    // lines handed out by nextLine
	tooLong  bool   // a chunk ended inside a line too long to accept
}

func newFileReader(src Source, progress Progress) *fileReader {
	fr := &fileReader{name: src.Name, r: src.R, size: src.Size, progress: progress}
	if src.Data != nil {
		fr.whole, fr.size, fr.parsed = src.Data, int64(len(src.Data)), src.Parsed
	}
	return fr
}

// finished reports whether every chunk has been handed out.
func (fr *fileReader) finished() bool {
	return fr.eof && len(fr.pending) == 0 || fr.tooLong
}

// fill reads into buf[n:] until it is full or the file ends.
func (fr *fileReader) fill(buf []byte, n int) (int, error) {
	empty := 0
	for n < len(buf) && !fr.eof {
		m, err := fr.r.Read(buf[n:])
		n += m
		fr.read += int64(m)
		switch {
		case err == io.EOF:
			fr.eof = true
		case err != nil:
			return n, fmt.Errorf("read %s: %w", fr.name, err)
		case m == 0:
			if empty++; empty > 100 {
				return n, fmt.Errorf("read %s: %w", fr.name, io.ErrNoProgress)
			}
		}
	}
	if fr.progress != nil {
		fr.progress(fr.name, fr.read, fr.size)
	}
	return n, nil
}

// nextLine returns the next line without its '\n', or ok false at the end
// of the file.
func (fr *fileReader) nextLine() (line []byte, ok bool, err error) {
	for {
		if i := bytes.IndexByte(fr.pending, '\n'); i >= 0 {
			if i >= maxLineLength {
				return nil, false, fr.tooLongError(fr.line + 1)
			}
			line, fr.pending = fr.pending[:i], fr.pending[i+1:]
			fr.line++
			return line, true, nil
		}
		if len(fr.pending) >= maxLineLength {
			return nil, false, fr.tooLongError(fr.line + 1)
		}
		if fr.eof {
			if len(fr.pending) == 0 {
				return nil, false, nil
			}
			line, fr.pending = fr.pending, nil
			fr.line++
			return line, true, nil
		}
		if fr.whole != nil {
			// The whole file is "read" at once; lines are slices of it.
			fr.pending, fr.eof = fr.whole, true
			continue
		}
		buf := make([]byte, max(fr.bufferSize(), 2*len(fr.pending)))
		n, err := fr.fill(buf, copy(buf, fr.pending))
		if err != nil {
			return nil, false, err
		}
		fr.pending = buf[:n]
	}
}

// bufferSize is how much to read at once: a chunk, or what is left of a
// smaller file.
func (fr *fileReader) bufferSize() int {
	if fr.size > 0 && fr.size-fr.read < int64(readChunkSize) {
		return int(max(fr.size-fr.read, 0)) + len(fr.pending) + 1
	}
	return readChunkSize
}

func (fr *fileReader) tooLongError(line int) error {
	return inputError(fr.name, line, "the line is longer than %d bytes", maxLineLength)
}

// nextChunk returns the next whole lines of the file, read into buf (or a
// larger buffer, returned too, when a line does not fit), ending with a
// '\n' except at the end of the file. It returns no data at the end.
func (fr *fileReader) nextChunk(buf []byte) (data, used []byte, err error) {
	if fr.whole != nil {
		return fr.nextSlice(), nil, nil
	}
	for {
		if len(buf) <= len(fr.pending) {
			buf = make([]byte, 2*len(fr.pending)+1)
		}
		n, err := fr.fill(buf, copy(buf, fr.pending))
		if err != nil {
			return nil, buf, err
		}
		data = buf[:n]
		if fr.eof {
			fr.pending = nil
			return data, buf, nil
		}
		i := bytes.LastIndexByte(data, '\n')
		if i < 0 && n >= maxLineLength {
			// A line too long to accept: the worker reports it, and
			// nothing after it is read.
			fr.tooLong = true
			return data, buf, nil
		}
		if i >= 0 {
			fr.carry = append(fr.carry[:0], data[i+1:]...)
			fr.pending = fr.carry
			return data[:i+1], buf, nil
		}
		// No line ends in the buffer: read on into a larger one.
		fr.carry = append(fr.carry[:0], data...)
		fr.pending = fr.carry
		buf = make([]byte, 2*len(buf))
	}
}

// nextSlice is nextChunk for a file in memory: the next whole lines,
// about a chunk's worth, without copying. A line longer than a chunk is
// taken whole, and the worker that parses it refuses it if it is too long.
func (fr *fileReader) nextSlice() []byte {
	if !fr.eof {
		fr.pending, fr.eof = fr.whole, true
	}
	end := len(fr.pending)
	if end > readChunkSize {
		if i := bytes.LastIndexByte(fr.pending[:readChunkSize], '\n'); i >= 0 {
			end = i + 1
		} else if i := bytes.IndexByte(fr.pending[readChunkSize:], '\n'); i >= 0 {
			end = readChunkSize + i + 1
		}
	}
	// A chunk's capacity ends with it, so that parsing it never reads
	// into the next, which may already have been parsed and let go.
	data := fr.pending[:end:end]
	fr.pending = fr.pending[end:]
	fr.read = fr.size - int64(len(fr.pending))
	if fr.progress != nil {
		fr.progress(fr.name, fr.read, fr.size)
	}
	return data
}

// lineIssue is the first bad line of a chunk: its line within the chunk
// (from 1) and the message, which becomes an inputError once the chunk's
// place in the file is known.
type lineIssue struct {
	line   int
	format string
	args   []any
}

// chunk is a piece of a file parsed by one worker; out is what the parse
// made of it.
type chunk[T any] struct {
	seq      int
	buf      []byte
	data     []byte
	lineBase int // lines of the file before this chunk
	lines    int // lines in this chunk, set by the parse
	issue    *lineIssue
	out      T
}

// parseChunks reads the rest of fr's file in chunks and parses them in
// one worker per CPU. merge runs on the calling goroutine, on one chunk
// at a time in file order, as soon as the chunks before it are done. The
// first bad line of the file (in file order, whichever worker found it)
// stops the reading and is returned as an inputError.
func parseChunks[T any](fr *fileReader, parse func(c *chunk[T]), merge func(c *chunk[T])) ([]*chunk[T], error) {
	workers := runtime.GOMAXPROCS(0)
	work := make(chan *chunk[T], workers)
	done := make(chan *chunk[T], workers)
	free := make(chan []byte, 2*workers+2)
	var stop atomic.Bool
	var readErr error
	go func() {
		defer close(work)
		for seq := 0; !stop.Load(); seq++ {
			var buf []byte
			select {
			case buf = <-free:
			default:
				if fr.whole == nil {
					buf = make([]byte, fr.bufferSize())
				}
			}
			data, used, err := fr.nextChunk(buf)
			if err != nil {
				readErr = err
				return
			}
			if len(data) == 0 {
				return
			}
			work <- &chunk[T]{seq: seq, buf: used, data: data}
			if fr.finished() {
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for c := range work {
				if !stop.Load() {
					parse(c)
				}
				if c.buf != nil {
					select {
					case free <- c.buf:
					default:
					}
				} else if fr.parsed != nil {
					fr.parsed(c.data)
				}
				c.buf, c.data = nil, nil
				done <- c
			}
		})
	}
	go func() {
		wg.Wait()
		close(done)
	}()

	var chunks []*chunk[T]
	var failed *chunk[T]
	next, lineBase := 0, fr.line
	for c := range done {
		for len(chunks) <= c.seq {
			chunks = append(chunks, nil)
		}
		chunks[c.seq] = c
		for ; next < len(chunks) && chunks[next] != nil; next++ {
			if failed != nil {
				continue
			}
			c := chunks[next]
			c.lineBase = lineBase
			lineBase += c.lines
			if c.issue != nil {
				failed = c
				stop.Store(true)
				continue
			}
			merge(c)
		}
	}
	if failed != nil {
		is := failed.issue
		return nil, inputError(fr.name, failed.lineBase+is.line, is.format, is.args...)
	}
	if readErr != nil {
		return nil, readErr
	}
	return chunks, nil
}

// trimSpace is bytes.TrimSpace, quicker when there is nothing to trim.
func trimSpace(b []byte) []byte {
	if len(b) > 0 && b[0] > ' ' && b[0] < 0x80 && b[len(b)-1] > ' ' && b[len(b)-1] < 0x80 {
		return b
	}
	return bytes.TrimSpace(b)
}

// isBlank reports whether a line holds nothing but spaces.
func isBlank(b []byte) bool {
	if len(b) > 0 && b[0] > ' ' && b[0] < 0x80 {
		return false
	}
	return len(bytes.TrimSpace(b)) == 0
}

// splitLine splits a line (without its '\n') into fields with spaces
// trimmed: lines without quotes at commas, lines with quotes by
// encoding/csv. Lines end at '\n' even inside quotes. A blank line gives
// no fields.
func splitLine(b []byte, fields [][]byte) ([][]byte, error) {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	fields = fields[:0]
	if isBlank(b) {
		return fields, nil
	}
	if bytes.IndexByte(b, '"') < 0 {
		for {
			i := bytes.IndexByte(b, ',')
			if i < 0 {
				return append(fields, trimSpace(b)), nil
			}
			fields = append(fields, trimSpace(b[:i]))
			b = b[i+1:]
		}
	}
	rec, err := csv.NewReader(bytes.NewReader(b)).Read()
	if err != nil {
		return nil, err
	}
	for _, f := range rec {
		fields = append(fields, []byte(strings.TrimSpace(f)))
	}
	return fields, nil
}

// header reads the header, the first line that is not blank, and returns
// the position of each wanted column.
func (fr *fileReader) header(want ...string) ([]int, error) {
	var fields [][]byte
	for len(fields) == 0 {
		line, ok, err := fr.nextLine()
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, inputError(fr.name, 1, "the file is empty; it needs the header %s", strings.Join(want, ","))
		}
		if fields, err = splitLine(line, fields); err != nil {
			return nil, inputError(fr.name, fr.line, "not valid CSV: %v", err)
		}
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
			return nil, inputError(fr.name, fr.line, "the header %q has no %s column; it must be %s", joinFields(fields), w, strings.Join(want, ","))
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

// rowColumns are the positions of the applicant, rank and post columns in
// applicants.csv or rankings.csv.
type rowColumns struct{ app, rank, post int }

// split returns a line's applicant, rank and post fields, trimmed, and
// whether the line is blank. Lines without quotes are split here, eight
// bytes at a time; quoted may say that the line has none (true means it
// may).
func (rc rowColumns) split(line []byte, quoted bool, scratch *[][]byte) (app, rank, post []byte, blank bool, err error) {
	for len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	if isBlank(line) {
		return nil, nil, nil, true, nil
	}
	if quoted && bytes.IndexByte(line, '"') >= 0 {
		f, err := splitLine(line, *scratch)
		*scratch = f
		if err != nil {
			return nil, nil, nil, false, err
		}
		return field(f, rc.app), field(f, rc.rank), field(f, rc.post), false, nil
	}
	last := max(rc.app, rc.rank, rc.post)
	k, start := 0, 0
	take := func(end int) bool {
		f := line[start:end]
		switch k {
		case rc.app:
			app = trimSpace(f)
		case rc.rank:
			rank = trimSpace(f)
		case rc.post:
			post = trimSpace(f)
		}
		k, start = k+1, end+1
		return k > last
	}
	// Bytes past the end of the line, up to its capacity, may be read and
	// are ignored.
	whole := line[:cap(line)]
	for w := 0; w < len(line); w += 8 {
		x := loadWord(whole, w)
		m := zeroBytes(x ^ 0x2c2c2c2c2c2c2c2c) // ','
		if n := len(line) - w; n < 8 {
			m &= 1<<(8*n) - 1
		}
		for ; m != 0; m &= m - 1 {
			if take(w + bits.TrailingZeros64(m)>>3) {
				return app, rank, post, false, nil
			}
		}
	}
	take(len(line))
	return app, rank, post, false, nil
}

// loadWord returns the eight bytes of b from w, little-endian, with
// zeros for those past its end.
func loadWord(b []byte, w int) uint64 {
	if w+8 <= len(b) {
		return binary.LittleEndian.Uint64(b[w:])
	}
	var x uint64
	for i := len(b) - 1; i >= w; i-- {
		x = x<<8 | uint64(b[i])
	}
	return x
}

// lineScan is where a line of a chunk ends and where its first commas are.
type lineScan struct {
	end    int // the '\n' that ends the line, or the end of the data
	commas [3]int
	n      int // commas found before end, at most 3
}

// scanLine finds the end of the line that starts at pos and its first
// three commas in one pass, eight bytes at a time. Bytes past the end of
// data, up to its capacity, may be read and are ignored.
func scanLine(data []byte, pos int) (s lineScan) {
	const commas, newlines = 0x2c2c2c2c2c2c2c2c, 0x0a0a0a0a0a0a0a0a
	whole := data[:cap(data)]
	for w := pos; w < len(data); w += 8 {
		x := loadWord(whole, w)
		nl, cm := zeroBytes(x^newlines), zeroBytes(x^commas)
		if n := len(data) - w; n < 8 {
			nl &= 1<<(8*n) - 1
			cm &= 1<<(8*n) - 1
		}
		if nl != 0 {
			cm &= nl&-nl - 1 // only the commas before the newline
		}
		for ; cm != 0 && s.n < len(s.commas); cm &= cm - 1 {
			s.commas[s.n] = w + bits.TrailingZeros64(cm)>>3
			s.n++
		}
		if nl != 0 {
			s.end = w + bits.TrailingZeros64(nl)>>3
			return s
		}
	}
	s.end = len(data)
	return s
}

// firstThree returns a line's applicant, rank and post fields, trimmed,
// from its scan, when the line is of the usual kind: those columns among
// the first three, something other than a space first, no quotes
// (checked by the caller) and at least two commas. ok false sends the
// line to split.
func (rc rowColumns) firstThree(data []byte, start int, s *lineScan) (app, rank, post []byte, ok bool) {
	if s.n < 2 || rc.app > 2 || rc.rank > 2 || rc.post > 2 {
		return nil, nil, nil, false
	}
	if c := data[start]; c <= ' ' || c >= 0x80 {
		return nil, nil, nil, false
	}
	last := s.end
	if s.n == 3 {
		last = s.commas[2]
	} else {
		for last > s.commas[1]+1 && data[last-1] == '\r' {
			last--
		}
	}
	f := [3][]byte{data[start:s.commas[0]], data[s.commas[0]+1 : s.commas[1]], data[s.commas[1]+1 : last]}
	return trimSpace(f[rc.app]), trimSpace(f[rc.rank]), trimSpace(f[rc.post]), true
}

// zeroBytes returns a word with the high bit set in each byte of x that
// is zero, and no other bit.
func zeroBytes(x uint64) uint64 {
	const low7 = 0x7f7f7f7f7f7f7f7f
	return ^((x&low7 + low7) | x | low7)
}
