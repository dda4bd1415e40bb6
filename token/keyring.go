package token

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/authgate/authgate/identity"
)

const (
	defaultRefreshInterval    = 5 * time.Second
	defaultRetiredKeyLifetime = 5*time.Minute + 30*time.Second
	missReloadInterval        = time.Second
	missReloadTimeout         = 2 * time.Second
	emptyJWKS                 = `{"keys":[]}`
)

// Keyring holds the signing keys of the shared identity store in memory: the current key that
// signs new tokens, and the retired keys that still verify the tokens they signed. Every
// instance reads the same store, so a rotation on one instance reaches all of them on their
// next reload, or sooner through the on-miss reload of Key.
//
// Reads (Current, Key, JWKS) load an immutable snapshot through an atomic pointer and take no
// lock. A Keyring is safe for concurrent use.
type Keyring struct {
	store    identity.Keys
	alg      string
	refresh  time.Duration
	lifetime time.Duration
	now      func() time.Time
	log      *slog.Logger

	snap atomic.Pointer[keySet]
	// loadMu serialises reloads, so a slow read of the store never replaces a newer snapshot.
	loadMu sync.Mutex
	miss   missLimiter
}

// keySet is one immutable snapshot of the keyring.
type keySet struct {
	current *Key            // newest key that is not retired; nil only before the first load
	keys    []*Key          // every key that may still verify, newest first
	byID    map[string]*Key // keys by kid
	jwks    []byte          // keys as a marshalled JWK set
}

// KeyringOption configures a Keyring.
type KeyringOption func(*Keyring)

// WithAlgorithm sets the algorithm of the keys the keyring creates (EdDSA by default). Keys of
// other algorithms already in the store keep working.
func WithAlgorithm(alg string) KeyringOption { return func(r *Keyring) { r.alg = alg } }

// WithRefreshInterval sets how often Run reloads the keys from the store (5s by default).
func WithRefreshInterval(d time.Duration) KeyringOption { return func(r *Keyring) { r.refresh = d } }

// WithRetiredKeyLifetime sets how long a retired key keeps verifying tokens and being published
// in the JWKS. It must be at least the longest token lifetime plus the verifiers' leeway
// (5m30s by default: 5 minute tokens, 30s leeway); the Issuer refuses to sign tokens that would
// outlive it.
func WithRetiredKeyLifetime(d time.Duration) KeyringOption {
	return func(r *Keyring) { r.lifetime = d }
}

// WithClock sets the clock of the keyring (time.Now by default).
func WithClock(now func() time.Time) KeyringOption { return func(r *Keyring) { r.now = now } }

// WithLogger sets where reload failures are logged (slog.Default() by default).
func WithLogger(l *slog.Logger) KeyringOption { return func(r *Keyring) { r.log = l } }

// NewKeyring returns a keyring over store. It holds no key until Load is called.
func NewKeyring(store identity.Keys, opts ...KeyringOption) (*Keyring, error) {
	r := &Keyring{
		store:    store,
		alg:      EdDSA,
		refresh:  defaultRefreshInterval,
		lifetime: defaultRetiredKeyLifetime,
		now:      time.Now,
		log:      slog.Default(),
	}
	for _, o := range opts {
		o(r)
	}
	switch {
	case r.store == nil:
		return nil, errors.New("token: keyring: nil store")
	case r.now == nil || r.log == nil:
		return nil, errors.New("token: keyring: nil clock or logger")
	case r.refresh <= 0:
		return nil, fmt.Errorf("token: keyring: refresh interval %s is not positive", r.refresh)
	case r.lifetime < 0:
		return nil, fmt.Errorf("token: keyring: retired key lifetime %s is negative", r.lifetime)
	}
	if _, err := signingMethod(r.alg); err != nil {
		return nil, fmt.Errorf("token: keyring: %w", err)
	}
	r.snap.Store(&keySet{byID: map[string]*Key{}, jwks: []byte(emptyJWKS)})
	return r, nil
}

