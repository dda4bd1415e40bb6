package gateway_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
)

func TestTokenLoginAndAPIRoute(t *testing.T) {
	in := start(t, testConfig(t))
	in.addUser(t, "alice", "correct horse", "admin", "dev")

	res := in.do(t, "POST", "/auth/token", map[string]string{"username": "alice", "password": "correct horse"}, nil)
	wantStatus(t, "login", res, http.StatusOK, "")
	body := res.json(t)
	if body["token_type"] != "Bearer" || body["expires_in"].(float64) != 300 || body["refresh_expires_in"].(float64) <= 0 {
		t.Errorf("token response = %s", res.body)
	}
	if res.header.Get("Cache-Control") != "no-store" {
		t.Errorf("token response Cache-Control = %q", res.header.Get("Cache-Control"))
	}
	access := body["access_token"].(string)

	// Identity headers a client sends are replaced by authgate's, in any spelling.
	h := bearer(access)
	h["X-Auth-User"] = "mallory"
	h["X-Auth-Roles"] = "root"
	res = in.do(t, "GET", "/api/orders", nil, h)
	wantStatus(t, "api", res, http.StatusOK, "")
	var who struct {
		Route, Strategy, Subject, Username string
		Roles                              []string
		MFA                                bool
	}
	if err := json.Unmarshal(res.body, &who); err != nil {
		t.Fatal(err)
	}
	if who.Route != "api" || who.Strategy != "jwt" || who.Username != "alice" || who.Subject == "" ||
		strings.Join(who.Roles, ",") != "admin,dev" || who.MFA {
		t.Errorf("whoami = %+v", who)
	}

	// authgate's own endpoints check bearer tokens against the revocation list: hybrid.
	res = in.do(t, "GET", "/auth/me", nil, bearer(access))
	wantStatus(t, "me", res, http.StatusOK, "")
	if me := res.json(t); me["username"] != "alice" || me["strategy"] != "hybrid" || me["subject"] != who.Subject {
		t.Errorf("me = %s", res.body)
	}
}

