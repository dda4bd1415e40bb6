package token

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"
)

const (
	defaultRemoteRefresh = 5 * time.Minute
	defaultRemoteRefetch = 10 * time.Second
	defaultFetchTimeout  = 5 * time.Second
	defaultMaxJWKSSize   = 256 << 10
)

// RemoteKeySet is the KeySource of a service that verifies authgate tokens in-process: it
// fetches authgate's JWK set over HTTPS and keeps the keys in memory. An unknown kid refetches
// the set, at most once per refetch interval; Run refetches it periodically. A failed fetch
// keeps the last good keys.
//
// Only JWKs with a kid, an alg of EdDSA, ES256 or RS256 that fits the key, and no private
// material are used; others are ignored (and logged). A RemoteKeySet is safe for concurrent use.
type RemoteKeySet struct {
	url     string
	client  *http.Client
	timeout time.Duration
	maxSize int64
	refresh time.Duration
	now     func() time.Time
	log     *slog.Logger

	keys atomic.Pointer[map[string]*Key]
	miss missLimiter
}

// RemoteOption configures a RemoteKeySet.
type RemoteOption func(*RemoteKeySet)

// WithHTTPClient sets the HTTP client. The default client follows no redirects.
func WithHTTPClient(c *http.Client) RemoteOption { return func(s *RemoteKeySet) { s.client = c } }

// WithFetchTimeout bounds each fetch of the set (5s by default).
func WithFetchTimeout(d time.Duration) RemoteOption { return func(s *RemoteKeySet) { s.timeout = d } }

// WithMaxJWKSSize bounds the size of the fetched set in bytes (256 KiB by default).
func WithMaxJWKSSize(n int64) RemoteOption { return func(s *RemoteKeySet) { s.maxSize = n } }

// WithRemoteRefreshInterval sets how often Run refetches the set (5m by default).
func WithRemoteRefreshInterval(d time.Duration) RemoteOption {
	return func(s *RemoteKeySet) { s.refresh = d }
}

// WithRefetchInterval sets the least time between two fetches caused by unknown kids (10s by
// default).
func WithRefetchInterval(d time.Duration) RemoteOption {
	return func(s *RemoteKeySet) { s.miss.interval = d }
}

// WithRemoteClock sets the clock of the refetch rate limit (time.Now by default).
func WithRemoteClock(now func() time.Time) RemoteOption { return func(s *RemoteKeySet) { s.now = now } }

// WithRemoteLogger sets where fetch failures and ignored keys are logged (slog.Default()).
func WithRemoteLogger(l *slog.Logger) RemoteOption { return func(s *RemoteKeySet) { s.log = l } }

// NewRemoteKeySet returns a key set fetched from jwksURL, the full URL of the set, such as
// https://auth.example.com/.well-known/jwks.json. The URL must be https, or http to a loopback
// host. Nothing is fetched until Refresh, Run or the first Key.
func NewRemoteKeySet(jwksURL string, opts ...RemoteOption) (*RemoteKeySet, error) {
	u, err := url.Parse(jwksURL)
	if err != nil {
		return nil, fmt.Errorf("token: remote key set: %w", err)
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())) {
		return nil, fmt.Errorf("token: remote key set: %q is not https", jwksURL)
	}
	s := &RemoteKeySet{
		url: jwksURL,
		client: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}},
		timeout: defaultFetchTimeout,
		maxSize: defaultMaxJWKSSize,
		refresh: defaultRemoteRefresh,
		now:     time.Now,
		log:     slog.Default(),
		miss:    missLimiter{interval: defaultRemoteRefetch},
	}
	for _, o := range opts {
		o(s)
	}
	switch {
	case s.client == nil || s.now == nil || s.log == nil:
		return nil, errors.New("token: remote key set: nil client, clock or logger")
	case s.timeout <= 0 || s.refresh <= 0 || s.miss.interval <= 0:
		return nil, errors.New("token: remote key set: intervals and timeout must be positive")
	case s.maxSize <= 0:
		return nil, errors.New("token: remote key set: max size must be positive")
	}
	s.keys.Store(&map[string]*Key{})
	return s, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Key returns the key named kid. On a miss it refetches the set, at most once per refetch
// interval across all callers, and looks again.
func (s *RemoteKeySet) Key(kid string) (*Key, bool) {
	if k, ok := (*s.keys.Load())[kid]; ok {
		return k, true
	}
	now := s.now()
	if !s.miss.allow(now) {
		return nil, false
	}
	s.miss.mu.Lock()
	defer s.miss.mu.Unlock()
	if k, ok := (*s.keys.Load())[kid]; ok {
		return k, true
	}
	if !s.miss.take(now) {
		return nil, false
	}
	if err := s.Refresh(context.Background()); err != nil {
		s.log.Warn("token: fetching the JWKS for an unknown kid failed", "url", s.url, "err", err)
		return nil, false
	}
	k, ok := (*s.keys.Load())[kid]
	return k, ok
}

// Refresh fetches the set now and replaces the keys; on failure the keys are kept.
func (s *RemoteKeySet) Refresh(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	body, err := s.fetch(ctx)
	if err != nil {
		return err
	}
	keys, skipped, err := parseJWKS(body)
	if err != nil {
		return fmt.Errorf("token: %s: %w", s.url, err)
	}
	for _, e := range skipped {
		s.log.WarnContext(ctx, "token: ignoring a JWKS key", "url", s.url, "err", e)
	}
	s.keys.Store(&keys)
	return nil
}

// Run refetches the set every refresh interval until ctx is done, logging failures.
func (s *RemoteKeySet) Run(ctx context.Context) {
	t := time.NewTicker(s.refresh)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.Refresh(ctx); err != nil && ctx.Err() == nil {
				s.log.WarnContext(ctx, "token: refreshing the JWKS failed; keeping the last good keys", "url", s.url, "err", err)
			}
		}
	}
}

func (s *RemoteKeySet) fetch(ctx context.Context) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrJWKS, err)
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrJWKS, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: %s: status %s", ErrJWKS, s.url, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, min(s.maxSize, math.MaxInt64-1)+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: read: %w", ErrJWKS, s.url, err)
	}
	if int64(len(body)) > s.maxSize {
		return nil, fmt.Errorf("%w: %s: larger than %d bytes", ErrJWKS, s.url, s.maxSize)
	}
	return body, nil
}
