package gateway

import "testing"

func TestSafeRedirectStaysOnSite(t *testing.T) {
	for _, rd := range []string{
		"https://evil.example", "//evil.example", "/\\evil.example", "\\\\evil.example", "https:evil.example",
		"javascript:alert(1)", "JavaScript:alert(1)", " /web/", " //evil.example", "\t//evil.example",
		"/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", "http://127.0.0.1:8080/web/",
		"%2F%2Fevil.example", "/%5Cevil.example\\", "data:text/html,hi", "", "web/", "/\x00/evil.example",
		"///evil.example", "//%09evil.example", "/" + string(rune(0x7f)) + "/evil.example",
	} {
		if got := safeRedirect(rd); got != "/" {
			t.Errorf("safeRedirect(%q) = %q, want /", rd, got)
		}
	}
	for _, rd := range []string{"/", "/web/", "/web/page?x=1&y=%2F%2Fz#frag", "/admin/users", "/%2F%2Fevil.example"} {
		if got := safeRedirect(rd); got != rd {
			t.Errorf("safeRedirect(%q) = %q, want it kept", rd, got)
		}
	}
}

func FuzzSafeRedirect(f *testing.F) {
	for _, s := range []string{"/web/", "//evil", "/\\evil", "https://x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rd string) {
		got := safeRedirect(rd)
		if got == "/" {
			return
		}
		if got != rd || got[0] != '/' || len(got) > 1 && (got[1] == '/' || got[1] == '\\') {
			t.Fatalf("safeRedirect(%q) = %q", rd, got)
		}
	})
}
