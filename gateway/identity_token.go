package gateway

import (
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/authgate/authgate/authn"
	"github.com/authgate/authgate/policy"
	"github.com/authgate/authgate/token"
)

// Identity tokens for upstreams: a short-lived JWT of the caller, signed with authgate's keys,
// so an upstream verifies who it serves from the JWKS alone.
const (
	HeaderIdentityToken = "X-Auth-Token"
	// IdentityTokenType is the typ header of identity tokens: an access token is never
	// accepted as one, nor one as an access token.
	IdentityTokenType = "authgate-id+jwt"
	identityTokenTTL  = 60 * time.Second
	// A minted token is reused while it has at least this long to live, so an upstream never
	// receives one about to expire and a signature is not paid on every request.
	identityTokenReuse = 30 * time.Second
	maxIdentityTokens  = 65536
)

// identityTokens mints identity tokens and keeps each for reuse by the same credential on the
// same route. Only requests that passed authentication reach it, so a revoked credential is
// never given one again.
type identityTokens struct {
	issuer *token.Issuer
	now    func() time.Time
	mu     sync.Mutex
	cache  map[string]mintedToken
}

type mintedToken struct {
	raw     string
	expires time.Time
}

// setIdentityToken sets X-Auth-Token in h when the route forwards identity tokens.
func (s *Server) setIdentityToken(h http.Header, route *policy.Route, p *authn.Principal) error {
	if !route.IdentityToken {
		return nil
	}
	if s.idTok == nil {
		return errors.New("route asks for an identity token but no issuer is configured")
	}
	raw, err := s.idTok.get(route.Name, p)
	if err != nil {
		return err
	}
	h[HeaderIdentityToken] = []string{raw}
	return nil
}

func newIdentityTokens(issuer *token.Issuer) *identityTokens {
	return &identityTokens{issuer: issuer, now: time.Now, cache: map[string]mintedToken{}}
}

// get returns an identity token of p for the route, minting one when none fresh is kept.
func (it *identityTokens) get(route string, p *authn.Principal) (string, error) {
	key := route + "\x00" + p.Strategy + "\x00" + p.SessionID + "\x00" + p.TokenID
	now := it.now()
	it.mu.Lock()
	m, ok := it.cache[key]
	it.mu.Unlock()
	if ok && m.expires.Sub(now) >= identityTokenReuse {
		return m.raw, nil
	}
	raw, claims, err := it.issuer.IssueWith(token.Claims{
		RegisteredClaims: jwt.RegisteredClaims{Subject: p.Subject},
		Username:         p.Username,
		Roles:            p.Roles,
		MFA:              p.MFA,
		SessionID:        p.SessionID,
	}, IdentityTokenType, identityTokenTTL, route)
	if err != nil {
		return "", err
	}
	it.mu.Lock()
	if len(it.cache) >= maxIdentityTokens {
		it.evict(now)
	}
	it.cache[key] = mintedToken{raw: raw, expires: claims.ExpiresAt.Time}
	it.mu.Unlock()
	return raw, nil
}

// evict drops stale entries, or half the map when none is stale. Called with mu held.
func (it *identityTokens) evict(now time.Time) {
	for k, m := range it.cache {
		if m.expires.Sub(now) < identityTokenReuse {
			delete(it.cache, k)
		}
	}
	for k := range it.cache {
		if len(it.cache) < maxIdentityTokens/2 {
			break
		}
		delete(it.cache, k)
	}
}
