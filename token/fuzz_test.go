package token

import (
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// FuzzVerify feeds arbitrary strings to Verify, cached and uncached, for keys of every
// algorithm. Verify must not panic; it accepts only tokens with the required claims, and every
// refusal is exactly one of the verification errors.
func FuzzVerify(f *testing.F) {
	type target struct {
		e      *env
		cached *Verifier
	}
	var targets []target
	for _, alg := range algs {
		e := newEnv(f, alg, WithLeeway(testLeeway))
		cached, err := NewVerifier(e.ring, WithIssuer(testIssuer), WithVerifierClock(e.clock.Now), WithLeeway(testLeeway), WithCacheSize(16))
		if err != nil {
			f.Fatal(err)
		}
		targets = append(targets, target{e, cached})
		f.Add(e.issue(f))
		// Seeds: every attack token, built against a fresh env so clock changes stay there.
		for _, a := range attacks() {
			if a.skip != nil && a.skip(alg) {
				continue
			}
			f.Add(a.token(f, newEnv(f, alg, WithLeeway(testLeeway))))
		}
	}
	f.Fuzz(func(t *testing.T, tok string) {
		for _, tg := range targets {
			for _, v := range []*Verifier{tg.e.verifier, tg.cached, tg.cached} {
				c, err := v.Verify(tok)
				if err != nil {
					if c != nil {
						t.Fatal("claims returned with an error")
					}
					checkVerifyError(t, err)
					continue
				}
				if c == nil || c.Subject == "" || c.Issuer != testIssuer || !slices.Contains(c.Audience, "authgate") ||
					c.ExpiresAt == nil || !tg.e.clock.Now().Before(c.ExpiresAt.Add(testLeeway)) {
					t.Fatalf("accepted %q with claims %+v", tok, c)
				}
				if _, known := tg.e.ring.Key(tokenKID(tok)); !known {
					t.Fatalf("accepted %q whose kid names no key", tok)
				}
			}
		}
	})
}

// tokenKID returns the kid of a token that verified, for the check above.
func tokenKID(tok string) string {
	h, _, _ := strings.Cut(tok, ".")
	b, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		return ""
	}
	var header struct {
		KID string `json:"kid"`
	}
	_ = json.Unmarshal(b, &header)
	return header.KID
}
