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
	return r.store.Revoke(ctx, subject, Entry{Kind: Login, ID: sid, Until: r.now().Add(r.tokenLifetime)})
}

// EndLogin refuses a token and, when sid is set, every other token of its login, in one write.
func (r *Revoker) EndLogin(ctx context.Context, subject, sid, jti string, expiresAt time.Time) error {
	entries := []Entry{{Kind: Token, ID: jti, Until: expiresAt}}
	if sid != "" {
		entries = append(entries, Entry{Kind: Login, ID: sid, Until: r.now().Add(r.tokenLifetime)})
	}
	return r.store.Revoke(ctx, subject, entries...)
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
