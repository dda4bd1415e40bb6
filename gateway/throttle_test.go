package gateway_test

import (
	"encoding/json"
	"github.com/authgate/authgate/config"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// Failed logins lock the account for every instance sharing the store, the right password
// included, and unknown accounts answer the same way.
func TestLockoutSharedByInstances(t *testing.T) { eachStore(t, testLockoutSharedByInstances) }

func testLockoutSharedByInstances(t *testing.T, newConfig func(testing.TB) config.Config) {
	cfg := newConfig(t)
	a := start(t, cfg)
	b := start(t, cfg) // same data dir: the same embedded store
	a.addUser(t, "alice", "correct horse")

	for _, name := range []string{"alice", "nobody"} {
		wrong := map[string]string{"username": name, "password": "wrong password"}
		for i := range 5 {
			in := []*instance{a, b}[i%2]
			wantStatus(t, "wrong password", in.do(t, "POST", "/auth/token", wrong, nil), http.StatusUnauthorized, "invalid_credentials")
		}
		for _, in := range []*instance{a, b} {
			res := in.do(t, "POST", "/auth/token", map[string]string{"username": name, "password": "correct horse"}, nil)
			wantStatus(t, name+" locked", res, http.StatusTooManyRequests, "too_many_attempts")
			if s, err := strconv.Atoi(res.header.Get("Retry-After")); err != nil || s < 1 {
				t.Errorf("Retry-After = %q", res.header.Get("Retry-After"))
			}
			// Browser logins of the account are locked too.
			form := in.do(t, "POST", "/auth/login", map[string]string{"username": name, "password": "correct horse"}, nil)
			wantStatus(t, name+" session login locked", form, http.StatusTooManyRequests, "too_many_attempts")
		}
	}
	// Another account from the same address is not locked by these few failures.
	a.addUser(t, "bob", "battery staple")
	a.login(t, "bob", "battery staple")
}

func TestAuditLogRecordsSecurityEvents(t *testing.T) {
	in, c := startWithClock(t)
	in.addUser(t, "root", "correct horse", "admin")
	in.do(t, "POST", "/auth/token", map[string]string{"username": "root", "password": "wrong password"}, nil)
	access, _ := in.login(t, "root", "correct horse")
	secret := enableTOTP(t, in, c, access)
	res := in.do(t, "POST", "/auth/token", map[string]string{"username": "root", "password": "correct horse", "totp": code(t, secret, c)}, nil)
	admin := res.str(t, "access_token")
	in.do(t, "POST", "/auth/logout", nil, bearer(admin))
	res = in.do(t, "POST", "/auth/token", map[string]string{"username": "root", "password": "correct horse", "totp": code(t, secret, c)}, nil)
	wantStatus(t, "replayed code", res, 401, "invalid_code")
	c.Step()
	res = in.do(t, "POST", "/auth/token", map[string]string{"username": "root", "password": "correct horse", "totp": code(t, secret, c)}, nil)
	admin = res.str(t, "access_token")

	res = in.do(t, "GET", "/auth/admin/audit", nil, bearer(admin))
	wantStatus(t, "audit", res, 200, "")
	var body struct {
		Events []struct{ Kind, Username, IP string }
	}
	json.Unmarshal(res.body, &body)
	kinds := map[string]int{}
	for _, e := range body.Events {
		kinds[e.Kind]++
		if e.Username != "root" || e.IP != "127.0.0.1" {
			t.Errorf("event %+v", e)
		}
	}
	for kind, n := range map[string]int{"login_failed": 2, "login": 3, "mfa_enabled": 1, "logout": 1} {
		if kinds[kind] != n {
			t.Errorf("%d %s events, want %d (all: %v)", kinds[kind], kind, n, kinds)
		}
	}
	if strings.Contains(string(res.body), secret) || strings.Contains(string(res.body), admin) {
		t.Error("the audit log holds a secret or a token")
	}
}
