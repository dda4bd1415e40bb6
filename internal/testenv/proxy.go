package testenv

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"text/template"
	"time"
)

// Proxy is one reverse proxy process (nginx or Caddy) started by a test, listening on a loopback
// port of its own, with its configuration, logs and state in a directory of the test's. The
// test's cleanup kills it.
type Proxy struct {
	tb       testing.TB
	name     string
	dir      string
	port     int
	logFiles []string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has been waited for
}

// ProxyVars are the values a proxy's configuration template is executed with, by name
// ({{.Upstream}}). Listen, the loopback host:port the proxy must listen on, and Dir, its
// directory, are added.
type ProxyVars map[string]string

// proxySpec says how to run one kind of proxy.
type proxySpec struct {
	name    string // "nginx", "caddy"
	binary  string
	install string // the Debian package, for the failure message
	// config writes the full configuration around the user's part and returns the arguments.
	config func(p *Proxy, user string) []string
	env    func(p *Proxy) []string
	// logs lists the log files (in dir) worth printing on failure, besides its output.
	logs []string
}

// proxyReadyWithin bounds how long a proxy may take to listen after it is started. It only
// limits a failing run: a passing one stops polling at the first accepted connection.
const proxyReadyWithin = 15 * time.Second

// startProxy runs the proxy with the configuration template conf executed with vars, waits
// until it accepts connections on its port, and registers its end with tb.
func startProxy(tb testing.TB, spec proxySpec, conf string, vars ProxyVars) *Proxy {
	tb.Helper()
	bin, err := lookPath(spec.binary)
	if err != nil {
		tb.Fatalf("%s not found: install Debian's %s (make test-deps does): apt-get install -y %s (%v)",
			spec.binary, spec.install, spec.install, err)
	}
	tmpl, err := template.New(spec.name).Option("missingkey=error").Parse(conf)
	if err != nil {
		tb.Fatalf("testenv: %s configuration template: %v", spec.name, err)
	}
	dir, err := os.MkdirTemp(tb.TempDir(), spec.name+"-")
	if err != nil {
		tb.Fatalf("testenv: %v", err)
	}
	p := &Proxy{tb: tb, name: spec.name, dir: dir, logFiles: spec.logs}
	// Registered after TempDir's own cleanup, so it runs first: the process is gone before its
	// directory is removed. The logs are printed, before that, if the test failed.
	tb.Cleanup(p.kill)
	started := false
	tb.Cleanup(func() {
		if started && tb.Failed() {
			tb.Logf("%s logs:\n%s", spec.name, p.Logs())
		}
	})
	for attempt := 0; ; attempt++ {
		p.port = loopbackPort(tb)
		data := map[string]string{}
		for k, v := range vars {
			data[k] = v
		}
		data["Listen"] = p.Addr()
		data["Dir"] = dir
		var user strings.Builder
		if err := tmpl.Execute(&user, data); err != nil {
			tb.Fatalf("testenv: %s configuration template: %v", spec.name, err)
		}
		err := p.launch(bin, spec.config(p, user.String()), spec.env(p))
		if err == nil {
			err = p.waitReady()
		}
		if err == nil {
			started = true
			return p
		}
		log := p.Logs()
		p.kill()
		// Another process may have taken the port between our probe and the proxy's bind.
		if attempt < 3 && strings.Contains(strings.ToLower(log), "address already in use") {
			continue
		}
		tb.Fatalf("testenv: %s on %s did not start: %v\n%s", spec.name, p.Addr(), err, log)
	}
}

// sbinDirs are searched after PATH: Debian installs nginx in /usr/sbin, which a non-root
// user's PATH often lacks.
var sbinDirs = []string{"/usr/sbin", "/sbin"}

// lookPath finds a binary in PATH, then in sbinDirs.
func lookPath(name string) (string, error) {
	path, err := exec.LookPath(name)
	if err == nil {
		return path, nil
	}
	for _, dir := range sbinDirs {
		if p, err := exec.LookPath(filepath.Join(dir, name)); err == nil {
			return p, nil
		}
	}
	return "", err
}

// loopbackPort returns a loopback TCP port nobody listens on at the moment.
func loopbackPort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("testenv: no free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Addr is the proxy's listening host:port.
func (p *Proxy) Addr() string { return "127.0.0.1:" + strconv.Itoa(p.port) }

// URL is the proxy's base URL, http://127.0.0.1:port.
func (p *Proxy) URL() string { return "http://" + p.Addr() }

// Dir is the proxy's directory: configuration, logs, state.
func (p *Proxy) Dir() string { return p.dir }

// Logs returns what the proxy has logged so far: its output and its log files.
func (p *Proxy) Logs() string {
	var b strings.Builder
	for _, f := range append([]string{"output.log"}, p.logFiles...) {
		if data, err := os.ReadFile(filepath.Join(p.dir, f)); err == nil && len(data) > 0 {
			fmt.Fprintf(&b, "--- %s/%s ---\n%s", p.name, f, data)
		}
	}
	return b.String()
}

func (p *Proxy) writeFile(name, content string) string {
	path := filepath.Join(p.dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		p.tb.Fatalf("testenv: %v", err)
	}
	return path
}

func (p *Proxy) launch(bin string, args, env []string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd != nil {
		return errors.New("already running")
	}
	cmd, done, err := startProcess(p.dir, "output.log", bin, args, env)
	if err != nil {
		return err
	}
	p.cmd, p.done = cmd, done
	return nil
}

// waitReady polls the port until it accepts a connection, the process exits or
// proxyReadyWithin passes.
func (p *Proxy) waitReady() error {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.mu.Unlock()
	deadline := time.Now().Add(proxyReadyWithin)
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-done:
			return fmt.Errorf("process exited: %v", cmd.ProcessState)
		default:
		}
		c, err := net.DialTimeout("tcp", p.Addr(), 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		last = err
		time.Sleep(5 * time.Millisecond)
	}
	return fmt.Errorf("not listening within %v (last error: %v)", proxyReadyWithin, last)
}

// kill kills the proxy's process group and waits for it to exit.
func (p *Proxy) kill() {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.cmd, p.done = nil, nil
	p.mu.Unlock()
	if cmd == nil {
		return
	}
	pgid := cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	<-done
	// Workers the master forked are in its group: make sure they are gone too.
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
}

// baseEnv is the environment of a proxy process: the test's, less anything that would point it
// at the machine's own configuration or state, with HOME and the XDG directories in dir.
func (p *Proxy) baseEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k == "HOME" || strings.HasPrefix(k, "XDG_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"HOME="+filepath.Join(p.dir, "home"),
		"XDG_DATA_HOME="+filepath.Join(p.dir, "data"),
		"XDG_CONFIG_HOME="+filepath.Join(p.dir, "config"),
	)
}
