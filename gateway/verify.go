package gateway

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/authgate/authgate/authn"
)

// Forward auth: a reverse proxy (nginx auth_request, Traefik forwardAuth, Caddy forward_auth)
// asks GET /auth/verify whether the request it holds may pass. The request it holds is
// described by forwarded headers; the credential is read from the verify request itself, to
// which the proxy copies the client's Authorization and Cookie headers.

var (
	errUntrustedProxy = &requestError{status: http.StatusForbidden, code: "untrusted_proxy",
		message: "Forward auth answers only configured proxies (trusted_proxies)."}
	errNoForwardedURI = badRequest("missing_forwarded_uri",
		"Forward auth needs the original request's path in X-Forwarded-Uri or X-Original-URI.")
	errNoForwardedMethod = badRequest("missing_forwarded_method",
		"Forward auth needs the original request's method in X-Forwarded-Method or X-Original-Method.")
	errAmbiguousForwarded = badRequest("ambiguous_forwarded_request",
		"The forwarded headers disagree or are repeated; the proxy must set each of them exactly once.")
	errBadForwardedMethod = badRequest("invalid_forwarded_method", "X-Forwarded-Method is not an HTTP method.")
	errBadForwardedHost   = badRequest("invalid_forwarded_host", "X-Forwarded-Host is not a single host[:port].")
)

// forwarded is the original request a proxy asks about.
type forwarded struct {
	method string
	host   string // as sent, with any port
	uri    string // path and query, as sent
	path   string // decoded path, without the query
}

// handleVerify answers a proxy's forward-auth request: 200 with the X-Auth-* identity headers
// (and X-Auth-Token on a route with identity_token) and an empty body when the original
// request may pass, else the JSON error a proxied route would get (401, with
// WWW-Authenticate: Bearer on bearer routes; 403; 503).
//
// A browser navigating to a session route without a valid session gets 401 by default: that is
// what nginx's auth_request needs (it accepts only 2xx, 401 and 403 and turns the 401 into a
// login redirect with `error_page 401 = @login`). Traefik and Caddy instead pass the answer
// through to the browser, so a verify URL with ?redirect=1 answers such a navigation (forwarded
// method GET or HEAD, Accept text/html) with 302 to <proto>://<host>/auth/login?rd=<original
// URI> instead. Never use ?redirect=1 with nginx: auth_request treats a 302 as an error.
func (s *Server) handleVerify(w http.ResponseWriter, r *http.Request) {
	// Only a configured proxy may describe a request: from anyone else the X-Forwarded-*
	// headers would let a caller pick the route its credential is checked against.
	if !s.opts.Proxies.Trusted(r) {
		s.fail(w, r, errUntrustedProxy, false)
		return
	}
	fw, err := forwardedRequest(r)
	if err != nil {
		s.fail(w, r, err, false)
		return
	}
	route := s.opts.Routes.Match(hostname(fw.host), fw.method, fw.path)
	if route == nil {
		s.fail(w, r, errNotFound, false)
		return
	}
	p, err := s.checkRoute(r, route)
	if err != nil {
		cookieRoute := route.Strategy.Name() == authn.Session
		if cookieRoute && classify(err).status == http.StatusUnauthorized &&
			r.URL.Query().Get("redirect") == "1" && fw.isNavigation(r) {
			s.verifyLoginRedirect(w, r, fw)
			return
		}
		s.fail(w, r, err, !cookieRoute)
		return
	}
	h := w.Header()
	// As serveRoute does for a proxied route: the route's identity token goes along too.
	if err := s.setIdentityToken(h, route, p); err != nil {
		s.fail(w, r, err, false)
		return
	}
	setIdentityHeaders(h, route.Name, p)
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}

