package gateway

import (
	"context"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/authgate/authgate/accounts"
	"github.com/authgate/authgate/audit"
	"github.com/authgate/authgate/authn"
	"github.com/authgate/authgate/mfa"
	"github.com/authgate/authgate/session"
	"github.com/authgate/authgate/throttle"
	"github.com/authgate/authgate/web"
)

var errCSRF = &requestError{status: http.StatusForbidden, code: "csrf",
	message: "Cross-site request refused: send it from this site's own pages."}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
	TOTP     string `json:"totp,omitempty"`
}

type sessionView struct {
	ID         string    `json:"id"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	IP         string    `json:"ip"`
	UserAgent  string    `json:"user_agent"`
	Current    bool      `json:"current"`
}

func (s *Server) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	s.renderLogin(w, r, http.StatusOK, web.LoginPage{Redirect: safeRedirect(r.URL.Query().Get("rd"))})
}

func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, page web.LoginPage) {
	s.renderPage(w, r, status, "login.html", page)
}

// handleLogin is the browser login: a form post (303 to rd) or JSON (200), both setting the
// session cookie.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	if err := s.csrf.Check(r); err != nil {
		s.fail(w, r, errCSRF, false)
		return
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	form := mt == "application/x-www-form-urlencoded" || mt == "multipart/form-data"
	var req loginRequest
	var rd string
	if form {
		r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes)
		if err := r.ParseForm(); err != nil {
			s.fail(w, r, badRequest("invalid_form", "The form could not be read."), false)
			return
		}
		req = loginRequest{Username: r.PostForm.Get("username"), Password: r.PostForm.Get("password"), TOTP: r.PostForm.Get("totp")}
		rd = safeRedirect(r.PostForm.Get("rd"))
	} else if err := decodeJSON(w, r, &req, s.opts.MaxBodyBytes, false); err != nil {
		s.fail(w, r, err, false)
		return
	}
	if req.Username == "" || req.Password == "" {
		if form {
			s.renderLogin(w, r, http.StatusBadRequest, web.LoginPage{Redirect: rd, Username: req.Username, Error: "Enter your username and password."})
			return
		}
		s.fail(w, r, badRequest("invalid_request", "username and password are required."), false)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.opts.LoginTimeout)
	defer cancel()
	u, mfaDone, err := s.checkLogin(ctx, r, req.Username, req.Password, req.TOTP)
	if err != nil {
		if form {
			page := web.LoginPage{Redirect: rd, Username: req.Username, Error: "The username or password is wrong."}
			switch {
			case errors.Is(err, errTOTPRequired):
				page.Error, page.NeedTOTP = "Enter your password and the one-time code from your authenticator app.", true
			case errors.Is(err, mfa.ErrInvalidCode):
				page.Error, page.NeedTOTP = "The one-time code is wrong or already used.", true
			case errors.Is(err, throttle.ErrLocked):
				page.Error = "Too many failed attempts. Wait a little, then try again."
				setRetryAfter(w, err)
				s.renderLogin(w, r, http.StatusTooManyRequests, page)
				return
			}
			if page.NeedTOTP || errors.Is(err, accounts.ErrInvalidCredentials) {
				s.renderLogin(w, r, http.StatusUnauthorized, page)
				return
			}
		}
		s.fail(w, r, err, false)
		return
	}
	tok, sess, err := s.opts.Sessions.Start(ctx, session.Identity{Subject: u.Subject, Username: u.Username, Roles: u.Roles},
		mfaDone, s.opts.Proxies.ClientIP(r), r.UserAgent())
	if err != nil {
		s.fail(w, r, sessionStoreError(err), false)
		return
	}
	s.setSessionCookie(w, r, tok, sess)
	s.audit.Record(ctx, audit.Login, u.Subject, u.Username, s.opts.Proxies.ClientIP(r), "strategy", authn.Session, "mfa", strconv.FormatBool(mfaDone))
	if form {
		http.Redirect(w, r, rd, http.StatusSeeOther)
		return
	}
	writeJSON(w, http.StatusOK, meResponse{Subject: u.Subject, Username: u.Username, Roles: nonNil(u.Roles), Strategy: authn.Session, MFA: sess.MFA})
}

// sessionStoreError marks a session store failure as unavailability (503), never a 500.
func sessionStoreError(err error) error {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return err
	}
	return errors.Join(authn.ErrUnavailable, err)
}

func (s *Server) setSessionCookie(w http.ResponseWriter, r *http.Request, tok session.Token, sess *session.Session) {
	https := s.opts.Proxies.IsHTTPS(r)
	http.SetCookie(w, &http.Cookie{
		Name:     authn.CookieNameFor(https),
		Value:    tok.String(),
		Path:     "/",
		Expires:  sess.ExpiresAt,
		HttpOnly: true,
		Secure:   https,
		SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	https := s.opts.Proxies.IsHTTPS(r)
	http.SetCookie(w, &http.Cookie{
		Name: authn.CookieNameFor(https), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: https, SameSite: http.SameSiteLaxMode,
	})
}

// handleSessions lists the caller's sessions.
func (s *Server) handleSessions(w http.ResponseWriter, r *http.Request) {
	p, bearer, err := s.authenticate(r)
	if err != nil {
		s.fail(w, r, err, bearer)
		return
	}
	list, err := s.opts.Sessions.List(r.Context(), p.Subject)
	if err != nil {
		s.fail(w, r, sessionStoreError(err), bearer)
		return
	}
	writeJSON(w, http.StatusOK, map[string][]sessionView{"sessions": viewSessions(list, p)})
}

func viewSessions(list []*session.Session, p *authn.Principal) []sessionView {
	views := make([]sessionView, 0, len(list))
	for _, ss := range list {
		views = append(views, sessionView{
			ID: ss.ID, CreatedAt: ss.CreatedAt, LastSeenAt: ss.LastSeenAt, ExpiresAt: ss.Deadline(),
			IP: ss.IP, UserAgent: ss.UserAgent,
			Current: p != nil && p.Strategy == authn.Session && p.SessionID == ss.ID,
		})
	}
	return views
}

// handleDeleteSession ends one of the caller's sessions.
func (s *Server) handleDeleteSession(w http.ResponseWriter, r *http.Request) {
	p, bearer, err := s.authenticate(r)
	if err != nil {
		s.fail(w, r, err, bearer)
		return
	}
	id := r.PathValue("id")
	list, err := s.opts.Sessions.List(r.Context(), p.Subject)
	if err != nil {
		s.fail(w, r, sessionStoreError(err), bearer)
		return
	}
	found := false
	for _, ss := range list {
		found = found || ss.ID == id
	}
	if !found {
		s.fail(w, r, &requestError{status: http.StatusNotFound, code: "not_found", message: "You have no session with that id."}, bearer)
		return
	}
	if err := s.opts.Sessions.End(r.Context(), p.Subject, id); err != nil {
		s.fail(w, r, sessionStoreError(err), bearer)
		return
	}
	s.audit.Record(r.Context(), audit.SessionEnded, p.Subject, p.Username, s.opts.Proxies.ClientIP(r))
	if p.SessionID == id && p.Strategy == authn.Session {
		s.clearSessionCookie(w, r)
	}
	w.WriteHeader(http.StatusNoContent)
}

// wantsHTML reports whether a browser is navigating, so a login redirect serves it better
// than a JSON 401.
func wantsHTML(r *http.Request) bool {
	return (r.Method == http.MethodGet || r.Method == http.MethodHead) && strings.Contains(r.Header.Get("Accept"), "text/html")
}

// loginRedirect sends a browser to the login page, to come back to where it was.
func loginRedirect(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/auth/login?rd="+url.QueryEscape(r.URL.RequestURI()), http.StatusFound)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
