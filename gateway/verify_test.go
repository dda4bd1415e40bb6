package gateway_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/authgate/authgate/config"
	"github.com/authgate/authgate/gateway"
	"github.com/authgate/authgate/token"
)

// GET /auth/verify called directly, as a proxy would: the test client is on loopback, which the
// default configuration trusts.

// forwardedFor returns the headers a proxy sends for the original request.
func forwardedFor(method, uri string, extra ...string) map[string]string {
	h := map[string]string{"X-Forwarded-Method": method, "X-Forwarded-Uri": uri}
	for i := 0; i+1 < len(extra); i += 2 {
		h[extra[i]] = extra[i+1]
	}
	return h
}

func TestVerifyAnswersForTheForwardedRequest(t *testing.T) {
	in := start(t, testConfig(t))
	in.addUser(t, "alice", "correct horse", "dev", "ops")
	in.addUser(t, "bob", "battery staple")
	in.addUser(t, "root", "root password", "admin")
	access, _ := in.login(t, "alice", "correct horse")
	alice := in.sessionLogin(t, "alice", "correct horse")
	bob := in.sessionLogin(t, "bob", "battery staple")
	root := in.sessionLogin(t, "root", "root password")
	with := func(h map[string]string, more map[string]string) map[string]string {
		for k, v := range more {
			h[k] = v
		}
		return h
	}

	for _, method := range []string{"GET", "HEAD"} {
		res := in.do(t, method, "/auth/verify", nil, with(forwardedFor("POST", "/api/orders?x=../../admin"), bearer(access)))
		wantStatus(t, method+" bearer on /api/", res, http.StatusOK, "")
		want := map[string]string{"X-Auth-User": "alice", "X-Auth-Roles": "dev,ops", "X-Auth-Strategy": "jwt",
			"X-Auth-Mfa": "false", "X-Auth-Route": "api"}
		for k, v := range want {
			if got := res.header.Get(k); got != v {
				t.Errorf("%s: %s = %q, want %q", method, k, got, v)
			}
		}
		if res.header.Get("X-Auth-Subject") == "" || len(res.body) != 0 {
			t.Errorf("%s: subject %q, body %q", method, res.header.Get("X-Auth-Subject"), res.body)
		}
	}

	res := in.do(t, "GET", "/auth/verify", nil, with(forwardedFor("GET", "/web/home"), cookieHeader(alice)))
	wantStatus(t, "cookie on /web/", res, http.StatusOK, "")
	if res.header.Get("X-Auth-User") != "alice" || res.header.Get("X-Auth-Strategy") != "session" {
		t.Errorf("cookie on /web/: %v", res.header)
	}
	// nginx sends X-Original-URI; the same value under both names is fine.
	wantStatus(t, "X-Original-URI", in.do(t, "GET", "/auth/verify", nil,
		map[string]string{"X-Original-URI": "/web/", "X-Original-Method": "GET", "Cookie": cookieHeader(alice)["Cookie"]}), http.StatusOK, "")
	wantStatus(t, "both names agreeing", in.do(t, "GET", "/auth/verify", nil,
		with(forwardedFor("GET", "/web/", "X-Original-URI", "/web/"), cookieHeader(alice))), http.StatusOK, "")

	cases := []struct {
		name   string
		header map[string]string
		status int
		code   string
	}{
		{"no credential", forwardedFor("GET", "/api/x"), 401, "unauthorized"},
		{"broken token", with(forwardedFor("GET", "/api/x"), bearer("not.a.token")), 401, "invalid_token"},
		{"cookie on a bearer route", with(forwardedFor("GET", "/api/x"), cookieHeader(alice)), 401, "unauthorized"},
		{"no session", forwardedFor("GET", "/web/x"), 401, "unauthorized"},
		{"admin without role", with(forwardedFor("GET", "/admin/"), cookieHeader(bob)), 403, "forbidden"},
		{"admin without mfa", with(forwardedFor("GET", "/admin/users"), cookieHeader(root)), 403, "mfa_required"},
		{"unmatched", with(forwardedFor("GET", "/elsewhere"), bearer(access)), 404, "not_found"},
		{"bare prefix name is the route", forwardedFor("GET", "/api"), 401, "unauthorized"},
		{"missing uri", with(map[string]string{"X-Forwarded-Method": "GET"}, bearer(access)), 400, "missing_forwarded_uri"},
		{"missing method", with(map[string]string{"X-Forwarded-Uri": "/api/x"}, bearer(access)), 400, "missing_forwarded_method"},
		{"traversal", with(forwardedFor("GET", "/web/../admin/"), cookieHeader(bob)), 400, "invalid_path"},
		{"encoded traversal", with(forwardedFor("GET", "/web/%2e%2e/admin/"), cookieHeader(bob)), 400, "invalid_path"},
		{"double slash", with(forwardedFor("GET", "//admin/"), cookieHeader(bob)), 400, "invalid_path"},
		{"backslash", with(forwardedFor("GET", "/web\\..\\admin/"), cookieHeader(bob)), 400, "invalid_path"},
		{"relative", with(forwardedFor("GET", "web/x"), cookieHeader(bob)), 400, "invalid_path"},
		{"absolute url", with(forwardedFor("GET", "http://evil.example/web/x"), cookieHeader(bob)), 400, "invalid_path"},
		{"bad escape", with(forwardedFor("GET", "/web/%zz"), cookieHeader(bob)), 400, "invalid_path"},
		{"names disagree", with(forwardedFor("GET", "/web/x", "X-Original-URI", "/admin/"), cookieHeader(bob)), 400, "ambiguous_forwarded_request"},
		{"methods disagree", with(forwardedFor("GET", "/web/x", "X-Original-Method", "POST"), cookieHeader(bob)), 400, "ambiguous_forwarded_request"},
		{"bad method", with(forwardedFor("GE T", "/web/x"), cookieHeader(bob)), 400, "invalid_forwarded_method"},
		{"host list", with(forwardedFor("GET", "/web/x", "X-Forwarded-Host", "a.example, b.example"), cookieHeader(bob)), 400, "invalid_forwarded_host"},
		{"host with path", with(forwardedFor("GET", "/web/x", "X-Forwarded-Host", "a.example/x"), cookieHeader(bob)), 400, "invalid_forwarded_host"},
	}
	for _, tc := range cases {
		res := in.do(t, "GET", "/auth/verify", nil, tc.header)
		wantStatus(t, tc.name, res, tc.status, tc.code)
		bearerRoute := strings.HasPrefix(tc.header["X-Forwarded-Uri"], "/api")
		if got := res.header.Get("WWW-Authenticate"); tc.status == 401 && bearerRoute != strings.HasPrefix(got, "Bearer") {
			t.Errorf("%s: WWW-Authenticate %q", tc.name, got)
		}
		if res.header.Get("X-Auth-User") != "" {
			t.Errorf("%s: refused, yet X-Auth-User %q", tc.name, res.header.Get("X-Auth-User"))
		}
	}

	// A repeated header is as ambiguous as two that disagree.
	req, _ := http.NewRequest("GET", in.srv.URL+"/auth/verify", nil)
	req.Header["X-Forwarded-Uri"] = []string{"/web/x", "/admin/"}
	req.Header.Set("X-Forwarded-Method", "GET")
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusBadRequest {
		t.Errorf("repeated X-Forwarded-Uri: %d", r.StatusCode)
	}

	// Only GET and HEAD.
	wantStatus(t, "POST /auth/verify", in.do(t, "POST", "/auth/verify", nil, forwardedFor("GET", "/api/x")), 405, "method_not_allowed")

	// Checks are counted like those of proxied requests.
	res = in.do(t, "GET", "/metrics", nil, nil)
	for _, want := range []string{
		`authgate_requests_total{outcome="allowed",route="api",strategy="jwt"} 2`,
		`authgate_requests_total{outcome="forbidden",route="admin",strategy="session"} 2`,
		`authgate_requests_total{outcome="unauthorized",route="web",strategy="session"} 1`,
	} {
		if !strings.Contains(string(res.body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestVerifyRefusesUntrustedCallers(t *testing.T) {
	cfg := testConfig(t)
	cfg.TrustedProxies = []string{"192.0.2.1/32"} // not the test client's loopback address
	in := start(t, cfg)
	in.addUser(t, "alice", "correct horse")
	access, _ := in.login(t, "alice", "correct horse")
	h := forwardedFor("GET", "/api/x")
	h["Authorization"] = "Bearer " + access
	res := in.do(t, "GET", "/auth/verify", nil, h)
	wantStatus(t, "untrusted caller", res, http.StatusForbidden, "untrusted_proxy")
	if res.header.Get("X-Auth-User") != "" {
		t.Errorf("untrusted caller got an identity: %v", res.header)
	}
	// Even with nothing to describe.
	wantStatus(t, "untrusted, no headers", in.do(t, "GET", "/auth/verify", nil, nil), http.StatusForbidden, "untrusted_proxy")
}

// A browser navigation without a session gets 401 (for nginx), or with ?redirect=1 (for
// Traefik and Caddy, which pass the answer through) 302 to the login page on the original host.
func TestVerifyLoginRedirectOnlyWhenAsked(t *testing.T) {
	in := start(t, testConfig(t))
	in.addUser(t, "bob", "battery staple")
	// The proxy says https, so the session is looked for under the __Host- name.
	bob := "__Host-authgate_session=" + in.sessionLogin(t, "bob", "battery staple").Value
	html := "text/html,application/xhtml+xml"
	browser := func(method, uri string) map[string]string {
		return forwardedFor(method, uri, "Accept", html, "X-Forwarded-Host", "app.example:8443", "X-Forwarded-Proto", "https")
	}
	const login = "https://app.example:8443/auth/login?rd=%2Fweb%2Fpage%3Fx%3D1%26y%3D2"
	cases := []struct {
		name     string
		verify   string
		header   map[string]string
		status   int
		location string
	}{
		{"browser, redirect=1", "/auth/verify?redirect=1", browser("GET", "/web/page?x=1&y=2"), 302, login},
		{"browser, HEAD, redirect=1", "/auth/verify?redirect=1", browser("HEAD", "/web/page?x=1&y=2"), 302, login},
		{"browser without redirect=1 (nginx)", "/auth/verify", browser("GET", "/web/page?x=1&y=2"), 401, ""},
		{"redirect=0", "/auth/verify?redirect=0", browser("GET", "/web/page"), 401, ""},
		{"not a browser", "/auth/verify?redirect=1", forwardedFor("GET", "/web/page", "Accept", "application/json"), 401, ""},
		{"a form post", "/auth/verify?redirect=1", browser("POST", "/web/page"), 401, ""},
		{"a bearer route", "/auth/verify?redirect=1", browser("GET", "/api/page"), 401, ""},
		{"a session route, no session", "/auth/verify?redirect=1", browser("GET", "/admin/"), 302, "https://app.example:8443/auth/login?rd=%2Fadmin%2F"},
		{"a session route that forbids", "/auth/verify?redirect=1", withCookie(browser("GET", "/admin/"), bob), 403, ""},
		{"plain http", "/auth/verify?redirect=1", forwardedFor("GET", "/web/p", "Accept", html, "X-Forwarded-Host", "app.example"), 302,
			"http://app.example/auth/login?rd=%2Fweb%2Fp"},
	}
	for _, tc := range cases {
		res, _ := in.browser(t, "GET", tc.verify, nil, tc.header)
		if res.StatusCode != tc.status || res.Header.Get("Location") != tc.location {
			t.Errorf("%s: %d Location %q, want %d %q", tc.name, res.StatusCode, res.Header.Get("Location"), tc.status, tc.location)
		}
	}
	// The login page it points to takes the browser back to where it was.
	res, body := in.browser(t, "GET", "/auth/login?rd=%2Fweb%2Fpage%3Fx%3D1%26y%3D2", nil, nil)
	if res.StatusCode != 200 || !strings.Contains(body, `value="/web/page?x=1&amp;y=2"`) {
		t.Errorf("login page: %d %s", res.StatusCode, body)
	}
}

func withCookie(h map[string]string, cookie string) map[string]string {
	h["Cookie"] = cookie
	return h
}

// A route with identity_token gets its signed identity token in the verify answer too.
func TestVerifyGivesTheRouteIdentityToken(t *testing.T) {
	cfg := testConfig(t)
	cfg.Routes = []config.Route{{Name: "orders", Prefix: "/orders/", Strategy: "hybrid", Upstream: "whoami", IdentityToken: true}}
	in := start(t, cfg)
	in.addUser(t, "alice", "correct horse")
	access, _ := in.login(t, "alice", "correct horse")
	h := forwardedFor("GET", "/orders/1")
	h["Authorization"] = "Bearer " + access
	res := in.do(t, "GET", "/auth/verify", nil, h)
	wantStatus(t, "verify", res, 200, "")
	keys, err := token.NewRemoteKeySet(in.srv.URL + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	v, _ := token.NewVerifier(keys, token.WithIssuer(cfg.Issuer), token.WithVerifierAudience("orders"), token.WithType(gateway.IdentityTokenType))
	claims, err := v.Verify(res.header.Get(gateway.HeaderIdentityToken))
	if err != nil || claims.Username != "alice" {
		t.Fatalf("identity token %q: %v", res.header.Get(gateway.HeaderIdentityToken), err)
	}
}
