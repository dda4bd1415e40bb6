package app

import (
	"context"
	"fmt"

	"github.com/authgate/authgate/config"
	"github.com/authgate/authgate/store/redis"
)

// openRedisState shares one Redis client between the session store, the revocation list and
// the failure counts: one connection per node, one freshness gate. opts come after the
// configured staleness bound.
func openRedisState(ctx context.Context, cfg config.Config, opts ...redis.Option) (*State, error) {
	base := []redis.Option{redis.WithStalenessBound(cfg.Redis.StalenessBound)}
	if n := cfg.Redis.WaitReplicas; n != nil {
		base = append(base, redis.WithWaitReplicas(*n, redis.DefaultSentinelWaitTimeout))
	}
	c, err := redis.Open(ctx, cfg.Redis.URL, append(base, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("open redis: %w", err)
	}
	revs := redis.NewRevocationStore(c)
	return &State{
		Sessions:    redis.NewSessionStore(c),
		Revocations: revs,
		Throttle:    revs,
		Kind:        "redis",
		Redis:       c,
	}, nil
}
