package gateway

import (
	"context"
	"errors"
	"net/http"

	"github.com/authgate/authgate/accounts"
	"github.com/authgate/authgate/audit"
	"github.com/authgate/authgate/authn"
	"github.com/authgate/authgate/identity"
	"github.com/authgate/authgate/mfa"
	"github.com/authgate/authgate/session"
	"github.com/authgate/authgate/throttle"
)

// errTOTPRequired answers a right password for an account with a second factor, sent without
// a code.
var errTOTPRequired = &requestError{status: http.StatusUnauthorized, code: "totp_required",
	message: "This account needs a one-time code: send it as totp."}

type codeRequest struct {
	Code string `json:"code"`
}

type passwordRequest struct {
	Password string `json:"password,omitempty"`
}

type enrollResponse struct {
	Secret     string `json:"secret"`
	OtpauthURL string `json:"otpauth_url"`
}

// checkLogin checks a password and, for an account with a second factor, the one-time code.
// It reports whether a second factor was verified. Failures count against the account and the
// client address; past a threshold both are locked for a growing time, whatever is sent, and
// unknown accounts are counted and locked like real ones.
func (s *Server) checkLogin(ctx context.Context, r *http.Request, username, password, code string) (*identity.User, bool, error) {
	ip := s.opts.Proxies.ClientIP(r)
	if err := s.opts.Guard.Check(ctx, username, ip); err != nil {
		if errors.Is(err, throttle.ErrLocked) {
			s.audit.Record(ctx, audit.LoginLocked, "", username, ip)
		}
		return nil, false, guardError(err)
	}
	u, mfaDone, err := s.checkCredentials(ctx, username, password, code)
	switch {
	case errors.Is(err, accounts.ErrInvalidCredentials), errors.Is(err, mfa.ErrInvalidCode):
		s.audit.Record(ctx, audit.LoginFailed, "", username, ip, "reason", failReason(err))
		if ferr := s.opts.Guard.Failed(ctx, username, ip); ferr != nil {
			return nil, false, guardError(ferr)
		}
	case err == nil:
		if serr := s.opts.Guard.Succeeded(ctx, username); serr != nil {
			return nil, false, guardError(serr)
		}
	}
	return u, mfaDone, err
}

func (s *Server) checkCredentials(ctx context.Context, username, password, code string) (*identity.User, bool, error) {
	u, err := s.opts.Accounts.Authenticate(ctx, username, password)
	if err != nil {
		return nil, false, err
	}
	if u.TOTPSecret == "" {
		return u, false, nil
	}
	if code == "" {
		return nil, false, errTOTPRequired
	}
	if err := s.opts.Accounts.VerifyTOTP(ctx, u, code); err != nil {
		return nil, false, err
	}
	return u, true, nil
}

// verifyCode checks a one-time code or a password re-entered by a logged-in user, counted
// like a login attempt.
func (s *Server) verifyCode(ctx context.Context, r *http.Request, u *identity.User, check func() error) error {
	ip := s.opts.Proxies.ClientIP(r)
	if err := s.opts.Guard.Check(ctx, u.Username, ip); err != nil {
		return guardError(err)
	}
	err := check()
	if errors.Is(err, mfa.ErrInvalidCode) || errors.Is(err, accounts.ErrInvalidCredentials) {
		s.audit.Record(ctx, audit.MFAFailed, u.Subject, u.Username, ip, "reason", failReason(err))
		if ferr := s.opts.Guard.Failed(ctx, u.Username, ip); ferr != nil {
			return guardError(ferr)
		}
	}
	return err
}

// guardError passes a lock through and marks a failure to read the counts as unavailability:
// attempts are refused, never let through uncounted.
func guardError(err error) error {
	if errors.Is(err, throttle.ErrLocked) {
		return err
	}
	return errors.Join(authn.ErrUnavailable, err)
}

// caller authenticates the request and loads the caller's account.
func (s *Server) caller(w http.ResponseWriter, r *http.Request) (*authn.Principal, *identity.User, bool) {
	p, bearer, err := s.authenticate(r)
	if err == nil {
		var u *identity.User
		if u, err = s.opts.Accounts.UserBySubject(r.Context(), p.Subject); err == nil {
			return p, u, true
		}
		if errors.Is(err, identity.ErrNotFound) {
			err = authn.ErrRevoked
		}
	}
	s.fail(w, r, err, bearer)
	return nil, nil, false
}

func (s *Server) handleTOTPEnroll(w http.ResponseWriter, r *http.Request) {
	p, u, ok := s.caller(w, r)
	if !ok {
		return
	}
	var req passwordRequest
	if err := decodeJSON(w, r, &req, s.opts.MaxBodyBytes, true); err != nil {
		s.fail(w, r, err, false)
		return
	}
	var e mfa.Enrollment
	err := s.verifyCode(r.Context(), r, u, func() (err error) {
		e, err = s.opts.Accounts.EnrollTOTP(r.Context(), u, req.Password)
		return err
	})
	if err != nil {
		s.fail(w, r, err, p.Strategy != authn.Session)
		return
	}
	writeJSON(w, http.StatusOK, enrollResponse{Secret: e.Secret, OtpauthURL: e.URL})
}

