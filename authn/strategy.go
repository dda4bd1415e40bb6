package authn

import (
	"net/http"
	"strings"
)

// Strategy names.
const (
	JWT     = "jwt"
	Session = "session"
	Hybrid  = "hybrid"
)

// Strategy authenticates a request. Authenticate returns the principal, or an error that
// errors.Is one of ErrNoCredential, ErrInvalidCredential, ErrRevoked, ErrUnavailable or
// ErrNotImplemented. It never admits a request whose check could not run.
type Strategy interface {
	Name() string
	Authenticate(r *http.Request) (*Principal, error)
}

// maxAuthorizationBytes bounds the Authorization header before any parsing.
const maxAuthorizationBytes = 16 << 10

// BearerToken returns the token of an `Authorization: Bearer` header. A request without the
// header is ErrNoCredential; a repeated, oversized or malformed header is ErrInvalidCredential.
func BearerToken(r *http.Request) (string, error) {
	values := r.Header.Values("Authorization")
	switch len(values) {
	case 0:
		return "", ErrNoCredential
	case 1:
	default:
		return "", ErrInvalidCredential
	}
	v := values[0]
	if len(v) > maxAuthorizationBytes {
		return "", ErrInvalidCredential
	}
	scheme, token, ok := strings.Cut(v, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", ErrInvalidCredential
	}
	token = strings.TrimLeft(token, " ")
	if token == "" || !isToken68(token) {
		return "", ErrInvalidCredential
	}
	return token, nil
}

// token68 marks the characters of RFC 9110 section 11.2's token68.
var token68 = func() (t [256]bool) {
	for _, c := range []byte("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~+/=") {
		t[c] = true
	}
	return t
}()

// isToken68 reports whether s uses only token68 characters.
func isToken68(s string) bool {
	for i := 0; i < len(s); i++ {
		if !token68[s[i]] {
			return false
		}
	}
	return true
}

// notImplemented is the placeholder of a strategy that a later change provides.
type notImplemented struct{ name string }

// NotImplemented returns a strategy that refuses every request with ErrNotImplemented.
func NotImplemented(name string) Strategy { return notImplemented{name} }

func (n notImplemented) Name() string { return n.name }

func (n notImplemented) Authenticate(*http.Request) (*Principal, error) {
	return nil, ErrNotImplemented
}
