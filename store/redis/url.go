package redis

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// topology is the kind of deployment a URL names.
type topology int

const (
	standalone topology = iota
	sentinel
	cluster
)

func (t topology) String() string {
	return [...]string{"standalone", "sentinel", "cluster"}[t]
}

// endpoint is a parsed authgate Redis URL.
type endpoint struct {
	kind     topology
	tls      bool
	addrs    []string // host:port, at least one; sentinels for a sentinel URL
	user     string
	password string
	db       int
	master   string // sentinel master set name
}

// schemes maps each accepted scheme to its topology and TLS use.
var schemes = map[string]struct {
	kind topology
	tls  bool
}{
	"redis":           {standalone, false},
	"rediss":          {standalone, true},
	"redis-sentinel":  {sentinel, false},
	"rediss-sentinel": {sentinel, true},
	"redis-cluster":   {cluster, false},
	"rediss-cluster":  {cluster, true},
}

func invalidURL(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidURL, fmt.Sprintf(format, args...))
}

// parseURL parses authgate's Redis URL forms:
//
//	redis://[user:pass@]host:port[/db]                              (rediss:// for TLS)
//	redis-sentinel://[user:pass@]host1:port,host2:port/master[?db=N] (rediss-sentinel://)
//	redis-cluster://[user:pass@]host1:port,host2:port,...            (rediss-cluster://)
//
// Ports default to 6379 (26379 for sentinels). The credentials may contain any character, '@'
// and '/' included, percent-encoded or not: everything before the last '@' is credentials.
// Errors never quote them.
func parseURL(raw string) (endpoint, error) {
	var ep endpoint
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return ep, invalidURL("no scheme; want redis://, rediss://, redis-sentinel:// or redis-cluster://")
	}
	s, ok := schemes[strings.ToLower(scheme)]
	if !ok {
		const want = "want redis, rediss, redis-sentinel, rediss-sentinel, redis-cluster or rediss-cluster"
		if len(scheme) > 20 || strings.ContainsAny(scheme, "@:/") {
			return ep, invalidURL("unknown scheme; %s", want) // it may hold credentials: not quoted
		}
		return ep, invalidURL("unknown scheme %q; %s", scheme, want)
	}
	ep.kind, ep.tls = s.kind, s.tls

	if at := strings.LastIndexByte(rest, '@'); at >= 0 {
		userinfo := rest[:at]
		rest = rest[at+1:]
		user, pass, _ := strings.Cut(userinfo, ":")
		var err error
		if ep.user, err = url.PathUnescape(user); err != nil {
			return ep, invalidURL("bad percent-encoding in the user name")
		}
		if ep.password, err = url.PathUnescape(pass); err != nil {
			return ep, invalidURL("bad percent-encoding in the password")
		}
	}
	if strings.Contains(rest, "#") {
		return ep, invalidURL("a fragment (#) is not allowed")
	}
	rest, rawQuery, _ := strings.Cut(rest, "?")
	hostlist, path, _ := strings.Cut(rest, "/")

	defaultPort := "6379"
	if ep.kind == sentinel {
		defaultPort = "26379"
	}
	if hostlist == "" {
		return ep, invalidURL("no host")
	}
	for _, h := range strings.Split(hostlist, ",") {
		addr, err := hostPort(h, defaultPort)
		if err != nil {
			return ep, err
		}
		ep.addrs = append(ep.addrs, addr)
	}
	if ep.kind == standalone && len(ep.addrs) > 1 {
		return ep, invalidURL("%d hosts in a %s URL; list several only with redis-sentinel:// or redis-cluster://", len(ep.addrs), scheme)
	}

	switch ep.kind {
	case standalone:
		if path != "" {
			db, err := strconv.Atoi(path)
			if err != nil || db < 0 {
				return ep, invalidURL("path %q is not a database number", path)
			}
			ep.db = db
		}
	case sentinel:
		name, err := url.PathUnescape(path)
		if err != nil || name == "" || strings.Contains(name, "/") {
			return ep, invalidURL("a sentinel URL needs the master name as its path: redis-sentinel://host1:port,host2:port/mymaster")
		}
		ep.master = name
	case cluster:
		if path != "" {
			return ep, invalidURL("a cluster URL has no path (a cluster has only database 0)")
		}
	}

	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return ep, invalidURL("bad query string")
	}
	for k, vs := range q {
		switch k {
		case "db":
			if ep.kind == cluster {
				return ep, invalidURL("db is not allowed in a cluster URL (a cluster has only database 0)")
			}
			db, err := strconv.Atoi(vs[len(vs)-1])
			if err != nil || db < 0 {
				return ep, invalidURL("db=%q is not a database number", vs[len(vs)-1])
			}
			ep.db = db
		default:
			return ep, invalidURL("unknown query parameter %q (only db is accepted)", k)
		}
	}
	return ep, nil
}

// hostPort validates one host[:port] of a URL and returns host:port.
func hostPort(h, defaultPort string) (string, error) {
	if h == "" {
		return "", invalidURL("empty host in the host list")
	}
	host, port, err := net.SplitHostPort(h)
	if err != nil {
		// No port: the whole of h is the host (an IPv6 one in brackets).
		host, port = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]"), defaultPort
		if strings.ContainsAny(host, "[]") || (strings.Contains(host, ":") && !strings.HasPrefix(h, "[")) {
			return "", invalidURL("host %q: write host:port, with an IPv6 address in brackets", h)
		}
	}
	if host == "" {
		return "", invalidURL("host %q has no name", h)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", invalidURL("host %q: port %q is not a number from 1 to 65535", h, port)
	}
	return net.JoinHostPort(host, port), nil
}
