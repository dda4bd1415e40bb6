package bench

import (
	"context"
	"fmt"
	"github.com/authgate/authgate/revocation"
	"sync"
	"sync/atomic"
	"time"

	"github.com/authgate/authgate/session"
	"github.com/authgate/authgate/store/redis"
)

// memoryUserAgent is a typical browser's, so that session records have their usual size.
const memoryUserAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"

// measureMemory reads Redis' used_memory around writing n sessions and n revocation entries
// through the production stores, on a client of its own (no cache, a 1 ms staleness bound, so
// the writes do not wait for other instances' caches: nobody reads these keys). Sessions go
// under a key prefix of their own and are deleted afterwards; revocation entries expire by
// themselves a minute later.
func measureMemory(ctx context.Context, url string, n int) (*RedisMemory, error) {
	c, err := redis.Open(ctx, url, redis.WithFreshnessLoop(false), redis.WithStalenessBound(time.Millisecond))
	if err != nil {
		return nil, fmt.Errorf("memory: %w", err)
	}
	defer c.Close()
	probe := &redisProbe{c: c}
	subjects := make([]string, n)
	for i := range subjects {
		subjects[i] = "agbench" + randomHex(16)
	}
	out := &RedisMemory{Sessions: n, Entries: n}

	// used_memory after minus before, per item.
	perItem := func(write func(i int) error) (float64, error) {
		before, err := probe.snap(ctx)
		if err != nil {
			return 0, err
		}
		if err := parallel(ctx, n, 32, write); err != nil {
			return 0, err
		}
		after, err := probe.snap(ctx)
		if err != nil {
			return 0, err
		}
		return (after.mem - before.mem) / float64(n), nil
	}

	store := redis.NewSessionStore(c, redis.WithKeyPrefix("agbench:"+randomHex(4)+":"))
	mgr := session.NewManager(store)
	out.BytesPerSession, err = perItem(func(i int) error {
		_, _, err := mgr.Start(ctx, session.Identity{Subject: subjects[i], Username: fmt.Sprintf("user%06d", i), Roles: []string{"dev"}},
			false, "203.0.113.7", memoryUserAgent)
		return err
	})
	cleanErr := parallel(context.WithoutCancel(ctx), n, 32, func(i int) error {
		_, err := store.DeleteAll(context.WithoutCancel(ctx), subjects[i])
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("memory per session: %w", err)
	}
	if cleanErr != nil {
		return nil, fmt.Errorf("memory: delete the sessions written: %w", cleanErr)
	}

	revs := redis.NewRevocationStore(c)
	until := time.Now().Add(time.Minute)
	for i, per := range []*float64{&out.BytesPerEntry, &out.BytesPerMoreEntry} {
		if *per, err = perItem(func(j int) error {
			return revs.Revoke(ctx, subjects[j], revocation.Entry{Kind: revocation.Token, ID: fmt.Sprintf("%022d", i*n+j), Until: until})
		}); err != nil {
			return nil, fmt.Errorf("memory per revocation entry: %w", err)
		}
	}
	return out, nil
}

// parallel runs f(0..n-1) on at most workers goroutines and returns the first error.
func parallel(ctx context.Context, n, workers int, f func(i int) error) error {
	var next atomic.Int64
	var once sync.Once
	var first error
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := f(i); err != nil {
					once.Do(func() { first = err })
					next.Store(int64(n))
					return
				}
			}
		}()
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}
