package revocation

import (
	"context"
	"time"
)

// Revoker feeds the list from the actions that end credentials. It implements the
// accounts.Ender contract, so disabling a user, changing a password or an admin's force logout
// reach every instance.
type Revoker struct {
	store Store
	// tokenLifetime is the longest an access token lives, leeway included: entries are kept
	// that long.
	tokenLifetime time.Duration
	now           func() time.Time
}

// NewRevoker returns a revoker that keeps entries for tokenLifetime.
func NewRevoker(store Store, tokenLifetime time.Duration) *Revoker {
	return &Revoker{store: store, tokenLifetime: tokenLifetime, now: time.Now}
}

// Store returns the underlying list.
func (r *Revoker) Store() Store { return r.store }

// EndUser refuses every token issued to the subject so far.
func (r *Revoker) EndUser(ctx context.Context, subject string, at time.Time) error {
	return r.store.EndUser(ctx, subject, at.Add(r.tokenLifetime))
}

// EndSession refuses every token descended from the login sid.
func (r *Revoker) EndSession(ctx context.Context, subject, sid string) error {
	return r.store.RevokeSession(ctx, subject, sid, r.now().Add(r.tokenLifetime))
}

// EndToken refuses one token until it expires.
func (r *Revoker) EndToken(ctx context.Context, subject, jti string, expiresAt time.Time) error {
	return r.store.RevokeToken(ctx, subject, jti, expiresAt)
}

// Generation returns the subject's generation to stamp on a new token, or -1 when the list
// cannot be read: such a token works on jwt routes and is refused on hybrid routes.
func (r *Revoker) Generation(ctx context.Context, subject string) int64 {
	g, err := r.store.Generation(ctx, subject)
	if err != nil {
		return -1
	}
	return g
}
