package gateway_test

import (
	"bytes"
	"context"
	"image/png"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/authgate/authgate/internal/app"
	"github.com/authgate/authgate/mfa"
	"github.com/authgate/authgate/session"
)

// clock is a movable time source shared by the instance under test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Step()          { c.mu.Lock(); c.t = c.t.Add(mfa.Period); c.mu.Unlock() }

func startWithClock(t *testing.T) (*instance, *clock) {
	c := &clock{t: time.Now()}
	return start(t, testConfig(t), app.WithClock(c.Now)), c
}

// enableTOTP enrolls and confirms TOTP for the user through the API and returns the secret.
func enableTOTP(t *testing.T, in *instance, c *clock, access string) string {
	t.Helper()
	res := in.do(t, "POST", "/auth/mfa/totp/enroll", nil, bearer(access))
	wantStatus(t, "enroll", res, 200, "")
	secret := res.str(t, "secret")
	if url := res.str(t, "otpauth_url"); secret == "" || url == "" {
		t.Fatalf("enroll = %s", res.body)
	}
	qr := in.do(t, "GET", "/auth/mfa/totp/qr.png", nil, bearer(access))
	if _, err := png.Decode(bytes.NewReader(qr.body)); qr.status != 200 || err != nil || qr.header.Get("Content-Type") != "image/png" {
		t.Fatalf("qr.png: %d %v", qr.status, err)
	}
	wantStatus(t, "confirm with a wrong code", in.do(t, "POST", "/auth/mfa/totp/confirm", map[string]string{"code": "000000"}, bearer(access)), 401, "invalid_code")
	wantStatus(t, "confirm", in.do(t, "POST", "/auth/mfa/totp/confirm", map[string]string{"code": code(t, secret, c)}, bearer(access)), 204, "")
	c.Step()
	return secret
}

func code(t *testing.T, secret string, c *clock) string {
	t.Helper()
	s, err := mfa.Code(secret, mfa.Step(c.Now()))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestTOTPEnrollLoginAndReplay(t *testing.T) {
	in, c := startWithClock(t)
	in.addUser(t, "alice", "correct horse", "admin")
	access, _ := in.login(t, "alice", "correct horse")
	secret := enableTOTP(t, in, c, access)
	// Enabling MFA ended the user's credentials.
	wantStatus(t, "old token after mfa change", in.do(t, "GET", "/mobile/", nil, bearer(access)), 401, "revoked")

	login := map[string]string{"username": "alice", "password": "correct horse"}
	wantStatus(t, "no code", in.do(t, "POST", "/auth/token", login, nil), 401, "totp_required")
	login["totp"] = "123456"
	if code(t, secret, c) == "123456" {
		c.Step()
	}
	wantStatus(t, "wrong code", in.do(t, "POST", "/auth/token", login, nil), 401, "invalid_code")
	login["totp"] = code(t, secret, c)
	res := in.do(t, "POST", "/auth/token", login, nil)
	wantStatus(t, "with code", res, 200, "")
	me := in.do(t, "GET", "/auth/me", nil, bearer(res.str(t, "access_token"))).json(t)
	if me["mfa"] != true {
		t.Errorf("token after TOTP login has mfa=%v", me["mfa"])
	}
	// The same code again, on any endpoint, is refused.
	wantStatus(t, "replayed code", in.do(t, "POST", "/auth/token", login, nil), 401, "invalid_code")
	wantStatus(t, "replayed on session login", in.do(t, "POST", "/auth/login", login, nil), 401, "invalid_code")

	// Changing the factor needs the password again.
	wantStatus(t, "re-enroll without password", in.do(t, "POST", "/auth/mfa/totp/enroll", nil, bearer(res.str(t, "access_token"))), 401, "invalid_credentials")
	wantStatus(t, "re-enroll with password", in.do(t, "POST", "/auth/mfa/totp/enroll", map[string]string{"password": "correct horse"}, bearer(res.str(t, "access_token"))), 200, "")
}

func TestStepUpRenewsSessionAndOpensAdmin(t *testing.T) {
	in, c := startWithClock(t)
	in.addUser(t, "root", "correct horse", "admin")
	access, _ := in.login(t, "root", "correct horse")
	secret := enableTOTP(t, in, c, access)

	// A session without MFA done (as one made before the factor was required would be).
	u, err := in.app.Accounts.User(context.Background(), "root")
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := in.app.Sessions.Start(context.Background(), session.Identity{Subject: u.Subject, Username: u.Username, Roles: u.Roles}, false, "", "")
	if err != nil {
		t.Fatal(err)
	}
	old := &http.Cookie{Name: "authgate_session", Value: tok.String()}
	wantStatus(t, "admin before step-up", in.do(t, "GET", "/admin/", nil, cookieHeader(old)), 403, "mfa_required")

	res := in.do(t, "POST", "/auth/mfa/verify", map[string]string{"code": code(t, secret, c)}, cookieHeader(old))
	wantStatus(t, "step-up", res, 204, "")
	renewed := sessionCookie(t, res.header)
	if renewed == nil || renewed.Value == old.Value {
		t.Fatalf("step-up did not issue a new session cookie: %v", res.header)
	}
	wantStatus(t, "old cookie after step-up", in.do(t, "GET", "/web/", nil, cookieHeader(old)), 401, "invalid_token")
	wantStatus(t, "admin after step-up", in.do(t, "GET", "/admin/", nil, cookieHeader(renewed)), 200, "")
	wantStatus(t, "admin api", in.do(t, "GET", "/auth/admin/users", nil, cookieHeader(renewed)), 200, "")
}

func TestTokenStepUpAndAdminForceLogout(t *testing.T) {
	in, c := startWithClock(t)
	in.addUser(t, "root", "correct horse", "admin")
	in.addUser(t, "bob", "battery staple")
	access, _ := in.login(t, "root", "correct horse")
	secret := enableTOTP(t, in, c, access)
	login := map[string]string{"username": "root", "password": "correct horse", "totp": code(t, secret, c)}
	res := in.do(t, "POST", "/auth/token", login, nil)
	wantStatus(t, "admin login", res, 200, "")
	admin := res.str(t, "access_token")
	c.Step()
	// A token step-up answers a new pair carrying mfa.
	res = in.do(t, "POST", "/auth/mfa/verify", map[string]string{"code": code(t, secret, c)}, bearer(admin))
	wantStatus(t, "token step-up", res, 200, "")
	if res.str(t, "access_token") == "" || res.str(t, "refresh_token") == "" {
		t.Fatalf("step-up pair %s", res.body)
	}
	admin = res.str(t, "access_token")

	bobCookie := in.sessionLogin(t, "bob", "battery staple")
	bobToken, _ := in.login(t, "bob", "battery staple")
	res = in.do(t, "GET", "/auth/admin/users/bob/sessions", nil, bearer(admin))
	wantStatus(t, "bob's sessions", res, 200, "")
	wantStatus(t, "force logout", in.do(t, "POST", "/auth/admin/users/bob/logout-all", nil, bearer(admin)), 204, "")
	wantStatus(t, "bob's session", in.do(t, "GET", "/web/", nil, cookieHeader(bobCookie)), 401, "invalid_token")
	wantStatus(t, "bob's hybrid token", in.do(t, "GET", "/mobile/", nil, bearer(bobToken)), 401, "revoked")
	wantStatus(t, "unknown user", in.do(t, "POST", "/auth/admin/users/nobody/logout-all", nil, bearer(admin)), 404, "not_found")
	wantStatus(t, "non-admin", in.do(t, "GET", "/auth/admin/users", nil, bearer(bobToken)), 401, "revoked")
}
