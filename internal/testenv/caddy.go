package testenv

import (
	"path/filepath"
	"strings"
	"testing"
)

// Caddy starts a real Caddy (Debian's package) on a free loopback port and returns when it
// accepts connections. conf is a text/template of Caddyfile site blocks (no global options
// block: Caddy's is written here), executed with vars plus {{.Listen}}, the 127.0.0.1:port its
// site must be served on, and {{.Dir}}, its directory:
//
//	http://{{.Listen}} {
//		reverse_proxy {{.Upstream}}
//	}
//
// The admin endpoint is off and automatic HTTPS too; HOME, XDG_DATA_HOME and XDG_CONFIG_HOME,
// and so everything Caddy stores, are in that directory. The machine's Caddyfile and any caddy
// service are neither read nor needed. It is killed when tb ends, and its output is printed if
// tb failed. A missing caddy binary fails the test.
func Caddy(tb testing.TB, conf string, vars ProxyVars) *Proxy {
	tb.Helper()
	return startProxy(tb, proxySpec{
		name:    "caddy",
		binary:  "caddy",
		install: "caddy",
		config:  caddyConfig,
		env:     (*Proxy).baseEnv,
	}, conf, vars)
}

// caddyConfig writes the Caddyfile, global options first, and returns caddy's arguments.
func caddyConfig(p *Proxy, user string) []string {
	var b strings.Builder
	b.WriteString("# Written by authgate's internal/testenv for one test.\n{\n")
	b.WriteString("\tadmin off\n\tauto_https off\n")
	b.WriteString("\tstorage file_system " + filepath.Join(p.dir, "data", "caddy") + "\n")
	b.WriteString("}\n\n")
	b.WriteString(strings.TrimSpace(user))
	b.WriteString("\n")
	conf := p.writeFile("Caddyfile", b.String())
	return []string{"run", "--config", conf, "--adapter", "caddyfile"}
}
