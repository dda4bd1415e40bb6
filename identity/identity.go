package identity

import (
	"slices"
	"time"
)

// User is an account that can log in.
type User struct {
	// Subject is the stable, opaque identifier put in the `sub` claim; it never changes.
	Subject string
	// Username is the unique login name.
	Username string
	// PasswordHash is an argon2id hash in PHC string format.
	PasswordHash string
	Roles        []string
	Disabled     bool
	// TOTPSecret is the confirmed TOTP secret (base32), empty when MFA is not enabled.
	TOTPSecret string
	// TOTPPending is a secret enrolled but not yet confirmed with a code.
	TOTPPending string
	// TOTPLastStep is the last accepted TOTP time step, so a code is accepted once. Only
	// AdvanceTOTPStep changes it; UpdateUser leaves it alone.
	TOTPLastStep int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// HasRole reports whether the user has the named role.
func (u *User) HasRole(role string) bool { return slices.Contains(u.Roles, role) }

// SigningKey is a private key that signs access tokens. Every instance reads keys from the
// shared store, so a rotation on one instance is picked up by all.
type SigningKey struct {
	// ID is the `kid` header of tokens signed with the key.
	ID string
	// Algorithm is the one JWS algorithm the key may be used with: EdDSA, ES256 or RS256.
	Algorithm string
	// PrivateKeyDER is the PKCS #8 DER encoding of the private key.
	PrivateKeyDER []byte
	CreatedAt     time.Time
	// RetiredAt is when a newer key replaced this one; zero while the key is current.
	// A retired key still verifies the tokens it signed until they expire.
	RetiredAt time.Time
}

// RefreshFamily groups the refresh tokens descended from one login. Presenting a spent token
// of the family revokes the family (RFC 9700 section 4.14.2).
type RefreshFamily struct {
	ID        string
	Subject   string
	MFA       bool
	CreatedAt time.Time
	ExpiresAt time.Time // absolute lifetime
	RevokedAt time.Time // zero unless revoked
}

// RefreshToken is one token of a family, stored only as a hash of its value.
type RefreshToken struct {
	Hash      []byte // SHA-256 of the opaque token value
	FamilyID  string
	CreatedAt time.Time
	ExpiresAt time.Time // idle lifetime: the token must be used before then
}

// AuditEvent is one entry of the audit log: a login, logout, revocation, MFA change or admin
// action.
type AuditEvent struct {
	ID       int64
	At       time.Time
	Kind     string
	Subject  string
	Username string
	IP       string
	// Detail holds further facts, never secrets or tokens.
	Detail map[string]string
}
