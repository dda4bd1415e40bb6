package identitytest

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"slices"
	"testing"
	"time"

	"github.com/authgate/authgate/identity"
)

// newKey returns a signing key with a real PKCS #8 Ed25519 private key made from seed.
func newKey(t *testing.T, id string, created time.Time, seed byte) *identity.SigningKey {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize)))
	if err != nil {
		t.Fatal(err)
	}
	return &identity.SigningKey{ID: id, Algorithm: "EdDSA", PrivateKeyDER: der, CreatedAt: created}
}

func keyIDs(keys []*identity.SigningKey) []string {
	ids := []string{}
	for _, k := range keys {
		ids = append(ids, k.ID)
	}
	return ids
}

func testKeys(t *testing.T, newStore func(t *testing.T) identity.Store) {
	t.Run("AddAndList", func(t *testing.T) {
		s := newStore(t)
		keys, err := s.SigningKeys(t.Context(), time.Time{})
		wantErr(t, "SigningKeys(empty)", err, nil)
		if len(keys) != 0 {
			t.Errorf("SigningKeys on an empty store = %q", keyIDs(keys))
		}
		k1 := newKey(t, "k1", at(0), 1)
		k2 := newKey(t, "k2", at(hour), 2)
		k2.Algorithm = "ES256"
		// A DER with every byte value, NULs included, must come back byte for byte.
		k2.PrivateKeyDER = make([]byte, 512)
		for i := range k2.PrivateKeyDER {
			k2.PrivateKeyDER[i] = byte(i)
		}
		wantErr(t, "AddSigningKey(k1)", s.AddSigningKey(t.Context(), k1, false), nil)
		wantErr(t, "AddSigningKey(k2)", s.AddSigningKey(t.Context(), k2, false), nil)

		keys, err = s.SigningKeys(t.Context(), time.Time{})
		wantErr(t, "SigningKeys", err, nil)
		if got := keyIDs(keys); !slices.Equal(got, []string{"k2", "k1"}) {
			t.Fatalf("SigningKeys = %q, want [k2 k1] (newest first, none retired)", got)
		}
		for i, want := range []*identity.SigningKey{k2, k1} {
			got := keys[i]
			if got.Algorithm != want.Algorithm || !bytes.Equal(got.PrivateKeyDER, want.PrivateKeyDER) ||
				!got.CreatedAt.Equal(want.CreatedAt) || !got.RetiredAt.IsZero() {
				t.Errorf("key %s = {%s, %d-byte DER, %v, retired %v}, want {%s, %d-byte DER (same bytes), %v, not retired}",
					want.ID, got.Algorithm, len(got.PrivateKeyDER), got.CreatedAt, got.RetiredAt,
					want.Algorithm, len(want.PrivateKeyDER), want.CreatedAt)
			}
		}
		if _, err := x509.ParsePKCS8PrivateKey(keys[1].PrivateKeyDER); err != nil {
			t.Errorf("stored PKCS #8 DER no longer parses: %v", err)
		}
	})

	t.Run("DuplicateID", func(t *testing.T) {
		s := newStore(t)
		wantErr(t, "AddSigningKey", s.AddSigningKey(t.Context(), newKey(t, "k1", at(0), 1), false), nil)
		// The failed add must not retire the existing key either.
		wantErr(t, "AddSigningKey(same kid)", s.AddSigningKey(t.Context(), newKey(t, "k1", at(hour), 2), true), identity.ErrConflict)
		keys, err := s.SigningKeys(t.Context(), time.Time{})
		wantErr(t, "SigningKeys", err, nil)
		if len(keys) != 1 || !keys[0].RetiredAt.IsZero() || !keys[0].CreatedAt.Equal(at(0)) {
			t.Errorf("after a conflicting add, keys = %+v; want k1 alone, current", keys)
		}
	})

	t.Run("RetireOthers", func(t *testing.T) {
		s := newStore(t)
		// k1 and k2 current; k3 retires them at its CreatedAt; k4 retires k3 only.
		for _, add := range []struct {
			key    *identity.SigningKey
			retire bool
		}{
			{newKey(t, "k1", at(0), 1), false},
			{newKey(t, "k2", at(1*hour), 2), false},
			{newKey(t, "k3", at(2*hour), 3), true},
			{newKey(t, "k4", at(3*hour), 4), true},
		} {
			wantErr(t, "AddSigningKey("+add.key.ID+")", s.AddSigningKey(t.Context(), add.key, add.retire), nil)
		}
		keys, err := s.SigningKeys(t.Context(), time.Time{})
		wantErr(t, "SigningKeys", err, nil)
		retired := map[string]time.Time{}
		for _, k := range keys {
			retired[k.ID] = k.RetiredAt
		}
		for id, want := range map[string]time.Time{"k1": at(2 * hour), "k2": at(2 * hour), "k3": at(3 * hour), "k4": {}} {
			if got, ok := retired[id]; !ok || !got.Equal(want) {
				t.Errorf("%s RetiredAt = %v (listed %v), want %v", id, got, ok, want)
			}
		}

		tests := []struct {
			name         string
			retiredAfter time.Time
			want         []string
		}{
			{"zero time", time.Time{}, []string{"k4", "k3", "k2", "k1"}},
			{"before the first retirement", at(2*hour - time.Second), []string{"k4", "k3", "k2", "k1"}},
			{"at the first retirement", at(2 * hour), []string{"k4", "k3"}},
			{"between", at(3*hour - time.Second), []string{"k4", "k3"}},
			{"at the last retirement", at(3 * hour), []string{"k4"}},
			{"far future", at(1000 * day), []string{"k4"}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				keys, err := s.SigningKeys(t.Context(), tc.retiredAfter)
				wantErr(t, "SigningKeys", err, nil)
				if got := keyIDs(keys); !slices.Equal(got, tc.want) {
					t.Errorf("SigningKeys(%v) = %q, want %q", tc.retiredAfter, got, tc.want)
				}
			})
		}
	})
}