// Load reloads the keys from the store. When the store holds no current key, Load creates one
// (without retiring anything, so instances starting together at worst each add a key, and all
// then sign with the newest).
func (r *Keyring) Load(ctx context.Context) error {
	err := r.reload(ctx)
	if !errors.Is(err, ErrNoSigningKey) {
		return err
	}
	sk, err := GenerateKey(r.alg, r.now())
	if err != nil {
		return err
	}
	if err := r.store.AddSigningKey(ctx, sk, false); err != nil {
		return fmt.Errorf("token: add first signing key: %w", err)
	}
	return r.reload(ctx)
}

// Run reloads the keys every refresh interval until ctx is done. A failed reload is logged and
// the last good keys are kept.
func (r *Keyring) Run(ctx context.Context) {
	t := time.NewTicker(r.refresh)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := r.reload(ctx); err != nil && ctx.Err() == nil {
				r.log.WarnContext(ctx, "token: reloading signing keys failed; keeping the last good keys", "err", err)
			}
		}
	}
}

// Rotate creates a new key, stores it as the current key (retiring every other key at its
// creation time) and reloads. New tokens are signed with the returned key at once on this
// instance; other instances sign with it from their next reload.
func (r *Keyring) Rotate(ctx context.Context) (*Key, error) {
	sk, err := GenerateKey(r.alg, r.now())
	if err != nil {
		return nil, err
	}
	parsed, err := ParseKey(sk)
	if err != nil {
		return nil, err
	}
	if err := r.store.AddSigningKey(ctx, sk, true); err != nil {
		return nil, fmt.Errorf("token: rotate: add signing key: %w", err)
	}
	if err := r.reload(ctx); err != nil {
		return nil, fmt.Errorf("token: rotate: key %q stored but not loaded: %w", sk.ID, err)
	}
	if k, ok := r.snap.Load().byID[sk.ID]; ok {
		return k, nil
	}
	return parsed, nil
}

// Current returns the key that signs new tokens: the newest key that is not retired. It is nil
// until the first successful Load.
func (r *Keyring) Current() *Key { return r.snap.Load().current }

// Key returns the key named kid if it may still verify tokens: it is current, or was retired
// less than the retired key lifetime ago. On a miss it reloads from the store, at most once a
// second across all callers (so random kids cannot hammer the store), and looks again.
func (r *Keyring) Key(kid string) (*Key, bool) {
	now := r.now()
	if k, known := r.snap.Load().byID[kid]; known {
		return r.usable(k, now)
	}
	if !r.miss.allow(now) {
		return nil, false
	}
	r.miss.mu.Lock()
	defer r.miss.mu.Unlock()
	// Another caller may have reloaded while this one waited.
	if k, known := r.snap.Load().byID[kid]; known {
		return r.usable(k, now)
	}
	if !r.miss.take(now) {
		return nil, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), missReloadTimeout)
	defer cancel()
	if err := r.reload(ctx); err != nil {
		r.log.Warn("token: reloading signing keys for an unknown kid failed", "err", err)
		return nil, false
	}
	if k, known := r.snap.Load().byID[kid]; known {
		return r.usable(k, now)
	}
	return nil, false
}

// Keys returns every key that may still verify tokens, newest first. The keys are shared and
// must not be modified.
func (r *Keyring) Keys() []*Key {
	now := r.now()
	s := r.snap.Load()
	out := make([]*Key, 0, len(s.keys))
	for _, k := range s.keys {
		if r.verifies(k, now) {
			out = append(out, k)
		}
	}
	return out
}

// JWKS returns the JWK set of the public keys that may still verify tokens, as of the last
// reload, ready to serve at /.well-known/jwks.json. The slice is shared and must not be
// modified.
func (r *Keyring) JWKS() []byte { return r.snap.Load().jwks }

