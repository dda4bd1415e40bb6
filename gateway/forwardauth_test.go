package gateway_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/authgate/authgate/config"
	"github.com/authgate/authgate/internal/testenv"
)

// Forward auth through real proxies: nginx's auth_request and Caddy's forward_auth ask
// authgate's /auth/verify about each request and pass the allowed ones to an upstream of their
// own, with the identity authgate answered. The configurations are the README's, with
// {{.Listen}}, {{.Authgate}} and {{.Upstream}} in place of the addresses.

// nginxForwardAuth is the README's nginx configuration (the contents of the http block).
const nginxForwardAuth = `
upstream authgate { server {{.Authgate}}; }
upstream app      { server {{.Upstream}}; }

server {
    listen {{.Listen}};

    # Every request needs authgate's approval, except where a location turns it off.
    auth_request /_auth;
    auth_request_set $auth_subject  $upstream_http_x_auth_subject;
    auth_request_set $auth_user     $upstream_http_x_auth_user;
    auth_request_set $auth_roles    $upstream_http_x_auth_roles;
    auth_request_set $auth_strategy $upstream_http_x_auth_strategy;
    auth_request_set $auth_mfa      $upstream_http_x_auth_mfa;
    auth_request_set $auth_route    $upstream_http_x_auth_route;
    auth_request_set $auth_token    $upstream_http_x_auth_token;
    # Set every X-Auth-* header, so that none the client sent reaches the app.
    proxy_set_header X-Auth-Subject  $auth_subject;
    proxy_set_header X-Auth-User     $auth_user;
    proxy_set_header X-Auth-Roles    $auth_roles;
    proxy_set_header X-Auth-Strategy $auth_strategy;
    proxy_set_header X-Auth-Mfa      $auth_mfa;
    proxy_set_header X-Auth-Route    $auth_route;
    proxy_set_header X-Auth-Token    $auth_token;
    proxy_set_header Host              $http_host;
    proxy_set_header X-Forwarded-For   $proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto $scheme;

    location = /_auth {
        internal;
        auth_request off;
        proxy_pass http://authgate/auth/verify;
        proxy_pass_request_body off;
        proxy_set_header Content-Length "";
        # The original request. Authorization and Cookie go along as the client sent them.
        proxy_set_header X-Original-URI     $request_uri;
        proxy_set_header X-Forwarded-Method $request_method;
        proxy_set_header X-Forwarded-Host   $http_host;
        proxy_set_header X-Forwarded-Proto  $scheme;
        proxy_set_header X-Forwarded-For    $proxy_add_x_forwarded_for;
        # Never pass on the client's own version of what authgate reads.
        proxy_set_header X-Forwarded-Uri    "";
        proxy_set_header X-Original-Method  "";
    }

    # authgate's own pages (login) and API; /auth/verify is for nginx alone.
    location = /auth/verify { return 404; }
    location /auth/ {
        auth_request off;
        proxy_pass http://authgate;
        proxy_set_header Host              $http_host;
        proxy_set_header X-Forwarded-For   $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
    }

    # Session routes: without a valid session, go to the login page.
    location /web/ {
        error_page 401 = @login;
        proxy_pass http://app;
    }
    location / {
        proxy_pass http://app;
    }
    location @login {
        return 302 /auth/login?rd=$request_uri;
    }
}
`

// caddyForwardAuth is the README's Caddyfile (site block).
const caddyForwardAuth = `
http://{{.Listen}} {
	# authgate's own pages (login) and API; /auth/verify is for Caddy alone.
	handle /auth/verify {
		respond 404
	}
	handle /auth/* {
		reverse_proxy {{.Authgate}}
	}
	handle {
		route {
			# Drop every identity header the client sent, in either spelling.
			request_header -X-Auth-*
			request_header -X-Auth_*
			# redirect=1: a browser without a session gets 302 to the login page.
			# Add X-Auth-Token to copy_headers only for routes with identity_token: Caddy
			# 2.6 sends a header missing from authgate's answer as its literal placeholder.
			forward_auth {{.Authgate}} {
				uri /auth/verify?redirect=1
				copy_headers X-Auth-Subject X-Auth-User X-Auth-Roles X-Auth-Strategy X-Auth-Mfa X-Auth-Route
			}
			reverse_proxy {{.Upstream}}
		}
	}
}
`

// upstreamView is what the test upstream answers: the request it got and every identity
// header in it, under the name it arrived with.
type upstreamView struct {
	Method string              `json:"method"`
	URI    string              `json:"uri"`
	Auth   map[string][]string `json:"auth"`
}

