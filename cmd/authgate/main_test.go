package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestREADMEWalkthrough builds the binary and follows the README: serve the demo, add a user
// with the CLI while the server runs, get a token, call /api/, refresh, log out; then SIGTERM
// drains and exits 0.
func TestREADMEWalkthrough(t *testing.T) {
	dir := t.TempDir()
	bin := buildBinary(t)
	addr := freeAddr(t)
	data := filepath.Join(dir, "data")
	var log bytes.Buffer
	serve := exec.Command(bin, "serve", "--listen", addr, "--data-dir", data)
	serve.Stdout, serve.Stderr = &log, &log
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer serve.Process.Kill()
	base := "http://" + addr
	waitHealthy(t, base, &log)

	add := exec.Command(bin, "user", "add", "alice", "--role", "admin", "--password-stdin", "--data-dir", data)
	add.Stdin = strings.NewReader("correct horse battery\n")
	if out, err := add.CombinedOutput(); err != nil || !strings.Contains(string(out), "created user alice") {
		t.Fatalf("user add: %v %s", err, out)
	}

	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		TokenType    string `json:"token_type"`
		ExpiresIn    int    `json:"expires_in"`
	}
	post(t, base+"/auth/token", `{"username":"alice","password":"correct horse battery"}`, "", 200, &tok)
	if tok.TokenType != "Bearer" || tok.ExpiresIn != 300 || tok.AccessToken == "" || tok.RefreshToken == "" {
		t.Fatalf("token response %+v", tok)
	}
	var who map[string]any
	get(t, base+"/api/orders", tok.AccessToken, 200, &who)
	if who["username"] != "alice" || who["strategy"] != "jwt" || who["route"] != "api" {
		t.Errorf("whoami %v", who)
	}
	old := tok.RefreshToken
	post(t, base+"/auth/token/refresh", fmt.Sprintf(`{"refresh_token":%q}`, old), "", 200, &tok)
	get(t, base+"/mobile/feed", tok.AccessToken, 200, &who)
	if who["strategy"] != "hybrid" {
		t.Errorf("whoami on /mobile/ %v", who)
	}
	post(t, base+"/auth/logout", "", tok.AccessToken, 204, nil)
	get(t, base+"/mobile/feed", tok.AccessToken, 401, nil)
	get(t, base+"/api/feed", tok.AccessToken, 200, nil) // the jwt trade-off
	post(t, base+"/auth/token/refresh", fmt.Sprintf(`{"refresh_token":%q}`, old), "", 401, nil)

	// The session part, as curl with a cookie jar does it.
	res, err := http.Post(base+"/auth/login", "application/json", strings.NewReader(`{"username":"alice","password":"correct horse battery"}`))
	if err != nil || res.StatusCode != 200 || len(res.Cookies()) != 1 {
		t.Fatalf("session login: %v %v", err, res)
	}
	res.Body.Close()
	cookie := res.Cookies()[0]
	req, _ := http.NewRequest("GET", base+"/web/home", nil)
	req.AddCookie(cookie)
	do(t, req, 200, &who)
	if who["strategy"] != "session" {
		t.Errorf("whoami on /web/ %v", who)
	}
	req, _ = http.NewRequest("POST", base+"/auth/logout", nil)
	req.AddCookie(cookie)
	do(t, req, 204, nil)
	req, _ = http.NewRequest("GET", base+"/web/home", nil)
	req.AddCookie(cookie)
	do(t, req, 401, nil)

	if err := serve.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- serve.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve after SIGTERM: %v\n%s", err, log.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not exit after SIGTERM\n%s", log.String())
	}
	for _, secret := range []string{"correct horse battery", tok.AccessToken, tok.RefreshToken, old, cookie.Value} {
		if strings.Contains(log.String(), secret) {
			t.Errorf("the server log contains a secret or token")
		}
	}
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitHealthy(t *testing.T, base string, log *bytes.Buffer) {
	for range 200 {
		if res, err := http.Get(base + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("server never became healthy:\n%s", log.String())
}

func post(t *testing.T, url, body, bearer string, status int, out any) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	do(t, req, status, out)
}

func get(t *testing.T, url, bearer string, status int, out any) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+bearer)
	do(t, req, status, out)
}

func do(t *testing.T, req *http.Request, status int, out any) {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != status {
		var b bytes.Buffer
		b.ReadFrom(res.Body)
		t.Fatalf("%s %s: %d, want %d: %s", req.Method, req.URL.Path, res.StatusCode, status, b.String())
	}
	if out != nil {
		if err := json.NewDecoder(res.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
}
