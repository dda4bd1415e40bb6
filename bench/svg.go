package bench

import (
	"fmt"
	"html"
	"io"
	"math"
	"strings"
	"time"
)

// Chart geometry, in SVG user units: a 2×2 grid of panels, one per strategy.
const (
	svgW              = 1000
	panelW, panelH    = 400, 250 // plot area of one panel
	gridL, gridT      = 70, 130  // first panel's plot area
	gapX, gapY        = 90, 110  // between plot areas
	percentileDecades = 4        // x axis: 0% to 99.99%
)

var seriesColors = map[string]string{
	ColJWT: "#1f77b4", ColSession: "#2ca02c", ColSessionNoCache: "#d62728", ColHybrid: "#9467bd",
}

// WriteSVG writes latency.svg: one panel per strategy with its request latency by percentile
// (solid) and the bare handler's measured in the segments alternating with it (dashed), on
// shared log-log axes (x: percentile as 1/(1-q), y: latency).
func WriteSVG(w io.Writer, r *Result) error {
	var panels []StrategyResult
	lo, hi := math.Inf(1), 0.0
	for _, s := range r.Strategies {
		if s.HTTP == nil || len(s.HTTP.Authgate.Latency.Curve) == 0 {
			continue
		}
		panels = append(panels, s)
		for _, l := range []Latency{s.HTTP.Authgate.Latency, s.HTTP.Bare.Latency} {
			for _, v := range l.Curve {
				us := max(float64(v)/1e3, 0.001)
				lo, hi = math.Min(lo, us), math.Max(hi, us)
			}
		}
	}
	if len(panels) == 0 {
		lo, hi = 1, 10
	}
	yLo, yHi := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	if yHi <= yLo {
		yHi = yLo + 1
	}
	rows := (len(panels) + 1) / 2
	svgH := gridT + rows*panelH + (rows-1)*gapY + 70

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", svgW, svgH, svgW, svgH)
	b.WriteString(`<rect width="100%" height="100%" fill="#ffffff"/>` + "\n")
	fmt.Fprintf(&b, `<text x="%d" y="26" font-size="17" font-weight="bold">%s</text>`+"\n", gridL,
		esc(fmt.Sprintf("authgate bench: request latency by percentile, %d connections over loopback HTTP", r.Setup.Concurrency)))
	fmt.Fprintf(&b, `<text x="%d" y="46" fill="#444">%s</text>`+"\n", gridL, esc(machineLine(r)))
	fmt.Fprintf(&b, `<text x="%d" y="64" fill="#444">%s</text>`+"\n", gridL,
		esc("Solid: authgate. Dashed: the bare net/http handler, same request and response bytes, in the segments alternating with it."))

	for i, s := range panels {
		left := gridL + (i%2)*(panelW+gapX)
		top := gridT + (i/2)*(panelH+gapY)
		p := panel{left: float64(left), top: float64(top), yLo: yLo, yHi: yHi}
		p.axes(&b)
		color := seriesColors[s.Name]
		p.line(&b, s.HTTP.Bare.Latency, "#666666", "5 4")
		p.line(&b, s.HTTP.Authgate.Latency, color, "")
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="14" font-weight="bold" fill="%s">%s</text>`+"\n", left, top-30, color, esc(columnTitle(s.Name, r.Setup.Store)))
		a, bare := s.HTTP.Authgate.Latency, s.HTTP.Bare.Latency
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" fill="#333">%s</text>`+"\n", left, top-14,
			esc(fmt.Sprintf("p50 %s · p99 %s · p99.9 %s   (bare: %s · %s · %s)", fmtDur(time.Duration(a.P50)), fmtDur(time.Duration(a.P99)),
				fmtDur(time.Duration(a.P999)), fmtDur(time.Duration(bare.P50)), fmtDur(time.Duration(bare.P99)), fmtDur(time.Duration(bare.P999)))))
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#333" text-anchor="middle">percentile of requests (log scale of 1/(1-q))</text>`+"\n", svgW/2, svgH-22)
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// panel is one plot area.
type panel struct {
	left, top float64
	yLo, yHi  float64 // log10 of the y range in µs
}

func (p panel) x(pct float64) float64 {
	v := math.Log10(1 / math.Max(1-pct/100, math.Pow(10, -percentileDecades)))
	return p.left + panelW*v/percentileDecades
}

func (p panel) y(us float64) float64 {
	return p.top + panelH - panelH*(math.Log10(math.Max(us, 0.001))-p.yLo)/(p.yHi-p.yLo)
}

func (p panel) axes(b *strings.Builder) {
	right, bottom := p.left+panelW, p.top+panelH
	for e := p.yLo; e <= p.yHi; e++ {
		for _, m := range []float64{1, 2, 5} {
			us := m * math.Pow(10, e)
			if math.Log10(us) > p.yHi+1e-9 {
				break
			}
			yy := p.y(us)
			stroke := "#eeeeee"
			if m == 1 {
				stroke = "#cccccc"
			}
			fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s"/>`+"\n", p.left, yy, right, yy, stroke)
			fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="end" dominant-baseline="middle" fill="#333" font-size="11">%s</text>`+"\n",
				p.left-5, yy, tickLabel(us))
		}
	}
	for _, t := range []struct {
		p     float64
		label string
	}{{0, "0%"}, {50, "50%"}, {90, "90%"}, {99, "99%"}, {99.9, "99.9%"}, {99.99, "99.99%"}} {
		xx := p.x(t.p)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#cccccc"/>`+"\n", xx, p.top, xx, bottom)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#333" font-size="11">%s</text>`+"\n", xx, bottom+15, t.label)
	}
	fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%d" height="%d" fill="none" stroke="#888888"/>`+"\n", p.left, p.top, panelW, panelH)
}

func (p panel) line(b *strings.Builder, l Latency, color, dash string) {
	var pts []string
	for i, v := range l.Curve {
		if i < len(CurvePercentiles) {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", p.x(CurvePercentiles[i]), p.y(float64(v)/1e3)))
		}
	}
	if dash != "" {
		dash = fmt.Sprintf(` stroke-dasharray="%s"`, dash)
	}
	fmt.Fprintf(b, `<polyline fill="none" stroke="%s" stroke-width="2"%s points="%s"/>`+"\n", color, dash, strings.Join(pts, " "))
}

// tickLabel names a 1-2-5 tick in µs: "20µs", "500µs", "1ms", "50ms", "2s".
func tickLabel(us float64) string {
	switch {
	case us >= 1e6:
		return fmt.Sprintf("%gs", us/1e6)
	case us >= 1e3:
		return fmt.Sprintf("%gms", us/1e3)
	default:
		return fmt.Sprintf("%gµs", us)
	}
}

// machineLine is the machine and setup in one line.
func machineLine(r *Result) string {
	m := r.Machine
	s := fmt.Sprintf("%s, %d cores, Go %s", m.CPU, m.Cores, strings.TrimPrefix(m.Go, "go"))
	if m.Redis != "" {
		s += ", Redis " + m.Redis
	}
	return s + ", " + r.StartedAt.Format("2006-01-02")
}

func esc(s string) string { return html.EscapeString(s) }
