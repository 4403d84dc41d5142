package workforce

import (
	"slices"
	"sort"
)

// Small numbers. A count from 1 to Threshold-1 is never shown outside the
// employer's own staff: it reads "fewer than 5" (primary suppression).
// Because figures add up (a division's headcount is the sum of its role
// groups', a region's the sum of its bands'), a hidden count could still
// be worked out from the others; so other cells are withheld too
// (secondary suppression), and read "not shown": a number that may be
// anything, zero included.
//
// The figures are every combination of a node of each dimension (a
// lattice): each cell is the sum of the leaf cells below it. Someone who
// knows every equation between the published cells, and what the labels
// say (a "fewer than 5" cell is 1 to Threshold-1, a "not shown" one any
// count from 0), cannot work out a small count exactly if the published
// figures fit another set of leaf counts in which that count differs.
// For each small count x the suppression makes sure one does: it picks,
// in each dimension, a leaf a below x's node and, where x's node is not
// the whole, a partner leaf b outside it, and moves one person from the
// corners of the hypercube these span to the opposite corners (+1 on the
// cells with an even number of b's, -1 on the others). Every cell this
// changes (x among them) is then withheld, or relabelled "not shown"
// where the change takes a "fewer than 5" out of its range; of the
// hypercubes tried, the one that withholds the fewest people is chosen.
// Withholding more cells later never spoils such a move, so when every
// small count has its move, none can be worked out.
//
// The tests audit the result independently: bounds on every cell are
// tightened through every equation until none moves, and no small
// count's bounds may meet.

// DefaultThreshold is the smallest count shown outside an employer.
const DefaultThreshold = 5

// label is how a cell is published.
type label uint8

const (
	labelShown label = iota
	labelFewer
	labelWithheld
)

// lattice is every combination of one node of each dimension.
type lattice struct {
	dims   []*Dimension
	size   []int
	stride []int
	cells  int
	// leaves lists, for each dimension and node, the leaves below it (the
	// node itself when it is a leaf).
	leaves [][][]int
	// published says which cells are published: those that break down
	// at most MaxBreakdowns dimensions (the others' nodes are the whole).
	// The finer cells are not published, so they are unknowns to anyone
	// reading the figures, and need no label.
	published []bool
	// weight is what withholding a person in a cell costs: more the
	// coarser the cell, which more people read and which sums more.
	weight []int
}

// MaxBreakdowns is how many dimensions a published figure may narrow at
// once: a region, a specialism and a level, say, but not a band as well.
// Every combination of all four is too sparse to publish for a workforce
// of this size without withholding most of it.
const MaxBreakdowns = 3

func newLattice(dims []*Dimension) *lattice { return newLatticeNarrowing(dims, MaxBreakdowns) }

// newLatticeNarrowing is a lattice whose published cells narrow at most
// narrow dimensions.
func newLatticeNarrowing(dims []*Dimension, narrow int) *lattice {
	l := &lattice{dims: dims, size: make([]int, len(dims)), stride: make([]int, len(dims)), cells: 1}
	for k := len(dims) - 1; k >= 0; k-- {
		l.size[k] = len(dims[k].Nodes)
		l.stride[k] = l.cells
		l.cells *= l.size[k]
	}
	l.published, l.weight = make([]bool, l.cells), make([]int, l.cells)
	c := make([]int, len(dims))
	for cell := range l.cells {
		l.coords(cell, c)
		narrowed := 0
		for _, n := range c {
			if n != 0 {
				narrowed++
			}
		}
		l.published[cell] = narrowed <= narrow || len(dims) <= narrow
		l.weight[cell] = 1 << (2 * max(len(dims)-1-narrowed, 0))
		if narrowed == 0 {
			// The grand total: withheld only when nothing else will do.
			l.weight[cell] = 1 << 20
		}
	}
	l.leaves = make([][][]int, len(dims))
	for k, d := range dims {
		l.leaves[k] = make([][]int, len(d.Nodes))
		for n := len(d.Nodes) - 1; n >= 0; n-- {
			if len(d.Nodes[n].Children) == 0 {
				l.leaves[k][n] = []int{n}
			}
			if n > 0 {
				p := d.Nodes[n].Parent
				l.leaves[k][p] = append(l.leaves[k][p], l.leaves[k][n]...)
			}
		}
		for n := range l.leaves[k] {
			sort.Ints(l.leaves[k][n])
		}
	}
	return l
}

func (l *lattice) coords(cell int, c []int) {
	for k := range l.dims {
		c[k] = cell / l.stride[k] % l.size[k]
	}
}

// rollUp sums each dimension's groups from their children, deepest
// first, so that every cell holds the sum of the leaves below it.
func (l *lattice) rollUp(v []int32) {
	for k := range l.dims {
		nodes := l.dims[k].Nodes
		order := make([]int, 0, len(nodes))
		for i := range nodes {
			if i > 0 {
				order = append(order, i)
			}
		}
		sort.SliceStable(order, func(a, b int) bool { return nodes[order[a]].Depth > nodes[order[b]].Depth })
		outer := l.cells / (l.size[k] * l.stride[k])
		block := l.size[k] * l.stride[k]
		for _, c := range order {
			p := nodes[c].Parent
			for o := range outer {
				base := o * block
				src := v[base+c*l.stride[k] : base+(c+1)*l.stride[k]]
				dst := v[base+p*l.stride[k] : base+(p+1)*l.stride[k]]
				for j := range src {
					dst[j] += src[j]
				}
			}
		}
	}
}

