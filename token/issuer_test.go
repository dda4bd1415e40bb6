package token

import (
	"encoding/base64"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestIssue(t *testing.T) {
	for _, alg := range algs {
		t.Run(alg, func(t *testing.T) {
			e := newEnv(t, alg)
			e.clock.Advance(1500 * time.Millisecond) // iat is truncated to the second
			in := Claims{
				RegisteredClaims: jwt.RegisteredClaims{Subject: "user-1", Issuer: "forged", ID: "forged"},
				Username:         "alice", Roles: []string{"admin", "ops"}, MFA: true, SessionID: "fam-1",
			}
			tok, c, err := e.issuer.Issue(in)
			if err != nil {
				t.Fatal(err)
			}
			now := t0.Add(time.Second)
			if c.Issuer != testIssuer || !slices.Equal(c.Audience, []string{"authgate"}) ||
				!c.IssuedAt.Equal(now) || !c.NotBefore.Equal(now) || !c.ExpiresAt.Equal(now.Add(5*time.Minute)) {
				t.Fatalf("registered claims %+v", c.RegisteredClaims)
			}
			if id, err := base64.RawURLEncoding.DecodeString(c.ID); err != nil || len(id) != 16 {
				t.Fatalf("jti %q is not 128 bits of base64url", c.ID)
			}
			h := headerOf(t, tok)
			if h["typ"] != "at+jwt" || h["kid"] != e.key.ID || h["alg"] != alg || len(h) != 3 {
				t.Fatalf("header %v", h)
			}
			got, err := e.verifier.Verify(tok)
			if err != nil {
				t.Fatal(err)
			}
			if got.Subject != "user-1" || got.Username != "alice" || !slices.Equal(got.Roles, in.Roles) ||
				!got.MFA || got.SessionID != "fam-1" || got.ID != c.ID {
				t.Fatalf("verified claims %+v", got)
			}
			_, c2, _ := e.issuer.Issue(in)
			if c2.ID == c.ID {
				t.Fatal("two tokens share a jti")
			}
		})
	}
}

func TestIssueKeepsSetAudienceAndExpiry(t *testing.T) {
	e := newEnv(t, EdDSA)
	exp := jwt.NewNumericDate(t0.Add(time.Minute))
	_, c, err := e.issuer.Issue(Claims{RegisteredClaims: jwt.RegisteredClaims{
		Subject: "s", Audience: jwt.ClaimStrings{"authgate", "billing"}, ExpiresAt: exp,
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Audience, []string{"authgate", "billing"}) || !c.ExpiresAt.Equal(exp.Time) {
		t.Fatalf("claims %+v", c.RegisteredClaims)
	}
}

func TestIssueWith(t *testing.T) {
	e := newEnv(t, ES256)
	tok, c, err := e.issuer.IssueWith(Claims{RegisteredClaims: jwt.RegisteredClaims{Subject: "s"}},
		"upstream+jwt", 30*time.Second, "billing")
	if err != nil {
		t.Fatal(err)
	}
	if h := headerOf(t, tok); h["typ"] != "upstream+jwt" {
		t.Fatalf("typ %v", h["typ"])
	}
	if !c.ExpiresAt.Equal(t0.Add(30*time.Second)) || !slices.Equal(c.Audience, []string{"billing"}) {
		t.Fatalf("claims %+v", c.RegisteredClaims)
	}
	// An access-token verifier refuses it, and a verifier of that kind accepts it.
	if _, err := e.verifier.Verify(tok); !errors.Is(err, ErrType) {
		t.Fatalf("access-token verifier: %v, want ErrType", err)
	}
	v, err := NewVerifier(e.ring, WithIssuer(testIssuer), WithVerifierAudience("billing"),
		WithType("upstream+jwt"), WithVerifierClock(e.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(tok); err != nil {
		t.Fatal(err)
	}
}

func TestIssueRefuses(t *testing.T) {
	e := newEnv(t, EdDSA)
	empty, err := NewKeyring(&fakeKeys{}, WithLogger(discard))
	if err != nil {
		t.Fatal(err)
	}
	noKey, _ := NewIssuer(empty, testIssuer)
	sub := jwt.RegisteredClaims{Subject: "s"}
	for _, tc := range []struct {
		name string
		iss  *Issuer
		c    Claims
		want error
	}{
		{"no subject", e.issuer, Claims{}, ErrClaims},
		{"no current key", noKey, Claims{RegisteredClaims: sub}, ErrNoSigningKey},
		{"exp in the past", e.issuer, Claims{RegisteredClaims: jwt.RegisteredClaims{
			Subject: "s", ExpiresAt: jwt.NewNumericDate(t0.Add(-time.Second))}}, ErrClaims},
		{"exp beyond the retired key lifetime", e.issuer, Claims{RegisteredClaims: jwt.RegisteredClaims{
			Subject: "s", ExpiresAt: jwt.NewNumericDate(t0.Add(time.Hour))}}, ErrClaims},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok, c, err := tc.iss.Issue(tc.c)
			if !errors.Is(err, tc.want) || tok != "" || c != nil {
				t.Fatalf("Issue = %q, %v, %v; want %v", tok, c, err, tc.want)
			}
		})
	}
}

func TestNewIssuerOptions(t *testing.T) {
	ring, err := NewKeyring(&fakeKeys{}, WithRetiredKeyLifetime(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		ring   *Keyring
		issuer string
		opts   []IssuerOption
	}{
		{"nil keyring", nil, "i", nil},
		{"empty issuer", ring, "", nil},
		{"empty audience", ring, "i", []IssuerOption{WithAudience("")}},
		{"ttl beyond retired key lifetime", ring, "i", nil}, // default 5m > 1m
		{"zero ttl", ring, "i", []IssuerOption{WithTTL(0)}},
		{"nil clock", ring, "i", []IssuerOption{WithTTL(time.Minute), WithIssuerClock(nil)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewIssuer(tc.ring, tc.issuer, tc.opts...); err == nil {
				t.Fatal("NewIssuer accepted it")
			}
		})
	}
	if _, err := NewIssuer(ring, "i", WithTTL(time.Minute)); err != nil {
		t.Fatal(err)
	}
}
