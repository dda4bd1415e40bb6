package redis_test

import (
	"context"
	"testing"
	"time"

	"github.com/authgate/authgate/internal/testenv"
	"github.com/authgate/authgate/store/redis"
)

// TestDeleteVisibleAcrossInstances is the gate's point: instance A holds a session in its
// cache (a Find answered locally), instance B deletes it, and A's very next Find after B's
// Delete returned must miss. Redis pushes A's invalidation asynchronously, so this holds not by
// luck but because Delete returns only after the staleness bound D and A trusts its cache only
// while confirmed current within D (gate.go). 200 rounds, zero stale admits.
func TestDeleteVisibleAcrossInstances(t *testing.T) {
	srv := testenv.Redis(t)
	a, b := open(t, srv.URL()), open(t, srv.URL())
	stA, stB := redis.NewSessionStore(a), redis.NewSessionStore(b)
	ctx := context.Background()

	var viaCache, direct int
	for i := range 200 {
		s := newSession(newSubject(), time.Now())
		mustCreate(t, stB, s)
		cacheFind(t, a, stA, s) // A now answers for s from its cache

		if err := stB.Delete(ctx, s.Subject, s.ID); err != nil {
			t.Fatalf("round %d: Delete: %v", i, err)
		}
		before := a.Stats()
		got, ok, err := stA.Find(ctx, s.Subject, s.ID)
		after := a.Stats()
		if err != nil || ok || got != nil {
			t.Fatalf("round %d: A's Find after B's Delete = %v, %v, %v; want nil, false, nil (stale admit)", i, got, ok, err)
		}
		if after.CacheHits != before.CacheHits {
			t.Fatalf("round %d: the miss was a cache hit: %+v", i, after)
		}
		if after.DirectReads > before.DirectReads {
			direct++
		} else {
			viaCache++ // the gate was open and the invalidation had emptied the entry
		}
	}
	t.Logf("200 deletes, 0 stale admits; the Find after each went through the (invalidated) cache %d times, direct %d times; A: %+v",
		viaCache, direct, a.Stats())
}

// TestGateClosedReadsDirect: without confirmations every read goes to Redis uncached.
func TestGateClosedReadsDirect(t *testing.T) {
	srv := testenv.Redis(t)
	ctx := context.Background()

	t.Run("loop off", func(t *testing.T) {
		c := open(t, srv.URL(), redis.WithFreshnessLoop(false))
		st := redis.NewSessionStore(c)
		s := newSession(newSubject(), time.Now())
		mustCreate(t, st, s)
		for range 20 {
			if _, ok, err := st.Find(ctx, s.Subject, s.ID); !ok || err != nil {
				t.Fatalf("Find = %v, %v", ok, err)
			}
		}
		if c.Fresh() {
			t.Error("Fresh without a confirmation loop")
		}
		if got := c.Stats(); got.DirectReads != 20 || got.CacheHits != 0 || got.CacheMisses != 0 {
			t.Errorf("stats %+v, want 20 direct reads and no cache use", got)
		}
	})

	t.Run("loop stopped", func(t *testing.T) {
		c := open(t, srv.URL())
		st := redis.NewSessionStore(c)
		s := newSession(newSubject(), time.Now())
		mustCreate(t, st, s)
		cacheFind(t, c, st, s)

		redis.StopFreshnessLoop(c)
		waitFor(t, "the gate to close once confirmations stop", func() bool { return !c.Fresh() })
		before := c.Stats()
		for range 20 {
			if _, ok, err := st.Find(ctx, s.Subject, s.ID); !ok || err != nil {
				t.Fatalf("Find = %v, %v", ok, err)
			}
		}
		after := c.Stats()
		if after.DirectReads-before.DirectReads != 20 || after.CacheHits != before.CacheHits {
			t.Errorf("stats %+v after %+v, want 20 more direct reads and no more hits", after, before)
		}
	})
}

// TestConnectionLossResetsGate verifies what rueidis does when a connection closes: it calls
// OnInvalidations(nil) (counted as a flush, which resets the gate), the cache of that
// connection is gone, and after
// reconnecting the client confirms again and caches again. FLUSHALL, Redis' invalidate-all,
// resets too.
func TestConnectionLossResetsGate(t *testing.T) {
	srv := testenv.Redis(t)
	c := open(t, srv.URL())
	st := redis.NewSessionStore(c)
	ctx := context.Background()
	s := newSession(newSubject(), time.Now())
	mustCreate(t, st, s)
	cacheFind(t, c, st, s)

	flushes := c.Stats().Flushes
	if n := srv.MustDo("CLIENT", "KILL", "TYPE", "normal"); n.(int64) < 1 {
		t.Fatalf("CLIENT KILL killed %v connections", n)
	}
	waitFor(t, "OnInvalidations(nil) after the connection was killed", func() bool { return c.Stats().Flushes > flushes })
	// The killed connection's cache went with it: the next read is not a hit.
	before := c.Stats()
	if _, ok, err := st.Find(ctx, s.Subject, s.ID); !ok || err != nil {
		t.Fatalf("Find after reconnect = %v, %v", ok, err)
	}
	if c.Stats().CacheHits != before.CacheHits {
		t.Error("a Find after the connection was lost was answered from the old cache")
	}
	waitFor(t, "the gate to confirm again", c.Fresh)
	cacheFind(t, c, st, s)

	flushes = c.Stats().Flushes
	srv.MustDo("FLUSHALL")
	waitFor(t, "OnInvalidations(nil) after FLUSHALL", func() bool { return c.Stats().Flushes > flushes })
	if got, ok, err := st.Find(ctx, s.Subject, s.ID); ok || err != nil {
		t.Errorf("Find after FLUSHALL = %v, %v, %v; want nil, false, nil", got, ok, err)
	}
}

// TestClusterGateConfirmsEveryNode: on a Cluster the gate confirms all three masters, and
// reads are then served from the cache of whichever node holds the key.
func TestClusterGateConfirmsEveryNode(t *testing.T) {
	env := testenv.Cluster(t)
	c := open(t, env.URL())
	st := redis.NewSessionStore(c)
	waitFor(t, "the gate to open", c.Fresh)
	for _, n := range env.Nodes() {
		if calls(n.MustDo("INFO", "commandstats").(string), "ping") == 0 {
			t.Errorf("node %s was never pinged", n.Addr())
		}
	}
	for range 10 {
		s := newSession(newSubject(), time.Now())
		mustCreate(t, st, s)
		cacheFind(t, c, st, s)
	}
}
