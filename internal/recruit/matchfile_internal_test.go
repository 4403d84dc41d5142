package recruit

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"hash/maphash"
	"math"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// market is a generated match in the files' words.
type marketFiles struct{ posts, applicants, rankings string }

// genMarket writes a random valid market, varied the ways the files may
// be: column order, extra columns, quoted ids with commas, CRLF, blank
// lines, spaces, a byte-order mark, no final newline, rankings of people
// who did not apply.
func genMarket(rng *rand.Rand) marketFiles {
	nP, nA := 1+rng.IntN(6), rng.IntN(12)
	id := func(prefix string, i int) string {
		switch rng.IntN(4) {
		case 0:
			return fmt.Sprint(i + 1)
		case 1:
			return fmt.Sprintf("%s%05d", prefix, i)
		case 2:
			return fmt.Sprintf(`"%s, %d"`, prefix, i) // quoted, with a comma
		}
		return fmt.Sprintf("%s%c%d", prefix, 'a'+rng.IntN(26), i)
	}
	postIDs := make([]string, nP)
	for p := range postIDs {
		postIDs[p] = id("P", p)
	}
	appIDs := make([]string, nA)
	for a := range appIDs {
		appIDs[a] = id("A", a)
	}
	nl := "\n"
	if rng.IntN(3) == 0 {
		nl = "\r\n"
	}
	var posts, apps, ranks strings.Builder
	bom := ""
	if rng.IntN(4) == 0 {
		bom = "\ufeff"
	}
	posts.WriteString(bom + "post_id,capacity,site" + nl)
	for p := range nP {
		fmt.Fprintf(&posts, "%s,%d,x%s", postIDs[p], rng.IntN(3), nl)
	}
	blank := func(b *strings.Builder) {
		if rng.IntN(8) == 0 {
			b.WriteString("  " + nl)
		}
	}
	swapped := rng.IntN(2) == 0
	if swapped {
		apps.WriteString("rank,post_id,note,applicant_id" + nl)
	} else {
		apps.WriteString("applicant_id,rank,post_id" + nl)
	}
	ranks.WriteString("post_id,rank,applicant_id" + nl)
	type pr struct{ p, a int }
	var pairs []pr
	for a := range nA {
		perm := rng.Perm(nP)[:1+rng.IntN(nP)]
		for k, p := range perm {
			blank(&apps)
			if swapped {
				fmt.Fprintf(&apps, "%d, %s ,n,%s%s", 10*k-rng.IntN(5), postIDs[p], appIDs[a], nl)
			} else {
				fmt.Fprintf(&apps, "%s,%d,%s%s", appIDs[a], 10*k-rng.IntN(5), postIDs[p], nl)
			}
			if rng.IntN(4) > 0 {
				pairs = append(pairs, pr{p, a})
			}
		}
	}
	for p := range nP {
		pairs = append(pairs, pr{p, -1}) // someone who did not apply
	}
	rng.Shuffle(len(pairs), func(i, j int) { pairs[i], pairs[j] = pairs[j], pairs[i] })
	for i, x := range pairs {
		who := "nobody" + fmt.Sprint(x.p)
		if x.a >= 0 {
			who = appIDs[x.a]
		}
		blank(&ranks)
		fmt.Fprintf(&ranks, "%s,%d,%s%s", postIDs[x.p], 3*i-20, who, nl)
	}
	out := marketFiles{posts.String(), apps.String(), ranks.String()}
	if rng.IntN(3) == 0 {
		out.rankings = strings.TrimSuffix(out.rankings, nl)
	}
	return out
}

