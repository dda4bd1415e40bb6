package token

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// KeySource finds the key a token names in its kid header.
type KeySource interface {
	// Key returns the key named kid if it may verify tokens now, or (nil, false). It is called
	// with untrusted kids and must stay cheap for unknown ones.
	Key(kid string) (*Key, bool)
}

var (
	_ KeySource = (*Keyring)(nil)
	_ KeySource = (*RemoteKeySet)(nil)
)

const (
	// MaxLeeway is the largest clock-skew allowance a Verifier accepts.
	MaxLeeway           = 30 * time.Second
	defaultMaxTokenSize = 8 << 10
	defaultCacheSize    = 1 << 16
	maxKIDLength        = 256
)

// Verifier strictly verifies tokens signed by the keys of a KeySource. It is safe for
// concurrent use.
type Verifier struct {
	keys     KeySource
	issuer   string
	audience string
	leeway   time.Duration
	typ      string // normalised: lower case, no "application/" prefix
	maxSize  int
	cacheN   int
	now      func() time.Time

	parser *jwt.Parser
	cache  *cache // nil when disabled
}

// VerifierOption configures a Verifier.
type VerifierOption func(*Verifier)

// WithIssuer sets the iss that tokens must carry. It is required.
func WithIssuer(iss string) VerifierOption { return func(v *Verifier) { v.issuer = iss } }

// WithVerifierAudience sets the audience that the aud of tokens must contain ("authgate" by
// default).
func WithVerifierAudience(aud string) VerifierOption { return func(v *Verifier) { v.audience = aud } }

// WithLeeway sets the allowance for clock skew on exp, nbf and iat (0 by default). More than
// MaxLeeway makes NewVerifier fail rather than silently verify with less than was asked.
func WithLeeway(d time.Duration) VerifierOption { return func(v *Verifier) { v.leeway = d } }

// WithType sets the typ header that tokens must carry ("at+jwt" by default). It is compared
// case-insensitively, with an optional "application/" prefix ignored (RFC 8725 section 3.11).
func WithType(typ string) VerifierOption { return func(v *Verifier) { v.typ = typ } }

// WithMaxTokenSize sets the longest token, in bytes, that is parsed at all (8 KiB by default).
func WithMaxTokenSize(n int) VerifierOption { return func(v *Verifier) { v.maxSize = n } }

// WithCacheSize sets how many verified tokens are cached (65536 by default); 0 disables the
// cache.
func WithCacheSize(n int) VerifierOption { return func(v *Verifier) { v.cacheN = n } }

// WithVerifierClock sets the clock of the verifier and its cache (time.Now by default).
func WithVerifierClock(now func() time.Time) VerifierOption { return func(v *Verifier) { v.now = now } }

// NewVerifier returns a verifier of tokens signed by the keys of keys. WithIssuer is required.
func NewVerifier(keys KeySource, opts ...VerifierOption) (*Verifier, error) {
	v := &Verifier{
		keys:     keys,
		audience: defaultAudience,
		typ:      AccessTokenType,
		maxSize:  defaultMaxTokenSize,
		cacheN:   defaultCacheSize,
		now:      time.Now,
	}
	for _, o := range opts {
		o(v)
	}
	v.typ = normaliseType(v.typ)
	switch {
	case v.keys == nil:
		return nil, errors.New("token: verifier: nil key source")
	case v.issuer == "":
		return nil, errors.New("token: verifier: no issuer; use WithIssuer")
	case v.audience == "":
		return nil, errors.New("token: verifier: empty audience")
	case v.typ == "":
		return nil, errors.New("token: verifier: empty type")
	case v.leeway < 0 || v.leeway > MaxLeeway:
		return nil, fmt.Errorf("token: verifier: leeway %s outside [0, %s]", v.leeway, MaxLeeway)
	case v.maxSize <= 0:
		return nil, fmt.Errorf("token: verifier: max token size %d is not positive", v.maxSize)
	case v.cacheN < 0:
		return nil, fmt.Errorf("token: verifier: cache size %d is negative", v.cacheN)
	case v.now == nil:
		return nil, errors.New("token: verifier: nil clock")
	}
	v.parser = jwt.NewParser(
		// No WithValidMethods: the allowlist is the one algorithm of the key the kid names,
		// checked in keyFunc, which golang-jwt calls before it verifies anything.
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithIssuer(v.issuer),
		jwt.WithAudience(v.audience),
		jwt.WithLeeway(v.leeway),
		jwt.WithTimeFunc(v.now),
		// Reject non-canonical base64url, so one signature has one encoding.
		jwt.WithStrictDecoding(),
	)
	if v.cacheN > 0 {
		v.cache = newCache(v.cacheN)
	}
	return v, nil
}

