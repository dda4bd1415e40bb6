package bench

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// cellsFor returns, per row name, how each column's cell is written.
func cellsFor(r *Result) map[string]func(c *StrategyResult) string {
	redis := r.Setup.Store == "redis"
	mem := r.Memory
	noRedis := "not measured (no Redis)"
	if r.Setup.Mode == "target" {
		noRedis = "not measured (target mode)"
	}
	scaling := func(name string) string {
		var parts, rel []string
		for _, p := range r.Scaling {
			if p.Strategy == name {
				parts = append(parts, fmtCount(p.PerSecond))
				rel = append(rel, fmt.Sprintf("%.0f%%", 100*p.VsBare))
			}
		}
		if len(parts) == 0 {
			return ""
		}
		return fmt.Sprintf("1 / 2 / 3 instances sharing the store: %s req/s = %s of the bare handler in the same moments (one %d-core machine: a second instance adds no CPU, only connections and caches)",
			strings.Join(parts, " / "), strings.Join(rel, " / "), r.Machine.Cores)
	}
	return map[string]func(c *StrategyResult) string{
		"Session storage": func(c *StrategyResult) string {
			switch c.Name {
			case ColJWT:
				return fmt.Sprintf("client: the %d-byte access token; server: one refresh-token family row per login (identity DB), read only at refresh", c.CredentialBytes)
			case ColSession, ColSessionNoCache:
				if r.Setup.Mode == "target" {
					return fmt.Sprintf("server: the deployment's session store; client: a %d-byte cookie", c.CredentialBytes)
				}
				if !redis {
					return fmt.Sprintf("server: a row in the embedded SQLite session store; client: a %d-byte cookie; per-session memory %s", c.CredentialBytes, noRedis)
				}
				if mem == nil {
					return fmt.Sprintf("server: Redis; client: a %d-byte cookie; per-session memory not measured", c.CredentialBytes)
				}
				return fmt.Sprintf("server: Redis, %s per active session (record and user index, measured over %s sessions); client: a %d-byte cookie",
					fmtBytes(mem.BytesPerSession), fmtCount(float64(mem.Sessions)), c.CredentialBytes)
			case ColHybrid:
				if mem == nil {
					return fmt.Sprintf("client: the %d-byte access token; server: the revocation list (its memory: %s)", c.CredentialBytes, noRedis)
				}
				return fmt.Sprintf("client: the %d-byte access token; server: Redis revocation list, %s per revoked token (%s more per entry in the same user's list), kept until the token expires",
					c.CredentialBytes, fmtBytes(mem.BytesPerEntry), fmtBytes(mem.BytesPerMoreEntry))
			}
			return ""
		},
		"App state": func(c *StrategyResult) string {
			if c.Name == ColJWT {
				if c.Redis != nil {
					return fmt.Sprintf("stateless: %.3f Redis round trips and %.3f commands per request", c.Redis.RoundTripsPerRequest, c.Redis.CommandsPerRequest)
				}
				return "stateless: no store read per request"
			}
			if !redis {
				if r.Setup.Mode == "target" {
					return "stateful (Redis traffic is not measured in target mode)"
				}
				return "stateful: every request reads the embedded SQLite store (no cache)"
			}
			return "stateful: " + trafficCell(c.Redis, r.Background, false)
		},
		"Scaling": func(c *StrategyResult) string {
			if c.Name == ColSessionNoCache {
				return "as session, plus one Redis round trip per request on every instance"
			}
			return scaling(c.Name)
		},
		"Force logout": func(c *StrategyResult) string {
			switch c.Name {
			case ColJWT:
				return revocationCell("logout", r.revocation(KindJWTLogout))
			case ColSession:
				return join(revocationCell("logout", r.revocation(KindSessionLogout)), revocationCell("force logout (EndAll)", r.revocation(KindForceLogout)))
			case ColSessionNoCache:
				return "as session: the same writes; reads never use a cache"
			case ColHybrid:
				return join(revocationCell("logout", r.revocation(KindLogout)), revocationCell("force logout (EndAll)", r.revocation(KindForceLogout)))
			}
			return ""
		},
		"Latency": func(c *StrategyResult) string {
			if c.HTTP == nil {
				return ""
			}
			return latencyCell(c.HTTP)
		},
		"Infra complexity": func(c *StrategyResult) string { return c.Infra },
		"Throughput": func(c *StrategyResult) string {
			if c.HTTP == nil {
				return ""
			}
			h := c.HTTP
			if h.Bare.PerSecond == 0 {
				return fmt.Sprintf("%s req/s at %d connections", fmtCount(h.Authgate.PerSecond), h.Concurrency)
			}
			return fmt.Sprintf("%s req/s = **%.1f%%** of the bare handler's %s req/s, at %d connections",
				fmtCount(h.Authgate.PerSecond), 100*h.ThroughputRatio, fmtCount(h.Bare.PerSecond), h.Concurrency)
		},
		"Check in-process": func(c *StrategyResult) string { return costCell(c.Check) },
		"Gateway in-process": func(c *StrategyResult) string {
			return strings.Replace(costCell(c.Handler), "per check", "per request", 1)
		},
		"Redis per request": func(c *StrategyResult) string {
			if !redis {
				return noRedis
			}
			if c.Redis == nil {
				return "not measured"
			}
			return fmt.Sprintf("%s to Redis, %s back", fmtBytes(c.Redis.BytesInPerRequest), fmtBytes(c.Redis.BytesOutPerRequest))
		},
		"Logout → refused elsewhere": func(c *StrategyResult) string {
			kind := map[string]string{ColJWT: KindJWTLogout, ColSession: KindSessionLogout, ColHybrid: KindLogout}[c.Name]
			rv := r.revocation(kind)
			if rv == nil {
				return ""
			}
			if !enforced(kind) {
				return "never before expiry (see Force logout)"
			}
			total, early := 0, 0
			for _, pi := range rv.PerInstance {
				total += pi.Delay.Count
				early += pi.Delay.Clamped
			}
			return fmt.Sprintf("refused on the other instances %s (p50) / %s (max) after the logout was sent; %d of %d checks already refused when the acknowledgement arrived",
				fmtDur(time.Duration(rv.RefusedAfterSend.P50)), fmtDur(time.Duration(rv.RefusedAfterSend.Max)), early, total)
		},
		"Login": func(c *StrategyResult) string {
			l := r.Login
			if l == nil {
				return ""
			}
			what := "token login (POST /auth/token)"
			if c.Name != ColJWT && c.Name != ColHybrid {
				what = "session login: the same password check"
			}
			if l.Check.Ops == 0 {
				return fmt.Sprintf("%s: %.1f logins/s", what, l.HTTP.PerSecond)
			}
			return fmt.Sprintf("%s: %s per password check in-process; %.1f logins/s over HTTP = %.1f per core",
				what, fmtDur(time.Duration(l.Check.NsPerOp)), l.HTTP.PerSecond, l.PerSecondPerCore)
		},
	}
}

