package policy

import (
	"errors"
	"net/http"
	"testing"

	"github.com/authgate/authgate/authn"
	"github.com/authgate/authgate/config"
)

func testStrategies() map[string]authn.Strategy {
	return map[string]authn.Strategy{
		authn.JWT:     authn.NotImplemented(authn.JWT),
		authn.Session: authn.NotImplemented(authn.Session),
		authn.Hybrid:  authn.NotImplemented(authn.Hybrid),
	}
}

func TestMatchFirstRuleWins(t *testing.T) {
	table, err := NewTable([]config.Route{
		{Name: "admin-write", Prefix: "/admin/", Methods: []string{"POST"}, Strategy: "session", MFA: true, Upstream: "whoami"},
		{Name: "admin", Prefix: "/admin/", Strategy: "session", Upstream: "whoami"},
		{Name: "api-host", Prefix: "/", Host: "api.example", Strategy: "jwt", Upstream: "http://127.0.0.1:1"},
		{Name: "api", Prefix: "/api/", Strategy: "jwt", Upstream: "whoami"},
	}, testStrategies())
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ host, method, path, want string }{
		{"gw", http.MethodPost, "/admin/users", "admin-write"},
		{"gw", http.MethodGet, "/admin/users", "admin"},
		{"gw", http.MethodGet, "/admin", "admin"},
		{"API.example", http.MethodGet, "/anything", "api-host"},
		{"gw", http.MethodGet, "/api/x", "api"},
		{"gw", http.MethodGet, "/apix", ""},
		{"gw", http.MethodGet, "/", ""},
	}
	for _, tc := range cases {
		r := table.Match(tc.host, tc.method, tc.path)
		got := ""
		if r != nil {
			got = r.Name
		}
		if got != tc.want {
			t.Errorf("Match(%s %s %s) = %q, want %q", tc.host, tc.method, tc.path, got, tc.want)
		}
	}
	if table.Match("gw", "GET", "/api/x").Upstream != nil {
		t.Error("whoami route should have no upstream URL")
	}
}

func TestAuthorize(t *testing.T) {
	r := &Route{Roles: []string{"admin"}, MFA: true}
	cases := []struct {
		name string
		p    authn.Principal
		want error
	}{
		{"no role", authn.Principal{MFA: true}, ErrMissingRole},
		{"role without mfa", authn.Principal{Roles: []string{"admin"}}, ErrMFARequired},
		{"role and mfa", authn.Principal{Roles: []string{"user", "admin"}, MFA: true}, nil},
	}
	for _, tc := range cases {
		if err := r.Authorize(&tc.p); !errors.Is(err, tc.want) {
			t.Errorf("%s: Authorize = %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestNewTableRejectsUnavailableStrategy(t *testing.T) {
	_, err := NewTable([]config.Route{{Name: "x", Prefix: "/x/", Strategy: "magic", Upstream: "whoami"}}, testStrategies())
	if err == nil {
		t.Fatal("want an error for an unknown strategy")
	}
}
