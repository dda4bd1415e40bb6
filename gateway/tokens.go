package gateway

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/authgate/authgate/audit"
	"github.com/authgate/authgate/authn"
	"github.com/authgate/authgate/identity"
	"github.com/authgate/authgate/refresh"
	"github.com/authgate/authgate/session"
)

type tokenRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
	TOTP     string `json:"totp,omitempty"`
}

type refreshRequest struct {
	RefreshToken string `json:"refresh_token"`
}

type tokenResponse struct {
	AccessToken      string `json:"access_token"`
	TokenType        string `json:"token_type"`
	ExpiresIn        int64  `json:"expires_in"`
	RefreshToken     string `json:"refresh_token"`
	RefreshExpiresIn int64  `json:"refresh_expires_in"`
}

type meResponse struct {
	Subject  string   `json:"subject"`
	Username string   `json:"username"`
	Roles    []string `json:"roles"`
	Strategy string   `json:"strategy"`
	MFA      bool     `json:"mfa"`
}

// handleToken is the password login of token clients.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	var req tokenRequest
	if err := decodeJSON(w, r, &req, s.opts.MaxBodyBytes, false); err != nil {
		s.fail(w, r, err, false)
		return
	}
	if req.Username == "" || req.Password == "" {
		s.fail(w, r, badRequest("invalid_request", "username and password are required."), false)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.opts.LoginTimeout)
	defer cancel()
	u, mfaDone, err := s.checkLogin(ctx, r, req.Username, req.Password, req.TOTP)
	if err != nil {
		s.fail(w, r, err, false)
		return
	}
	pair, err := s.opts.Refresh.Start(ctx, u, mfaDone)
	if err != nil {
		s.fail(w, r, err, false)
		return
	}
	s.audit.Record(ctx, audit.Login, u.Subject, u.Username, s.opts.Proxies.ClientIP(r), "strategy", "token", "mfa", strconv.FormatBool(mfaDone))
	writeTokenPair(w, pair)
}

// handleRefresh rotates a refresh token.
func (s *Server) handleRefresh(w http.ResponseWriter, r *http.Request) {
	var req refreshRequest
	if err := decodeJSON(w, r, &req, s.opts.MaxBodyBytes, false); err != nil {
		s.fail(w, r, err, false)
		return
	}
	if req.RefreshToken == "" {
		s.fail(w, r, badRequest("invalid_request", "refresh_token is required."), false)
		return
	}
	pair, err := s.opts.Refresh.Rotate(r.Context(), req.RefreshToken)
	if errors.Is(err, identity.ErrRefreshReused) {
		s.audit.Record(r.Context(), audit.RefreshReused, "", "", s.opts.Proxies.ClientIP(r))
	}
	if err != nil {
		s.fail(w, r, err, false)
		return
	}
	writeTokenPair(w, pair)
}

func writeTokenPair(w http.ResponseWriter, p *refresh.Pair) {
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, tokenResponse{
		AccessToken:      p.AccessToken,
		TokenType:        "Bearer",
		ExpiresIn:        int64(p.AccessExpiresIn.Seconds()),
		RefreshToken:     p.RefreshToken,
		RefreshExpiresIn: int64(p.RefreshExpiresIn.Seconds()),
	})
}

// authenticate identifies the caller of an authgate endpoint by bearer token or session
// cookie; bearer reports which kind was tried. A cookie-authenticated request that changes
// state must come from this site (CSRF defence): a cross-site one is refused.
func (s *Server) authenticate(r *http.Request) (p *authn.Principal, bearer bool, err error) {
	if r.Header.Get("Authorization") != "" {
		p, err = s.opts.Bearer.Authenticate(r)
		return p, true, err
	}
	p, err = s.opts.Session.Authenticate(r)
	if errors.Is(err, authn.ErrNotImplemented) {
		err = authn.ErrNoCredential
	}
	if err == nil && s.csrf.Check(r) != nil {
		return nil, false, errCSRF
	}
	return p, false, err
}

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) {
	p, bearer, err := s.authenticate(r)
	if err != nil {
		s.fail(w, r, err, bearer)
		return
	}
	roles := p.Roles
	if roles == nil {
		roles = []string{}
	}
	writeJSON(w, http.StatusOK, meResponse{Subject: p.Subject, Username: p.Username, Roles: roles, Strategy: p.Strategy, MFA: p.MFA})
}

