package token

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"

	"github.com/authgate/authgate/identity"
)

func newRing(t *testing.T, store identity.Keys, clock *testClock, opts ...KeyringOption) *Keyring {
	t.Helper()
	r, err := NewKeyring(store, append([]KeyringOption{WithClock(clock.Now), WithLogger(discard)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// jwksKIDs returns the kids of a marshalled JWK set, parsing it with go-jose.
func jwksKIDs(t *testing.T, b []byte) []string {
	t.Helper()
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(b, &set); err != nil {
		t.Fatalf("JWKS %s: %v", b, err)
	}
	var kids []string
	for _, k := range set.Keys {
		if !k.IsPublic() || k.Use != "sig" || k.Algorithm == "" {
			t.Errorf("JWKS key %q: public %v, use %q, alg %q", k.KeyID, k.IsPublic(), k.Use, k.Algorithm)
		}
		kids = append(kids, k.KeyID)
	}
	slices.Sort(kids)
	return kids
}

func TestKeyringLoadCreatesKeyWhenStoreIsEmpty(t *testing.T) {
	for _, alg := range []string{EdDSA, ES256} {
		t.Run(alg, func(t *testing.T) {
			store, clock := &fakeKeys{}, newClock()
			r := newRing(t, store, clock, WithAlgorithm(alg))
			if r.Current() != nil {
				t.Fatal("a key before Load")
			}
			if got := string(r.JWKS()); got != `{"keys":[]}` {
				t.Fatalf("JWKS before Load = %s", got)
			}
			if err := r.Load(context.Background()); err != nil {
				t.Fatal(err)
			}
			cur := r.Current()
			if cur == nil || cur.Algorithm != alg {
				t.Fatalf("Current = %v after Load", cur)
			}
			if len(store.keys) != 1 || store.keys[0].ID != cur.ID || !store.keys[0].RetiredAt.IsZero() {
				t.Fatalf("store holds %d keys", len(store.keys))
			}
			if got := jwksKIDs(t, r.JWKS()); !slices.Equal(got, []string{cur.ID}) {
				t.Fatalf("JWKS kids %v, want [%s]", got, cur.ID)
			}
			// A second Load, and a Load by another instance, reuse the key.
			if err := r.Load(context.Background()); err != nil {
				t.Fatal(err)
			}
			other := newRing(t, store, clock)
			if err := other.Load(context.Background()); err != nil {
				t.Fatal(err)
			}
			if len(store.keys) != 1 || other.Current().ID != cur.ID || r.Current() != cur {
				t.Fatalf("Load added a key: store holds %d", len(store.keys))
			}
		})
	}
}

func TestKeyringLoadCreatesKeyWhenAllAreRetired(t *testing.T) {
	store, clock := &fakeKeys{}, newClock()
	old := testKey(t, EdDSA, false)
	old.RetiredAt = t0
	store.keys = append(store.keys, old)
	r := newRing(t, store, clock)
	if err := r.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	if cur := r.Current(); cur == nil || cur.ID == old.ID {
		t.Fatalf("Current = %v, want a new key", cur)
	}
	if _, ok := r.Key(old.ID); !ok {
		t.Fatal("the retired key no longer verifies")
	}
}

func TestKeyringLoadFailures(t *testing.T) {
	boom := errors.New("boom")
	store, clock := &fakeKeys{fail: boom}, newClock()
	r := newRing(t, store, clock)
	if err := r.Load(context.Background()); !errors.Is(err, boom) {
		t.Fatalf("Load = %v, want the store's error", err)
	}
	if len(store.keys) != 0 {
		t.Fatal("Load created a key although the store failed")
	}
}

func TestKeyringSkipsKeysThatDoNotParse(t *testing.T) {
	store, clock := &fakeKeys{}, newClock()
	good := testKey(t, EdDSA, false)
	good.RetiredAt = t0
	bad := &identity.SigningKey{ID: "bad", Algorithm: ES256, PrivateKeyDER: good.PrivateKeyDER, CreatedAt: t0.Add(time.Second)}
	store.keys = append(store.keys, good, bad)
	r := newRing(t, store, clock)
	if err := r.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, ok := r.Key("bad"); ok {
		t.Fatal("a key that does not parse is served")
	}
	if _, ok := r.Key(good.ID); !ok {
		t.Fatal("the good key is not served")
	}
	if cur := r.Current(); cur == nil || cur.ID == "bad" || cur.ID == good.ID {
		t.Fatalf("Current = %v, want a newly created key", cur)
	}
}

func TestNewKeyringOptions(t *testing.T) {
	for _, tc := range []struct {
		name  string
		store identity.Keys
		opts  []KeyringOption
	}{
		{"nil store", nil, nil},
		{"HS256", &fakeKeys{}, []KeyringOption{WithAlgorithm("HS256")}},
		{"zero refresh", &fakeKeys{}, []KeyringOption{WithRefreshInterval(0)}},
		{"negative lifetime", &fakeKeys{}, []KeyringOption{WithRetiredKeyLifetime(-time.Second)}},
		{"nil clock", &fakeKeys{}, []KeyringOption{WithClock(nil)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewKeyring(tc.store, tc.opts...); err == nil {
				t.Fatal("NewKeyring accepted it")
			}
		})
	}
}

// TestKeyringRotation walks a key through its life: current, retired but verifying, gone.
func TestKeyringRotation(t *testing.T) {
	for _, alg := range algs {
		t.Run(alg, func(t *testing.T) {
			e := newEnv(t, alg)
			ctx := context.Background()
			oldKID := e.key.ID
			oldTok := e.issue(t) // exp at t0+5m

			e.clock.Advance(time.Minute)
			newKey, err := e.ring.Rotate(ctx) // old key retired at t0+1m, verifies until t0+6m30s
			if err != nil {
				t.Fatal(err)
			}
			if newKey.ID == oldKID || e.ring.Current() != newKey || newKey.Algorithm != alg {
				t.Fatalf("after Rotate Current = %v, returned %v", e.ring.Current(), newKey)
			}
			newTok := e.issue(t)
			if got := headerOf(t, newTok)["kid"]; got != newKey.ID {
				t.Fatalf("new token kid %v, want %s", got, newKey.ID)
			}
			if got := jwksKIDs(t, e.ring.JWKS()); !slices.Equal(got, sorted(oldKID, newKey.ID)) {
				t.Fatalf("JWKS kids %v, want both", got)
			}
			for _, tok := range []string{oldTok, newTok} {
				if _, err := e.verifier.Verify(tok); err != nil {
					t.Fatalf("Verify after rotation: %v", err)
				}
			}

			// Just before the old token expires it still verifies.
			e.clock.Advance(4*time.Minute - time.Second) // t0+4m59s
			if _, err := e.verifier.Verify(oldTok); err != nil {
				t.Fatalf("old token at t0+4m59s: %v", err)
			}
			// The old key still verifies until RetiredAt + lifetime.
			e.clock.Advance(90 * time.Second) // t0+6m29s
			if _, ok := e.ring.Key(oldKID); !ok {
				t.Fatal("old key gone before RetiredAt + lifetime")
			}
			if _, err := e.verifier.Verify(oldTok); !errors.Is(err, ErrExpired) {
				t.Fatalf("old token at t0+6m29s: %v, want ErrExpired", err)
			}

			e.clock.Advance(time.Second) // t0+6m30s: RetiredAt + lifetime
			if _, ok := e.ring.Key(oldKID); ok {
				t.Fatal("old key still served at RetiredAt + lifetime")
			}
			if _, err := e.verifier.Verify(oldTok); !errors.Is(err, ErrUnknownKey) {
				t.Fatalf("old token at t0+6m30s: %v, want ErrUnknownKey", err)
			}
			if err := e.ring.Load(ctx); err != nil {
				t.Fatal(err)
			}
			if got := jwksKIDs(t, e.ring.JWKS()); !slices.Equal(got, []string{newKey.ID}) {
				t.Fatalf("JWKS kids %v, want only the new key", got)
			}
			if keys := e.ring.Keys(); len(keys) != 1 || keys[0] != newKey {
				t.Fatalf("Keys = %v", keys)
			}
		})
	}
}

// TestKeyringJWKSDropsExpiredKeyEvenIfStoreReturnsIt checks the keyring's own filter: a store
// that ignores retiredAfter must not make an expired key verify again.
func TestKeyringJWKSDropsExpiredKeyEvenIfStoreReturnsIt(t *testing.T) {
	store, clock := &ignoringStore{fakeKeys: &fakeKeys{}}, newClock()
	r := newRing(t, store, clock)
	ctx := context.Background()
	if err := r.Load(ctx); err != nil {
		t.Fatal(err)
	}
	old := r.Current()
	if _, err := r.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	clock.Advance(defaultRetiredKeyLifetime)
	if err := r.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := r.Key(old.ID); ok || strings.Contains(string(r.JWKS()), old.ID) {
		t.Fatal("expired key kept")
	}
}

type ignoringStore struct{ *fakeKeys }

func (s *ignoringStore) SigningKeys(ctx context.Context, _ time.Time) ([]*identity.SigningKey, error) {
	return s.fakeKeys.SigningKeys(ctx, time.Time{})
}

func TestKeyringSharedStore(t *testing.T) {
	store, clock := &fakeKeys{}, newClock()
	ctx := context.Background()
	a, b := newRing(t, store, clock), newRing(t, store, clock)
	if err := a.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if a.Current().ID != b.Current().ID {
		t.Fatal("instances disagree on the current key")
	}
	clock.Advance(time.Second)
	k, err := a.Rotate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if b.Current().ID == k.ID {
		t.Fatal("B saw the rotation without reloading")
	}
	before := store.lists.Load()
	got, ok := b.Key(k.ID)
	if !ok || got.ID != k.ID {
		t.Fatalf("B.Key(new kid) = %v, %v", got, ok)
	}
	if n := store.lists.Load() - before; n != 1 {
		t.Fatalf("B read the store %d times, want 1", n)
	}
	if b.Current().ID != k.ID {
		t.Fatal("B's on-miss reload did not make the new key current")
	}
	// A token A signs with the new key verifies on B.
	issuer, _ := NewIssuer(a, testIssuer, WithIssuerClock(clock.Now))
	tok, _, err := issuer.Issue(Claims{RegisteredClaims: jwt.RegisteredClaims{Subject: "s"}})
	if err != nil {
		t.Fatal(err)
	}
	v, _ := NewVerifier(b, WithIssuer(testIssuer), WithVerifierClock(clock.Now))
	if _, err := v.Verify(tok); err != nil {
		t.Fatal(err)
	}
}

func TestKeyringMissReloadIsRateLimited(t *testing.T) {
	store, clock := &fakeKeys{}, newClock()
	r := newRing(t, store, clock)
	if err := r.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	before := store.lists.Load()
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			kid := randomID()
			if i%2 == 0 {
				kid = "../../etc/passwd\x00" + kid
			}
			if _, ok := r.Key(kid); ok {
				t.Errorf("random kid %q found", kid)
			}
		}()
	}
	wg.Wait()
	if n := store.lists.Load() - before; n > 1 {
		t.Fatalf("100 unknown kids read the store %d times, want at most 1", n)
	}
	// The known key costs no store read.
	before = store.lists.Load()
	if _, ok := r.Key(r.Current().ID); !ok || store.lists.Load() != before {
		t.Fatal("a known kid read the store")
	}
	// A second later one more reload is allowed, and no more.
	clock.Advance(time.Second)
	for range 100 {
		r.Key(randomID())
	}
	if n := store.lists.Load() - before; n != 1 {
		t.Fatalf("after a second, 100 unknown kids read the store %d times, want 1", n)
	}
}

func TestKeyringRunReloadsAndKeepsLastGoodKeys(t *testing.T) {
	store, clock := &fakeKeys{}, newClock()
	r := newRing(t, store, clock, WithRefreshInterval(time.Millisecond))
	ctx, cancel := context.WithCancel(context.Background())
	if err := r.Load(ctx); err != nil {
		t.Fatal(err)
	}
	old := r.Current()

	// Another instance rotates; Run picks it up.
	other := newRing(t, store, clock)
	if err := other.Load(ctx); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Second)
	rotated, err := other.Rotate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	store.listed = make(chan struct{})
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	<-store.listed // a reload read the store...
	<-store.listed // ...and finished, since the next one has started
	if r.Current().ID != rotated.ID {
		t.Fatalf("Run did not load the rotated key")
	}

	// The store fails: the keys stay.
	store.setFail(errors.New("store down"))
	// The first read may have started before the failure; the second fails, and the third
	// starts only after the second reload finished.
	<-store.listed
	<-store.listed
	<-store.listed
	if r.Current().ID != rotated.ID {
		t.Fatal("a failed reload dropped the keys")
	}
	if _, ok := r.Key(old.ID); !ok {
		t.Fatal("a failed reload dropped the retired key")
	}
	cancel()
	go func() {
		for range store.listed {
		}
	}()
	<-done
	close(store.listed)
}

func TestKeyringConcurrentUse(t *testing.T) {
	e := newEnv(t, EdDSA)
	var wg sync.WaitGroup
	progress := make(chan struct{}, 1)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				tok, _, err := e.issuer.Issue(Claims{RegisteredClaims: jwt.RegisteredClaims{Subject: "s"}})
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := e.verifier.Verify(tok); err != nil {
					t.Error(err)
					return
				}
				_ = e.ring.JWKS()
				_ = e.ring.Keys()
				select {
				case progress <- struct{}{}:
				default:
				}
			}
		}()
	}
	workersDone := make(chan struct{})
	go func() { wg.Wait(); close(workersDone) }()
	for range 5 {
		select { // rotate while tokens are being issued and verified
		case <-progress:
		case <-workersDone:
		}
		if _, err := e.ring.Rotate(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	<-workersDone
}

func sorted(s ...string) []string {
	slices.Sort(s)
	return s
}

// headerOf decodes the protected header of a compact JWS.
func headerOf(t *testing.T, tok string) map[string]any {
	t.Helper()
	h, _, _ := strings.Cut(tok, ".")
	p := jwt.NewParser()
	b, err := p.DecodeSegment(h)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
