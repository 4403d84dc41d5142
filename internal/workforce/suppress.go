package workforce

import "slices"


// Small numbers. A count from 1 to Threshold-1 is never shown outside the
// employer's own staff: it reads "fewer than 5" (primary suppression).
// Because figures add up (a division's headcount is the sum of its role
// groups', a region's the sum of its bands'), a hidden count could still
// be worked out from the others; so other cells are withheld too
// (secondary suppression), and read "not shown": a number that may be
// anything, zero included.
//
// "Worked out" is judged as someone would who knows every equation
// between the figures and what the labels say: a "fewer than 5" cell is
// 1 to Threshold-1, a "not shown" one any count from 0. Bounds on each
// cell are tightened through every equation until none tightens further;
// a small count whose bounds meet is revealed. For each revealed cell,
// one cell in its equations is then withheld, giving away as little as
// possible: a "fewer than 5" beside it is relabelled "not shown" (four
// "fewer than 5" cells under a "fewer than 5" total are each 1, whatever
// else is hidden), else a visible zero, else the visible cell with the
// smallest count; and the bounds are worked out again, until no small
// count is revealed.

// DefaultThreshold is the smallest count shown outside an employer.
const DefaultThreshold = 5

// label is how a cell is published.
type label uint8

const (
	labelShown label = iota
	labelFewer
	labelWithheld
)

// equation says that a parent cell is the sum of its children.
type equation struct {
	parent   int32
	children []int32
}

// infinite stands for no upper bound.
const infinite = int64(1) << 40

// suppress labels each cell so that no count from 1 to threshold-1 can
// be worked out from the published cells and the equations.
func suppress(count []int32, eqs []equation, threshold int) []label {
	t := int32(threshold)
	labels := make([]label, len(count))
	any := false
	for i, c := range count {
		if c > 0 && c < t {
			labels[i], any = labelFewer, true
		}
	}
	if !any {
		return labels
	}
	// of lists the equations each cell is in.
	of := make([][]int32, len(count))
	for e := range eqs {
		of[eqs[e].parent] = append(of[eqs[e].parent], int32(e))
		for _, c := range eqs[e].children {
			of[c] = append(of[c], int32(e))
		}
	}
	for {
		pinned := revealed(count, labels, eqs, of, threshold)
		if len(pinned) == 0 {
			return labels
		}
		// One change for each revealed cell, but none for a cell that
		// shares an equation with a cell just changed: that may be
		// enough, and the next round will tell.
		touched := make(map[int32]bool)
	next:
		for _, x := range pinned {
			for _, e := range of[x] {
				if touched[e] {
					continue next
				}
			}
			y := withhold(count, labels, eqs, of, x)
			labels[y] = labelWithheld
			for _, e := range of[y] {
				touched[e] = true
			}
		}
	}
}

// withhold chooses the cell to withhold for a revealed cell x, among the
// cells of x's equations, giving away as little as it can: a "fewer than
// 5" other than x (relabelled "not shown", which hides no more numbers),
// else a visible zero, else the visible cell with the smallest count,
// else x itself. When every cell there is withheld already, it looks in
// the equations of those cells, and so on. Each choice is a cell not
// withheld before, so suppress ends.
func withhold(count []int32, labels []label, eqs []equation, of [][]int32, x int32) int32 {
	seen := map[int32]bool{x: true}
	frontier := []int32{x}
	for len(frontier) > 0 {
		best, zero, fewer := int32(-1), int32(-1), int32(-1)
		var next []int32
		for _, y := range frontier {
			for _, e := range of[y] {
				eq := &eqs[e]
				for i := -1; i < len(eq.children); i++ {
					c := eq.parent
					if i >= 0 {
						c = eq.children[i]
					}
					if seen[c] {
						continue
					}
					seen[c] = true
					switch labels[c] {
					case labelFewer:
						if fewer < 0 || count[c] > count[fewer] || count[c] == count[fewer] && c < fewer {
							fewer = c
						}
					case labelWithheld:
						next = append(next, c)
					default:
						switch {
						case count[c] == 0:
							if zero < 0 || c < zero {
								zero = c
							}
						case best < 0 || count[c] < count[best] || count[c] == count[best] && c < best:
							best = c
						}
					}
				}
			}
		}
		switch {
		case fewer >= 0:
			return fewer
		case best >= 0:
			return best
		case zero >= 0:
			return zero
		case labels[x] == labelFewer:
			return x
		}
		frontier = next
	}
	return x
}


