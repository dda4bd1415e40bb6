package token

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/authgate/authgate/identity"
)

// The JWS algorithms a key may have. Each key has exactly one.
const (
	EdDSA = "EdDSA" // Ed25519 (RFC 8037), the default
	ES256 = "ES256" // ECDSA on P-256 with SHA-256
	RS256 = "RS256" // RSASSA-PKCS1-v1_5 with SHA-256
)

const (
	// rsaGenerateBits is the size of the RSA keys GenerateKey makes.
	rsaGenerateBits = 3072
	// rsaMinBits and rsaMaxBits bound the RSA keys ParseKey and a remote JWKS accept; the
	// upper bound caps what one verification can cost.
	rsaMinBits = 2048
	rsaMaxBits = 8192
)

// Key is a parsed signing key. Keys handed out by a Keyring or RemoteKeySet are shared and
// must not be modified.
type Key struct {
	// ID is the kid header of the tokens the key signs.
	ID string
	// Algorithm is the one JWS algorithm the key is used with.
	Algorithm string
	// Signer is the private key; nil for a key known only by its public half (RemoteKeySet).
	Signer crypto.Signer
	// Public is the public key: ed25519.PublicKey, *ecdsa.PublicKey or *rsa.PublicKey.
	Public crypto.PublicKey
	// Method is the golang-jwt signing method of Algorithm.
	Method    jwt.SigningMethod
	CreatedAt time.Time
	// RetiredAt is when a newer key replaced this one; zero while the key is current.
	RetiredAt time.Time

	der []byte // PKCS #8 form, so a reload can reuse the parsed key
}

// String describes the key without its key material, so a key printed by mistake leaks nothing.
func (k *Key) String() string {
	if k == nil {
		return "token.Key(nil)"
	}
	return fmt.Sprintf("token.Key{ID:%q Algorithm:%q}", k.ID, k.Algorithm)
}

// GoString is String, so %#v does not print the private key either.
func (k *Key) GoString() string { return k.String() }

// GenerateKey makes a new signing key for alg (EdDSA when empty), created at now. Its ID is 128
// random bits, base64url-encoded; its private key is stored as PKCS #8 DER.
func GenerateKey(alg string, now time.Time) (*identity.SigningKey, error) {
	if alg == "" {
		alg = EdDSA
	}
	var (
		priv any
		err  error
	)
	switch alg {
	case EdDSA:
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	case ES256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case RS256:
		priv, err = rsa.GenerateKey(rand.Reader, rsaGenerateBits)
	default:
		return nil, fmt.Errorf("token: generate key: %w: %q", ErrUnsupportedAlgorithm, alg)
	}
	if err != nil {
		return nil, fmt.Errorf("token: generate %s key: %w", alg, err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("token: encode %s key: %w", alg, err)
	}
	return &identity.SigningKey{
		ID:            randomID(),
		Algorithm:     alg,
		PrivateKeyDER: der,
		// Stores keep microseconds at best; truncating here keeps the key we hold in memory
		// equal to the one read back, and drops the monotonic reading.
		CreatedAt: now.UTC().Truncate(time.Microsecond),
	}, nil
}

// ParseKey parses a stored key and checks that its key type is the one its algorithm needs.
func ParseKey(sk *identity.SigningKey) (*Key, error) {
	if sk == nil {
		return nil, fmt.Errorf("token: parse key: %w: nil", ErrInvalidKey)
	}
	if sk.ID == "" {
		return nil, fmt.Errorf("token: parse key: %w: empty kid", ErrInvalidKey)
	}
	method, err := signingMethod(sk.Algorithm)
	if err != nil {
		return nil, fmt.Errorf("token: parse key %q: %w", sk.ID, err)
	}
	priv, err := x509.ParsePKCS8PrivateKey(sk.PrivateKeyDER)
	if err != nil {
		return nil, fmt.Errorf("token: parse key %q: %w: %w", sk.ID, ErrInvalidKey, err)
	}
	signer, ok := priv.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("token: parse key %q: %w: %T is not a signer", sk.ID, ErrInvalidKey, priv)
	}
	pub := signer.Public()
	if err := checkPublicKey(sk.Algorithm, pub); err != nil {
		return nil, fmt.Errorf("token: parse key %q: %w", sk.ID, err)
	}
	return &Key{
		ID:        sk.ID,
		Algorithm: sk.Algorithm,
		Signer:    signer,
		Public:    pub,
		Method:    method,
		CreatedAt: sk.CreatedAt,
		RetiredAt: sk.RetiredAt,
		der:       sk.PrivateKeyDER,
	}, nil
}

// signingMethod returns the golang-jwt method of one of the supported algorithms.
func signingMethod(alg string) (jwt.SigningMethod, error) {
	switch alg {
	case EdDSA:
		return jwt.SigningMethodEdDSA, nil
	case ES256:
		return jwt.SigningMethodES256, nil
	case RS256:
		return jwt.SigningMethodRS256, nil
	}
	return nil, fmt.Errorf("%w: %q", ErrUnsupportedAlgorithm, alg)
}

// checkPublicKey reports whether pub is a key of the type, curve and size alg needs.
func checkPublicKey(alg string, pub crypto.PublicKey) error {
	switch alg {
	case EdDSA:
		if k, ok := pub.(ed25519.PublicKey); ok && len(k) == ed25519.PublicKeySize {
			return nil
		}
	case ES256:
		if k, ok := pub.(*ecdsa.PublicKey); ok && k.Curve == elliptic.P256() {
			return nil
		}
	case RS256:
		if k, ok := pub.(*rsa.PublicKey); ok && k.N != nil {
			if n := k.N.BitLen(); n >= rsaMinBits && n <= rsaMaxBits {
				return nil
			}
			return fmt.Errorf("%w: RSA key of %d bits", ErrInvalidKey, k.N.BitLen())
		}
	default:
		return fmt.Errorf("%w: %q", ErrUnsupportedAlgorithm, alg)
	}
	return fmt.Errorf("%w: %T key does not fit %s", ErrInvalidKey, pub, alg)
}

// sign signs the JWS signing input (base64url header "." base64url payload) and returns the
// compact JWS. Every token this package issues is signed here.
func (k *Key) sign(signingInput string) (string, error) {
	if k.Signer == nil {
		return "", fmt.Errorf("token: sign: %w: key %q has no private half", ErrInvalidKey, k.ID)
	}
	sig, err := k.Method.Sign(signingInput, k.Signer)
	if err != nil {
		return "", fmt.Errorf("token: sign with key %q: %w", k.ID, err)
	}
	return signingInput + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// randomID returns 128 random bits, base64url-encoded without padding (22 characters).
func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (it crashes the program instead)
	return base64.RawURLEncoding.EncodeToString(b[:])
}