// breakMarket makes one fault, of a kind the reader must report.
func breakMarket(rng *rand.Rand, f marketFiles) marketFiles {
	lines := func(s string) []string { return strings.SplitAfter(s, "\n") }
	pick := func(ls []string) int { return 1 + rng.IntN(max(1, len(ls)-1)) }
	edit := func(s string, fn func(line string) string) string {
		ls := lines(s)
		for range 20 {
			if i := pick(ls); i < len(ls) && strings.TrimSpace(ls[i]) != "" {
				ls[i] = fn(ls[i])
				return strings.Join(ls, "")
			}
		}
		return s
	}
	dup := func(s string) string {
		ls := lines(s)
		i := pick(ls)
		if i >= len(ls) || !strings.HasSuffix(ls[i], "\n") {
			return s
		}
		j := 1 + rng.IntN(len(ls)-1)
		out := append([]string{}, ls[:j]...)
		out = append(out, ls[i])
		return strings.Join(append(out, ls[j:]...), "")
	}
	switch rng.IntN(9) {
	case 0:
		f.applicants = dup(f.applicants)
	case 1:
		f.rankings = dup(f.rankings)
	case 2:
		f.applicants = edit(f.applicants, func(l string) string { return strings.Replace(l, ",", ",x", 1) })
	case 3:
		f.rankings = edit(f.rankings, func(l string) string { return "Pnowhere" + l[strings.IndexByte(l, ','):] })
	case 4:
		f.rankings = edit(f.rankings, func(l string) string { return `"` + l })
	case 5:
		f.applicants = edit(f.applicants, func(l string) string { return strings.Replace(l, ",", ",99999999999", 1) })
	case 6:
		f.posts = dup(f.posts)
	case 7:
		f.applicants = edit(f.applicants, func(l string) string { return "," + l[strings.IndexByte(l, ',')+1:] })
	case 8:
		f.posts = edit(f.posts, func(l string) string { return strings.Replace(l, ",", ",-", 1) })
	}
	return f
}

func readBoth(t *testing.T, f marketFiles, chunk int) (got, want string) {
	t.Helper()
	src := func(name, s string) Source { return Source{Name: name, R: strings.NewReader(s), Size: int64(len(s))} }
	describe := func(in *MatchInput, err error) string {
		if err != nil {
			return "error: " + err.Error()
		}
		assign := in.Market.Match()
		var out bytes.Buffer
		if err := in.WriteMatches(&out, assign); err != nil {
			t.Fatal(err)
		}
		s := in.Summarise(assign, in.Market.Verify(assign))
		return fmt.Sprintf("%s%+v", out.String(), s)
	}
	defer func(old int) { readChunkSize = old }(readChunkSize)
	readChunkSize = chunk
	got = describe(ReadMatchInput(src("posts.csv", f.posts), src("applicants.csv", f.applicants), src("rankings.csv", f.rankings), nil))
	want = describe(refReadMatchInput(src("posts.csv", f.posts), src("applicants.csv", f.applicants), src("rankings.csv", f.rankings), nil))
	// The same files in memory, as hcs match maps them, read the same.
	// Each is copied to the front of a buffer with room after it, as a
	// mapping has up to the end of its last page. Each part is scribbled
	// over once it is said to be parsed: nothing may read it after that.
	inMemory := func(name, s string) Source {
		b := make([]byte, len(s), len(s)+4096)
		copy(b, s)
		for i := range b[len(s):cap(b)] {
			b[:cap(b)][len(s)+i] = "\n,\"x"[i%4]
		}
		scribble := func(part []byte) {
			for i := range part {
				part[i] = "x,\n"[i%3]
			}
		}
		return Source{Name: name, Data: b, Parsed: scribble}
	}
	if mapped := describe(ReadMatchInput(inMemory("posts.csv", f.posts), inMemory("applicants.csv", f.applicants), inMemory("rankings.csv", f.rankings), nil)); mapped != got {
		t.Fatalf("chunks of %d bytes: in memory\n%s\nread\n%s", chunk, mapped, got)
	}
	return got, want
}

// TestReaderAgreesWithOracle: on thousands of generated markets, valid
// or with one fault, read in chunks from a few bytes to the default, the
// reader accepts what the previous line-by-line reader accepted, with the
// same matches.csv and summary, and rejects what it rejected, with the
// same message.
func TestReaderAgreesWithOracle(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	faults := 0
	for i := range 2000 {
		f := genMarket(rng)
		if i%2 == 1 {
			f = breakMarket(rng, f)
		}
		chunk := []int{1, 7, 64, 300, 4 << 20}[i%5]
		got, want := readBoth(t, f, chunk)
		if strings.HasPrefix(want, "error") {
			faults++
		}
		if got != want {
			t.Fatalf("chunks of %d bytes:\n got %s\nwant %s\nposts:\n%s\napplicants:\n%s\nrankings:\n%s", chunk, got, want, f.posts, f.applicants, f.rankings)
		}
	}
	if faults < 600 {
		t.Errorf("only %d of 2000 markets were rejected: the faults are too gentle", faults)
	}
}

