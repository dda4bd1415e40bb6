package gateway_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// whoamiLikeBody is what the bare baseline handler serves: the same bytes /api/ answers with.
func bareHandler(body []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.Write(body)
	})
}

// BenchmarkAPIRequest compares an authenticated /api/ request through authgate (jwt strategy,
// verified-token cache, built-in whoami) with a bare net/http handler serving the same body, over
// loopback HTTP in the same run. The ratio of their ns/op is the gateway's overhead.
func BenchmarkAPIRequest(b *testing.B) {
	in := start(b, testConfig(b))
	in.addUser(b, "alice", "correct horse", "dev")
	access, _ := in.login(b, "alice", "correct horse")
	res := in.do(b, "GET", "/api/bench", nil, bearer(access))
	if res.status != 200 {
		b.Fatalf("api: %d %s", res.status, res.body)
	}
	bare := httptest.NewServer(bareHandler(res.body))
	defer bare.Close()

	// Both receive the same request, bearer token included: only the handling differs.
	run := func(b *testing.B, url string) {
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
		defer client.CloseIdleConnections()
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			req, _ := http.NewRequest("GET", url, nil)
			req.Header.Set("Authorization", "Bearer "+access)
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
	// Alternate the two so drift on a busy machine hits both alike.
	for range 2 {
		b.Run("bare", func(b *testing.B) { run(b, bare.URL+"/api/bench") })
		b.Run("authgate-jwt", func(b *testing.B) { run(b, in.srv.URL+"/api/bench") })
	}
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
