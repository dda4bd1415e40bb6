package identity

import (
	"context"
	"time"
)

// Users keeps accounts.
type Users interface {
	// CreateUser stores a new user. A taken username is ErrConflict.
	CreateUser(ctx context.Context, u *User) error
	// UserByName returns the user with the username, or ErrNotFound.
	UserByName(ctx context.Context, username string) (*User, error)
	// UserBySubject returns the user with the subject, or ErrNotFound.
	UserBySubject(ctx context.Context, subject string) (*User, error)
	// ListUsers returns every user ordered by username.
	ListUsers(ctx context.Context) ([]*User, error)
	// UpdateUser replaces the stored fields of the user with that subject, except CreatedAt and
	// TOTPLastStep, and sets UpdatedAt, or returns ErrNotFound.
	UpdateUser(ctx context.Context, u *User) error
	// AdvanceTOTPStep records step as the user's last accepted TOTP step if it is later than
	// the stored one, and reports whether it was. Of concurrent calls with one step at most one
	// is true, so a code is accepted once across every instance.
	AdvanceTOTPStep(ctx context.Context, subject string, step int64) (bool, error)
}

// Keys keeps signing keys.
type Keys interface {
	// AddSigningKey stores a new key. When retireOthers is true, every key that is not yet
	// retired is retired at k.CreatedAt, in the same transaction.
	AddSigningKey(ctx context.Context, k *SigningKey, retireOthers bool) error
	// SigningKeys returns every key that is current or was retired after retiredAfter,
	// newest first.
	SigningKeys(ctx context.Context, retiredAfter time.Time) ([]*SigningKey, error)
}

// RefreshTokens keeps refresh-token families and their tokens.
type RefreshTokens interface {
	// CreateRefreshFamily stores a new family and its first token, atomically.
	CreateRefreshFamily(ctx context.Context, f *RefreshFamily, first *RefreshToken) error
	// RotateRefreshToken spends the token whose hash is oldHash and stores next in the same
	// family, atomically, returning the family. Of concurrent calls with the same oldHash at most
	// one succeeds. A token that was already spent revokes its family and returns
	// ErrRefreshReused. An unknown token, a token past its ExpiresAt, or a token of a revoked or
	// expired family returns ErrRefreshInvalid. now is the time of the rotation; next.FamilyID
	// is set by the store.
	RotateRefreshToken(ctx context.Context, oldHash []byte, next *RefreshToken, now time.Time) (*RefreshFamily, error)
	// RefreshFamilyByToken returns the family of the token whose hash is given, spent or not,
	// or ErrNotFound.
	RefreshFamilyByToken(ctx context.Context, hash []byte) (*RefreshFamily, error)
	// RevokeRefreshFamily revokes the family; revoking a revoked or unknown family is not an error.
	RevokeRefreshFamily(ctx context.Context, familyID string, now time.Time) error
	// RevokeRefreshFamilies revokes every family of the subject and returns how many were live.
	RevokeRefreshFamilies(ctx context.Context, subject string, now time.Time) (int, error)
	// DeleteExpiredRefresh removes families (and their tokens) that expired or were revoked
	// before the given time, and tokens whose ExpiresAt is before it.
	DeleteExpiredRefresh(ctx context.Context, before time.Time) error
}

// Audit keeps the audit log.
type Audit interface {
	// AppendAudit stores the event and sets its ID.
	AppendAudit(ctx context.Context, e *AuditEvent) error
	// RecentAudit returns up to limit events, newest first; with subject set, only its events.
	RecentAudit(ctx context.Context, subject string, limit int) ([]*AuditEvent, error)
}

// Store is the identity store: one database shared by every instance.
type Store interface {
	Users
	Keys
	RefreshTokens
	Audit
	// Ping reports whether the store is reachable.
	Ping(ctx context.Context) error
	Close() error
}
