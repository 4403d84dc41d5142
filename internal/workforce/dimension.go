package workforce

import (
	"fmt"

	"hcs/internal/auth"
	"hcs/internal/framework"
)

// Dim is a dimension figures are broken down and filtered by.
type Dim int

const (
	DimRegion Dim = iota
	DimSpecialism
	DimLevel
	DimBand
	numDims
)

// Dims lists the dimensions in order.
var Dims = []Dim{DimRegion, DimSpecialism, DimLevel, DimBand}

// dimKeys are the dimensions' names in URLs and the API.
var dimKeys = [numDims]string{"region", "specialism", "level", "band"}

func (d Dim) String() string { return dimKeys[d] }

// ParseDim reads a dimension's name.
func ParseDim(s string) (Dim, bool) {
	for i, k := range dimKeys {
		if k == s {
			return Dim(i), true
		}
	}
	return 0, false
}

// Node is one value of a dimension: the whole (the root, node 0), a
// group (a division, a role group) or a leaf (a specialism, a band).
// Each node's figure is the sum of its children's.
type Node struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Parent   int    `json:"-"`
	Depth    int    `json:"depth"`
	Children []int  `json:"-"`
}

// Dimension is one dimension's tree of nodes, parents before children.
type Dimension struct {
	Dim Dim
	// Levels names each depth below the root: "Division", "Role group",
	// "Specialism".
	Levels []string
	Nodes  []Node
	byCode map[string]int
}

// Node returns the index of the node with a code; the root's code is "".
func (d *Dimension) Node(code string) (int, bool) {
	i, ok := d.byCode[code]
	return i, ok
}

// Under reports whether node n is node a or below it.
func (d *Dimension) Under(n, a int) bool {
	for ; n != 0; n = d.Nodes[n].Parent {
		if n == a {
			return true
		}
	}
	return a == 0
}

func (d *Dimension) add(code, name string, parent int) int {
	i := len(d.Nodes)
	depth := 0
	if i > 0 {
		depth = d.Nodes[parent].Depth + 1
		d.Nodes[parent].Children = append(d.Nodes[parent].Children, i)
	}
	d.Nodes = append(d.Nodes, Node{Code: code, Name: name, Parent: parent, Depth: depth})
	if d.byCode == nil {
		d.byCode = map[string]int{}
	}
	if _, dup := d.byCode[code]; dup {
		panic(fmt.Sprintf("workforce: %s has two nodes %q", d.Dim, code))
	}
	d.byCode[code] = i
	return i
}

// dimensions builds the four dimensions from the framework: regions;
// divisions, role groups and specialisms; career levels; AfC bands.
func dimensions(f *framework.Framework) [numDims]*Dimension {
	var ds [numDims]*Dimension
	r := &Dimension{Dim: DimRegion, Levels: []string{"Region"}}
	r.add("", "All regions", 0)
	for _, name := range auth.Regions {
		r.add(name, name, 0)
	}
	s := &Dimension{Dim: DimSpecialism, Levels: []string{"Division", "Role group", "Specialism"}}
	s.add("", "All specialisms", 0)
	for _, dv := range f.Divisions {
		di := s.add("division:"+dv.ID, dv.Name, 0)
		for _, rg := range dv.RoleGroups {
			ri := s.add("group:"+rg.ID, rg.Name, di)
			for _, sp := range f.CurrentSpecialisms() {
				if sp.RoleGroupID == rg.ID {
					s.add(sp.ID, sp.Name, ri)
				}
			}
		}
	}
	l := &Dimension{Dim: DimLevel, Levels: []string{"Career level"}}
	l.add("", "All levels", 0)
	for _, lv := range f.Levels {
		l.add(lv.ID, lv.Name, 0)
	}
	b := &Dimension{Dim: DimBand, Levels: []string{"Band"}}
	b.add("", "All bands", 0)
	for _, id := range framework.Bands() {
		b.add(id, "Band "+id, 0)
	}
	ds[DimRegion], ds[DimSpecialism], ds[DimLevel], ds[DimBand] = r, s, l, b
	return ds
}
