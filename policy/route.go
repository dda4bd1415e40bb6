package policy

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/authgate/authgate/authn"
	"github.com/authgate/authgate/config"
)

// WhoamiUpstream names the built-in upstream that echoes the forwarded identity.
const WhoamiUpstream = "whoami"

// Route is one compiled rule of the table.
type Route struct {
	Name     string
	Prefix   string
	Methods  []string
	Host     string
	Strategy authn.Strategy
	Roles    []string
	MFA      bool
	// Upstream is nil for the built-in whoami service.
	Upstream *url.URL
	// IdentityToken forwards a signed identity token to the upstream.
	IdentityToken bool
}

// Matches reports whether the rule applies to a request for host, method and path.
// path must already be clean.
func (r *Route) Matches(host, method, path string) bool {
	if r.Host != "" && !strings.EqualFold(r.Host, host) {
		return false
	}
	if len(r.Methods) > 0 && !slices.Contains(r.Methods, method) {
		return false
	}
	if strings.HasPrefix(path, r.Prefix) {
		return true
	}
	// "/api" reaches the "/api/" rule too, so a route cannot be bypassed by its bare name.
	return strings.HasSuffix(r.Prefix, "/") && path == r.Prefix[:len(r.Prefix)-1]
}

// Authorize checks the principal against the route's role and MFA requirements.
func (r *Route) Authorize(p *authn.Principal) error {
	for _, role := range r.Roles {
		if !p.HasRole(role) {
			return fmt.Errorf("%w: %s", ErrMissingRole, role)
		}
	}
	if r.MFA && !p.MFA {
		return ErrMFARequired
	}
	return nil
}

// Table is the ordered route table; the first matching rule wins.
type Table struct {
	routes []*Route
}

// NewTable compiles the configured routes, taking each route's strategy from strategies.
func NewTable(routes []config.Route, strategies map[string]authn.Strategy) (*Table, error) {
	t := &Table{}
	for i, rc := range routes {
		s, ok := strategies[rc.Strategy]
		if !ok {
			return nil, fmt.Errorf("routes[%d].strategy: %q is not available", i, rc.Strategy)
		}
		r := &Route{
			Name:          rc.Name,
			Prefix:        rc.Prefix,
			Methods:       rc.Methods,
			Host:          rc.Host,
			Strategy:      s,
			Roles:         rc.Roles,
			MFA:           rc.MFA,
			IdentityToken: rc.IdentityToken,
		}
		if rc.Upstream != WhoamiUpstream {
			u, err := url.Parse(rc.Upstream)
			if err != nil {
				return nil, fmt.Errorf("routes[%d].upstream: %w", i, err)
			}
			r.Upstream = u
		}
		t.routes = append(t.routes, r)
	}
	return t, nil
}

// Match returns the first rule that applies, or nil.
func (t *Table) Match(host, method, path string) *Route {
	for _, r := range t.routes {
		if r.Matches(host, method, path) {
			return r
		}
	}
	return nil
}

// Routes returns the rules in order.
func (t *Table) Routes() []*Route { return t.routes }
