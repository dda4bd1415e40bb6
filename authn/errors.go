package authn

import "errors"

var (
	// ErrNoCredential means the request carried no credential for the strategy.
	ErrNoCredential = errors.New("no credential")
	// ErrInvalidCredential means a credential was presented but is malformed, forged or expired.
	ErrInvalidCredential = errors.New("invalid credential")
	// ErrRevoked means the credential was valid but has been revoked or ended.
	ErrRevoked = errors.New("credential revoked")
	// ErrUnavailable means the store needed for the check could not be read; the request is
	// refused, never admitted.
	ErrUnavailable = errors.New("credential store unavailable")
	// ErrNotImplemented means the strategy is not available in this build.
	ErrNotImplemented = errors.New("strategy not implemented")
)
