package authn

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/authgate/authgate/proxytrust"
	"github.com/authgate/authgate/session"
)

// Session cookie names. Over HTTPS the __Host- prefix binds the cookie to this host, path /
// and Secure, so a sibling subdomain cannot plant one.
const (
	CookieName       = "authgate_session"
	SecureCookieName = "__Host-authgate_session"
)

// CookieNameFor returns the session cookie name for a request that came over HTTPS or not.
func CookieNameFor(https bool) string {
	if https {
		return SecureCookieName
	}
	return CookieName
}

// SessionStrategy authenticates the session cookie against the session store.
type SessionStrategy struct {
	sessions *session.Manager
	proxies  *proxytrust.Proxies
}

var _ Strategy = (*SessionStrategy)(nil)

// NewSession returns the stateful strategy. proxies decides whether a request came over HTTPS,
// which selects the cookie name.
func NewSession(m *session.Manager, proxies *proxytrust.Proxies) *SessionStrategy {
	return &SessionStrategy{sessions: m, proxies: proxies}
}

// Name returns "session".
func (s *SessionStrategy) Name() string { return Session }

// Authenticate looks the request's session up. A store failure is ErrUnavailable: the request
// is refused, never admitted.
func (s *SessionStrategy) Authenticate(r *http.Request) (*Principal, error) {
	c, err := r.Cookie(CookieNameFor(s.proxies.IsHTTPS(r)))
	if err != nil || c.Value == "" {
		return nil, ErrNoCredential
	}
	sess, err := s.sessions.Check(r.Context(), c.Value)
	switch {
	case errors.Is(err, session.ErrMalformedToken), errors.Is(err, session.ErrNotFound):
		return nil, fmt.Errorf("%w: %w", ErrInvalidCredential, err)
	case err != nil:
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return &Principal{
		Subject:   sess.Subject,
		Username:  sess.Username,
		Roles:     sess.Roles,
		MFA:       sess.MFA,
		Strategy:  Session,
		SessionID: sess.ID,
		IssuedAt:  sess.CreatedAt,
		ExpiresAt: sess.Deadline(),
	}, nil
}