func TestUnauthenticatedRequests(t *testing.T) {
	in := start(t, testConfig(t))
	res := in.do(t, "GET", "/api/x", nil, nil)
	wantStatus(t, "no token", res, http.StatusUnauthorized, "unauthorized")
	if !strings.HasPrefix(res.header.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("WWW-Authenticate = %q", res.header.Get("WWW-Authenticate"))
	}
	for name, h := range map[string]map[string]string{
		"garbage":     bearer("garbage"),
		"jwt shape":   bearer("a.b.c"),
		"basic":       {"Authorization": "Basic YTpi"},
		"refresh":     bearer("agrt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
		"oversized":   bearer(strings.Repeat("a", 20000)),
		"not token68": {"Authorization": "Bearer a b c"},
	} {
		res := in.do(t, "GET", "/api/x", nil, h)
		wantStatus(t, name, res, http.StatusUnauthorized, "invalid_token")
		if !strings.Contains(res.header.Get("WWW-Authenticate"), `error="invalid_token"`) {
			t.Errorf("%s: WWW-Authenticate = %q", name, res.header.Get("WWW-Authenticate"))
		}
	}
}

func TestUnknownUserAndWrongPasswordLookTheSame(t *testing.T) {
	in := start(t, testConfig(t))
	in.addUser(t, "alice", "correct horse")
	wrong := in.do(t, "POST", "/auth/token", map[string]string{"username": "alice", "password": "wrong password"}, nil)
	unknown := in.do(t, "POST", "/auth/token", map[string]string{"username": "nobody", "password": "wrong password"}, nil)
	wantStatus(t, "wrong password", wrong, http.StatusUnauthorized, "invalid_credentials")
	if unknown.status != wrong.status || string(unknown.body) != string(wrong.body) {
		t.Errorf("unknown user %d %s, wrong password %d %s", unknown.status, unknown.body, wrong.status, wrong.body)
	}
	if err := in.app.Accounts.SetDisabled(t.Context(), "alice", true); err != nil {
		t.Fatal(err)
	}
	disabled := in.do(t, "POST", "/auth/token", map[string]string{"username": "alice", "password": "correct horse"}, nil)
	if disabled.status != wrong.status || string(disabled.body) != string(wrong.body) {
		t.Errorf("disabled user %d %s", disabled.status, disabled.body)
	}
}

func TestBadRequestBodies(t *testing.T) {
	cfg := testConfig(t)
	cfg.Limits.MaxBodyBytes = 4096
	in := start(t, cfg)
	cases := []struct {
		name        string
		contentType string
		body        string
		status      int
		code        string
	}{
		{"malformed", "application/json", `{"username":`, 400, "invalid_json"},
		{"not object", "application/json", `[1,2]`, 400, "invalid_json"},
		{"wrong type", "application/json", `{"username":5,"password":"x"}`, 400, "invalid_json"},
		{"unknown field", "application/json", `{"username":"a","password":"b","admin":true}`, 400, "invalid_json"},
		{"two objects", "application/json", `{"username":"a","password":"b"}{}`, 400, "invalid_json"},
		{"empty", "application/json", ``, 400, "invalid_json"},
		{"missing fields", "application/json", `{}`, 400, "invalid_request"},
		{"oversized", "application/json", `{"username":"` + strings.Repeat("a", 5000) + `"}`, 413, "body_too_large"},
		{"form", "application/x-www-form-urlencoded", `username=a&password=b`, 415, "unsupported_media_type"},
		{"no type", "", `{"username":"a","password":"b"}`, 415, "unsupported_media_type"},
		{"bad type", "application/json; charset", `{}`, 415, "unsupported_media_type"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", in.srv.URL+"/auth/token", strings.NewReader(tc.body))
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var body struct{ Error, Message string }
			if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
				t.Fatalf("error body is not JSON: %v", err)
			}
			if res.StatusCode != tc.status || body.Error != tc.code || body.Message == "" {
				t.Errorf("status %d body %+v, want %d %q", res.StatusCode, body, tc.status, tc.code)
			}
		})
	}
}

func TestRefreshRotationAndReuseDetection(t *testing.T) {
	in := start(t, testConfig(t))
	in.addUser(t, "alice", "correct horse")
	_, r1 := in.login(t, "alice", "correct horse")

	res := in.do(t, "POST", "/auth/token/refresh", map[string]string{"refresh_token": r1}, nil)
	wantStatus(t, "first refresh", res, http.StatusOK, "")
	r2 := res.str(t, "refresh_token")
	if r2 == r1 || !strings.HasPrefix(r2, "agrt_") || len(r2) < 40 {
		t.Fatalf("rotated refresh token %q", r2)
	}
	a2 := res.str(t, "access_token")
	wantStatus(t, "new access token", in.do(t, "GET", "/api/", nil, bearer(a2)), http.StatusOK, "")

	// Presenting the spent r1 again is reuse: it fails, and so does the family's newest, r2.
	wantStatus(t, "reuse", in.do(t, "POST", "/auth/token/refresh", map[string]string{"refresh_token": r1}, nil), http.StatusUnauthorized, "invalid_grant")
	wantStatus(t, "newest after reuse", in.do(t, "POST", "/auth/token/refresh", map[string]string{"refresh_token": r2}, nil), http.StatusUnauthorized, "invalid_grant")

	// Another login is another family, untouched.
	_, other := in.login(t, "alice", "correct horse")
	wantStatus(t, "other family", in.do(t, "POST", "/auth/token/refresh", map[string]string{"refresh_token": other}, nil), http.StatusOK, "")
}

