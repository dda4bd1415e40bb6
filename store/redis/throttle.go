package redis

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/rueidis"

	"github.com/authgate/authgate/throttle"
)

var _ throttle.Store = (*RevocationStore)(nil)

// failScript counts a failure and computes the lock. KEYS: the key's hash. ARGV: now, window,
// threshold, base, max (ms and counts). Returns the Unix ms the key is locked until, or 0.
var failScript = newScript(`
local now, window, threshold, base, max =
  tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local f = redis.call('HMGET', KEYS[1], 'c', 'l')
local c, last = tonumber(f[1] or '0'), tonumber(f[2] or '0')
if last <= now - window then c = 0 end
c = c + 1
local lock = 0
if c >= threshold then
  local d, i = base, threshold
  while i < c and d < max do d = d * 2; i = i + 1 end
  if d > max then d = max end
  lock = now + d
end
redis.call('HSET', KEYS[1], 'c', c, 'l', ARGV[1], 'u', string.format('%d', lock))
redis.call('PEXPIRE', KEYS[1], window + max)
return lock
`)

func (s *RevocationStore) failuresKey(key string) string { return s.prefix + "t:{" + key + "}" }

// Fail records a failure of key; the count lives beside the revocation list, shared by every
// instance.
func (s *RevocationStore) Fail(ctx context.Context, key string, now time.Time, p throttle.Policy) (time.Time, error) {
	msg, err := s.c.eval(ctx, failScript, false, []string{s.failuresKey(key)},
		ms(now.UnixMilli()), ms(p.Window.Milliseconds()), ms(int64(p.Threshold)), ms(p.Base.Milliseconds()), ms(p.Max.Milliseconds()))
	if err != nil {
		return time.Time{}, fmt.Errorf("redis: count failure: %w", err)
	}
	until, err := msg.AsInt64()
	if err != nil || until == 0 {
		return time.Time{}, err
	}
	return time.UnixMilli(until), nil
}

// LockedUntil returns until when key is locked.
func (s *RevocationStore) LockedUntil(ctx context.Context, key string, now time.Time) (time.Time, error) {
	until, err := s.c.Do(ctx, s.c.B().Hget().Key(s.failuresKey(key)).Field("u").Build()).AsInt64()
	if rueidis.IsRedisNil(err) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("redis: read failures: %w", err)
	}
	if until <= now.UnixMilli() {
		return time.Time{}, nil
	}
	return time.UnixMilli(until), nil
}

// Reset forgets key's failures.
func (s *RevocationStore) Reset(ctx context.Context, key string) error {
	if err := s.c.Do(ctx, s.c.B().Del().Key(s.failuresKey(key)).Build()).Error(); err != nil {
		return fmt.Errorf("redis: reset failures: %w", err)
	}
	return nil
}