// Verify verifies token and returns its claims. Every error satisfies errors.Is for exactly
// one of ErrMalformed, ErrTooLarge, ErrUnknownKey, ErrAlgorithm, ErrType, ErrSignature,
// ErrExpired, ErrNotYetValid, ErrAudience, ErrIssuer and ErrClaims.
//
// The returned claims are shared with the cache and other callers: they must not be modified
// (see Claims.Clone).
func (v *Verifier) Verify(token string) (*Claims, error) {
	if len(token) > v.maxSize {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, len(token), v.maxSize)
	}
	if v.cache != nil {
		if c, ok := v.cache.get(token, v.now()); ok {
			return c, nil
		}
	}
	if strings.Count(token, ".") != 2 {
		return nil, fmt.Errorf("%w: not three segments", ErrMalformed)
	}
	claims := new(Claims)
	var keyErr error
	_, err := v.parser.ParseWithClaims(token, claims, func(t *jwt.Token) (any, error) {
		k, err := v.keyFor(t)
		if err != nil {
			keyErr = err
			return nil, err
		}
		return k.Public, nil
	})
	if keyErr != nil {
		return nil, keyErr
	}
	if err != nil {
		return nil, mapParseError(err)
	}
	if claims.Subject == "" {
		return nil, fmt.Errorf("%w: sub is required", ErrClaims)
	}
	if v.cache != nil {
		v.cache.put(token, claims, v.now())
	}
	return claims, nil
}

// keyFor checks the header of a parsed, not yet verified token and returns the key to verify
// it with. The cheap checks come first, so a wrong token never reaches the key source.
func (v *Verifier) keyFor(t *jwt.Token) (*Key, error) {
	typ, _ := t.Header["typ"].(string)
	if normaliseType(typ) != v.typ {
		return nil, fmt.Errorf("%w: typ %.64q", ErrType, typ)
	}
	if _, ok := t.Header["crit"]; ok {
		// RFC 7515 section 4.1.11: extensions the recipient does not understand must be
		// refused, and this package understands none.
		return nil, fmt.Errorf("%w: crit header not supported", ErrMalformed)
	}
	kid, _ := t.Header["kid"].(string)
	if kid == "" || len(kid) > maxKIDLength {
		return nil, fmt.Errorf("%w: missing or overlong kid", ErrUnknownKey)
	}
	k, ok := v.keys.Key(kid)
	if !ok || k == nil || k.Public == nil {
		return nil, fmt.Errorf("%w: kid %.64q", ErrUnknownKey, kid)
	}
	// The key's single algorithm is the allowlist: "none", HS* (our public key used as an
	// HMAC secret) and any other algorithm than the key's own end here.
	alg, _ := t.Header["alg"].(string)
	if alg != k.Algorithm || t.Method == nil || t.Method.Alg() != k.Algorithm {
		return nil, fmt.Errorf("%w: alg %.32q for a %s key", ErrAlgorithm, alg, k.Algorithm)
	}
	return k, nil
}

// mapParseError maps a golang-jwt error to this package's error, wrapping both.
func mapParseError(err error) error {
	var ours error
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		ours = ErrMalformed
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		// keyFor's errors are returned before this; what is left is a missing or unknown alg
		// (golang-jwt knows no "None" or "NONE"), which no key has.
		ours = ErrAlgorithm
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		ours = ErrSignature
	case errors.Is(err, jwt.ErrTokenExpired):
		ours = ErrExpired
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		ours = ErrNotYetValid
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		ours = ErrAudience
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		ours = ErrIssuer
	default:
		ours = ErrClaims
	}
	return fmt.Errorf("%w: %w", ours, err)
}

// normaliseType lower-cases typ and strips an "application/" prefix.
func normaliseType(typ string) string {
	typ = strings.ToLower(typ)
	return strings.TrimPrefix(typ, "application/")
}
