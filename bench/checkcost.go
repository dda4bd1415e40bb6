package bench

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"time"

	"github.com/authgate/authgate/authn"
	"github.com/authgate/authgate/internal/app"
	"github.com/authgate/authgate/proxytrust"
	"github.com/authgate/authgate/token"
)

// OpCost is the cost of one operation measured in-process, on one goroutine.
type OpCost struct {
	Ops         int     `json:"ops"`
	NsPerOp     float64 `json:"ns_per_op"`
	AllocsPerOp float64 `json:"allocs_per_op"`
	BytesPerOp  float64 `json:"bytes_per_op"`
}

// measureOp runs op in batches for about d and reports its average cost. Allocations are read
// from runtime.MemStats around the loop, so background work of the process (the Redis gate's
// loop, a few hundred small allocations a second) is included, which is below 0.01 per op for
// anything that takes under ten microseconds.
func measureOp(ctx context.Context, d time.Duration, op func() error) (OpCost, error) {
	// Warm up, and size a batch to about a millisecond.
	batch := 1
	for {
		t := time.Now()
		for range batch {
			if err := op(); err != nil {
				return OpCost{}, err
			}
		}
		if time.Since(t) > time.Millisecond || batch >= 1<<20 {
			break
		}
		batch *= 2
	}
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	start := time.Now()
	n := 0
	for time.Since(start) < d && ctx.Err() == nil {
		for range batch {
			if err := op(); err != nil {
				return OpCost{}, err
			}
		}
		n += batch
	}
	el := time.Since(start)
	runtime.ReadMemStats(&m1)
	return OpCost{
		Ops:         n,
		NsPerOp:     float64(el.Nanoseconds()) / float64(n),
		AllocsPerOp: float64(m1.Mallocs-m0.Mallocs) / float64(n),
		BytesPerOp:  float64(m1.TotalAlloc-m0.TotalAlloc) / float64(n),
	}, ctx.Err()
}

// Strategies builds the three strategies over an instance's own stores, keys and settings, the
// way app.New wires them, so that a check can be measured without the gateway around it.
func Strategies(a *app.App) (map[string]authn.Strategy, error) {
	cfg, t := a.Config, a.Config.Tokens
	v, err := token.NewVerifier(a.Keys,
		token.WithIssuer(cfg.Issuer), token.WithVerifierAudience(t.Audience), token.WithLeeway(t.Leeway),
		token.WithCacheSize(t.VerifyCacheSize))
	if err != nil {
		return nil, fmt.Errorf("verifier: %w", err)
	}
	proxies, err := proxytrust.Parse(cfg.TrustedProxies)
	if err != nil {
		return nil, err
	}
	return map[string]authn.Strategy{
		authn.JWT:     authn.NewJWT(v),
		authn.Session: authn.NewSession(a.Sessions, proxies),
		authn.Hybrid:  authn.NewHybrid(v, a.State.Revocations),
	}, nil
}

// checkCost measures one strategy's Authenticate on a request carrying the credential.
func checkCost(ctx context.Context, s authn.Strategy, path string, h http.Header, d time.Duration) (OpCost, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", "http://127.0.0.1"+path, nil)
	if err != nil {
		return OpCost{}, err
	}
	req.Header = h.Clone()
	req.RemoteAddr = "127.0.0.1:40000"
	return measureOp(ctx, d, func() error {
		_, err := s.Authenticate(req)
		return err
	})
}

// handlerCost measures the whole gateway handler in-process: routing, the check, identity
// headers and the built-in whoami answer, without the network. Each request is a fresh clone
// (the gateway rewrites identity headers), as a server would hand it a fresh one.
func handlerCost(ctx context.Context, h http.Handler, path string, hdr http.Header, d time.Duration) (OpCost, error) {
	base, err := http.NewRequestWithContext(ctx, "GET", "http://127.0.0.1"+path, nil)
	if err != nil {
		return OpCost{}, err
	}
	base.RemoteAddr = "127.0.0.1:40000"
	return measureOp(ctx, d, func() error {
		r := base.Clone(ctx)
		r.Header = hdr.Clone()
		w := &recorder{header: http.Header{}}
		h.ServeHTTP(w, r)
		if w.code != http.StatusOK {
			return fmt.Errorf("%w: handler answered %d", ErrBadResponse, w.code)
		}
		return nil
	})
}

// recorder is a ResponseWriter that keeps the status and discards the body.
type recorder struct {
	header http.Header
	code   int
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return len(b), nil
}
