package gateway

import (
	"encoding/json"
	"net/http/httptest"
	"testing"
)

// The hand-written whoami body decodes to what encoding/json would have written.
func TestWhoamiBodyIsValidJSON(t *testing.T) {
	for _, tc := range []struct{ route, user, roles string }{
		{"api", "alice", "admin,dev"},
		{`we"ird\\route`, "<script>&", ""},
		{"ctl\x01\n", "ünïcödé\u2028", "a,b,,c"},
		{"bad\xffutf8", "", "x"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set(HeaderRoute, tc.route)
		r.Header.Set(HeaderUser, tc.user)
		r.Header.Set(HeaderRoles, tc.roles)
		r.Header.Set(HeaderMFA, "true")
		w := httptest.NewRecorder()
		whoami(w, r)
		var got struct {
			Route, Strategy, Subject, Username string
			Roles                              []string
			MFA                                bool
		}
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
			t.Fatalf("%q: %v", w.Body.String(), err)
		}
		if got.Route != viaEncodingJSON(tc.route) || got.Username != viaEncodingJSON(tc.user) || !got.MFA || got.Roles == nil {
			t.Errorf("decoded %+v from %q", got, w.Body.String())
		}
	}
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", `"\`, "\x00\x1f<>&", "\xff\xfe", "\u2028\u2029", "日本"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var got string
		if err := json.Unmarshal(appendJSONString(nil, s), &got); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if want := viaEncodingJSON(s); got != want {
			t.Fatalf("%q decodes to %q, encoding/json gives %q", s, got, want)
		}
	})
}

// viaEncodingJSON is s after a round trip through encoding/json.
func viaEncodingJSON(s string) string {
	b, _ := json.Marshal(s)
	var out string
	json.Unmarshal(b, &out)
	return out
}
