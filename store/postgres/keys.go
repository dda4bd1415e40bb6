package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/authgate/authgate/identity"
)

// AddSigningKey stores a new key. When retireOthers is true, every key that is not yet retired
// is retired at k.CreatedAt, in the same transaction. A zero k.CreatedAt is set to now, in k
// too. A taken key ID is identity.ErrConflict.
func (s *Store) AddSigningKey(ctx context.Context, k *identity.SigningKey, retireOthers bool) error {
	if k.CreatedAt.IsZero() {
		k.CreatedAt = now()
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if retireOthers {
			if _, err := tx.Exec(ctx, `UPDATE signing_keys SET retired_at = $1 WHERE retired_at IS NULL`, k.CreatedAt); err != nil {
				return fmt.Errorf("retire keys: %w", err)
			}
		}
		_, err := tx.Exec(ctx, `
INSERT INTO signing_keys (kid, alg, private_der, created_at, retired_at) VALUES ($1, $2, $3, $4, $5)`,
			k.ID, k.Algorithm, k.PrivateKeyDER, k.CreatedAt, nullTime(k.RetiredAt))
		return mapErr(err)
	})
	if err != nil {
		return fmt.Errorf("add signing key %q: %w", k.ID, err)
	}
	return nil
}

// SigningKeys returns every key that is current or was retired after retiredAfter, newest
// first.
func (s *Store) SigningKeys(ctx context.Context, retiredAfter time.Time) ([]*identity.SigningKey, error) {
	rows, err := s.pool.Query(ctx, `
SELECT kid, alg, private_der, created_at, retired_at FROM signing_keys
WHERE retired_at IS NULL OR retired_at > $1
ORDER BY created_at DESC, kid COLLATE "C" DESC`, retiredAfter)
	if err != nil {
		return nil, fmt.Errorf("signing keys: %w", err)
	}
	keys, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*identity.SigningKey, error) {
		var (
			k       identity.SigningKey
			retired *time.Time
		)
		if err := row.Scan(&k.ID, &k.Algorithm, &k.PrivateKeyDER, &k.CreatedAt, &retired); err != nil {
			return nil, err
		}
		k.CreatedAt, k.RetiredAt = k.CreatedAt.UTC(), fromNull(retired)
		return &k, nil
	})
	if err != nil {
		return nil, fmt.Errorf("signing keys: %w", err)
	}
	return keys, nil
}