// equations lists that each node with children is the sum of its
// children, at every combination of the other dimensions' nodes.
func (l *lattice) equations() []equation {
	var eqs []equation
	c := make([]int, len(l.dims))
	for cell := range l.cells {
		l.coords(cell, c)
		for k, d := range l.dims {
			node := d.Nodes[c[k]]
			if len(node.Children) == 0 {
				continue
			}
			e := equation{parent: int32(cell), children: make([]int32, len(node.Children))}
			for i, ch := range node.Children {
				e.children[i] = int32(cell + (ch-c[k])*l.stride[k])
			}
			eqs = append(eqs, e)
		}
	}
	return eqs
}

// equation says that a parent cell is the sum of its children.
type equation struct {
	parent   int32
	children []int32
}

// step is a node a move changes, and by how much (+1 or -1) in its
// dimension.
type step struct {
	node, sign int
}

// suppress labels each cell of a lattice so that no count from 1 to
// threshold-1 can be worked out from the published cells.
func (l *lattice) suppress(count []int32, threshold int) []label {
	return l.suppressWithin(count, nil, threshold)
}

// suppressWithin is suppress for counts that readers know cannot exceed
// upper, cell by cell (joiners, at most the headcount): no move takes a
// cell above its bound, for a reader would rule it out.
func (l *lattice) suppressWithin(count, upper []int32, threshold int) []label {
	t := int32(threshold)
	labels := make([]label, len(count))
	var small []int
	for i, c := range count {
		switch {
		case !l.published[i]:
			labels[i] = labelWithheld
		case c > 0 && c < t:
			labels[i] = labelFewer
			small = append(small, i)
		}
	}
	// The finest cells first: their moves often protect the sums above.
	c := make([]int, len(l.dims))
	depth := func(cell int) int {
		l.coords(cell, c)
		n := 0
		for k, d := range l.dims {
			n += d.Nodes[c[k]].Depth - len(l.dims[k].Levels)
		}
		return n
	}
	sort.SliceStable(small, func(i, j int) bool { return depth(small[i]) > depth(small[j]) })
	for _, x := range small {
		l.protect(count, upper, labels, x, threshold)
	}
	return labels
}

// partners is how many partner leaves protect tries in each dimension.
const partners = 6

