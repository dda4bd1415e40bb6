package gateway_test

import (
	"net/http"
	"testing"

	"github.com/authgate/authgate/internal/testenv"
)

// redisPair is two instances sharing one Redis and one identity database, as behind a load
// balancer.
func redisPair(t *testing.T, redisURL string) (*instance, *instance) {
	cfgA := testConfig(t)
	cfgA.Redis.URL = redisURL
	cfgA.Database.URL = testenv.Postgres(t)
	cfgB := testConfig(t)
	cfgB.Redis.URL, cfgB.Database.URL = cfgA.Redis.URL, cfgA.Database.URL
	return start(t, cfgA), start(t, cfgB)
}

func TestTwoInstancesOnOneRedis(t *testing.T) {
	topologies := map[string]func(t *testing.T) string{
		"standalone": func(t *testing.T) string { return testenv.Redis(t).URL() },
		"sentinel":   func(t *testing.T) string { return testenv.Sentinel(t).URL() },
		"cluster":    func(t *testing.T) string { return testenv.Cluster(t).URL() },
	}
	for name, url := range topologies {
		t.Run(name, func(t *testing.T) {
			a, b := redisPair(t, url(t))
			a.addUser(t, "alice", "correct horse")

			// Sessions: log in on A, use on B, log out on B, A refuses the very next request.
			for range 20 {
				c := a.sessionLogin(t, "alice", "correct horse")
				wantStatus(t, "B uses A's session", b.do(t, "GET", "/web/", nil, cookieHeader(c)), 200, "")
				wantStatus(t, "A uses it", a.do(t, "GET", "/web/", nil, cookieHeader(c)), 200, "")
				wantStatus(t, "logout on B", b.do(t, "POST", "/auth/logout", nil, cookieHeader(c)), 204, "")
				wantStatus(t, "A right after", a.do(t, "GET", "/web/", nil, cookieHeader(c)), 401, "invalid_token")
			}
			// Hybrid: the same with a bearer token.
			for range 20 {
				access, _ := a.login(t, "alice", "correct horse")
				wantStatus(t, "B admits", b.do(t, "GET", "/mobile/", nil, bearer(access)), 200, "")
				wantStatus(t, "A admits", a.do(t, "GET", "/mobile/", nil, bearer(access)), 200, "")
				wantStatus(t, "logout on B", b.do(t, "POST", "/auth/logout", nil, bearer(access)), 204, "")
				wantStatus(t, "A right after", a.do(t, "GET", "/mobile/", nil, bearer(access)), 401, "revoked")
			}
		})
	}
}

// With Redis down, session and hybrid routes refuse with 503 and jwt routes keep working; when
// Redis returns, service resumes without a restart.
func TestRedisOutageFailsClosed(t *testing.T) {
	srv := testenv.Redis(t)
	cfg := testConfig(t)
	cfg.Redis.URL = srv.URL()
	in := start(t, cfg)
	in.addUser(t, "alice", "correct horse")
	c := in.sessionLogin(t, "alice", "correct horse")
	access, _ := in.login(t, "alice", "correct horse")

	srv.Stop()
	waitUntil(t, "session route to refuse", func() bool {
		return in.do(t, "GET", "/web/", nil, cookieHeader(c)).status == http.StatusServiceUnavailable
	})
	wantStatus(t, "session route", in.do(t, "GET", "/web/", nil, cookieHeader(c)), 503, "store_unavailable")
	wantStatus(t, "hybrid route", in.do(t, "GET", "/mobile/", nil, bearer(access)), 503, "store_unavailable")
	wantStatus(t, "jwt route", in.do(t, "GET", "/api/", nil, bearer(access)), 200, "")
	wantStatus(t, "readiness", in.do(t, "GET", "/readyz", nil, nil), 503, "")
	res := in.do(t, "POST", "/auth/login", map[string]string{"username": "alice", "password": "correct horse"}, nil)
	if res.status != http.StatusServiceUnavailable {
		t.Errorf("session login with Redis down: %d %s", res.status, res.body)
	}

	// The test server keeps nothing on disk: it comes back empty, as a fresh Redis would.
	srv.Start()
	waitUntil(t, "recovery", func() bool {
		return in.do(t, "GET", "/mobile/", nil, bearer(access)).status == http.StatusOK
	})
	fresh := in.sessionLogin(t, "alice", "correct horse")
	wantStatus(t, "session after recovery", in.do(t, "GET", "/web/", nil, cookieHeader(fresh)), 200, "")
}

// waitUntil polls cond with a generous bound; it asserts that something happens, not how fast.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for range 600 {
		if cond() {
			return
		}
		sleep()
	}
	t.Fatalf("timed out waiting for %s", what)
}
