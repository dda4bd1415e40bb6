package session

import (
	"context"
	"time"
)

// Store keeps sessions. Every method is safe for concurrent use. Errors other than
// ErrNotFound are system failures: callers refuse the request (fail closed).
type Store interface {
	// Create stores a new session and adds it to its user's index. The record expires at
	// s.Deadline().
	Create(ctx context.Context, s *Session) error
	// Find returns the live session with the ID and subject. A missing or expired session is
	// (nil, false, nil); err is for system failures only. The session returned may be shared
	// with other callers: it must not be modified. Find may answer from a cache only
	// when the cache is known to be current (see the store's documentation).
	Find(ctx context.Context, subject, id string) (*Session, bool, error)
	// Touch records activity: LastSeenAt becomes at and the expiry moves to the new deadline,
	// never past ExpiresAt. Touching a missing or expired session is not an error and does not
	// revive it.
	Touch(ctx context.Context, subject, id string, at time.Time) error
	// Delete ends one session. Deleting a missing session is not an error.
	Delete(ctx context.Context, subject, id string) error
	// List returns the user's live sessions, most recently created first, without scanning the
	// keyspace.
	List(ctx context.Context, subject string) ([]*Session, error)
	// DeleteAll ends every session of the user and returns how many live ones there were.
	DeleteAll(ctx context.Context, subject string) (int, error)
	// Ping reports whether the store is reachable.
	Ping(ctx context.Context) error
	Close() error
}
