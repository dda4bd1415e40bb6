package mfa

import "errors"

var (
	// ErrInvalidCode means the code does not match within one step of clock skew, or was
	// already used.
	ErrInvalidCode = errors.New("invalid one-time code")
)
