package gateway

import (
	"net/url"
	"strings"
)

// safeRedirect returns rd when it is a same-origin path, and "/" otherwise. It refuses
// anything a browser could read as another origin: schemes, "//host", backslashes (which
// browsers treat as slashes), and whitespace or control characters (which browsers strip,
// turning "/\t/evil" into "//evil").
func safeRedirect(rd string) string {
	if rd == "" || len(rd) > 2048 || rd[0] != '/' {
		return "/"
	}
	for i := 0; i < len(rd); i++ {
		if c := rd[i]; c <= ' ' || c == 0x7f || c == '\\' {
			return "/"
		}
	}
	if strings.HasPrefix(rd, "//") {
		return "/"
	}
	u, err := url.Parse(rd)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return rd
}
