package redis_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/authgate/authgate/internal/testenv"
	"github.com/authgate/authgate/store/redis"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		url  string
		want redis.Endpoint
	}{
		{"redis://127.0.0.1:6380", redis.Endpoint{Kind: "standalone", Addrs: []string{"127.0.0.1:6380"}}},
		{"redis://cache.internal", redis.Endpoint{Kind: "standalone", Addrs: []string{"cache.internal:6379"}}},
		{"redis://u:p@h:1/2", redis.Endpoint{Kind: "standalone", Addrs: []string{"h:1"}, User: "u", Password: "p", DB: 2}},
		{"redis://:only-pass@h:1/", redis.Endpoint{Kind: "standalone", Addrs: []string{"h:1"}, Password: "only-pass"}},
		{"rediss://[::1]:6390?db=4", redis.Endpoint{Kind: "standalone", TLS: true, Addrs: []string{"[::1]:6390"}, DB: 4}},
		{"REDIS://[::1]", redis.Endpoint{Kind: "standalone", Addrs: []string{"[::1]:6379"}}},
		// Credentials are everything before the last '@', escaped or not.
		{"redis://gate:p%40ss%2Fw0rd@h:1", redis.Endpoint{Kind: "standalone", Addrs: []string{"h:1"}, User: "gate", Password: "p@ss/w0rd"}},
		{"redis://gate:p@ss/w#rd?x@h:1", redis.Endpoint{Kind: "standalone", Addrs: []string{"h:1"}, User: "gate", Password: "p@ss/w#rd?x"}},
		{"redis-sentinel://s1:26379,s2,[::1]:26381/mymaster", redis.Endpoint{Kind: "sentinel",
			Addrs: []string{"s1:26379", "s2:26379", "[::1]:26381"}, Master: "mymaster"}},
		{"rediss-sentinel://u:p@s1:1/m?db=3", redis.Endpoint{Kind: "sentinel", TLS: true, Addrs: []string{"s1:1"},
			User: "u", Password: "p", DB: 3, Master: "m"}},
		{"redis-cluster://n1:7000,n2:7001,n3:7002", redis.Endpoint{Kind: "cluster", Addrs: []string{"n1:7000", "n2:7001", "n3:7002"}}},
		{"rediss-cluster://:pw@n1:7000/", redis.Endpoint{Kind: "cluster", TLS: true, Addrs: []string{"n1:7000"}, Password: "pw"}},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			got, err := redis.ParseURL(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			if got.Kind != tc.want.Kind || got.TLS != tc.want.TLS || !slices.Equal(got.Addrs, tc.want.Addrs) ||
				got.User != tc.want.User || got.Password != tc.want.Password || got.DB != tc.want.DB || got.Master != tc.want.Master {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestParseURLErrors(t *testing.T) {
	const secret = "hunter2-secret"
	tests := []struct{ url, says string }{
		{"127.0.0.1:6379", "no scheme"},
		{"http://u:" + secret + "@h:1", `unknown scheme "http"`},
		{"u:" + secret + "@redis://h:1", "unknown scheme"},
		{"redis://u:" + secret + "@", "no host"},
		{"redis://u:" + secret + "@h1:1,h2:2", "2 hosts"},
		{"redis://u:" + secret + "@h:1/x", "not a database number"},
		{"redis://u:" + secret + "@h:1/-1", "not a database number"},
		{"redis://u:" + secret + "@h:99999", "port"},
		{"redis://u:" + secret + "@h:port", "port"},
		{"redis://u:" + secret + "@::1", "IPv6"},
		{"redis-cluster://u:" + secret + "@h1:1,,h2:2", "empty host"},
		{"redis-cluster://u:" + secret + "@h1:1/2", "cluster URL has no path"},
		{"redis-cluster://u:" + secret + "@h1:1?db=2", "db is not allowed"},
		{"redis-sentinel://u:" + secret + "@s1:1", "master name"},
		{"redis-sentinel://u:" + secret + "@s1:1/", "master name"},
		{"redis-sentinel://u:" + secret + "@s1:1/m/x", "master name"},
		{"redis://u:" + secret + "@h:1?timeout=3s", `unknown query parameter "timeout"`},
		{"redis://u:" + secret + "@h:1?db=x", "not a database number"},
		{"redis://u:" + secret + "%zz@h:1", "percent-encoding in the password"},
		{"redis://u:" + secret + "@h:1#frag", "fragment"},
	}
	for _, tc := range tests {
		_, err := redis.ParseURL(tc.url)
		if !errors.Is(err, redis.ErrInvalidURL) {
			t.Errorf("ParseURL(%q) = %v, want ErrInvalidURL", tc.url, err)
			continue
		}
		if !strings.Contains(err.Error(), tc.says) {
			t.Errorf("ParseURL(%q) = %q, want it to say %q", tc.url, err, tc.says)
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("ParseURL(%q) = %q leaks the password", tc.url, err)
		}
	}
}

func TestOpenAuthentication(t *testing.T) {
	ctx := context.Background()
	t.Run("requirepass", func(t *testing.T) {
		srv := testenv.Redis(t, testenv.WithRequirePass("right-pass"))
		open(t, srv.URL()) // Open pings
		_, err := redis.Open(ctx, strings.Replace(srv.URL(), "right-pass", "wrong-pass", 1))
		if err == nil || strings.Contains(err.Error(), "wrong-pass") {
			t.Errorf("Open with a wrong password = %v, want an error without the password", err)
		}
	})
	t.Run("ACL user", func(t *testing.T) {
		srv := testenv.Redis(t, testenv.WithACLUser("gate", "gate-pass"))
		c := open(t, srv.URL())
		st := redis.NewSessionStore(c)
		s := newSession(newSubject(), time.Now())
		mustCreate(t, st, s)
		cacheFind(t, c, st, s)
	})
}

func TestOpenTopologyMismatch(t *testing.T) {
	srv := testenv.Redis(t)
	_, err := redis.Open(context.Background(), "redis-cluster://"+srv.Addr())
	if !errors.Is(err, redis.ErrTopology) {
		t.Errorf("Open(redis-cluster:// on a standalone server) = %v, want ErrTopology", err)
	}
	if _, err := redis.Open(context.Background(), "redis://127.0.0.1:1"); err == nil {
		t.Error("Open on a closed port: no error")
	}
}

func TestOpenTLS(t *testing.T) {
	srv := testenv.Redis(t, testenv.WithTLS())
	c := open(t, srv.URL(), redis.WithTLSConfig(srv.TLSConfig()))
	st := redis.NewSessionStore(c)
	s := newSession(newSubject(), time.Now())
	mustCreate(t, st, s)
	cacheFind(t, c, st, s)
	// Without the test CA the server's certificate is not trusted.
	if _, err := redis.Open(context.Background(), srv.URL()); err == nil {
		t.Error("Open trusted a self-signed certificate")
	}
	if _, err := redis.Open(context.Background(), strings.Replace(srv.URL(), "rediss://", "redis://", 1)); err == nil {
		t.Error("Open spoke plain text to a TLS-only server")
	}
}
