package config

import "errors"

var (
	// ErrInvalid wraps every problem found in a configuration; the message names the key.
	ErrInvalid = errors.New("invalid configuration")
)
