package gateway

import (
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// whoami is the built-in upstream: it echoes the identity headers authgate forwarded, as JSON
// {"route","strategy","subject","username","roles","mfa"}. It is served in-process, without a
// network hop, and writes its small body by hand: it runs on every demo request.
func whoami(w http.ResponseWriter, r *http.Request) {
	h := r.Header
	b := make([]byte, 0, 256)
	b = append(b, `{"route":`...)
	b = appendJSONString(b, h.Get(HeaderRoute))
	b = append(b, `,"strategy":`...)
	b = appendJSONString(b, h.Get(HeaderStrategy))
	b = append(b, `,"subject":`...)
	b = appendJSONString(b, h.Get(HeaderSubject))
	b = append(b, `,"username":`...)
	b = appendJSONString(b, h.Get(HeaderUser))
	b = append(b, `,"roles":[`...)
	if roles := h.Get(HeaderRoles); roles != "" {
		for i, role := range strings.Split(roles, ",") {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, role)
		}
	}
	b = append(b, `],"mfa":`...)
	b = strconv.AppendBool(b, h.Get(HeaderMFA) == "true")
	b = append(b, "}\n"...)
	wh := w.Header()
	wh["Content-Type"] = jsonContentType
	wh["Cache-Control"] = noStore
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

var (
	jsonContentType = []string{"application/json"}
	noStore         = []string{"no-store"}
)

// appendJSONString appends s as a JSON string, escaped as encoding/json does (quotes,
// backslashes, control characters, and <, >, & for HTML safety; invalid UTF-8 becomes U+FFFD).
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
