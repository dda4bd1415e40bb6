package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is the whole service configuration. Flags and environment variables override the file.
type Config struct {
	// Listen is the address the gateway serves on.
	Listen string `yaml:"listen"`
	// DataDir holds the embedded stores when no Redis or database URL is given.
	DataDir string `yaml:"data_dir"`
	// Issuer is the `iss` claim of access tokens and the base of the login redirect.
	Issuer string `yaml:"issuer"`
	// TrustedProxies are the addresses (IPs or CIDRs) whose X-Forwarded-* headers are believed.
	TrustedProxies []string `yaml:"trusted_proxies"`

	Redis    RedisConfig    `yaml:"redis"`
	Database DatabaseConfig `yaml:"database"`
	Tokens   TokensConfig   `yaml:"tokens"`
	Sessions SessionsConfig `yaml:"sessions"`
	Log      LogConfig      `yaml:"log"`
	Limits   LimitsConfig   `yaml:"limits"`

	// Routes are matched in order; the first match wins. Empty means the built-in demo routes.
	Routes []Route `yaml:"routes"`
}

// RedisConfig selects the shared session store and revocation list.
type RedisConfig struct {
	// URL is a redis://, rediss://, redis-sentinel:// or redis-cluster:// URL; empty means embedded.
	URL string `yaml:"url"`
	// StalenessBound is the longest a cached read may lag a write acknowledged on any instance.
	StalenessBound time.Duration `yaml:"staleness_bound"`
	// WaitReplicas is how many replicas must acknowledge a session or revocation write before
	// it counts (WAIT). Unset: 1 under Sentinel, 0 otherwise. With fewer replicas up, writes
	// fail closed.
	WaitReplicas *int `yaml:"wait_replicas"`
}

// SessionsConfig sets browser session lifetimes.
type SessionsConfig struct {
	IdleTimeout     time.Duration `yaml:"idle_timeout"`
	AbsoluteTimeout time.Duration `yaml:"absolute_timeout"`
	// TouchInterval is how stale last-seen may get before a request writes it (0: automatic).
	TouchInterval time.Duration `yaml:"touch_interval"`
}

// DatabaseConfig selects the identity store (users, keys, refresh tokens).
type DatabaseConfig struct {
	// URL is a postgres:// URL; empty means SQLite under DataDir.
	URL string `yaml:"url"`
}

// TokensConfig sets access and refresh token lifetimes and the signing algorithm.
type TokensConfig struct {
	Audience string `yaml:"audience"`
	// Algorithm is used for newly created signing keys: EdDSA, ES256 or RS256.
	Algorithm       string        `yaml:"algorithm"`
	AccessTTL       time.Duration `yaml:"access_ttl"`
	RefreshTTL      time.Duration `yaml:"refresh_ttl"`
	RefreshIdleTTL  time.Duration `yaml:"refresh_idle_ttl"`
	Leeway          time.Duration `yaml:"leeway"`
	KeyRefresh      time.Duration `yaml:"key_refresh"`
	VerifyCacheSize int           `yaml:"verify_cache_size"`
}

// LogConfig sets the structured log output.
type LogConfig struct {
	Level  string `yaml:"level"`  // debug, info, warn, error
	Format string `yaml:"format"` // text or json
}

// LimitsConfig bounds what a client may send.
type LimitsConfig struct {
	MaxBodyBytes   int64 `yaml:"max_body_bytes"`
	MaxHeaderBytes int   `yaml:"max_header_bytes"`
	// LoginConcurrency bounds parallel password hashing; 0 means one per CPU.
	LoginConcurrency int `yaml:"login_concurrency"`
}

// Route is one rule of the route table.
type Route struct {
	Name string `yaml:"name"`
	// Prefix is the path prefix the rule matches, such as /api/.
	Prefix string `yaml:"prefix"`
	// Methods restricts the rule to these HTTP methods; empty matches every method.
	Methods []string `yaml:"methods"`
	// Host restricts the rule to one Host header; empty matches every host.
	Host string `yaml:"host"`
	// Strategy is jwt, session or hybrid.
	Strategy string   `yaml:"strategy"`
	Roles    []string `yaml:"roles"`
	MFA      bool     `yaml:"mfa"`
	// Upstream is an http(s) URL, or "whoami" for the built-in echo service.
	Upstream string `yaml:"upstream"`
	// IdentityToken forwards a short-lived signed JWT of the caller (X-Auth-Token, audience the
	// route's name) so the upstream can verify who it serves from the JWKS alone.
	IdentityToken bool `yaml:"identity_token"`
}

// Default returns the configuration used when nothing is set.
func Default() Config {
	return Config{
		Listen:         "127.0.0.1:8080",
		DataDir:        "./authgate-data",
		Issuer:         "http://127.0.0.1:8080",
		TrustedProxies: []string{"127.0.0.1/32", "::1/128"},
		Tokens: TokensConfig{
			Audience:        "authgate",
			Algorithm:       "EdDSA",
			AccessTTL:       5 * time.Minute,
			RefreshTTL:      30 * 24 * time.Hour,
			RefreshIdleTTL:  7 * 24 * time.Hour,
			Leeway:          5 * time.Second,
			KeyRefresh:      5 * time.Second,
			VerifyCacheSize: 65536,
		},
		Redis:    RedisConfig{StalenessBound: 10 * time.Millisecond},
		Sessions: SessionsConfig{IdleTimeout: 30 * time.Minute, AbsoluteTimeout: 12 * time.Hour},
		Log:      LogConfig{Level: "info", Format: "text"},
		Limits:   LimitsConfig{MaxBodyBytes: 64 << 10, MaxHeaderBytes: 32 << 10},
	}
}

// DemoRoutes is the built-in route table used when the configuration has no routes.
func DemoRoutes() []Route {
	return []Route{
		{Name: "api", Prefix: "/api/", Strategy: "jwt", Upstream: "whoami"},
		{Name: "web", Prefix: "/web/", Strategy: "session", Upstream: "whoami"},
		{Name: "mobile", Prefix: "/mobile/", Strategy: "hybrid", Upstream: "whoami"},
		{Name: "admin", Prefix: "/admin/", Strategy: "session", Roles: []string{"admin"}, MFA: true, Upstream: "whoami"},
	}
}

// Load reads the YAML file at path over the defaults and validates the result.
func Load(path string) (Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	cfg, err := Parse(f)
	if err != nil {
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

// Parse decodes YAML over the defaults. Unknown keys are errors. It does not validate, so that
// flags and environment variables can be applied first; call Validate afterwards.
func Parse(r io.Reader) (Config, error) {
	cfg := Default()
	data, err := io.ReadAll(io.LimitReader(r, 1<<20+1))
	if err != nil {
		return Config{}, err
	}
	if len(data) > 1<<20 {
		return Config{}, errors.New("file is larger than 1 MiB")
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return cfg, nil
}

// EffectiveRoutes returns the configured routes, or the demo routes when there are none.
func (c *Config) EffectiveRoutes() []Route {
	if len(c.Routes) == 0 {
		return DemoRoutes()
	}
	return c.Routes
}
