package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"runtime"
	"sync"

	"golang.org/x/crypto/argon2"
)

// Hasher hashes and verifies passwords. At most its concurrency limit of hash computations run
// at once; further callers wait, or give up when their context ends, so a flood of logins
// cannot take every CPU from other work. A Hasher is safe for concurrent use.
type Hasher struct {
	params Params
	sem    chan struct{}
	// derive computes the key; tests replace it to observe concurrency.
	derive func(password, salt []byte, p Params) []byte

	dummyOnce sync.Once
	dummy     string
}

// Option configures a Hasher.
type Option func(*Hasher)

// WithParams sets the parameters of new hashes, and the ones Verify compares stored hashes
// against to report needsRehash. The default is DefaultParams.
func WithParams(p Params) Option {
	return func(h *Hasher) { h.params = p }
}

// WithConcurrency sets how many hash computations may run at once; the default is
// runtime.NumCPU(). Values below 1 mean 1.
func WithConcurrency(n int) Option {
	return func(h *Hasher) { h.sem = make(chan struct{}, max(n, 1)) }
}

// New returns a Hasher. It does not check the parameters: Hash reports ones out of range.
func New(opts ...Option) *Hasher {
	h := &Hasher{params: DefaultParams, derive: idKey}
	for _, o := range opts {
		o(h)
	}
	if h.sem == nil {
		h.sem = make(chan struct{}, runtime.NumCPU())
	}
	return h
}

// Params returns the parameters new hashes are made with.
func (h *Hasher) Params() Params { return h.params }

func idKey(password, salt []byte, p Params) []byte {
	return argon2.IDKey(password, salt, p.Time, p.Memory, p.Threads, p.KeyLen)
}

// Hash returns the argon2id hash of password, with a new random salt, in PHC string format:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>. It waits for a free slot first and returns
// the context's error if ctx ends before one frees up.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if err := h.params.Validate(); err != nil {
		return "", err
	}
	salt := make([]byte, h.params.SaltLen)
	rand.Read(salt) // never returns an error: it crashes the program if the OS cannot supply randomness
	key, err := h.compute(ctx, []byte(password), salt, h.params)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return phc{params: h.params, salt: salt, key: key}.encode(), nil
}

// Verify reports whether password matches the PHC string encoded, comparing in constant
// time. needsRehash is true when the password matches but encoded was made with parameters
// other than h's, so the caller should store a new Hash of it. A string that is not a valid
// argon2id PHC string, or whose parameters are out of range, is an error wrapping
// ErrMalformedHash; the context's error is returned if ctx ends while waiting for a slot.
func (h *Hasher) Verify(ctx context.Context, password, encoded string) (ok, needsRehash bool, err error) {
	stored, err := decode(encoded)
	if err != nil {
		return false, false, err
	}
	key, err := h.compute(ctx, []byte(password), stored.salt, stored.params)
	if err != nil {
		return false, false, fmt.Errorf("verify password: %w", err)
	}
	if subtle.ConstantTimeCompare(key, stored.key) != 1 {
		return false, false, nil
	}
	return true, stored.params != h.params, nil
}

// VerifyDummy does the work of a Verify that fails, against a hash with h's parameters made
// once on first use, so that a login for an unknown user takes as long as one with a wrong
// password. It does nothing if h's parameters are out of range.
func (h *Hasher) VerifyDummy(ctx context.Context, password string) {
	h.dummyOnce.Do(func() {
		if h.params.Validate() != nil {
			return
		}
		// A random key with h's parameters costs what a real hash costs to verify, matches no
		// password, and needs no slot or context to make.
		d := phc{params: h.params, salt: make([]byte, h.params.SaltLen), key: make([]byte, h.params.KeyLen)}
		rand.Read(d.salt)
		rand.Read(d.key)
		h.dummy = d.encode()
	})
	if h.dummy != "" {
		h.Verify(ctx, password, h.dummy) //nolint:errcheck // the outcome is known: no match
	}
}

// compute derives the key once a slot is free.
func (h *Hasher) compute(ctx context.Context, password, salt []byte, p Params) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	select {
	case h.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-h.sem }()
	return h.derive(password, salt, p), nil
}
