package gateway_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/authgate/authgate/session"
)

// post sends a form post the way a browser on authgate's own page does.
func (in *instance) post(t testing.TB, path string, form url.Values, c *http.Cookie) (*http.Response, string) {
	t.Helper()
	h := map[string]string{"Origin": in.srv.URL, "Sec-Fetch-Site": "same-origin"}
	if c != nil {
		h["Cookie"] = c.Name + "=" + c.Value
	}
	if form == nil {
		form = url.Values{}
	}
	return in.browser(t, "POST", path, form, h)
}

// get loads a page the way a browser does.
func (in *instance) get(t testing.TB, path string, c *http.Cookie) (*http.Response, string) {
	t.Helper()
	h := map[string]string{"Accept": "text/html"}
	if c != nil {
		h["Cookie"] = c.Name + "=" + c.Value
	}
	return in.browser(t, "GET", path, nil, h)
}

// wantPage checks the status of an HTML page, its strict headers, and that it says each of want.
func wantPage(t testing.TB, what string, res *http.Response, body string, status int, want ...string) {
	t.Helper()
	if res.StatusCode != status {
		t.Fatalf("%s: status %d, want %d; body %s", what, res.StatusCode, status, body)
	}
	h := res.Header
	if !strings.HasPrefix(h.Get("Content-Type"), "text/html") || h.Get("X-Frame-Options") != "DENY" || h.Get("Cache-Control") != "no-store" ||
		!strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") || !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Errorf("%s: headers %v", what, h)
	}
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s: page does not say %q:\n%s", what, w, body)
		}
	}
}

// wantRedirect checks a redirect's status and location.
func wantRedirect(t testing.TB, what string, res *http.Response, status int, location string) {
	t.Helper()
	if res.StatusCode != status || res.Header.Get("Location") != location {
		t.Fatalf("%s: %d to %q, want %d to %q", what, res.StatusCode, res.Header.Get("Location"), status, location)
	}
}

// mfaAdmin creates the admin root with TOTP enabled and returns a session with MFA done and
// the TOTP secret.
func mfaAdmin(t *testing.T, in *instance, c *clock) (*http.Cookie, string) {
	t.Helper()
	in.addUser(t, "root", "correct horse", "admin")
	access, _ := in.login(t, "root", "correct horse")
	secret := enableTOTP(t, in, c, access)
	res := in.do(t, "POST", "/auth/login", map[string]string{"username": "root", "password": "correct horse", "totp": code(t, secret, c)}, nil)
	wantStatus(t, "admin login", res, 200, "")
	c.Step()
	return sessionCookie(t, res.header), secret
}

// sessionIDs returns the session handles of the cookie's user, the cookie's own first.
func (in *instance) sessionIDs(t testing.TB, c *http.Cookie) []string {
	t.Helper()
	res := in.do(t, "GET", "/auth/sessions", nil, cookieHeader(c))
	wantStatus(t, "sessions", res, 200, "")
	var ids []string
	for _, s := range res.json(t)["sessions"].([]any) {
		m := s.(map[string]any)
		if m["current"] == true {
			ids = append([]string{m["id"].(string)}, ids...)
		} else {
			ids = append(ids, m["id"].(string))
		}
	}
	return ids
}

// wrongCode is a well-formed code that is not the current one.
func wrongCode(t *testing.T, secret string, c *clock) string {
	if code(t, secret, c) == "000000" {
		return "111111"
	}
	return "000000"
}

func (in *instance) alive(t testing.TB, c *http.Cookie) bool {
	t.Helper()
	return in.do(t, "GET", "/web/", nil, cookieHeader(c)).status == http.StatusOK
}

