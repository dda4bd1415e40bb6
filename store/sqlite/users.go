package sqlite

import (
	"context"
	"encoding/json"
	"fmt"

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
	roles, err := encodeRoles(u.Roles)
	if err != nil {
		return fmt.Errorf("create user %q: %w", u.Username, err)
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO users (`+userColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.Subject, u.Username, u.PasswordHash, roles, u.Disabled, u.TOTPSecret, u.TOTPPending, u.TOTPLastStep,
		toNanos(u.CreatedAt), toNanos(u.UpdatedAt))
	if err != nil {
		return fmt.Errorf("create user %q: %w", u.Username, mapErr(err))
	}
	return nil
}

// UserByName returns the user with the username, or identity.ErrNotFound.
func (s *Store) UserByName(ctx context.Context, username string) (*identity.User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE username = ?`, username))
	if err != nil {
		return nil, fmt.Errorf("user %q: %w", username, err)
	}
	return u, nil
}

// UserBySubject returns the user with the subject, or identity.ErrNotFound.
func (s *Store) UserBySubject(ctx context.Context, subject string) (*identity.User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE subject = ?`, subject))
	if err != nil {
		return nil, fmt.Errorf("user with subject %q: %w", subject, err)
	}
	return u, nil
}

// ListUsers returns every user ordered by username, bytewise.
func (s *Store) ListUsers(ctx context.Context) ([]*identity.User, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY username`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var users []*identity.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		users = append(users, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return users, nil
}

// UpdateUser replaces every stored field of the user with u.Subject but CreatedAt, and sets
// UpdatedAt to now, in u too. An unknown subject is identity.ErrNotFound; a username taken by
// another user is identity.ErrConflict.
func (s *Store) UpdateUser(ctx context.Context, u *identity.User) error {
	roles, err := encodeRoles(u.Roles)
	if err != nil {
		return fmt.Errorf("update user %q: %w", u.Subject, err)
	}
	updated := now()
	res, err := s.db.ExecContext(ctx, `
UPDATE users SET username = ?, password_hash = ?, roles = ?, disabled = ?, totp_secret = ?,
	totp_pending = ?, updated_at = ?
WHERE subject = ?`,
		u.Username, u.PasswordHash, roles, u.Disabled, u.TOTPSecret, u.TOTPPending, toNanos(updated), u.Subject)
	if err != nil {
		return fmt.Errorf("update user %q: %w", u.Subject, mapErr(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("update user %q: %w", u.Subject, err)
	}
	if n == 0 {
		return fmt.Errorf("update user %q: %w", u.Subject, identity.ErrNotFound)
	}
	u.UpdatedAt = updated
	return nil
}

// scanUser reads one row of userColumns.
func scanUser(row interface{ Scan(...any) error }) (*identity.User, error) {
	var (
		u                identity.User
		roles            string
		created, updated int64
	)
	err := row.Scan(&u.Subject, &u.Username, &u.PasswordHash, &roles, &u.Disabled, &u.TOTPSecret,
		&u.TOTPPending, &u.TOTPLastStep, &created, &updated)
	if err != nil {
		return nil, mapErr(err)
	}
	if err := json.Unmarshal([]byte(roles), &u.Roles); err != nil {
		return nil, fmt.Errorf("decode roles of %q: %w", u.Subject, err)
	}
	if u.Roles == nil {
		u.Roles = []string{}
	}
	u.CreatedAt, u.UpdatedAt = fromNanos(created), fromNanos(updated)
	return &u, nil
}

// encodeRoles returns roles as a JSON array, never null.
func encodeRoles(roles []string) (string, error) {
	if roles == nil {
		roles = []string{}
	}
	b, err := json.Marshal(roles)
	if err != nil {
		return "", fmt.Errorf("encode roles: %w", err)
	}
	return string(b), nil
}

// AdvanceTOTPStep records step as the last accepted TOTP step if it is later than the stored
// one, and reports whether it was.
func (s *Store) AdvanceTOTPStep(ctx context.Context, subject string, step int64) (bool, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE users SET totp_last_step = ? WHERE subject = ? AND totp_last_step < ?`, step, subject, step)
	if err != nil {
		return false, fmt.Errorf("advance totp step of %q: %w", subject, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("advance totp step of %q: %w", subject, err)
	}
	return n == 1, nil
}
