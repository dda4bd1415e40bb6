package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/authgate/authgate/authn"
	"github.com/authgate/authgate/identity"
	"github.com/authgate/authgate/session"
)

// Paths are the request paths of the jwt, session and hybrid routes the bench uses.
type Paths struct {
	JWT, Session, Hybrid string
}

// DemoPaths are paths under the built-in demo routes (/api/, /web/, /mobile/).
var DemoPaths = Paths{JWT: "/api/bench", Session: "/web/bench", Hybrid: "/mobile/bench"}

// credential is what a login gave: an access token (and its expiry) or a session cookie.
type credential struct {
	access string
	exp    time.Time
	cookie string // name=value
}

func (c credential) bearer() http.Header { return http.Header{"Authorization": {"Bearer " + c.access}} }
func (c credential) cookies() http.Header {
	return http.Header{"Cookie": {c.cookie}}
}

// issueToken gets an access token for u from in: for an in-process instance through its
// refresh service, what POST /auth/token does once the password is checked (password checks
// are measured on their own); for a remote one by logging in over HTTP.
func (in *Instance) issueToken(ctx context.Context, u *identity.User) (credential, error) {
	if in.App == nil {
		return tokenLogin(ctx, in.URL, in.login.username, in.login.password)
	}
	pair, err := in.App.Refresh.Start(ctx, u, false)
	if err != nil {
		return credential{}, fmt.Errorf("issue token on %s: %w", in.Name, err)
	}
	return credential{access: pair.AccessToken, exp: pair.Claims.ExpiresAt.Time}, nil
}

// issueSession starts a session for u on in, in-process (what POST /auth/login does once the
// password is checked) or by logging in over HTTP.
func (in *Instance) issueSession(ctx context.Context, u *identity.User) (credential, error) {
	if in.App == nil {
		return sessionLogin(ctx, in.URL, in.login.username, in.login.password)
	}
	tok, _, err := in.App.Sessions.Start(ctx, session.Identity{Subject: u.Subject, Username: u.Username, Roles: u.Roles},
		false, "127.0.0.1", "authgate-bench")
	if err != nil {
		return credential{}, fmt.Errorf("start session on %s: %w", in.Name, err)
	}
	return credential{cookie: authn.CookieName + "=" + tok.String()}, nil
}

// tokenLogin logs in over HTTP with POST /auth/token.
func tokenLogin(ctx context.Context, base, username, password string) (credential, error) {
	body, _ := json.Marshal(map[string]string{"username": username, "password": password})
	r, err := NewRequest(base, "POST", "/auth/token", nil, body)
	if err != nil {
		return credential{}, err
	}
	res, err := doOnce(ctx, r)
	if err != nil {
		return credential{}, fmt.Errorf("token login: %w", err)
	}
	if res.Status != http.StatusOK {
		return credential{}, fmt.Errorf("%w: token login answered %d %.200s", ErrBadResponse, res.Status, res.Body)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	if err := json.Unmarshal(res.Body, &tok); err != nil || tok.AccessToken == "" {
		return credential{}, fmt.Errorf("%w: token login body %.200s", ErrBadResponse, res.Body)
	}
	return credential{access: tok.AccessToken, exp: time.Now().Add(time.Duration(tok.ExpiresIn) * time.Second)}, nil
}

// sessionLogin logs in over HTTP with a JSON POST /auth/login and returns the cookie.
func sessionLogin(ctx context.Context, base, username, password string) (credential, error) {
	body, _ := json.Marshal(map[string]string{"username": username, "password": password})
	r, err := NewRequest(base, "POST", "/auth/login", nil, body)
	if err != nil {
		return credential{}, err
	}
	res, err := doOnce(ctx, r)
	if err != nil {
		return credential{}, fmt.Errorf("session login: %w", err)
	}
	if res.Status != http.StatusOK {
		return credential{}, fmt.Errorf("%w: session login answered %d %.200s", ErrBadResponse, res.Status, res.Body)
	}
	for _, c := range (&http.Response{Header: res.Header}).Cookies() {
		if strings.HasSuffix(c.Name, authn.CookieName) && c.Value != "" {
			return credential{cookie: c.Name + "=" + c.Value}, nil
		}
	}
	return credential{}, fmt.Errorf("%w: session login set no session cookie", ErrBadResponse)
}