func (s *Server) handleTOTPQR(w http.ResponseWriter, r *http.Request) {
	_, u, ok := s.caller(w, r)
	if !ok {
		return
	}
	url, err := s.opts.Accounts.PendingTOTPURL(u)
	if err != nil {
		s.fail(w, r, err, false)
		return
	}
	png, err := mfa.QRCode(url, 256)
	if err != nil {
		s.fail(w, r, err, false)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(png)
}

// handleTOTPConfirm turns a pending enrollment on. Every credential of the user ends; a
// browser that confirmed gets a new session with MFA done.
func (s *Server) handleTOTPConfirm(w http.ResponseWriter, r *http.Request) {
	p, u, ok := s.caller(w, r)
	if !ok {
		return
	}
	var req codeRequest
	if err := decodeJSON(w, r, &req, s.opts.MaxBodyBytes, false); err != nil {
		s.fail(w, r, err, false)
		return
	}
	if err := s.verifyCode(r.Context(), r, u, func() error { return s.opts.Accounts.ConfirmTOTP(r.Context(), u, req.Code) }); err != nil {
		s.fail(w, r, sessionStoreErrorUnlessKnown(err), p.Strategy != authn.Session)
		return
	}
	s.audit.Record(r.Context(), audit.MFAEnabled, u.Subject, u.Username, s.opts.Proxies.ClientIP(r))
	if p.Strategy == authn.Session {
		s.startSession(w, r, u, true)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleTOTPDisable(w http.ResponseWriter, r *http.Request) {
	p, u, ok := s.caller(w, r)
	if !ok {
		return
	}
	var req passwordRequest
	if err := decodeJSON(w, r, &req, s.opts.MaxBodyBytes, false); err != nil {
		s.fail(w, r, err, false)
		return
	}
	if err := s.verifyCode(r.Context(), r, u, func() error { return s.opts.Accounts.DisableTOTP(r.Context(), u, req.Password) }); err != nil {
		s.fail(w, r, sessionStoreErrorUnlessKnown(err), p.Strategy != authn.Session)
		return
	}
	s.audit.Record(r.Context(), audit.MFADisabled, u.Subject, u.Username, s.opts.Proxies.ClientIP(r))
	if p.Strategy == authn.Session {
		s.startSession(w, r, u, false)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleMFAVerify is the step-up: a session gets a new ID with MFA done; a token client gets a
// new token pair carrying mfa, and its old login ends.
func (s *Server) handleMFAVerify(w http.ResponseWriter, r *http.Request) {
	p, u, ok := s.caller(w, r)
	if !ok {
		return
	}
	bearer := p.Strategy != authn.Session
	var req codeRequest
	if err := decodeJSON(w, r, &req, s.opts.MaxBodyBytes, false); err != nil {
		s.fail(w, r, err, bearer)
		return
	}
	ctx := r.Context()
	if err := s.verifyCode(ctx, r, u, func() error { return s.opts.Accounts.VerifyTOTP(ctx, u, req.Code) }); err != nil {
		s.fail(w, r, err, bearer)
		return
	}
	s.audit.Record(ctx, audit.MFAVerified, u.Subject, u.Username, s.opts.Proxies.ClientIP(r), "strategy", p.Strategy)
	if !bearer {
		tok, sess, err := s.opts.Sessions.RenewID(ctx, p.Subject, p.SessionID, true)
		if err != nil {
			s.fail(w, r, sessionStoreErrorUnlessKnown(err), false)
			return
		}
		s.setSessionCookie(w, r, tok, sess)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	pair, err := s.opts.Refresh.Start(ctx, u, true)
	if err != nil {
		s.fail(w, r, err, true)
		return
	}
	if err := s.endBearerLogin(ctx, p); err != nil {
		s.fail(w, r, err, true)
		return
	}
	writeTokenPair(w, pair)
}

// startSession starts a session for u and answers 204 with its cookie.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u *identity.User, mfaDone bool) {
	tok, sess, err := s.opts.Sessions.Start(r.Context(), session.Identity{Subject: u.Subject, Username: u.Username, Roles: u.Roles},
		mfaDone, s.opts.Proxies.ClientIP(r), r.UserAgent())
	if err != nil {
		s.fail(w, r, sessionStoreError(err), false)
		return
	}
	s.setSessionCookie(w, r, tok, sess)
	w.WriteHeader(http.StatusNoContent)
}

// sessionStoreErrorUnlessKnown passes known answers through and marks anything else as a
// store failure.
func sessionStoreErrorUnlessKnown(err error) error {
	for _, known := range []error{mfa.ErrInvalidCode, throttle.ErrLocked, authn.ErrUnavailable, accounts.ErrNoPendingMFA, accounts.ErrMFANotEnabled,
		accounts.ErrInvalidCredentials, session.ErrNotFound} {
		if errors.Is(err, known) {
			return err
		}
	}
	return sessionStoreError(err)
}

// failReason names why a login failed, for the audit log.
func failReason(err error) string {
	if errors.Is(err, mfa.ErrInvalidCode) {
		return "totp"
	}
	return "password"
}
