package token

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/authgate/authgate/identity"
)

// TestRFC8037Signature signs the signing input of RFC 8037 Appendix A.4 with the RFC's key
// through the signing path of the issuer (ParseKey, then Key.sign) and expects the RFC's JWS.
func TestRFC8037Signature(t *testing.T) {
	const (
		d     = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
		x     = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
		input = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
		want  = input + ".hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
	)
	seed, err := base64.RawURLEncoding.DecodeString(d)
	if err != nil {
		t.Fatal(err)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	if got := b64(priv.Public().(ed25519.PublicKey)); got != x {
		t.Fatalf("public key x = %s, want %s", got, x)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ParseKey(&identity.SigningKey{ID: "rfc8037", Algorithm: EdDSA, PrivateKeyDER: der})
	if err != nil {
		t.Fatal(err)
	}
	got, err := k.sign(input)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("JWS\n got %s\nwant %s", got, want)
	}
	sig, _ := base64.RawURLEncoding.DecodeString(got[strings.LastIndexByte(got, '.')+1:])
	if err := k.Method.Verify(input, sig, k.Public); err != nil {
		t.Fatalf("our method does not verify the RFC signature: %v", err)
	}
}

func TestGenerateKey(t *testing.T) {
	for _, tc := range []struct {
		name, alg, wantAlg string
	}{
		{"default is EdDSA", "", EdDSA},
		{"EdDSA", EdDSA, EdDSA},
		{"ES256", ES256, ES256},
		{"RS256", RS256, RS256},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sk, err := GenerateKey(tc.alg, t0.Add(123456789))
			if err != nil {
				t.Fatal(err)
			}
			if sk.Algorithm != tc.wantAlg {
				t.Errorf("Algorithm = %q, want %q", sk.Algorithm, tc.wantAlg)
			}
			if id, err := base64.RawURLEncoding.DecodeString(sk.ID); err != nil || len(id) != 16 {
				t.Errorf("ID %q is not 128 bits of base64url: %v", sk.ID, err)
			}
			if want := t0.Add(123456000); !sk.CreatedAt.Equal(want) {
				t.Errorf("CreatedAt = %v, want %v (truncated to µs)", sk.CreatedAt, want)
			}
			k, err := ParseKey(sk)
			if err != nil {
				t.Fatal(err)
			}
			if k.ID != sk.ID || k.Algorithm != tc.wantAlg || k.Method.Alg() != tc.wantAlg {
				t.Errorf("parsed key %v, method %s", k, k.Method.Alg())
			}
			if tc.wantAlg == RS256 {
				if n := k.Public.(*rsa.PublicKey).N.BitLen(); n != 3072 {
					t.Errorf("RSA key of %d bits, want 3072", n)
				}
			}
		})
	}
	t.Run("IDs differ", func(t *testing.T) {
		a, _ := GenerateKey(EdDSA, t0)
		b, _ := GenerateKey(EdDSA, t0)
		if a.ID == b.ID {
			t.Fatal("two keys share an ID")
		}
	})
	for _, alg := range []string{"HS256", "none", "ES384", "PS256", "eddsa"} {
		t.Run("unsupported "+alg, func(t *testing.T) {
			if _, err := GenerateKey(alg, t0); !errors.Is(err, ErrUnsupportedAlgorithm) {
				t.Fatalf("err = %v, want ErrUnsupportedAlgorithm", err)
			}
		})
	}
}

func TestParseKeyChecksType(t *testing.T) {
	der := func(k any) []byte {
		b, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	rsa1024, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	ed := testKey(t, EdDSA, false).PrivateKeyDER
	ec := testKey(t, ES256, false).PrivateKeyDER
	rs := testKey(t, RS256, false).PrivateKeyDER
	for _, tc := range []struct {
		name, id, alg string
		der           []byte
		want          error
	}{
		{"Ed25519 as EdDSA", "k", EdDSA, ed, nil},
		{"P-256 as ES256", "k", ES256, ec, nil},
		{"RSA as RS256", "k", RS256, rs, nil},
		{"P-256 as EdDSA", "k", EdDSA, ec, ErrInvalidKey},
		{"RSA as ES256", "k", ES256, rs, ErrInvalidKey},
		{"Ed25519 as RS256", "k", RS256, ed, ErrInvalidKey},
		{"P-384 as ES256", "k", ES256, der(p384), ErrInvalidKey},
		{"RSA 1024 as RS256", "k", RS256, der(rsa1024), ErrInvalidKey},
		{"garbage DER", "k", EdDSA, []byte("not a key"), ErrInvalidKey},
		{"empty DER", "k", EdDSA, nil, ErrInvalidKey},
		{"empty kid", "", EdDSA, ed, ErrInvalidKey},
		{"HS256", "k", "HS256", ed, ErrUnsupportedAlgorithm},
		{"none", "k", "none", ed, ErrUnsupportedAlgorithm},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := ParseKey(&identity.SigningKey{ID: tc.id, Algorithm: tc.alg, PrivateKeyDER: tc.der})
			if !errors.Is(err, tc.want) || (err == nil) != (tc.want == nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if err == nil && (k.Signer == nil || k.Public == nil) {
				t.Fatal("parsed key lacks a half")
			}
		})
	}
	t.Run("nil", func(t *testing.T) {
		if _, err := ParseKey(nil); !errors.Is(err, ErrInvalidKey) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestKeyPrintsNoKeyMaterial(t *testing.T) {
	k := parsedTestKey(t, EdDSA, false)
	seed := k.Signer.(ed25519.PrivateKey).Seed()
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(format, k)
		if out != `token.Key{ID:"test-eddsa" Algorithm:"EdDSA"}` {
			t.Errorf("%s prints %s", format, out)
		}
		if bytes.Contains([]byte(out), seed) {
			t.Errorf("%s prints the private key", format)
		}
	}
}