// TestReaderReportsEarliestLine: when chunks parsed by different workers
// each hold a bad line, the earliest is reported, whichever finishes
// first.
func TestReaderReportsEarliestLine(t *testing.T) {
	var apps strings.Builder
	apps.WriteString("applicant_id,rank,post_id\n")
	for i := range 2000 {
		switch i {
		case 700:
			fmt.Fprintf(&apps, "a%d,x,P1\n", i)
		case 1500:
			fmt.Fprintf(&apps, "a%d,1,P9\n", i)
		default:
			fmt.Fprintf(&apps, "a%d,1,P1\n", i)
		}
	}
	f := marketFiles{"post_id,capacity\nP1,1\n", apps.String(), "post_id,rank,applicant_id\nP1,1,a1\n"}
	for _, chunk := range []int{16, 256, 4096, 4 << 20} {
		got, want := readBoth(t, f, chunk)
		if got != want || !strings.Contains(got, "applicants.csv line 702: rank \"x\"") {
			t.Errorf("chunks of %d: got %s, want %s", chunk, got, want)
		}
	}
}

// TestReaderLineTooLong: lines of a mebibyte or more are refused, with
// their line number, at chunk boundaries or not, as before.
func TestReaderLineTooLong(t *testing.T) {
	long := strings.Repeat("x", maxLineLength)
	for _, f := range []marketFiles{
		{"post_id,capacity\nP1,1\n", "applicant_id,rank,post_id\na,1,P1\n" + long + "\n", "post_id,rank,applicant_id\nP1,1,a\n"},
		{"post_id,capacity\nP1,1\n", "applicant_id,rank,post_id\na,1,P1\n", "post_id,rank,applicant_id\n\nP1,1,a\n" + long},
		{"post_id,capacity\nP1,1\n", "applicant_id,rank,post_id\na,1,P1\n", "post_id,rank,applicant_id\nP1,1,a\n" + long[1:] + "\n"},
	} {
		for _, chunk := range []int{100, 4 << 20} {
			got, want := readBoth(t, f, chunk)
			if got != want {
				t.Errorf("chunks of %d: got %.200s, want %.200s", chunk, got, want)
			}
		}
	}
}

// TestIDTableCollisions: ids whose hashes are equal (so they share a
// first slot and a tag) are told apart by their bytes, also after the
// table is renumbered.
func TestIDTableCollisions(t *testing.T) {
	tb := newIDTable(maphash.MakeSeed(), 64)
	ids := []string{"A1", "A2", "A10", "", "a much longer id than the others"}
	for i, id := range ids {
		if got, added := tb.add(42, []byte(id)); !added || got != int32(i) {
			t.Fatalf("add %q: %d %v", id, got, added)
		}
	}
	if got, added := tb.add(42, []byte("A2")); added || got != 1 {
		t.Fatalf("adding A2 again: %d %v", got, added)
	}
	for i, id := range ids {
		if got, ok := tb.find(42, []byte(id)); !ok || got != int32(i) {
			t.Errorf("find %q: %d %v", id, got, ok)
		}
	}
	if _, ok := tb.find(42, []byte("A3")); ok {
		t.Error("found an id never added that collides with the others")
	}
	out := make([]int32, 2)
	tb.findBatch([]uint64{42, 42}, [][]byte{[]byte("A10"), []byte("A11")}, out)
	if out[0] != 2 || out[1] != -1 {
		t.Errorf("findBatch: %v", out)
	}
	moved := tb.renumber()
	strs := tb.strings()
	for i, id := range ids {
		if got, ok := tb.find(42, []byte(id)); !ok || got != moved[i] || strs[got] != id {
			t.Errorf("after renumbering, find %q: %d %v (moved to %d)", id, got, ok, moved[i])
		}
	}
}

