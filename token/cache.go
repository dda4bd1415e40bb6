package token

import (
	"hash/maphash"
	"math"
	"strings"
	"sync"
	"time"
)

const (
	maxCacheShards     = 32
	minCacheShardSize  = 64 // fewer shards for small caches, so each shard still holds a few
	cacheShardPadBytes = 64
	shardHashBytes     = 16
)

// cache holds verified tokens by their exact string, so a token seen again costs a map lookup
// instead of a signature verification (as Envoy's jwt_authn does). An entry is served only
// while now < exp; nbf and iat were checked when it was stored, and failures are never stored.
//
// The cache holds at most its size in entries, spread over up to 32 shards, each with its own
// lock. A full shard first drops its expired entries, then an arbitrary one.
//
// Cached claims are shared, not copied: a copy costs an allocation per pointer and slice in
// Claims, while the hit path allocates nothing. Verify documents that they must not be modified.
type cache struct {
	seed   maphash.Seed
	mask   uint64
	shards []cacheShard
}

type cacheShard struct {
	mu      sync.RWMutex
	entries map[string]cacheEntry
	limit   int
	// minExp is at most the earliest exp of the entries (MaxInt64 when empty), so a full
	// shard only scans for expired entries when one may exist.
	minExp int64
	_      [cacheShardPadBytes]byte // keep hot shard locks off each other's cache lines
}

type cacheEntry struct {
	claims *Claims
	exp    int64 // unix nanoseconds
}

// newCache returns a cache of at most size entries; size must be positive.
func newCache(size int) *cache {
	n := maxCacheShards
	for n > 1 && size/n < minCacheShardSize {
		n /= 2
	}
	c := &cache{seed: maphash.MakeSeed(), mask: uint64(n - 1), shards: make([]cacheShard, n)}
	for i := range c.shards {
		s := &c.shards[i]
		s.limit = size / n
		if i < size%n {
			s.limit++
		}
		s.entries = make(map[string]cacheEntry)
		s.minExp = math.MaxInt64
	}
	return c
}

// shard picks the shard of token by hashing only its last bytes: they are signature bytes,
// which vary between tokens as much as any, and the map hashes the whole token again anyway.
// Only verified tokens are stored, so no one can pick tails to crowd one shard.
func (c *cache) shard(token string) *cacheShard {
	tail := token[max(0, len(token)-shardHashBytes):]
	return &c.shards[maphash.String(c.seed, tail)&c.mask]
}

// get returns the claims of token if it is cached and has not expired at now.
func (c *cache) get(token string, now time.Time) (*Claims, bool) {
	s := c.shard(token)
	s.mu.RLock()
	e, ok := s.entries[token]
	s.mu.RUnlock()
	if !ok || now.UnixNano() >= e.exp {
		return nil, false
	}
	return e.claims, true
}

// put caches the claims of a verified token until its exp.
func (c *cache) put(token string, claims *Claims, now time.Time) {
	if claims.ExpiresAt == nil {
		return
	}
	exp, n := claims.ExpiresAt.UnixNano(), now.UnixNano()
	if n >= exp {
		return
	}
	s := c.shard(token)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.entries[token]; !ok {
		if len(s.entries) >= s.limit {
			s.evict(n)
		}
		// Own the key: the token may be a slice of a much larger request buffer.
		token = strings.Clone(token)
	}
	s.entries[token] = cacheEntry{claims: claims, exp: exp}
	s.minExp = min(s.minExp, exp)
}

// evict makes room for one entry: it drops every expired entry, or failing that an arbitrary
// one (map iteration starts at a random entry). The caller holds s.mu.
func (s *cacheShard) evict(now int64) {
	if s.minExp <= now {
		s.minExp = math.MaxInt64
		for k, e := range s.entries {
			if e.exp <= now {
				delete(s.entries, k)
			} else {
				s.minExp = min(s.minExp, e.exp)
			}
		}
	}
	for k := range s.entries {
		if len(s.entries) < s.limit {
			break
		}
		delete(s.entries, k)
	}
}

// len returns the number of entries, expired ones included.
func (c *cache) len() int {
	n := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.RLock()
		n += len(s.entries)
		s.mu.RUnlock()
	}
	return n
}
