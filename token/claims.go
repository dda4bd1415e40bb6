package token

import (
	"slices"

	"github.com/golang-jwt/jwt/v5"
)

// Claims are the claims of an authgate access token.
//
// Claims returned by Verifier.Verify are shared with its cache and with every other caller
// presenting the same token: they must not be modified. Use Clone for a copy to change.
type Claims struct {
	jwt.RegisteredClaims
	Username string   `json:"username,omitempty"`
	Roles    []string `json:"roles,omitempty"`
	// MFA reports whether the login that the token descends from passed a second factor.
	MFA bool `json:"mfa"`
	// SessionID is the refresh-token family (the session) the token belongs to.
	SessionID string `json:"sid,omitempty"`
	// Generation is the subject's revocation generation when the token was issued: ending
	// every credential of a user raises it, and the hybrid strategy refuses tokens with an
	// older one. -1 means it could not be read, so hybrid routes refuse the token.
	Generation int64 `json:"gen"`
}

// HasRole reports whether the claims carry the role.
func (c *Claims) HasRole(role string) bool { return slices.Contains(c.Roles, role) }

// Clone returns a deep copy of c that the caller may modify.
func (c *Claims) Clone() *Claims {
	if c == nil {
		return nil
	}
	out := *c
	out.Audience = slices.Clone(c.Audience)
	out.Roles = slices.Clone(c.Roles)
	out.ExpiresAt = cloneDate(c.ExpiresAt)
	out.NotBefore = cloneDate(c.NotBefore)
	out.IssuedAt = cloneDate(c.IssuedAt)
	return &out
}

func cloneDate(d *jwt.NumericDate) *jwt.NumericDate {
	if d == nil {
		return nil
	}
	c := *d
	return &c
}