// handleLogout ends the caller's credential: a bearer token's refresh family, and the family
// of a refresh token given in the body. A refresh token alone is enough to revoke its family.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	var req refreshRequest
	if err := decodeJSON(w, r, &req, s.opts.MaxBodyBytes, true); err != nil {
		s.fail(w, r, err, false)
		return
	}
	p, bearer, err := s.authenticate(r)
	if alreadyEnded(err, bearer) && req.RefreshToken == "" {
		// Logging out what has already ended succeeds: the client's goal holds.
		if !bearer {
			s.clearSessionCookie(w, r)
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err != nil && (req.RefreshToken == "" || !errors.Is(err, authn.ErrNoCredential)) {
		s.fail(w, r, err, bearer)
		return
	}
	ctx := r.Context()
	if req.RefreshToken != "" {
		fam, err := s.opts.Refresh.FamilyOf(ctx, req.RefreshToken)
		if err != nil {
			s.fail(w, r, err, bearer)
			return
		}
		if p != nil && fam.Subject != p.Subject {
			s.fail(w, r, refresh.ErrInvalidGrant, bearer)
			return
		}
		if err := s.opts.Refresh.RevokeFamily(ctx, fam.ID); err != nil {
			s.fail(w, r, err, bearer)
			return
		}
	}
	switch {
	case p != nil && p.Strategy == authn.Session:
		if err := s.opts.Sessions.End(ctx, p.Subject, p.SessionID); err != nil {
			s.fail(w, r, sessionStoreError(err), bearer)
			return
		}
		s.clearSessionCookie(w, r)
	case p != nil:
		if err := s.endBearerLogin(ctx, p); err != nil {
			s.fail(w, r, err, bearer)
			return
		}
	}
	if p != nil {
		s.audit.Record(ctx, audit.Logout, p.Subject, p.Username, s.opts.Proxies.ClientIP(r), "strategy", p.Strategy)
	}
	w.WriteHeader(http.StatusNoContent)
}

// endBearerLogin ends the login a bearer token belongs to: its refresh family, and on the
// revocation list the token itself and every other access token of that login.
func (s *Server) endBearerLogin(ctx context.Context, p *authn.Principal) error {
	if p.SessionID != "" {
		if err := s.opts.Refresh.RevokeFamily(ctx, p.SessionID); err != nil {
			return err
		}
	}
	if err := s.opts.Revoker.EndLogin(ctx, p.Subject, p.SessionID, p.TokenID, p.ExpiresAt); err != nil {
		return errors.Join(authn.ErrUnavailable, err)
	}
	return nil
}

// alreadyEnded reports whether authentication failed because the credential was already
// ended: a revoked bearer token (its signature was good), or a session cookie of the issued
// shape that names no live session.
func alreadyEnded(err error, bearer bool) bool {
	if errors.Is(err, authn.ErrRevoked) {
		return true
	}
	return !bearer && errors.Is(err, session.ErrNotFound)
}

// handleLogoutAll ends every credential of the caller on every instance.
func (s *Server) handleLogoutAll(w http.ResponseWriter, r *http.Request) {
	p, bearer, err := s.authenticate(r)
	if err != nil {
		s.fail(w, r, err, bearer)
		return
	}
	if err := s.opts.Accounts.EndAll(r.Context(), p.Subject); err != nil {
		s.fail(w, r, sessionStoreError(err), bearer)
		return
	}
	if !bearer {
		s.clearSessionCookie(w, r)
	}
	s.audit.Record(r.Context(), audit.LogoutAll, p.Subject, p.Username, s.opts.Proxies.ClientIP(r))
	w.WriteHeader(http.StatusNoContent)
}
