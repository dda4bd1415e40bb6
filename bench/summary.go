package bench

import (
	"fmt"
	"strings"
	"time"
)

// goalRatio is the strategy issues' goal: jwt, hybrid and cached session requests at least
// this share of the bare handler's throughput.
const goalRatio = 0.80

// infra says what a strategy needs besides authgate and its identity store; store is
// "redis", "embedded" or unknown.
func infra(col, store string) string {
	redis := store == "redis"
	where := "the embedded SQLite session store: one host only"
	switch store {
	case "redis":
		where = "Redis (standalone, Sentinel or Cluster), with the in-process client cache,"
	case "embedded":
	default:
		where = "the session store (Redis for more than one host)"
	}
	switch col {
	case ColJWT:
		return "nothing on the request path: the identity store (SQLite or PostgreSQL) only for logins, refresh and keys"
	case ColSession:
		return "+ " + where + " on every request's path"
	case ColSessionNoCache:
		return "+ Redis on every request's path, one round trip per request"
	case ColHybrid:
		switch {
		case redis:
			return "+ Redis for the revocation list, read through the client cache"
		case store == "embedded":
			return "+ the embedded SQLite revocation list: one host only"
		}
		return "+ the revocation list (Redis for more than one host)"
	}
	return ""
}

// goals compares the run with the strategy issues' goals.
func goals(r *Result) []Goal {
	var out []Goal
	for _, col := range []string{ColJWT, ColHybrid, ColSession} {
		s := r.strategy(col)
		name := col
		if col == ColSession {
			name = "session (client-side cached)"
		}
		g := Goal{Name: name + " throughput", Target: fmt.Sprintf("≥ %.0f%% of the bare handler", 100*goalRatio)}
		switch {
		case s == nil || s.HTTP == nil || s.HTTP.Bare.PerSecond == 0:
			g.Measured, g.Verdict = "no bare handler next to a remote target", "not measured"
		case col == ColSession && r.Setup.Store != "redis":
			g.Measured = fmt.Sprintf("the embedded store has no client cache; uncached: %.1f%%", 100*s.HTTP.ThroughputRatio)
			g.Verdict = "not measured (no Redis)"
		default:
			h := s.HTTP
			g.Measured = fmt.Sprintf("%.1f%% (95%% interval %.1f–%.1f%%; %s vs %s req/s)", 100*h.ThroughputRatio,
				100*h.ThroughputRatioLow, 100*h.ThroughputRatioHigh, fmtCount(h.Authgate.PerSecond), fmtCount(h.Bare.PerSecond))
			g.Met = h.ThroughputRatio >= goalRatio
			switch {
			case h.ThroughputRatioLow >= goalRatio:
				g.Verdict = "met"
			case h.ThroughputRatioHigh > 0 && h.ThroughputRatioHigh < goalRatio:
				g.Verdict = "not met"
			case g.Met:
				g.Verdict = "met, within this run's noise"
			default:
				g.Verdict = "not met, within this run's noise"
			}
		}
		out = append(out, g)
	}
	g := Goal{Name: "revocation enforced within D on other instances", Target: "0 requests admitted later than D after the acknowledgement"}
	var rounds, viol, unenf int
	for _, rv := range r.Revocations {
		if enforced(rv.Kind) {
			rounds += rv.Rounds
			viol += rv.Violations
			unenf += rv.Unenforced
		}
	}
	if rounds > 0 {
		bound := "D = " + fmtDur(time.Duration(r.Setup.StalenessBound))
		if r.Setup.Mode == "target" {
			bound = "D unknown: counted from the acknowledgement itself"
		}
		g.Measured = fmt.Sprintf("%d violations, %d never enforced, in %d revocations (%s)", viol, unenf, rounds, bound)
		g.Met = viol == 0 && unenf == 0
		g.Verdict = map[bool]string{true: "met", false: "not met"}[g.Met]
	} else {
		g.Measured, g.Verdict = "no revocation measured", "not measured"
	}
	return append(out, g)
}

// notes are the caveats a reader needs to read the numbers right.
func notes(r *Result) []string {
	var n []string
	if o := r.Machine.OtherBusyCores; o != nil && *o >= 0.1 {
		n = append(n, fmt.Sprintf("Other processes on this machine kept %.1f of its %d cores busy on average while the bench ran: every figure is noisier, and absolute ones lower, than on an idle machine.", *o, r.Machine.Cores))
	}
	if r.Setup.Mode == "in-process" {
		n = append(n,
			fmt.Sprintf("One machine: the load generator, every authgate instance, the bare handler and Redis share its %d cores. Throughput is the whole machine's; the ratios compare authgate with a bare net/http handler measured in alternating segments of the same run, on the same request (headers included) and the same response bytes.", r.Machine.Cores),
			"Scaling: the instances share one machine's cores, so adding instances adds no CPU; the rows show the cost of spreading load (more connections, more caches to keep current), not the capacity a second host would add.",
			"Revocation rounds: each credential is issued on instance A in-process (what a login does after the password check, which the login row measures), checked on B and C over HTTP until refused, and revoked on A over HTTP. Delays below zero (the refusal already in force when A's answer arrived: the store is written, and the wait for D served, before the answer) are counted as zero. On a busy machine a checker's request can take tens of milliseconds, so its first refused request may start well after the acknowledgement although the refusal was in force earlier: the last admitted request's start bounds that, and no admitted request started later than D after the acknowledgement unless violations say so.",
		)
	}
	if d := r.Drift; d != nil && d.Median > 0 {
		n = append(n, fmt.Sprintf("The machine's speed drifted during the run: the bare handler's %d segments ran at %s to %s req/s (median %s), a spread of %.0f%%. Absolute figures are this machine's at that moment; the ratios to the bare handler come from adjacent segments and are what to compare.",
			d.Segments, fmtCount(d.Min), fmtCount(d.Max), fmtCount(d.Median), 100*(d.Max-d.Min)/d.Median))
	}
	if r.Setup.Store == "redis" {
		n = append(n, "Redis commands per request count the commands run inside scripts too, and subtract the background traffic (the gates' PINGs, the bench's INFO) measured during the bare handler's segments.")
	}
	return n
}

func revocationSummary(r RevocationResult) string {
	if !enforced(r.Kind) {
		if r.RemainingLifetime != nil {
			return fmt.Sprintf("all %d requests after the logout admitted, token valid for another %s", r.AdmittedAfterAck,
				fmtDur(time.Duration(r.RemainingLifetime.P50)))
		}
		return "measured"
	}
	var worst DelayStats
	for _, pi := range r.PerInstance {
		if pi.Delay.Max > worst.Max {
			worst = pi.Delay
		}
	}
	return fmt.Sprintf("%d rounds, delay after ack max %s, refused %s after the call was sent (p50), %d violations, %d never enforced",
		r.Rounds, fmtDur(time.Duration(worst.Max)), fmtDur(time.Duration(r.RefusedAfterSend.P50)), r.Violations, r.Unenforced)
}

func scalingSummary(points []ScalingPoint) string {
	var parts []string
	for _, p := range points {
		if p.Instances == 1 {
			parts = append(parts, p.Strategy+" "+fmtCount(p.PerSecond))
		} else {
			parts[len(parts)-1] += " / " + fmtCount(p.PerSecond)
		}
	}
	return strings.Join(parts, ", ") + " req/s"
}
