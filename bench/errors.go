package bench

import "errors"

var (
	// ErrNoRedisServer means no redis-server binary is on PATH to start a private Redis.
	ErrNoRedisServer = errors.New("redis-server not found on PATH")
	// ErrBadResponse means an instance answered a request the measurement needs with an
	// unexpected status.
	ErrBadResponse = errors.New("unexpected response")
	// ErrNotEnforced means a revocation was not enforced on another instance within the
	// measurement's deadline.
	ErrNotEnforced = errors.New("revocation not enforced")
	// ErrInvalidOptions means Options that cannot be run.
	ErrInvalidOptions = errors.New("invalid bench options")
)
