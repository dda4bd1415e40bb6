package token

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
)

const testLeeway = 30 * time.Second

// attack is a token built against an env, and the error Verify must return for it.
type attack struct {
	name  string
	token func(t testing.TB, e *env) string
	want  error // nil: the token must verify (a control)
	skip  func(alg string) bool
}

func attacks() []attack {
	var cases []attack
	add := func(name string, want error, token func(t testing.TB, e *env) string) {
		cases = append(cases, attack{name: name, token: token, want: want})
	}
	// header returns our usual header with changes; a nil value deletes the member.
	header := func(e *env, changes map[string]any) map[string]any {
		h := map[string]any{"alg": e.key.Algorithm, "typ": "at+jwt", "kid": e.key.ID}
		for k, v := range changes {
			if v == nil {
				delete(h, k)
			} else {
				h[k] = v
			}
		}
		return h
	}
	claims := func(e *env, changes map[string]any) map[string]any {
		c := e.validClaims()
		for k, v := range changes {
			if v == nil {
				delete(c, k)
			} else {
				c[k] = v
			}
		}
		return c
	}
	ours := func(t testing.TB, e *env, h, c map[string]any) string {
		return forge(t, header(e, h), claims(e, c), keySigner(t, e.key))
	}
	now := func(e *env) int64 { return e.clock.Now().Unix() }

	// Controls: the harness itself accepts what it should.
	add("control: issued token", nil, func(t testing.TB, e *env) string { return e.issue(t) })
	add("control: forged by us", nil, func(t testing.TB, e *env) string { return ours(t, e, nil, nil) })
	add("control: typ application/AT+JWT", nil, func(t testing.TB, e *env) string {
		return ours(t, e, map[string]any{"typ": "application/AT+JWT"}, nil)
	})
	add("control: nbf within leeway", nil, func(t testing.TB, e *env) string {
		return ours(t, e, nil, map[string]any{"nbf": now(e) + 29, "iat": now(e) + 29})
	})

	// alg none, in every case, with and without a signature.
	for _, alg := range []string{"none", "None", "NONE", "nOnE"} {
		for _, withSig := range []bool{false, true} {
			name := "alg " + alg + " unsigned"
			if withSig {
				name = "alg " + alg + " with signature"
			}
			add(name, ErrAlgorithm, func(t testing.TB, e *env) string {
				var sign func(string) []byte
				if withSig {
					sign = func(string) []byte { return []byte("signature") }
				}
				return forge(t, header(e, map[string]any{"alg": alg}), claims(e, nil), sign)
			})
		}
	}
	add("alg missing", ErrAlgorithm, func(t testing.TB, e *env) string {
		return ours(t, e, map[string]any{"alg": nil}, nil)
	})
	add("alg not a string", ErrAlgorithm, func(t testing.TB, e *env) string {
		return ours(t, e, map[string]any{"alg": 256}, nil)
	})

	// HMAC keyed with our public key (the RS256/HS256 confusion), in the forms a confused
	// verifier might use as the secret.
	for _, hs := range []*jwt.SigningMethodHMAC{jwt.SigningMethodHS256, jwt.SigningMethodHS512} {
		for _, form := range []string{"raw", "PEM", "JWK"} {
			add(hs.Alg()+" keyed with our public key as "+form, ErrAlgorithm, func(t testing.TB, e *env) string {
				secret := publicKeyAs(t, e.key, form)
				return forge(t, header(e, map[string]any{"alg": hs.Alg()}), claims(e, nil), signer(t, hs, secret))
			})
		}
	}

	// The signature must cover exactly what was signed.
	add("tampered payload", ErrSignature, func(t testing.TB, e *env) string {
		parts := strings.Split(e.issue(t), ".")
		parts[1] = seg(t, claims(e, map[string]any{"sub": "admin", "roles": []string{"admin"}}))
		return strings.Join(parts, ".")
	})
	add("tampered header", ErrSignature, func(t testing.TB, e *env) string {
		parts := strings.Split(e.issue(t), ".")
		parts[0] = seg(t, header(e, map[string]any{"x": "y"}))
		return strings.Join(parts, ".")
	})
	for _, at := range []int{0, 20, -1} {
		add("tampered signature byte "+strconv.Itoa(at), ErrSignature, func(t testing.TB, e *env) string {
			tok := e.issue(t)
			i := strings.LastIndexByte(tok, '.')
			sig, err := base64.RawURLEncoding.DecodeString(tok[i+1:])
			if err != nil {
				t.Fatal(err)
			}
			sig[(at+len(sig))%len(sig)] ^= 0x01
			return tok[:i+1] + b64(sig)
		})
	}
	cases = append(cases, attack{
		name: "non-canonical base64 signature", want: ErrMalformed,
		// RSA-3072 signatures fill their base64 exactly; there are no spare bits to set.
		skip: func(alg string) bool { return alg == RS256 },
		token: func(t testing.TB, e *env) string {
			tok := e.issue(t)
			const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
			last := strings.IndexByte(alphabet, tok[len(tok)-1])
			return tok[:len(tok)-1] + string(alphabet[last|1])
		},
	})
	add("signature truncated", ErrSignature, func(t testing.TB, e *env) string {
		tok := e.issue(t)
		i := strings.LastIndexByte(tok, '.')
		sig, _ := base64.RawURLEncoding.DecodeString(tok[i+1:])
		return tok[:i+1] + b64(sig[:len(sig)-1])
	})
	add("missing signature: two segments", ErrMalformed, func(t testing.TB, e *env) string {
		tok := e.issue(t)
		return tok[:strings.LastIndexByte(tok, '.')]
	})
	add("missing signature: empty third segment", ErrSignature, func(t testing.TB, e *env) string {
		tok := e.issue(t)
		return tok[:strings.LastIndexByte(tok, '.')+1]
	})
	add("four segments", ErrMalformed, func(t testing.TB, e *env) string { return e.issue(t) + ".x" })

	// kid.
	for _, kid := range []any{"unknown", "../../etc/passwd", "/dev/null", "test-eddsa\x00", "\x00", strings.Repeat("k", 300), 7, nil} {
		add("kid "+mustJSON(kid), ErrUnknownKey, func(t testing.TB, e *env) string {
			return ours(t, e, map[string]any{"kid": kid}, nil)
		})
	}
	add("kid empty", ErrUnknownKey, func(t testing.TB, e *env) string {
		return ours(t, e, map[string]any{"kid": ""}, nil)
	})

	// Keys the token brings along are never used: signed by the attacker, with our kid the
	// signature fails, and without a kid there is no key at all.
	for _, member := range []string{"jwk", "jku", "x5u", "x5c"} {
		add(member+" header, attacker-signed, our kid", ErrSignature, func(t testing.TB, e *env) string {
			evil := parsedTestKey(t, e.key.Algorithm, true)
			return forge(t, header(e, map[string]any{member: attackerHeaderValue(t, evil, member)}),
				claims(e, nil), keySigner(t, evil))
		})
	}
	add("jwk header, attacker-signed, attacker kid", ErrUnknownKey, func(t testing.TB, e *env) string {
		evil := parsedTestKey(t, e.key.Algorithm, true)
		return forge(t, header(e, map[string]any{"kid": evil.ID, "jwk": attackerHeaderValue(t, evil, "jwk")}),
			claims(e, nil), keySigner(t, evil))
	})
	add("jwk header, attacker-signed, no kid", ErrUnknownKey, func(t testing.TB, e *env) string {
		evil := parsedTestKey(t, e.key.Algorithm, true)
		return forge(t, header(e, map[string]any{"kid": nil, "jwk": attackerHeaderValue(t, evil, "jwk")}),
			claims(e, nil), keySigner(t, evil))
	})
	add("crit header", ErrMalformed, func(t testing.TB, e *env) string {
		return ours(t, e, map[string]any{"crit": []string{"b64"}, "b64": false}, nil)
	})

	// Another algorithm than the kid's key has, properly signed with a key of that algorithm.
	add("alg of another key type under our kid", ErrAlgorithm, func(t testing.TB, e *env) string {
		other := parsedTestKey(t, otherAlg(e.key.Algorithm), true)
		return forge(t, header(e, map[string]any{"alg": other.Algorithm}), claims(e, nil), keySigner(t, other))
	})

	// Time.
	add("expired beyond leeway", ErrExpired, func(t testing.TB, e *env) string {
		tok := e.issue(t)
		e.clock.Advance(5*time.Minute + testLeeway)
		return tok
	})
	add("exp missing", ErrClaims, func(t testing.TB, e *env) string {
		return ours(t, e, nil, map[string]any{"exp": nil})
	})
	add("exp a string", ErrMalformed, func(t testing.TB, e *env) string {
		return ours(t, e, nil, map[string]any{"exp": "tomorrow"})
	})
	add("nbf in the future beyond leeway", ErrNotYetValid, func(t testing.TB, e *env) string {
		return ours(t, e, nil, map[string]any{"nbf": now(e) + 31})
	})
	add("iat in the future beyond leeway", ErrNotYetValid, func(t testing.TB, e *env) string {
		return ours(t, e, nil, map[string]any{"iat": now(e) + 31})
	})

	// Claims.
	add("wrong aud", ErrAudience, func(t testing.TB, e *env) string {
		return ours(t, e, nil, map[string]any{"aud": []string{"billing"}})
	})
	add("aud missing", ErrClaims, func(t testing.TB, e *env) string {
		return ours(t, e, nil, map[string]any{"aud": nil})
	})
	add("wrong iss", ErrIssuer, func(t testing.TB, e *env) string {
		return ours(t, e, nil, map[string]any{"iss": "https://evil.example"})
	})
	add("iss missing", ErrClaims, func(t testing.TB, e *env) string {
		return ours(t, e, nil, map[string]any{"iss": nil})
	})
	add("sub missing", ErrClaims, func(t testing.TB, e *env) string {
		return ours(t, e, nil, map[string]any{"sub": nil})
	})
	add("claims not an object", ErrMalformed, func(t testing.TB, e *env) string {
		return forge(t, header(e, nil), []string{"sub"}, keySigner(t, e.key))
	})

	// typ.
	for _, typ := range []any{"JWT", "at+jwt+x", "application/jwt", "", 1, nil} {
		add("typ "+mustJSON(typ), ErrType, func(t testing.TB, e *env) string {
			return ours(t, e, map[string]any{"typ": typ}, nil)
		})
	}

	// Not a JWS at all.
	for name, s := range map[string]string{
		"refresh-token-like opaque string": randomID() + randomID(),
		"empty":                            "",
		"one dot":                          ".",
		"two dots":                         "..",
		"three dots":                       "...",
		"random bytes":                     "\xff\xfe\x00\x01garbage\x80.\xc3\x28",
		"huge base64":                      strings.Repeat("QUFB", 2000),
		"huge base64 in three segments":    strings.Repeat("QUFB", 600) + "." + strings.Repeat("QUFB", 600) + "." + strings.Repeat("QUFB", 600),
		"header not JSON":                  b64([]byte("{")) + ".e30.c2ln",
		"header JSON array":                b64([]byte("[]")) + ".e30.c2ln",
		"padded base64":                    "eyJhbGciOiJFZERTQSJ9==.e30.c2ln",
		"JSON serialization":               `{"payload":"e30","signatures":[]}`,
	} {
		add(name, ErrMalformed, func(testing.TB, *env) string { return s })
	}
	add("oversized", ErrTooLarge, func(t testing.TB, e *env) string {
		tok := e.issue(t)
		return tok + strings.Repeat("A", 8<<10+1-len(tok))
	})
	return cases
}

