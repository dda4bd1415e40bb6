package throttletest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"testing"
	"time"

	"github.com/authgate/authgate/throttle"
)

// Run runs the suite; newStore returns an empty store, closed by the caller's cleanup.
func Run(t *testing.T, newStore func(t *testing.T) throttle.Store) {
	ctx := context.Background()
	p := throttle.Policy{Threshold: 3, Base: time.Second, Max: 8 * time.Second, Window: time.Hour}
	t0 := time.UnixMilli(time.Now().UnixMilli())

	t.Run("LocksPastThresholdAndBacksOff", func(t *testing.T) {
		s, key := newStore(t), newKey()
		want := []time.Duration{0, 0, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second}
		for i, w := range want {
			until, err := s.Fail(ctx, key, t0, p)
			if err != nil {
				t.Fatal(err)
			}
			if got := lockOf(until, t0); got != w {
				t.Fatalf("failure %d: locked for %s, want %s", i+1, got, w)
			}
		}
		until, err := s.LockedUntil(ctx, key, t0)
		if err != nil || lockOf(until, t0) != 8*time.Second {
			t.Fatalf("LockedUntil = %v, %v", until, err)
		}
		if until, _ := s.LockedUntil(ctx, key, t0.Add(9*time.Second)); !until.IsZero() {
			t.Errorf("still locked after the lock ran out: %v", until)
		}
	})

	t.Run("ResetForgets", func(t *testing.T) {
		s, key := newStore(t), newKey()
		for range 4 {
			s.Fail(ctx, key, t0, p)
		}
		if err := s.Reset(ctx, key); err != nil {
			t.Fatal(err)
		}
		if until, err := s.LockedUntil(ctx, key, t0); err != nil || !until.IsZero() {
			t.Fatalf("after Reset: %v, %v", until, err)
		}
		if until, _ := s.Fail(ctx, key, t0, p); !until.IsZero() {
			t.Error("the count survived Reset")
		}
	})

	t.Run("WindowForgetsOldFailures", func(t *testing.T) {
		s, key := newStore(t), newKey()
		for range 2 {
			s.Fail(ctx, key, t0, p)
		}
		until, err := s.Fail(ctx, key, t0.Add(2*time.Hour), p)
		if err != nil || !until.IsZero() {
			t.Fatalf("a failure after the window counted the old ones: %v, %v", until, err)
		}
	})

	t.Run("KeysAreIndependent", func(t *testing.T) {
		s, a, b := newStore(t), newKey(), newKey()
		for range 5 {
			s.Fail(ctx, a, t0, p)
		}
		if until, _ := s.LockedUntil(ctx, b, t0); !until.IsZero() {
			t.Error("another key is locked")
		}
	})

	t.Run("ConcurrentFailuresAllCount", func(t *testing.T) {
		s, key := newStore(t), newKey()
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				if _, err := s.Fail(ctx, key, t0, p); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		until, _ := s.Fail(ctx, key, t0, p) // the 11th
		if got := lockOf(until, t0); got != 8*time.Second {
			t.Errorf("after 11 concurrent failures the lock is %s, want the maximum", got)
		}
	})
}

func lockOf(until, now time.Time) time.Duration {
	if until.IsZero() {
		return 0
	}
	return until.Sub(now)
}

func newKey() string {
	var b [8]byte
	rand.Read(b[:])
	return "test:" + hex.EncodeToString(b[:])
}
