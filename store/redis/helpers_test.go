package redis_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/authgate/authgate/session"
	"github.com/authgate/authgate/store/redis"
)

// waitWithin bounds every poll of these tests; a passing run stops at the first success.
const waitWithin = 30 * time.Second

// open opens a Client on url, closed when tb ends.
func open(tb testing.TB, url string, opts ...redis.Option) *redis.Client {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := redis.Open(ctx, url, opts...)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(c.Close)
	return c
}

func newSubject() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// newSession is a typical session of subject created at `at` (millisecond precision, as
// stored), with a 100-byte user agent.
func newSession(subject string, at time.Time) *session.Session {
	at = at.Truncate(time.Millisecond)
	return &session.Session{
		ID:          session.NewToken(subject).ID(),
		Subject:     subject,
		Username:    "alice@example.com",
		Roles:       []string{"viewer", "admin"},
		IP:          "203.0.113.54",
		UserAgent:   strings.Repeat("Mozilla/5.0 (X11; Linux x86_64) ", 4)[:100],
		CreatedAt:   at,
		LastSeenAt:  at,
		IdleTimeout: 30 * time.Minute,
		ExpiresAt:   at.Add(12 * time.Hour),
	}
}

func mustCreate(tb testing.TB, st session.Store, s *session.Session) {
	tb.Helper()
	if err := st.Create(context.Background(), s); err != nil {
		tb.Fatalf("Create: %v", err)
	}
}

// waitFor polls cond until it holds, failing tb after waitWithin.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(waitWithin)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("waited %v for %s", waitWithin, what)
		}
		time.Sleep(time.Millisecond)
	}
}

// cacheFind Finds s on st until the Find is answered from c's cache, and fails tb if that
// never happens: the gate lets a read use the cache whenever the stream is confirmed.
func cacheFind(tb testing.TB, c *redis.Client, st session.Store, s *session.Session) {
	tb.Helper()
	deadline := time.Now().Add(waitWithin)
	for {
		hits := c.Stats().CacheHits
		got, ok, err := st.Find(context.Background(), s.Subject, s.ID)
		if err != nil || !ok || got.ID != s.ID {
			tb.Fatalf("Find = %v, %v, %v; want the session", got, ok, err)
		}
		if c.Stats().CacheHits > hits {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("no Find answered from the cache within %v: %+v", waitWithin, c.Stats())
		}
	}
}

// calls returns how often cmd ran according to INFO commandstats.
func calls(info, cmd string) int64 {
	for _, line := range strings.Split(info, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "cmdstat_"+cmd+":calls="); ok {
			n, _ := strconv.ParseInt(rest[:strings.IndexByte(rest, ',')], 10, 64)
			return n
		}
	}
	return 0
}

// totalCalls sums the calls of every command in INFO commandstats except those named.
func totalCalls(info string, except ...string) int64 {
	var sum int64
	for _, line := range strings.Split(info, "\n") {
		name, rest, ok := strings.Cut(strings.TrimSpace(line), ":calls=")
		name, isCmd := strings.CutPrefix(name, "cmdstat_")
		if !ok || !isCmd || slices.Contains(except, name) {
			continue
		}
		n, _ := strconv.ParseInt(rest[:strings.IndexByte(rest, ',')], 10, 64)
		sum += n
	}
	return sum
}
