package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/authgate/authgate/mfa"
)

// TestBrowserAccountMFAAndAdminPages drives the web pages with a real, headless Chromium:
// logging in through the form, ending another session, enrolling TOTP, stepping up, and an
// admin forcing a user out. It saves a full-page screenshot of every page it visits.
func TestBrowserAccountMFAAndAdminPages(t *testing.T) {
	exe := chromiumPath(t)
	in, clk := startWithClock(t)
	in.addUser(t, "alice", "correct horse")
	in.addUser(t, "root", "correct horse", "admin")
	in.addUser(t, "bob", "battery staple")
	b := newBrowser(t, exe, in.srv.URL)

	// (a) Alice signs in through the login form.
	b.open("/auth/account", 200, "/auth/login?rd=%2Fauth%2Faccount")
	b.shot("01-login")
	b.fill("#username", "alice")
	b.fill("#password", "correct horse")
	b.click(`form[action="/auth/login"] button[type=submit]`, 200, "/auth/account")

	// (b) Her sessions: this device, then a second one made through the JSON API.
	if n := b.count("tbody tr"); n != 1 || b.text("tr.current .badge") != "This device" {
		t.Fatalf("account page after login: %d rows, no 'This device' row", n)
	}
	phone := in.sessionLogin(t, "alice", "correct horse")
	b.reload()
	if n := b.count("tbody tr"); n != 2 || b.count("tr.current") != 1 || b.count("form.end-session") != 1 {
		t.Fatalf("account page with two sessions: %d rows, %d current, %d sign-out buttons", n, b.count("tr.current"), b.count("form.end-session"))
	}
	if device := b.text("tbody tr:not(.current) .device"); device != "Go HTTP client" {
		t.Errorf("the other session's device = %q", device)
	}
	b.shot("02-account")
	b.click("form.end-session button", 200, "/auth/account?notice=session-ended")
	if n := b.count("tbody tr"); n != 1 || !strings.Contains(b.text(".notice"), "signed out") {
		t.Fatalf("after ending the other session: %d rows, notice %q", n, b.text(".notice"))
	}
	wantStatus(t, "the ended session's cookie", in.do(t, "GET", "/web/", nil, cookieHeader(phone)), 401, "invalid_token")

	// A non-admin gets the 403 page, then signs out.
	b.open("/auth/admin", 403, "/auth/admin")
	if h := b.text("h1"); h != "Access denied" {
		t.Errorf("non-admin on the admin page sees %q", h)
	}
	b.shot("03-forbidden")
	b.click(".whoami button", 200, "/auth/login")

	// (c) root enrolls TOTP: start, read the secret off the page, confirm with a code.
	b.open("/auth/account/mfa", 200, "/auth/login?rd=%2Fauth%2Faccount%2Fmfa")
	b.fill("#username", "root")
	b.fill("#password", "correct horse")
	b.click(`form[action="/auth/login"] button[type=submit]`, 200, "/auth/account/mfa")
	b.click(`form[action="/auth/account/mfa/enroll"] button`, 200, "/auth/account/mfa")
	b.waitImage("img.qr")
	secret := b.text("#totp-secret")
	if len(secret) < 16 {
		t.Fatalf("secret on the page = %q", secret)
	}
	b.shot("04-mfa-enrollment")
	code, err := mfa.Code(secret, mfa.Step(clk.Now()))
	if err != nil {
		t.Fatal(err)
	}
	b.fill("#code", code)
	b.click(`form[action="/auth/account/mfa/confirm"] button`, 200, "/auth/account?notice=mfa-enabled")
	if notice := b.text(".notice"); !strings.Contains(notice, "Two-factor authentication is on") {
		t.Errorf("notice after enrolling = %q", notice)
	}

	// (d) The demo admin route: role admin and MFA done in this session.
	b.open("/admin/", 200, "/admin/")
	var who struct {
		Route, Username string
		MFA             bool
	}
	if raw := b.text("pre"); json.Unmarshal([]byte(raw), &who) != nil || !who.MFA || who.Username != "root" || who.Route != "admin" {
		t.Fatalf("/admin/ shows %q", raw)
	}

	// Step-up through the verify page, on to the admin page.
	clk.Step()
	b.open("/auth/account/verify?rd=/auth/admin", 200, "/auth/account/verify?rd=/auth/admin")
	b.shot("05-verify")
	code, err = mfa.Code(secret, mfa.Step(clk.Now()))
	if err != nil {
		t.Fatal(err)
	}
	b.fill("#code", code)
	b.click(`form[action="/auth/account/verify"] button`, 200, "/auth/admin")

	// (e) Force bob out from the admin page.
	bob := in.sessionLogin(t, "bob", "battery staple")
	b.reload()
	b.click(`form[action="/auth/admin/users/bob/force-logout"] button`, 200, "/auth/admin?notice=force-logout&user=bob")
	if notice := b.text(".notice"); !strings.Contains(notice, "bob was signed out everywhere") {
		t.Errorf("notice after force logout = %q", notice)
	}
	wantStatus(t, "bob's cookie after force logout", in.do(t, "GET", "/web/", nil, cookieHeader(bob)), 401, "invalid_token")
	b.shot("06-admin")

	// bob's own page lists his new session.
	in.sessionLogin(t, "bob", "battery staple")
	b.click(`a[href="/auth/admin/users/bob"]`, 200, "/auth/admin/users/bob")
	if n := b.count(`table[aria-labelledby="sessions-heading"] tbody tr`); n != 1 || b.text("h1") != "bob" {
		t.Errorf("bob's page: %d sessions, heading %q", n, b.text("h1"))
	}
	b.shot("07-admin-user")

	// root signs in again: the login form asks for the one-time code too.
	b.click(".whoami button", 200, "/auth/login")
	b.open("/auth/admin", 200, "/auth/login?rd=%2Fauth%2Fadmin")
	b.fill("#username", "root")
	b.fill("#password", "correct horse")
	b.click(`form[action="/auth/login"] button[type=submit]`, 401, "/auth/login")
	if b.count("#totp") != 1 || !strings.Contains(b.text(".error"), "one-time code") {
		t.Fatalf("login of an MFA account shows no code field (error %q)", b.text(".error"))
	}
	b.shot("08-login-totp")
	clk.Step()
	code, err = mfa.Code(secret, mfa.Step(clk.Now()))
	if err != nil {
		t.Fatal(err)
	}
	b.fill("#password", "correct horse")
	b.fill("#totp", code)
	b.click(`form[action="/auth/login"] button[type=submit]`, 200, "/auth/admin")
}

