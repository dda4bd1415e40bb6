package token

import (
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// AccessTokenType is the typ header of authgate access tokens (RFC 9068).
const AccessTokenType = "at+jwt"

const (
	defaultTTL      = 5 * time.Minute
	defaultAudience = "authgate"
)

// Issuer signs tokens with the current key of a Keyring. It is safe for concurrent use.
type Issuer struct {
	keys     *Keyring
	issuer   string
	ttl      time.Duration
	audience string
	now      func() time.Time
}

// IssuerOption configures an Issuer.
type IssuerOption func(*Issuer)

// WithTTL sets the lifetime of access tokens (5m by default). It may not exceed the keyring's
// retired key lifetime.
func WithTTL(d time.Duration) IssuerOption { return func(i *Issuer) { i.ttl = d } }

// WithAudience sets the aud of access tokens that do not set their own ("authgate" by default).
func WithAudience(aud string) IssuerOption { return func(i *Issuer) { i.audience = aud } }

// WithIssuerClock sets the clock of the issuer (time.Now by default).
func WithIssuerClock(now func() time.Time) IssuerOption { return func(i *Issuer) { i.now = now } }

// NewIssuer returns an issuer that signs with keys and puts issuer in the iss claim.
func NewIssuer(keys *Keyring, issuer string, opts ...IssuerOption) (*Issuer, error) {
	i := &Issuer{keys: keys, issuer: issuer, ttl: defaultTTL, audience: defaultAudience, now: time.Now}
	for _, o := range opts {
		o(i)
	}
	switch {
	case i.keys == nil:
		return nil, errors.New("token: issuer: nil keyring")
	case i.issuer == "":
		return nil, errors.New("token: issuer: empty issuer")
	case i.audience == "":
		return nil, errors.New("token: issuer: empty audience")
	case i.now == nil:
		return nil, errors.New("token: issuer: nil clock")
	case i.ttl <= 0 || i.ttl > i.keys.lifetime:
		return nil, fmt.Errorf("token: issuer: ttl %s must be positive and at most the retired key lifetime %s", i.ttl, i.keys.lifetime)
	}
	return i, nil
}

// Issue signs an access token (typ at+jwt) for c and returns it with the claims it carries.
// c.Subject is required. Issue sets iss; aud unless c sets it; iat and nbf to now; exp to
// now plus the TTL unless c sets it; and a random 128-bit jti.
func (i *Issuer) Issue(c Claims) (string, *Claims, error) {
	return i.IssueWith(c, AccessTokenType, i.ttl, i.audience)
}

// IssueWith is Issue with the typ header, the lifetime and the default audience given, for
// tokens other than access tokens, such as short-lived identity tokens for upstreams. Verify
// them with a Verifier configured WithType(typ) and WithAudience(audience), so that no kind of
// token is accepted where another is expected.
func (i *Issuer) IssueWith(c Claims, typ string, ttl time.Duration, audience string) (string, *Claims, error) {
	if typ == "" || audience == "" && len(c.Audience) == 0 {
		return "", nil, fmt.Errorf("token: issue: %w: empty typ or audience", ErrClaims)
	}
	if c.Subject == "" {
		return "", nil, fmt.Errorf("token: issue: %w: sub is required", ErrClaims)
	}
	key := i.keys.Current()
	if key == nil {
		return "", nil, fmt.Errorf("token: issue: %w", ErrNoSigningKey)
	}
	now := jwt.NewNumericDate(i.now())
	c.Issuer = i.issuer
	if len(c.Audience) == 0 {
		c.Audience = jwt.ClaimStrings{audience}
	} else {
		c.Audience = append(jwt.ClaimStrings(nil), c.Audience...)
	}
	c.IssuedAt, c.NotBefore = now, now
	if c.ExpiresAt == nil {
		c.ExpiresAt = jwt.NewNumericDate(now.Add(ttl))
	}
	if life := c.ExpiresAt.Sub(now.Time); life <= 0 || life > i.keys.lifetime {
		// A token that outlived its key's retired lifetime would be refused after a rotation.
		return "", nil, fmt.Errorf("token: issue: %w: lifetime %s must be positive and at most %s", ErrClaims, life, i.keys.lifetime)
	}
	c.ID = randomID()

	t := jwt.NewWithClaims(key.Method, &c)
	t.Header["typ"] = typ
	t.Header["kid"] = key.ID
	input, err := t.SigningString()
	if err != nil {
		return "", nil, fmt.Errorf("token: issue: encode: %w", err)
	}
	signed, err := key.sign(input)
	if err != nil {
		return "", nil, err
	}
	return signed, &c, nil
}