func TestPagesWithoutSessionGoToLogin(t *testing.T) {
	in := start(t, testConfig(t))
	in.addUser(t, "bob", "battery staple")
	garbage := &http.Cookie{Name: "authgate_session", Value: "garbage"}
	for _, path := range []string{"/auth/account", "/auth/account/mfa", "/auth/account/verify?rd=/auth/admin", "/auth/admin", "/auth/admin/users/bob"} {
		for _, c := range []*http.Cookie{nil, garbage} {
			res, _ := in.get(t, path, c)
			wantRedirect(t, "GET "+path, res, http.StatusFound, "/auth/login?rd="+url.QueryEscape(path))
		}
	}
	for path, home := range map[string]string{
		"/auth/account/logout":               "/auth/account",
		"/auth/account/logout-all":           "/auth/account",
		"/auth/account/sessions/abc/end":     "/auth/account",
		"/auth/account/mfa/enroll":           "/auth/account/mfa",
		"/auth/account/mfa/confirm":          "/auth/account/mfa",
		"/auth/admin/users/bob/force-logout": "/auth/admin",
		"/auth/admin/users/bob/disable":      "/auth/admin",
		"/auth/admin/users/bob/enable":       "/auth/admin",
	} {
		res, _ := in.post(t, path, nil, nil)
		wantRedirect(t, "POST "+path, res, http.StatusSeeOther, "/auth/login?rd="+url.QueryEscape(home))
	}
	res, _ := in.post(t, "/auth/account/verify", url.Values{"rd": {"/auth/admin"}}, nil)
	wantRedirect(t, "POST verify", res, http.StatusSeeOther, "/auth/login?rd="+url.QueryEscape("/auth/account/verify?rd=%2Fauth%2Fadmin"))
}

func TestAccountPageListsSessions(t *testing.T) {
	in := start(t, testConfig(t))
	in.addUser(t, "alice", "correct horse")
	in.addUser(t, "bob", "battery staple")
	laptop := in.sessionLogin(t, "alice", "correct horse")
	res := in.do(t, "POST", "/auth/login", map[string]string{"username": "alice", "password": "correct horse"},
		map[string]string{"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"})
	phone := sessionCookie(t, res.header)
	ids := in.sessionIDs(t, laptop)
	if len(ids) != 2 {
		t.Fatalf("sessions %v", ids)
	}

	page, body := in.get(t, "/auth/account", laptop)
	wantPage(t, "account", page, body, 200, "<h1>My sessions</h1>", "Safari on iPhone", "Go HTTP client", "127.0.0.1",
		`action="/auth/account/sessions/`+ids[1]+`/end"`, `action="/auth/account/logout-all"`, `href="/auth/account/mfa"`, `<th scope="col">Device</th>`)
	if strings.Count(body, "This device") != 1 || strings.Contains(body, `action="/auth/account/sessions/`+ids[0]+`/end"`) {
		t.Error("the current session is not the one marked 'This device' without a sign-out button")
	}
	if strings.Contains(body, laptop.Value) || strings.Contains(body, phone.Value) || strings.Contains(body, `href="/auth/admin"`) {
		t.Error("the page shows a cookie value, or the admin link to a non-admin")
	}
	// A notice is a fixed text chosen by its key; anything else shows nothing.
	_, body = in.get(t, "/auth/account?notice=session-ended", laptop)
	if !strings.Contains(body, "The session was signed out.") {
		t.Error("no notice after ending a session")
	}
	_, body = in.get(t, "/auth/account?notice=%3Cscript%3E", laptop)
	if strings.Contains(body, "<script") || strings.Contains(body, `class="notice"`) {
		t.Error("an unknown notice was shown")
	}
}

func TestAccountFormsEndSessionsAndSignOut(t *testing.T) {
	in := start(t, testConfig(t))
	in.addUser(t, "alice", "correct horse")
	in.addUser(t, "bob", "battery staple")
	laptop := in.sessionLogin(t, "alice", "correct horse")
	phone := in.sessionLogin(t, "alice", "correct horse")
	bob := in.sessionLogin(t, "bob", "battery staple")
	phoneID := in.sessionIDs(t, phone)[0]

	res, body := in.post(t, "/auth/account/sessions/"+in.sessionIDs(t, bob)[0]+"/end", nil, laptop)
	wantPage(t, "end another user's session", res, body, 404, "no session with that id")
	if !in.alive(t, bob) {
		t.Fatal("bob's session ended")
	}
	res, _ = in.post(t, "/auth/account/sessions/"+phoneID+"/end", nil, laptop)
	wantRedirect(t, "end phone", res, http.StatusSeeOther, "/auth/account?notice=session-ended")
	if in.alive(t, phone) || !in.alive(t, laptop) {
		t.Fatal("ending the phone's session did not end it alone")
	}

	res, _ = in.post(t, "/auth/account/logout", nil, laptop)
	wantRedirect(t, "logout", res, http.StatusSeeOther, "/auth/login")
	if c := sessionCookie(t, res.Header); c == nil || c.MaxAge >= 0 {
		t.Errorf("logout did not clear the cookie: %v", res.Header)
	}
	if in.alive(t, laptop) {
		t.Fatal("the session survived its logout")
	}

	a := in.sessionLogin(t, "alice", "correct horse")
	b := in.sessionLogin(t, "alice", "correct horse")
	res, _ = in.post(t, "/auth/account/logout-all", nil, a)
	wantRedirect(t, "logout-all", res, http.StatusSeeOther, "/auth/login")
	if in.alive(t, a) || in.alive(t, b) || !in.alive(t, bob) {
		t.Fatal("logout-all did not end exactly alice's sessions")
	}
}