// Bounds is what someone reading the figures knows of each cell: its
// lowest and highest possible count.
type bounds struct{ lo, hi []int64 }

// revealed returns the small counts that can be worked out. A larger
// hidden count worked out reveals nothing that could not be shown.
func revealed(count []int32, labels []label, eqs []equation, of [][]int32, threshold int) []int32 {
	b := tighten(count, labels, eqs, of, threshold)
	var out []int32
	for i, l := range labels {
		if l != labelShown && count[i] > 0 && int(count[i]) < threshold && b.lo[i] == b.hi[i] {
			out = append(out, int32(i))
		}
	}
	return out
}

// tighten works out the bounds on every cell from the labels and the
// equations, until no bound moves.
func tighten(count []int32, labels []label, eqs []equation, of [][]int32, threshold int) bounds {
	n := len(count)
	b := bounds{lo: make([]int64, n), hi: make([]int64, n)}
	var work []int32
	queued := make([]bool, len(eqs))
	for i := range n {
		switch labels[i] {
		case labelShown:
			b.lo[i], b.hi[i] = int64(count[i]), int64(count[i])
		case labelFewer:
			b.lo[i], b.hi[i] = 1, int64(threshold-1)
		default:
			b.lo[i], b.hi[i] = 0, infinite
		}
		if labels[i] != labelShown {
			for _, e := range of[i] {
				if !queued[e] {
					queued[e] = true
					work = append(work, e)
				}
			}
		}
	}
	changed := func(c int32, lo, hi int64) {
		if lo <= b.lo[c] && hi >= b.hi[c] {
			return
		}
		b.lo[c], b.hi[c] = max(lo, b.lo[c]), min(hi, b.hi[c])
		for _, e := range of[c] {
			if !queued[e] {
				queued[e] = true
				work = append(work, e)
			}
		}
	}
	// Bounds only narrow, and the counts hold them, so this ends; the
	// limit guards against a mistake that would make it run on.
	for steps := 0; len(work) > 0 && steps < 1000+100*len(eqs); steps++ {
		e := work[len(work)-1]
		work = work[:len(work)-1]
		queued[e] = false
		eq := &eqs[e]
		// The children's sums: lowest, and highest over those with a
		// highest (unbounded counts how many have none).
		var sumLo, sumHi int64
		unbounded := 0
		for _, c := range eq.children {
			sumLo += b.lo[c]
			if b.hi[c] >= infinite {
				unbounded++
			} else {
				sumHi += b.hi[c]
			}
		}
		p := eq.parent
		if unbounded > 0 {
			changed(p, sumLo, infinite)
		} else {
			changed(p, sumLo, sumHi)
		}
		for _, c := range eq.children {
			// The others' highest sum bounds this child from below.
			otherHi := infinite
			switch {
			case unbounded == 0:
				otherHi = sumHi - b.hi[c]
			case unbounded == 1 && b.hi[c] >= infinite:
				otherHi = sumHi
			}
			lo := int64(0)
			if otherHi < infinite && b.lo[p] > otherHi {
				lo = b.lo[p] - otherHi
			}
			hi := infinite
			if b.hi[p] < infinite {
				hi = b.hi[p] - (sumLo - b.lo[c])
			}
			changed(c, lo, hi)
		}
	}
	return b
}

// suppress labels a cube's cells.
func (m *Model) suppress(count []int32) []label {
	return suppress(count, m.eqs, m.Threshold)
}

// cubeEquations lists the equations of a model's cube: for each
// dimension and each node with children, at every combination of the
// other dimensions' nodes, the node's cell is the sum of its children's.
func (m *Model) cubeEquations() []equation {
	var eqs []equation
	for k := range numDims {
		for p, node := range m.Dims[k].Nodes {
			if len(node.Children) == 0 {
				continue
			}
			for cell := range m.cells {
				if cell/m.stride[k]%m.size[k] != p {
					continue
				}
				e := equation{parent: int32(cell), children: make([]int32, len(node.Children))}
				for i, c := range node.Children {
					e.children[i] = int32(cell + (c-p)*m.stride[k])
				}
				eqs = append(eqs, e)
			}
		}
	}
	return slices.Clip(eqs)
}
