package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"time"

	"github.com/authgate/authgate/authn"
)

// column is one strategy as measured: which instance serves it, on which path, with which
// kind of credential.
type column struct {
	name, strategy string
	in             *Instance
	path           string
	cookie         bool
}

func (e *env) columns() []column {
	p := DemoPaths
	cols := []column{
		{name: ColJWT, strategy: authn.JWT, in: e.a, path: p.JWT},
		{name: ColSession, strategy: authn.Session, in: e.a, path: p.Session, cookie: true},
		{name: ColSessionNoCache, strategy: authn.Session, in: e.u, path: p.Session, cookie: true},
		{name: ColHybrid, strategy: authn.Hybrid, in: e.a, path: p.Hybrid},
	}
	return cols
}

// credentialFor logs the load user in over HTTP on the column's instance.
func (e *env) credentialFor(ctx context.Context, col column) (http.Header, int, error) {
	if col.cookie {
		c, err := sessionLogin(ctx, e.a.URL, e.username, benchPassword)
		return c.cookies(), len(c.cookie), err
	}
	c, err := tokenLogin(ctx, e.a.URL, e.username, benchPassword)
	return c.bearer(), len(c.access), err
}

// measureColumn measures one strategy: the check and the handler in-process, then HTTP
// against the bare handler, with Redis traffic read around every segment.
func (e *env) measureColumn(ctx context.Context, col column) (StrategyResult, sideAcc, error) {
	sr := StrategyResult{Name: col.name, Route: col.path, Infra: infra(col.name, map[bool]string{true: "redis", false: "embedded"}[e.redisURL != ""])}
	if col.in == nil {
		sr.Skipped = "needs Redis: the embedded store has no client-side cache to turn off (every session check reads SQLite)"
		return sr, sideAcc{}, nil
	}
	header, credLen, err := e.credentialFor(ctx, col)
	if err != nil {
		return sr, sideAcc{}, err
	}
	sr.CredentialBytes = credLen
	d := e.o.Duration

	strategies, err := Strategies(col.in.App)
	if err != nil {
		return sr, sideAcc{}, err
	}
	costD := min(max(d/10, 100*time.Millisecond), time.Second)
	check, err := checkCost(ctx, strategies[col.strategy], col.path, header, costD)
	if err != nil {
		return sr, sideAcc{}, fmt.Errorf("check in-process: %w", err)
	}
	handler, err := handlerCost(ctx, col.in.App.Handler(), col.path, header, costD)
	if err != nil {
		return sr, sideAcc{}, fmt.Errorf("handler in-process: %w", err)
	}
	sr.Check, sr.Handler = &check, &handler

	gate, err := NewRequest(col.in.URL, "GET", col.path, header, nil)
	if err != nil {
		return sr, sideAcc{}, err
	}
	first, err := e.firstAnswer(ctx, col, header)
	if err != nil {
		return sr, sideAcc{}, err
	}
	// The bare handler answers the same request with the same headers and body bytes.
	bareSrv, bareURL, err := serveLoopback(bareHandler(first.Header, first.Body), col.in.App.Config.Limits.MaxHeaderBytes)
	if err != nil {
		return sr, sideAcc{}, err
	}
	defer bareSrv.Close()
	bare, err := NewRequest(bareURL, "GET", col.path, header, nil)
	if err != nil {
		return sr, sideAcc{}, err
	}
	if got, err := doOnce(ctx, bare); err != nil || got.Status != 200 || string(got.Body) != string(first.Body) {
		return sr, sideAcc{}, fmt.Errorf("%w: the bare handler's answer differs from authgate's (%v)", ErrBadResponse, err)
	}

	cmp := comparison{gate: []*Request{gate}, bare: []*Request{bare}, conns: e.o.Concurrency, d: d,
		rounds: segments(d), progress: e.o.Progress, label: col.name}
	if rc := col.in.App.State.Redis; rc != nil {
		cmp.client = redisClientStats{c: rc}
		if e.topology != "cluster" {
			cmp.probe = &redisProbe{c: rc}
		}
	}
	g, b, err := cmp.run(ctx)
	if err != nil {
		return sr, sideAcc{}, err
	}
	for _, side := range []struct {
		name string
		acc  sideAcc
	}{{"authgate", g}, {"bare handler", b}} {
		if side.acc.errors > 0 {
			return sr, sideAcc{}, fmt.Errorf("%w: %s: %d failed requests, the first: %s", ErrBadResponse, side.name, side.acc.errors, side.acc.firstErr)
		}
	}
	sr.HTTP = httpResult(g, b, e.o.Concurrency, segments(d))
	if cmp.probe != nil || cmp.client != nil {
		sr.Redis = traffic(g, b)
	}
	return sr, b, nil
}

// bareHandler answers every request with the given headers (Date and Content-Length are the
// server's) and body: the bare net/http baseline.
func bareHandler(h http.Header, body []byte) http.Handler {
	h = h.Clone()
	h.Del("Date")
	h.Del("Content-Length")
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		out := w.Header()
		for k, v := range h {
			out[k] = v
		}
		w.Write(body)
	})
}

