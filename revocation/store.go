package revocation

import (
	"context"
	"time"
)

// Store keeps the revocation list, shared by every instance.
//
// Three things refuse a token: its own jti on the list (the token was logged out), its sid on
// the list (the login it descends from was logged out or its refresh token reused), or a
// generation older than its subject's current one (every credential of the user was ended).
// The per-user "not before" is a generation number rather than a clock time: raising it
// refuses every token issued before, with no clock agreement needed between instances and no
// one-second granularity of the iat claim to slip through.
type Store interface {
	// Revoke puts entries of the subject on the list, in one write: a token (its jti, kept
	// until it would have expired anyway) or a login (its sid, kept until the latest expiry of
	// a token issued now).
	Revoke(ctx context.Context, subject string, entries ...Entry) error
	// EndUser raises the subject's generation, refusing every token issued before, and keeps
	// it at least until keepUntil. Generations only ever grow, even across the expiry of the
	// record: they are the Unix milliseconds of the ending, or one more than the last.
	EndUser(ctx context.Context, subject string, keepUntil time.Time) error
	// Generation returns the subject's current generation, read from the store itself (not a
	// cache), to stamp on a token being issued.
	Generation(ctx context.Context, subject string) (int64, error)
	// Revoked reports whether a token of the subject with this sid and jti, issued with
	// generation gen, is refused. An error means the list could not be read: the caller must
	// refuse the request.
	Revoked(ctx context.Context, subject, sid, jti string, gen int64) (bool, error)
	// Ping reports whether the store is reachable.
	Ping(ctx context.Context) error
	Close() error
}

// Kind is what an entry of the list refuses.
type Kind string

// Entry kinds.
const (
	// Token refuses one access token, by its jti.
	Token Kind = "jti"
	// Login refuses every access token of one login, by its sid.
	Login Kind = "sid"
)

// Entry is one revocation: what it refuses and until when it is kept.
type Entry struct {
	Kind  Kind
	ID    string
	Until time.Time
}
