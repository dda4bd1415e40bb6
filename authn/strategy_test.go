package authn

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestBearerToken(t *testing.T) {
	cases := []struct {
		name    string
		headers []string
		want    string
		err     error
	}{
		{"none", nil, "", ErrNoCredential},
		{"bearer", []string{"Bearer abc.def-ghi_jkl"}, "abc.def-ghi_jkl", nil},
		{"scheme case", []string{"bEaReR abc"}, "abc", nil},
		{"basic", []string{"Basic dXNlcjpwYXNz"}, "", ErrInvalidCredential},
		{"empty token", []string{"Bearer "}, "", ErrInvalidCredential},
		{"no space", []string{"Bearerabc"}, "", ErrInvalidCredential},
		{"two headers", []string{"Bearer a", "Bearer b"}, "", ErrInvalidCredential},
		{"bad chars", []string{"Bearer a b"}, "", ErrInvalidCredential},
		{"control char", []string{"Bearer a\x01b"}, "", ErrInvalidCredential},
		{"oversized", []string{"Bearer " + strings.Repeat("a", maxAuthorizationBytes)}, "", ErrInvalidCredential},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			for _, h := range tc.headers {
				r.Header.Add("Authorization", h)
			}
			got, err := BearerToken(r)
			if !errors.Is(err, tc.err) || got != tc.want {
				t.Fatalf("BearerToken = %q, %v; want %q, %v", got, err, tc.want, tc.err)
			}
		})
	}
}

func FuzzBearerToken(f *testing.F) {
	for _, s := range []string{"Bearer abc", "bearer a.b.c", "Basic x", "Bearer  x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Authorization", h)
		tok, err := BearerToken(r)
		if err == nil && (tok == "" || !isToken68(tok)) {
			t.Fatalf("accepted %q as token %q", h, tok)
		}
	})
}
