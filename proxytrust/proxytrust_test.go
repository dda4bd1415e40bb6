package proxytrust

import (
	"crypto/tls"
	"net/http/httptest"
	"testing"
)

func TestProxies(t *testing.T) {
	p, err := Parse([]string{"127.0.0.1", "10.0.0.0/8", "::1/128"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, remote, xff, proto string
		tls                      bool
		trusted, https           bool
		client                   string
	}{
		{"direct client", "203.0.113.9:5000", "1.2.3.4", "https", false, false, false, "203.0.113.9"},
		{"direct tls", "203.0.113.9:5000", "", "", true, false, true, "203.0.113.9"},
		{"via proxy", "127.0.0.1:4000", "198.51.100.7", "https", false, true, true, "198.51.100.7"},
		{"via two proxies", "10.1.1.1:4000", "198.51.100.7, 10.2.2.2", "http", false, true, false, "198.51.100.7"},
		{"spoofed chain", "10.1.1.1:4000", "6.6.6.6, 198.51.100.7", "", false, true, false, "198.51.100.7"},
		{"garbage xff", "127.0.0.1:4000", "not-an-ip", "", false, true, false, "127.0.0.1"},
		{"ipv6 proxy", "[::1]:4000", "2001:db8::1", "HTTPS", false, true, true, "2001:db8::1"},
		{"mapped v4", "[::ffff:127.0.0.1]:4000", "198.51.100.7", "", false, true, false, "198.51.100.7"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.remote
			if tc.xff != "" {
				r.Header.Set("X-Forwarded-For", tc.xff)
			}
			if tc.proto != "" {
				r.Header.Set("X-Forwarded-Proto", tc.proto)
			}
			if tc.tls {
				r.TLS = &tls.ConnectionState{}
			}
			if got := p.Trusted(r); got != tc.trusted {
				t.Errorf("Trusted = %v", got)
			}
			if got := p.IsHTTPS(r); got != tc.https {
				t.Errorf("IsHTTPS = %v", got)
			}
			if got := p.ClientIP(r); got != tc.client {
				t.Errorf("ClientIP = %q, want %q", got, tc.client)
			}
		})
	}
	if _, err := Parse([]string{"localhost"}); err == nil {
		t.Error("Parse accepted a host name")
	}
}