func TestVerifyAttacks(t *testing.T) {
	for _, alg := range algs {
		t.Run(alg, func(t *testing.T) {
			for _, tc := range attacks() {
				if tc.skip != nil && tc.skip(alg) {
					continue
				}
				t.Run(tc.name, func(t *testing.T) {
					e := newEnv(t, alg, WithLeeway(testLeeway))
					tok := tc.token(t, e)
					c, err := e.verifier.Verify(tok)
					if tc.want == nil {
						if err != nil || c == nil || c.Subject != "user-1" {
							t.Fatalf("Verify = %v, %v; want it accepted", c, err)
						}
						return
					}
					if !errors.Is(err, tc.want) {
						t.Fatalf("Verify error = %v, want %v", err, tc.want)
					}
					t.Log(err)
					if c != nil {
						t.Fatal("claims returned with an error")
					}
					checkVerifyError(t, err)
				})
			}
		})
	}
}

// publicKeyAs encodes k's public key as a confused verifier might use it as an HMAC secret.
func publicKeyAs(t testing.TB, k *Key, form string) []byte {
	t.Helper()
	switch form {
	case "raw":
		switch pub := k.Public.(type) {
		case ed25519.PublicKey:
			return pub
		case *ecdsa.PublicKey:
			e, err := pub.ECDH()
			if err != nil {
				t.Fatal(err)
			}
			return e.Bytes()
		case *rsa.PublicKey:
			return x509.MarshalPKCS1PublicKey(pub)
		}
	case "PEM":
		der, err := x509.MarshalPKIXPublicKey(k.Public)
		if err != nil {
			t.Fatal(err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	case "JWK":
		b, err := json.Marshal(jose.JSONWebKey{Key: k.Public, KeyID: k.ID, Algorithm: k.Algorithm, Use: "sig"})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	t.Fatalf("no %s form of %T", form, k.Public)
	return nil
}

// attackerHeaderValue is what an attacker puts in a jwk, jku, x5u or x5c header.
func attackerHeaderValue(t testing.TB, evil *Key, member string) any {
	t.Helper()
	switch member {
	case "jwk":
		return jose.JSONWebKey{Key: evil.Public, KeyID: evil.ID, Algorithm: evil.Algorithm, Use: "sig"}
	case "jku":
		return "https://evil.example/.well-known/jwks.json"
	case "x5u":
		return "https://evil.example/cert.pem"
	case "x5c":
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "authgate"},
			NotBefore: t0.Add(-time.Hour), NotAfter: t0.Add(time.Hour)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, evil.Public, evil.Signer)
		if err != nil {
			t.Fatal(err)
		}
		return []string{base64.StdEncoding.EncodeToString(der)}
	}
	t.Fatalf("no %s", member)
	return nil
}

func otherAlg(alg string) string {
	i := slices.Index(algs, alg)
	return algs[(i+1)%len(algs)]
}

// TestGoJoseVerifiesOurTokens has an independent JOSE implementation verify our tokens with
// the keys it reads from our JWKS.
func TestGoJoseVerifiesOurTokens(t *testing.T) {
	for _, alg := range algs {
		t.Run(alg, func(t *testing.T) {
			e := newEnv(t, alg)
			// Rotate so the JWKS holds two keys and the kid really selects.
			e.clock.Advance(time.Second)
			if _, err := e.ring.Rotate(t.Context()); err != nil {
				t.Fatal(err)
			}
			tok, issued, err := e.issuer.Issue(Claims{
				RegisteredClaims: jwt.RegisteredClaims{Subject: "user-1"},
				Username:         "alice", Roles: []string{"admin"}, MFA: true, SessionID: "fam-1",
			})
			if err != nil {
				t.Fatal(err)
			}
			var set jose.JSONWebKeySet
			if err := json.Unmarshal(e.ring.JWKS(), &set); err != nil {
				t.Fatal(err)
			}
			if len(set.Keys) != 2 {
				t.Fatalf("JWKS holds %d keys, want 2", len(set.Keys))
			}
			jws, err := jose.ParseSigned(tok, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
			if err != nil {
				t.Fatal(err)
			}
			h := jws.Signatures[0].Protected
			if h.Algorithm != alg || h.KeyID != e.ring.Current().ID || h.ExtraHeaders[jose.HeaderType] != "at+jwt" {
				t.Fatalf("protected header %+v", h)
			}
			keys := set.Key(h.KeyID)
			if len(keys) != 1 || keys[0].Algorithm != alg || keys[0].Use != "sig" {
				t.Fatalf("JWKS keys for kid: %+v", keys)
			}
			payload, err := jws.Verify(keys[0])
			if err != nil {
				t.Fatalf("go-jose does not verify our token: %v", err)
			}
			var got struct {
				Iss, Sub, Jti, Username, Sid string
				Aud                          []string
				Iat, Nbf, Exp                int64
				Roles                        []string
				MFA                          bool `json:"mfa"`
			}
			if err := json.Unmarshal(payload, &got); err != nil {
				t.Fatal(err)
			}
			if got.Iss != testIssuer || got.Sub != "user-1" || got.Jti != issued.ID || got.Username != "alice" ||
				got.Sid != "fam-1" || !slices.Equal(got.Aud, []string{"authgate"}) || !got.MFA ||
				!slices.Equal(got.Roles, []string{"admin"}) || got.Iat != issued.IssuedAt.Unix() ||
				got.Nbf != got.Iat || got.Exp != got.Iat+300 {
				t.Fatalf("payload %s", payload)
			}
			// The key of the other kid does not verify it.
			for _, k := range set.Keys {
				if k.KeyID != h.KeyID {
					if _, err := jws.Verify(k); err == nil {
						t.Fatal("the other key verifies the token")
					}
				}
			}
		})
	}
}

// TestWeVerifyGoJoseTokens is the converse: a token go-jose signs with our key verifies.
func TestWeVerifyGoJoseTokens(t *testing.T) {
	for _, alg := range algs {
		t.Run(alg, func(t *testing.T) {
			e := newEnv(t, alg)
			s, err := jose.NewSigner(jose.SigningKey{
				Algorithm: jose.SignatureAlgorithm(alg),
				Key:       jose.JSONWebKey{Key: e.key.Signer, KeyID: e.key.ID},
			}, (&jose.SignerOptions{}).WithType("at+jwt"))
			if err != nil {
				t.Fatal(err)
			}
			obj, err := s.Sign([]byte(mustJSON(e.validClaims())))
			if err != nil {
				t.Fatal(err)
			}
			tok, err := obj.CompactSerialize()
			if err != nil {
				t.Fatal(err)
			}
			c, err := e.verifier.Verify(tok)
			if err != nil || c.Subject != "user-1" {
				t.Fatalf("Verify(go-jose token) = %v, %v", c, err)
			}
		})
	}
}

func TestNewVerifierOptions(t *testing.T) {
	ring, err := NewKeyring(&fakeKeys{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		keys KeySource
		opts []VerifierOption
		ok   bool
	}{
		{"minimal", ring, []VerifierOption{WithIssuer("i")}, true},
		{"leeway at the cap", ring, []VerifierOption{WithIssuer("i"), WithLeeway(MaxLeeway)}, true},
		{"no cache", ring, []VerifierOption{WithIssuer("i"), WithCacheSize(0)}, true},
		{"no issuer", ring, nil, false},
		{"nil keys", nil, []VerifierOption{WithIssuer("i")}, false},
		{"leeway over the cap", ring, []VerifierOption{WithIssuer("i"), WithLeeway(MaxLeeway + time.Nanosecond)}, false},
		{"negative leeway", ring, []VerifierOption{WithIssuer("i"), WithLeeway(-time.Second)}, false},
		{"empty audience", ring, []VerifierOption{WithIssuer("i"), WithVerifierAudience("")}, false},
		{"empty type", ring, []VerifierOption{WithIssuer("i"), WithType("application/")}, false},
		{"zero max size", ring, []VerifierOption{WithIssuer("i"), WithMaxTokenSize(0)}, false},
		{"negative cache", ring, []VerifierOption{WithIssuer("i"), WithCacheSize(-1)}, false},
		{"nil clock", ring, []VerifierOption{WithIssuer("i"), WithVerifierClock(nil)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := NewVerifier(tc.keys, tc.opts...)
			if (err == nil) != tc.ok || (v != nil) != tc.ok {
				t.Fatalf("NewVerifier = %v, %v; want ok %v", v, err, tc.ok)
			}
		})
	}
}

func TestVerifyMaxTokenSize(t *testing.T) {
	e := newEnv(t, EdDSA, WithMaxTokenSize(100))
	tok := e.issue(t)
	if _, err := e.verifier.Verify(tok); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("a %d-byte token with a 100-byte limit: %v", len(tok), err)
	}
}
