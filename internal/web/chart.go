package web

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// Charts are SVG written here, inline in the page: no script, no
// library, no request, readable without JavaScript and printable. Each
// one has a title and description (role="img"), axis labels with units
// and a legend; the page puts the table of the same figures beside it.

// series is one set of bars (declared, detected).
type series struct {
	Name   string
	Class  string     // CSS class giving the colour: declared or detected
	Values []*float64 // one per category; nil: no figure
}

// barChart is a grouped bar chart of shares (0 to 1).
type barChart struct {
	ID         string
	Title      string
	Desc       string
	XLabel     string // vertical charts: the categories' axis
	YLabel     string // the values' axis, with its unit
	Categories []string
	Series     []series
}

func (c barChart) legend() string {
	var b strings.Builder
	b.WriteString(`<ul class="legend" aria-hidden="true">`)
	for _, s := range c.Series {
		fmt.Fprintf(&b, `<li><span class="swatch %s"></span>%s</li>`, s.Class, esc(s.Name))
	}
	b.WriteString(`</ul>`)
	return b.String()
}

// niceMax rounds the largest share up to a readable axis end.
func niceMax(ss []series) float64 {
	m := 0.0
	for _, s := range ss {
		for _, v := range s.Values {
			if v != nil && *v > m {
				m = *v
			}
		}
	}
	for _, step := range []float64{0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1} {
		if m <= step {
			return step
		}
	}
	return math.Ceil(m)
}

func pct(v float64) string {
	s := fmt.Sprintf("%.1f", v*100)
	s = strings.TrimSuffix(s, ".0")
	return strings.Replace(s, ".", ",", 1) + "\u00a0%"
}

func esc(s string) string { return template.HTMLEscapeString(s) }

// Vertical renders the chart with the categories along the bottom.
func (c barChart) Vertical() template.HTML {
	const w, h, left, right, top, bottom = 440.0, 260.0, 60.0, 8.0, 12.0, 50.0
	plotW, plotH := w-left-right, h-top-bottom
	max := niceMax(c.Series)
	var b strings.Builder
	fmt.Fprintf(&b, `<figure class="chart" id="%s"><figcaption>%s</figcaption>`, c.ID, esc(c.Title))
	fmt.Fprintf(&b, `<svg viewBox="0 0 %g %g" role="img" aria-labelledby="%s-t %s-d" xmlns="http://www.w3.org/2000/svg">`, w, h, c.ID, c.ID)
	fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, c.ID, esc(c.Title), c.ID, esc(c.Desc))
	for i := 0; i <= 4; i++ {
		v := max * float64(i) / 4
		y := top + plotH - plotH*float64(i)/4
		fmt.Fprintf(&b, `<line class="grid" x1="%g" x2="%g" y1="%.1f" y2="%.1f"/>`, left, w-right, y, y)
		fmt.Fprintf(&b, `<text class="tick" x="%g" y="%.1f" text-anchor="end">%s</text>`, left-6, y+4, pct(v))
	}
	fmt.Fprintf(&b, `<text class="axis" transform="translate(14 %.1f) rotate(-90)" text-anchor="middle">%s</text>`, top+plotH/2, esc(c.YLabel))
	fmt.Fprintf(&b, `<text class="axis" x="%.1f" y="%g" text-anchor="middle">%s</text>`, left+plotW/2, h-6, esc(c.XLabel))
	n := len(c.Categories)
	if n > 0 {
		band := plotW / float64(n)
		ns := float64(len(c.Series))
		bw := math.Min(28, band*0.8/ns)
		every := 1
		if n > 12 {
			every = (n + 11) / 12
		}
		for i, cat := range c.Categories {
			x0 := left + band*float64(i) + (band-bw*ns)/2
			for j, s := range c.Series {
				v := s.Values[i]
				if v == nil {
					continue
				}
				bh := plotH * math.Min(*v, max) / max
				fmt.Fprintf(&b, `<rect class="%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s %s : %s</title></rect>`,
					s.Class, x0+bw*float64(j), top+plotH-bh, bw, bh, esc(cat), esc(s.Name), pct(*v))
			}
			if i%every == 0 {
				fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%g" text-anchor="middle">%s</text>`, left+band*(float64(i)+0.5), top+plotH+18, esc(label(cat)))
			}
		}
	}
	fmt.Fprintf(&b, `<line class="axisline" x1="%g" x2="%g" y1="%g" y2="%g"/>`, left, w-right, top+plotH, top+plotH)
	b.WriteString(`</svg>`)
	b.WriteString(c.legend())
	b.WriteString(`</figure>`)
	return template.HTML(b.String())
}

// Horizontal renders one band per category, its name above its bars:
// long names (procedures) stay readable on a phone.
func (c barChart) Horizontal() template.HTML {
	const w, left, right, top, labelH, barH, gap = 440.0, 16.0, 56.0, 8.0, 18.0, 12.0, 10.0
	ns := float64(len(c.Series))
	bandH := labelH + barH*ns + gap
	plotW := w - left - right
	h := top + bandH*float64(len(c.Categories)) + 44
	max := niceMax(c.Series)
	var b strings.Builder
	fmt.Fprintf(&b, `<figure class="chart" id="%s"><figcaption>%s</figcaption>`, c.ID, esc(c.Title))
	fmt.Fprintf(&b, `<svg viewBox="0 0 %g %.0f" role="img" aria-labelledby="%s-t %s-d" xmlns="http://www.w3.org/2000/svg">`, w, h, c.ID, c.ID)
	fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, c.ID, esc(c.Title), c.ID, esc(c.Desc))
	axisY := top + bandH*float64(len(c.Categories))
	for i := 0; i <= 4; i++ {
		x := left + plotW*float64(i)/4
		fmt.Fprintf(&b, `<line class="grid" x1="%.1f" x2="%.1f" y1="%g" y2="%.1f"/>`, x, x, top, axisY)
		fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x, axisY+16, pct(max*float64(i)/4))
	}
	fmt.Fprintf(&b, `<text class="axis" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, left+plotW/2, axisY+38, esc(c.YLabel))
	for i, cat := range c.Categories {
		y := top + bandH*float64(i)
		fmt.Fprintf(&b, `<text class="cat" x="%g" y="%.1f">%s</text>`, left, y+labelH-5, esc(label(cat)))
		for j, s := range c.Series {
			v := s.Values[i]
			by := y + labelH + barH*float64(j)
			if v == nil {
				fmt.Fprintf(&b, `<text class="tick" x="%g" y="%.1f">n.d.</text>`, left+2, by+barH-2)
				continue
			}
			bw := plotW * math.Min(*v, max) / max
			fmt.Fprintf(&b, `<rect class="%s" x="%g" y="%.1f" width="%.1f" height="%g"><title>%s %s : %s</title></rect>`,
				s.Class, left, by, bw, barH-1, esc(label(cat)), esc(s.Name), pct(*v))
			fmt.Fprintf(&b, `<text class="val" x="%.1f" y="%.1f">%s</text>`, left+bw+4, by+barH-2, pct(*v))
		}
	}
	b.WriteString(`</svg>`)
	b.WriteString(c.legend())
	b.WriteString(`</figure>`)
	return template.HTML(b.String())
}
