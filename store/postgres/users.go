package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/authgate/authgate/identity"
)

const userColumns = `subject, username, password_hash, roles, disabled, totp_secret, totp_pending, totp_last_step, created_at, updated_at`

// CreateUser stores a new user. A taken username or subject is identity.ErrConflict. A zero
// CreatedAt is set to now and a zero UpdatedAt to CreatedAt, in u too.
func (s *Store) CreateUser(ctx context.Context, u *identity.User) error {
	if u.CreatedAt.IsZero() {
		u.CreatedAt = now()
	}
	if u.UpdatedAt.IsZero() {
		u.UpdatedAt = u.CreatedAt
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO users (`+userColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		u.Subject, u.Username, u.PasswordHash, roles(u.Roles), u.Disabled, u.TOTPSecret, u.TOTPPending, u.TOTPLastStep,
		u.CreatedAt, u.UpdatedAt)
	if err != nil {
		return fmt.Errorf("create user %q: %w", u.Username, mapErr(err))
	}
	return nil
}

// UserByName returns the user with the username, or identity.ErrNotFound.
func (s *Store) UserByName(ctx context.Context, username string) (*identity.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE username = $1`, username))
	if err != nil {
		return nil, fmt.Errorf("user %q: %w", username, err)
	}
	return u, nil
}

// UserBySubject returns the user with the subject, or identity.ErrNotFound.
func (s *Store) UserBySubject(ctx context.Context, subject string) (*identity.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE subject = $1`, subject))
	if err != nil {
		return nil, fmt.Errorf("user with subject %q: %w", subject, err)
	}
	return u, nil
}

// ListUsers returns every user ordered by username, bytewise whatever the database's
// collation.
func (s *Store) ListUsers(ctx context.Context) ([]*identity.User, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+userColumns+` FROM users ORDER BY username COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	users, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*identity.User, error) { return scanUser(row) })
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return users, nil
}

// UpdateUser replaces every stored field of the user with u.Subject but CreatedAt, and sets
// UpdatedAt to now, in u too. An unknown subject is identity.ErrNotFound; a username taken by
// another user is identity.ErrConflict.
func (s *Store) UpdateUser(ctx context.Context, u *identity.User) error {
	updated := now()
	tag, err := s.pool.Exec(ctx, `
UPDATE users SET username = $1, password_hash = $2, roles = $3, disabled = $4, totp_secret = $5,
	totp_pending = $6, updated_at = $7
WHERE subject = $8`,
		u.Username, u.PasswordHash, roles(u.Roles), u.Disabled, u.TOTPSecret, u.TOTPPending, updated, u.Subject)
	if err != nil {
		return fmt.Errorf("update user %q: %w", u.Subject, mapErr(err))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("update user %q: %w", u.Subject, identity.ErrNotFound)
	}
	u.UpdatedAt = updated
	return nil
}

// scanUser reads one row of userColumns.
func scanUser(row pgx.Row) (*identity.User, error) {
	var (
		u                identity.User
		created, updated time.Time
	)
	err := row.Scan(&u.Subject, &u.Username, &u.PasswordHash, &u.Roles, &u.Disabled, &u.TOTPSecret,
		&u.TOTPPending, &u.TOTPLastStep, &created, &updated)
	if err != nil {
		return nil, mapErr(err)
	}
	u.Roles = roles(u.Roles)
	u.CreatedAt, u.UpdatedAt = created.UTC(), updated.UTC()
	return &u, nil
}

// roles returns r, or an empty slice for nil: pgx sends a nil slice as NULL.
func roles(r []string) []string {
	if r == nil {
		return []string{}
	}
	return r
}

// AdvanceTOTPStep records step as the last accepted TOTP step if it is later than the stored
// one, and reports whether it was.
func (s *Store) AdvanceTOTPStep(ctx context.Context, subject string, step int64) (bool, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE users SET totp_last_step = $1 WHERE subject = $2 AND totp_last_step < $1`, step, subject)
	if err != nil {
		return false, fmt.Errorf("advance totp step of %q: %w", subject, err)
	}
	return tag.RowsAffected() == 1, nil
}
