package recruit

import (
	"encoding/binary"
	"hash/maphash"
)

// idTable gives ids (opaque byte strings) dense indexes 0, 1, 2… in the
// order they are added. It is an open-addressing hash table made for
// millions of ids: a slot is one word holding a tag from the id's hash and
// where the id sits in a single arena, so a lookup reads one slot and one
// arena entry, and an id costs no allocation of its own. Nothing about an
// id's shape is assumed: its bytes are hashed and compared whole.
type idTable struct {
	seed  maphash.Seed
	slots []uint64 // tag<<offsetBits | arena offset of the entry; 0 is empty
	arena []byte   // per id: its length and index (4 bytes each), then its bytes
	n     int
}

const (
	offsetBits  = 40 // arenas up to a terabyte
	offsetMask  = 1<<offsetBits - 1
	entryHeader = 8
)

// newIDTable makes a table sized for about expect ids; it grows as needed.
func newIDTable(seed maphash.Seed, expect int) *idTable {
	size := 16
	for size < 2*expect {
		size *= 2
	}
	// The arena starts with a byte that no entry uses, so that no slot in
	// use is 0.
	arena := make([]byte, 1, 1+expect*(entryHeader+16))
	return &idTable{seed: seed, slots: make([]uint64, size), arena: arena}
}

func (t *idTable) hash(id []byte) uint64 { return maphash.Bytes(t.seed, id) }

// len is the number of ids.
func (t *idTable) len() int { return t.n }

// find returns the index of id, whose hash is h.
func (t *idTable) find(h uint64, id []byte) (int32, bool) {
	mask := uint64(len(t.slots) - 1)
	tag := h >> offsetBits
	for i := h & mask; ; i = (i + 1) & mask {
		s := t.slots[i]
		if s == 0 {
			return 0, false
		}
		if s>>offsetBits == tag {
			if index, ok := t.entryIs(s&offsetMask, id); ok {
				return index, true
			}
		}
	}
}

// entryIs reports whether the entry at off holds id, and its index.
func (t *idTable) entryIs(off uint64, id []byte) (int32, bool) {
	e := t.arena[off:]
	if int(binary.LittleEndian.Uint32(e)) != len(id) || !sameBytes(e[entryHeader:entryHeader+len(id)], id) {
		return 0, false
	}
	return int32(binary.LittleEndian.Uint32(e[4:])), true
}

// sameBytes reports whether a and b, of the same length, are equal. Ids
// of 8 to 16 bytes, the usual kind, are compared as two words that may
// overlap, without a call.
func sameBytes(a, b []byte) bool {
	if n := len(b); n >= 8 && n <= 16 && len(a) == n {
		return (binary.LittleEndian.Uint64(a)^binary.LittleEndian.Uint64(b))|
			(binary.LittleEndian.Uint64(a[n-8:])^binary.LittleEndian.Uint64(b[n-8:])) == 0
	}
	return string(a) == string(b)
}

// add returns the index of id, whose hash is h, adding it if it is new.
func (t *idTable) add(h uint64, id []byte) (index int32, added bool) {
	mask := uint64(len(t.slots) - 1)
	tag := h >> offsetBits
	i := h & mask
	for ; ; i = (i + 1) & mask {
		s := t.slots[i]
		if s == 0 {
			break
		}
		if s>>offsetBits == tag {
			if index, ok := t.entryIs(s&offsetMask, id); ok {
				return index, false
			}
		}
	}
	index = int32(t.n)
	off := uint64(len(t.arena))
	t.arena = binary.LittleEndian.AppendUint32(t.arena, uint32(len(id)))
	t.arena = binary.LittleEndian.AppendUint32(t.arena, uint32(index))
	t.arena = append(t.arena, id...)
	t.slots[i] = tag<<offsetBits | off
	t.n++
	if 2*t.n > len(t.slots) {
		t.grow()
	}
	return index, true
}

