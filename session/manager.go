package session

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Identity is who a new session belongs to.
type Identity struct {
	Subject  string
	Username string
	Roles    []string
}

// Manager creates, checks, renews and ends sessions in a Store, applying the idle and absolute
// timeouts and throttling last-seen writes.
type Manager struct {
	store      Store
	idle       time.Duration
	absolute   time.Duration
	touchEvery time.Duration
	now        func() time.Time
}

// Option configures a Manager.
type Option func(*Manager)

// WithTimeouts sets the idle and absolute timeouts (defaults 30 minutes and 12 hours).
func WithTimeouts(idle, absolute time.Duration) Option {
	return func(m *Manager) { m.idle, m.absolute = idle, absolute }
}

// WithTouchInterval sets how stale LastSeenAt may get before a request writes it again
// (default a tenth of the idle timeout, at most one minute). A busy session writes at most
// once per interval, so the cached record stays valid between writes.
func WithTouchInterval(d time.Duration) Option { return func(m *Manager) { m.touchEvery = d } }

// WithClock sets the time source, for tests.
func WithClock(now func() time.Time) Option { return func(m *Manager) { m.now = now } }

// NewManager returns a manager over the store.
func NewManager(store Store, opts ...Option) *Manager {
	m := &Manager{store: store, idle: 30 * time.Minute, absolute: 12 * time.Hour, now: time.Now}
	for _, o := range opts {
		o(m)
	}
	if m.touchEvery == 0 {
		m.touchEvery = min(m.idle/10, time.Minute)
	}
	return m
}

// Store returns the underlying store.
func (m *Manager) Store() Store { return m.store }

// Start creates a session for a fresh login and returns the token the cookie carries.
func (m *Manager) Start(ctx context.Context, who Identity, mfa bool, ip, userAgent string) (Token, *Session, error) {
	return m.create(ctx, who, mfa, ip, userAgent, time.Time{})
}

// create stores a new session; a non-zero expiresAt caps the absolute expiry.
func (m *Manager) create(ctx context.Context, who Identity, mfa bool, ip, userAgent string, expiresAt time.Time) (Token, *Session, error) {
	now := m.now().UTC().Truncate(time.Millisecond)
	tok := NewToken(who.Subject)
	s := &Session{
		ID:          tok.ID(),
		Subject:     who.Subject,
		Username:    who.Username,
		Roles:       who.Roles,
		MFA:         mfa,
		IP:          ip,
		UserAgent:   truncate(userAgent, MaxUserAgent),
		CreatedAt:   now,
		LastSeenAt:  now,
		IdleTimeout: m.idle,
		ExpiresAt:   now.Add(m.absolute),
	}
	if !expiresAt.IsZero() && expiresAt.Before(s.ExpiresAt) {
		s.ExpiresAt = expiresAt
	}
	if err := m.store.Create(ctx, s); err != nil {
		return Token{}, nil, fmt.Errorf("create session: %w", err)
	}
	return tok, s, nil
}

// Check returns the live session a cookie value names. A malformed value is
// ErrMalformedToken, an unknown or expired session ErrNotFound; any other error means the
// store could not be read and the caller must refuse the request.
func (m *Manager) Check(ctx context.Context, cookie string) (*Session, error) {
	tok, err := ParseToken(cookie)
	if err != nil {
		return nil, err
	}
	s, ok, err := m.store.Find(ctx, tok.Subject, tok.ID())
	if err != nil {
		return nil, fmt.Errorf("find session: %w", err)
	}
	now := m.now()
	if !ok || !s.Live(now) {
		return nil, ErrNotFound
	}
	if now.Sub(s.LastSeenAt) >= m.touchEvery {
		if err := m.store.Touch(ctx, s.Subject, s.ID, now.UTC().Truncate(time.Millisecond)); err != nil {
			return nil, fmt.Errorf("touch session: %w", err)
		}
	}
	return s, nil
}

// Renew replaces a session with a new ID carrying the same login, as after an MFA step-up;
// the old ID dies. mfa is the new session's MFA state. The renewed session keeps the original
// absolute expiry: a step-up does not extend a login.
func (m *Manager) Renew(ctx context.Context, old *Session, mfa bool) (Token, *Session, error) {
	who := Identity{Subject: old.Subject, Username: old.Username, Roles: old.Roles}
	tok, s, err := m.create(ctx, who, mfa, old.IP, old.UserAgent, old.ExpiresAt)
	if err != nil {
		return Token{}, nil, err
	}
	if err := m.store.Delete(ctx, old.Subject, old.ID); err != nil {
		return Token{}, nil, fmt.Errorf("end renewed session: %w", err)
	}
	return tok, s, nil
}

// RenewID is Renew for the session with the subject and ID, which must be live.
func (m *Manager) RenewID(ctx context.Context, subject, id string, mfa bool) (Token, *Session, error) {
	old, ok, err := m.store.Find(ctx, subject, id)
	if err != nil {
		return Token{}, nil, fmt.Errorf("find session: %w", err)
	}
	if !ok || !old.Live(m.now()) {
		return Token{}, nil, ErrNotFound
	}
	return m.Renew(ctx, old, mfa)
}

// End ends one session of the subject.
func (m *Manager) End(ctx context.Context, subject, id string) error {
	return m.store.Delete(ctx, subject, id)
}

// List returns the subject's live sessions, newest first.
func (m *Manager) List(ctx context.Context, subject string) ([]*Session, error) {
	return m.store.List(ctx, subject)
}

// EndUser ends every session of the subject, on every instance sharing the store.
func (m *Manager) EndUser(ctx context.Context, subject string, _ time.Time) error {
	if _, err := m.store.DeleteAll(ctx, subject); err != nil {
		return fmt.Errorf("end sessions: %w", err)
	}
	return nil
}

// truncate cuts s to at most n bytes without leaving a broken UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
