package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/authgate/authgate/identity"
)

// AddSigningKey stores a new key. When retireOthers is true, every key that is not yet retired
// is retired at k.CreatedAt, in the same transaction. A zero k.CreatedAt is set to now, in k
// too. A taken key ID is identity.ErrConflict.
func (s *Store) AddSigningKey(ctx context.Context, k *identity.SigningKey, retireOthers bool) error {
	if k.CreatedAt.IsZero() {
		k.CreatedAt = now()
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if retireOthers {
			if _, err := tx.ExecContext(ctx, `UPDATE signing_keys SET retired_at = ? WHERE retired_at IS NULL`,
				toNanos(k.CreatedAt)); err != nil {
				return fmt.Errorf("retire keys: %w", err)
			}
		}
		_, err := tx.ExecContext(ctx, `
INSERT INTO signing_keys (kid, alg, private_der, created_at, retired_at) VALUES (?, ?, ?, ?, ?)`,
			k.ID, k.Algorithm, k.PrivateKeyDER, toNanos(k.CreatedAt), toNullNanos(k.RetiredAt))
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
	rows, err := s.db.QueryContext(ctx, `
SELECT kid, alg, private_der, created_at, retired_at FROM signing_keys
WHERE retired_at IS NULL OR retired_at > ?
ORDER BY created_at DESC, kid DESC`, toNanos(retiredAfter))
	if err != nil {
		return nil, fmt.Errorf("signing keys: %w", err)
	}
	defer rows.Close()
	var keys []*identity.SigningKey
	for rows.Next() {
		var (
			k       identity.SigningKey
			created int64
			retired sql.NullInt64
		)
		if err := rows.Scan(&k.ID, &k.Algorithm, &k.PrivateKeyDER, &created, &retired); err != nil {
			return nil, fmt.Errorf("signing keys: %w", err)
		}
		k.CreatedAt, k.RetiredAt = fromNanos(created), fromNullNanos(retired)
		keys = append(keys, &k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("signing keys: %w", err)
	}
	return keys, nil
}
