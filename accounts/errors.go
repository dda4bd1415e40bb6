package accounts

import "errors"

var (
	// ErrInvalidCredentials is the one answer for an unknown user, a wrong password and a
	// disabled account, so a caller cannot tell them apart.
	ErrInvalidCredentials = errors.New("invalid username or password")
	// ErrInvalidUsername means the username is empty, too long or has characters outside
	// letters, digits and . _ @ -.
	ErrInvalidUsername = errors.New("username must be 1 to 64 letters, digits or . _ @ -")
	// ErrWeakPassword means the password is shorter than MinPasswordLength.
	ErrWeakPassword = errors.New("password is too short")
	// ErrPasswordTooLong means the password is longer than MaxPasswordLength bytes.
	ErrPasswordTooLong = errors.New("password is too long")
	// ErrInvalidRole means a role name is empty or has characters outside letters, digits and . _ : -.
	ErrInvalidRole = errors.New("role must be 1 to 64 letters, digits or . _ : -")
)
