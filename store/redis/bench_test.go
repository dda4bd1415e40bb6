package redis_test

import (
	"context"
	"testing"
	"time"

	"github.com/authgate/authgate/internal/testenv"
	"github.com/authgate/authgate/store/redis"
)

// BenchmarkFind measures Find of one session on a real standalone server: cached (the gate
// open, answered from the local cache) and direct (the loop off, one GET per Find). It reports
// the Redis commands each Find cost, from INFO commandstats around the loop; the gate's PINGs
// are a background cost per node, reported per second instead.
func BenchmarkFind(b *testing.B) {
	srv := testenv.Redis(b)
	for _, bc := range []struct {
		name string
		opts []redis.Option
	}{
		{"cached", nil},
		{"direct", []redis.Option{redis.WithFreshnessLoop(false)}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := open(b, srv.URL(), bc.opts...)
			st := redis.NewSessionStore(c)
			s := newSession(newSubject(), time.Now())
			mustCreate(b, st, s)
			if bc.opts == nil {
				cacheFind(b, c, st, s)
			}
			ctx := context.Background()
			statsBefore := c.Stats()
			info := srv.MustDo("INFO", "commandstats").(string)
			cmds, pings := totalCalls(info, "ping", "info"), calls(info, "ping")
			start := time.Now()

			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, ok, err := st.Find(ctx, s.Subject, s.ID); !ok || err != nil {
					b.Fatalf("Find = %v, %v", ok, err)
				}
			}
			b.StopTimer()

			elapsed := time.Since(start)
			info = srv.MustDo("INFO", "commandstats").(string)
			st2 := c.Stats()
			n := float64(b.N)
			b.ReportMetric(float64(totalCalls(info, "ping", "info")-cmds)/n, "redis-cmds/op")
			b.ReportMetric(float64(st2.CacheHits-statsBefore.CacheHits)/n, "hits/op")
			b.ReportMetric(float64(calls(info, "ping")-pings)/elapsed.Seconds(), "pings/s")
		})
	}
}

// BenchmarkDeleteVisibility measures how often instance A's very next Find still admits a
// session instance B has just deleted. With the store's Delete (which waits out the staleness
// bound) it is 0 by construction; with a bare DEL (no wait) it shows how late Redis' pushes
// arrive, the reason for the wait.
func BenchmarkDeleteVisibility(b *testing.B) {
	srv := testenv.Redis(b)
	a, bc := open(b, srv.URL()), open(b, srv.URL())
	stA, stB := redis.NewSessionStore(a), redis.NewSessionStore(bc)
	ctx := context.Background()
	for _, mode := range []string{"store-delete", "bare-del"} {
		b.Run(mode, func(b *testing.B) {
			stale := 0
			for b.Loop() {
				b.StopTimer()
				s := newSession(newSubject(), time.Now())
				mustCreate(b, stB, s)
				cacheFind(b, a, stA, s)
				b.StartTimer()
				if mode == "store-delete" {
					if err := stB.Delete(ctx, s.Subject, s.ID); err != nil {
						b.Fatal(err)
					}
				} else if err := bc.Do(ctx, bc.B().Del().Key(stB.RecordKey(s.Subject, s.ID)).Build()).Error(); err != nil {
					b.Fatal(err)
				}
				if _, ok, err := stA.Find(ctx, s.Subject, s.ID); err != nil {
					b.Fatal(err)
				} else if ok {
					stale++
				}
			}
			b.ReportMetric(float64(stale)/float64(b.N), "stale-admits/op")
		})
	}
}
