package gateway_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/authgate/authgate/config"
	"github.com/authgate/authgate/gateway"
	"github.com/authgate/authgate/internal/testenv"
	"github.com/authgate/authgate/token"
)

func TestOwnEndpointsAndPaths(t *testing.T) {
	in := start(t, testConfig(t))
	cases := []struct {
		method, path string
		status       int
		code         string
	}{
		{"GET", "/nowhere", 404, "not_found"},
		{"GET", "/", 404, "not_found"},
		{"GET", "/auth/nothing", 404, "not_found"},
		{"GET", "/auth/token", 405, "method_not_allowed"},
		{"DELETE", "/.well-known/jwks.json", 405, "method_not_allowed"},
		{"GET", "/api/../admin/", 400, "invalid_path"},
		{"GET", "/api//x", 400, "invalid_path"},
		{"GET", "/api/%2e%2e/admin/", 400, "invalid_path"},
		{"GET", "/healthz", 200, ""},
		{"GET", "/readyz", 200, ""},
		{"GET", "/.well-known/jwks.json", 200, ""},
	}
	for _, tc := range cases {
		req, _ := http.NewRequest(tc.method, in.srv.URL+tc.path, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(res.Body)
		res.Body.Close()
		got := response{status: res.StatusCode, header: res.Header, body: data}
		wantStatus(t, tc.method+" "+tc.path, got, tc.status, tc.code)
		if ct := res.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s %s: Content-Type %q", tc.method, tc.path, ct)
		}
	}
}

