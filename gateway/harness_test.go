package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/authgate/authgate/config"
	"github.com/authgate/authgate/internal/app"
	"github.com/authgate/authgate/internal/testenv"
	"github.com/authgate/authgate/password"
)

// cheapHasher keeps tests fast; the production parameters are tested in package password.
var cheapHasher = password.New(password.WithParams(password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}))

// instance is one authgate serving on a loopback port.
type instance struct {
	app *app.App
	srv *httptest.Server
}

func testConfig(t testing.TB) config.Config {
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Tokens.KeyRefresh = 100 * time.Millisecond
	return cfg
}

func start(t testing.TB, cfg config.Config, opts ...app.Option) *instance {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.New(ctx, cfg, log, append([]app.Option{app.WithHasher(cheapHasher)}, opts...)...)
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	done := make(chan struct{})
	go func() { a.Run(ctx); close(done) }()
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(func() {
		srv.Close()
		cancel()
		<-done
		a.Close()
	})
	return &instance{app: a, srv: srv}
}

func (in *instance) addUser(t testing.TB, name, pw string, roles ...string) {
	t.Helper()
	if _, err := in.app.Accounts.Add(context.Background(), name, pw, roles); err != nil {
		t.Fatalf("add user %s: %v", name, err)
	}
}

// response is a finished HTTP exchange.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body %q is not a JSON object: %v", r.body, err)
	}
	return m
}

func (r response) str(t testing.TB, key string) string {
	t.Helper()
	v, _ := r.json(t)[key].(string)
	return v
}

// do sends a request; body may be nil, a string (sent raw) or any value (sent as JSON).
func (in *instance) do(t testing.TB, method, path string, body any, header map[string]string) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, in.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := in.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: data}
}

func bearer(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }

// login gets a token pair by password and fails the test unless it is issued.
func (in *instance) login(t testing.TB, user, pw string) (access, refresh string) {
	t.Helper()
	res := in.do(t, "POST", "/auth/token", map[string]string{"username": user, "password": pw}, nil)
	if res.status != http.StatusOK {
		t.Fatalf("login %s: %d %s", user, res.status, res.body)
	}
	return res.str(t, "access_token"), res.str(t, "refresh_token")
}

func wantStatus(t testing.TB, what string, res response, status int, code string) {
	t.Helper()
	if res.status != status {
		t.Fatalf("%s: status %d, want %d; body %s", what, res.status, status, res.body)
	}
	if code != "" {
		var body struct{ Error, Message string }
		if err := json.Unmarshal(res.body, &body); err != nil || body.Error != code || body.Message == "" {
			t.Fatalf("%s: body %s, want error %q with a message", what, res.body, code)
		}
	}
}

func sleep() { time.Sleep(50 * time.Millisecond) }

// eachStore runs a test on the embedded stores and on a real redis-server: the behaviour of
// sessions, revocations and lockouts must not depend on where they are kept.
func eachStore(t *testing.T, test func(t *testing.T, newConfig func(testing.TB) config.Config)) {
	t.Run("embedded", func(t *testing.T) { test(t, testConfig) })
	t.Run("redis", func(t *testing.T) {
		url := testenv.Redis(t).URL()
		test(t, func(tb testing.TB) config.Config {
			cfg := testConfig(tb)
			cfg.Redis.URL = url
			return cfg
		})
	})
}
