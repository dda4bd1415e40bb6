package gateway_test

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/authgate/authgate/internal/testenv"
	"github.com/authgate/authgate/store/redis"
)

// authgate works with the least-privilege ACL user the README documents: every flow that
// touches Redis, under exactly redis.ACLRules.
func TestLeastPrivilegeRedisUser(t *testing.T) {
	srv := testenv.Redis(t, testenv.WithACLRules("authgate", "s3cret-pw", redis.ACLRules))
	cfg := testConfig(t)
	cfg.Redis.URL = srv.URL()
	in := start(t, cfg)
	in.addUser(t, "alice", "correct horse")

	res := in.do(t, "POST", "/auth/login", map[string]string{"username": "alice", "password": "correct horse"}, nil)
	if res.status != 200 {
		t.Fatalf("login %d; ACL LOG:\n%s", res.status, aclLog(t, srv))
	}
	c := in.sessionLogin(t, "alice", "correct horse")
	wantStatus(t, "session", in.do(t, "GET", "/web/", nil, cookieHeader(c)), 200, "")
	wantStatus(t, "sessions list", in.do(t, "GET", "/auth/sessions", nil, cookieHeader(c)), 200, "")
	wantStatus(t, "session logout", in.do(t, "POST", "/auth/logout", nil, cookieHeader(c)), 204, "")
	wantStatus(t, "after logout", in.do(t, "GET", "/web/", nil, cookieHeader(c)), 401, "invalid_token")

	access, _ := in.login(t, "alice", "correct horse")
	wantStatus(t, "hybrid", in.do(t, "GET", "/mobile/", nil, bearer(access)), 200, "")
	wantStatus(t, "hybrid logout", in.do(t, "POST", "/auth/logout", nil, bearer(access)), 204, "")
	wantStatus(t, "hybrid after logout", in.do(t, "GET", "/mobile/", nil, bearer(access)), 401, "revoked")
	access, _ = in.login(t, "alice", "correct horse")
	wantStatus(t, "logout-all", in.do(t, "POST", "/auth/logout-all", nil, bearer(access)), 204, "")

	wrong := map[string]string{"username": "alice", "password": "wrong password"}
	wantStatus(t, "failed login counted", in.do(t, "POST", "/auth/token", wrong, nil), 401, "invalid_credentials")
	wantStatus(t, "readiness", in.do(t, "GET", "/readyz", nil, nil), 200, "")
	if log := aclLog(t, srv); strings.TrimSpace(log) != "" {
		t.Errorf("Redis refused commands to the ACL user:\n%s", log)
	}
}

// aclLog returns Redis' log of refused commands, read as the (open) default user.
func aclLog(t *testing.T, srv *testenv.RedisServer) string {
	out, err := exec.Command("redis-cli", "-p", strconv.Itoa(srv.Port()), "ACL", "LOG").CombinedOutput()
	if err != nil {
		t.Fatalf("redis-cli ACL LOG: %v %s", err, out)
	}
	return string(out)
}
