package gateway_test

import (
	"encoding/json"
	"github.com/authgate/authgate/config"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// browser sends requests the way a browser would, without following redirects.
func (in *instance) browser(t testing.TB, method, path string, form url.Values, header map[string]string) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, in.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return res, string(data)
}

// sessionLogin logs in with JSON and returns the session cookie.
func (in *instance) sessionLogin(t testing.TB, user, pw string) *http.Cookie {
	t.Helper()
	res := in.do(t, "POST", "/auth/login", map[string]string{"username": user, "password": pw}, nil)
	if res.status != http.StatusOK {
		t.Fatalf("session login %s: %d %s", user, res.status, res.body)
	}
	c := sessionCookie(t, res.header)
	if c == nil {
		t.Fatalf("login set no session cookie: %v", res.header)
	}
	return c
}

func sessionCookie(t testing.TB, h http.Header) *http.Cookie {
	t.Helper()
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if strings.HasSuffix(c.Name, "authgate_session") {
			return c
		}
	}
	return nil
}

func cookieHeader(c *http.Cookie) map[string]string {
	return map[string]string{"Cookie": c.Name + "=" + c.Value}
}

func TestSessionLoginAndWebRoute(t *testing.T) { eachStore(t, testSessionLoginAndWebRoute) }

func testSessionLoginAndWebRoute(t *testing.T, newConfig func(testing.TB) config.Config) {
	in := start(t, newConfig(t))
	in.addUser(t, "alice", "correct horse", "dev")
	c := in.sessionLogin(t, "alice", "correct horse")
	if c.Name != "authgate_session" || !c.HttpOnly || c.Secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
		t.Errorf("cookie attributes: %+v", c)
	}
	// "<subject>.<secret>": the secret is 256 bits, base64url.
	if _, secret, _ := strings.Cut(c.Value, "."); len(secret) != 43 {
		t.Errorf("cookie secret %q is not 256 bits", secret)
	}
	if again := in.sessionLogin(t, "alice", "correct horse"); again.Value == c.Value {
		t.Error("a second login reused the cookie value")
	}

	res := in.do(t, "GET", "/web/home", nil, cookieHeader(c))
	wantStatus(t, "web", res, http.StatusOK, "")
	var who struct{ Route, Strategy, Username string }
	json.Unmarshal(res.body, &who)
	if who.Route != "web" || who.Strategy != "session" || who.Username != "alice" {
		t.Errorf("whoami = %s", res.body)
	}
	res = in.do(t, "GET", "/auth/me", nil, cookieHeader(c))
	if me := res.json(t); me["strategy"] != "session" || me["username"] != "alice" {
		t.Errorf("me = %s", res.body)
	}
	// A session cookie is not a bearer token, and a bearer token is not a session.
	wantStatus(t, "cookie on jwt route", in.do(t, "GET", "/api/x", nil, cookieHeader(c)), http.StatusUnauthorized, "unauthorized")
	access, _ := in.login(t, "alice", "correct horse")
	wantStatus(t, "bearer on session route", in.do(t, "GET", "/web/x", nil, bearer(access)), http.StatusUnauthorized, "unauthorized")
	i := len(c.Value) - 10
	flipped := "A"
	if c.Value[i] == 'A' {
		flipped = "B"
	}
	forged := &http.Cookie{Name: c.Name, Value: c.Value[:i] + flipped + c.Value[i+1:]}
	wantStatus(t, "forged cookie", in.do(t, "GET", "/web/x", nil, cookieHeader(forged)), http.StatusUnauthorized, "invalid_token")
	garbage := &http.Cookie{Name: c.Name, Value: "garbage"}
	wantStatus(t, "garbage cookie", in.do(t, "GET", "/web/x", nil, cookieHeader(garbage)), http.StatusUnauthorized, "invalid_token")
}

func TestFormLoginRedirectsSameOriginOnly(t *testing.T) {
	eachStore(t, testFormLoginRedirectsSameOriginOnly)
}

