package testenv

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// echoUpstream answers every request with its method and path.
func echoUpstream(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "upstream saw %s %s", r.Method, r.URL.RequestURI())
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

func get(t *testing.T, url string) string {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, res.StatusCode, body)
	}
	return string(body)
}

func TestProxiesServeTheirConfiguration(t *testing.T) {
	cases := []struct {
		name  string
		start func(testing.TB, string, ProxyVars) *Proxy
		conf  string
		files []string // files the proxy must have written in its own directory
	}{
		{"nginx", Nginx, `
server {
	listen {{.Listen}};
	location / { proxy_pass http://{{.Upstream}}; }
}`, []string{"nginx.pid", "access.log", "error.log"}},
		{"caddy", Caddy, `
http://{{.Listen}} {
	reverse_proxy {{.Upstream}}
}`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			up := echoUpstream(t)
			var p *Proxy
			t.Run("running", func(t *testing.T) {
				p = tc.start(t, tc.conf, ProxyVars{"Upstream": up})
				if got := get(t, p.URL()+"/some/path?q=1"); got != "upstream saw GET /some/path?q=1" {
					t.Errorf("through %s: %q", tc.name, got)
				}
				for _, f := range tc.files {
					if _, err := os.Stat(filepath.Join(p.Dir(), f)); err != nil {
						t.Errorf("%s wrote no %s in its directory: %v", tc.name, f, err)
					}
				}
			})
			if p == nil {
				return
			}
			// The test that started it has ended: the process and its workers are gone.
			if c, err := net.DialTimeout("tcp", p.Addr(), time.Second); err == nil {
				c.Close()
				t.Errorf("%s still accepts connections after its test ended", tc.name)
			}
		})
	}
}

// fatalRecorder is a testing.TB whose Fatalf records the message and ends the goroutine, as
// the real one does.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (f *fatalRecorder) Helper() {}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// fatalOf runs start with a recorder and returns the message it failed with ("" if none).
func fatalOf(t *testing.T, start func(tb testing.TB)) string {
	rec := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		start(rec)
	}()
	<-done
	return rec.msg
}

func TestProxyMissingBinaryFailsWithInstallHint(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	saved := sbinDirs
	sbinDirs = nil
	defer func() { sbinDirs = saved }()
	msg := fatalOf(t, func(tb testing.TB) { Nginx(tb, "", nil) })
	if !strings.HasPrefix(msg, "nginx not found: install Debian's nginx (make test-deps does)") {
		t.Errorf("missing nginx: %q", msg)
	}
	msg = fatalOf(t, func(tb testing.TB) { Caddy(tb, "", nil) })
	if !strings.HasPrefix(msg, "caddy not found: install Debian's caddy (make test-deps does)") {
		t.Errorf("missing caddy: %q", msg)
	}
}

func TestProxyBadConfigurationFailsWithItsLog(t *testing.T) {
	msg := fatalOf(t, func(tb testing.TB) { Nginx(tb, "no_such_directive on;", nil) })
	if !strings.Contains(msg, "did not start") || !strings.Contains(msg, `unknown directive "no_such_directive"`) {
		t.Errorf("bad nginx configuration: %q", msg)
	}
	msg = fatalOf(t, func(tb testing.TB) { Caddy(tb, "http://{{.Listen}} {\n\tno_such_directive\n}", nil) })
	if !strings.Contains(msg, "did not start") || !strings.Contains(msg, "no_such_directive") {
		t.Errorf("bad Caddy configuration: %q", msg)
	}
	msg = fatalOf(t, func(tb testing.TB) { Caddy(tb, "{{.Missing}}", nil) })
	if !strings.Contains(msg, "template") {
		t.Errorf("template naming an unknown value: %q", msg)
	}
}
