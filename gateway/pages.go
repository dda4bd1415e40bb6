package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/authgate/authgate/authn"
	"github.com/authgate/authgate/identity"
	"github.com/authgate/authgate/session"
	"github.com/authgate/authgate/web"
)

// The web pages (account, MFA, step-up, admin) are plain HTML forms. Every state change goes
// through the JSON endpoint that makes it (see callJSON), so a form post gets exactly the
// checks of its API twin: authentication, the cross-origin check, throttling, the audit record
// and the session renewal.

// pageCSP is the Content-Security-Policy of every page: no scripts, styles and images from
// authgate only, forms posting only to authgate, never framed.
const pageCSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// setPageHeaders gives an HTML page the strict headers of the login page.
func setPageHeaders(h http.Header) {
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
}

// renderPage writes the named template with the status. The page is rendered to a buffer
// first, so a template failure is a clean 500 rather than half a page.
func (s *Server) renderPage(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var buf bytes.Buffer
	if err := web.Templates.ExecuteTemplate(&buf, name, data); err != nil {
		s.log.ErrorContext(r.Context(), "render page", "template", name, "err", err)
		http.Error(w, "The page could not be shown.", http.StatusInternalServerError)
		return
	}
	setPageHeaders(w.Header())
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// renderError shows the error page. p, when known, fills in the navigation.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, p *authn.Principal, status int, message string) {
	page := web.ErrorPage{Frame: frame(p, errorTitle(status), ""), Status: status, Message: message,
		Link: "/auth/account", LinkText: "Go to my account"}
	page.Narrow = true
	s.renderPage(w, r, status, "error.html", page)
}

func errorTitle(status int) string {
	switch status {
	case http.StatusForbidden:
		return "Access denied"
	case http.StatusNotFound:
		return "Not found"
	case http.StatusConflict:
		return "That cannot be done"
	case http.StatusTooManyRequests:
		return "Too many attempts"
	case http.StatusServiceUnavailable:
		return "Try again shortly"
	}
	return http.StatusText(status)
}

// frame is the layout data of a page for the principal (nil: no navigation).
func frame(p *authn.Principal, title, section string) web.Frame {
	f := web.Frame{Title: title, Section: section}
	if p != nil {
		f.User, f.Admin = p.Username, p.HasRole("admin")
	}
	return f
}

// withoutBearer returns r as the pages see it: pages are for browsers, and their credential is
// the session cookie alone. An Authorization header (a proxy's Basic credentials, say) must
// not turn a page request into a bearer request.
func withoutBearer(r *http.Request) *http.Request {
	if r.Header.Get("Authorization") == "" {
		return r
	}
	r2 := r.Clone(r.Context())
	r2.Header.Del("Authorization")
	return r2
}

// pagePrincipal authenticates a page request by its session cookie, with the cross-origin
// check of s.authenticate.
func (s *Server) pagePrincipal(r *http.Request) (*authn.Principal, error) {
	p, _, err := s.authenticate(withoutBearer(r))
	return p, err
}

// pageCaller authenticates a page request and loads the caller's account. On failure it has
// answered: a login redirect, or the error page.
func (s *Server) pageCaller(w http.ResponseWriter, r *http.Request) (*authn.Principal, *identity.User, bool) {
	p, err := s.pagePrincipal(r)
	if err == nil {
		var u *identity.User
		if u, err = s.opts.Accounts.UserBySubject(r.Context(), p.Subject); err == nil {
			return p, u, true
		}
		if errors.Is(err, identity.ErrNotFound) {
			err = authn.ErrRevoked
		}
	}
	s.failPage(w, r, p, err)
	return nil, nil, false
}

// failPage answers a page request that cannot be served: a browser without a valid session
// goes to the login page, to come back here; anything else gets the error page. The status
// and message come from classify, the one error mapping.
func (s *Server) failPage(w http.ResponseWriter, r *http.Request, p *authn.Principal, err error) {
	pr := classify(err)
	switch pr.status {
	case http.StatusUnauthorized:
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			loginRedirect(w, r)
			return
		}
		http.Redirect(w, r, "/auth/login", http.StatusSeeOther)
		return
	case http.StatusInternalServerError:
		s.log.ErrorContext(r.Context(), "page failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	setRetryAfter(w, err)
	if pr.code == "mfa_required" {
		page := web.ErrorPage{Frame: frame(p, "Verification needed", ""), Status: pr.status,
			Message: "This page needs a second factor in this session. Enter a code from your authenticator app to continue.",
			Link:    "/auth/account/verify?rd=" + url.QueryEscape(r.URL.RequestURI()), LinkText: "Verify with a code"}
		page.Narrow = true
		s.renderPage(w, r, pr.status, "error.html", page)
		return
	}
	s.renderError(w, r, p, pr.status, pr.message)
}

// outcome is what a JSON endpoint answered to callJSON.
type outcome struct {
	status  int
	code    string // the error code of a failure
	message string // its message
}

func (o outcome) ok() bool { return o.status < 300 }

// signedOut reports an answer meaning the browser has no valid session.
func (o outcome) signedOut() bool {
	return o.status == http.StatusUnauthorized && (o.code == "unauthorized" || o.code == "invalid_token" || o.code == "revoked")
}

// callJSON runs the JSON endpoint h on behalf of a page's form post, with body (nil: none) as
// its JSON body and the browser's cookie and origin headers, so the form gets exactly the
// endpoint's checks and effects. The cookies h sets and its Retry-After are passed on to w.
func (s *Server) callJSON(w http.ResponseWriter, r *http.Request, h http.HandlerFunc, body any) outcome {
	r2 := withoutBearer(r).Clone(r.Context())
	r2.Header.Del("Content-Type")
	r2.Body, r2.ContentLength = http.NoBody, 0
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			s.log.ErrorContext(r.Context(), "encode form as JSON", "err", err)
			return outcome{status: http.StatusInternalServerError, code: "internal_error", message: "Something went wrong on our side."}
		}
		r2.Header.Set("Content-Type", "application/json")
		r2.Body, r2.ContentLength = io.NopCloser(bytes.NewReader(data)), int64(len(data))
	}
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	h(rec, r2)
	for _, c := range rec.header.Values("Set-Cookie") {
		w.Header().Add("Set-Cookie", c)
	}
	if ra := rec.header.Get("Retry-After"); ra != "" {
		w.Header().Set("Retry-After", ra)
	}
	o := outcome{status: rec.status}
	if !o.ok() {
		var eb errorBody
		_ = json.Unmarshal(rec.body.Bytes(), &eb)
		o.code, o.message = eb.Error, eb.Message
		if o.message == "" {
			o.message = http.StatusText(o.status)
		}
	}
	return o
}

