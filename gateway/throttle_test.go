package gateway_test

import (
	"net/http"
	"strconv"
	"testing"
)

// Failed logins lock the account for every instance sharing the store, the right password
// included, and unknown accounts answer the same way.
func TestLockoutSharedByInstances(t *testing.T) {
	cfg := testConfig(t)
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
