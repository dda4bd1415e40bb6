package redis

import "github.com/authgate/authgate/session"

// Endpoint is a parsed URL, for the URL tests.
type Endpoint struct {
	Kind           string
	TLS            bool
	Addrs          []string
	User, Password string
	DB             int
	Master         string
}

// ParseURL exposes parseURL.
func ParseURL(raw string) (Endpoint, error) {
	ep, err := parseURL(raw)
	return Endpoint{ep.kind.String(), ep.tls, ep.addrs, ep.user, ep.password, ep.db, ep.master}, err
}

// StopFreshnessLoop stops c's confirmation loop, as if its PINGs stopped coming back.
func StopFreshnessLoop(c *Client) { c.stopLoop() }

// RoundTrip encodes s as stored and decodes it back.
func RoundTrip(s *session.Session) (*session.Session, error) {
	return decodeSession(s.Subject, s.ID, encodeSession(s).data)
}

// Decode decodes a stored record, for fuzzing.
func Decode(data []byte) (*session.Session, error) { return decodeSession("s", "i", data) }

// Encode encodes a session as stored.
func Encode(s *session.Session) []byte { return encodeSession(s).data }

// RecordKey and IndexKey are the keys of a session and of its user's index.
func (s *SessionStore) RecordKey(subject, id string) string { return s.recordKey(subject, id) }
func (s *SessionStore) IndexKey(subject string) string      { return s.indexKey(subject) }
