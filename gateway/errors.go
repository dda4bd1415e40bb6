package gateway

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strconv"

	"github.com/authgate/authgate/accounts"
	"github.com/authgate/authgate/authn"
	"github.com/authgate/authgate/identity"
	"github.com/authgate/authgate/mfa"
	"github.com/authgate/authgate/policy"
	"github.com/authgate/authgate/refresh"
	"github.com/authgate/authgate/session"
	"github.com/authgate/authgate/throttle"
)

// requestError is a client mistake with the status and code to answer it with.
type requestError struct {
	status  int
	code    string
	message string
}

func (e *requestError) Error() string { return e.message }

func badRequest(code, message string) error {
	return &requestError{status: http.StatusBadRequest, code: code, message: message}
}

var (
	errNotFound = &requestError{status: http.StatusNotFound, code: "not_found", message: "No route matches this path."}
	errBadPath  = &requestError{status: http.StatusBadRequest, code: "invalid_path",
		message: "The request path is not in canonical form (it has //, /./ or /../ segments)."}
)

// problem is the status, code and message the one error mapping produces.
type problem struct {
	status  int
	code    string
	message string
}

// classify maps any error to the answer a client gets. It is the only place where errors
// become HTTP statuses.
func classify(err error) problem {
	var re *requestError
	switch {
	case errors.As(err, &re):
		return problem{re.status, re.code, re.message}
	case errors.Is(err, authn.ErrNoCredential):
		return problem{http.StatusUnauthorized, "unauthorized", "Authentication is required."}
	case errors.Is(err, authn.ErrInvalidCredential):
		return problem{http.StatusUnauthorized, "invalid_token", "The credential is invalid or expired."}
	case errors.Is(err, authn.ErrRevoked):
		return problem{http.StatusUnauthorized, "revoked", "The credential has been revoked."}
	case errors.Is(err, authn.ErrUnavailable):
		return problem{http.StatusServiceUnavailable, "store_unavailable", "The credential store cannot be reached; try again shortly."}
	case errors.Is(err, authn.ErrNotImplemented):
		return problem{http.StatusNotImplemented, "not_implemented", "This strategy is not available yet."}
	case errors.Is(err, policy.ErrMissingRole):
		return problem{http.StatusForbidden, "forbidden", "Your account lacks a role this route requires."}
	case errors.Is(err, policy.ErrMFARequired):
		return problem{http.StatusForbidden, "mfa_required", "This route requires a second factor in this session."}
	case errors.Is(err, accounts.ErrInvalidCredentials):
		return problem{http.StatusUnauthorized, "invalid_credentials", "The username or password is wrong."}
	case errors.Is(err, refresh.ErrInvalidGrant):
		return problem{http.StatusUnauthorized, "invalid_grant", "The refresh token is invalid, expired or already used."}
	case errors.Is(err, throttle.ErrLocked):
		return problem{http.StatusTooManyRequests, "too_many_attempts", "Too many failed attempts: wait before trying again."}
	case errors.Is(err, mfa.ErrInvalidCode):
		return problem{http.StatusUnauthorized, "invalid_code", "The one-time code is wrong, expired or already used."}
	case errors.Is(err, accounts.ErrNoPendingMFA):
		return problem{http.StatusConflict, "no_pending_enrollment", "Start a TOTP enrollment first."}
	case errors.Is(err, accounts.ErrMFANotEnabled):
		return problem{http.StatusConflict, "mfa_not_enabled", "This account has no second factor to verify."}
	case errors.Is(err, session.ErrNotFound):
		return problem{http.StatusUnauthorized, "invalid_token", "The credential is invalid or expired."}
	case errors.Is(err, accounts.ErrInvalidUsername), errors.Is(err, accounts.ErrWeakPassword),
		errors.Is(err, accounts.ErrPasswordTooLong), errors.Is(err, accounts.ErrInvalidRole):
		return problem{http.StatusBadRequest, "invalid_request", err.Error()}
	case errors.Is(err, identity.ErrNotFound):
		return problem{http.StatusNotFound, "not_found", "Not found."}
	case errors.Is(err, context.DeadlineExceeded):
		return problem{http.StatusServiceUnavailable, "busy", "The server is busy; try again shortly."}
	default:
		return problem{http.StatusInternalServerError, "internal_error", "Something went wrong on our side."}
	}
}

// fail writes the JSON error body for err. bearer adds the RFC 6750 challenge to a 401.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error, bearer bool) {
	p := classify(err)
	if p.status == http.StatusInternalServerError {
		s.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	setRetryAfter(w, err)
	if p.status == http.StatusUnauthorized && bearer {
		challenge := `Bearer realm="authgate"`
		if p.code != "unauthorized" {
			challenge += `, error="invalid_token"`
		}
		w.Header().Set("WWW-Authenticate", challenge)
	}
	writeJSON(w, p.status, errorBody{Error: p.code, Message: p.message})
}

// setRetryAfter tells a locked-out client how many seconds to wait.
func setRetryAfter(w http.ResponseWriter, err error) {
	var locked *throttle.LockedError
	if errors.As(err, &locked) {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(locked.RetryAfter.Seconds()))))
	}
}

type errorBody struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}