// forwardedRequest reads the original request from the forwarded headers of a trusted proxy.
// The URI and method may come under either of two names; when both are present they must
// agree, so a client header that the proxy passed along cannot stand in for the proxy's own.
func forwardedRequest(r *http.Request) (forwarded, error) {
	var fw forwarded
	uri, err := oneOf(r.Header, "X-Forwarded-Uri", "X-Original-Uri")
	if err != nil {
		return fw, err
	}
	if uri == "" {
		return fw, errNoForwardedURI
	}
	// The same reading Go's server gives a request target: an absolute path, percent-decoded,
	// then held to the canonical form that ServeHTTP requires of proxied requests.
	if uri[0] != '/' {
		return fw, errBadPath
	}
	u, err := url.ParseRequestURI(uri)
	if err != nil || !isCleanPath(u.Path) {
		return fw, errBadPath
	}
	method, err := oneOf(r.Header, "X-Forwarded-Method", "X-Original-Method")
	if err != nil {
		return fw, err
	}
	if method == "" {
		return fw, errNoForwardedMethod
	}
	if !isMethod(method) {
		return fw, errBadForwardedMethod
	}
	host := r.Host
	if vs := r.Header.Values("X-Forwarded-Host"); len(vs) > 1 {
		return fw, errAmbiguousForwarded
	} else if len(vs) == 1 {
		host = strings.TrimSpace(vs[0])
	}
	if !isHostPort(host) {
		return fw, errBadForwardedHost
	}
	return forwarded{method: method, host: host, uri: uri, path: u.Path}, nil
}

// oneOf returns the value carried under any of the header names: "" when none is set, and an
// error when one is repeated or two disagree.
func oneOf(h http.Header, names ...string) (string, error) {
	value := ""
	for _, name := range names {
		vs := h.Values(name)
		switch {
		case len(vs) == 0:
			continue
		case len(vs) > 1:
			return "", errAmbiguousForwarded
		}
		v := strings.TrimSpace(vs[0])
		if value != "" && v != value {
			return "", errAmbiguousForwarded
		}
		value = v
	}
	return value, nil
}

// isNavigation reports whether the original request is a browser navigation, which a login
// page serves better than a JSON 401. The proxy copies the browser's Accept header.
func (fw forwarded) isNavigation(r *http.Request) bool {
	return (fw.method == http.MethodGet || fw.method == http.MethodHead) &&
		strings.Contains(r.Header.Get("Accept"), "text/html")
}

// verifyLoginRedirect sends the browser to the login page on the host it asked for, to come
// back to the original URI. The scheme is https when the proxy says so (X-Forwarded-Proto).
func (s *Server) verifyLoginRedirect(w http.ResponseWriter, r *http.Request, fw forwarded) {
	scheme := "http"
	if s.opts.Proxies.IsHTTPS(r) {
		scheme = "https"
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, scheme+"://"+fw.host+"/auth/login?rd="+url.QueryEscape(fw.uri), http.StatusFound)
}

// isMethod reports whether m is an HTTP method token (RFC 9110 section 9.1).
func isMethod(m string) bool {
	if m == "" || len(m) > 32 {
		return false
	}
	for i := 0; i < len(m); i++ {
		c := m[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// isHostPort reports whether h looks like one host[:port]: a name, an IPv4 address or a
// bracketed IPv6 address, optionally with a port. Lists ("a, b") and anything that could
// break out of a URL's authority are refused.
func isHostPort(h string) bool {
	if h == "" || len(h) > 255 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(".-_:[]", c) >= 0) {
			return false
		}
	}
	if strings.HasPrefix(h, "[") {
		end := strings.IndexByte(h, ']')
		return end > 1 && (end == len(h)-1 || h[end+1] == ':' && isPort(h[end+2:]))
	}
	if strings.ContainsAny(h, "[]") {
		return false
	}
	name, port, hasPort := strings.Cut(h, ":")
	return name != "" && (!hasPort || isPort(port))
}

func isPort(p string) bool {
	if p == "" || len(p) > 5 {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return false
		}
	}
	return true
}