// reserve makes room for about n ids of arena bytes in all, so that a
// table whose final size can be estimated early is not grown step by step.
func (t *idTable) reserve(n, bytes int) {
	if need := len(t.arena) + bytes + n*entryHeader; cap(t.arena) < need {
		t.arena = append(make([]byte, 0, need), t.arena...)
	}
	size := len(t.slots)
	for size < 2*n+2 {
		size *= 2
	}
	if size > len(t.slots) {
		t.rehash(size)
	}
}

// grow doubles the slots and places every id again.
func (t *idTable) grow() { t.rehash(2 * len(t.slots)) }

// rehash places every id again in size slots.
func (t *idTable) rehash(size int) {
	t.slots = make([]uint64, size)
	mask := uint64(len(t.slots) - 1)
	for off := 1; off < len(t.arena); {
		n := int(binary.LittleEndian.Uint32(t.arena[off:]))
		h := t.hash(t.arena[off+entryHeader : off+entryHeader+n])
		i := h & mask
		for t.slots[i] != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = h>>offsetBits<<offsetBits | uint64(off)
		off += entryHeader + n
	}
}

// warm reads the slots that the ids with hashes hs start from, and
// returns something of what it read so that the reads are not optimised
// away. Slots are scattered over memory far larger than the caches; these
// reads do not depend on each other, so the processor overlaps their
// waits, and the lookups that follow find the slots in cache.
func (t *idTable) warm(hs []uint64) uint64 {
	mask := uint64(len(t.slots) - 1)
	var sum uint64
	for _, h := range hs {
		sum += t.slots[h&mask]
	}
	return sum
}

// findBatch looks up many ids at once: out[i] is the index of ids[i]
// (whose hash is hs[i]), or -1. Reading every slot, then every arena
// entry, before comparing lets the cache misses of different ids overlap.
func (t *idTable) findBatch(hs []uint64, ids [][]byte, out []int32) {
	mask := uint64(len(t.slots) - 1)
	for i, h := range hs {
		out[i] = int32(t.slots[h&mask])
	}
	for i, h := range hs {
		if s := t.slots[h&mask]; s != 0 {
			out[i] = int32(t.arena[s&offsetMask])
		}
	}
	for i, h := range hs {
		index, ok := t.find(h, ids[i])
		if !ok {
			index = -1
		}
		out[i] = index
	}
}

// strings returns the ids as strings, by index, sharing one copy of the
// arena.
func (t *idTable) strings() []string {
	all := string(t.arena)
	out := make([]string, t.n)
	for off := 1; off < len(all); {
		n := int(binary.LittleEndian.Uint32(t.arena[off:]))
		index := binary.LittleEndian.Uint32(t.arena[off+4:])
		out[index] = all[off+entryHeader : off+entryHeader+n]
		off += entryHeader + n
	}
	return out
}

// renumber gives the ids new indexes in the order of their slots, and
// lays the arena out in that order too, so that looking up ids sorted by
// slot reads slots, arena and anything indexed by id from front to back.
// It returns each old index's new one.
func (t *idTable) renumber() []int32 {
	moved := make([]int32, t.n)
	arena := make([]byte, 1, len(t.arena))
	next := uint32(0)
	for i, s := range t.slots {
		if s == 0 {
			continue
		}
		e := t.arena[s&offsetMask:]
		n := binary.LittleEndian.Uint32(e)
		moved[binary.LittleEndian.Uint32(e[4:])] = int32(next)
		t.slots[i] = s&^offsetMask | uint64(len(arena))
		arena = binary.LittleEndian.AppendUint32(arena, n)
		arena = binary.LittleEndian.AppendUint32(arena, next)
		arena = append(arena, e[entryHeader:entryHeader+n]...)
		next++
	}
	t.arena = arena
	return moved
}

// slotBucket returns a function giving the bucket of an id's hash: its
// first slot's position, counted in runs of 512 slots. Ids sorted by
// bucket are looked up with the table read nearly in order.
func (t *idTable) slotBucket() (buckets int, bucket func(h uint64) int) {
	mask := uint64(len(t.slots) - 1)
	const shift = 9
	return (len(t.slots) + 1<<shift - 1) >> shift, func(h uint64) int { return int((h & mask) >> shift) }
}
