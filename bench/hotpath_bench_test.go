package bench

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/authgate/authgate/authn"
	"github.com/authgate/authgate/internal/testenv"
)

// The Go benchmarks of every hot path, on a real redis-server, comparable with benchstat:
//
//	go test -run '^$' -bench . -benchmem -count 6 ./bench | tee new.txt
//	benchstat old.txt new.txt
//
// (make bench runs every package's.) authgate bench reports the same paths with ratios and
// Redis readings; these are for before/after comparisons of a change.

// benchEnv starts Redis and the instances authgate bench uses (A, B, C and A without the
// Redis client cache), with the production password hasher, once per top-level benchmark.
func benchEnv(b *testing.B) *env {
	b.Helper()
	o := Options{RedisURL: testenv.Redis(b).URL(), TempDir: b.TempDir()}
	if err := o.fill(); err != nil {
		b.Fatal(err)
	}
	e, err := setup(context.Background(), o, &Result{})
	if e != nil {
		b.Cleanup(e.close)
	}
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// benchColumns returns each measured column with a fresh credential for it.
func benchColumns(b *testing.B, e *env) ([]column, []http.Header) {
	b.Helper()
	cols := e.columns()
	hs := make([]http.Header, len(cols))
	for i, c := range cols {
		h, _, err := e.credentialFor(context.Background(), c)
		if err != nil {
			b.Fatal(err)
		}
		hs[i] = h
	}
	return cols, hs
}

// BenchmarkCheck is each strategy's Authenticate in-process: the check alone.
func BenchmarkCheck(b *testing.B) {
	e := benchEnv(b)
	cols, hs := benchColumns(b, e)
	for i, c := range cols {
		strategies, err := Strategies(c.in.App)
		if err != nil {
			b.Fatal(err)
		}
		s := strategies[c.strategy]
		req, _ := http.NewRequest("GET", "http://127.0.0.1"+c.path, nil)
		req.Header = hs[i]
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Authenticate(req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCheckParallel is BenchmarkCheck from every core at once: contention in the
// verifier's cache, the session store's client cache and the revocation list's.
func BenchmarkCheckParallel(b *testing.B) {
	e := benchEnv(b)
	cols, hs := benchColumns(b, e)
	for i, c := range cols {
		strategies, err := Strategies(c.in.App)
		if err != nil {
			b.Fatal(err)
		}
		s := strategies[c.strategy]
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				req, _ := http.NewRequest("GET", "http://127.0.0.1"+c.path, nil)
				req.Header = hs[i].Clone()
				for pb.Next() {
					if _, err := s.Authenticate(req); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkHandler is the whole gateway in-process per request: routing, the check, identity
// headers and the built-in whoami, without the network.
func BenchmarkHandler(b *testing.B) {
	e := benchEnv(b)
	cols, hs := benchColumns(b, e)
	for i, c := range cols {
		h := c.in.App.Handler()
		base, _ := http.NewRequest("GET", "http://127.0.0.1"+c.path, nil)
		base.RemoteAddr = "127.0.0.1:40000"
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r := base.Clone(context.Background())
				r.Header = hs[i].Clone()
				w := &recorder{header: http.Header{}}
				h.ServeHTTP(w, r)
				if w.code != http.StatusOK {
					b.Fatalf("status %d", w.code)
				}
			}
		})
	}
}

// BenchmarkHTTP is a request over loopback HTTP, at 8 connections per core, through authgate
// and through the bare handler serving the same bytes (the pairs alternate, so run it with
// -count: benchstat then shows each one's spread).
func BenchmarkHTTP(b *testing.B) {
	e := benchEnv(b)
	cols, hs := benchColumns(b, e)
	for i, c := range cols {
		gate, err := NewRequest(c.in.URL, "GET", c.path, hs[i], nil)
		if err != nil {
			b.Fatal(err)
		}
		first, err := doOnce(context.Background(), gate)
		if err != nil || first.Status != 200 {
			b.Fatalf("%s: %v %d", c.path, err, first.Status)
		}
		srv, url, err := serveLoopback(bareHandler(first.Header, first.Body), 1<<15)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { srv.Close() })
		bare, _ := NewRequest(url, "GET", c.path, hs[i], nil)
		b.Run(c.name+"/bare", func(b *testing.B) { runHTTP(b, bare) })
		b.Run(c.name+"/authgate", func(b *testing.B) { runHTTP(b, gate) })
	}
}

func runHTTP(b *testing.B, r *Request) {
	b.ReportAllocs()
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		c, err := Dial(context.Background(), r)
		if err != nil {
			b.Error(err)
			return
		}
		defer c.Close()
		for pb.Next() {
			res, err := c.Do(context.Background(), r, false)
			if err != nil || res.Status != 200 {
				b.Errorf("%v %d", err, res.Status)
				return
			}
		}
	})
}

// BenchmarkLogin is a password login's check in-process: the user lookup and one argon2id
// verification at production parameters.
func BenchmarkLogin(b *testing.B) {
	e := benchEnv(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.a.App.Accounts.Authenticate(ctx, e.username, benchPassword); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLogout is the acknowledgement latency of POST /auth/logout on A: the store
// writes, and the wait for the staleness bound D that makes the logout hold on every instance
// once acknowledged.
func BenchmarkLogout(b *testing.B) {
	e := benchEnv(b)
	ctx := context.Background()
	users, err := e.a.revocationUsers(ctx, 1)
	if err != nil {
		b.Fatal(err)
	}
	for _, kind := range []string{authn.Hybrid, authn.Session} {
		b.Run(kind, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				var cred credential
				var h http.Header
				if kind == authn.Session {
					cred, err = e.a.issueSession(ctx, users[0])
					h = cred.cookies()
				} else {
					cred, err = e.a.issueToken(ctx, users[0])
					h = cred.bearer()
				}
				if err != nil {
					b.Fatal(err)
				}
				r, _ := NewRequest(e.a.URL, "POST", "/auth/logout", h, nil)
				b.StartTimer()
				res, err := doOnce(ctx, r)
				if err != nil || res.Status != http.StatusNoContent {
					b.Fatalf("%v %d", err, res.Status)
				}
			}
			b.ReportMetric(float64(time.Duration(e.a.bound()).Milliseconds()), "D-ms")
		})
	}
}
