package redis

import "errors"

var (
	// ErrInvalidURL means the URL given to Open is not one of the forms authgate accepts; the
	// wrapping error names the problem (never the password).
	ErrInvalidURL = errors.New("invalid redis url")
	// ErrTopology means the servers are not the deployment the URL's scheme names, as a
	// redis-cluster:// URL pointing at a standalone server.
	ErrTopology = errors.New("redis deployment does not match the url")
	// ErrNotReplicated means a write was applied by the master but fewer replicas than required
	// (WithWaitReplicas) acknowledged it in time; it may be lost if the master fails now.
	ErrNotReplicated = errors.New("redis write not acknowledged by enough replicas")
	// ErrInvalidSession means Create was given a session it cannot key: no ID, or a subject that
	// is empty or holds a brace (the subject is the key's hash tag).
	ErrInvalidSession = errors.New("invalid session")
	// ErrCorruptRecord means a stored session record does not decode.
	ErrCorruptRecord = errors.New("corrupt session record in redis")
)