// TestIDTableGrows: a table made small holds many ids after growing,
// with real hashes.
// TestIDTableGrows: ids stay findable as the table grows, and when room
// is reserved part way through, too little or too much.
func TestIDTableGrows(t *testing.T) {
	for _, reserve := range []int{0, 100, 5000, 20000} {
		tb := newIDTable(maphash.MakeSeed(), 1)
		for i := range 5000 {
			if i == 700 && reserve > 0 {
				tb.reserve(reserve, 6*reserve)
			}
			id := []byte(fmt.Sprintf("id-%d", i))
			tb.add(tb.hash(id), id)
		}
		for i := range 5000 {
			id := []byte(fmt.Sprintf("id-%d", i))
			if got, ok := tb.find(tb.hash(id), id); !ok || got != int32(i) {
				t.Fatalf("reserve %d: find %s: %d %v", reserve, id, got, ok)
			}
		}
		if _, ok := tb.find(tb.hash([]byte("id-5000")), []byte("id-5000")); ok {
			t.Fatalf("reserve %d: found an id never added", reserve)
		}
	}
}

// TestSortIDs: matches.csv's order, byte by byte or by number, including
// ids that share long prefixes, differ only in length, or hold zero bytes.
func TestSortIDs(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		n := rng.IntN(200)
		seen := map[string]bool{}
		var ids []string
		numeric := round%3 == 0
		for len(ids) < n {
			var id string
			if numeric {
				id = fmt.Sprint(rng.IntN(1000) - 500)
				if rng.IntN(5) == 0 && id[0] != '-' {
					id = "+" + id
				}
				if rng.IntN(5) == 0 {
					id = "00" + strings.TrimLeft(id, "+-")
				}
			} else {
				b := []byte("NHSCS-2026-")[:rng.IntN(12)]
				for range rng.IntN(12) {
					b = append(b, "ab\x00z"[rng.IntN(4)])
				}
				id = string(b)
			}
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		order := sortIDs(ids)
		for i := 1; i < len(order); i++ {
			x, y := ids[order[i-1]], ids[order[i]]
			if refLess(y, x, numeric) {
				t.Fatalf("%q sorted before %q (numeric %v)", x, y, numeric)
			}
		}
	}
}

func refLess(x, y string, numeric bool) bool {
	if numeric {
		a, _ := strconv.ParseInt(x, 10, 64)
		b, _ := strconv.ParseInt(y, 10, 64)
		if a != b {
			return a < b
		}
	}
	return x < y
}

// sameBytes must see a difference in any byte, at every length, including
// the middle bytes that the two overlapping words of an id of 8 to 16
// bytes share or skip.
func TestSameBytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for n := 0; n <= 24; n++ {
		a := make([]byte, n)
		for i := range a {
			a[i] = byte('A' + rng.IntN(26))
		}
		if !sameBytes(a, bytes.Clone(a)) {
			t.Fatalf("%q: not equal to itself", a)
		}
		for i := range n {
			b := bytes.Clone(a)
			b[i] ^= 1 << rng.IntN(8)
			if sameBytes(a, b) || sameBytes(b, a) {
				t.Fatalf("%q and %q: equal, but byte %d differs", a, b, i)
			}
		}
	}
}

