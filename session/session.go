package session

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"time"
)

// Session is one browser login kept server-side.
type Session struct {
	// ID is the store key of the session: base64url(SHA-256(secret)). It is also the handle
	// shown in session lists; it can end the session but can never be used as a cookie.
	ID string
	// Subject is the user's subject; it also places the session in the user's hash slot.
	Subject  string
	Username string
	Roles    []string
	MFA      bool
	IP       string
	// UserAgent is truncated to MaxUserAgent bytes.
	UserAgent  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	// IdleTimeout is how long the session lives without a request.
	IdleTimeout time.Duration
	// ExpiresAt is the absolute expiry, whatever the activity.
	ExpiresAt time.Time
}

// MaxUserAgent bounds the stored user agent, so one session stays small.
const MaxUserAgent = 160

// Deadline is when the session ends if nothing touches it: the earlier of the idle and the
// absolute expiry. Stores expire the record then (the Redis TTL follows it).
func (s *Session) Deadline() time.Time {
	idle := s.LastSeenAt.Add(s.IdleTimeout)
	if idle.Before(s.ExpiresAt) {
		return idle
	}
	return s.ExpiresAt
}

// Live reports whether the session is still valid at now.
func (s *Session) Live(now time.Time) bool { return now.Before(s.Deadline()) }

// Token is what the cookie carries: "<subject>.<secret>", where the secret is 256 bits from
// crypto/rand. The subject lets a clustered store find the user's hash slot; only the secret
// authenticates.
type Token struct {
	Subject string
	Secret  string
}

// NewToken returns a fresh token for the subject.
func NewToken(subject string) Token {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return Token{Subject: subject, Secret: base64.RawURLEncoding.EncodeToString(b[:])}
}

// String returns the cookie value.
func (t Token) String() string { return t.Subject + "." + t.Secret }

// ID returns the session ID (store key) the token maps to.
func (t Token) ID() string {
	sum := sha256.Sum256([]byte(t.Secret))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// ParseToken parses a cookie value. Anything not of the issued shape is ErrMalformedToken.
func ParseToken(v string) (Token, error) {
	subject, secret, ok := strings.Cut(v, ".")
	if !ok || len(secret) != 43 || len(subject) == 0 || len(subject) > 64 {
		return Token{}, ErrMalformedToken
	}
	if !isBase64URL(secret) || !isSubject(subject) {
		return Token{}, ErrMalformedToken
	}
	return Token{Subject: subject, Secret: secret}, nil
}

func isBase64URL(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// isSubject accepts the hex subjects authgate creates.
func isSubject(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'f' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}