func join(parts ...string) string {
	return strings.Join(slices.DeleteFunc(parts, func(s string) bool { return s == "" }), "<br>")
}

// writeDetails writes the tables behind the summary.
func writeDetails(b *strings.Builder, r *Result) {
	b.WriteString("\n## Details\n\n### HTTP, per strategy (authgate, then the bare handler in the same run)\n\n")
	b.WriteString("| strategy | req/s | vs bare | segment pairs: median (min – max) | p50 | p90 | p99 | p99.9 | max | requests |\n|---|---|---|---|---|---|---|---|---|---|\n")
	lat := func(name string, t Throughput, vs, pairs string) {
		l := t.Latency
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", name, fmtCount(t.PerSecond), vs, pairs, fmtDur(time.Duration(l.P50)),
			fmtDur(time.Duration(l.P90)), fmtDur(time.Duration(l.P99)), fmtDur(time.Duration(l.P999)), fmtDur(time.Duration(l.Max)), fmtCount(float64(t.Requests)))
	}
	for _, s := range r.Strategies {
		h := s.HTTP
		if h == nil {
			continue
		}
		vs, pairs := "", ""
		if h.Bare.PerSecond > 0 {
			vs = fmt.Sprintf("%.1f%%", 100*h.ThroughputRatio)
		}
		if len(h.SegmentRatios) > 0 {
			rs := slices.Sorted(slices.Values(h.SegmentRatios))
			pairs = fmt.Sprintf("%.1f%% (%.1f%% – %.1f%%, %d pairs)", 100*rs[len(rs)/2], 100*rs[0], 100*rs[len(rs)-1], len(rs))
		}
		lat(s.Name, h.Authgate, vs, pairs)
		if h.Bare.PerSecond > 0 {
			lat("↳ bare handler", h.Bare, "", "")
		}
	}

	if len(r.Revocations) > 0 {
		fmt.Fprintf(b, "\n### Revocation (D = %s)\n\n", fmtDur(time.Duration(r.Setup.StalenessBound)))
		b.WriteString("| kind | rounds | ack p50 / p99 | first refused request, from the ack, per instance (p50 / p99 / max; ≤ 0 counted as 0) | last admitted request, from the ack (max) | first refused, from sending the call (p50 / p99 / max) | checks | admitted after ack | violations (> ack + D) | never enforced |\n|---|---|---|---|---|---|---|---|---|---|\n")
		for _, rv := range r.Revocations {
			var per []string
			for _, pi := range rv.PerInstance {
				per = append(per, fmt.Sprintf("%s: %s / %s / %s (%d of %d ≤ 0)", pi.Instance, fmtDur(time.Duration(pi.Delay.P50)),
					fmtDur(time.Duration(pi.Delay.P99)), fmtDur(time.Duration(pi.Delay.Max)), pi.Delay.Clamped, pi.Delay.Count))
			}
			perCell, sent := strings.Join(per, "<br>"), fmt.Sprintf("%s / %s / %s", fmtDur(time.Duration(rv.RefusedAfterSend.P50)),
				fmtDur(time.Duration(rv.RefusedAfterSend.P99)), fmtDur(time.Duration(rv.RefusedAfterSend.Max)))
			if !enforced(rv.Kind) {
				perCell, sent = "not refused: valid until expiry", "—"
				if rv.RemainingLifetime != nil {
					perCell += fmt.Sprintf(" (remaining lifetime p50 %s)", fmtDur(time.Duration(rv.RemainingLifetime.P50)))
				}
			}
			viol, unenf := fmt.Sprint(rv.Violations), fmt.Sprint(rv.Unenforced)
			if !enforced(rv.Kind) {
				viol, unenf = "— (not enforced by design)", "—"
			}
			lastCell := fmtDur(time.Duration(rv.LastAdmitted.Max))
			if !enforced(rv.Kind) {
				lastCell = "—"
			}
			fmt.Fprintf(b, "| %s | %d | %s / %s | %s | %s | %s | %s | %d | %s | %s |\n", rv.Kind, rv.Rounds, fmtDur(time.Duration(rv.Ack.P50)),
				fmtDur(time.Duration(rv.Ack.P99)), perCell, lastCell, sent, fmtCount(float64(rv.CheckRequests)), rv.AdmittedAfterAck, viol, unenf)
		}
	}

	if bg := r.Background; bg != nil {
		fmt.Fprintf(b, "\n### Redis background\n\n%.0f PING/s from %d instances running the freshness gate (%.0f per instance, one per D/3), %s/s in all, measured over %.1f s of bare-handler segments.\n",
			bg.PingsPerSecond, bg.InstancesWithGate, bg.PingsPerInstance, fmtBytes(bg.BytesPerSecond), bg.MeasuredOverSecond)
	}
	if l := r.Login; l != nil {
		fmt.Fprintf(b, "\n### Login\n\n%s. In-process check: %s and %s allocated per login (%d measured). POST /auth/token at %d connections: %.1f logins/s, p50 %s, p99 %s",
			l.Params, fmtDur(time.Duration(l.Check.NsPerOp)), fmtBytes(l.Check.BytesPerOp), l.Check.Ops, l.Concurrency, l.HTTP.PerSecond,
			fmtDur(time.Duration(l.HTTP.Latency.P50)), fmtDur(time.Duration(l.HTTP.Latency.P99)))
		if l.PerSecondPerCore > 0 {
			fmt.Fprintf(b, ", %.1f per core", l.PerSecondPerCore)
		}
		b.WriteString(".\n")
	}
	if len(r.Scaling) > 0 {
		b.WriteString("\n### Scaling on one machine (the bare handler and 1, 2, 3 instances interleaved, same total connections)\n\n| strategy | instances | req/s | vs one instance | vs bare handler (req/s) | p99 |\n|---|---|---|---|---|---|\n")
		for _, p := range r.Scaling {
			fmt.Fprintf(b, "| %s | %d | %s | ×%.2f | %.1f%% (%s) | %s |\n", p.Strategy, p.Instances, fmtCount(p.PerSecond), p.VsOne,
				100*p.VsBare, fmtCount(p.BarePerSecond), fmtDur(time.Duration(p.P99)))
		}
	}
}
