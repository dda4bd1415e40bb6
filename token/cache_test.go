package token

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// cachedEnv is an env whose verifier caches and counts key lookups.
func cachedEnv(t *testing.T, size int) (*env, *Verifier, *countingSource) {
	t.Helper()
	e := newEnv(t, EdDSA)
	src := &countingSource{KeySource: e.ring}
	v, err := NewVerifier(src, WithIssuer(testIssuer), WithVerifierClock(e.clock.Now), WithCacheSize(size))
	if err != nil {
		t.Fatal(err)
	}
	return e, v, src
}

func TestCacheHit(t *testing.T) {
	e, v, src := cachedEnv(t, 100)
	tok := e.issue(t)
	first, err := v.Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		c, err := v.Verify(tok)
		if err != nil {
			t.Fatal(err)
		}
		if c != first {
			t.Fatal("a hit returned other claims than the first verification")
		}
	}
	if n := src.n.Load(); n != 1 {
		t.Fatalf("the key source was asked %d times, want 1", n)
	}
	// The cache is keyed by the exact string: the same token in another buffer hits too.
	if c, err := v.Verify(string([]byte(tok))); err != nil || c != first || src.n.Load() != 1 {
		t.Fatalf("copy of the token: %v, %v, %d lookups", c, err, src.n.Load())
	}
}

func TestCacheDoesNotServeExpiredEntries(t *testing.T) {
	e, v, src := cachedEnv(t, 100)
	tok := e.issue(t) // exp t0+5m
	if _, err := v.Verify(tok); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(5*time.Minute - time.Nanosecond)
	if _, err := v.Verify(tok); err != nil || src.n.Load() != 1 {
		t.Fatalf("just before exp: %v, %d lookups", err, src.n.Load())
	}
	e.clock.Advance(time.Nanosecond) // now == exp
	if c, err := v.Verify(tok); !errors.Is(err, ErrExpired) || c != nil {
		t.Fatalf("at exp: %v, %v; want ErrExpired", c, err)
	}
	if src.n.Load() != 2 {
		t.Fatal("an expired entry was served without verifying")
	}
}

func TestCacheDoesNotStoreFailures(t *testing.T) {
	e, v, src := cachedEnv(t, 100)
	wrongAud := forge(t, map[string]any{"alg": EdDSA, "typ": "at+jwt", "kid": e.key.ID},
		func() map[string]any { c := e.validClaims(); c["aud"] = "billing"; return c }(),
		keySigner(t, e.key))
	for i := 1; i <= 3; i++ {
		if _, err := v.Verify(wrongAud); !errors.Is(err, ErrAudience) {
			t.Fatalf("Verify = %v, want ErrAudience", err)
		}
		if n := src.n.Load(); n != int64(i) {
			t.Fatalf("after %d failures the key source was asked %d times", i, n)
		}
	}
	if n := v.cache.len(); n != 0 {
		t.Fatalf("cache holds %d entries after failures only", n)
	}
}

func TestCacheIsBounded(t *testing.T) {
	clock := newClock()
	for _, size := range []int{1, 7, 100, 1000, 5000} {
		t.Run(strconv.Itoa(size), func(t *testing.T) {
			c := newCache(size)
			total := 0
			for i := range c.shards {
				total += c.shards[i].limit
				if c.shards[i].limit == 0 {
					t.Fatalf("shard %d holds nothing", i)
				}
			}
			if total != size {
				t.Fatalf("shard limits add up to %d, want %d", total, size)
			}
			claims := &Claims{RegisteredClaims: jwt.RegisteredClaims{ExpiresAt: jwt.NewNumericDate(t0.Add(time.Hour))}}
			for i := range 3 * size {
				c.put("token-"+strconv.Itoa(i), claims, clock.Now())
				if n := c.len(); n > size {
					t.Fatalf("after %d puts the cache holds %d entries, limit %d", i+1, n, size)
				}
			}
			if n := c.len(); n < size/2 {
				t.Fatalf("a full cache holds only %d entries of %d", n, size)
			}
		})
	}
}

func TestCacheEvictsExpiredEntriesFirst(t *testing.T) {
	c := newCache(50) // one shard
	if len(c.shards) != 1 {
		t.Fatalf("%d shards for 50 entries", len(c.shards))
	}
	now := t0
	soon := &Claims{RegisteredClaims: jwt.RegisteredClaims{ExpiresAt: jwt.NewNumericDate(now.Add(time.Minute))}}
	later := &Claims{RegisteredClaims: jwt.RegisteredClaims{ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour))}}
	for i := range 25 {
		c.put("soon-"+strconv.Itoa(i), soon, now)
		c.put("later-"+strconv.Itoa(i), later, now)
	}
	now = now.Add(2 * time.Minute)
	for i := range 25 {
		c.put("new-"+strconv.Itoa(i), later, now)
	}
	for i := range 25 {
		for _, p := range []string{"later-", "new-"} {
			if _, ok := c.get(p+strconv.Itoa(i), now); !ok {
				t.Fatalf("%s%d evicted while expired entries were left", p, i)
			}
		}
	}
	if n := c.len(); n != 50 {
		t.Fatalf("cache holds %d, want 50", n)
	}
}

func TestCacheSkipsExpiredTokens(t *testing.T) {
	c := newCache(10)
	past := &Claims{RegisteredClaims: jwt.RegisteredClaims{ExpiresAt: jwt.NewNumericDate(t0)}}
	c.put("t", past, t0)
	c.put("u", &Claims{}, t0) // no exp: never stored
	if n := c.len(); n != 0 {
		t.Fatalf("cache holds %d entries", n)
	}
}

func TestCacheConcurrentUse(t *testing.T) {
	e, v, _ := cachedEnv(t, 64)
	toks := make([]string, 200)
	for i := range toks {
		toks[i] = e.issue(t)
	}
	done := make(chan struct{})
	for w := range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range 2000 {
				if _, err := v.Verify(toks[(i*7+w)%len(toks)]); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for range 4 {
		<-done
	}
	if n := v.cache.len(); n > 64 {
		t.Fatalf("cache holds %d entries, limit 64", n)
	}
}
