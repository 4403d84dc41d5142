package recruit

import (
	"encoding/binary"
	"slices"
	"strconv"
	"strings"
)

// sortIDs returns the indexes of ids in the order of matches.csv: as
// numbers when every id is a whole number (equal numbers by their text),
// otherwise byte by byte. It is a radix sort on eight bytes of key at a
// time; a comparison sort of a million strings spends most of its time
// waiting for the strings to come from memory.
func sortIDs(ids []string) []int32 {
	order := make([]int32, len(ids))
	for i := range order {
		order[i] = int32(i)
	}
	items := make([]keyed, len(ids))
	numeric := true
	for i, id := range ids {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			numeric = false
			break
		}
		items[i] = keyed{uint64(n) ^ 1<<63, int32(i)}
	}
	if !numeric {
		sortByBytes(ids, order, items, 0)
		return order
	}
	radixSort(items)
	for i, it := range items {
		order[i] = it.index
	}
	for i := 0; i < len(items); {
		j := i + 1
		for j < len(items) && items[j].key == items[i].key {
			j++
		}
		if j-i > 1 {
			slices.SortFunc(order[i:j], func(x, y int32) int { return strings.Compare(ids[x], ids[y]) })
		}
		i = j
	}
	return order
}

type keyed struct {
	key   uint64
	index int32
}

// sortByBytes sorts order, indexes of ids that agree in their first depth
// bytes, by the ids' bytes: by the next eight bytes with a radix sort,
// then each run that agrees in those too by the bytes after them.
func sortByBytes(ids []string, order []int32, items []keyed, depth int) {
	if len(order) <= 32 {
		slices.SortFunc(order, func(x, y int32) int { return strings.Compare(ids[x], ids[y]) })
		return
	}
	items = items[:len(order)]
	for i, a := range order {
		items[i] = keyed{eightBytes(ids[a], depth), a}
	}
	radixSort(items)
	for i, it := range items {
		order[i] = it.index
	}
	for i := 0; i < len(order); {
		j := i + 1
		for j < len(order) && items[j].key == items[i].key {
			j++
		}
		if j-i > 1 {
			longer := false
			for _, a := range order[i:j] {
				longer = longer || len(ids[a]) > depth+8
			}
			if longer {
				sortByBytes(ids, order[i:j], items[i:j], depth+8)
			} else {
				// They end within these bytes and differ only in length
				// or trailing zero bytes.
				slices.SortFunc(order[i:j], func(x, y int32) int { return strings.Compare(ids[x], ids[y]) })
			}
		}
		i = j
	}
}

// eightBytes is s[depth:depth+8] as a big-endian number, padded with zero
// bytes.
func eightBytes(s string, depth int) uint64 {
	if depth+8 <= len(s) {
		s = s[depth : depth+8]
		return uint64(s[0])<<56 | uint64(s[1])<<48 | uint64(s[2])<<40 | uint64(s[3])<<32 |
			uint64(s[4])<<24 | uint64(s[5])<<16 | uint64(s[6])<<8 | uint64(s[7])
	}
	var b [8]byte
	if depth < len(s) {
		copy(b[:], s[depth:])
	}
	return binary.BigEndian.Uint64(b[:])
}

// radixSort sorts items by key, keeping the order of equal keys: a byte
// at a time from the lowest, skipping bytes that all keys share.
func radixSort(items []keyed) {
	if len(items) < 2 {
		return
	}
	var counts [8][256]int
	for _, it := range items {
		for d := range 8 {
			counts[d][byte(it.key>>(8*d))]++
		}
	}
	tmp := make([]keyed, len(items))
	src, dst := items, tmp
	for d := range 8 {
		c := &counts[d]
		if c[byte(src[0].key>>(8*d))] == len(src) {
			continue
		}
		at := 0
		for v := range 256 {
			c[v], at = at, at+c[v]
		}
		for _, it := range src {
			v := byte(it.key >> (8 * d))
			dst[c[v]] = it
			c[v]++
		}
		src, dst = dst, src
	}
	if &src[0] != &items[0] {
		copy(items, src)
	}
}
