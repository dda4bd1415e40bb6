package throttle

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrLocked means too many recent failures: the attempt is refused without being checked.
var ErrLocked = errors.New("too many failed attempts")

// Store counts failures per key, shared by every instance.
type Store interface {
	// Fail records a failure of key at now and returns until when the key is locked (the zero
	// time when it is not). The count is forgotten after p.Window without failures.
	Fail(ctx context.Context, key string, now time.Time, p Policy) (time.Time, error)
	// LockedUntil returns until when the key is locked, or the zero time.
	LockedUntil(ctx context.Context, key string, now time.Time) (time.Time, error)
	// Reset forgets the key's failures.
	Reset(ctx context.Context, key string) error
}

// Policy is when and how long a key is locked.
type Policy struct {
	// Threshold failures are allowed before the first lock.
	Threshold int
	// Base is the first lock; each further failure doubles it, up to Max.
	Base, Max time.Duration
	// Window is how long failures are remembered.
	Window time.Duration
}

// LockFor returns how long a key with n failures is locked.
func (p Policy) LockFor(n int64) time.Duration {
	if n < int64(p.Threshold) {
		return 0
	}
	d := p.Base
	for i := int64(p.Threshold); i < n && d < p.Max; i++ {
		d *= 2
	}
	return min(d, p.Max)
}

// Default policies: an account is locked after 5 failures (1 s, doubling to 15 min); a client
// address, which may be shared by many people, after 50.
var (
	AccountPolicy = Policy{Threshold: 5, Base: time.Second, Max: 15 * time.Minute, Window: time.Hour}
	AddressPolicy = Policy{Threshold: 50, Base: time.Second, Max: 15 * time.Minute, Window: time.Hour}
)

// LockedError carries how long to wait; it errors.Is ErrLocked.
type LockedError struct{ RetryAfter time.Duration }

func (e *LockedError) Error() string {
	return fmt.Sprintf("%v: retry after %s", ErrLocked, e.RetryAfter)
}

// Unwrap makes errors.Is(err, ErrLocked) true.
func (e *LockedError) Unwrap() error { return ErrLocked }

// Guard applies the policies to login attempts.
type Guard struct {
	store   Store
	account Policy
	address Policy
	now     func() time.Time
}

// NewGuard returns a guard over the store with the default policies.
func NewGuard(store Store) *Guard {
	return &Guard{store: store, account: AccountPolicy, address: AddressPolicy, now: time.Now}
}

// WithPolicies returns the guard with other policies, for tests and configuration.
func (g *Guard) WithPolicies(account, address Policy) *Guard {
	c := *g
	c.account, c.address = account, address
	return &c
}

func accountKey(username string) string { return "u:" + strings.ToLower(username) }
func addressKey(ip string) string       { return "ip:" + ip }

// Check refuses an attempt for the account from the address while either is locked. It is
// asked before the password is, and answers the same for unknown accounts as for real ones.
func (g *Guard) Check(ctx context.Context, username, ip string) error {
	now := g.now()
	var until time.Time
	for _, key := range []string{accountKey(username), addressKey(ip)} {
		u, err := g.store.LockedUntil(ctx, key, now)
		if err != nil {
			return fmt.Errorf("read failure count: %w", err)
		}
		if u.After(until) {
			until = u
		}
	}
	if until.After(now) {
		return &LockedError{RetryAfter: until.Sub(now)}
	}
	return nil
}

// Failed records a failed attempt against the account and the address.
func (g *Guard) Failed(ctx context.Context, username, ip string) error {
	now := g.now()
	if _, err := g.store.Fail(ctx, accountKey(username), now, g.account); err != nil {
		return fmt.Errorf("count failure: %w", err)
	}
	if _, err := g.store.Fail(ctx, addressKey(ip), now, g.address); err != nil {
		return fmt.Errorf("count failure: %w", err)
	}
	return nil
}

// Succeeded forgets the account's failures. The address's count stays: one good account must
// not let an address guess others'.
func (g *Guard) Succeeded(ctx context.Context, username string) error {
	return g.store.Reset(ctx, accountKey(username))
}
