package authn

import (
	"fmt"
	"net/http"

	"github.com/authgate/authgate/token"
)

// JWTStrategy authenticates `Authorization: Bearer` access tokens by signature and claims
// alone: no store is read on the request path.
type JWTStrategy struct {
	verifier *token.Verifier
}

var _ Strategy = (*JWTStrategy)(nil)

// NewJWT returns the stateless strategy backed by the verifier.
func NewJWT(v *token.Verifier) *JWTStrategy { return &JWTStrategy{verifier: v} }

// Name returns "jwt".
func (s *JWTStrategy) Name() string { return JWT }

// Authenticate verifies the bearer token of the request.
func (s *JWTStrategy) Authenticate(r *http.Request) (*Principal, error) {
	claims, err := verifyBearer(r, s.verifier)
	if err != nil {
		return nil, err
	}
	return PrincipalFromClaims(claims, JWT), nil
}

// verifyBearer returns the verified claims of the request's bearer access token.
func verifyBearer(r *http.Request, v *token.Verifier) (*token.Claims, error) {
	raw, err := BearerToken(r)
	if err != nil {
		return nil, err
	}
	claims, err := v.Verify(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidCredential, err)
	}
	return claims, nil
}

// PrincipalFromClaims builds the principal described by verified access-token claims.
func PrincipalFromClaims(c *token.Claims, strategy string) *Principal {
	p := &Principal{
		Subject:   c.Subject,
		Username:  c.Username,
		Roles:     c.Roles,
		MFA:       c.MFA,
		Strategy:  strategy,
		SessionID: c.SessionID,
		TokenID:   c.ID,
	}
	if c.IssuedAt != nil {
		p.IssuedAt = c.IssuedAt.Time
	}
	if c.ExpiresAt != nil {
		p.ExpiresAt = c.ExpiresAt.Time
	}
	return p
}
