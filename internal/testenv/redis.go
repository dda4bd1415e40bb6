package testenv

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// readyWithin bounds how long a server may take to answer PING after it is started. It only
// limits a failing run: a passing one stops polling at the first PONG.
const readyWithin = 15 * time.Second

// RedisServer is one redis-server (or sentinel) process started by a test, listening on a
// loopback port of its own, with its files in a directory of the test's. The test's cleanup
// kills it. Its methods fail the test that started it.
type RedisServer struct {
	tb       testing.TB
	name     string
	dir      string
	conf     string
	port     int
	sentinel bool
	user     string // ACL user of URL, "" for the default user
	password string
	tls      *tls.Config // a client's configuration when the server speaks TLS only

	mu   sync.Mutex
	proc *redisProc // nil while stopped
}

type redisProc struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has been waited for
}

// RedisOption configures a standalone server started by Redis.
type RedisOption func(*redisConfig)

type redisConfig struct {
	lines    []string
	user     string
	password string
	tls      bool
}

// WithRequirePass protects the server with a password for the default user; URL carries it.
func WithRequirePass(password string) RedisOption {
	return func(c *redisConfig) {
		c.lines = append(c.lines, "requirepass "+password)
		c.user, c.password = "", password
	}
}

// WithACLUser adds an ACL user allowed every command and key; URL logs in as that user. The
// default user is left as it is (open, unless WithRequirePass is also given).
func WithACLUser(user, password string) RedisOption {
	return func(c *redisConfig) {
		c.lines = append(c.lines, fmt.Sprintf("user %s on >%s ~* &* +@all", user, password))
		c.user, c.password = user, password
	}
}

// WithACLRules adds an ACL user with exactly the given rules (such as "~ag:* +get"); URL logs
// in as that user.
func WithACLRules(user, password, rules string) RedisOption {
	return func(c *redisConfig) {
		c.lines = append(c.lines, fmt.Sprintf("user %s on >%s %s", user, password, rules))
		c.user, c.password = user, password
	}
}

// WithTLS makes the server speak TLS only, with a certificate for 127.0.0.1 made for it; URL
// is then rediss:// and TLSConfig trusts the certificate.
func WithTLS() RedisOption { return func(c *redisConfig) { c.tls = true } }

// WithConfig adds redis.conf directives, one per string ("maxmemory 64mb").
func WithConfig(directives ...string) RedisOption {
	return func(c *redisConfig) { c.lines = append(c.lines, directives...) }
}

// Redis starts a standalone redis-server without persistence on a free loopback port and
// returns when it answers PING. It is killed when tb ends. A missing redis-server binary fails
// the test: Redis is required, not optional.
func Redis(tb testing.TB, opts ...RedisOption) *RedisServer {
	tb.Helper()
	var c redisConfig
	for _, o := range opts {
		o(&c)
	}
	s := newRedisServer(tb, "redis", false, c.lines)
	if c.tls {
		s.tls = selfSignedTLS(tb, s.dir)
		s.writeConf(append(c.lines, "port 0", "tls-port "+strconv.Itoa(s.port),
			"tls-cert-file "+filepath.Join(s.dir, "tls.crt"), "tls-key-file "+filepath.Join(s.dir, "tls.key"),
			"tls-ca-cert-file "+filepath.Join(s.dir, "tls.crt"), "tls-auth-clients no"))
	}
	s.user, s.password = c.user, c.password
	s.start(true)
	return s
}

// redisBinary returns the path of redis-server, failing tb with the way to install it.
func redisBinary(tb testing.TB, name string) string {
	tb.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		tb.Fatalf("%s is required for this test and is not in PATH (%v).\n"+
			"Install it, for example\n\tapt-get install -y redis-server redis-tools\n"+
			"or run ./scripts/test-deps.sh.", name, err)
	}
	return path
}

// newRedisServer prepares a server's directory and configuration; start runs it. lines are
// extra configuration directives. A sentinel's configuration is written by its caller, which
// needs the port first.
func newRedisServer(tb testing.TB, name string, sentinel bool, lines []string) *RedisServer {
	tb.Helper()
	redisBinary(tb, "redis-server")
	dir, err := os.MkdirTemp(tb.TempDir(), name+"-")
	if err != nil {
		tb.Fatalf("testenv: %v", err)
	}
	s := &RedisServer{tb: tb, name: name, dir: dir, conf: filepath.Join(dir, "redis.conf"), sentinel: sentinel}
	// Registered after TempDir's own cleanup, so it runs first: the process is gone before
	// its directory is removed.
	tb.Cleanup(s.kill)
	if !sentinel {
		s.port = freePort(tb, containsPrefix(lines, "cluster-enabled yes"))
		s.writeConf(lines)
	}
	return s
}

