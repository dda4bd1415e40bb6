package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseOverridesDefaults(t *testing.T) {
	cfg, err := Parse(strings.NewReader(`
listen: 0.0.0.0:9000
tokens:
  access_ttl: 2m
redis:
  wait_replicas: 0
routes:
  - name: api
    prefix: /api/
    strategy: jwt
    upstream: http://127.0.0.1:9001
`))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != "0.0.0.0:9000" || cfg.Tokens.AccessTTL != 2*time.Minute {
		t.Errorf("file values not applied: %+v", cfg)
	}
	if cfg.Redis.WaitReplicas == nil || *cfg.Redis.WaitReplicas != 0 {
		t.Errorf("redis.wait_replicas: 0 not kept apart from unset: %v", cfg.Redis.WaitReplicas)
	}
	if cfg.Tokens.RefreshTTL != Default().Tokens.RefreshTTL {
		t.Errorf("default refresh_ttl lost: %s", cfg.Tokens.RefreshTTL)
	}
	if got := cfg.EffectiveRoutes(); len(got) != 1 || got[0].Name != "api" {
		t.Errorf("routes = %+v", got)
	}
}

func TestDefaultIsValidAndHasDemoRoutes(t *testing.T) {
	cfg := Default()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"/api/": "jwt", "/web/": "session", "/mobile/": "hybrid", "/admin/": "session"}
	routes := cfg.EffectiveRoutes()
	if len(routes) != len(want) {
		t.Fatalf("demo routes = %+v", routes)
	}
	for _, r := range routes {
		if want[r.Prefix] != r.Strategy || r.Upstream != "whoami" {
			t.Errorf("demo route %+v", r)
		}
	}
	cfg.Routes = DemoRoutes()
	if err := cfg.Validate(); err != nil {
		t.Errorf("demo routes do not validate: %v", err)
	}
}

func TestParseRejectsUnknownKeysAndBadTypes(t *testing.T) {
	for name, doc := range map[string]string{
		"unknown key":  "listne: 1.2.3.4:5\n",
		"nested key":   "tokens:\n  acess_ttl: 5m\n",
		"bad duration": "tokens:\n  access_ttl: soon\n",
		"not yaml":     "listen: [\n",
		"wrong type":   "routes: 5\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(doc))
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestValidateNamesTheKey(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*Config)
		key    string
	}{
		{"listen", func(c *Config) { c.Listen = "nonsense" }, "listen:"},
		{"issuer", func(c *Config) { c.Issuer = "ftp://x" }, "issuer:"},
		{"algorithm", func(c *Config) { c.Tokens.Algorithm = "HS256" }, "tokens.algorithm:"},
		{"leeway", func(c *Config) { c.Tokens.Leeway = time.Minute }, "tokens.leeway:"},
		{"access ttl", func(c *Config) { c.Tokens.AccessTTL = time.Second }, "tokens.access_ttl:"},
		{"idle ttl", func(c *Config) { c.Tokens.RefreshIdleTTL = 0 }, "tokens.refresh_idle_ttl:"},
		{"proxy", func(c *Config) { c.TrustedProxies = []string{"localhost"} }, "trusted_proxies[0]:"},
		{"database", func(c *Config) { c.Database.URL = "mysql://x" }, "database.url:"},
		{"redis", func(c *Config) { c.Redis.URL = "http://x" }, "redis.url:"},
		{"log level", func(c *Config) { c.Log.Level = "loud" }, "log.level:"},
		{"wait replicas", func(c *Config) { n := -1; c.Redis.WaitReplicas = &n }, "redis.wait_replicas:"},
		{"body limit", func(c *Config) { c.Limits.MaxBodyBytes = 1 }, "limits.max_body_bytes:"},
		{"strategy", func(c *Config) { c.Routes = []Route{{Name: "a", Prefix: "/a/", Strategy: "jtw", Upstream: "whoami"}} }, "routes[0].strategy:"},
		{"prefix", func(c *Config) { c.Routes = []Route{{Name: "a", Prefix: "a/", Strategy: "jwt", Upstream: "whoami"}} }, "routes[0].prefix:"},
		{"reserved", func(c *Config) {
			c.Routes = []Route{{Name: "a", Prefix: "/auth/x", Strategy: "jwt", Upstream: "whoami"}}
		}, "routes[0].prefix:"},
		{"upstream", func(c *Config) { c.Routes = []Route{{Name: "a", Prefix: "/a/", Strategy: "jwt", Upstream: "nowhere"}} }, "routes[0].upstream:"},
		{"duplicate name", func(c *Config) {
			c.Routes = []Route{{Name: "a", Prefix: "/a/", Strategy: "jwt", Upstream: "whoami"}, {Name: "a", Prefix: "/b/", Strategy: "jwt", Upstream: "whoami"}}
		}, "routes[1].name:"},
		{"method", func(c *Config) {
			c.Routes = []Route{{Name: "a", Prefix: "/a/", Methods: []string{"get"}, Strategy: "jwt", Upstream: "whoami"}}
		}, "routes[0].methods[0]:"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Default()
			tc.mutate(&cfg)
			err := cfg.Validate()
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.key) {
				t.Fatalf("err = %v, want one naming %q", err, tc.key)
			}
		})
	}
}
