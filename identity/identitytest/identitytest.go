package identitytest

import (
	"crypto/sha256"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/authgate/authgate/identity"
)

// Run runs the conformance suite. newStore must return a new, empty store on a real database,
// and close it when t ends (t.Cleanup). Every subtest gets its own store.
func Run(t *testing.T, newStore func(t *testing.T) identity.Store) {
	t.Run("Users", func(t *testing.T) { testUsers(t, newStore) })
	t.Run("Audit", func(t *testing.T) { testAudit(t, newStore) })
	t.Run("SigningKeys", func(t *testing.T) { testKeys(t, newStore) })
	t.Run("Refresh", func(t *testing.T) { testRefresh(t, newStore) })
	t.Run("Concurrency", func(t *testing.T) { testConcurrency(t, newStore) })
	t.Run("Ping", func(t *testing.T) {
		if err := newStore(t).Ping(t.Context()); err != nil {
			t.Errorf("Ping: %v", err)
		}
	})
}

// t0 is the suite's fixed "now". Times are whole seconds so every backend stores them exactly.
var t0 = time.Unix(1_700_000_000, 0).UTC()

// at returns t0 plus d.
func at(d time.Duration) time.Time { return t0.Add(d) }

const (
	hour = time.Hour
	day  = 24 * time.Hour
)

// tokenHash returns the SHA-256 of a token value, as the store keeps it.
func tokenHash(value string) []byte {
	h := sha256.Sum256([]byte(value))
	return h[:]
}

// wantErr fails t unless errors.Is(err, want); a nil want means no error.
func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Fatalf("%s: unexpected error %v", what, err)
	case want != nil && !errors.Is(err, want):
		t.Fatalf("%s: err = %v, want %v", what, err, want)
	}
}

func equalUser(t *testing.T, what string, got, want *identity.User) {
	t.Helper()
	if got.Subject != want.Subject || got.Username != want.Username || got.PasswordHash != want.PasswordHash ||
		!slices.Equal(got.Roles, want.Roles) || got.Disabled != want.Disabled ||
		got.TOTPSecret != want.TOTPSecret || got.TOTPPending != want.TOTPPending || got.TOTPLastStep != want.TOTPLastStep ||
		!got.CreatedAt.Equal(want.CreatedAt) || !got.UpdatedAt.Equal(want.UpdatedAt) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, *got, *want)
	}
}

func equalFamily(t *testing.T, what string, got, want *identity.RefreshFamily) {
	t.Helper()
	if got.ID != want.ID || got.Subject != want.Subject || got.MFA != want.MFA ||
		!got.CreatedAt.Equal(want.CreatedAt) || !got.ExpiresAt.Equal(want.ExpiresAt) ||
		!got.RevokedAt.Equal(want.RevokedAt) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, *got, *want)
	}
}
