package gateway

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/authgate/authgate/accounts"
	"github.com/authgate/authgate/audit"
	"github.com/authgate/authgate/authn"
	"github.com/authgate/authgate/policy"
	"github.com/authgate/authgate/proxytrust"
	"github.com/authgate/authgate/refresh"
	"github.com/authgate/authgate/revocation"
	"github.com/authgate/authgate/session"
	"github.com/authgate/authgate/throttle"
	"github.com/authgate/authgate/token"
)

// Checker reports whether a dependency is reachable, for /readyz.
type Checker struct {
	Name  string
	Check func(ctx context.Context) error
}

// Options are the parts a Server is built from.
type Options struct {
	Routes   *policy.Table
	Accounts *accounts.Service
	Refresh  *refresh.Service
	Keys     *token.Keyring
	// Bearer authenticates bearer tokens on authgate's own endpoints (/auth/me, logout).
	Bearer authn.Strategy
	// Session authenticates session cookies on authgate's own endpoints and session routes.
	Session authn.Strategy
	// Sessions creates and ends browser sessions.
	Sessions *session.Manager
	// Audit records security events.
	Audit *audit.Recorder
	// Guard slows password and code guessing.
	Guard *throttle.Guard
	// IdentityIssuer signs the identity tokens of routes that forward one.
	IdentityIssuer *token.Issuer
	// Revoker puts logged-out bearer tokens on the revocation list.
	Revoker *revocation.Revoker
	// Proxies decides which forwarded headers to believe.
	Proxies *proxytrust.Proxies
	Ready   []Checker
	// Registry receives the gateway's metrics; nil means a new registry.
	Registry     *prometheus.Registry
	Logger       *slog.Logger
	MaxBodyBytes int64
	// LoginTimeout bounds how long a login waits for a free password hasher.
	LoginTimeout time.Duration
}

// Server serves authgate's endpoints and proxies matched routes.
type Server struct {
	opts    Options
	log     *slog.Logger
	own     *http.ServeMux
	proxies map[*policy.Route]http.Handler
	metrics *metrics
	csrf    *http.CrossOriginProtection
	audit   *audit.Recorder
	idTok   *identityTokens
}

// New builds the server.
func New(o Options) (*Server, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Registry == nil {
		o.Registry = prometheus.NewRegistry()
	}
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = 64 << 10
	}
	if o.LoginTimeout == 0 {
		o.LoginTimeout = 10 * time.Second
	}
	if o.Session == nil {
		o.Session = authn.NotImplemented(authn.Session)
	}
	if o.Proxies == nil {
		o.Proxies, _ = proxytrust.Parse(nil)
	}
	s := &Server{opts: o, log: o.Logger, proxies: map[*policy.Route]http.Handler{}, csrf: http.NewCrossOriginProtection()}
	m, err := newMetrics(o.Registry, o.Routes)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	s.metrics = m
	s.audit = o.Audit
	if o.IdentityIssuer != nil {
		s.idTok = newIdentityTokens(o.IdentityIssuer)
	}
	for _, r := range o.Routes.Routes() {
		if r.Upstream == nil {
			s.proxies[r] = http.HandlerFunc(whoami)
		} else {
			s.proxies[r] = s.reverseProxy(r)
		}
	}
	s.own = s.ownRoutes()
	return s, nil
}

// ServeHTTP strips client-sent identity headers, then serves authgate's own endpoints or the
// first matching route.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	stripIdentityHeaders(r.Header)
	path := r.URL.Path
	if !isCleanPath(path) {
		s.fail(w, r, errBadPath, false)
		return
	}
	if isOwnPath(path) {
		s.own.ServeHTTP(w, r)
		return
	}
	route := s.opts.Routes.Match(hostname(r.Host), r.Method, path)
	if route == nil {
		s.fail(w, r, errNotFound, false)
		return
	}
	s.serveRoute(w, r, route)
}

// serveRoute authenticates and authorizes the request for the route, then hands it upstream.
func (s *Server) serveRoute(w http.ResponseWriter, r *http.Request, route *policy.Route) {
	p, err := s.checkRoute(r, route)
	if err != nil {
		cookieRoute := route.Strategy.Name() == authn.Session
		if cookieRoute && classify(err).status == http.StatusUnauthorized && wantsHTML(r) {
			loginRedirect(w, r)
			return
		}
		s.fail(w, r, err, !cookieRoute)
		return
	}
	if err := s.setIdentityToken(r.Header, route, p); err != nil {
		s.fail(w, r, err, false)
		return
	}
	setIdentityHeaders(r.Header, route.Name, p)
	s.proxies[route].ServeHTTP(w, r)
}

// checkRoute authenticates r with the route's strategy and authorizes the principal for the
// route, recording the check's duration and outcome in the route's metrics. It is the one
// decision behind both proxied routes and forward auth (/auth/verify).
func (s *Server) checkRoute(r *http.Request, route *policy.Route) (*authn.Principal, error) {
	rm := s.metrics.routes[route]
	start := time.Now()
	p, err := route.Strategy.Authenticate(r)
	rm.check.Observe(time.Since(start).Seconds())
	if err == nil {
		err = route.Authorize(p)
	}
	if err != nil {
		rm.outcome(classify(err).status).Inc()
		return nil, err
	}
	rm.allowed.Inc()
	return p, nil
}

func (s *Server) reverseProxy(route *policy.Route) http.Handler {
	target := route.Upstream
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.SetXForwarded()
			pr.Out.Host = pr.In.Host
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			s.log.WarnContext(r.Context(), "upstream failed", "route", route.Name, "err", err)
			writeJSON(w, http.StatusBadGateway, errorBody{Error: "bad_gateway", Message: "The upstream service did not answer."})
		},
	}
}

// isOwnPath reports whether the path belongs to authgate itself rather than the route table.
func isOwnPath(path string) bool {
	return strings.HasPrefix(path, "/auth/") || strings.HasPrefix(path, "/.well-known/") ||
		path == "/healthz" || path == "/readyz" || path == "/metrics"
}

// isCleanPath reports whether path is absolute and free of empty, "." and ".." segments, so
// that a prefix match cannot be escaped by a path the upstream would resolve differently.
func isCleanPath(path string) bool {
	if path == "" || path[0] != '/' {
		return false
	}
	for seg := range strings.SplitSeq(path[1:], "/") {
		if seg == "." || seg == ".." {
			return false
		}
	}
	return !strings.Contains(path, "//") && !strings.Contains(path, "\\")
}

// hostname returns host without its port.
func hostname(host string) string {
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		return host[:i]
	}
	return host
}