// echoUpstream is the service behind the proxy. It counts the requests that reach it.
func echoUpstream(t *testing.T) (addr string, hits *atomic.Int64) {
	hits = new(atomic.Int64)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		v := upstreamView{Method: r.Method, URI: r.RequestURI, Auth: map[string][]string{}}
		for k, vs := range r.Header {
			if l := strings.ToLower(k); len(l) > 6 && strings.HasPrefix(l, "x-auth") && (l[6] == '-' || l[6] == '_') {
				v.Auth[k] = vs
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://"), hits
}

// through sends one request to the proxy, without following redirects.
func through(t *testing.T, p *testenv.Proxy, method, path string, header map[string]string) response {
	t.Helper()
	req, err := http.NewRequest(method, p.URL()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = []string{v} // as given: "X-Auth_User" must not be canonicalized
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s through %s: %v", method, path, p.Addr(), err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: body}
}

func withHeaders(base map[string]string, kv ...string) map[string]string {
	h := map[string]string{}
	for k, v := range base {
		h[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		h[kv[i]] = kv[i+1]
	}
	return h
}

// frontProxy starts one proxy kind in front of authgate and the upstream.
type frontProxy struct {
	name  string
	start func(t *testing.T, vars testenv.ProxyVars) *testenv.Proxy
	// loginLocation is where a browser without a session on /web/page?x=1 is sent.
	loginLocation func(p *testenv.Proxy) string
	// webNoCookie is the status of a non-browser request on /web/ without a session: nginx's
	// error_page sends every 401 there to the login page, Caddy passes authgate's 401 on.
	webNoCookie int
	// identityToken reports whether the configuration passes X-Auth-Token on.
	identityToken bool
}

var frontProxies = []frontProxy{
	{
		name:          "nginx",
		start:         func(t *testing.T, v testenv.ProxyVars) *testenv.Proxy { return testenv.Nginx(t, nginxForwardAuth, v) },
		loginLocation: func(p *testenv.Proxy) string { return p.URL() + "/auth/login?rd=/web/page?x=1" },
		webNoCookie:   http.StatusFound,
		identityToken: true,
	},
	{
		name:          "caddy",
		start:         func(t *testing.T, v testenv.ProxyVars) *testenv.Proxy { return testenv.Caddy(t, caddyForwardAuth, v) },
		loginLocation: func(p *testenv.Proxy) string { return p.URL() + "/auth/login?rd=%2Fweb%2Fpage%3Fx%3D1" },
		webNoCookie:   http.StatusUnauthorized,
	},
}

func TestForwardAuthThroughRealProxies(t *testing.T) {
	for _, fp := range frontProxies {
		t.Run(fp.name, func(t *testing.T) {
			cfg := testConfig(t) // the default configuration trusts loopback proxies
			// The demo routes, after one that only a method tells apart and one with an
			// identity token for its upstream.
			cfg.Routes = append([]config.Route{
				{Name: "orders-write", Prefix: "/api/orders", Methods: []string{"POST"}, Strategy: "jwt", Roles: []string{"writer"}, Upstream: "whoami"},
				{Name: "orders", Prefix: "/orders/", Strategy: "jwt", Upstream: "whoami", IdentityToken: true},
			}, config.DemoRoutes()...)
			in := start(t, cfg)
			in.addUser(t, "alice", "correct horse", "dev")
			in.addUser(t, "bob", "battery staple")
			access, _ := in.login(t, "alice", "correct horse")
			aliceCookie := cookieHeader(in.sessionLogin(t, "alice", "correct horse"))
			bobCookie := cookieHeader(in.sessionLogin(t, "bob", "battery staple"))
			up, hits := echoUpstream(t)
			p := fp.start(t, testenv.ProxyVars{"Authgate": strings.TrimPrefix(in.srv.URL, "http://"), "Upstream": up})

			// refused checks that the request did not reach the upstream and got status.
			refused := func(what string, res response, status int) {
				t.Helper()
				if res.status != status {
					t.Errorf("%s: status %d, want %d; body %s", what, res.status, status, res.body)
				}
			}
			// admitted checks that the upstream answered and returns what it saw.
			admitted := func(what string, res response) upstreamView {
				t.Helper()
				var v upstreamView
				if res.status != http.StatusOK || json.Unmarshal(res.body, &v) != nil || v.Method == "" {
					t.Fatalf("%s: status %d, body %s; want the upstream's answer", what, res.status, res.body)
				}
				return v
			}
			// identity checks the identity headers the upstream saw: each exactly once, as
			// authgate answered, and no other.
			identity := func(what string, v upstreamView, want map[string]string) {
				t.Helper()
				for k, vs := range v.Auth {
					if _, ok := want[k]; !ok {
						t.Errorf("%s: the upstream saw %s: %q, which authgate did not set", what, k, vs)
					}
				}
				for k, w := range want {
					vs := v.Auth[k]
					switch {
					case w == "" && len(vs) == 0: // nginx sends no header for an empty value
					case len(vs) != 1 || (w != "*" && vs[0] != w) || (w == "*" && vs[0] == ""):
						t.Errorf("%s: the upstream saw %s: %q, want %q", what, k, vs, w)
					}
				}
			}

			before := hits.Load()
			res := through(t, p, "GET", "/api/x", nil)
			refused("no credential", res, http.StatusUnauthorized)
			if got := res.header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
				t.Errorf("no credential: WWW-Authenticate %q, want a Bearer challenge", got)
			}
			res = through(t, p, "GET", "/api/x", bearer("not.a.token"))
			refused("broken token", res, http.StatusUnauthorized)
			if got := res.header.Get("WWW-Authenticate"); !strings.Contains(got, `error="invalid_token"`) {
				t.Errorf("broken token: WWW-Authenticate %q", got)
			}
			refused("forged cookie", through(t, p, "GET", "/web/x", map[string]string{"Cookie": "authgate_session=forged.value"}), fp.webNoCookie)
			refused("no role", through(t, p, "GET", "/admin/", bobCookie), http.StatusForbidden)
			refused("no session, no browser", through(t, p, "GET", "/web/x", nil), fp.webNoCookie)
			// A client cannot make authgate check another route than the one it asks for.
			refused("forged forwarded headers", through(t, p, "GET", "/admin/", withHeaders(bobCookie,
				"X-Forwarded-Uri", "/web/x", "X-Original-URI", "/web/x", "X-Forwarded-Method", "GET", "X-Original-Method", "GET")),
				map[string]int{"nginx": http.StatusForbidden, "caddy": http.StatusBadRequest}[fp.name])
			refused("verify from outside", through(t, p, "GET", "/auth/verify", withHeaders(aliceCookie, "X-Original-URI", "/web/x", "X-Forwarded-Method", "GET")), http.StatusNotFound)
			if n := hits.Load() - before; n != 0 {
				t.Fatalf("%d refused requests reached the upstream", n)
			}

			// A valid bearer token, with identity headers of the client's own in both spellings.
			forged := withHeaders(bearer(access), "X-Auth-User", "mallory", "X-Auth-Roles", "admin",
				"X-Auth-Mfa", "true", "X-Auth_User", "mallory", "x-auth-route", "admin", "X-Auth-Token", "forged")
			v := admitted("bearer on /api/", through(t, p, "GET", "/api/x?q=1", forged))
			if v.URI != "/api/x?q=1" {
				t.Errorf("the upstream got %s", v.URI)
			}
			identity("bearer on /api/", v, map[string]string{"X-Auth-User": "alice", "X-Auth-Roles": "dev",
				"X-Auth-Strategy": "jwt", "X-Auth-Mfa": "false", "X-Auth-Route": "api", "X-Auth-Subject": "*"})
			// Other methods are checked as themselves: the route for POST /api/orders needs a
			// role alice lacks, the one for GET does not.
			if v := admitted("POST with bearer", through(t, p, "POST", "/api/x", bearer(access))); v.Method != "POST" {
				t.Errorf("the upstream got %s", v.Method)
			}
			admitted("GET /api/orders", through(t, p, "GET", "/api/orders", bearer(access)))
			before = hits.Load()
			refused("POST /api/orders without the role", through(t, p, "POST", "/api/orders", bearer(access)), http.StatusForbidden)
			if hits.Load() != before {
				t.Error("a refused POST reached the upstream")
			}

			// A route with an identity token for its upstream.
			v = admitted("identity token route", through(t, p, "GET", "/orders/1", withHeaders(bearer(access), "X-Auth-Token", "forged")))
			if got := v.Auth["X-Auth-Token"]; fp.identityToken && (len(got) != 1 || strings.Count(got[0], ".") != 2) ||
				!fp.identityToken && len(got) != 0 {
				t.Errorf("identity token route: the upstream saw X-Auth-Token %q", got)
			}

			// A session cookie on a session route.
			v = admitted("cookie on /web/", through(t, p, "GET", "/web/home", withHeaders(aliceCookie, "X-Auth-User", "mallory")))
			identity("cookie on /web/", v, map[string]string{"X-Auth-User": "alice", "X-Auth-Roles": "dev",
				"X-Auth-Strategy": "session", "X-Auth-Mfa": "false", "X-Auth-Route": "web", "X-Auth-Subject": "*"})

			// A user without roles: no roles forwarded, whatever the client says.
			v = admitted("cookie without roles", through(t, p, "GET", "/web/home", withHeaders(bobCookie, "X-Auth-Roles", "admin")))
			identity("cookie without roles", v, map[string]string{"X-Auth-User": "bob", "X-Auth-Roles": "",
				"X-Auth-Strategy": "session", "X-Auth-Mfa": "false", "X-Auth-Route": "web", "X-Auth-Subject": "*"})

			// A browser without a session goes to the login page, which the proxy serves from
			// authgate, and comes back to where it was.
			html := map[string]string{"Accept": "text/html,application/xhtml+xml"}
			res = through(t, p, "GET", "/web/page?x=1", html)
			if res.status != http.StatusFound || res.header.Get("Location") != fp.loginLocation(p) {
				t.Fatalf("browser without session: %d Location %q, want 302 to %q", res.status, res.header.Get("Location"), fp.loginLocation(p))
			}
			loc, err := url.Parse(res.header.Get("Location"))
			if err != nil {
				t.Fatal(err)
			}
			res = through(t, p, "GET", loc.RequestURI(), html)
			if res.status != http.StatusOK || !strings.Contains(string(res.body), `name="rd" value="/web/page?x=1"`) {
				t.Errorf("login page through %s: %d %s", fp.name, res.status, res.body)
			}
		})
	}
}
