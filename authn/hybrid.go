package authn

import (
	"fmt"
	"net/http"

	"github.com/authgate/authgate/revocation"
	"github.com/authgate/authgate/token"
)

// HybridStrategy authenticates bearer access tokens like JWTStrategy, then checks the
// revocation list. The list is read through a cache that is trusted only while it is known to
// be current, so the steady state costs no network round trip.
type HybridStrategy struct {
	verifier *token.Verifier
	list     revocation.Store
}

var _ Strategy = (*HybridStrategy)(nil)

// NewHybrid returns the hybrid strategy.
func NewHybrid(v *token.Verifier, list revocation.Store) *HybridStrategy {
	return &HybridStrategy{verifier: v, list: list}
}

// Name returns "hybrid".
func (s *HybridStrategy) Name() string { return Hybrid }

// Authenticate verifies the bearer token and refuses it when revoked. A list that cannot be
// read is ErrUnavailable: the request is refused, never admitted.
func (s *HybridStrategy) Authenticate(r *http.Request) (*Principal, error) {
	claims, err := verifyBearer(r, s.verifier)
	if err != nil {
		return nil, err
	}
	if claims.Generation < 0 {
		return nil, fmt.Errorf("%w: token issued while the revocation list was unreadable", ErrRevoked)
	}
	revoked, err := s.list.Revoked(r.Context(), claims.Subject, claims.SessionID, claims.ID, claims.Generation)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	if revoked {
		return nil, ErrRevoked
	}
	return PrincipalFromClaims(claims, Hybrid), nil
}
