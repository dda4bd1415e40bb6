package refresh

import "errors"

var (
	// ErrInvalidGrant means the refresh token is unknown, spent, expired, revoked, or its user
	// can no longer log in.
	ErrInvalidGrant = errors.New("invalid refresh token")
)
