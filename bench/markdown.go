package bench

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// GuideRows are the rows of the guide's comparison table, with what the guide claimed for
// JWT and for Redis sessions; results.md fills each with measurements.
var GuideRows = []struct{ Name, JWT, Redis string }{
	{"Session storage", "client-side", "server-side"},
	{"App state", "stateless", "stateful"},
	{"Scaling", "very easy", "needs Redis scaling"},
	{"Force logout", "hard", "easy"},
	{"Latency", "very low", "very low"},
	{"Infra complexity", "low", "medium"},
}

// columnTitle heads a strategy's column; store is "redis", "embedded" or unknown.
func columnTitle(col, store string) string {
	var s string
	switch store {
	case "redis":
		s = "Redis"
	case "embedded":
		s = "embedded"
	}
	switch col {
	case ColJWT:
		return "jwt"
	case ColSession:
		switch store {
		case "redis":
			return "session (Redis, client-cached)"
		case "embedded":
			return "session (embedded)"
		}
		return "session"
	case ColSessionNoCache:
		return "session (Redis, no client cache)"
	case ColHybrid:
		if s == "" {
			return "hybrid (jwt + revocation list)"
		}
		return "hybrid (jwt + " + s + " revocation list)"
	}
	return col
}

// WriteMarkdown writes results.md.
func WriteMarkdown(w io.Writer, r *Result) error {
	var b strings.Builder
	m, s := r.Machine, r.Setup
	fmt.Fprintf(&b, "# authgate bench\n\n")
	fmt.Fprintf(&b, "- **Run:** %s, wall time %s, authgate %s, %s mode\n", r.StartedAt.Format("2006-01-02 15:04 UTC"),
		fmtDur(time.Duration(r.WallTime)), r.Version, s.Mode)
	fmt.Fprintf(&b, "- **Machine:** %s, %d cores (GOMAXPROCS %d), %s RAM, %s", m.CPU, m.Cores, m.GOMAXPROCS, fmtMiB(m.MemoryMiB), m.OS)
	if m.Kernel != "" {
		fmt.Fprintf(&b, " (kernel %s)", m.Kernel)
	}
	fmt.Fprintf(&b, ", Go %s", strings.TrimPrefix(m.Go, "go"))
	if m.Redis != "" {
		fmt.Fprintf(&b, ", Redis %s", m.Redis)
	}
	if m.OtherBusyCores != nil {
		fmt.Fprintf(&b, "; other processes kept %.1f cores busy on average during the run", *m.OtherBusyCores)
	}
	b.WriteString("\n")
	store := s.Store
	if s.RedisSource != "" {
		store += " (" + s.RedisTopology + "; " + s.RedisSource + ")"
	}
	bound := "D = " + fmtDur(time.Duration(s.StalenessBound))
	if s.Mode == "target" {
		bound = "D unknown, so violations count every admission after the acknowledgement"
	} else if s.Store != "redis" {
		bound = "D = 0 (the embedded store does not cache)"
	}
	fmt.Fprintf(&b, "- **Stores:** %s; staleness bound %s; password hashing %s\n", store, bound, s.Hasher)
	if s.Mode == "target" {
		fmt.Fprintf(&b, "- **Load:** %d connections, %s per route; load generator %s\n\n", s.Concurrency, fmtDur(time.Duration(s.Duration)), s.LoadGenerator)
	} else {
		fmt.Fprintf(&b, "- **Load:** %d connections, %s per side per strategy in %d alternating segments; load generator %s\n\n",
			s.Concurrency, fmtDur(time.Duration(s.Duration)), segments(time.Duration(s.Duration)), s.LoadGenerator)
	}

	var cols []StrategyResult
	var skipped []string
	for _, c := range r.Strategies {
		if c.Skipped != "" {
			skipped = append(skipped, fmt.Sprintf("%s: not measured: %s.", columnTitle(c.Name, s.Store), c.Skipped))
			continue
		}
		cols = append(cols, c)
	}
	b.WriteString("## JWT vs Redis, measured\n\nThe guide's rows (its words for JWT / Redis in brackets), filled with this run's measurements, then the rows it lacks.\n\n| |")
	for _, c := range cols {
		fmt.Fprintf(&b, " %s |", columnTitle(c.Name, s.Store))
	}
	b.WriteString("\n|---|")
	for range cols {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	row := func(title string, cell func(c *StrategyResult) string) {
		fmt.Fprintf(&b, "| %s |", title)
		for i := range cols {
			c := &cols[i]
			v := "—"
			if x := cell(c); x != "" {
				v = x
			}
			fmt.Fprintf(&b, " %s |", strings.ReplaceAll(v, "|", "/"))
		}
		b.WriteString("\n")
	}
	cells := cellsFor(r)
	for _, g := range GuideRows {
		row(fmt.Sprintf("**%s** (guide: %s / %s)", g.Name, g.JWT, g.Redis), cells[g.Name])
	}
	for _, name := range []string{"Throughput", "Check in-process", "Gateway in-process", "Redis per request", "Logout → refused elsewhere", "Login"} {
		row("**"+name+"**", cells[name])
	}

	b.WriteString("\n## Goals (from the strategy issues)\n\n| goal | target | measured | verdict |\n|---|---|---|---|\n")
	for _, g := range r.Goals {
		v := g.Verdict
		if !g.Met {
			v = "**" + v + "**"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", g.Name, g.Target, g.Measured, v)
	}
	writeDetails(&b, r)
	b.WriteString("\n## Notes\n\n")
	for _, n := range append(skipped, r.Notes...) {
		fmt.Fprintf(&b, "- %s\n", n)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func fmtMiB(mib int) string {
	if mib == 0 {
		return "unknown"
	}
	return fmt.Sprintf("%.1f GiB", float64(mib)/1024)
}

func fmtBytes(v float64) string {
	switch {
	case v >= 10<<20:
		return fmt.Sprintf("%.1f MiB", v/(1<<20))
	case v >= 10*1024:
		return fmt.Sprintf("%.1f KiB", v/1024)
	case v < 10:
		return fmt.Sprintf("%.1f B", v)
	default:
		return fmt.Sprintf("%.0f B", v)
	}
}

func fmtRatio(x float64) string { return fmt.Sprintf("×%.2f", x) }

// latencyCell is p50 · p99 · p99.9 and their ratios to the bare handler.
func latencyCell(h *HTTP) string {
	l := h.Authgate.Latency
	s := fmt.Sprintf("p50 %s · p99 %s · p99.9 %s", fmtDur(time.Duration(l.P50)), fmtDur(time.Duration(l.P99)), fmtDur(time.Duration(l.P999)))
	if h.Bare.PerSecond > 0 {
		s += fmt.Sprintf(" (%s · %s · %s the bare handler's)", fmtRatio(h.P50Ratio), fmtRatio(h.P99Ratio), fmtRatio(h.P999Ratio))
	}
	return s
}

func costCell(c *OpCost) string {
	if c == nil {
		return ""
	}
	return fmt.Sprintf("%s, %.1f allocs (%s) per check", fmtDur(time.Duration(c.NsPerOp)), c.AllocsPerOp, fmtBytes(c.BytesPerOp))
}

// revocationCell describes one kind's enforcement on the other instances.
func revocationCell(label string, rv *RevocationResult) string {
	if rv == nil {
		return ""
	}
	if !enforced(rv.Kind) {
		life := "its remaining lifetime"
		if rv.RemainingLifetime != nil {
			life = fmt.Sprintf("its remaining lifetime: p50 %s, max %s", fmtDur(time.Duration(rv.RemainingLifetime.P50)), fmtDur(time.Duration(rv.RemainingLifetime.Max)))
		}
		return fmt.Sprintf("%s: the access token stays valid until it expires, %s (all %d requests sent after the logout were admitted, as designed); the refresh family ends at once",
			label, life, rv.AdmittedAfterAck)
	}
	var worst DelayStats
	for _, pi := range rv.PerInstance {
		if pi.Delay.Max >= worst.Max {
			worst = pi.Delay
		}
	}
	return fmt.Sprintf("%s: refused on %s from ack + %s (p50), %s (p99), %s (max); %d violations of D, %d never enforced, in %d rounds; the ack itself took %s (p50)",
		label, instanceNames(rv), fmtDur(time.Duration(worst.P50)), fmtDur(time.Duration(worst.P99)), fmtDur(time.Duration(worst.Max)),
		rv.Violations, rv.Unenforced, rv.Rounds, fmtDur(time.Duration(rv.Ack.P50)))
}

func instanceNames(rv *RevocationResult) string {
	var names []string
	for _, pi := range rv.PerInstance {
		names = append(names, pi.Instance)
	}
	if len(names) == 0 {
		return "the other instances"
	}
	return strings.Join(names, ", ")
}

// trafficCell describes a strategy's Redis traffic per request.
func trafficCell(t *RedisTraffic, bg *BackgroundTraffic, withBytes bool) string {
	if t == nil {
		return ""
	}
	s := fmt.Sprintf("%.3f Redis round trips per request (%.2f%% answered from the client cache), %.3f commands", t.RoundTripsPerRequest, 100*t.CacheHitRatio, t.CommandsPerRequest)
	if len(t.ByCommand) > 0 {
		var parts []string
		for k, v := range t.ByCommand {
			if v >= 0.0005 {
				parts = append(parts, fmt.Sprintf("%s %.3f", k, v))
			}
		}
		if len(parts) > 0 {
			s += " (" + strings.Join(parts, ", ") + ")"
		}
	}
	if withBytes {
		s += fmt.Sprintf("; %s to Redis and %s back per request", fmtBytes(t.BytesInPerRequest), fmtBytes(t.BytesOutPerRequest))
	}
	if bg != nil && bg.PingsPerInstance > 0 && t.CacheHitRatio > 0 {
		s += fmt.Sprintf("; plus %.0f PING/s per instance for the freshness gate", bg.PingsPerInstance)
	}
	return s
}
