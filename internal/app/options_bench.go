package app

import "github.com/authgate/authgate/store/redis"

// WithRedisOptions adds options to the Redis client of an instance whose configuration names
// Redis (they are ignored otherwise). authgate bench uses redis.WithFreshnessLoop(false) to
// build an instance whose every session read goes to Redis, to show what the client-side
// cache buys.
func WithRedisOptions(opts ...redis.Option) Option {
	return func(s *settings) { s.redis = append(s.redis, opts...) }
}
