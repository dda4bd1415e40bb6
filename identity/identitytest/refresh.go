package identitytest

import (
	"testing"
	"time"

	"github.com/authgate/authgate/identity"
)

// newFamily returns a family of subject created at t0 that expires after 30 days, with its
// first token, valid for a day, whose value is id+"/0".
func newFamily(id, subject string) (*identity.RefreshFamily, *identity.RefreshToken) {
	f := &identity.RefreshFamily{ID: id, Subject: subject, CreatedAt: at(0), ExpiresAt: at(30 * day)}
	return f, newToken(id+"/0", at(0))
}

// newToken returns a token for value created at created and valid for a day.
func newToken(value string, created time.Time) *identity.RefreshToken {
	return &identity.RefreshToken{Hash: tokenHash(value), CreatedAt: created, ExpiresAt: created.Add(day)}
}

// mustCreateFamily stores f with first.
func mustCreateFamily(t *testing.T, s identity.Store, f *identity.RefreshFamily, first *identity.RefreshToken) {
	t.Helper()
	wantErr(t, "CreateRefreshFamily("+f.ID+")", s.CreateRefreshFamily(t.Context(), f, first), nil)
}

// rotate rotates the token with value old to one with value next at time now.
func rotate(t *testing.T, s identity.Store, old, next string, now time.Time) (*identity.RefreshFamily, error) {
	t.Helper()
	return s.RotateRefreshToken(t.Context(), tokenHash(old), newToken(next, now), now)
}

