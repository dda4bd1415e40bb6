package token

import (
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func BenchmarkVerify(b *testing.B) {
	for _, alg := range algs {
		b.Run(alg, func(b *testing.B) {
			e := newEnv(b, alg)
			tok := e.issue(b)
			for _, bc := range []struct {
				name  string
				cache int
			}{{"uncached", 0}, {"cached", defaultCacheSize}} {
				b.Run(bc.name, func(b *testing.B) {
					v, err := NewVerifier(e.ring, WithIssuer(testIssuer), WithVerifierClock(e.clock.Now), WithCacheSize(bc.cache))
					if err != nil {
						b.Fatal(err)
					}
					if _, err := v.Verify(tok); err != nil {
						b.Fatal(err)
					}
					b.ReportAllocs()
					for b.Loop() {
						if _, err := v.Verify(tok); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}

// BenchmarkVerifyCachedParallel measures the hit path on all CPUs over 4096 cached tokens, so
// the shard maps are large enough to hash their keys. The clock is a constant, as the test
// clock's mutex would measure itself.
func BenchmarkVerifyCachedParallel(b *testing.B) {
	e := newEnv(b, EdDSA)
	toks := make([]string, 4096)
	for i := range toks {
		toks[i] = e.issue(b)
	}
	v, err := NewVerifier(e.ring, WithIssuer(testIssuer), WithVerifierClock(func() time.Time { return t0 }))
	if err != nil {
		b.Fatal(err)
	}
	for _, tok := range toks {
		if _, err := v.Verify(tok); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := v.Verify(toks[i%len(toks)]); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
}

func BenchmarkIssue(b *testing.B) {
	for _, alg := range algs {
		b.Run(alg, func(b *testing.B) {
			e := newEnv(b, alg)
			c := Claims{RegisteredClaims: jwt.RegisteredClaims{Subject: "user-1"}, Username: "alice", Roles: []string{"admin"}, SessionID: "fam-1"}
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := e.issuer.Issue(c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkClaimsClone is what copying the claims on every cache hit would add.
func BenchmarkClaimsClone(b *testing.B) {
	e := newEnv(b, EdDSA)
	c, err := e.verifier.Verify(e.issue(b))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = c.Clone()
	}
}