// usable returns k if it may still verify tokens at now.
func (r *Keyring) usable(k *Key, now time.Time) (*Key, bool) {
	if !r.verifies(k, now) {
		return nil, false
	}
	return k, true
}

// verifies reports whether k may still verify tokens at now.
func (r *Keyring) verifies(k *Key, now time.Time) bool {
	return k.RetiredAt.IsZero() || now.Before(k.RetiredAt.Add(r.lifetime))
}

// reload reads the keys from the store and replaces the snapshot. It fails, keeping the old
// snapshot, when the store fails or holds no current key (ErrNoSigningKey).
func (r *Keyring) reload(ctx context.Context) error {
	r.loadMu.Lock()
	defer r.loadMu.Unlock()
	now := r.now()
	stored, err := r.store.SigningKeys(ctx, now.Add(-r.lifetime))
	if err != nil {
		return fmt.Errorf("token: load signing keys: %w", err)
	}
	prev := r.snap.Load()
	set := &keySet{byID: make(map[string]*Key, len(stored))}
	for _, sk := range stored {
		if sk == nil {
			continue
		}
		if _, dup := set.byID[sk.ID]; dup {
			r.log.WarnContext(ctx, "token: store returned a signing key twice; using the first", "kid", sk.ID)
			continue
		}
		k, err := reuseOrParse(prev.byID[sk.ID], sk)
		if err != nil {
			// One bad row must not stop every instance from loading the good keys.
			r.log.ErrorContext(ctx, "token: skipping a signing key that does not parse", "kid", sk.ID, "err", err)
			continue
		}
		if !r.verifies(k, now) {
			continue // the store may not filter as asked; never keep an expired key
		}
		set.byID[k.ID] = k
		set.keys = append(set.keys, k)
	}
	slices.SortStableFunc(set.keys, func(a, b *Key) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	for _, k := range set.keys {
		if k.RetiredAt.IsZero() {
			set.current = k
			break
		}
	}
	if set.current == nil {
		return fmt.Errorf("token: load signing keys: %w", ErrNoSigningKey)
	}
	if set.jwks, err = marshalJWKS(set.keys); err != nil {
		return err
	}
	r.snap.Store(set)
	return nil
}

// reuseOrParse returns prev, or a copy with the new retirement time, when it holds the same
// key material as sk, and parses sk otherwise. Reuse spares reparsing (RSA key checks are
// not cheap) every few seconds.
func reuseOrParse(prev *Key, sk *identity.SigningKey) (*Key, error) {
	if prev == nil || prev.Algorithm != sk.Algorithm || !bytes.Equal(prev.der, sk.PrivateKeyDER) {
		return ParseKey(sk)
	}
	if prev.RetiredAt.Equal(sk.RetiredAt) && prev.CreatedAt.Equal(sk.CreatedAt) {
		return prev, nil
	}
	k := *prev
	k.CreatedAt, k.RetiredAt = sk.CreatedAt, sk.RetiredAt
	return &k, nil
}

// missLimiter lets at most one on-miss reload (or refetch) start per interval, across all
// callers. allow is a lock-free pre-check so a flood of unknown kids never queues on mu.
type missLimiter struct {
	interval time.Duration // missReloadInterval when zero
	last     atomic.Int64  // unix nanoseconds of the last reload started on a miss; 0 for never
	mu       sync.Mutex    // held while a reload runs, so concurrent misses wait for it
}

func (l *missLimiter) every() time.Duration {
	if l.interval > 0 {
		return l.interval
	}
	return missReloadInterval
}

// allow reports whether a reload could start at now.
func (l *missLimiter) allow(now time.Time) bool {
	last := l.last.Load()
	return last == 0 || now.UnixNano()-last >= int64(l.every())
}

// take records a reload starting at now, if one may start. The caller holds mu.
func (l *missLimiter) take(now time.Time) bool {
	if !l.allow(now) {
		return false
	}
	l.last.Store(now.UnixNano())
	return true
}