func TestPageFormsRefuseCrossSiteRequests(t *testing.T) {
	in, c := startWithClock(t)
	root, rootSecret := mfaAdmin(t, in, c)
	in.addUser(t, "alice", "correct horse")
	in.addUser(t, "bob", "battery staple")
	in.addUser(t, "carol", "correct horse")
	if err := in.app.Accounts.SetDisabled(t.Context(), "carol", true); err != nil {
		t.Fatal(err)
	}
	alice := in.sessionLogin(t, "alice", "correct horse")
	alicePhone := in.sessionLogin(t, "alice", "correct horse")
	bob := in.sessionLogin(t, "bob", "battery staple")
	// alice has an enrollment waiting for its code.
	access, _ := in.login(t, "alice", "correct horse")
	res := in.do(t, "POST", "/auth/mfa/totp/enroll", nil, bearer(access))
	wantStatus(t, "enroll", res, 200, "")
	pending := res.str(t, "secret")

	cases := []struct {
		path string
		form url.Values
		as   *http.Cookie
	}{
		{"/auth/account/sessions/" + in.sessionIDs(t, alicePhone)[0] + "/end", nil, alice},
		{"/auth/account/logout", nil, alice},
		{"/auth/account/logout-all", nil, alice},
		{"/auth/account/mfa/enroll", nil, alice},
		{"/auth/account/mfa/confirm", url.Values{"code": {code(t, pending, c)}}, alice},
		{"/auth/account/verify", url.Values{"code": {code(t, rootSecret, c)}, "rd": {"/auth/admin"}}, root},
		{"/auth/admin/users/bob/force-logout", nil, root},
		{"/auth/admin/users/bob/disable", nil, root},
		{"/auth/admin/users/carol/enable", nil, root},
	}
	for _, tc := range cases {
		for _, h := range []map[string]string{{"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}} {
			h["Cookie"] = tc.as.Name + "=" + tc.as.Value
			form := tc.form
			if form == nil {
				form = url.Values{}
			}
			res, body := in.browser(t, "POST", tc.path, form, h)
			wantPage(t, "cross-site "+tc.path, res, body, http.StatusForbidden, "Cross-site request refused")
			if sessionCookie(t, res.Header) != nil {
				t.Errorf("cross-site %s set a cookie", tc.path)
			}
		}
	}
	for name, c := range map[string]*http.Cookie{"alice": alice, "alice's phone": alicePhone, "bob": bob, "root": root} {
		if !in.alive(t, c) {
			t.Errorf("%s's session ended", name)
		}
	}
	u, err := in.app.Accounts.User(t.Context(), "alice")
	if err != nil || u.TOTPPending != pending || u.TOTPSecret != "" {
		t.Errorf("alice's enrollment changed: %+v %v", u, err)
	}
	for name, disabled := range map[string]bool{"bob": false, "carol": true} {
		if u, err := in.app.Accounts.User(t.Context(), name); err != nil || u.Disabled != disabled {
			t.Errorf("%s disabled = %v, want %v (%v)", name, u.Disabled, disabled, err)
		}
	}
	if res := in.do(t, "GET", "/auth/me", nil, cookieHeader(root)); res.json(t)["mfa"] != true {
		t.Error("root's session changed")
	}
}

func TestMFAEnrollmentThroughPages(t *testing.T) {
	in, c := startWithClock(t)
	in.addUser(t, "alice", "correct horse")
	alice := in.sessionLogin(t, "alice", "correct horse")

	res, body := in.get(t, "/auth/account/mfa", alice)
	wantPage(t, "mfa page", res, body, 200, `action="/auth/account/mfa/enroll"`, "Set up an authenticator app")
	if strings.Contains(body, `name="password"`) || strings.Contains(body, "qr.png") {
		t.Error("a first enrollment asks for the password, or shows a QR code before it started")
	}
	res, _ = in.post(t, "/auth/account/mfa/enroll", nil, alice)
	wantRedirect(t, "enroll", res, http.StatusSeeOther, "/auth/account/mfa")
	u, err := in.app.Accounts.User(t.Context(), "alice")
	if err != nil || u.TOTPPending == "" {
		t.Fatalf("no pending enrollment: %+v %v", u, err)
	}
	secret := u.TOTPPending
	res, body = in.get(t, "/auth/account/mfa", alice)
	wantPage(t, "pending enrollment", res, body, 200, `<img class="qr" src="/auth/mfa/totp/qr.png"`, `alt="QR code`,
		`<code id="totp-secret" class="secret">`+secret+`</code>`, `action="/auth/account/mfa/confirm"`)

	res, body = in.post(t, "/auth/account/mfa/confirm", url.Values{"code": {wrongCode(t, secret, c)}}, alice)
	wantPage(t, "wrong code", res, body, http.StatusUnauthorized, "That code is wrong", secret)
	if u, _ := in.app.Accounts.User(t.Context(), "alice"); u.TOTPSecret != "" {
		t.Fatal("a wrong code turned MFA on")
	}
	res, _ = in.post(t, "/auth/account/mfa/confirm", url.Values{"code": {code(t, secret, c)[:3] + " " + code(t, secret, c)[3:]}}, alice)
	wantRedirect(t, "confirm", res, http.StatusSeeOther, "/auth/account?notice=mfa-enabled")
	renewed := sessionCookie(t, res.Header)
	if renewed == nil || renewed.Value == alice.Value {
		t.Fatalf("confirming gave no new session: %v", res.Header)
	}
	if in.alive(t, alice) {
		t.Error("the session from before MFA survived")
	}
	if me := in.do(t, "GET", "/auth/me", nil, cookieHeader(renewed)).json(t); me["mfa"] != true {
		t.Errorf("new session after confirming: %v", me)
	}
	_, body = in.get(t, "/auth/account?notice=mfa-enabled", renewed)
	if !strings.Contains(body, "Two-factor authentication is on.") {
		t.Error("the account page does not confirm MFA is on")
	}

	// Replacing an enabled factor needs the password.
	c.Step()
	res, body = in.get(t, "/auth/account/mfa", renewed)
	wantPage(t, "mfa page when on", res, body, 200, `name="password"`, "Set up a new authenticator")
	res, body = in.post(t, "/auth/account/mfa/enroll", url.Values{"password": {"wrong password"}}, renewed)
	wantPage(t, "re-enroll with a wrong password", res, body, http.StatusUnauthorized, "The password is wrong.")
	if u, _ := in.app.Accounts.User(t.Context(), "alice"); u.TOTPPending != "" {
		t.Fatal("a wrong password started an enrollment")
	}
	res, _ = in.post(t, "/auth/account/mfa/enroll", url.Values{"password": {"correct horse"}}, renewed)
	wantRedirect(t, "re-enroll", res, http.StatusSeeOther, "/auth/account/mfa")
	if u, _ := in.app.Accounts.User(t.Context(), "alice"); u.TOTPPending == "" || u.TOTPSecret != secret {
		t.Fatalf("re-enrollment: %+v", u)
	}

	// Turning it off needs the password too, and ends the other sessions.
	res, body = in.get(t, "/auth/account/mfa", renewed)
	wantPage(t, "mfa page offers to turn off", res, body, 200, `action="/auth/account/mfa/disable"`)
	res, body = in.post(t, "/auth/account/mfa/disable", url.Values{"password": {"wrong password"}}, renewed)
	wantPage(t, "turn off with a wrong password", res, body, http.StatusUnauthorized, "The password is wrong.")
	if u, _ := in.app.Accounts.User(t.Context(), "alice"); u.TOTPSecret == "" {
		t.Fatal("a wrong password turned MFA off")
	}
	res, _ = in.post(t, "/auth/account/mfa/disable", url.Values{"password": {"correct horse"}}, renewed)
	wantRedirect(t, "turn off", res, http.StatusSeeOther, "/auth/account?notice=mfa-disabled")
	if u, _ := in.app.Accounts.User(t.Context(), "alice"); u.TOTPSecret != "" {
		t.Fatal("MFA still on after turning it off")
	}
	if in.alive(t, renewed) {
		t.Error("the session from before turning MFA off survived")
	}
	if fresh := sessionCookie(t, res.Header); fresh == nil || !in.alive(t, fresh) {
		t.Error("turning MFA off left this browser without a session")
	}
}

func TestVerifyPageStepsUpTheSession(t *testing.T) {
	in, c := startWithClock(t)
	_, secret := mfaAdmin(t, in, c)
	u, err := in.app.Accounts.User(context.Background(), "root")
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := in.app.Sessions.Start(context.Background(), session.Identity{Subject: u.Subject, Username: u.Username, Roles: u.Roles}, false, "", "")
	if err != nil {
		t.Fatal(err)
	}
	old := &http.Cookie{Name: "authgate_session", Value: tok.String()}

	res, body := in.get(t, "/auth/admin", old)
	wantPage(t, "admin page before step-up", res, body, http.StatusForbidden, `href="/auth/account/verify?rd=%2Fauth%2Fadmin"`)
	res, body = in.get(t, "/auth/account/verify?rd=/auth/admin", old)
	wantPage(t, "verify page", res, body, 200, `name="rd" value="/auth/admin"`, `action="/auth/account/verify"`)

	res, body = in.post(t, "/auth/account/verify", url.Values{"code": {wrongCode(t, secret, c)}, "rd": {"/auth/admin"}}, old)
	wantPage(t, "wrong code", res, body, http.StatusUnauthorized, "That code is wrong", `name="rd" value="/auth/admin"`)
	if sessionCookie(t, res.Header) != nil || !in.alive(t, old) {
		t.Fatal("a wrong code renewed or ended the session")
	}
	res, _ = in.post(t, "/auth/account/verify", url.Values{"code": {code(t, secret, c)}, "rd": {"/auth/admin"}}, old)
	wantRedirect(t, "verify", res, http.StatusSeeOther, "/auth/admin")
	renewed := sessionCookie(t, res.Header)
	if renewed == nil || in.alive(t, old) {
		t.Fatalf("step-up did not replace the session: %v", res.Header)
	}
	res, body = in.get(t, "/auth/admin", renewed)
	wantPage(t, "admin page after step-up", res, body, 200, "<h1>Administration</h1>")

	c.Step()
	res, _ = in.post(t, "/auth/account/verify", url.Values{"code": {code(t, secret, c)}, "rd": {"//evil.example/"}}, renewed)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Errorf("off-site rd: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}

	in.addUser(t, "alice", "correct horse")
	alice := in.sessionLogin(t, "alice", "correct horse")
	res, body = in.get(t, "/auth/account/verify", alice)
	wantPage(t, "verify without MFA", res, body, 200, "no second factor yet")
	res, body = in.post(t, "/auth/account/verify", url.Values{"code": {"123456"}}, alice)
	wantPage(t, "verify post without MFA", res, body, http.StatusConflict, "no second factor yet")
}

func TestAdminPagesNeedAdminWithMFA(t *testing.T) {
	in, c := startWithClock(t)
	root, _ := mfaAdmin(t, in, c)
	in.addUser(t, "alice", "correct horse")
	in.addUser(t, "bob", "battery staple")
	alice := in.sessionLogin(t, "alice", "correct horse")
	bob := in.sessionLogin(t, "bob", "battery staple")

	for _, path := range []string{"/auth/admin", "/auth/admin/users/bob", "/auth/admin/users/nobody"} {
		res, body := in.get(t, path, alice)
		wantPage(t, "non-admin "+path, res, body, http.StatusForbidden, "Access denied", "lacks a role")
	}
	for _, path := range []string{"/auth/admin/users/bob/force-logout", "/auth/admin/users/bob/disable"} {
		res, body := in.post(t, path, nil, alice)
		wantPage(t, "non-admin "+path, res, body, http.StatusForbidden, "lacks a role")
	}
	if u, _ := in.app.Accounts.User(t.Context(), "bob"); u.Disabled || !in.alive(t, bob) {
		t.Fatal("a non-admin changed bob")
	}

	res, body := in.get(t, "/auth/admin", root)
	wantPage(t, "admin page", res, body, 200, "<h1>Administration</h1>", `<th scope="col">Username</th>`,
		`href="/auth/admin/users/bob"`, `action="/auth/admin/users/bob/force-logout"`, `action="/auth/admin/users/bob/disable"`,
		"Recent activity", "MFA enabled", `href="/auth/admin"`)
	if strings.Contains(body, `action="/auth/admin/users/root/disable"`) {
		t.Error("the page offers the admin to disable themselves")
	}
	res, body = in.get(t, "/auth/admin/users/bob", root)
	wantPage(t, "bob's page", res, body, 200, "<h1>bob</h1>", "Go HTTP client", "127.0.0.1", "Login")
	res, body = in.get(t, "/auth/admin/users/nobody", root)
	wantPage(t, "unknown user's page", res, body, http.StatusNotFound, "Not found", "no user with that name")
	for _, path := range []string{"/auth/admin/users/nobody/force-logout", "/auth/admin/users/nobody/disable", "/auth/admin/users/nobody/enable"} {
		res, body := in.post(t, path, nil, root)
		wantPage(t, "unknown user "+path, res, body, http.StatusNotFound, "Not found")
	}
}

func TestAdminActionsFromPages(t *testing.T) {
	in, c := startWithClock(t)
	root, _ := mfaAdmin(t, in, c)
	in.addUser(t, "bob", "battery staple")
	bob := in.sessionLogin(t, "bob", "battery staple")

	res, _ := in.post(t, "/auth/admin/users/bob/force-logout", url.Values{"back": {"user"}}, root)
	wantRedirect(t, "force logout", res, http.StatusSeeOther, "/auth/admin/users/bob?notice=force-logout")
	if in.alive(t, bob) {
		t.Fatal("bob's session survived a force logout")
	}
	res, body := in.get(t, "/auth/admin/users/bob?notice=force-logout", root)
	wantPage(t, "bob after force logout", res, body, 200, "bob was signed out everywhere", "No active browser sessions")

	bob = in.sessionLogin(t, "bob", "battery staple")
	res, _ = in.post(t, "/auth/admin/users/bob/disable", nil, root)
	wantRedirect(t, "disable", res, http.StatusSeeOther, "/auth/admin?notice=disabled&user=bob")
	if in.alive(t, bob) {
		t.Fatal("bob's session survived being disabled")
	}
	wantStatus(t, "disabled bob logs in", in.do(t, "POST", "/auth/login", map[string]string{"username": "bob", "password": "battery staple"}, nil), 401, "invalid_credentials")
	res, body = in.get(t, "/auth/admin?notice=disabled&user=bob", root)
	wantPage(t, "admin page after disable", res, body, 200, "bob is disabled", `action="/auth/admin/users/bob/enable"`)

	res, _ = in.post(t, "/auth/admin/users/bob/enable", url.Values{"back": {"user"}}, root)
	wantRedirect(t, "enable", res, http.StatusSeeOther, "/auth/admin/users/bob?notice=enabled")
	in.sessionLogin(t, "bob", "battery staple")

	res, body = in.post(t, "/auth/admin/users/root/disable", nil, root)
	wantPage(t, "disable yourself", res, body, http.StatusConflict, "cannot disable your own account")
	if !in.alive(t, root) {
		t.Fatal("root's session ended")
	}

	// The same endpoints answer API calls with 204.
	wantStatus(t, "JSON disable", in.do(t, "POST", "/auth/admin/users/bob/disable", nil, cookieHeader(root)), 204, "")
	wantStatus(t, "JSON enable", in.do(t, "POST", "/auth/admin/users/bob/enable", nil, cookieHeader(root)), 204, "")
	wantStatus(t, "JSON disable of an unknown user", in.do(t, "POST", "/auth/admin/users/nobody/disable", nil, cookieHeader(root)), 404, "not_found")

	events, err := in.app.Accounts.RecentAudit(t.Context(), "", 100)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, e := range events {
		if e.Username == "bob" && e.Detail["admin"] == "root" {
			kinds[e.Kind]++
		}
	}
	for kind, n := range map[string]int{"force_logout": 1, "user_disabled": 2, "user_enabled": 2} {
		if kinds[kind] != n {
			t.Errorf("%d %s events by root about bob, want %d (all: %v)", kinds[kind], kind, n, kinds)
		}
	}
}
