package web

import (
	"strconv"
	"strings"
)

// Charts are SVG drawn on the server from the same figures as the table
// beside them: no script, an accessible name (title) and description
// (desc), and every number in the table, not only in the picture.

// barChart is a horizontal bar chart, one bar per row.
type barChart struct {
	ID, Title, Desc string
	Width, Height   int
	// LabelWidth is the space for the rows' names left of the bars.
	LabelWidth int
	Bars       []chartBar
	Ticks      []chartTick
}

type chartBar struct {
	Label string
	// Value is shown after the bar: a number, or why there is none.
	Value       string
	Y, W        int
	TextY, ValX int
}

type chartTick struct {
	X, Y   int
	Label  string
	Length int
}

const (
	barRow    = 26
	barHeight = 18
	barArea   = 360
	barTop    = 8
)

// niceMax rounds a maximum up to a round number for an axis: 1, 2 or 5
// times a power of ten.
func niceMax(v int) int {
	if v <= 0 {
		return 1
	}
	p := 1
	for p*10 <= v {
		p *= 10
	}
	for _, m := range []int{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

// newBarChart lays out bars for values; a row whose value is nil has no
// bar and shows its note.
func newBarChart(id, title, desc string, labels []string, values []*int, notes []string) barChart {
	c := barChart{ID: id, Title: title, Desc: desc, LabelWidth: 250}
	top := 0
	for _, v := range values {
		if v != nil {
			top = max(top, *v)
		}
	}
	scale := niceMax(top)
	for i, l := range labels {
		b := chartBar{Label: truncate(l, 34), Y: barTop + i*barRow}
		b.TextY = b.Y + barHeight/2 + 5
		if values[i] != nil {
			b.W = *values[i] * barArea / scale
			b.Value = formatCount(*values[i])
		} else {
			b.Value = notes[i]
		}
		b.ValX = c.LabelWidth + b.W + 6
		c.Bars = append(c.Bars, b)
	}
	c.Height = barTop + len(labels)*barRow + 30
	c.Width = c.LabelWidth + barArea + 110
	for i := 0; i <= 4; i++ {
		x := c.LabelWidth + i*barArea/4
		c.Ticks = append(c.Ticks, chartTick{X: x, Y: c.Height - 10, Label: formatCount(scale * i / 4), Length: c.Height - 30})
	}
	return c
}

// lineChart is one or more series over time, on one scale.
type lineChart struct {
	ID, Title, Desc string
	Width, Height   int
	Series          []lineSeries
	XTicks          []chartTick
	YTicks          []chartTick
	Left            int
	Bottom          int
	Right           int
}

// lineSeries is one line: its runs of points with a figure (a hidden
// figure breaks the line), drawn dashed after the first.
type lineSeries struct {
	Segments []string
	Points   []chartPoint
	Dashed   bool
}

type chartPoint struct{ X, Y int }

func newLineChart(id, title, desc string, dates []string, series ...[]*int) lineChart {
	c := lineChart{ID: id, Title: title, Desc: desc, Width: 720, Height: 260, Left: 70, Bottom: 220, Right: 700}
	top := 0
	for _, values := range series {
		for _, v := range values {
			if v != nil {
				top = max(top, *v)
			}
		}
	}
	scale := niceMax(top)
	n := len(dates)
	x := func(i int) int {
		if n <= 1 {
			return c.Left
		}
		return c.Left + i*(c.Right-c.Left)/(n-1)
	}
	for si, values := range series {
		ls := lineSeries{Dashed: si > 0}
		var run []string
		flush := func() {
			if len(run) > 1 {
				ls.Segments = append(ls.Segments, strings.Join(run, " "))
			}
			run = nil
		}
		for i, v := range values {
			if v == nil {
				flush()
				continue
			}
			y := c.Bottom - *v*(c.Bottom-20)/scale
			run = append(run, strconv.Itoa(x(i))+","+strconv.Itoa(y))
			ls.Points = append(ls.Points, chartPoint{X: x(i), Y: y})
		}
		flush()
		c.Series = append(c.Series, ls)
	}
	for i := 0; i <= 4; i++ {
		y := c.Bottom - i*(c.Bottom-20)/4
		c.YTicks = append(c.YTicks, chartTick{X: c.Left - 8, Y: y + 5, Label: formatCount(scale * i / 4), Length: c.Right - c.Left})
	}
	// One tick a year, at its last point shown.
	for i, d := range dates {
		if i == len(dates)-1 || dates[i+1][:4] != d[:4] {
			c.XTicks = append(c.XTicks, chartTick{X: x(i), Y: c.Bottom + 20, Label: d[:4]})
		}
	}
	return c
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// formatCount writes a count with thousands separated: 12,345.
func formatCount(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + formatCount(-n)
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