func containsPrefix(lines []string, prefix string) bool {
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}

// writeConf writes the configuration of a redis-server: loopback only, no persistence, fast
// replication start-up, plus lines.
func (s *RedisServer) writeConf(lines []string) {
	base := []string{
		"port " + strconv.Itoa(s.port),
		"bind 127.0.0.1",
		"daemonize no",
		"dir " + s.dir,
		"logfile " + filepath.Join(s.dir, "redis.log"),
		`save ""`,
		"appendonly no",
		// Replicas sync over the socket at once instead of waiting 5s for more replicas.
		"repl-diskless-sync yes",
		"repl-diskless-sync-delay 0",
	}
	s.writeFile(s.conf, append(base, lines...))
}

func (s *RedisServer) writeFile(path string, lines []string) {
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		s.tb.Fatalf("testenv: %v", err)
	}
}

// freePort returns a loopback TCP port nobody listens on. With bus, port+10000 (a cluster
// node's bus port) is free as well.
func freePort(tb testing.TB, bus bool) int {
	tb.Helper()
	for range 100 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			tb.Fatalf("testenv: no free port: %v", err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		if !bus {
			l.Close()
			return port
		}
		if port+10000 <= 65535 {
			if l2, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port+10000)); err == nil {
				l2.Close()
				l.Close()
				return port
			}
		}
		l.Close()
	}
	tb.Fatalf("testenv: no free port pair for a cluster node")
	return 0
}

// Addr is the server's host:port.
func (s *RedisServer) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

// Port is the server's TCP port.
func (s *RedisServer) Port() int { return s.port }

// Dir is the server's directory: its configuration and its log.
func (s *RedisServer) Dir() string { return s.dir }

// URL is the server's redis:// URL (rediss:// with TLS), with the credentials it was started
// with.
func (s *RedisServer) URL() string {
	u := url.URL{Scheme: "redis", Host: s.Addr()}
	if s.tls != nil {
		u.Scheme = "rediss"
	}
	if s.password != "" {
		u.User = url.UserPassword(s.user, s.password)
	}
	return u.String()
}

// TLSConfig is a client configuration that trusts the server's certificate (nil without TLS).
func (s *RedisServer) TLSConfig() *tls.Config {
	if s.tls == nil {
		return nil
	}
	return s.tls.Clone()
}

// Log returns what the server has logged so far.
func (s *RedisServer) Log() string {
	var b strings.Builder
	for _, f := range []string{"redis.log", "stdout.log"} {
		if data, err := os.ReadFile(filepath.Join(s.dir, f)); err == nil && len(data) > 0 {
			fmt.Fprintf(&b, "--- %s/%s ---\n%s", s.name, f, data)
		}
	}
	return b.String()
}

// Running reports whether the process is up (it may not answer yet).
func (s *RedisServer) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		return false
	}
	select {
	case <-s.proc.done:
		return false
	default:
		return true
	}
}

// Start starts the stopped server again on the same port with the same configuration (and, as
// nothing is persisted, no data) and waits until it answers PING.
func (s *RedisServer) Start() {
	s.tb.Helper()
	s.start(false)
}

// start runs the process and waits for PING. On first start a port lost to another process in
// the meantime is replaced by a new one.
func (s *RedisServer) start(first bool) {
	s.tb.Helper()
	for attempt := 0; ; attempt++ {
		err := s.launch()
		if err == nil {
			err = s.waitReady()
		}
		if err == nil {
			return
		}
		log := s.Log()
		s.kill()
		if first && !s.sentinel && attempt < 3 && strings.Contains(log, "Address already in use") {
			s.port = freePort(s.tb, s.isClusterNode())
			s.rewritePort()
			continue
		}
		s.tb.Fatalf("testenv: %s on port %d did not start: %v\n%s", s.name, s.port, err, log)
	}
}

