package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Strategies are the authentication strategies a route may use.
var Strategies = []string{"jwt", "session", "hybrid"}

// Algorithms are the signing algorithms for new keys.
var Algorithms = []string{"EdDSA", "ES256", "RS256"}

// reservedPrefixes are authgate's own paths; routes may not shadow them.
var reservedPrefixes = []string{"/auth/", "/.well-known/", "/healthz", "/readyz", "/metrics"}

// MaxLeeway is the most clock skew a verifier tolerates.
const MaxLeeway = 30 * time.Second

// Validate checks every key and returns all problems at once, each naming its key.
func (c *Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}

	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		bad("listen", "%q is not host:port", c.Listen)
	}
	if c.Database.URL == "" && c.DataDir == "" {
		bad("data_dir", "required when database.url is empty")
	}
	if u := c.Database.URL; u != "" && !strings.HasPrefix(u, "postgres://") && !strings.HasPrefix(u, "postgresql://") {
		bad("database.url", "must be a postgres:// URL")
	}
	if u := c.Redis.URL; u != "" {
		pu, err := url.Parse(u)
		if err != nil || !slices.Contains([]string{"redis", "rediss", "redis-sentinel", "rediss-sentinel", "redis-cluster", "rediss-cluster", "unix"}, pu.Scheme) {
			bad("redis.url", "must be a redis://, rediss://, redis-sentinel:// or redis-cluster:// URL")
		}
	}
	if u, err := url.Parse(c.Issuer); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("issuer", "%q is not an http(s) URL", c.Issuer)
	}
	for i, p := range c.TrustedProxies {
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, err := netip.ParseAddr(p); err != nil {
				bad(fmt.Sprintf("trusted_proxies[%d]", i), "%q is not an IP address or CIDR", p)
			}
		}
	}

	if n := c.Redis.WaitReplicas; n != nil && (*n < 0 || *n > 16) {
		bad("redis.wait_replicas", "%d is outside 0..16", *n)
	}
	if c.Redis.StalenessBound < time.Millisecond || c.Redis.StalenessBound > 10*time.Second {
		bad("redis.staleness_bound", "%s is outside 1ms..10s", c.Redis.StalenessBound)
	}
	if s := c.Sessions; s.IdleTimeout < time.Minute || s.IdleTimeout > s.AbsoluteTimeout {
		bad("sessions.idle_timeout", "%s must be at least 1m and at most sessions.absolute_timeout", s.IdleTimeout)
	}
	if s := c.Sessions; s.AbsoluteTimeout > 90*24*time.Hour {
		bad("sessions.absolute_timeout", "%s is longer than 90 days", s.AbsoluteTimeout)
	}
	if s := c.Sessions; s.TouchInterval < 0 || s.TouchInterval > s.IdleTimeout {
		bad("sessions.touch_interval", "%s must be between 0 and sessions.idle_timeout", s.TouchInterval)
	}

	t := c.Tokens
	if t.Audience == "" {
		bad("tokens.audience", "required")
	}
	if !slices.Contains(Algorithms, t.Algorithm) {
		bad("tokens.algorithm", "%q is not one of %s", t.Algorithm, strings.Join(Algorithms, ", "))
	}
	if t.AccessTTL < 10*time.Second || t.AccessTTL > 24*time.Hour {
		bad("tokens.access_ttl", "%s is outside 10s..24h", t.AccessTTL)
	}
	if t.RefreshTTL < t.AccessTTL {
		bad("tokens.refresh_ttl", "%s is shorter than tokens.access_ttl", t.RefreshTTL)
	}
	if t.RefreshIdleTTL <= 0 || t.RefreshIdleTTL > t.RefreshTTL {
		bad("tokens.refresh_idle_ttl", "%s must be positive and at most tokens.refresh_ttl", t.RefreshIdleTTL)
	}
	if t.Leeway < 0 || t.Leeway > MaxLeeway {
		bad("tokens.leeway", "%s is outside 0..%s", t.Leeway, MaxLeeway)
	}
	if t.KeyRefresh < 100*time.Millisecond || t.KeyRefresh > 5*time.Minute {
		bad("tokens.key_refresh", "%s is outside 100ms..5m", t.KeyRefresh)
	}
	if t.VerifyCacheSize < 0 {
		bad("tokens.verify_cache_size", "must not be negative")
	}

	if !slices.Contains([]string{"debug", "info", "warn", "error"}, c.Log.Level) {
		bad("log.level", "%q is not debug, info, warn or error", c.Log.Level)
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		bad("log.format", "%q is not text or json", c.Log.Format)
	}
	if c.Limits.MaxBodyBytes < 1024 || c.Limits.MaxBodyBytes > 16<<20 {
		bad("limits.max_body_bytes", "%d is outside 1024..16777216", c.Limits.MaxBodyBytes)
	}
	if c.Limits.MaxHeaderBytes < 4096 || c.Limits.MaxHeaderBytes > 1<<20 {
		bad("limits.max_header_bytes", "%d is outside 4096..1048576", c.Limits.MaxHeaderBytes)
	}
	if c.Limits.LoginConcurrency < 0 {
		bad("limits.login_concurrency", "must not be negative")
	}

	names := map[string]bool{}
	for i, r := range c.Routes {
		key := fmt.Sprintf("routes[%d]", i)
		if r.Name == "" {
			bad(key+".name", "required")
		} else if names[r.Name] {
			bad(key+".name", "%q is used by an earlier route", r.Name)
		}
		names[r.Name] = true
		validateRoute(key, r, bad)
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %w", ErrInvalid, errors.Join(errs...))
	}
	return nil
}

func validateRoute(key string, r Route, bad func(key, format string, args ...any)) {
	if !strings.HasPrefix(r.Prefix, "/") {
		bad(key+".prefix", "%q must start with /", r.Prefix)
	}
	for _, p := range reservedPrefixes {
		if strings.HasPrefix(r.Prefix, p) {
			bad(key+".prefix", "%q is inside authgate's own %s", r.Prefix, p)
		}
	}
	if !slices.Contains(Strategies, r.Strategy) {
		bad(key+".strategy", "%q is not one of %s", r.Strategy, strings.Join(Strategies, ", "))
	}
	for j, m := range r.Methods {
		if m == "" || strings.ToUpper(m) != m || strings.ContainsAny(m, " \t/") {
			bad(fmt.Sprintf("%s.methods[%d]", key, j), "%q is not an upper-case HTTP method", m)
		}
	}
	for j, role := range r.Roles {
		if role == "" || strings.ContainsAny(role, ", \t") {
			bad(fmt.Sprintf("%s.roles[%d]", key, j), "%q is not a role name", role)
		}
	}
	if r.Upstream == "whoami" {
		return
	}
	u, err := url.Parse(r.Upstream)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad(key+".upstream", "%q is not an http(s) URL or \"whoami\"", r.Upstream)
	}
}