// protect finds the cheapest move that changes cell x and withholds
// every cell it changes.
func (l *lattice) protect(count, upper []int32, labels []label, x, threshold int) {
	n := len(l.dims)
	cx := make([]int, n)
	l.coords(x, cx)
	// The leaf cell below x with the most people: the move takes one of
	// them (or adds one like them).
	leaf := make([]int, n)
	var most int32 = -1
	var visit func(k, base int, at []int)
	visit = func(k, base int, at []int) {
		if k == n {
			if count[base] > most {
				most = count[base]
				copy(leaf, at)
			}
			return
		}
		for _, lf := range l.leaves[k][cx[k]] {
			at[k] = lf
			visit(k+1, base+lf*l.stride[k], at)
		}
	}
	visit(0, 0, make([]int, n))
	// In each dimension, the moves to try: up the path from the leaf to
	// the root, or, where x's node is not the whole, across to a partner
	// leaf outside it, below their lowest common ancestor.
	type choice struct {
		up, down []step
	}
	options := make([][]choice, n)
	for k, d := range l.dims {
		cell := func(node int) int { return x + (node-cx[k])*l.stride[k] }
		a := leaf[k]
		// chain is the nodes from a leaf up to, and not including, an
		// ancestor; below -1, up to the root and including it.
		chain := func(from, below int) []step {
			var out []step
			for v := from; v != below; v = d.Nodes[v].Parent {
				out = append(out, step{node: v, sign: 1})
				if v == 0 {
					break
				}
			}
			return out
		}
		options[k] = []choice{{up: chain(a, -1)}}
		if cx[k] == 0 {
			// The whole dimension: the move may take the person from any
			// leaf; the leaves with the most people in x are likeliest to
			// have someone at every corner.
			others := slices.Clone(l.leaves[k][0])
			sort.SliceStable(others, func(i, j int) bool { return count[cell(others[i])] > count[cell(others[j])] })
			for _, o := range others {
				if len(options[k]) == partners {
					break
				}
				if o != a && count[cell(o)] > 0 {
					options[k] = append(options[k], choice{up: chain(o, -1)})
				}
			}
			continue
		}
		// The lowest ancestor of x's node with another child.
		lca := d.Nodes[cx[k]].Parent
		for lca != 0 && len(d.Nodes[lca].Children) == 1 {
			lca = d.Nodes[lca].Parent
		}
		if len(d.Nodes[lca].Children) == 1 {
			continue
		}
		var bs []int
		for _, leaf := range l.leaves[k][lca] {
			if !d.Under(leaf, cx[k]) {
				bs = append(bs, leaf)
			}
		}
		// The partners whose cells are cheapest to withhold: the three
		// with the fewest people (at least one, to give one up), and a
		// zero (which can take one).
		sort.SliceStable(bs, func(i, j int) bool { return count[cell(bs[i])] < count[cell(bs[j])] })
		var tryB []int
		room := func(b int) bool { return upper == nil || upper[cell(b)] > count[cell(b)] }
		if len(bs) > 0 && count[cell(bs[0])] == 0 && room(bs[0]) {
			tryB = append(tryB, bs[0])
		}
		// Under bounds, partners with room to take one, fewest first.
		for _, b := range bs {
			if upper != nil && len(tryB) < partners/2 && room(b) && !slices.Contains(tryB, b) {
				tryB = append(tryB, b)
			}
		}
		for _, b := range bs {
			if count[cell(b)] > 0 && len(tryB) < partners+1 && !slices.Contains(tryB, b) {
				tryB = append(tryB, b)
			}
		}
		bs = tryB
		up := chain(a, lca)
		for i := range bs {
			down := chain(bs[i], lca)
			for j := range down {
				down[j].sign = -1
			}
			options[k] = append(options[k], choice{up: up, down: down})
		}
		// The path to the root last: it changes the dimension's totals,
		// which a cheaper move found first spares.
		options[k] = append(options[k][1:], options[k][0])
	}
	t := int32(threshold)
	bestCost := -1
	var best []int32
	var bestSigns []int8
	pick := make([]int, n)
	type entry struct {
		off  int
		sign int8
	}
	lists := make([][]entry, n)
	idx := make([]int, n)
	var cells []int32
	var signs []int8
	// try costs the move for the choice picked in each dimension, in both
	// directions, and keeps it when it is the cheapest so far. It gives up
	// on a direction once it cannot be made or costs as much as the best.
	try := func() {
		for k := range n {
			ch := options[k][pick[k]]
			lists[k] = lists[k][:0]
			for _, st := range ch.up {
				lists[k] = append(lists[k], entry{st.node * l.stride[k], 1})
			}
			for _, st := range ch.down {
				lists[k] = append(lists[k], entry{st.node * l.stride[k], -1})
			}
			idx[k] = 0
		}
		cells, signs = cells[:0], signs[:0]
		var cost [2]int // for +1 and -1
		ok := [2]bool{true, true}
		for {
			z, sg := 0, int8(1)
			for k := range n {
				e := lists[k][idx[k]]
				z += e.off
				sg *= e.sign
			}
			cells, signs = append(cells, int32(z)), append(signs, sg)
			for d, dir := range [2]int8{1, -1} {
				if !ok[d] {
					continue
				}
				v := count[z] + int32(sg*dir)
				switch {
				case v < 0, upper != nil && v > upper[z]:
					ok[d] = false
				case !l.published[z]:
				case labels[z] == labelShown:
					cost[d] += (int(count[z]) + 1) * l.weight[z]
				case labels[z] == labelFewer && (v < 1 || v >= t):
					cost[d]++
				}
				if bestCost >= 0 && cost[d] >= bestCost {
					ok[d] = false
				}
			}
			if !ok[0] && !ok[1] {
				return
			}
			// The next combination, the last dimension fastest.
			k := n - 1
			for ; k >= 0; k-- {
				if idx[k]++; idx[k] < len(lists[k]) {
					break
				}
				idx[k] = 0
			}
			if k < 0 {
				break
			}
		}
		for d, dir := range [2]int8{1, -1} {
			if ok[d] && (bestCost < 0 || cost[d] < bestCost) {
				bestCost = cost[d]
				best = append(best[:0], cells...)
				bestSigns = bestSigns[:0]
				for _, sg := range signs {
					bestSigns = append(bestSigns, sg*dir)
				}
			}
		}
	}
	var choose func(k int)
	choose = func(k int) {
		if k == n {
			try()
			return
		}
		for i := range options[k] {
			pick[k] = i
			choose(k + 1)
			if bestCost == 0 {
				return
			}
		}
	}
	choose(0)
	if bestCost < 0 {
		// No move can be made, which the move taking one person up every
		// path to the root always can (it lowers counts, which no bound
		// forbids) unless x holds nobody: withhold the cells of x's
		// equations.
		for k := range l.dims {
			for _, ch := range l.dims[k].Nodes[cx[k]].Children {
				labels[x+(ch-cx[k])*l.stride[k]] = labelWithheld
			}
			if cx[k] != 0 {
				labels[x+(l.dims[k].Nodes[cx[k]].Parent-cx[k])*l.stride[k]] = labelWithheld
			}
		}
		return
	}
	for i, z := range best {
		v := count[z] + int32(bestSigns[i])
		if labels[z] == labelShown || labels[z] == labelFewer && (v < 1 || v >= t) {
			labels[z] = labelWithheld
		}
	}
}

// suppress labels a cube's cells.
func (m *Model) suppress(count []int32) []label {
	return m.lat.suppress(count, m.Threshold)
}
