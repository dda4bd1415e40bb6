package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/authgate/authgate/accounts"
	"github.com/authgate/authgate/audit"
	"github.com/authgate/authgate/authn"
	"github.com/authgate/authgate/config"
	"github.com/authgate/authgate/gateway"
	"github.com/authgate/authgate/identity"
	"github.com/authgate/authgate/password"
	"github.com/authgate/authgate/policy"
	"github.com/authgate/authgate/proxytrust"
	"github.com/authgate/authgate/refresh"
	"github.com/authgate/authgate/revocation"
	"github.com/authgate/authgate/session"
	"github.com/authgate/authgate/store/redis"
	"github.com/authgate/authgate/throttle"
	"github.com/authgate/authgate/token"
)

// App is one running authgate instance.
type App struct {
	Config   config.Config
	Identity identity.Store
	State    *State
	Sessions *session.Manager
	Revoker  *revocation.Revoker
	Keys     *token.Keyring
	Accounts *accounts.Service
	Refresh  *refresh.Service
	Gateway  *gateway.Server
	log      *slog.Logger
}

// Option adjusts how an App is assembled, mostly for tests.
type Option func(*settings)

type settings struct {
	hasher *password.Hasher
	clock  func() time.Time
	redis  []redis.Option // extra Redis client options (options_bench.go)
}

// WithHasher replaces the password hasher (tests use cheaper parameters).
func WithHasher(h *password.Hasher) Option { return func(s *settings) { s.hasher = h } }

// WithClock replaces the time source of tokens and keys.
func WithClock(now func() time.Time) Option { return func(s *settings) { s.clock = now } }

// New opens the stores named by cfg and builds the instance. Call Run to keep keys current
// and Close to release the stores.
func New(ctx context.Context, cfg config.Config, log *slog.Logger, opts ...Option) (*App, error) {
	st := settings{clock: time.Now}
	for _, o := range opts {
		o(&st)
	}
	if st.hasher == nil {
		n := cfg.Limits.LoginConcurrency
		if n == 0 {
			n = runtime.GOMAXPROCS(0)
		}
		st.hasher = password.New(password.WithConcurrency(n))
	}
	store, err := OpenIdentity(ctx, cfg)
	if err != nil {
		return nil, err
	}
	state, err := OpenState(ctx, cfg, st.redis...)
	if err != nil {
		store.Close()
		return nil, err
	}
	a := &App{Config: cfg, Identity: store, State: state, log: log}
	if err := a.build(ctx, st); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) build(ctx context.Context, st settings) error {
	cfg := a.Config
	t := cfg.Tokens
	keys, err := token.NewKeyring(a.Identity,
		token.WithAlgorithm(t.Algorithm),
		token.WithRefreshInterval(t.KeyRefresh),
		token.WithRetiredKeyLifetime(t.AccessTTL+t.Leeway),
		token.WithClock(st.clock),
		token.WithLogger(a.log))
	if err != nil {
		return err
	}
	a.Keys = keys
	if err := a.Keys.Load(ctx); err != nil {
		return fmt.Errorf("load signing keys: %w", err)
	}
	issuer, err := token.NewIssuer(a.Keys, cfg.Issuer,
		token.WithTTL(t.AccessTTL), token.WithAudience(t.Audience), token.WithIssuerClock(st.clock))
	if err != nil {
		return err
	}
	verifier, err := token.NewVerifier(a.Keys,
		token.WithIssuer(cfg.Issuer), token.WithVerifierAudience(t.Audience), token.WithLeeway(t.Leeway),
		token.WithCacheSize(t.VerifyCacheSize), token.WithVerifierClock(st.clock))
	if err != nil {
		return err
	}

	proxies, err := proxytrust.Parse(cfg.TrustedProxies)
	if err != nil {
		return err
	}
	a.Sessions = session.NewManager(a.State.Sessions,
		session.WithTimeouts(cfg.Sessions.IdleTimeout, cfg.Sessions.AbsoluteTimeout),
		session.WithTouchInterval(cfg.Sessions.TouchInterval))
	a.Revoker = revocation.NewRevoker(a.State.Revocations, t.AccessTTL+t.Leeway)
	a.Accounts = accounts.New(a.Identity, st.hasher, a.Sessions, a.Revoker)
	a.Accounts.SetClock(st.clock)
	a.Refresh = refresh.New(a.Identity, issuer,
		refresh.WithLifetimes(t.RefreshTTL, t.RefreshIdleTTL), refresh.WithClock(st.clock), refresh.WithRevoker(a.Revoker))

	sessionStrategy := authn.NewSession(a.Sessions, proxies)
	hybridStrategy := authn.NewHybrid(verifier, a.State.Revocations)
	strategies := map[string]authn.Strategy{
		authn.JWT:     authn.NewJWT(verifier),
		authn.Session: sessionStrategy,
		authn.Hybrid:  hybridStrategy,
	}
	table, err := policy.NewTable(cfg.EffectiveRoutes(), strategies)
	if err != nil {
		return err
	}
	a.Gateway, err = gateway.New(gateway.Options{
		Routes:   table,
		Accounts: a.Accounts,
		Refresh:  a.Refresh,
		Keys:     a.Keys,
		// authgate's own endpoints check bearer tokens against the revocation list too.
		Bearer:   hybridStrategy,
		Session:  sessionStrategy,
		Sessions: a.Sessions,
		Revoker:  a.Revoker,
		Guard:    throttle.NewGuard(a.State.Throttle),
		Audit:    audit.New(a.Identity, a.log),
		// Identity tokens for upstreams are signed by the same keys, with their own typ.
		IdentityIssuer: issuer,
		Proxies:        proxies,
		Ready: []gateway.Checker{
			{Name: "identity", Check: a.Identity.Ping},
			{Name: "sessions", Check: a.State.Sessions.Ping},
			{Name: "revocations", Check: a.State.Revocations.Ping},
		},
		Registry:     prometheus.NewRegistry(),
		Logger:       a.log,
		MaxBodyBytes: cfg.Limits.MaxBodyBytes,
	})
	return err
}

// Handler returns the instance's HTTP handler.
func (a *App) Handler() http.Handler { return a.Gateway }

// Run keeps the instance's background work going (key refresh, expired-record cleanup) until
// ctx is done.
func (a *App) Run(ctx context.Context) {
	go a.Keys.Run(ctx)
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		now := time.Now().UTC()
		err := a.Identity.DeleteExpiredRefresh(ctx, now)
		if a.State.cleanup != nil {
			err = errors.Join(err, a.State.cleanup(ctx, now))
		}
		if err != nil && ctx.Err() == nil {
			a.log.Warn("expired-record cleanup failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// Close releases the stores.
func (a *App) Close() error { return errors.Join(a.Identity.Close(), a.State.Close()) }
