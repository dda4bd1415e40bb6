package policy

import "errors"

var (
	// ErrMissingRole means the principal lacks a role the route requires.
	ErrMissingRole = errors.New("missing required role")
	// ErrMFARequired means the route requires a second factor the credential has not verified.
	ErrMFARequired = errors.New("mfa required")
)
