package token

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/authgate/authgate/identity"
)

// fakeKeys is an in-memory identity.Keys for these tests: the identity store backends are
// written elsewhere, and this package is not the store.
type fakeKeys struct {
	mu    sync.Mutex
	keys  []*identity.SigningKey
	fail  error // returned by SigningKeys when set
	lists atomic.Int64
	// listed, when set, receives after every SigningKeys call.
	listed chan struct{}
}

func (f *fakeKeys) AddSigningKey(_ context.Context, k *identity.SigningKey, retireOthers bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, o := range f.keys {
		if o.ID == k.ID {
			return identity.ErrConflict
		}
	}
	if retireOthers {
		for _, o := range f.keys {
			if o.RetiredAt.IsZero() {
				o.RetiredAt = k.CreatedAt
			}
		}
	}
	c := *k
	f.keys = append(f.keys, &c)
	return nil
}

func (f *fakeKeys) SigningKeys(_ context.Context, retiredAfter time.Time) ([]*identity.SigningKey, error) {
	f.lists.Add(1)
	if f.listed != nil {
		defer func() { f.listed <- struct{}{} }()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return nil, f.fail
	}
	var out []*identity.SigningKey
	for _, k := range f.keys {
		if k.RetiredAt.IsZero() || k.RetiredAt.After(retiredAfter) {
			c := *k
			out = append(out, &c)
		}
	}
	slices.SortFunc(out, func(a, b *identity.SigningKey) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return out, nil
}

func (f *fakeKeys) setFail(err error) {
	f.mu.Lock()
	f.fail = err
	f.mu.Unlock()
}

var _ identity.Keys = (*fakeKeys)(nil)

// testClock is a clock that moves only when told to.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newClock() *testClock { return &testClock{t: t0} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var algs = []string{EdDSA, ES256, RS256}

// testKey returns a fixed key from testdata (test-only keys, never used anywhere else), so
// tests need not generate RSA keys and fuzz corpus entries stay valid across runs.
func testKey(t testing.TB, alg string, attacker bool) *identity.SigningKey {
	t.Helper()
	name := map[string]string{EdDSA: "eddsa", ES256: "es256", RS256: "rs256"}[alg]
	id := "test-" + name
	if attacker {
		name, id = name+"-attacker", "attacker-"+name
	}
	b, err := os.ReadFile(filepath.Join("testdata", name+".pem"))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		t.Fatalf("%s: no PEM block", name)
	}
	return &identity.SigningKey{ID: id, Algorithm: alg, PrivateKeyDER: block.Bytes, CreatedAt: t0}
}

func parsedTestKey(t testing.TB, alg string, attacker bool) *Key {
	t.Helper()
	k, err := ParseKey(testKey(t, alg, attacker))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// env is a keyring over a fake store holding the fixed key of one algorithm, with an issuer
// and an uncached verifier, all on one test clock.
type env struct {
	store    *fakeKeys
	clock    *testClock
	ring     *Keyring
	issuer   *Issuer
	verifier *Verifier
	key      *Key // the current key
}

const testIssuer = "https://auth.example.test"

func newEnv(t testing.TB, alg string, vopts ...VerifierOption) *env {
	t.Helper()
	e := &env{store: &fakeKeys{}, clock: newClock()}
	if err := e.store.AddSigningKey(context.Background(), testKey(t, alg, false), false); err != nil {
		t.Fatal(err)
	}
	var err error
	e.ring, err = NewKeyring(e.store, WithAlgorithm(alg), WithClock(e.clock.Now), WithLogger(discard))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.ring.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.key = e.ring.Current()
	e.issuer, err = NewIssuer(e.ring, testIssuer, WithIssuerClock(e.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	opts := append([]VerifierOption{WithIssuer(testIssuer), WithVerifierClock(e.clock.Now), WithCacheSize(0)}, vopts...)
	e.verifier, err = NewVerifier(e.ring, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) issue(t testing.TB) string {
	t.Helper()
	tok, _, err := e.issuer.Issue(Claims{
		RegisteredClaims: jwt.RegisteredClaims{Subject: "user-1"},
		Username:         "alice",
		Roles:            []string{"admin"},
		MFA:              true,
		SessionID:        "fam-1",
	})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// validClaims returns the claims of a token the env would accept now.
func (e *env) validClaims() map[string]any {
	now := e.clock.Now().Unix()
	return map[string]any{
		"iss": testIssuer, "aud": []string{"authgate"}, "sub": "user-1",
		"iat": now, "nbf": now, "exp": now + 300, "jti": "j", "username": "alice",
	}
}

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func seg(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b64(b)
}

// forge builds a compact JWS from header and claims, signed by sign (no signature when nil).
func forge(t testing.TB, header, claims any, sign func(input string) []byte) string {
	t.Helper()
	input := seg(t, header) + "." + seg(t, claims)
	var sig []byte
	if sign != nil {
		sig = sign(input)
	}
	return input + "." + b64(sig)
}

// signer signs with a golang-jwt method and key, as an attacker with that key would.
func signer(t testing.TB, m jwt.SigningMethod, key any) func(string) []byte {
	return func(input string) []byte {
		sig, err := m.Sign(input, key)
		if err != nil {
			t.Fatalf("sign %s: %v", m.Alg(), err)
		}
		return sig
	}
}

func keySigner(t testing.TB, k *Key) func(string) []byte {
	return signer(t, k.Method, k.Signer)
}

var verifyErrors = []error{
	ErrMalformed, ErrTooLarge, ErrUnknownKey, ErrAlgorithm, ErrType, ErrSignature,
	ErrExpired, ErrNotYetValid, ErrAudience, ErrIssuer, ErrClaims,
}

// checkVerifyError fails unless err satisfies errors.Is for exactly one verification error.
func checkVerifyError(t testing.TB, err error) {
	t.Helper()
	n := 0
	for _, e := range verifyErrors {
		if errors.Is(err, e) {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("error %q matches %d of the verification errors, want 1", err, n)
	}
}

// countingSource counts lookups of a KeySource.
type countingSource struct {
	KeySource
	n atomic.Int64
}

func (c *countingSource) Key(kid string) (*Key, bool) {
	c.n.Add(1)
	return c.KeySource.Key(kid)
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprint(err))
	}
	return string(b)
}
