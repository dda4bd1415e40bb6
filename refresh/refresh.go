package refresh

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/authgate/authgate/identity"
	"github.com/authgate/authgate/revocation"
	"github.com/authgate/authgate/token"
)

// tokenPrefix marks authgate refresh tokens so secret scanners and humans can recognise them.
const tokenPrefix = "agrt_"

// maxTokenLength bounds a presented refresh token before it is hashed.
const maxTokenLength = 256

// Pair is what a login or a refresh returns to a token client.
type Pair struct {
	AccessToken      string
	AccessExpiresIn  time.Duration
	RefreshToken     string
	RefreshExpiresIn time.Duration
	Claims           *token.Claims
}

// Store is what the service needs of the identity store.
type Store interface {
	identity.Users
	identity.RefreshTokens
}

// Service issues token pairs and rotates refresh tokens.
type Service struct {
	store    Store
	issuer   *token.Issuer
	revoker  *revocation.Revoker
	absolute time.Duration
	idle     time.Duration
	now      func() time.Time
}

// Option configures a Service.
type Option func(*Service)

// WithLifetimes sets the absolute lifetime of a family and the idle lifetime of each token.
func WithLifetimes(absolute, idle time.Duration) Option {
	return func(s *Service) { s.absolute, s.idle = absolute, idle }
}

// WithRevoker stamps tokens with the subject's revocation generation and puts the logins of
// reused refresh tokens on the revocation list, so hybrid routes refuse their access tokens.
func WithRevoker(r *revocation.Revoker) Option { return func(s *Service) { s.revoker = r } }

// WithClock sets the time source, for tests.
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// New returns a service with a 30-day absolute and 7-day idle refresh lifetime by default.
func New(store Store, issuer *token.Issuer, opts ...Option) *Service {
	s := &Service{store: store, issuer: issuer, absolute: 30 * 24 * time.Hour, idle: 7 * 24 * time.Hour, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Start opens a new refresh family for the user (one per login) and returns its first pair.
func (s *Service) Start(ctx context.Context, u *identity.User, mfa bool) (*Pair, error) {
	now := s.now().UTC()
	fam := &identity.RefreshFamily{
		ID:        randomID(),
		Subject:   u.Subject,
		MFA:       mfa,
		CreatedAt: now,
		ExpiresAt: now.Add(s.absolute),
	}
	raw, first := s.newToken(fam.ID, now, fam.ExpiresAt)
	if err := s.store.CreateRefreshFamily(ctx, fam, first); err != nil {
		return nil, fmt.Errorf("create refresh family: %w", err)
	}
	return s.pair(ctx, u, fam, raw, first)
}

// Rotate spends the presented refresh token and returns a new pair of the same family. A spent
// token revokes its family; every failure is ErrInvalidGrant unless the store failed.
func (s *Service) Rotate(ctx context.Context, raw string) (*Pair, error) {
	hash, err := hashToken(raw)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	nextRaw, next := s.newToken("", now, time.Time{})
	fam, err := s.store.RotateRefreshToken(ctx, hash, next, now)
	switch {
	case errors.Is(err, identity.ErrRefreshReused):
		s.endReusedLogin(ctx, hash)
		return nil, fmt.Errorf("%w: %w", ErrInvalidGrant, err)
	case errors.Is(err, identity.ErrRefreshInvalid):
		return nil, fmt.Errorf("%w: %w", ErrInvalidGrant, err)
	case err != nil:
		return nil, fmt.Errorf("rotate refresh token: %w", err)
	}
	u, err := s.store.UserBySubject(ctx, fam.Subject)
	if errors.Is(err, identity.ErrNotFound) || err == nil && u.Disabled {
		_ = s.store.RevokeRefreshFamily(ctx, fam.ID, now)
		return nil, fmt.Errorf("%w: user cannot log in", ErrInvalidGrant)
	}
	if err != nil {
		return nil, fmt.Errorf("load user: %w", err)
	}
	return s.pair(ctx, u, fam, nextRaw, next)
}

// endReusedLogin puts the login of a reused refresh token on the revocation list: its family
// is already revoked, and its outstanding access tokens must stop working on hybrid routes.
func (s *Service) endReusedLogin(ctx context.Context, hash []byte) {
	if s.revoker == nil {
		return
	}
	if fam, err := s.store.RefreshFamilyByToken(ctx, hash); err == nil {
		// A failure leaves the access tokens to expire by themselves, as on a jwt route.
		_ = s.revoker.EndSession(ctx, fam.Subject, fam.ID)
	}
}

// FamilyOf returns the family of a presented refresh token, or ErrInvalidGrant.
func (s *Service) FamilyOf(ctx context.Context, raw string) (*identity.RefreshFamily, error) {
	hash, err := hashToken(raw)
	if err != nil {
		return nil, err
	}
	fam, err := s.store.RefreshFamilyByToken(ctx, hash)
	if errors.Is(err, identity.ErrNotFound) {
		return nil, ErrInvalidGrant
	}
	return fam, err
}

// RevokeFamily ends one family, such as the one a logging-out access token belongs to.
func (s *Service) RevokeFamily(ctx context.Context, familyID string) error {
	return s.store.RevokeRefreshFamily(ctx, familyID, s.now().UTC())
}

// RevokeAll ends every family of the subject.
func (s *Service) RevokeAll(ctx context.Context, subject string) error {
	_, err := s.store.RevokeRefreshFamilies(ctx, subject, s.now().UTC())
	return err
}

func (s *Service) newToken(familyID string, now, familyExpiry time.Time) (string, *identity.RefreshToken) {
	raw := tokenPrefix + randomID() + randomID()
	sum := sha256.Sum256([]byte(raw))
	expires := now.Add(s.idle)
	if !familyExpiry.IsZero() && familyExpiry.Before(expires) {
		expires = familyExpiry
	}
	return raw, &identity.RefreshToken{Hash: sum[:], FamilyID: familyID, CreatedAt: now, ExpiresAt: expires}
}

func (s *Service) pair(ctx context.Context, u *identity.User, fam *identity.RefreshFamily, raw string, rt *identity.RefreshToken) (*Pair, error) {
	var gen int64
	if s.revoker != nil {
		gen = s.revoker.Generation(ctx, u.Subject)
	}
	access, claims, err := s.issuer.Issue(token.Claims{
		Generation:       gen,
		RegisteredClaims: jwt.RegisteredClaims{Subject: u.Subject},
		Username:         u.Username,
		Roles:            u.Roles,
		MFA:              fam.MFA,
		SessionID:        fam.ID,
	})
	if err != nil {
		return nil, fmt.Errorf("issue access token: %w", err)
	}
	refreshExpiry := rt.ExpiresAt
	if fam.ExpiresAt.Before(refreshExpiry) {
		refreshExpiry = fam.ExpiresAt
	}
	return &Pair{
		AccessToken:      access,
		AccessExpiresIn:  claims.ExpiresAt.Sub(claims.IssuedAt.Time),
		RefreshToken:     raw,
		RefreshExpiresIn: refreshExpiry.Sub(rt.CreatedAt),
		Claims:           claims,
	}, nil
}

// hashToken checks the shape of a presented token and returns the hash it is stored under.
func hashToken(raw string) ([]byte, error) {
	if len(raw) > maxTokenLength || !strings.HasPrefix(raw, tokenPrefix) {
		return nil, ErrInvalidGrant
	}
	sum := sha256.Sum256([]byte(raw))
	return sum[:], nil
}

// randomID returns 128 random bits, base64url-encoded.
func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
