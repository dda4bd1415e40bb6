package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Nginx starts a real nginx (Debian's package) on a free loopback port and returns when it
// accepts connections. conf is a text/template of what goes inside nginx's http block (server,
// upstream and map blocks), executed with vars plus {{.Listen}}, the 127.0.0.1:port its server
// must listen on, and {{.Dir}}, its directory:
//
//	server {
//		listen {{.Listen}};
//		location / { proxy_pass http://{{.Upstream}}; }
//	}
//
// The pid file, logs and temporary files stay in that directory; the machine's nginx
// configuration and any nginx service are neither read nor needed. It is killed when tb ends,
// and its logs are printed if tb failed. A missing nginx binary fails the test.
func Nginx(tb testing.TB, conf string, vars ProxyVars) *Proxy {
	tb.Helper()
	return startProxy(tb, proxySpec{
		name:    "nginx",
		binary:  "nginx",
		install: "nginx",
		logs:    []string{"error.log", "access.log"},
		config:  nginxConfig,
		env:     (*Proxy).baseEnv,
	}, conf, vars)
}

// nginxConfig writes nginx.conf around the user's http-block contents and returns nginx's
// arguments: the prefix and configuration in the proxy's directory, the startup error log
// there too (-e, before the configuration is read), and no daemon, so that the process the
// test started is the master it stops.
func nginxConfig(p *Proxy, user string) []string {
	dir := p.dir
	path := func(name string) string { return filepath.Join(dir, name) }
	var b strings.Builder
	b.WriteString("# Written by authgate's internal/testenv for one test.\n")
	if os.Geteuid() == 0 {
		// Workers would otherwise drop to an account that cannot enter the test's directory.
		b.WriteString("user root;\n")
	}
	fmt.Fprintf(&b, "worker_processes 1;\npid %s;\nerror_log %s notice;\n", path("nginx.pid"), path("error.log"))
	b.WriteString("events { worker_connections 256; }\n")
	b.WriteString("http {\n")
	fmt.Fprintf(&b, "\taccess_log %s;\n", path("access.log"))
	for _, t := range []string{"client_body", "proxy", "fastcgi", "uwsgi", "scgi"} {
		fmt.Fprintf(&b, "\t%s_temp_path %s;\n", t, path("tmp_"+t))
	}
	b.WriteString(user)
	b.WriteString("\n}\n")
	conf := p.writeFile("nginx.conf", b.String())
	return []string{"-p", dir + "/", "-c", conf, "-e", path("error.log"), "-g", "daemon off;"}
}