func TestConcurrentRefreshExactlyOneWins(t *testing.T) {
	in := start(t, testConfig(t))
	in.addUser(t, "alice", "correct horse")
	_, rt := in.login(t, "alice", "correct horse")
	const n = 8
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			statuses[i] = in.do(t, "POST", "/auth/token/refresh", map[string]string{"refresh_token": rt}, nil).status
		})
	}
	wg.Wait()
	wins := 0
	for _, s := range statuses {
		switch s {
		case http.StatusOK:
			wins++
		case http.StatusUnauthorized:
		default:
			t.Errorf("unexpected status %d", s)
		}
	}
	if wins != 1 {
		t.Fatalf("%d of %d concurrent refreshes won, want exactly 1 (%v)", wins, n, statuses)
	}
}

func TestLogoutRevokesFamilyButNotTheAccessToken(t *testing.T) {
	in := start(t, testConfig(t))
	in.addUser(t, "alice", "correct horse")
	access, rt := in.login(t, "alice", "correct horse")
	_, rtOther := in.login(t, "alice", "correct horse")

	wantStatus(t, "logout", in.do(t, "POST", "/auth/logout", nil, bearer(access)), http.StatusNoContent, "")
	wantStatus(t, "refresh after logout", in.do(t, "POST", "/auth/token/refresh", map[string]string{"refresh_token": rt}, nil), http.StatusUnauthorized, "invalid_grant")
	// The jwt trade-off: the access token itself lives until exp.
	wantStatus(t, "api after logout", in.do(t, "GET", "/api/", nil, bearer(access)), http.StatusOK, "")
	// The other login's family is untouched by a plain logout...
	res := in.do(t, "POST", "/auth/token/refresh", map[string]string{"refresh_token": rtOther}, nil)
	wantStatus(t, "other family", res, http.StatusOK, "")
	// ...and ended by logout-all.
	rtOther = res.str(t, "refresh_token")
	wantStatus(t, "logout-all", in.do(t, "POST", "/auth/logout-all", nil, bearer(res.str(t, "access_token"))), http.StatusNoContent, "")
	wantStatus(t, "after logout-all", in.do(t, "POST", "/auth/token/refresh", map[string]string{"refresh_token": rtOther}, nil), http.StatusUnauthorized, "invalid_grant")
}

func TestLogoutWithRefreshTokenOnly(t *testing.T) {
	in := start(t, testConfig(t))
	in.addUser(t, "alice", "correct horse")
	in.addUser(t, "bob", "battery staple")
	_, rt := in.login(t, "alice", "correct horse")
	bobAccess, _ := in.login(t, "bob", "battery staple")

	// Bob cannot end Alice's family with his own bearer token.
	wantStatus(t, "foreign refresh token", in.do(t, "POST", "/auth/logout", map[string]string{"refresh_token": rt}, bearer(bobAccess)), http.StatusUnauthorized, "invalid_grant")
	wantStatus(t, "logout by refresh token", in.do(t, "POST", "/auth/logout", map[string]string{"refresh_token": rt}, nil), http.StatusNoContent, "")
	wantStatus(t, "refresh after logout", in.do(t, "POST", "/auth/token/refresh", map[string]string{"refresh_token": rt}, nil), http.StatusUnauthorized, "invalid_grant")
	wantStatus(t, "no credential at all", in.do(t, "POST", "/auth/logout", nil, nil), http.StatusUnauthorized, "unauthorized")
}

func TestPasswordChangeEndsRefreshFamilies(t *testing.T) {
	in := start(t, testConfig(t))
	in.addUser(t, "alice", "correct horse")
	_, rt := in.login(t, "alice", "correct horse")
	if err := in.app.Accounts.SetPassword(t.Context(), "alice", "new password!"); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, "refresh after passwd", in.do(t, "POST", "/auth/token/refresh", map[string]string{"refresh_token": rt}, nil), http.StatusUnauthorized, "invalid_grant")
	wantStatus(t, "old password", in.do(t, "POST", "/auth/token", map[string]string{"username": "alice", "password": "correct horse"}, nil), http.StatusUnauthorized, "invalid_credentials")
	in.login(t, "alice", "new password!")
}
