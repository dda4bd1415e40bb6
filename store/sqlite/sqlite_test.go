package sqlite

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/authgate/authgate/identity"
	"github.com/authgate/authgate/identity/identitytest"
)

func openTemp(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	identitytest.Run(t, func(t *testing.T) identity.Store {
		return openTemp(t, filepath.Join(t.TempDir(), "identity.db"))
	})
}

func TestOpenConcurrently(t *testing.T) {
	path := filepath.Join(t.TempDir(), "identity.db")
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			s, err := Open(context.Background(), path)
			if err != nil {
				t.Errorf("Open %d: %v", i, err)
				return
			}
			s.Close()
		})
	}
	wg.Wait()
}

// TestTwoStoresOneFile is the CLI writing while the server runs: two Stores on one file see
// each other's writes, and writing from both at once does not fail with SQLITE_BUSY.
func TestTwoStoresOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "identity.db")
	server, cli := openTemp(t, path), openTemp(t, path)
	ctx := t.Context()
	t0 := time.Unix(1_700_000_000, 0)

	if err := cli.CreateUser(ctx, &identity.User{Subject: "s-alice", Username: "alice", CreatedAt: t0, UpdatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if _, err := server.UserByName(ctx, "alice"); err != nil {
		t.Errorf("server does not see the CLI's user: %v", err)
	}
	if err := server.AddSigningKey(ctx, &identity.SigningKey{ID: "k1", Algorithm: "EdDSA", PrivateKeyDER: []byte{1}, CreatedAt: t0}, true); err != nil {
		t.Fatal(err)
	}
	if keys, err := cli.SigningKeys(ctx, time.Time{}); err != nil || len(keys) != 1 {
		t.Errorf("CLI does not see the server's key: %d keys, %v", len(keys), err)
	}

	// Both write at once: the CLI creates users and rotates keys while the server creates and
	// rotates refresh tokens.
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, 4*n)
	for i := range n {
		wg.Go(func() {
			u := &identity.User{Subject: fmt.Sprintf("s-%d", i), Username: fmt.Sprintf("user%02d", i), CreatedAt: t0, UpdatedAt: t0}
			if err := cli.CreateUser(ctx, u); err != nil {
				errs <- fmt.Errorf("cli CreateUser %d: %w", i, err)
			}
			k := &identity.SigningKey{ID: fmt.Sprintf("k-%d", i), Algorithm: "EdDSA", PrivateKeyDER: []byte{2}, CreatedAt: t0.Add(time.Duration(i) * time.Second)}
			if err := cli.AddSigningKey(ctx, k, true); err != nil {
				errs <- fmt.Errorf("cli AddSigningKey %d: %w", i, err)
			}
		})
		wg.Go(func() {
			id := fmt.Sprintf("f-%d", i)
			f := &identity.RefreshFamily{ID: id, Subject: "s-alice", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
			first := &identity.RefreshToken{Hash: []byte(id + "/0"), CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
			if err := server.CreateRefreshFamily(ctx, f, first); err != nil {
				errs <- fmt.Errorf("server CreateRefreshFamily %d: %w", i, err)
				return
			}
			next := &identity.RefreshToken{Hash: []byte(id + "/1"), CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
			if _, err := server.RotateRefreshToken(ctx, first.Hash, next, t0.Add(time.Minute)); err != nil {
				errs <- fmt.Errorf("server RotateRefreshToken %d: %w", i, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	users, err := server.ListUsers(ctx)
	if err != nil || len(users) != n+1 {
		t.Errorf("server sees %d users (%v), want %d", len(users), err, n+1)
	}
	keys, err := server.SigningKeys(ctx, t0.Add(time.Hour))
	if err != nil || len(keys) != 1 {
		t.Errorf("server sees %d current keys (%v), want 1", len(keys), err)
	}
	for i := range n {
		if _, err := cli.RefreshFamilyByToken(ctx, fmt.Appendf(nil, "f-%d/1", i)); err != nil {
			t.Errorf("CLI does not see rotated token %d: %v", i, err)
		}
	}
}

func TestNanos(t *testing.T) {
	tests := []struct {
		name string
		in   time.Time
		want int64
		back time.Time
	}{
		{"zero", time.Time{}, 0, time.Time{}},
		{"fixed", time.Unix(1_700_000_000, 123456789), 1_700_000_000_123_456_789, time.Unix(1_700_000_000, 123456789)},
		{"before 1970", time.Unix(-10, 0), -10_000_000_000, time.Unix(-10, 0)},
		{"far future", time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), math.MaxInt64, time.Unix(0, math.MaxInt64)},
		{"far past", time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC), math.MinInt64, time.Unix(0, math.MinInt64)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := toNanos(tc.in)
			if got != tc.want {
				t.Errorf("toNanos(%v) = %d, want %d", tc.in, got, tc.want)
			}
			if back := fromNanos(got); !back.Equal(tc.back) || back.Location() != time.UTC {
				t.Errorf("fromNanos(%d) = %v, want %v in UTC", got, back, tc.back)
			}
		})
	}
}
