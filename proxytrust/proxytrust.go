package proxytrust

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

// Proxies is the set of addresses whose forwarded headers are trusted.
type Proxies struct {
	prefixes []netip.Prefix
}

// Parse builds the set from IP addresses and CIDR prefixes.
func Parse(list []string) (*Proxies, error) {
	p := &Proxies{}
	for i, s := range list {
		if pfx, err := netip.ParsePrefix(s); err == nil {
			p.prefixes = append(p.prefixes, pfx.Masked())
			continue
		}
		addr, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("trusted_proxies[%d]: %q is not an IP address or CIDR", i, s)
		}
		p.prefixes = append(p.prefixes, netip.PrefixFrom(addr, addr.BitLen()))
	}
	return p, nil
}

// contains reports whether the address is a trusted proxy.
func (p *Proxies) contains(addr netip.Addr) bool {
	addr = addr.Unmap()
	for _, pfx := range p.prefixes {
		if pfx.Contains(addr) {
			return true
		}
	}
	return false
}

// remote returns the address of the peer that sent the request.
func remote(r *http.Request) (netip.Addr, bool) {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}, false
	}
	return ap.Addr().Unmap(), true
}

// Trusted reports whether the request came directly from a trusted proxy.
func (p *Proxies) Trusted(r *http.Request) bool {
	addr, ok := remote(r)
	return ok && p.contains(addr)
}

// IsHTTPS reports whether the client's request reached us over HTTPS: directly over TLS, or
// through a trusted proxy that says so in X-Forwarded-Proto.
func (p *Proxies) IsHTTPS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	proto := r.Header.Get("X-Forwarded-Proto")
	// The header is checked before the peer's address, which costs a parse.
	return proto != "" && strings.EqualFold(strings.TrimSpace(firstValue(proto)), "https") && p.Trusted(r)
}

// ClientIP returns the address of the client: the peer, or, when the peer is a trusted proxy,
// the nearest address in X-Forwarded-For that is not itself a trusted proxy.
func (p *Proxies) ClientIP(r *http.Request) string {
	addr, ok := remote(r)
	if !ok {
		return ""
	}
	if !p.contains(addr) {
		return addr.String()
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		if !p.contains(hop) {
			return hop.Unmap().String()
		}
		addr = hop
	}
	return addr.Unmap().String()
}

// ForwardedHeader returns a forwarded header's value when the request came from a trusted
// proxy, and "" otherwise.
func (p *Proxies) ForwardedHeader(r *http.Request, name string) string {
	if !p.Trusted(r) {
		return ""
	}
	return r.Header.Get(name)
}

func firstValue(v string) string {
	first, _, _ := strings.Cut(v, ",")
	return first
}