func testRefresh(t *testing.T, newStore func(t *testing.T) identity.Store) {
	t.Run("CreateAndRotate", func(t *testing.T) {
		s := newStore(t)
		f, first := newFamily("f1", "sub-alice")
		f.MFA = true
		mustCreateFamily(t, s, f, first)
		if first.FamilyID != "f1" {
			t.Errorf("first.FamilyID = %q, want f1", first.FamilyID)
		}
		got, err := s.RefreshFamilyByToken(t.Context(), tokenHash("f1/0"))
		wantErr(t, "RefreshFamilyByToken(first)", err, nil)
		equalFamily(t, "family of the first token", got, f)

		next := newToken("f1/1", at(hour))
		got, err = s.RotateRefreshToken(t.Context(), tokenHash("f1/0"), next, at(hour))
		wantErr(t, "RotateRefreshToken", err, nil)
		equalFamily(t, "rotated family", got, f)
		if next.FamilyID != "f1" {
			t.Errorf("next.FamilyID = %q, want f1 (set by the store)", next.FamilyID)
		}
		for _, value := range []string{"f1/0", "f1/1"} {
			got, err := s.RefreshFamilyByToken(t.Context(), tokenHash(value))
			wantErr(t, "RefreshFamilyByToken("+value+")", err, nil)
			equalFamily(t, "family of "+value, got, f)
		}
		// The chain goes on from the new token.
		_, err = rotate(t, s, "f1/1", "f1/2", at(2*hour))
		wantErr(t, "rotate the new token", err, nil)
	})

	t.Run("ReuseRevokesFamily", func(t *testing.T) {
		s := newStore(t)
		f, first := newFamily("f1", "sub-alice")
		mustCreateFamily(t, s, f, first)
		_, err := rotate(t, s, "f1/0", "f1/1", at(hour))
		wantErr(t, "first rotation", err, nil)

		_, err = rotate(t, s, "f1/0", "stolen", at(2*hour))
		wantErr(t, "rotate the spent token", err, identity.ErrRefreshReused)
		// The reuse was committed: the family is revoked, so its newest token is dead too.
		_, err = rotate(t, s, "f1/1", "f1/2", at(3*hour))
		wantErr(t, "rotate the newest token after reuse", err, identity.ErrRefreshInvalid)
		got, err := s.RefreshFamilyByToken(t.Context(), tokenHash("f1/1"))
		wantErr(t, "RefreshFamilyByToken", err, nil)
		if !got.RevokedAt.Equal(at(2 * hour)) {
			t.Errorf("RevokedAt = %v, want the reuse time %v", got.RevokedAt, at(2*hour))
		}
		_, err = s.RefreshFamilyByToken(t.Context(), tokenHash("stolen"))
		wantErr(t, "the reuser's next token is not stored", err, identity.ErrNotFound)
		// Presenting it yet again is still reuse, and keeps the first revocation time.
		_, err = rotate(t, s, "f1/0", "stolen2", at(4*hour))
		wantErr(t, "rotate the spent token again", err, identity.ErrRefreshReused)
		got, err = s.RefreshFamilyByToken(t.Context(), tokenHash("f1/0"))
		wantErr(t, "RefreshFamilyByToken", err, nil)
		if !got.RevokedAt.Equal(at(2 * hour)) {
			t.Errorf("RevokedAt after second reuse = %v, want %v", got.RevokedAt, at(2*hour))
		}
	})

	t.Run("RotateInvalid", func(t *testing.T) {
		tests := []struct {
			name   string
			setup  func(f *identity.RefreshFamily, first *identity.RefreshToken)
			at     time.Time
			wantOK bool
		}{
			{"valid", nil, at(day - time.Second), true},
			{"token idle-expired", nil, at(day), false},
			{"token long expired", nil, at(10 * day), false},
			{"family expired", func(f *identity.RefreshFamily, first *identity.RefreshToken) {
				f.ExpiresAt = at(hour)
			}, at(hour), false},
			{"family revoked", func(f *identity.RefreshFamily, first *identity.RefreshToken) {
				f.RevokedAt = at(hour)
			}, at(2 * hour), false},
			{"family revoked later", func(f *identity.RefreshFamily, first *identity.RefreshToken) {
				f.RevokedAt = at(3 * hour) // revoked is revoked, whatever the clock says
			}, at(2 * hour), false},
		}
		s := newStore(t)
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				f, first := newFamily(tc.name, "sub-alice")
				if tc.setup != nil {
					tc.setup(f, first)
				}
				mustCreateFamily(t, s, f, first)
				_, err := rotate(t, s, tc.name+"/0", tc.name+"/1", tc.at)
				_, lookupErr := s.RefreshFamilyByToken(t.Context(), tokenHash(tc.name+"/1"))
				if tc.wantOK {
					wantErr(t, "RotateRefreshToken", err, nil)
					wantErr(t, "next token stored", lookupErr, nil)
					return
				}
				wantErr(t, "RotateRefreshToken", err, identity.ErrRefreshInvalid)
				wantErr(t, "next token not stored", lookupErr, identity.ErrNotFound)
			})
		}
		t.Run("unknown token", func(t *testing.T) {
			_, err := rotate(t, s, "never issued", "x", at(hour))
			wantErr(t, "RotateRefreshToken(unknown)", err, identity.ErrRefreshInvalid)
		})
	})

	t.Run("CreateConflict", func(t *testing.T) {
		s := newStore(t)
		f, first := newFamily("f1", "sub-alice")
		mustCreateFamily(t, s, f, first)
		dup, _ := newFamily("f1", "sub-bob")
		wantErr(t, "same family ID", s.CreateRefreshFamily(t.Context(), dup, newToken("other", at(0))), identity.ErrConflict)
		f2, _ := newFamily("f2", "sub-bob")
		wantErr(t, "same token hash", s.CreateRefreshFamily(t.Context(), f2, newToken("f1/0", at(0))), identity.ErrConflict)
		// Atomic: the failed create left no family f2 behind.
		mustCreateFamily(t, s, f2, newToken("f2/0", at(0)))
	})

	t.Run("RevokeFamily", func(t *testing.T) {
		s := newStore(t)
		f, first := newFamily("f1", "sub-alice")
		mustCreateFamily(t, s, f, first)
		wantErr(t, "RevokeRefreshFamily", s.RevokeRefreshFamily(t.Context(), "f1", at(hour)), nil)
		wantErr(t, "revoke again", s.RevokeRefreshFamily(t.Context(), "f1", at(2*hour)), nil)
		wantErr(t, "revoke unknown", s.RevokeRefreshFamily(t.Context(), "nope", at(hour)), nil)
		got, err := s.RefreshFamilyByToken(t.Context(), tokenHash("f1/0"))
		wantErr(t, "RefreshFamilyByToken", err, nil)
		if !got.RevokedAt.Equal(at(hour)) {
			t.Errorf("RevokedAt = %v, want the first revocation %v", got.RevokedAt, at(hour))
		}
		_, err = rotate(t, s, "f1/0", "f1/1", at(2*hour))
		wantErr(t, "rotate in a revoked family", err, identity.ErrRefreshInvalid)
	})

	t.Run("RevokeFamiliesOfSubject", func(t *testing.T) {
		s := newStore(t)
		for _, id := range []string{"a1", "a2", "a-revoked", "a-expired"} {
			f, first := newFamily(id, "sub-alice")
			switch id {
			case "a-revoked":
				f.RevokedAt = at(hour)
			case "a-expired":
				f.ExpiresAt = at(2 * hour)
			}
			mustCreateFamily(t, s, f, first)
		}
		f, first := newFamily("b1", "sub-bob")
		mustCreateFamily(t, s, f, first)

		n, err := s.RevokeRefreshFamilies(t.Context(), "sub-alice", at(3*hour))
		wantErr(t, "RevokeRefreshFamilies", err, nil)
		if n != 2 {
			t.Errorf("RevokeRefreshFamilies = %d, want 2 live families", n)
		}
		for _, id := range []string{"a1", "a2"} {
			_, err := rotate(t, s, id+"/0", id+"/1", at(4*hour))
			wantErr(t, "rotate "+id, err, identity.ErrRefreshInvalid)
		}
		got, err := s.RefreshFamilyByToken(t.Context(), tokenHash("a-revoked/0"))
		wantErr(t, "RefreshFamilyByToken(a-revoked)", err, nil)
		if !got.RevokedAt.Equal(at(hour)) {
			t.Errorf("already revoked family: RevokedAt = %v, want unchanged %v", got.RevokedAt, at(hour))
		}
		_, err = rotate(t, s, "b1/0", "b1/1", at(4*hour))
		wantErr(t, "another subject's family", err, nil)
		n, err = s.RevokeRefreshFamilies(t.Context(), "sub-alice", at(5*hour))
		wantErr(t, "RevokeRefreshFamilies again", err, nil)
		if n != 0 {
			t.Errorf("RevokeRefreshFamilies again = %d, want 0", n)
		}
		n, err = s.RevokeRefreshFamilies(t.Context(), "sub-nobody", at(5*hour))
		wantErr(t, "RevokeRefreshFamilies(unknown subject)", err, nil)
		if n != 0 {
			t.Errorf("RevokeRefreshFamilies(unknown subject) = %d, want 0", n)
		}
	})

	t.Run("RefreshFamilyByToken", func(t *testing.T) {
		s := newStore(t)
		_, err := s.RefreshFamilyByToken(t.Context(), tokenHash("nope"))
		wantErr(t, "unknown token", err, identity.ErrNotFound)
		_, err = s.RefreshFamilyByToken(t.Context(), nil)
		wantErr(t, "nil hash", err, identity.ErrNotFound)
	})

	t.Run("DeleteExpired", func(t *testing.T) {
		s := newStore(t)
		cutoff := at(10 * day)
		// expired: family expired before the cutoff.
		f, first := newFamily("expired", "sub-alice")
		f.ExpiresAt = cutoff.Add(-time.Second)
		first.ExpiresAt = cutoff.Add(day) // its token alone would be kept
		mustCreateFamily(t, s, f, first)
		// revoked: family revoked before the cutoff.
		f, first = newFamily("revoked", "sub-alice")
		f.ExpiresAt, f.RevokedAt = at(60*day), cutoff.Add(-time.Second)
		first.ExpiresAt = cutoff.Add(day)
		mustCreateFamily(t, s, f, first)
		// revoked-later: revoked at the cutoff, kept.
		f, first = newFamily("revoked-later", "sub-alice")
		f.ExpiresAt, f.RevokedAt = at(60*day), cutoff
		first.ExpiresAt = cutoff.Add(day)
		mustCreateFamily(t, s, f, first)
		// live: its old spent token expired before the cutoff and goes; the current one stays.
		f, first = newFamily("live", "sub-alice")
		f.ExpiresAt = at(60 * day)
		mustCreateFamily(t, s, f, first)
		_, err := s.RotateRefreshToken(t.Context(), tokenHash("live/0"),
			&identity.RefreshToken{Hash: tokenHash("live/1"), CreatedAt: at(hour), ExpiresAt: cutoff}, at(hour))
		wantErr(t, "rotate live", err, nil)

		wantErr(t, "DeleteExpiredRefresh", s.DeleteExpiredRefresh(t.Context(), cutoff), nil)
		for value, want := range map[string]error{
			"expired/0":       identity.ErrNotFound,
			"revoked/0":       identity.ErrNotFound,
			"revoked-later/0": nil,
			"live/0":          identity.ErrNotFound,
			"live/1":          nil,
		} {
			_, err := s.RefreshFamilyByToken(t.Context(), tokenHash(value))
			wantErr(t, "after delete, RefreshFamilyByToken("+value+")", err, want)
		}
		// The live family works on.
		_, err = rotate(t, s, "live/1", "live/2", cutoff.Add(-time.Second))
		wantErr(t, "rotate live after delete", err, nil)
	})
}
