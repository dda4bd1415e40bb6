package redis_test

import (
	"context"
	"testing"
	"time"

	"github.com/authgate/authgate/internal/testenv"
	"github.com/authgate/authgate/revocation"
	"github.com/authgate/authgate/revocation/revocationtest"
	"github.com/authgate/authgate/store/redis"
	"github.com/authgate/authgate/throttle"
	"github.com/authgate/authgate/throttle/throttletest"
)

func TestRevocationAndThrottleConformance(t *testing.T) {
	topologies := []struct {
		name  string
		start func(t *testing.T) string
	}{
		{"standalone", func(t *testing.T) string { return testenv.Redis(t).URL() }},
		{"sentinel", func(t *testing.T) string { return testenv.Sentinel(t).URL() }},
		{"cluster", func(t *testing.T) string { return testenv.Cluster(t).URL() }},
	}
	for _, tc := range topologies {
		t.Run(tc.name, func(t *testing.T) {
			url := tc.start(t)
			t.Run("revocation", func(t *testing.T) {
				revocationtest.Run(t, func(t *testing.T) revocation.Store {
					return redis.NewRevocationStore(open(t, url))
				})
			})
			t.Run("throttle", func(t *testing.T) {
				throttletest.Run(t, func(t *testing.T) throttle.Store {
					return redis.NewRevocationStore(open(t, url))
				})
			})
		})
	}
}

// A revocation written through one client is refused by the very next check on another client
// that had the entry cached as "not revoked": Revoke returns only once every cache that the
// gate admits has applied it.
func TestRevocationVisibleAcrossInstancesAtOnce(t *testing.T) {
	url := testenv.Redis(t).URL()
	writerClient, readerClient := open(t, url), open(t, url)
	writer, reader := redis.NewRevocationStore(writerClient), redis.NewRevocationStore(readerClient)
	ctx := context.Background()
	for i := range 200 {
		sub := newSubject()
		jti := "jti-" + sub[:8]
		// Warm the reader's cache until a check is served from it.
		waitFor(t, "a cached check", func() bool {
			before := readerClient.Stats().CacheHits
			r, err := reader.Revoked(ctx, sub, "sid", jti, 0)
			return err == nil && !r && readerClient.Stats().CacheHits > before
		})
		var err error
		switch i % 3 {
		case 0:
			err = writer.Revoke(ctx, sub, revocation.Entry{Kind: revocation.Token, ID: jti, Until: time.Now().Add(time.Hour)})
		case 1:
			err = writer.Revoke(ctx, sub, revocation.Entry{Kind: revocation.Login, ID: "sid", Until: time.Now().Add(time.Hour)})
		default:
			err = writer.EndUser(ctx, sub, time.Now().Add(time.Hour))
		}
		if err != nil {
			t.Fatal(err)
		}
		if r, err := reader.Revoked(ctx, sub, "sid", jti, 0); err != nil || !r {
			t.Fatalf("iteration %d: the check right after the revocation returned admitted=%v err=%v", i, !r, err)
		}
	}
}

// With Redis down the list cannot be read: an error, never "not revoked".
func TestRevocationFailsClosed(t *testing.T) {
	srv := testenv.Redis(t)
	store := redis.NewRevocationStore(open(t, srv.URL()))
	ctx := context.Background()
	sub := newSubject()
	if _, err := store.Revoked(ctx, sub, "sid", "jti", 0); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	waitFor(t, "the check to fail", func() bool {
		_, err := store.Revoked(ctx, sub, "sid", "jti", 0)
		return err != nil
	})
	srv.Start()
	waitFor(t, "recovery", func() bool {
		r, err := store.Revoked(ctx, sub, "sid", "jti", 0)
		return err == nil && !r
	})
}

// A revocation is acknowledged only once a replica has it, so a failover right after it does
// not bring the token back.
func TestRevocationSurvivesSentinelFailover(t *testing.T) {
	env := testenv.Sentinel(t)
	store := redis.NewRevocationStore(open(t, env.URL()))
	ctx := context.Background()
	sub := newSubject()
	if err := store.Revoke(ctx, sub, revocation.Entry{Kind: revocation.Login, ID: "sid", Until: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := store.EndUser(ctx, sub, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	killed := env.KillMaster()
	env.WaitForNewMaster(killed.Addr())
	waitFor(t, "reads on the new master", func() bool {
		r, err := store.Revoked(ctx, sub, "sid", "jti", 0)
		if err == nil && !r {
			t.Fatal("the revocation was lost in the failover")
		}
		return err == nil && r
	})
	r, err := store.Revoked(ctx, sub, "other-sid", "jti", 0)
	if err != nil || !r {
		t.Fatalf("the user's generation was lost in the failover: %v %v", r, err)
	}
}