func (s *RedisServer) isClusterNode() bool {
	data, _ := os.ReadFile(s.conf)
	return strings.Contains(string(data), "\ncluster-enabled yes")
}

func (s *RedisServer) rewritePort() {
	data, err := os.ReadFile(s.conf)
	if err != nil {
		s.tb.Fatalf("testenv: %v", err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "port ") && l != "port 0":
			lines[i] = "port " + strconv.Itoa(s.port)
		case strings.HasPrefix(l, "tls-port "):
			lines[i] = "tls-port " + strconv.Itoa(s.port)
		}
	}
	s.writeFile(s.conf, lines)
}

func (s *RedisServer) launch() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc != nil {
		select {
		case <-s.proc.done:
		default:
			return errors.New("already running")
		}
	}
	args := []string{s.conf}
	if s.sentinel {
		args = append(args, "--sentinel")
	}
	cmd, done, err := startProcess(s.dir, "stdout.log", redisBinary(s.tb, "redis-server"), args, nil)
	if err != nil {
		return err
	}
	s.proc = &redisProc{cmd: cmd, done: done}
	return nil
}

// waitReady polls PING until the server answers PONG, the process exits or readyWithin passes.
func (s *RedisServer) waitReady() error {
	s.mu.Lock()
	p := s.proc
	s.mu.Unlock()
	deadline := time.Now().Add(readyWithin)
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			return fmt.Errorf("process exited: %v", p.cmd.ProcessState)
		default:
		}
		reply, err := s.do(200*time.Millisecond, "PING")
		if err == nil && reply == "PONG" {
			return nil
		}
		last = err
		time.Sleep(5 * time.Millisecond)
	}
	return fmt.Errorf("no PONG within %v (last error: %v)", readyWithin, last)
}

// Stop shuts the server down (SIGTERM to its process group; SIGKILL if it lingers) and waits
// for it to exit. Its port stays reserved for Start in the sense that nothing else of the test
// takes it.
func (s *RedisServer) Stop() { s.signal(syscall.SIGTERM) }

// Kill kills the server's process group at once, as a crash would, and waits for it to exit.
func (s *RedisServer) Kill() { s.signal(syscall.SIGKILL) }

func (s *RedisServer) kill() { s.signal(syscall.SIGKILL) }

func (s *RedisServer) signal(sig syscall.Signal) {
	s.mu.Lock()
	p := s.proc
	s.proc = nil
	s.mu.Unlock()
	if p == nil {
		return
	}
	pgid := p.cmd.Process.Pid
	_ = syscall.Kill(-pgid, sig)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.done
	}
	// Any forked child left in the group goes with it.
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
}

// Do sends one command to the server over a fresh connection (authenticated as URL is) and
// returns the reply: a string, an int64, nil, a []any of those, or an error for an error reply
// or a failed connection.
func (s *RedisServer) Do(args ...string) (any, error) {
	return s.do(5*time.Second, args...)
}

func (s *RedisServer) do(timeout time.Duration, args ...string) (any, error) {
	return respDo(s.Addr(), s.user, s.password, s.tls, timeout, args...)
}

// MustDo is Do that fails the test on an error.
func (s *RedisServer) MustDo(args ...string) any {
	s.tb.Helper()
	reply, err := s.Do(args...)
	if err != nil {
		s.tb.Fatalf("testenv: %s %s: %v", s.Addr(), strings.Join(args, " "), err)
	}
	return reply
}

// CLI runs redis-cli against the server with args and returns its output; a failure to run it
// fails the test.
func (s *RedisServer) CLI(args ...string) string {
	s.tb.Helper()
	all := append([]string{"-h", "127.0.0.1", "-p", strconv.Itoa(s.port)}, args...)
	if s.user != "" {
		all = append([]string{"--user", s.user}, all...)
	}
	if s.tls != nil {
		all = append([]string{"--tls", "--cacert", filepath.Join(s.dir, "tls.crt")}, all...)
	}
	cmd := exec.Command(redisBinary(s.tb, "redis-cli"), all...)
	if s.password != "" {
		cmd.Env = append(os.Environ(), "REDISCLI_AUTH="+s.password) // not on the command line
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		s.tb.Fatalf("testenv: redis-cli %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// infoField returns one field of INFO section ("" if absent).
func infoField(info, field string) string {
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), field+":"); ok {
			return v
		}
	}
	return ""
}
