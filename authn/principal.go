package authn

import (
	"slices"
	"time"
)

// Principal is the authenticated caller of a request.
type Principal struct {
	Subject  string
	Username string
	// Roles must not be modified: it may be shared with a cache.
	Roles []string
	// MFA reports whether a second factor was verified for this credential.
	MFA bool
	// Strategy names the strategy that authenticated the request.
	Strategy string
	// SessionID is the refresh family or session the credential belongs to.
	SessionID string
	// TokenID is the access token's jti; empty for sessions.
	TokenID   string
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// HasRole reports whether the principal has the named role.
func (p *Principal) HasRole(role string) bool { return slices.Contains(p.Roles, role) }
