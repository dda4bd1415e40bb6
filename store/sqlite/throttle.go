package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/authgate/authgate/throttle"
)

var _ throttle.Store = (*RevocationStore)(nil)

// Fail records a failure of key. The failure counts live in the revocation database: both are
// small, shared, security state of a single embedded instance.
func (s *RevocationStore) Fail(ctx context.Context, key string, now time.Time, p throttle.Policy) (time.Time, error) {
	var lockedUntil int64
	err := inTx(ctx, s.db, func(tx *sql.Tx) error {
		var count int64
		err := tx.QueryRowContext(ctx, `INSERT INTO failures (key, count, last_at, locked_until) VALUES (?1, 1, ?2, 0)
			ON CONFLICT (key) DO UPDATE SET
				count = CASE WHEN last_at > ?2 - ?3 THEN count + 1 ELSE 1 END,
				last_at = ?2
			RETURNING count`, key, now.UnixMilli(), p.Window.Milliseconds()).Scan(&count)
		if err != nil {
			return err
		}
		if d := p.LockFor(count); d > 0 {
			lockedUntil = now.Add(d).UnixMilli()
			_, err = tx.ExecContext(ctx, `UPDATE failures SET locked_until = ? WHERE key = ?`, lockedUntil, key)
		}
		return err
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("count failure: %w", err)
	}
	if lockedUntil == 0 {
		return time.Time{}, nil
	}
	return time.UnixMilli(lockedUntil), nil
}

// LockedUntil returns until when key is locked.
func (s *RevocationStore) LockedUntil(ctx context.Context, key string, now time.Time) (time.Time, error) {
	var until int64
	err := s.db.QueryRowContext(ctx, `SELECT coalesce((SELECT locked_until FROM failures WHERE key = ?), 0)`, key).Scan(&until)
	if err != nil {
		return time.Time{}, fmt.Errorf("read failures: %w", err)
	}
	if until <= now.UnixMilli() {
		return time.Time{}, nil
	}
	return time.UnixMilli(until), nil
}

// Reset forgets key's failures.
func (s *RevocationStore) Reset(ctx context.Context, key string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM failures WHERE key = ?`, key); err != nil {
		return fmt.Errorf("reset failures: %w", err)
	}
	return nil
}
