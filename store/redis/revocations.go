package redis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/rueidis"

	"github.com/authgate/authgate/revocation"
)

// RevocationStore is the revocation list in Redis. One hash per user, "ag:r:{subject}", holds
// the user's generation (field g) and the revoked logins and tokens (fields s:<sid> and
// j:<jti>, each worth the Unix millisecond until which it is kept). A hybrid check is one
// HMGET of three fields of that hash, read through the freshness gate: from the local cache
// in the steady state, with no round trip. Every write is one script on one key, so it is
// atomic on a Cluster too.
type RevocationStore struct {
	c      *Client
	prefix string
	now    func() time.Time
}

var _ revocation.Store = (*RevocationStore)(nil)

// ErrInvalidSubject means a subject that cannot be a hash tag (empty, or with braces).
var ErrInvalidSubject = errors.New("invalid subject")

// NewRevocationStore returns the list kept through c.
func NewRevocationStore(c *Client) *RevocationStore {
	return &RevocationStore{c: c, prefix: "ag:", now: time.Now}
}

func (s *RevocationStore) key(subject string) string { return s.prefix + "r:{" + subject + "}" }

// pruneLua drops entries whose time has passed once the hash has grown, and keeps the key
// alive until its latest entry. ARGV[1] is now, ARGV[2] the new entry's time (both ms).
const pruneLua = `
local function keep(key, now, till)
  if redis.call('HLEN', key) > 32 then
    local all = redis.call('HGETALL', key)
    for i = 1, #all, 2 do
      if all[i] ~= 'g' and all[i] ~= 'gk' and tonumber(all[i+1]) <= now then
        redis.call('HDEL', key, all[i])
      end
    end
  end
  local left = redis.call('PTTL', key)
  if left < till - now then
    redis.call('PEXPIRE', key, till - now)
  end
end
`

// revokeScript records fields, each until its time. KEYS: the user's hash. ARGV: now, then
// field, until pairs.
var revokeScript = newScript(pruneLua + `
local now, last = tonumber(ARGV[1]), 0
for i = 2, #ARGV, 2 do
  local till = tonumber(ARGV[i+1])
  local cur = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '0')
  if till > cur then redis.call('HSET', KEYS[1], ARGV[i], ARGV[i+1]) end
  if till > last then last = till end
end
keep(KEYS[1], now, last)
return 1
`)

// endUserScript raises the generation to the server's clock in ms, or one more than the last
// when that is later, so generations only grow, even across the key's expiry. KEYS: the
// user's hash. ARGV: keep until (ms). Returns the new generation.
var endUserScript = newScript(pruneLua + `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local g = tonumber(redis.call('HGET', KEYS[1], 'g') or '0')
local n = now
if g >= n then n = g + 1 end
redis.call('HSET', KEYS[1], 'g', string.format('%d', n))
keep(KEYS[1], now, math.max(tonumber(ARGV[1]), now + 1))
return n
`)

// Revoke writes the entries in one script and returns once no instance's cache can still miss
// them.
func (s *RevocationStore) Revoke(ctx context.Context, subject string, entries ...revocation.Entry) error {
	if !validSubject(subject) {
		return fmt.Errorf("%w: subject %q", ErrInvalidSubject, subject)
	}
	args := []string{ms(s.now().UnixMilli())}
	for _, e := range entries {
		if e.ID == "" {
			continue
		}
		args = append(args, fieldPrefix[e.Kind]+e.ID, ms(e.Until.UnixMilli()))
	}
	if len(args) == 1 {
		return nil
	}
	if _, err := s.c.eval(ctx, revokeScript, true, []string{s.key(subject)}, args...); err != nil {
		return fmt.Errorf("redis: revoke: %w", err)
	}
	return s.c.waitOut(ctx, time.Now())
}

// fieldPrefix names each kind's fields in the user's hash.
var fieldPrefix = map[revocation.Kind]string{revocation.Token: "j:", revocation.Login: "s:"}

// EndUser raises the subject's generation and returns once every instance enforces it.
func (s *RevocationStore) EndUser(ctx context.Context, subject string, keepUntil time.Time) error {
	if !validSubject(subject) {
		return fmt.Errorf("%w: subject %q", ErrInvalidSubject, subject)
	}
	if _, err := s.c.eval(ctx, endUserScript, true, []string{s.key(subject)}, ms(keepUntil.UnixMilli())); err != nil {
		return fmt.Errorf("redis: end user: %w", err)
	}
	return s.c.waitOut(ctx, time.Now())
}

// Generation reads the subject's generation from Redis itself, not the cache.
func (s *RevocationStore) Generation(ctx context.Context, subject string) (int64, error) {
	if !validSubject(subject) {
		return 0, nil
	}
	msg, err := s.c.Do(ctx, s.c.B().Hget().Key(s.key(subject)).Field("g").Build()).ToMessage()
	if err != nil {
		if rueidis.IsRedisNil(err) {
			return 0, nil
		}
		return 0, fmt.Errorf("redis: read generation: %w", err)
	}
	g, err := msg.AsInt64()
	if err != nil {
		return 0, fmt.Errorf("redis: read generation: %w", err)
	}
	return g, nil
}

// Revoked reports whether the token is refused: one HMGET through the freshness gate.
func (s *RevocationStore) Revoked(ctx context.Context, subject, sid, jti string, gen int64) (bool, error) {
	if !validSubject(subject) {
		return true, nil
	}
	fields := []string{"g", "j:" + jti}
	if sid != "" {
		fields = append(fields, "s:"+sid)
	}
	vals, err := s.c.Read(ctx, s.c.B().Hmget().Key(s.key(subject)).Field(fields...).Cache()).ToArray()
	if err != nil {
		return false, fmt.Errorf("redis: read revocation list: %w", err)
	}
	if len(vals) != len(fields) {
		return false, fmt.Errorf("%w: %d fields", ErrCorruptRecord, len(vals))
	}
	now := s.now().UnixMilli()
	for i, v := range vals {
		if v.IsNil() {
			continue
		}
		n, err := v.AsInt64()
		if err != nil {
			return false, fmt.Errorf("%w: field %s: %v", ErrCorruptRecord, fields[i], err)
		}
		if i == 0 && gen < n || i > 0 && n > now {
			return true, nil
		}
	}
	return false, nil
}

// Ping reports whether every node answers.
func (s *RevocationStore) Ping(ctx context.Context) error { return s.c.Ping(ctx) }

// Close does nothing: the client is shared and closed by its owner.
func (s *RevocationStore) Close() error { return nil }
