package gateway

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/authgate/authgate/authn"
)

// The identity headers authgate sets for upstream services.
const (
	HeaderSubject  = "X-Auth-Subject"
	HeaderUser     = "X-Auth-User"
	HeaderRoles    = "X-Auth-Roles"
	HeaderStrategy = "X-Auth-Strategy"
	HeaderMFA      = "X-Auth-Mfa"
	HeaderRoute    = "X-Auth-Route"
)

// stripIdentityHeaders removes every X-Auth-* header a client sent, in any spelling an
// upstream might treat as the same (case, and "_" for "-", as CGI and some proxies do).
func stripIdentityHeaders(h http.Header) {
	for k := range h {
		if len(k) >= 7 && strings.EqualFold(k[:2], "x-") && strings.EqualFold(k[2:6], "auth") && (k[6] == '-' || k[6] == '_') {
			delete(h, k)
		}
	}
}

// setIdentityHeaders sets the X-Auth-* headers describing the principal.
func setIdentityHeaders(h http.Header, route string, p *authn.Principal) {
	h[HeaderSubject] = []string{p.Subject}
	h[HeaderUser] = []string{p.Username}
	h[HeaderRoles] = []string{strings.Join(p.Roles, ",")}
	h[HeaderStrategy] = []string{p.Strategy}
	h[HeaderMFA] = []string{strconv.FormatBool(p.MFA)}
	h[HeaderRoute] = []string{route}
}
