package gateway_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/authgate/authgate/internal/testenv"
)

// whoamiLikeBody is what the bare baseline handler serves: the same bytes /api/ answers with.
func bareHandler(body []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.Write(body)
	})
}

// BenchmarkRequest compares an authenticated request through authgate, per strategy, with a
// bare net/http handler serving the same body to the same request, over loopback HTTP in the
// same run. The ratio of their ns/op is the gateway's overhead. Sessions and hybrid use a real
// redis-server through the client-side cache (the steady state: no round trip per request).
func BenchmarkRequest(b *testing.B) {
	cfg := testConfig(b)
	cfg.Redis.URL = testenv.Redis(b).URL()
	in := start(b, cfg)
	in.addUser(b, "alice", "correct horse", "dev")
	access, _ := in.login(b, "alice", "correct horse")
	cookie := in.sessionLogin(b, "alice", "correct horse")
	cases := []struct {
		name, path string
		header     map[string]string
	}{
		{"jwt", "/api/bench", bearer(access)},
		{"hybrid", "/mobile/bench", bearer(access)},
		{"session", "/web/bench", cookieHeader(cookie)},
	}
	for _, tc := range cases {
		res := in.do(b, "GET", tc.path, nil, tc.header)
		if res.status != 200 {
			b.Fatalf("%s: %d %s", tc.path, res.status, res.body)
		}
		bare := httptest.NewServer(bareHandler(res.body))
		// Alternate the two so drift on a busy machine hits both alike.
		for range 2 {
			b.Run(tc.name+"/bare", func(b *testing.B) { runHTTP(b, bare.URL+tc.path, tc.header) })
			b.Run(tc.name+"/authgate", func(b *testing.B) { runHTTP(b, in.srv.URL+tc.path, tc.header) })
		}
		bare.Close()
	}
}

// runHTTP sends the request in parallel and fails on any status but 200.
func runHTTP(b *testing.B, url string, header map[string]string) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	defer client.CloseIdleConnections()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		req, _ := http.NewRequest("GET", url, nil)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		for pb.Next() {
			res, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != 200 {
				b.Fatalf("status %d", res.StatusCode)
			}
		}
	})
}

// BenchmarkAPIHandler measures the gateway's own work per /api/ request, without the network.
func BenchmarkAPIHandler(b *testing.B) {
	in := start(b, testConfig(b))
	in.addUser(b, "alice", "correct horse", "dev")
	access, _ := in.login(b, "alice", "correct horse")
	h := in.app.Handler()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest("GET", "/api/bench", nil)
		req.Header.Set("Authorization", "Bearer "+access)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatalf("status %d", w.Code)
		}
	}
}

// BenchmarkStrategyHandler measures the gateway's own work per request and strategy, without
// the network: Redis reads come from the client-side cache.
func BenchmarkStrategyHandler(b *testing.B) {
	cfg := testConfig(b)
	cfg.Redis.URL = testenv.Redis(b).URL()
	in := start(b, cfg)
	in.addUser(b, "alice", "correct horse", "dev")
	access, _ := in.login(b, "alice", "correct horse")
	cookie := in.sessionLogin(b, "alice", "correct horse")
	h := in.app.Handler()
	for _, tc := range []struct {
		name, path, header, value string
	}{
		{"jwt", "/api/bench", "Authorization", "Bearer " + access},
		{"hybrid", "/mobile/bench", "Authorization", "Bearer " + access},
		{"session", "/web/bench", "Cookie", cookie.Name + "=" + cookie.Value},
	} {
		b.Run(tc.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", tc.path, nil)
			b.ReportAllocs()
			for b.Loop() {
				r := req.Clone(req.Context())
				r.Header.Set(tc.header, tc.value)
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != 200 {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}