func testFormLoginRedirectsSameOriginOnly(t *testing.T, newConfig func(testing.TB) config.Config) {
	in := start(t, newConfig(t))
	in.addUser(t, "alice", "correct horse")
	res, body := in.browser(t, "GET", "/auth/login?rd=/web/page", nil, nil)
	if res.StatusCode != 200 || !strings.Contains(body, `name="rd" value="/web/page"`) || !strings.Contains(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("login page: %d %s", res.StatusCode, body)
	}
	for rd, want := range map[string]string{"/web/page?x=1": "/web/page?x=1", "https://evil.example/": "/", "//evil.example": "/", "/\\evil.example": "/"} {
		res, _ := in.browser(t, "POST", "/auth/login", url.Values{"username": {"alice"}, "password": {"correct horse"}, "rd": {rd}}, nil)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != want || sessionCookie(t, res.Header) == nil {
			t.Errorf("rd %q: %d Location %q", rd, res.StatusCode, res.Header.Get("Location"))
		}
	}
	wrong, wrongBody := in.browser(t, "POST", "/auth/login", url.Values{"username": {"alice"}, "password": {"nope nope"}}, nil)
	unknown, unknownBody := in.browser(t, "POST", "/auth/login", url.Values{"username": {"nobody"}, "password": {"nope nope"}}, nil)
	if wrong.StatusCode != 401 || unknown.StatusCode != 401 || sessionCookie(t, wrong.Header) != nil {
		t.Errorf("failed form logins: %d %d", wrong.StatusCode, unknown.StatusCode)
	}
	if strings.ReplaceAll(wrongBody, "alice", "nobody") != unknownBody || !strings.Contains(wrongBody, "username or password is wrong") {
		t.Errorf("unknown user and wrong password pages differ")
	}
	// A browser navigating to a session route without a session is sent to the login page.
	res, _ = in.browser(t, "GET", "/web/page?x=1", nil, map[string]string{"Accept": "text/html"})
	if res.StatusCode != http.StatusFound || res.Header.Get("Location") != "/auth/login?rd=%2Fweb%2Fpage%3Fx%3D1" {
		t.Errorf("browser redirect: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
}

func TestSessionsListDeleteAndLogout(t *testing.T) { eachStore(t, testSessionsListDeleteAndLogout) }

func testSessionsListDeleteAndLogout(t *testing.T, newConfig func(testing.TB) config.Config) {
	in := start(t, newConfig(t))
	in.addUser(t, "alice", "correct horse")
	in.addUser(t, "bob", "battery staple")
	laptop := in.sessionLogin(t, "alice", "correct horse")
	phone := in.sessionLogin(t, "alice", "correct horse")
	bob := in.sessionLogin(t, "bob", "battery staple")

	res := in.do(t, "GET", "/auth/sessions", nil, cookieHeader(laptop))
	wantStatus(t, "list", res, 200, "")
	var list struct {
		Sessions []struct {
			ID        string `json:"id"`
			Current   bool   `json:"current"`
			IP        string `json:"ip"`
			UserAgent string `json:"user_agent"`
		}
	}
	json.Unmarshal(res.body, &list)
	if len(list.Sessions) != 2 {
		t.Fatalf("sessions = %s", res.body)
	}
	var phoneID string
	for _, s := range list.Sessions {
		if strings.Contains(laptop.Value, s.ID) || strings.Contains(phone.Value, s.ID) || s.IP != "127.0.0.1" || s.UserAgent == "" {
			t.Errorf("session view %+v", s)
		}
		if !s.Current {
			phoneID = s.ID
		}
	}
	wantStatus(t, "delete another's session", in.do(t, "DELETE", "/auth/sessions/"+phoneID, nil, cookieHeader(bob)), 404, "not_found")
	wantStatus(t, "delete phone", in.do(t, "DELETE", "/auth/sessions/"+phoneID, nil, cookieHeader(laptop)), 204, "")
	wantStatus(t, "phone after delete", in.do(t, "GET", "/web/", nil, cookieHeader(phone)), 401, "invalid_token")
	wantStatus(t, "laptop still in", in.do(t, "GET", "/web/", nil, cookieHeader(laptop)), 200, "")

	res = in.do(t, "POST", "/auth/logout", nil, cookieHeader(laptop))
	wantStatus(t, "logout", res, 204, "")
	if c := sessionCookie(t, res.header); c == nil || c.MaxAge >= 0 {
		t.Errorf("logout did not clear the cookie: %v", res.header)
	}
	wantStatus(t, "after logout", in.do(t, "GET", "/web/", nil, cookieHeader(laptop)), 401, "invalid_token")
	wantStatus(t, "bob untouched", in.do(t, "GET", "/web/", nil, cookieHeader(bob)), 200, "")
}

func TestLogoutAllEndsSessionsAndRefreshFamilies(t *testing.T) {
	eachStore(t, testLogoutAllEndsSessionsAndRefreshFamilies)
}

func testLogoutAllEndsSessionsAndRefreshFamilies(t *testing.T, newConfig func(testing.TB) config.Config) {
	in := start(t, newConfig(t))
	in.addUser(t, "alice", "correct horse")
	a := in.sessionLogin(t, "alice", "correct horse")
	b := in.sessionLogin(t, "alice", "correct horse")
	_, rt := in.login(t, "alice", "correct horse")
	wantStatus(t, "logout-all", in.do(t, "POST", "/auth/logout-all", nil, cookieHeader(a)), 204, "")
	for _, c := range []*http.Cookie{a, b} {
		wantStatus(t, "session after logout-all", in.do(t, "GET", "/web/", nil, cookieHeader(c)), 401, "invalid_token")
	}
	wantStatus(t, "refresh after logout-all", in.do(t, "POST", "/auth/token/refresh", map[string]string{"refresh_token": rt}, nil), 401, "invalid_grant")
}

func TestDisablingAUserEndsItsSessions(t *testing.T) { eachStore(t, testDisablingAUserEndsItsSessions) }

func testDisablingAUserEndsItsSessions(t *testing.T, newConfig func(testing.TB) config.Config) {
	in := start(t, newConfig(t))
	in.addUser(t, "alice", "correct horse")
	c := in.sessionLogin(t, "alice", "correct horse")
	if err := in.app.Accounts.SetDisabled(t.Context(), "alice", true); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, "after disable", in.do(t, "GET", "/web/", nil, cookieHeader(c)), 401, "invalid_token")
}

func TestCrossSiteRequestsWithCookieChangeNothing(t *testing.T) {
	eachStore(t, testCrossSiteRequestsWithCookieChangeNothing)
}

func testCrossSiteRequestsWithCookieChangeNothing(t *testing.T, newConfig func(testing.TB) config.Config) {
	in := start(t, newConfig(t))
	in.addUser(t, "alice", "correct horse")
	c := in.sessionLogin(t, "alice", "correct horse")
	for name, h := range map[string]map[string]string{
		"sec-fetch-site": {"Sec-Fetch-Site": "cross-site"},
		"origin":         {"Origin": "https://evil.example"},
	} {
		h["Cookie"] = c.Name + "=" + c.Value
		for _, path := range []string{"/auth/logout", "/auth/logout-all"} {
			wantStatus(t, name+" "+path, in.do(t, "POST", path, nil, h), 403, "csrf")
		}
		wantStatus(t, name+" login", in.do(t, "POST", "/auth/login", map[string]string{"username": "alice", "password": "correct horse"}, h), 403, "csrf")
	}
	wantStatus(t, "session survives", in.do(t, "GET", "/web/", nil, cookieHeader(c)), 200, "")
	same := cookieHeader(c)
	same["Sec-Fetch-Site"] = "same-origin"
	wantStatus(t, "same-origin logout", in.do(t, "POST", "/auth/logout", nil, same), 204, "")
}

func TestSecureCookieBehindTLSProxy(t *testing.T) { eachStore(t, testSecureCookieBehindTLSProxy) }

func testSecureCookieBehindTLSProxy(t *testing.T, newConfig func(testing.TB) config.Config) {
	in := start(t, newConfig(t)) // the demo trusts loopback proxies
	in.addUser(t, "alice", "correct horse")
	res := in.do(t, "POST", "/auth/login", map[string]string{"username": "alice", "password": "correct horse"},
		map[string]string{"X-Forwarded-Proto": "https"})
	c := sessionCookie(t, res.header)
	if c == nil || c.Name != "__Host-authgate_session" || !c.Secure || c.Path != "/" || c.Domain != "" {
		t.Fatalf("cookie over https: %+v", c)
	}
	h := cookieHeader(c)
	h["X-Forwarded-Proto"] = "https"
	wantStatus(t, "https session", in.do(t, "GET", "/web/", nil, h), 200, "")
	// The same value under the plain name over https is not accepted.
	h["Cookie"] = "authgate_session=" + c.Value
	wantStatus(t, "plain name over https", in.do(t, "GET", "/web/", nil, h), 401, "unauthorized")
}

func TestAdminRouteNeedsRoleAndMFA(t *testing.T) { eachStore(t, testAdminRouteNeedsRoleAndMFA) }

func testAdminRouteNeedsRoleAndMFA(t *testing.T, newConfig func(testing.TB) config.Config) {
	in := start(t, newConfig(t))
	in.addUser(t, "root", "correct horse", "admin")
	in.addUser(t, "bob", "battery staple")
	admin := in.sessionLogin(t, "root", "correct horse")
	bob := in.sessionLogin(t, "bob", "battery staple")
	wantStatus(t, "no role", in.do(t, "GET", "/admin/", nil, cookieHeader(bob)), 403, "forbidden")
	wantStatus(t, "no mfa", in.do(t, "GET", "/admin/", nil, cookieHeader(admin)), 403, "mfa_required")
	wantStatus(t, "admin api no mfa", in.do(t, "GET", "/auth/admin/users", nil, cookieHeader(admin)), 403, "mfa_required")
	wantStatus(t, "admin api anonymous", in.do(t, "GET", "/auth/admin/users", nil, nil), 401, "unauthorized")
}

// The embedded store keeps sessions, and keeps logouts, across a restart of the instance.
func TestEmbeddedSessionsSurviveRestart(t *testing.T) {
	cfg := testConfig(t)
	first := start(t, cfg)
	first.addUser(t, "alice", "correct horse")
	kept := first.sessionLogin(t, "alice", "correct horse")
	ended := first.sessionLogin(t, "alice", "correct horse")
	wantStatus(t, "logout", first.do(t, "POST", "/auth/logout", nil, cookieHeader(ended)), 204, "")
	first.srv.Close()
	first.app.Close()

	second := start(t, cfg)
	wantStatus(t, "kept session after restart", second.do(t, "GET", "/web/", nil, cookieHeader(kept)), 200, "")
	wantStatus(t, "ended session after restart", second.do(t, "GET", "/web/", nil, cookieHeader(ended)), 401, "invalid_token")
}