// recorder keeps a handler's answer for callJSON.
type recorder struct {
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (rec *recorder) Header() http.Header { return rec.header }

func (rec *recorder) WriteHeader(status int) {
	if !rec.wrote {
		rec.status, rec.wrote = status, true
	}
}

func (rec *recorder) Write(b []byte) (int, error) {
	rec.WriteHeader(http.StatusOK)
	return rec.body.Write(b)
}

// failForm answers a form post whose endpoint refused: a browser without a session goes to
// the login page, to come back to home; anything else gets the error page.
func (s *Server) failForm(w http.ResponseWriter, r *http.Request, o outcome, home string) {
	if o.signedOut() {
		http.Redirect(w, r, "/auth/login?rd="+url.QueryEscape(home), http.StatusSeeOther)
		return
	}
	s.renderError(w, r, nil, o.status, o.message)
}

// parsePageForm reads a form post's fields, bounded like any body. On failure it has answered.
func (s *Server) parsePageForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes)
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, nil, http.StatusBadRequest, "The form could not be read.")
		return false
	}
	return true
}

// formAction serves a page's form post with the JSON endpoint h and, when it succeeded, sends
// the browser on to next(r) with a 303. home is where a browser without a session comes back
// to after logging in.
func (s *Server) formAction(h http.HandlerFunc, home string, next func(*http.Request) string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.parsePageForm(w, r) {
			return
		}
		if o := s.callJSON(w, r, h, nil); !o.ok() {
			s.failForm(w, r, o, home)
			return
		}
		http.Redirect(w, r, next(r), http.StatusSeeOther)
	}
}

// to is a fixed next page for formAction.
func to(path string) func(*http.Request) string {
	return func(*http.Request) string { return path }
}

// isFormPost reports whether r carries an HTML form, as opposed to an API call.
func isFormPost(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "application/x-www-form-urlencoded" || mt == "multipart/form-data"
}

// formOrJSON serves an HTML form post with form (303 and error pages) and every other request
// with api (JSON).
func formOrJSON(form, api http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if isFormPost(r) {
			form(w, r)
			return
		}
		api(w, r)
	}
}

// notices are the success messages a page shows after a redirect, by the key in ?notice=.
// "%s" is the user the action was about.
var notices = map[string]string{
	"session-ended": "The session was signed out.",
	"mfa-enabled":   "Two-factor authentication is on. Your other sessions were signed out; this browser is signed in again with the new factor.",
	"mfa-disabled":  "Two-factor authentication is off. Your other sessions were signed out.",
	"force-logout":  "%s was signed out everywhere: every session and token ended.",
	"disabled":      "%s is disabled: every session and token ended, and sign-in is refused.",
	"enabled":       "%s is enabled again.",
}

// noticeText is the message of a notice key (empty when unknown), about user.
func noticeText(key, user string) string {
	msg := notices[key]
	if !strings.Contains(msg, "%s") {
		return msg
	}
	if user == "" {
		user = "The user"
	}
	return strings.Replace(msg, "%s", user, 1)
}

// sessionRows turns a session list into page rows; p marks the current session.
func sessionRows(list []*session.Session, p *authn.Principal) []web.Session {
	views := viewSessions(list, p)
	rows := make([]web.Session, 0, len(views))
	for _, v := range views {
		rows = append(rows, web.Session{ID: v.ID, Device: deviceName(v.UserAgent), UserAgent: v.UserAgent, IP: v.IP,
			CreatedAt: v.CreatedAt, LastSeen: v.LastSeenAt, ExpiresAt: v.ExpiresAt, Current: v.Current})
	}
	return rows
}

// auditRows turns audit events into table rows.
func auditRows(events []*identity.AuditEvent) []web.AuditEvent {
	rows := make([]web.AuditEvent, 0, len(events))
	for _, e := range events {
		row := web.AuditEvent{At: e.At, Kind: e.Kind, Label: auditLabel(e.Kind), Username: e.Username, IP: e.IP,
			Warn: strings.HasSuffix(e.Kind, "_failed") || e.Kind == "login_locked" || e.Kind == "refresh_reused"}
		for k, v := range e.Detail {
			row.Detail = append(row.Detail, k+": "+v)
		}
		sort.Strings(row.Detail)
		rows = append(rows, row)
	}
	return rows
}

// auditLabel names an event kind for people: "login_failed" is "Login failed".
func auditLabel(kind string) string {
	label := strings.ReplaceAll(kind, "_", " ")
	label = strings.Replace(label, "mfa", "MFA", 1)
	if label == "" {
		return label
	}
	return strings.ToUpper(label[:1]) + label[1:]
}
