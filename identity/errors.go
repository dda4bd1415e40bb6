package identity

import "errors"

var (
	// ErrNotFound is returned when the user, key or token asked for does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict is returned when a create would duplicate a unique value, such as a username.
	ErrConflict = errors.New("already exists")
	// ErrRefreshReused is returned when a spent refresh token is presented again; the store has
	// revoked the token's whole family before returning it.
	ErrRefreshReused = errors.New("refresh token reused")
	// ErrRefreshInvalid is returned when a refresh token is unknown, expired, idle too long, or
	// belongs to a revoked or expired family.
	ErrRefreshInvalid = errors.New("refresh token invalid")
)