// mayNeedQuotes must find a comma, quote or line break at any place in
// ids of every length, as a byte-by-byte scan does.
func TestMayNeedQuotes(t *testing.T) {
	slow := func(s string) bool {
		if s == "" {
			return false
		}
		if c := s[0]; c <= ' ' || c >= 0x80 || s == `\.` {
			return true
		}
		return strings.ContainsAny(s, ",\"\r\n")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	const alphabet = "AZaz09,\"\r\n +-\x80\xff\\."
	for range 20000 {
		b := make([]byte, rng.IntN(30))
		for i := range b {
			if rng.IntN(8) == 0 {
				b[i] = alphabet[rng.IntN(len(alphabet))]
			} else {
				b[i] = byte('A' + rng.IntN(26))
			}
		}
		if got, want := mayNeedQuotes(string(b)), slow(string(b)); got != want {
			t.Fatalf("mayNeedQuotes(%q) = %v, want %v", b, got, want)
		}
	}
}

// TestReaderAgreesWithOracleSortedLookups: the lookups sorted by slot,
// which only large tables of applicants take, give what the previous
// reader gave too.
func TestReaderAgreesWithOracleSortedLookups(t *testing.T) {
	defer func(old int) { sortLookupsAbove = old }(sortLookupsAbove)
	sortLookupsAbove = 0
	rng := rand.New(rand.NewPCG(13, 17))
	for i := range 600 {
		f := genMarket(rng)
		if i%2 == 1 {
			f = breakMarket(rng, f)
		}
		chunk := []int{1, 7, 64, 300, 4 << 20}[i%5]
		if got, want := readBoth(t, f, chunk); got != want {
			t.Fatalf("chunks of %d bytes:\n got %s\nwant %s\nposts:\n%s\napplicants:\n%s\nrankings:\n%s", chunk, got, want, f.posts, f.applicants, f.rankings)
		}
	}
}

// TestRepeatedRanksEitherKey: a post that gives a rank twice is found
// among a thousand posts (several to a bucket), whether the ranks span
// little, so that a pair fits a 4-byte key, or the whole int32 range, so
// that it takes 8 bytes; and only that post is named, as the previous
// reader named it.
func TestRepeatedRanksEitherKey(t *testing.T) {
	const nP, nA = 1000, 300
	for _, span := range []struct {
		name     string
		low, top int
	}{{"small ranks", 1, 9}, {"any int32", math.MinInt32, math.MaxInt32}} {
		for _, repeat := range []int{-1, 0, 3, 517, nP - 1} {
			rng := rand.New(rand.NewPCG(uint64(repeat+2), 29))
			var posts, apps, ranks strings.Builder
			posts.WriteString("post_id,capacity\n")
			for p := range nP {
				fmt.Fprintf(&posts, "P%d,1\n", p)
			}
			apps.WriteString("applicant_id,rank,post_id\n")
			ranks.WriteString("post_id,rank,applicant_id\n")
			for a := range nA {
				fmt.Fprintf(&apps, "A%d,1,P%d\n", a, a%nP)
			}
			for p := range nP {
				// Each post ranks three people with ranks far apart: the
				// lowest, the highest and one between.
				r := []int{span.low, span.low + (span.top-span.low)/2, span.top}
				if p == repeat {
					r[2] = r[0]
				}
				for k, x := range r {
					fmt.Fprintf(&ranks, "P%d,%d,A%d\n", p, x, (p+k*nA/3+rng.IntN(7))%nA)
				}
			}
			f := marketFiles{posts.String(), apps.String(), ranks.String()}
			got, want := readBoth(t, f, 4<<20)
			if got != want {
				t.Fatalf("%s, repeat at post %d:\n got %.300s\nwant %.300s", span.name, repeat, got, want)
			}
			if wantErr := fmt.Sprintf(`post "P%d" gives rank`, repeat); repeat >= 0 != strings.Contains(got, wantErr) {
				t.Errorf("%s, repeat at post %d: got %.300s", span.name, repeat, got)
			}
		}
	}
}

// TestWriteMatchesInParts: matches.csv written by several CPUs, each its
// own part, is the file written line by line with encoding/csv, quoted
// ids and all, whichever part they fall in.
func TestWriteMatchesInParts(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	rng := rand.New(rand.NewPCG(19, 23))
	in := &MatchInput{PostIDs: []string{"P1", "P,2", "P3"}}
	for i := range 9000 {
		id := fmt.Sprintf("a%05d", i)
		if rng.IntN(50) == 0 {
			id = []string{"x,", `"q"`, " s", "r\r"}[rng.IntN(4)] + id
		}
		in.ApplicantIDs = append(in.ApplicantIDs, id)
	}
	assign := make([]int32, len(in.ApplicantIDs))
	for a := range assign {
		assign[a] = int32(rng.IntN(len(in.PostIDs)+1)) - 1
	}
	var want bytes.Buffer
	cw := csv.NewWriter(&want)
	cw.Write([]string{"applicant_id", "post_id"})
	for _, a := range sortIDs(in.ApplicantIDs) {
		post := ""
		if p := assign[a]; p != Unmatched {
			post = in.PostIDs[p]
		}
		cw.Write([]string{in.ApplicantIDs[a], post})
	}
	cw.Flush()
	var got bytes.Buffer
	if err := in.WriteMatches(&got, assign); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Fatalf("matches.csv differs from encoding/csv's (%d bytes, want %d)", got.Len(), want.Len())
	}
}
