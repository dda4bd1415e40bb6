package gateway_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzRequest sends arbitrary methods, paths, content types, credentials and bodies through the
// whole gateway: nothing may panic or answer 500.
func FuzzRequest(f *testing.F) {
	f.Add("POST", "/auth/token", "application/json", "", `{"username":"alice","password":"correct horse"}`)
	f.Add("POST", "/auth/token/refresh", "application/json", "", `{"refresh_token":"agrt_x"}`)
	f.Add("POST", "/auth/logout", "application/json", "Bearer a.b.c", `{"refresh_token":""}`)
	f.Add("GET", "/api/x", "", "Bearer eyJhbGciOiJub25lIn0.e30.", "")
	f.Add("GET", "/auth/me", "", "Basic Zm9vOmJhcg==", "")
	f.Add("POST", "/auth/token", "application/json; charset=utf-8", "", `{"username":["a"],"password":{}}`)
	in := start(f, testConfig(f))
	in.addUser(f, "alice", "correct horse")
	h := in.app.Handler()
	f.Fuzz(func(t *testing.T, method, path, contentType, authorization, body string) {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		req, err := http.NewRequest(method, "http://authgate.test"+path, strings.NewReader(body))
		if err != nil {
			return // not a request a server could receive
		}
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Authorization", authorization)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 500 && w.Code != http.StatusNotImplemented {
			t.Fatalf("%s %s -> %d %s", method, path, w.Code, w.Body)
		}
	})
}