// httpResult turns the two sides of a comparison into the report's figures.
func httpResult(g, b sideAcc, conns, segs int) *HTTP {
	h := &HTTP{Concurrency: conns, Segments: segs,
		Authgate: sideThroughput(g), Bare: sideThroughput(b)}
	// Each round's authgate segment against the bare one next to it.
	n := min(len(g.segRPS), len(b.segRPS))
	for i := range n {
		if b.segRPS[i] > 0 {
			h.SegmentRatios = append(h.SegmentRatios, g.segRPS[i]/b.segRPS[i])
		}
	}
	h.ThroughputRatioLow, h.ThroughputRatioHigh = ratioInterval(g.segRPS[:n], b.segRPS[:n])
	ratio := func(x, y Duration) float64 {
		if y == 0 {
			return 0
		}
		return float64(x) / float64(y)
	}
	if h.Bare.PerSecond > 0 {
		h.ThroughputRatio = h.Authgate.PerSecond / h.Bare.PerSecond
		h.P50Ratio = ratio(h.Authgate.Latency.P50, h.Bare.Latency.P50)
		h.P99Ratio = ratio(h.Authgate.Latency.P99, h.Bare.Latency.P99)
		h.P999Ratio = ratio(h.Authgate.Latency.P999, h.Bare.Latency.P999)
	}
	return h
}

// ratioInterval is a 95% bootstrap interval of sum(g)/sum(b) over pairs (g[i], b[i]), with a
// fixed seed so that the same measurements give the same interval.
func ratioInterval(g, b []float64) (lo, hi float64) {
	if len(g) < 2 {
		return 0, 0
	}
	const resamples = 2000
	rng := rand.New(rand.NewPCG(1, 2))
	rs := make([]float64, resamples)
	for k := range rs {
		var sg, sb float64
		for range g {
			i := rng.IntN(len(g))
			sg, sb = sg+g[i], sb+b[i]
		}
		if sb > 0 {
			rs[k] = sg / sb
		}
	}
	slices.Sort(rs)
	return rs[resamples*25/1000], rs[resamples*975/1000-1]
}

func sideThroughput(a sideAcc) Throughput {
	return throughput(loadRun{requests: a.requests, errors: a.errors, firstErr: a.firstErr, elapsed: a.elapsed, samples: a.samples})
}

// scaling measures jwt, session and hybrid with the load spread over 1, 2 and 3 instances
// sharing the stores, at the same total concurrency, interleaved with each other and with
// the bare handler (the same request and answer), which gives each point a reference taken
// in the same moments.
func (e *env) scaling(ctx context.Context) ([]ScalingPoint, error) {
	var out []ScalingPoint
	d := max(e.o.Duration/4, 200*time.Millisecond)
	for _, col := range e.columns() {
		if col.name == ColSessionNoCache {
			continue
		}
		header, _, err := e.credentialFor(ctx, col)
		if err != nil {
			return nil, err
		}
		first, err := e.firstAnswer(ctx, col, header)
		if err != nil {
			return nil, err
		}
		bareSrv, bareURL, err := serveLoopback(bareHandler(first.Header, first.Body), col.in.App.Config.Limits.MaxHeaderBytes)
		if err != nil {
			return nil, err
		}
		defer bareSrv.Close()
		bare, err := NewRequest(bareURL, "GET", col.path, header, nil)
		if err != nil {
			return nil, err
		}
		variants := [][]*Request{{bare}}
		for k := 1; k <= 3; k++ {
			var reqs []*Request
			for _, in := range []*Instance{e.a, e.b, e.c}[:k] {
				r, err := NewRequest(in.URL, "GET", col.path, header, nil)
				if err != nil {
					return nil, err
				}
				reqs = append(reqs, r)
			}
			variants = append(variants, reqs)
		}
		accs, err := interleave(ctx, variants, max(e.o.Concurrency, 3), d, segments(d), nil, nil)
		if err != nil {
			return nil, fmt.Errorf("scaling %s: %w", col.name, err)
		}
		one, ref := sideThroughput(accs[1]).PerSecond, sideThroughput(accs[0]).PerSecond
		for k, acc := range accs[1:] {
			t := sideThroughput(acc)
			if t.Errors > 0 {
				return nil, fmt.Errorf("%w: scaling %s over %d: %d errors, first %s", ErrBadResponse, col.name, k+1, t.Errors, t.FirstError)
			}
			p := ScalingPoint{Strategy: col.name, Instances: k + 1, PerSecond: t.PerSecond, P99: t.Latency.P99, BarePerSecond: ref}
			if one > 0 {
				p.VsOne = t.PerSecond / one
			}
			if ref > 0 {
				p.VsBare = t.PerSecond / ref
			}
			out = append(out, p)
		}
	}
	return out, nil
}

// firstAnswer sends the column's request once and requires a 200.
func (e *env) firstAnswer(ctx context.Context, col column, header http.Header) (Response, error) {
	gate, err := NewRequest(col.in.URL, "GET", col.path, header, nil)
	if err != nil {
		return Response{}, err
	}
	first, err := doOnce(ctx, gate)
	if err != nil {
		return first, err
	}
	if first.Status != http.StatusOK {
		return first, fmt.Errorf("%w: %s answered %d %.200s", ErrBadResponse, col.path, first.Status, first.Body)
	}
	return first, nil
}
