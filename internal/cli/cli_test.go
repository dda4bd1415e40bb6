package cli

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runCLI runs the command line with stdin and returns exit status, stdout and stderr.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(context.Background(), args, IO{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut})
	return code, out.String(), errOut.String()
}

func TestUserAndKeyCommands(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AUTHGATE_DATA_DIR", dir)

	code, out, errOut := runCLI(t, "correct horse\n", "user", "add", "alice", "--role", "admin", "--role", "dev", "--password-stdin")
	if code != 0 || !strings.Contains(out, "created user alice") || !strings.Contains(out, "admin,dev") {
		t.Fatalf("user add: %d %q %q", code, out, errOut)
	}
	if code, _, errOut := runCLI(t, "another one\n", "user", "add", "alice", "--password-stdin"); code != 1 || !strings.Contains(errOut, "already exists") {
		t.Errorf("duplicate user add: %d %q", code, errOut)
	}
	if code, _, errOut := runCLI(t, "", "user", "add", "bob", "--password-stdin"); code != 1 || !strings.Contains(errOut, "no password") {
		t.Errorf("empty stdin: %d %q", code, errOut)
	}
	if code, _, errOut := runCLI(t, "short\n", "user", "add", "bob", "--password-stdin"); code != 1 || !strings.Contains(errOut, "too short") {
		t.Errorf("short password: %d %q", code, errOut)
	}
	if code, _, errOut := runCLI(t, "", "user", "add", "bob"); code != 2 || !strings.Contains(errOut, "--password-stdin") {
		t.Errorf("missing --password-stdin: %d %q", code, errOut)
	}
	code, out, _ = runCLI(t, "", "user", "list")
	if code != 0 || !strings.Contains(out, "alice") || !strings.Contains(out, "admin,dev") {
		t.Errorf("user list: %d %q", code, out)
	}
	if code, out, errOut := runCLI(t, "new password\n", "user", "passwd", "alice", "--password-stdin"); code != 0 {
		t.Errorf("passwd: %d %q %q", code, out, errOut)
	}
	if code, _, errOut := runCLI(t, "", "user", "disable", "nobody"); code != 1 || !strings.Contains(errOut, "not found") {
		t.Errorf("disable unknown: %d %q", code, errOut)
	}
	if code, _, _ := runCLI(t, "", "user", "disable", "alice"); code != 0 {
		t.Errorf("disable: %d", code)
	}
	if _, out, _ := runCLI(t, "", "user", "list"); !strings.Contains(out, "true") {
		t.Errorf("list after disable: %q", out)
	}

	code, out, _ = runCLI(t, "", "keys", "rotate")
	if code != 0 || !strings.Contains(out, "new signing key") {
		t.Fatalf("keys rotate: %d %q", code, out)
	}
	code, out, _ = runCLI(t, "", "keys", "list", "--data-dir", dir)
	if code != 0 || !strings.Contains(out, "signing") || !strings.Contains(out, "EdDSA") {
		t.Errorf("keys list: %d %q", code, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "identity.db")); err != nil {
		t.Errorf("identity store not under the data dir: %v", err)
	}
}

func TestConfigCheck(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(good, []byte("routes:\n  - {name: api, prefix: /api/, strategy: jwt, upstream: whoami}\n"), 0o600)
	os.WriteFile(bad, []byte("routes:\n  - {name: api, prefix: /api/, strategy: magic, upstream: whoami}\n"), 0o600)
	if code, out, errOut := runCLI(t, "", "config", "check", good); code != 0 || !strings.Contains(out, "valid, 1 route") {
		t.Errorf("good config: %d %q %q", code, out, errOut)
	}
	if code, _, errOut := runCLI(t, "", "config", "check", bad); code != 1 || !strings.Contains(errOut, "routes[0].strategy") {
		t.Errorf("bad config: %d %q", code, errOut)
	}
	if code, _, errOut := runCLI(t, "", "config", "check", filepath.Join(dir, "missing.yaml")); code != 1 || errOut == "" {
		t.Errorf("missing config: %d %q", code, errOut)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"frobnicate"}, {"user"}, {"keys", "spin"}, {"serve", "extra"}, {"serve", "--bogus"}} {
		if code, _, errOut := runCLI(t, "", args...); code != 2 || !strings.Contains(errOut, "Usage:") {
			t.Errorf("%v: %d %q", args, code, errOut)
		}
	}
	if code, out, _ := runCLI(t, "", "version"); code != 0 || !strings.HasPrefix(out, "authgate ") {
		t.Errorf("version: %d %q", code, out)
	}
}

func TestFlagsOverrideEnvironmentOverrideFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "c.yaml")
	os.WriteFile(file, []byte("listen: 127.0.0.1:1111\ndata_dir: /from/file\n"), 0o600)
	t.Setenv("AUTHGATE_CONFIG", file)
	t.Setenv("AUTHGATE_LISTEN", "127.0.0.1:2222")
	sf := storeFlags{dataDir: "/from/flag"}
	cfg, err := sf.load()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != "127.0.0.1:2222" || cfg.DataDir != "/from/flag" {
		t.Errorf("listen %q data_dir %q", cfg.Listen, cfg.DataDir)
	}
}

func TestServeDrainsOnCancel(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var errOut bytes.Buffer
	go func() {
		done <- Main(ctx, []string{"serve", "--listen", addr, "--data-dir", t.TempDir()}, IO{Stdin: strings.NewReader(""), Stdout: &bytes.Buffer{}, Stderr: &errOut})
	}()
	url := fmt.Sprintf("http://%s/healthz", addr)
	var status int
	for range 100 {
		if res, err := http.Get(url); err == nil {
			status = res.StatusCode
			res.Body.Close()
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if status != 200 {
		t.Fatalf("healthz never answered 200; log: %s", errOut.String())
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve exited %d; log: %s", code, errOut.String())
	}
	if !strings.Contains(errOut.String(), "stopped") {
		t.Errorf("log lacks the stop line: %s", errOut.String())
	}
}
