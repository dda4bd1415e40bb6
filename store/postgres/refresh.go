package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/authgate/authgate/identity"
)

const familyColumns = `id, subject, mfa, created_at, expires_at, revoked_at`

// CreateRefreshFamily stores a new family and its first token, atomically, and sets
// first.FamilyID to f.ID. A taken family ID or token hash is identity.ErrConflict.
func (s *Store) CreateRefreshFamily(ctx context.Context, f *identity.RefreshFamily, first *identity.RefreshToken) error {
	first.FamilyID = f.ID
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO refresh_families (`+familyColumns+`) VALUES ($1, $2, $3, $4, $5, $6)`,
			f.ID, f.Subject, f.MFA, f.CreatedAt, f.ExpiresAt, nullTime(f.RevokedAt)); err != nil {
			return mapErr(err)
		}
		return insertToken(ctx, tx, first)
	})
	if err != nil {
		return fmt.Errorf("create refresh family %q: %w", f.ID, err)
	}
	return nil
}

// RotateRefreshToken spends the token whose hash is oldHash and stores next in its family,
// atomically, returning the family; see identity.RefreshTokens. The spend is one conditional
// UPDATE: of concurrent rotations, the others wait for the first's row lock, then find the
// token spent.
func (s *Store) RotateRefreshToken(ctx context.Context, oldHash []byte, next *identity.RefreshToken, at time.Time) (*identity.RefreshFamily, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("rotate refresh token: begin: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit

	var (
		familyID string
		expires  time.Time
	)
	err = tx.QueryRow(ctx, `
UPDATE refresh_tokens SET spent_at = $1 WHERE hash = $2 AND spent_at IS NULL
RETURNING family_id, expires_at`, at, oldHash).Scan(&familyID, &expires)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, refreshNotSpendable(ctx, tx, oldHash, at)
	}
	if err != nil {
		return nil, fmt.Errorf("rotate refresh token: spend: %w", err)
	}
	if !at.Before(expires) {
		return nil, fmt.Errorf("rotate refresh token: token idle too long: %w", identity.ErrRefreshInvalid)
	}
	f, err := scanFamily(tx.QueryRow(ctx, `SELECT `+familyColumns+` FROM refresh_families WHERE id = $1`, familyID))
	if err != nil {
		return nil, fmt.Errorf("rotate refresh token: family %q: %w", familyID, err)
	}
	if err := familyUsable(f, at); err != nil {
		return nil, fmt.Errorf("rotate refresh token: %w", err)
	}
	next.FamilyID = f.ID
	if err := insertToken(ctx, tx, next); err != nil {
		return nil, fmt.Errorf("rotate refresh token: store next: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("rotate refresh token: commit: %w", err)
	}
	return f, nil
}

// refreshNotSpendable handles a hash that no unspent token has: a spent token revokes its
// family, committed, and is identity.ErrRefreshReused; an unknown one is
// identity.ErrRefreshInvalid.
func refreshNotSpendable(ctx context.Context, tx pgx.Tx, hash []byte, at time.Time) error {
	var familyID string
	err := tx.QueryRow(ctx, `SELECT family_id FROM refresh_tokens WHERE hash = $1`, hash).Scan(&familyID)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("rotate refresh token: unknown token: %w", identity.ErrRefreshInvalid)
	}
	if err != nil {
		return fmt.Errorf("rotate refresh token: look up token: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE refresh_families SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`,
		at, familyID); err != nil {
		return fmt.Errorf("rotate refresh token: revoke family %q: %w", familyID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("rotate refresh token: revoke family %q: commit: %w", familyID, err)
	}
	return fmt.Errorf("rotate refresh token: family %q revoked: %w", familyID, identity.ErrRefreshReused)
}

// familyUsable returns identity.ErrRefreshInvalid, wrapped, if f is revoked or expired at t.
func familyUsable(f *identity.RefreshFamily, t time.Time) error {
	switch {
	case !f.RevokedAt.IsZero():
		return fmt.Errorf("family %q revoked: %w", f.ID, identity.ErrRefreshInvalid)
	case !t.Before(f.ExpiresAt):
		return fmt.Errorf("family %q expired: %w", f.ID, identity.ErrRefreshInvalid)
	}
	return nil
}

// RefreshFamilyByToken returns the family of the token whose hash is given, spent or not, or
// identity.ErrNotFound.
func (s *Store) RefreshFamilyByToken(ctx context.Context, hash []byte) (*identity.RefreshFamily, error) {
	f, err := scanFamily(s.pool.QueryRow(ctx, `
SELECT f.id, f.subject, f.mfa, f.created_at, f.expires_at, f.revoked_at
FROM refresh_tokens t JOIN refresh_families f ON f.id = t.family_id
WHERE t.hash = $1`, hash))
	if err != nil {
		return nil, fmt.Errorf("refresh family by token: %w", err)
	}
	return f, nil
}

// RevokeRefreshFamily revokes the family; revoking a revoked or unknown family is not an
// error.
func (s *Store) RevokeRefreshFamily(ctx context.Context, familyID string, at time.Time) error {
	if _, err := s.pool.Exec(ctx, `UPDATE refresh_families SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`,
		at, familyID); err != nil {
		return fmt.Errorf("revoke refresh family %q: %w", familyID, err)
	}
	return nil
}

// RevokeRefreshFamilies revokes every live family of the subject, one neither revoked nor
// expired at the given time, and returns how many there were.
func (s *Store) RevokeRefreshFamilies(ctx context.Context, subject string, at time.Time) (int, error) {
	tag, err := s.pool.Exec(ctx, `
UPDATE refresh_families SET revoked_at = $1
WHERE subject = $2 AND revoked_at IS NULL AND expires_at > $1`, at, subject)
	if err != nil {
		return 0, fmt.Errorf("revoke refresh families of %q: %w", subject, err)
	}
	return int(tag.RowsAffected()), nil
}

// DeleteExpiredRefresh removes families (and their tokens) that expired or were revoked
// before the given time, and tokens whose ExpiresAt is before it.
func (s *Store) DeleteExpiredRefresh(ctx context.Context, before time.Time) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM refresh_families WHERE expires_at < $1 OR revoked_at < $1`, before); err != nil {
			return fmt.Errorf("families: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM refresh_tokens WHERE expires_at < $1`, before); err != nil {
			return fmt.Errorf("tokens: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete expired refresh tokens: %w", err)
	}
	return nil
}

func insertToken(ctx context.Context, tx pgx.Tx, t *identity.RefreshToken) error {
	_, err := tx.Exec(ctx, `
INSERT INTO refresh_tokens (hash, family_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		t.Hash, t.FamilyID, t.CreatedAt, t.ExpiresAt)
	return mapErr(err)
}

// scanFamily reads one row of familyColumns.
func scanFamily(row pgx.Row) (*identity.RefreshFamily, error) {
	var (
		f       identity.RefreshFamily
		revoked *time.Time
	)
	if err := row.Scan(&f.ID, &f.Subject, &f.MFA, &f.CreatedAt, &f.ExpiresAt, &revoked); err != nil {
		return nil, mapErr(err)
	}
	f.CreatedAt, f.ExpiresAt, f.RevokedAt = f.CreatedAt.UTC(), f.ExpiresAt.UTC(), fromNull(revoked)
	return &f, nil
}
