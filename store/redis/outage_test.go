package redis_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/authgate/authgate/internal/testenv"
	"github.com/authgate/authgate/store/redis"
)

// TestServerOutage: while the server is down every Find fails (a "not found" would log users
// out, or worse, let a caller treat an outage as an answer); once it is back on the same port
// the same Client works again.
func TestServerOutage(t *testing.T) {
	srv := testenv.Redis(t)
	c := open(t, srv.URL())
	st := redis.NewSessionStore(c)
	ctx := context.Background()
	s := newSession(newSubject(), time.Now())
	mustCreate(t, st, s)
	cacheFind(t, c, st, s)

	srv.Stop()
	// Within D of the last confirmation the cache may still answer, with what it rightly
	// holds; once the gate has closed, which it must without PONGs, reads go to Redis and fail.
	waitFor(t, "the gate to close while the server is down", func() bool { return !c.Fresh() })
	for i := range 20 {
		got, ok, err := st.Find(ctx, s.Subject, s.ID)
		if err == nil {
			t.Fatalf("Find %d during the outage = %v, %v, nil; want an error", i, got, ok)
		}
	}
	if _, err := st.List(ctx, s.Subject); err == nil {
		t.Error("List during the outage: no error")
	}
	if err := st.Create(ctx, newSession(s.Subject, time.Now())); err == nil {
		t.Error("Create during the outage: no error")
	}
	if err := st.Ping(ctx); err == nil {
		t.Error("Ping during the outage: no error")
	}

	srv.Start() // same port, no data: nothing is persisted
	waitFor(t, "Find to work again", func() bool {
		_, _, err := st.Find(ctx, s.Subject, s.ID)
		return err == nil
	})
	s2 := newSession(s.Subject, time.Now())
	mustCreate(t, st, s2)
	cacheFind(t, c, st, s2)
	t.Logf("client after the outage: %+v", c.Stats())
}

// TestSentinelFailover kills the master under a stream of Finds: they fail until the sentinels
// have promoted the replica and the client has followed, then succeed again, and a session
// created (and, by WAIT, replicated) before the failover survives it.
func TestSentinelFailover(t *testing.T) {
	env := testenv.Sentinel(t)
	c := open(t, env.URL())
	st := redis.NewSessionStore(c)
	ctx := context.Background()
	s := newSession(newSubject(), time.Now())
	mustCreate(t, st, s) // returns once the replica has it
	if got := env.Replica().MustDo("GET", st.RecordKey(s.Subject, s.ID)); got == nil {
		t.Fatal("the replica does not have the session after Create")
	}
	cacheFind(t, c, st, s)

	killed := env.KillMaster()
	killedAt := time.Now()
	var firstErr, recovered time.Time
	var failures int
	deadline := killedAt.Add(waitWithin)
	for {
		fctx, cancel := context.WithTimeout(ctx, time.Second)
		got, ok, err := st.Find(fctx, s.Subject, s.ID)
		cancel()
		switch {
		case err != nil:
			if firstErr.IsZero() {
				firstErr = time.Now()
			}
			failures++
		case !ok:
			t.Fatalf("Find during the failover = not found, want the session or an error")
		case got.ID == s.ID && !firstErr.IsZero():
			recovered = time.Now()
		}
		if !recovered.IsZero() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Finds did not recover within %v of the kill (%d failures)", waitWithin, failures)
		}
		time.Sleep(10 * time.Millisecond)
	}
	newMaster := env.WaitForNewMaster(killed.Addr())
	t.Logf("failover: Finds failed from %v to %v after the kill (%d failed Finds, window %v); new master %s",
		firstErr.Sub(killedAt).Round(time.Millisecond), recovered.Sub(killedAt).Round(time.Millisecond),
		failures, recovered.Sub(firstErr).Round(time.Millisecond), newMaster)

	// With no replica left, writes cannot be made durable: Create fails closed.
	if err := st.Create(ctx, newSession(s.Subject, time.Now())); !errors.Is(err, redis.ErrNotReplicated) {
		t.Errorf("Create without a replica = %v, want ErrNotReplicated", err)
	}
	// The old master returns as a replica of the new one; writes are durable again.
	killed.Start()
	killed.MustDo("REPLICAOF", "127.0.0.1", portOf(newMaster))
	env.WaitForReplica(killed)
	s2 := newSession(s.Subject, time.Now())
	mustCreate(t, st, s2)
	list, err := st.List(ctx, s.Subject)
	if err != nil || len(list) != 2 || list[0].ID != s2.ID || list[1].ID != s.ID {
		t.Errorf("List after the failover = %d sessions, %v; want the new one and the one from before", len(list), err)
	}
	t.Logf("client after the failover: %+v", c.Stats())
}

func portOf(addr string) string {
	_, port, _ := net.SplitHostPort(addr)
	return port
}