// chromiumPath finds Debian's chromium; the browser tests never skip.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	t.Fatalf("chromium is not installed; the browser tests need it: apt-get install chromium (or make test-deps)")
	return ""
}

// browser is one headless Chromium tab on an authgate instance.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
	dir  string
}

// syncBuffer collects the browser's output for a failing test's log.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newBrowser(t *testing.T, exe, base string) *browser {
	t.Helper()
	output := &syncBuffer{}
	// A guard against a hung browser, not a timing assertion.
	guard, cancelGuard := context.WithTimeout(context.Background(), 2*time.Minute)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(guard,
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
		chromedp.CombinedOutput(output),
	)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
		cancelGuard()
		if t.Failed() {
			t.Logf("chromium output:\n%s", output.String())
		}
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium (%s): %v\n%s", exe, err, output.String())
	}
	return &browser{t: t, ctx: ctx, base: base, dir: screenshotDir(t)}
}

// check fails the test unless resp is the page at path (with its query) and the status.
func (b *browser) check(what string, resp *network.Response, err error, status int, path string) {
	b.t.Helper()
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	if resp == nil || resp.Status != int64(status) || resp.URL != b.base+path {
		got := "no response"
		if resp != nil {
			got = resp.URL
		}
		b.t.Fatalf("%s: at %s with status %d, want %s%s with %d", what, got, statusOf(resp), b.base, path, status)
	}
}

func statusOf(resp *network.Response) int64 {
	if resp == nil {
		return 0
	}
	return resp.Status
}

// open navigates to path and checks where the browser lands.
func (b *browser) open(path string, status int, landing string) {
	b.t.Helper()
	resp, err := chromedp.Run(b.ctx, chromedp.NavigateResponse(b.base+path))
	b.check("open "+path, resp, err, status, landing)
}

// click clicks the element and checks the page the browser lands on.
func (b *browser) click(sel string, status int, landing string) {
	b.t.Helper()
	resp, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS(sel)))
	b.check("click "+sel, resp, err, status, landing)
}

func (b *browser) reload() {
	b.t.Helper()
	if _, err := chromedp.RunResponse(b.ctx, chromedp.Reload()); err != nil {
		b.t.Fatalf("reload: %v", err)
	}
}

// fill types value into the field.
func (b *browser) fill(sel, value string) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.SendKeys(chromedp.CSS(sel), value)); err != nil {
		b.t.Fatalf("type into %s: %v", sel, err)
	}
}

// text is the visible text of the first element matching sel.
func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// count is the number of elements matching sel.
func (b *browser) count(sel string) int {
	b.t.Helper()
	js, _ := json.Marshal(sel)
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+string(js)+`).length`))
	if err != nil {
		b.t.Fatalf("count %s: %v", sel, err)
	}
	return n
}

// waitImage waits until the image has loaded and fails the test if it is broken.
func (b *browser) waitImage(sel string) {
	b.t.Helper()
	js, _ := json.Marshal(sel)
	img := `document.querySelector(` + string(js) + `)`
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](img+`.complete`)); err != nil {
		b.t.Fatalf("wait for %s: %v", sel, err)
	}
	if w, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](img+`.naturalWidth`)); err != nil || w == 0 {
		b.t.Fatalf("image %s did not load (width %d, %v)", sel, w, err)
	}
}

// shot saves a full-page PNG screenshot as name.png.
func (b *browser) shot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG")) {
		b.t.Fatalf("screenshot %s is not a PNG", name)
	}
	path := filepath.Join(b.dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatalf("save screenshot: %v", err)
	}
	b.t.Logf("screenshot: %s", path)
}

// screenshotDir is $AUTHGATE_TEST_OUTPUT/screenshots, or test-output/screenshots at the
// repository root (git-ignored).
func screenshotDir(t *testing.T) string {
	t.Helper()
	out := os.Getenv("AUTHGATE_TEST_OUTPUT")
	if out == "" {
		dir, err := os.Getwd()
		if err != nil {
			t.Fatal(err)
		}
		for {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				break
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				t.Fatal("no go.mod above the test's directory")
			}
			dir = parent
		}
		out = filepath.Join(dir, "test-output")
	}
	dir := filepath.Join(out, "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("screenshot directory: %v", err)
	}
	return dir
}
