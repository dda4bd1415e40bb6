package token

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// jwksServer serves a keyring's JWKS, or what body returns when set, and counts requests.
type jwksServer struct {
	*httptest.Server
	requests atomic.Int64
	mu       sync.Mutex
	body     func() []byte
	status   int
}

func newJWKSServer(t *testing.T, ring *Keyring) *jwksServer {
	s := &jwksServer{body: ring.JWKS, status: http.StatusOK}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		if r.URL.Path != "/.well-known/jwks.json" {
			http.NotFound(w, r)
			return
		}
		s.mu.Lock()
		body, status := s.body(), s.status
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.WriteHeader(status)
		w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) set(status int, body func() []byte) {
	s.mu.Lock()
	s.status, s.body = status, body
	s.mu.Unlock()
}

func newRemote(t *testing.T, url string, clock *testClock, opts ...RemoteOption) *RemoteKeySet {
	t.Helper()
	r, err := NewRemoteKeySet(url, append([]RemoteOption{WithRemoteClock(clock.Now), WithRemoteLogger(discard)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRemoteKeySetVerifiesOurTokens(t *testing.T) {
	for _, alg := range algs {
		t.Run(alg, func(t *testing.T) {
			e := newEnv(t, alg)
			srv := newJWKSServer(t, e.ring)
			remote := newRemote(t, srv.URL+"/.well-known/jwks.json", e.clock)
			v, err := NewVerifier(remote, WithIssuer(testIssuer), WithVerifierClock(e.clock.Now))
			if err != nil {
				t.Fatal(err)
			}
			// No Refresh: the first unknown kid fetches the set.
			c, err := v.Verify(e.issue(t))
			if err != nil {
				t.Fatal(err)
			}
			if c.Subject != "user-1" || srv.requests.Load() != 1 {
				t.Fatalf("claims %+v after %d requests", c, srv.requests.Load())
			}
			k, ok := remote.Key(e.key.ID)
			if !ok || k.Signer != nil || k.Algorithm != alg {
				t.Fatalf("remote key %v, %v", k, ok)
			}
		})
	}
}

func TestRemoteKeySetRefetchOnUnknownKidIsRateLimited(t *testing.T) {
	e := newEnv(t, EdDSA)
	srv := newJWKSServer(t, e.ring)
	remote := newRemote(t, srv.URL+"/.well-known/jwks.json", e.clock, WithRefetchInterval(10*time.Second))
	if err := remote.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	srv.requests.Store(0)

	e.clock.Advance(time.Second)
	rotated, err := e.ring.Rotate(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	// The first unknown kid refetches and finds the new key; 100 random kids then fetch nothing.
	if _, ok := remote.Key(rotated.ID); !ok {
		t.Fatal("rotated key not found")
	}
	var wg sync.WaitGroup
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, ok := remote.Key(randomID()); ok {
				t.Error("random kid found")
			}
		}()
	}
	wg.Wait()
	if n := srv.requests.Load(); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
	e.clock.Advance(10 * time.Second)
	for range 100 {
		remote.Key(randomID())
	}
	if n := srv.requests.Load(); n != 2 {
		t.Fatalf("%d requests after the interval, want 2", n)
	}
}

func TestRemoteKeySetIgnoresUnfitKeys(t *testing.T) {
	ed := parsedTestKey(t, EdDSA, false)
	ec := parsedTestKey(t, ES256, false)
	rs := parsedTestKey(t, RS256, false)
	member := func(k jose.JSONWebKey) json.RawMessage {
		b, err := json.Marshal(k)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	pub := func(k *Key, kid, alg, use string) json.RawMessage {
		return member(jose.JSONWebKey{Key: k.Public, KeyID: kid, Algorithm: alg, Use: use})
	}
	members := []json.RawMessage{
		pub(ed, "good-ed", EdDSA, "sig"),
		pub(ec, "good-ec", ES256, ""),
		pub(rs, "good-rs", RS256, "sig"),
		pub(ed, "no-alg", "", "sig"),
		pub(ed, "ed-as-es256", ES256, "sig"),
		pub(ec, "ec-as-eddsa", EdDSA, "sig"),
		pub(rs, "rs-as-es256", ES256, "sig"),
		pub(ec, "ec-as-es384", "ES384", "sig"),
		pub(ed, "enc-use", EdDSA, "enc"),
		pub(ed, "", EdDSA, "sig"),
		pub(ec, "good-ed", ES256, "sig"), // repeats a kid
		member(jose.JSONWebKey{Key: []byte("0123456789abcdef0123456789abcdef"), KeyID: "hmac", Algorithm: "HS256", Use: "sig"}),
		member(jose.JSONWebKey{Key: ed.Signer.(ed25519.PrivateKey), KeyID: "private-ed", Algorithm: EdDSA, Use: "sig"}),
		member(jose.JSONWebKey{Key: ec.Signer.(*ecdsa.PrivateKey), KeyID: "private-ec", Algorithm: ES256, Use: "sig"}),
		json.RawMessage(`{"kty":"XYZ","kid":"unknown-kty","alg":"EdDSA"}`),
		json.RawMessage(`{"kty":"OKP","crv":"Ed25519","x":"AAAA","kid":"short-x","alg":"EdDSA"}`),
		json.RawMessage(`"not an object"`),
	}
	body, err := json.Marshal(map[string]any{"keys": members})
	if err != nil {
		t.Fatal(err)
	}
	keys, skipped, err := parseJWKS(body)
	if err != nil {
		t.Fatal(err)
	}
	var kids []string
	for kid := range keys {
		kids = append(kids, kid)
	}
	if got := sorted(kids...); strings.Join(got, ",") != "good-ec,good-ed,good-rs" {
		t.Fatalf("kept %v", got)
	}
	if keys["good-ed"].Algorithm != EdDSA {
		t.Fatal("a repeated kid replaced the first key")
	}
	if len(skipped) != len(members)-3 {
		t.Fatalf("%d skipped, want %d: %v", len(skipped), len(members)-3, skipped)
	}
	for _, bad := range []string{``, `[]`, `{}`, `{"keys":{}}`, `{"keys":null}`} {
		if _, _, err := parseJWKS([]byte(bad)); !errors.Is(err, ErrJWKS) {
			t.Errorf("parseJWKS(%q) = %v, want ErrJWKS", bad, err)
		}
	}
}

func TestRemoteKeySetFetchFailuresKeepKeys(t *testing.T) {
	e := newEnv(t, EdDSA)
	srv := newJWKSServer(t, e.ring)
	remote := newRemote(t, srv.URL+"/.well-known/jwks.json", e.clock, WithMaxJWKSSize(4096))
	if err := remote.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		status int
		body   string
	}{
		{"server error", http.StatusInternalServerError, `{"keys":[]}`},
		{"redirect", http.StatusFound, ``},
		{"too large", http.StatusOK, `{"keys":[` + strings.Repeat(" ", 4096) + `]}`},
		{"not JSON", http.StatusOK, `<html>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv.set(tc.status, func() []byte { return []byte(tc.body) })
			if err := remote.Refresh(t.Context()); !errors.Is(err, ErrJWKS) {
				t.Fatalf("Refresh = %v, want ErrJWKS", err)
			}
			if _, ok := remote.Key(e.key.ID); !ok {
				t.Fatal("a failed fetch dropped the keys")
			}
		})
	}
	// A good set just under the limit is fine.
	srv.set(http.StatusOK, func() []byte { return []byte(`{"keys":[]}` + strings.Repeat(" ", 4096-11)) })
	if err := remote.Refresh(t.Context()); err != nil {
		t.Fatalf("a set of exactly the limit: %v", err)
	}
}

func TestRemoteKeySetTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	remote := newRemote(t, srv.URL, newClock(), WithFetchTimeout(10*time.Millisecond))
	if err := remote.Refresh(context.Background()); !errors.Is(err, ErrJWKS) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Refresh of a server that never answers = %v", err)
	}
}

func TestNewRemoteKeySetURL(t *testing.T) {
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"https://auth.example.com/.well-known/jwks.json", true},
		{"http://127.0.0.1:8080/.well-known/jwks.json", true},
		{"http://[::1]/.well-known/jwks.json", true},
		{"http://localhost/.well-known/jwks.json", true},
		{"http://auth.example.com/.well-known/jwks.json", false},
		{"ftp://auth.example.com/jwks.json", false},
		{"/.well-known/jwks.json", false},
		{"://bad", false},
	} {
		t.Run(tc.url, func(t *testing.T) {
			_, err := NewRemoteKeySet(tc.url)
			if (err == nil) != tc.ok {
				t.Fatalf("NewRemoteKeySet = %v, want ok %v", err, tc.ok)
			}
		})
	}
}

func TestRemoteKeySetRun(t *testing.T) {
	e := newEnv(t, EdDSA)
	var fetched = make(chan struct{})
	srv := newJWKSServer(t, e.ring)
	srv.set(http.StatusOK, func() []byte {
		defer func() {
			select {
			case fetched <- struct{}{}:
			default:
			}
		}()
		return e.ring.JWKS()
	})
	remote := newRemote(t, srv.URL+"/.well-known/jwks.json", e.clock, WithRemoteRefreshInterval(time.Millisecond))
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { remote.Run(ctx); close(done) }()
	// Wait until a periodic fetch has happened and a later one started, so the first finished.
	for remote.keys.Load() == nil || len(*remote.keys.Load()) == 0 {
		<-fetched
	}
	cancel()
	<-done
	if _, ok := (*remote.keys.Load())[e.key.ID]; !ok {
		t.Fatal("Run did not load the key")
	}
}