func TestMetricsCountRequestsByRouteAndOutcome(t *testing.T) {
	in := start(t, testConfig(t))
	in.do(t, "GET", "/api/x", nil, nil)
	res := in.do(t, "GET", "/metrics", nil, nil)
	wantStatus(t, "metrics", res, 200, "")
	for _, want := range []string{
		`authgate_requests_total{outcome="unauthorized",route="api",strategy="jwt"} 1`,
		`authgate_check_duration_seconds_count{route="api",strategy="jwt"} 1`,
	} {
		if !strings.Contains(string(res.body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// An independent JOSE implementation verifies our tokens against our published JWKS.
func TestGoJoseVerifiesIssuedTokensWithJWKS(t *testing.T) {
	for _, alg := range []string{"EdDSA", "ES256", "RS256"} {
		t.Run(alg, func(t *testing.T) {
			cfg := testConfig(t)
			cfg.Tokens.Algorithm = alg
			in := start(t, cfg)
			in.addUser(t, "alice", "correct horse", "dev")
			access, _ := in.login(t, "alice", "correct horse")

			var set jose.JSONWebKeySet
			if err := json.Unmarshal(in.do(t, "GET", "/.well-known/jwks.json", nil, nil).body, &set); err != nil {
				t.Fatal(err)
			}
			jws, err := jose.ParseSigned(access, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
			if err != nil {
				t.Fatal(err)
			}
			kid := jws.Signatures[0].Header.KeyID
			keys := set.Key(kid)
			if len(keys) != 1 || keys[0].Algorithm != alg || !keys[0].IsPublic() {
				t.Fatalf("JWKS has %d keys for kid %q: %+v", len(keys), kid, keys)
			}
			payload, err := jws.Verify(keys[0])
			if err != nil {
				t.Fatalf("go-jose rejects our token: %v", err)
			}
			var claims map[string]any
			if err := json.Unmarshal(payload, &claims); err != nil {
				t.Fatal(err)
			}
			if claims["username"] != "alice" || claims["iss"] != cfg.Issuer || claims["sid"] == "" || claims["jti"] == "" {
				t.Errorf("claims = %v", claims)
			}
			if typ := jws.Signatures[0].Protected.ExtraHeaders["typ"]; typ != "at+jwt" {
				t.Errorf("typ = %v", typ)
			}
		})
	}
}

func TestProxyToUpstreamSetsIdentityHeaders(t *testing.T) {
	seen := make(chan http.Header, 1)
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- r.Header.Clone()
		io.WriteString(w, "upstream "+r.URL.Path)
	}))
	defer upstream.Close()
	cfg := testConfig(t)
	cfg.Routes = []config.Route{{Name: "orders", Prefix: "/orders/", Strategy: "jwt", Roles: []string{"dev"}, Upstream: upstream.URL}}
	in := start(t, cfg)
	in.addUser(t, "alice", "correct horse", "dev")
	in.addUser(t, "bob", "battery staple")
	access, _ := in.login(t, "alice", "correct horse")

	h := bearer(access)
	h["x-auth_user"] = "mallory"
	h["X-AUTH-SUBJECT"] = "root"
	res := in.do(t, "GET", "/orders/42", nil, h)
	wantStatus(t, "proxied", res, 200, "")
	if string(res.body) != "upstream /orders/42" {
		t.Errorf("body %q", res.body)
	}
	got := <-seen
	if got.Get("X-Auth-User") != "alice" || got.Get("X-Auth-Roles") != "dev" || got.Get("X-Auth-Strategy") != "jwt" || got.Get("X-Auth-Subject") == "root" {
		t.Errorf("upstream saw identity headers %v", got)
	}
	for k := range got {
		if strings.EqualFold(k, "x-auth_user") {
			t.Errorf("client header %s reached the upstream", k)
		}
	}
	bobAccess, _ := in.login(t, "bob", "battery staple")
	wantStatus(t, "missing role", in.do(t, "GET", "/orders/42", nil, bearer(bobAccess)), http.StatusForbidden, "forbidden")

	upstream.Close()
	wantStatus(t, "upstream down", in.do(t, "GET", "/orders/42", nil, bearer(access)), http.StatusBadGateway, "bad_gateway")
}

// Two instances sharing one identity store both accept tokens signed before and after a
// rotation, without a restart.
func TestKeyRotationAcrossInstances(t *testing.T) {
	backends := map[string]func(t *testing.T) (config.Config, config.Config){
		"sqlite": func(t *testing.T) (config.Config, config.Config) {
			a := testConfig(t)
			b := a
			return a, b
		},
		"postgres": func(t *testing.T) (config.Config, config.Config) {
			a := testConfig(t)
			a.Database.URL = testenv.Postgres(t)
			b := testConfig(t)
			b.Database.URL = a.Database.URL
			return a, b
		},
	}
	for name, configs := range backends {
		t.Run(name, func(t *testing.T) {
			cfgA, cfgB := configs(t)
			a := start(t, cfgA)
			b := start(t, cfgB)
			a.addUser(t, "alice", "correct horse")
			before, _ := a.login(t, "alice", "correct horse")
			kidBefore := a.app.Keys.Current().ID

			newKey, err := a.app.Keys.Rotate(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if newKey.ID == kidBefore {
				t.Fatal("rotation kept the kid")
			}
			after, _ := a.login(t, "alice", "correct horse")
			for _, in := range []*instance{a, b} {
				wantStatus(t, "old token", in.do(t, "GET", "/api/", nil, bearer(before)), 200, "")
				wantStatus(t, "new token", in.do(t, "GET", "/api/", nil, bearer(after)), 200, "")
			}
			// B signs with the new key once it has reloaded, and publishes both.
			var set jose.JSONWebKeySet
			if err := json.Unmarshal(b.do(t, "GET", "/.well-known/jwks.json", nil, nil).body, &set); err != nil {
				t.Fatal(err)
			}
			if len(set.Key(kidBefore)) != 1 || len(set.Key(newKey.ID)) != 1 {
				t.Errorf("B's JWKS lacks a key: %d keys", len(set.Keys))
			}
		})
	}
}

// A route with identity_token forwards a short-lived JWT that the upstream verifies from the
// JWKS alone; a revoked credential gets none.
func TestIdentityTokenForUpstream(t *testing.T) {
	seen := make(chan string, 4)
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- r.Header.Get("X-Auth-Token")
	}))
	defer upstream.Close()
	cfg := testConfig(t)
	cfg.Routes = []config.Route{{Name: "orders", Prefix: "/orders/", Strategy: "hybrid", Upstream: upstream.URL, IdentityToken: true}}
	in := start(t, cfg)
	in.addUser(t, "alice", "correct horse", "dev")
	access, _ := in.login(t, "alice", "correct horse")

	h := bearer(access)
	h["X-Auth-Token"] = "forged"
	wantStatus(t, "first", in.do(t, "GET", "/orders/1", nil, h), 200, "")
	first := <-seen
	wantStatus(t, "second", in.do(t, "GET", "/orders/2", nil, bearer(access)), 200, "")
	if second := <-seen; second != first {
		t.Error("a fresh identity token was minted for the same credential within its reuse window")
	}

	keys, err := token.NewRemoteKeySet(in.srv.URL + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	idVerifier, _ := token.NewVerifier(keys, token.WithIssuer(cfg.Issuer), token.WithVerifierAudience("orders"), token.WithType(gateway.IdentityTokenType))
	claims, err := idVerifier.Verify(first)
	if err != nil {
		t.Fatalf("upstream cannot verify the identity token: %v", err)
	}
	if claims.Username != "alice" || claims.ExpiresAt.Sub(claims.IssuedAt.Time) != time.Minute {
		t.Errorf("identity claims %+v", claims)
	}
	// Neither kind of token passes for the other.
	accessVerifier, _ := token.NewVerifier(keys, token.WithIssuer(cfg.Issuer), token.WithVerifierAudience(cfg.Tokens.Audience))
	if _, err := accessVerifier.Verify(first); err == nil {
		t.Error("an identity token verified as an access token")
	}
	if _, err := idVerifier.Verify(access); err == nil {
		t.Error("an access token verified as an identity token")
	}

	wantStatus(t, "logout", in.do(t, "POST", "/auth/logout", nil, bearer(access)), 204, "")
	wantStatus(t, "after logout", in.do(t, "GET", "/orders/3", nil, bearer(access)), 401, "revoked")
	select {
	case tok := <-seen:
		t.Fatalf("the upstream got a request after the logout, with identity token %q", tok)
	default:
	}
}
