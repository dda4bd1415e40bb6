package accounts

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/authgate/authgate/identity"
	"github.com/authgate/authgate/password"
)

// Password length bounds. The upper bound keeps a request from feeding megabytes to the hasher.
const (
	MinPasswordLength = 8
	MaxPasswordLength = 1024
)

// Ender ends every credential of a user held outside the identity store: sessions, hybrid
// tokens. It is called when a user is disabled or changes password.
type Ender interface {
	EndUser(ctx context.Context, subject string, at time.Time) error
}

// Service manages accounts in the identity store.
type Service struct {
	store  identity.Store
	hasher *password.Hasher
	enders []Ender
	now    func() time.Time
	log    *slog.Logger
}

// New returns the account service. enders are told when a user's credentials must end.
func New(store identity.Store, hasher *password.Hasher, enders ...Ender) *Service {
	return &Service{store: store, hasher: hasher, enders: enders, now: time.Now, log: slog.Default()}
}

// SetClock replaces the time source of TOTP checks and timestamps, for tests.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Add creates a user with the password and roles.
func (s *Service) Add(ctx context.Context, username, pw string, roles []string) (*identity.User, error) {
	if err := checkUsername(username); err != nil {
		return nil, err
	}
	if err := checkPassword(pw); err != nil {
		return nil, err
	}
	for _, r := range roles {
		if err := checkRole(r); err != nil {
			return nil, fmt.Errorf("%w: %q", err, r)
		}
	}
	hash, err := s.hasher.Hash(ctx, pw)
	if err != nil {
		return nil, fmt.Errorf("hash password: %w", err)
	}
	now := s.now().UTC()
	u := &identity.User{
		Subject:      newSubject(),
		Username:     username,
		PasswordHash: hash,
		Roles:        append([]string{}, roles...),
		CreatedAt:    now,
		UpdatedAt:    now,
	}
	if err := s.store.CreateUser(ctx, u); err != nil {
		return nil, fmt.Errorf("create user %q: %w", username, err)
	}
	return u, nil
}

// User returns the user with the username.
func (s *Service) User(ctx context.Context, username string) (*identity.User, error) {
	return s.store.UserByName(ctx, username)
}

// RecentAudit returns up to limit audit events, newest first, of the subject when set.
func (s *Service) RecentAudit(ctx context.Context, subject string, limit int) ([]*identity.AuditEvent, error) {
	return s.store.RecentAudit(ctx, subject, limit)
}

// List returns every user.
func (s *Service) List(ctx context.Context) ([]*identity.User, error) {
	return s.store.ListUsers(ctx)
}

// Authenticate checks a username and password. Unknown users, wrong passwords and disabled
// accounts all return ErrInvalidCredentials after the same amount of hashing work. A hash
// made with weaker parameters than the current ones is replaced.
func (s *Service) Authenticate(ctx context.Context, username, pw string) (*identity.User, error) {
	if len(pw) > MaxPasswordLength || checkUsername(username) != nil {
		s.hasher.VerifyDummy(ctx, pw)
		return nil, ErrInvalidCredentials
	}
	u, err := s.store.UserByName(ctx, username)
	if errors.Is(err, identity.ErrNotFound) {
		s.hasher.VerifyDummy(ctx, pw)
		return nil, ErrInvalidCredentials
	}
	if err != nil {
		return nil, fmt.Errorf("load user: %w", err)
	}
	ok, rehash, err := s.hasher.Verify(ctx, pw, u.PasswordHash)
	if err != nil {
		return nil, fmt.Errorf("verify password of %s: %w", u.Subject, err)
	}
	if !ok || u.Disabled {
		return nil, ErrInvalidCredentials
	}
	if rehash {
		s.rehash(ctx, u, pw)
	}
	return u, nil
}

// rehash stores a hash with the current parameters; a failure only delays the upgrade.
func (s *Service) rehash(ctx context.Context, u *identity.User, pw string) {
	hash, err := s.hasher.Hash(ctx, pw)
	if err == nil {
		u.PasswordHash = hash
		err = s.store.UpdateUser(ctx, u)
	}
	if err != nil {
		s.log.WarnContext(ctx, "password rehash failed", "subject", u.Subject, "err", err)
	}
}

// SetPassword replaces the user's password and ends every credential the user holds.
func (s *Service) SetPassword(ctx context.Context, username, pw string) error {
	if err := checkPassword(pw); err != nil {
		return err
	}
	u, err := s.store.UserByName(ctx, username)
	if err != nil {
		return fmt.Errorf("user %q: %w", username, err)
	}
	hash, err := s.hasher.Hash(ctx, pw)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	u.PasswordHash = hash
	if err := s.store.UpdateUser(ctx, u); err != nil {
		return fmt.Errorf("update user %q: %w", username, err)
	}
	return s.EndAll(ctx, u.Subject)
}

// SetDisabled disables or re-enables the user. Disabling ends every credential the user holds.
func (s *Service) SetDisabled(ctx context.Context, username string, disabled bool) error {
	u, err := s.store.UserByName(ctx, username)
	if err != nil {
		return fmt.Errorf("user %q: %w", username, err)
	}
	u.Disabled = disabled
	if err := s.store.UpdateUser(ctx, u); err != nil {
		return fmt.Errorf("update user %q: %w", username, err)
	}
	if !disabled {
		return nil
	}
	return s.EndAll(ctx, u.Subject)
}

// EndAll ends every refresh family, session and hybrid token of the subject.
func (s *Service) EndAll(ctx context.Context, subject string) error {
	now := s.now().UTC()
	var errs []error
	if _, err := s.store.RevokeRefreshFamilies(ctx, subject, now); err != nil {
		errs = append(errs, fmt.Errorf("revoke refresh tokens: %w", err))
	}
	// The enders run at once: each may wait out the cache staleness bound before returning.
	endErrs := make([]error, len(s.enders))
	var wg sync.WaitGroup
	for i, e := range s.enders {
		wg.Go(func() { endErrs[i] = e.EndUser(ctx, subject, now) })
	}
	wg.Wait()
	return errors.Join(append(errs, endErrs...)...)
}

func checkUsername(name string) error {
	if len(name) == 0 || len(name) > 64 {
		return ErrInvalidUsername
	}
	for _, c := range []byte(name) {
		if !isWordByte(c) && c != '@' {
			return ErrInvalidUsername
		}
	}
	return nil
}

func checkRole(role string) error {
	if len(role) == 0 || len(role) > 64 {
		return ErrInvalidRole
	}
	for _, c := range []byte(role) {
		if !isWordByte(c) && c != ':' {
			return ErrInvalidRole
		}
	}
	return nil
}

func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-'
}

func checkPassword(pw string) error {
	if len(pw) > MaxPasswordLength {
		return ErrPasswordTooLong
	}
	if len([]rune(pw)) < MinPasswordLength {
		return ErrWeakPassword
	}
	return nil
}

// newSubject returns a random 128-bit subject identifier.
func newSubject() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
