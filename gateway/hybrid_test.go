package gateway_test

import (
	"encoding/json"
	"github.com/authgate/authgate/config"
	"net/http"
	"testing"
)

func TestHybridRouteAndImmediateLogout(t *testing.T) { eachStore(t, testHybridRouteAndImmediateLogout) }

func testHybridRouteAndImmediateLogout(t *testing.T, newConfig func(testing.TB) config.Config) {
	in := start(t, newConfig(t))
	in.addUser(t, "alice", "correct horse", "dev")
	access, _ := in.login(t, "alice", "correct horse")
	other, _ := in.login(t, "alice", "correct horse")

	res := in.do(t, "GET", "/mobile/feed", nil, bearer(access))
	wantStatus(t, "mobile", res, http.StatusOK, "")
	var who struct{ Route, Strategy, Username string }
	json.Unmarshal(res.body, &who)
	if who.Route != "mobile" || who.Strategy != "hybrid" || who.Username != "alice" {
		t.Errorf("whoami = %s", res.body)
	}

	wantStatus(t, "logout", in.do(t, "POST", "/auth/logout", nil, bearer(access)), http.StatusNoContent, "")
	wantStatus(t, "hybrid after logout", in.do(t, "GET", "/mobile/feed", nil, bearer(access)), http.StatusUnauthorized, "revoked")
	wantStatus(t, "own endpoints after logout", in.do(t, "GET", "/auth/me", nil, bearer(access)), http.StatusUnauthorized, "revoked")
	wantStatus(t, "logout again", in.do(t, "POST", "/auth/logout", nil, bearer(access)), http.StatusNoContent, "")
	// The trade-off the strategies exist for: jwt keeps admitting the same token until exp.
	wantStatus(t, "jwt after logout", in.do(t, "GET", "/api/feed", nil, bearer(access)), http.StatusOK, "")
	// Another login of the same user is another session: untouched.
	wantStatus(t, "other login", in.do(t, "GET", "/mobile/feed", nil, bearer(other)), http.StatusOK, "")
}

func TestHybridLogoutEndsEveryTokenOfTheLogin(t *testing.T) {
	eachStore(t, testHybridLogoutEndsEveryTokenOfTheLogin)
}

func testHybridLogoutEndsEveryTokenOfTheLogin(t *testing.T, newConfig func(testing.TB) config.Config) {
	in := start(t, newConfig(t))
	in.addUser(t, "alice", "correct horse")
	first, rt := in.login(t, "alice", "correct horse")
	res := in.do(t, "POST", "/auth/token/refresh", map[string]string{"refresh_token": rt}, nil)
	wantStatus(t, "refresh", res, 200, "")
	second := res.str(t, "access_token")
	wantStatus(t, "logout second", in.do(t, "POST", "/auth/logout", nil, bearer(second)), 204, "")
	// first was issued by the same login (sid) before the refresh: it ends too.
	wantStatus(t, "first token of the login", in.do(t, "GET", "/mobile/", nil, bearer(first)), 401, "revoked")
}

func TestHybridRefusesAfterEveryEndingAction(t *testing.T) {
	eachStore(t, testHybridRefusesAfterEveryEndingAction)
}

func testHybridRefusesAfterEveryEndingAction(t *testing.T, newConfig func(testing.TB) config.Config) {
	cases := []struct {
		name string
		end  func(t *testing.T, in *instance, access, refresh string)
	}{
		{"logout-all", func(t *testing.T, in *instance, access, _ string) {
			wantStatus(t, "logout-all", in.do(t, "POST", "/auth/logout-all", nil, bearer(access)), 204, "")
		}},
		{"disable", func(t *testing.T, in *instance, _, _ string) {
			if err := in.app.Accounts.SetDisabled(t.Context(), "alice", true); err != nil {
				t.Fatal(err)
			}
		}},
		{"password change", func(t *testing.T, in *instance, _, _ string) {
			if err := in.app.Accounts.SetPassword(t.Context(), "alice", "another password"); err != nil {
				t.Fatal(err)
			}
		}},
		{"refresh reuse", func(t *testing.T, in *instance, _, rt string) {
			wantStatus(t, "refresh", in.do(t, "POST", "/auth/token/refresh", map[string]string{"refresh_token": rt}, nil), 200, "")
			wantStatus(t, "reuse", in.do(t, "POST", "/auth/token/refresh", map[string]string{"refresh_token": rt}, nil), 401, "invalid_grant")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := start(t, newConfig(t))
			in.addUser(t, "alice", "correct horse")
			in.addUser(t, "bob", "battery staple")
			access, rt := in.login(t, "alice", "correct horse")
			bob, _ := in.login(t, "bob", "battery staple")
			wantStatus(t, "before", in.do(t, "GET", "/mobile/", nil, bearer(access)), 200, "")
			tc.end(t, in, access, rt)
			wantStatus(t, "after", in.do(t, "GET", "/mobile/", nil, bearer(access)), 401, "revoked")
			wantStatus(t, "another user", in.do(t, "GET", "/mobile/", nil, bearer(bob)), 200, "")
		})
	}
}

func TestHybridNewLoginAfterLogoutAllWorksAtOnce(t *testing.T) {
	eachStore(t, testHybridNewLoginAfterLogoutAllWorksAtOnce)
}

func testHybridNewLoginAfterLogoutAllWorksAtOnce(t *testing.T, newConfig func(testing.TB) config.Config) {
	in := start(t, newConfig(t))
	in.addUser(t, "alice", "correct horse")
	access, _ := in.login(t, "alice", "correct horse")
	wantStatus(t, "logout-all", in.do(t, "POST", "/auth/logout-all", nil, bearer(access)), 204, "")
	// Generations, not clock times: a login in the same second as the ending is not refused.
	fresh, _ := in.login(t, "alice", "correct horse")
	wantStatus(t, "fresh login", in.do(t, "GET", "/mobile/", nil, bearer(fresh)), 200, "")
}
