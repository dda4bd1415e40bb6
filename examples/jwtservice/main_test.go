package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/authgate/authgate/config"
	"github.com/authgate/authgate/internal/app"
	"github.com/authgate/authgate/token"
)

// The example verifies tokens issued by a real authgate, with keys fetched from its JWKS,
// including tokens signed after a rotation.
func TestServiceVerifiesAuthgateTokensFromJWKS(t *testing.T) {
	ctx := context.Background()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	a, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	gw := httptest.NewServer(a.Handler())
	defer gw.Close()
	if _, err := a.Accounts.Add(ctx, "alice", "correct horse", []string{"dev"}); err != nil {
		t.Fatal(err)
	}
	login := func() string {
		res, err := http.Post(gw.URL+"/auth/token", "application/json", strings.NewReader(`{"username":"alice","password":"correct horse"}`))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var body struct {
			AccessToken string `json:"access_token"`
		}
		json.NewDecoder(res.Body).Decode(&body)
		return body.AccessToken
	}

	// The key set refetches on an unknown kid at most once per interval; its clock is moved past
	// that interval after the rotation, as minutes would pass in production.
	var skew time.Duration
	keys, err := token.NewRemoteKeySet(gw.URL+"/.well-known/jwks.json",
		token.WithRemoteClock(func() time.Time { return time.Now().Add(skew) }))
	if err != nil {
		t.Fatal(err)
	}
	v, err := token.NewVerifier(keys, token.WithIssuer(cfg.Issuer), token.WithVerifierAudience(cfg.Tokens.Audience))
	if err != nil {
		t.Fatal(err)
	}
	svc := httptest.NewServer(newHandler(v))
	defer svc.Close()
	call := func(tok string) (int, string) {
		req, _ := http.NewRequest("GET", svc.URL+"/hello", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}

	if code, body := call(login()); code != 200 || !strings.Contains(body, `"hello":"alice"`) {
		t.Fatalf("valid token: %d %s", code, body)
	}
	if _, err := a.Keys.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	skew = time.Minute
	if code, body := call(login()); code != 200 {
		t.Fatalf("token signed after rotation: %d %s", code, body)
	}
	if code, _ := call("eyJhbGciOiJub25lIn0.e30."); code != 401 {
		t.Fatalf("alg none: %d", code)
	}
}
