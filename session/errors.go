package session

import "errors"

var (
	// ErrNotFound is returned when no live session has the ID.
	ErrNotFound = errors.New("session not found")
	// ErrMalformedToken means a presented session token does not have the shape authgate issues.
	ErrMalformedToken = errors.New("malformed session token")
)
