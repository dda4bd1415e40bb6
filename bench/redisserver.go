package bench

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// redisReadyWithin bounds how long a private redis-server may take to answer PING.
const redisReadyWithin = 10 * time.Second

// RedisServer is a private redis-server the bench starts on a free loopback port, without
// persistence, its files in a directory of its own. Close stops it.
type RedisServer struct {
	dir  string
	port int
	cmd  *exec.Cmd
	done chan struct{}
}

// StartRedisServer starts redis-server from PATH with its files under dir and returns once
// it answers PING. Without the binary it returns ErrNoRedisServer.
func StartRedisServer(dir string) (*RedisServer, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoRedisServer, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("redis-server dir: %w", err)
	}
	var last error
	for range 3 { // a port taken between probe and bind: try another
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		s := &RedisServer{dir: dir, port: port, done: make(chan struct{})}
		if last = s.launch(bin); last == nil {
			if last = s.waitReady(); last == nil {
				return s, nil
			}
			s.Close()
		}
		if !strings.Contains(s.log(), "Address already in use") {
			break
		}
	}
	return nil, fmt.Errorf("start redis-server: %w\n%s", last, tail(filepath.Join(dir, "redis.log"), 2000))
}

// freePort returns a loopback TCP port nobody listens on.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("no free loopback port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (s *RedisServer) launch(bin string) error {
	conf := filepath.Join(s.dir, "redis.conf")
	lines := []string{
		"port " + strconv.Itoa(s.port),
		"bind 127.0.0.1",
		"daemonize no",
		"dir " + s.dir,
		"logfile " + filepath.Join(s.dir, "redis.log"),
		`save ""`,
		"appendonly no",
	}
	if err := os.WriteFile(conf, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		return fmt.Errorf("write redis.conf: %w", err)
	}
	cmd := exec.Command(bin, conf)
	cmd.Dir = s.dir
	cmd.SysProcAttr = childAttr()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("run %s: %w", bin, err)
	}
	s.cmd = cmd
	go func() {
		_ = cmd.Wait()
		close(s.done)
	}()
	return nil
}

// waitReady polls PING until PONG, the process exits or redisReadyWithin passes.
func (s *RedisServer) waitReady() error {
	deadline := time.Now().Add(redisReadyWithin)
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return errors.New("redis-server exited")
		default:
		}
		if last = ping(s.Addr()); last == nil {
			return nil
		}
		time.Sleep(5 * time.Millisecond)
	}
	return fmt.Errorf("no PONG within %v: %w", redisReadyWithin, last)
}

// ping sends an inline PING on a new connection.
func ping(addr string) error {
	c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(200 * time.Millisecond))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if strings.TrimSpace(line) != "+PONG" {
		return fmt.Errorf("PING answered %q", strings.TrimSpace(line))
	}
	return nil
}

// Pid is the server's process ID.
func (s *RedisServer) Pid() int {
	if s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// Addr is the server's host:port.
func (s *RedisServer) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

// URL is the server's redis:// URL.
func (s *RedisServer) URL() string { return "redis://" + s.Addr() }

func (s *RedisServer) log() string { return tail(filepath.Join(s.dir, "redis.log"), 2000) }

// Close stops the server (SIGTERM, then SIGKILL after five seconds) and waits for it.
func (s *RedisServer) Close() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	pid := s.cmd.Process.Pid
	stopGroup(pid, syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		stopGroup(pid, syscall.SIGKILL)
		<-s.done
	}
}

// tail returns at most the last n bytes of a file ("" if unreadable).
func tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	if len(data) > n {
		data = data[len(data)-n:]
	}
	return string(data)
}
