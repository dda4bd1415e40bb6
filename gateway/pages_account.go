package gateway

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/authgate/authgate/accounts"
	"github.com/authgate/authgate/web"
)

// handleAccountPage is "My sessions": the caller's sessions, with a sign-out button for each
// other one and for all of them.
func (s *Server) handleAccountPage(w http.ResponseWriter, r *http.Request) {
	p, u, ok := s.pageCaller(w, r)
	if !ok {
		return
	}
	list, err := s.opts.Sessions.List(r.Context(), p.Subject)
	if err != nil {
		s.failPage(w, r, p, sessionStoreError(err))
		return
	}
	rows := sessionRows(list, p)
	// This device first, then the others newest first.
	slices.SortStableFunc(rows, func(a, b web.Session) int {
		if a.Current == b.Current {
			return 0
		}
		if a.Current {
			return -1
		}
		return 1
	})
	page := web.AccountPage{Frame: frame(p, "My sessions", "account"), Sessions: rows, MFA: u.TOTPSecret != ""}
	page.Notice = noticeText(r.URL.Query().Get("notice"), "")
	s.renderPage(w, r, http.StatusOK, "account.html", page)
}

// The form posts of the account page, each run through its JSON endpoint.

func (s *Server) handleEndSessionForm() http.HandlerFunc {
	return s.formAction(s.handleDeleteSession, "/auth/account", to("/auth/account?notice=session-ended"))
}

func (s *Server) handleLogoutForm() http.HandlerFunc {
	return s.formAction(s.handleLogout, "/auth/account", to("/auth/login"))
}

func (s *Server) handleLogoutAllForm() http.HandlerFunc {
	return s.formAction(s.handleLogoutAll, "/auth/account", to("/auth/login"))
}

// handleMFAPage shows the state of the second factor: a button to start an enrollment, or the
// pending enrollment's QR code, secret and confirmation form.
func (s *Server) handleMFAPage(w http.ResponseWriter, r *http.Request) {
	s.mfaPage(w, r, http.StatusOK, "")
}

// mfaPage renders the MFA page with the status and an error message (empty: none).
func (s *Server) mfaPage(w http.ResponseWriter, r *http.Request, status int, errMsg string) {
	p, u, ok := s.pageCaller(w, r)
	if !ok {
		return
	}
	page := web.MFAPage{Frame: frame(p, "Two-factor authentication", "mfa"), Enabled: u.TOTPSecret != "",
		Pending: u.TOTPPending != "", Secret: u.TOTPPending, Issuer: accounts.TOTPIssuer, Account: u.Username}
	page.Error = errMsg
	s.renderPage(w, r, status, "mfa.html", page)
}

// handleMFAEnrollForm starts an enrollment through POST /auth/mfa/totp/enroll (replacing a
// confirmed factor needs the password) and shows it on the MFA page.
func (s *Server) handleMFAEnrollForm(w http.ResponseWriter, r *http.Request) {
	if !s.parsePageForm(w, r) {
		return
	}
	var body any
	if pw := r.PostForm.Get("password"); pw != "" {
		body = passwordRequest{Password: pw}
	}
	if o := s.callJSON(w, r, s.handleTOTPEnroll, body); !o.ok() {
		s.mfaFormFailed(w, r, o)
		return
	}
	http.Redirect(w, r, "/auth/account/mfa", http.StatusSeeOther)
}

// handleMFAConfirmForm confirms the pending enrollment through POST /auth/mfa/totp/confirm:
// the factor is on, every other credential ends, and this browser gets a new session with MFA
// done.
func (s *Server) handleMFAConfirmForm(w http.ResponseWriter, r *http.Request) {
	if !s.parsePageForm(w, r) {
		return
	}
	if o := s.callJSON(w, r, s.handleTOTPConfirm, codeRequest{Code: formCode(r)}); !o.ok() {
		s.mfaFormFailed(w, r, o)
		return
	}
	http.Redirect(w, r, "/auth/account?notice=mfa-enabled", http.StatusSeeOther)
}

// handleMFADisableForm turns the factor off through DELETE /auth/mfa/totp, with the password
// again: every other credential ends, and this browser gets a new session.
func (s *Server) handleMFADisableForm(w http.ResponseWriter, r *http.Request) {
	if !s.parsePageForm(w, r) {
		return
	}
	if o := s.callJSON(w, r, s.handleTOTPDisable, passwordRequest{Password: r.PostForm.Get("password")}); !o.ok() {
		s.mfaFormFailed(w, r, o)
		return
	}
	http.Redirect(w, r, "/auth/account?notice=mfa-disabled", http.StatusSeeOther)
}

// mfaFormFailed shows the MFA page again with what went wrong, or the login or error page
// when the form could not be accepted at all.
func (s *Server) mfaFormFailed(w http.ResponseWriter, r *http.Request, o outcome) {
	if o.signedOut() || o.status == http.StatusForbidden {
		s.failForm(w, r, o, "/auth/account/mfa")
		return
	}
	s.mfaPage(w, r, o.status, formMessage(o))
}

// handleVerifyPage is the step-up page: a code turns this session into one with MFA done,
// then the browser goes on to rd.
func (s *Server) handleVerifyPage(w http.ResponseWriter, r *http.Request) {
	s.verifyPage(w, r, http.StatusOK, "", r.URL.Query().Get("rd"))
}

func (s *Server) verifyPage(w http.ResponseWriter, r *http.Request, status int, errMsg, rd string) {
	p, u, ok := s.pageCaller(w, r)
	if !ok {
		return
	}
	page := web.VerifyPage{Frame: frame(p, "Verify it's you", ""), Redirect: verifyRedirect(rd),
		MFAEnabled: u.TOTPSecret != "", Verified: p.MFA}
	page.Narrow, page.Error = true, errMsg
	s.renderPage(w, r, status, "verify.html", page)
}

// handleVerifyForm steps the session up through POST /auth/mfa/verify (a new session cookie
// with MFA done) and sends the browser on to rd.
func (s *Server) handleVerifyForm(w http.ResponseWriter, r *http.Request) {
	if !s.parsePageForm(w, r) {
		return
	}
	rd := r.PostForm.Get("rd")
	if o := s.callJSON(w, r, s.handleMFAVerify, codeRequest{Code: formCode(r)}); !o.ok() {
		if o.signedOut() || o.status == http.StatusForbidden {
			s.failForm(w, r, o, "/auth/account/verify?rd="+url.QueryEscape(verifyRedirect(rd)))
			return
		}
		s.verifyPage(w, r, o.status, formMessage(o), rd)
		return
	}
	http.Redirect(w, r, verifyRedirect(rd), http.StatusSeeOther)
}

// verifyRedirect is where a step-up goes on to: rd when it is same-origin, the account page
// when there is none.
func verifyRedirect(rd string) string {
	if rd == "" {
		return "/auth/account"
	}
	return safeRedirect(rd)
}

// formCode is the one-time code of a form, without the spaces people and apps put in it.
func formCode(r *http.Request) string {
	return strings.Join(strings.Fields(r.PostForm.Get("code")), "")
}

// formMessage says what went wrong with a form in the words of the page it is shown on.
func formMessage(o outcome) string {
	switch o.code {
	case "invalid_credentials":
		return "The password is wrong."
	case "invalid_code":
		return "That code is wrong or was already used. Enter the current code from your authenticator app."
	case "no_pending_enrollment":
		return "There is no enrollment to confirm: start a new one."
	case "mfa_not_enabled":
		return "Your account has no second factor yet: set one up first."
	}
	return o.message
}
