package password

import "errors"

var (
	// ErrMalformedHash is returned by Verify when the stored string is not an argon2id PHC
	// string this package can check: bad syntax, another algorithm or version, or parameters
	// out of range (then the error also wraps ErrInvalidParams).
	ErrMalformedHash = errors.New("malformed password hash")
	// ErrInvalidParams is returned when argon2id parameters are outside the accepted range,
	// whether set with WithParams or read from a stored hash.
	ErrInvalidParams = errors.New("invalid argon2id parameters")
)
