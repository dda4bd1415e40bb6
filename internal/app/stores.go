package app

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/authgate/authgate/config"
	"github.com/authgate/authgate/identity"
	"github.com/authgate/authgate/revocation"
	"github.com/authgate/authgate/session"
	"github.com/authgate/authgate/store/postgres"
	"github.com/authgate/authgate/store/redis"
	"github.com/authgate/authgate/store/sqlite"
	"github.com/authgate/authgate/throttle"
)

// OpenIdentity opens PostgreSQL when a database URL is set, else SQLite under the data dir.
func OpenIdentity(ctx context.Context, cfg config.Config) (identity.Store, error) {
	if cfg.Database.URL != "" {
		s, err := postgres.Open(ctx, cfg.Database.URL)
		if err != nil {
			return nil, fmt.Errorf("open database: %w", err)
		}
		return s, nil
	}
	s, err := sqlite.Open(ctx, filepath.Join(cfg.DataDir, "identity.db"))
	if err != nil {
		return nil, fmt.Errorf("open embedded identity store: %w", err)
	}
	return s, nil
}

// State is where sessions and revocations live: Redis when a URL is set, else embedded SQLite
// files under the data dir (one instance only).
type State struct {
	Sessions    session.Store
	Revocations revocation.Store
	// Throttle counts failed logins, shared like the revocation list.
	Throttle throttle.Store
	// Kind is "redis" or "embedded".
	Kind string
	// Redis is the shared client when Kind is "redis".
	Redis *redis.Client
	// cleanup removes expired records where the store does not expire them itself.
	cleanup func(ctx context.Context, now time.Time) error
}

// OpenState opens the session store and the revocation list named by cfg. redisOpts are added
// to the Redis client's options when cfg names Redis.
func OpenState(ctx context.Context, cfg config.Config, redisOpts ...redis.Option) (*State, error) {
	if cfg.Redis.URL != "" {
		return openRedisState(ctx, cfg, redisOpts...)
	}
	sessions, err := sqlite.OpenSessions(ctx, filepath.Join(cfg.DataDir, "sessions.db"))
	if err != nil {
		return nil, fmt.Errorf("open embedded session store: %w", err)
	}
	revs, err := sqlite.OpenRevocations(ctx, filepath.Join(cfg.DataDir, "revocations.db"))
	if err != nil {
		sessions.Close()
		return nil, fmt.Errorf("open embedded revocation list: %w", err)
	}
	return &State{
		Sessions: sessions, Revocations: revs, Throttle: revs, Kind: "embedded",
		cleanup: func(ctx context.Context, now time.Time) error {
			_, err1 := sessions.DeleteExpired(ctx, now)
			_, err2 := revs.DeleteExpired(ctx, now)
			return errors.Join(err1, err2)
		},
	}, nil
}

// Close closes the stores.
func (s *State) Close() error {
	err := errors.Join(s.Sessions.Close(), s.Revocations.Close())
	if s.Redis != nil {
		s.Redis.Close()
	}
	return err
}
