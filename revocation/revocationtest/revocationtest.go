package revocationtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"testing"
	"time"

	"github.com/authgate/authgate/revocation"
)

// Run runs the suite; newStore returns an empty store, closed by the suite's cleanup.
func Run(t *testing.T, newStore func(t *testing.T) revocation.Store) {
	ctx := context.Background()
	open := func(t *testing.T) revocation.Store {
		s := newStore(t)
		t.Cleanup(func() { s.Close() })
		return s
	}
	later := func() time.Time { return time.Now().Add(time.Hour) }

	t.Run("EmptyListRevokesNothing", func(t *testing.T) {
		s := open(t)
		sub := subject()
		mustNotRevoked(t, s, sub, "sid", "jti", 0)
		if g := generation(t, s, sub); g != 0 {
			t.Errorf("generation of a new subject = %d, want 0", g)
		}
		if err := s.Ping(ctx); err != nil {
			t.Errorf("Ping: %v", err)
		}
	})

	t.Run("RevokeTokenIsPerSubjectAndJTI", func(t *testing.T) {
		s := open(t)
		a, b := subject(), subject()
		if err := s.Revoke(ctx, a, revocation.Entry{Kind: revocation.Token, ID: "jti-1", Until: later()}); err != nil {
			t.Fatal(err)
		}
		mustRevoked(t, s, a, "sid-1", "jti-1", 0)
		mustNotRevoked(t, s, a, "sid-1", "jti-2", 0)
		mustNotRevoked(t, s, b, "sid-1", "jti-1", 0)
		// Revoking again is harmless.
		if err := s.Revoke(ctx, a, revocation.Entry{Kind: revocation.Token, ID: "jti-1", Until: later()}); err != nil {
			t.Fatal(err)
		}
		mustRevoked(t, s, a, "sid-1", "jti-1", 0)
	})

	t.Run("RevokeSessionRefusesEveryTokenOfTheLogin", func(t *testing.T) {
		s := open(t)
		a := subject()
		if err := s.Revoke(ctx, a, revocation.Entry{Kind: revocation.Login, ID: "sid-1", Until: later()}); err != nil {
			t.Fatal(err)
		}
		mustRevoked(t, s, a, "sid-1", "jti-1", 0)
		mustRevoked(t, s, a, "sid-1", "jti-2", 0)
		mustNotRevoked(t, s, a, "sid-2", "jti-3", 0)
		mustNotRevoked(t, s, a, "", "jti-4", 0)
	})

	t.Run("RevokeSeveralEntriesAtOnce", func(t *testing.T) {
		s := open(t)
		a := subject()
		err := s.Revoke(ctx, a,
			revocation.Entry{Kind: revocation.Token, ID: "jti-1", Until: later()},
			revocation.Entry{Kind: revocation.Login, ID: "sid-9", Until: later()})
		if err != nil {
			t.Fatal(err)
		}
		mustRevoked(t, s, a, "sid-1", "jti-1", 0)
		mustRevoked(t, s, a, "sid-9", "jti-2", 0)
		mustNotRevoked(t, s, a, "sid-1", "jti-2", 0)
		if err := s.Revoke(ctx, a); err != nil {
			t.Errorf("Revoke of nothing: %v", err)
		}
	})

	t.Run("EndUserRefusesOlderGenerations", func(t *testing.T) {
		s := open(t)
		a, b := subject(), subject()
		before := generation(t, s, a)
		if err := s.EndUser(ctx, a, later()); err != nil {
			t.Fatal(err)
		}
		after := generation(t, s, a)
		if after <= before {
			t.Fatalf("generation %d after EndUser, was %d", after, before)
		}
		mustRevoked(t, s, a, "sid", "jti", before)
		mustNotRevoked(t, s, a, "sid", "jti", after)
		mustNotRevoked(t, s, b, "sid", "jti", 0)
		if err := s.EndUser(ctx, a, later()); err != nil {
			t.Fatal(err)
		}
		if again := generation(t, s, a); again <= after {
			t.Fatalf("second EndUser: generation %d, was %d", again, after)
		}
		mustRevoked(t, s, a, "sid", "jti", after)
	})

	t.Run("EntriesExpire", func(t *testing.T) {
		s := open(t)
		a := subject()
		soon := time.Now().Add(300 * time.Millisecond)
		if err := s.Revoke(ctx, a, revocation.Entry{Kind: revocation.Token, ID: "jti-1", Until: soon}); err != nil {
			t.Fatal(err)
		}
		if err := s.Revoke(ctx, a, revocation.Entry{Kind: revocation.Login, ID: "sid-1", Until: soon}); err != nil {
			t.Fatal(err)
		}
		mustRevoked(t, s, a, "sid-0", "jti-1", 0)
		mustRevoked(t, s, a, "sid-1", "jti-0", 0)
		eventually(t, "entries to expire", func() bool {
			r1, err1 := s.Revoked(ctx, a, "sid-0", "jti-1", 0)
			r2, err2 := s.Revoked(ctx, a, "sid-1", "jti-0", 0)
			return err1 == nil && err2 == nil && !r1 && !r2
		})
	})

	t.Run("GenerationNeverGoesBackAfterExpiry", func(t *testing.T) {
		s := open(t)
		a := subject()
		if err := s.EndUser(ctx, a, time.Now().Add(300*time.Millisecond)); err != nil {
			t.Fatal(err)
		}
		stamped := generation(t, s, a) // a token issued now carries this
		eventually(t, "the generation record to expire", func() bool {
			g, err := s.Generation(ctx, a)
			return err == nil && g < stamped
		})
		mustNotRevoked(t, s, a, "sid", "jti", stamped)
		if err := s.EndUser(ctx, a, later()); err != nil {
			t.Fatal(err)
		}
		// The token stamped before the expiry is still older than the new ending.
		mustRevoked(t, s, a, "sid", "jti", stamped)
	})

	t.Run("ConcurrentEndingsOnlyRaiseTheGeneration", func(t *testing.T) {
		s := open(t)
		a := subject()
		var wg sync.WaitGroup
		var mu sync.Mutex
		seen := []int64{}
		for range 16 {
			wg.Go(func() {
				if err := s.EndUser(ctx, a, later()); err != nil {
					t.Error(err)
					return
				}
				g, err := s.Generation(ctx, a)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				seen = append(seen, g)
				mu.Unlock()
			})
		}
		wg.Wait()
		final := generation(t, s, a)
		for _, g := range seen {
			if g > final {
				t.Fatalf("saw generation %d above the final %d", g, final)
			}
		}
		if err := s.EndUser(ctx, a, later()); err != nil {
			t.Fatal(err)
		}
		mustRevoked(t, s, a, "sid", "jti", final)
	})
}

func subject() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func generation(t *testing.T, s revocation.Store, sub string) int64 {
	t.Helper()
	g, err := s.Generation(context.Background(), sub)
	if err != nil {
		t.Fatalf("Generation: %v", err)
	}
	return g
}

func mustRevoked(t *testing.T, s revocation.Store, sub, sid, jti string, gen int64) {
	t.Helper()
	if r, err := s.Revoked(context.Background(), sub, sid, jti, gen); err != nil || !r {
		t.Fatalf("Revoked(%s, %s, gen %d) = %v, %v; want revoked", sid, jti, gen, r, err)
	}
}

func mustNotRevoked(t *testing.T, s revocation.Store, sub, sid, jti string, gen int64) {
	t.Helper()
	if r, err := s.Revoked(context.Background(), sub, sid, jti, gen); err != nil || r {
		t.Fatalf("Revoked(%s, %s, gen %d) = %v, %v; want admitted", sid, jti, gen, r, err)
	}
}

// eventually polls cond for up to five seconds; it asserts that something happens, never how
// fast.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
