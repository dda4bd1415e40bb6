package testenv

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

func TestRedisStopStartSamePort(t *testing.T) {
	s := Redis(t)
	if reply := s.MustDo("SET", "k", "v"); reply != "OK" {
		t.Fatalf("SET = %v", reply)
	}
	if got := s.CLI("GET", "k"); strings.TrimSpace(got) != "v" {
		t.Errorf("redis-cli GET k = %q, want v", got)
	}
	cfg := s.MustDo("CONFIG", "GET", "save").([]any)
	if len(cfg) != 2 || cfg[1] != "" {
		t.Errorf("CONFIG GET save = %v, want persistence off", cfg)
	}

	addr := s.Addr()
	s.Stop()
	if s.Running() {
		t.Fatal("Running after Stop")
	}
	if _, err := s.Do("PING"); err == nil {
		t.Fatal("PING answered after Stop")
	}
	s.Start()
	if s.Addr() != addr {
		t.Fatalf("restarted on %s, want %s", s.Addr(), addr)
	}
	if reply := s.MustDo("EXISTS", "k"); reply != int64(0) {
		t.Errorf("EXISTS k after restart = %v, want 0 (nothing persisted)", reply)
	}
	s.Kill()
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Error("port still accepts connections after Kill")
	}
	s.Start()
	s.MustDo("PING")
}

func TestRedisAuth(t *testing.T) {
	t.Run("requirepass", func(t *testing.T) {
		s := Redis(t, WithRequirePass("s3cret"))
		if !strings.HasPrefix(s.URL(), "redis://:s3cret@127.0.0.1:") {
			t.Errorf("URL = %q", s.URL())
		}
		s.MustDo("PING")
		if _, err := respDo(s.Addr(), "", "", nil, time.Second, "GET", "k"); err == nil || !strings.Contains(err.Error(), "NOAUTH") {
			t.Errorf("GET without AUTH: %v, want NOAUTH", err)
		}
	})
	t.Run("ACL user", func(t *testing.T) {
		s := Redis(t, WithACLUser("gate", "pw"))
		if !strings.HasPrefix(s.URL(), "redis://gate:pw@127.0.0.1:") {
			t.Errorf("URL = %q", s.URL())
		}
		if who := s.MustDo("ACL", "WHOAMI"); who != "gate" {
			t.Errorf("ACL WHOAMI = %v, want gate", who)
		}
		if strings.TrimSpace(s.CLI("ACL", "WHOAMI")) != "gate" {
			t.Error("redis-cli does not log in as the ACL user")
		}
	})
}

func TestRedisCleanupKills(t *testing.T) {
	var s *RedisServer
	t.Run("inner", func(t *testing.T) { s = Redis(t) })
	if s.Running() {
		t.Error("server still running after its test ended")
	}
	var re RedisError
	if _, err := s.Do("PING"); err == nil || errors.As(err, &re) {
		t.Errorf("PING after cleanup = %v, want a connection error", err)
	}
}

func TestSentinelFailover(t *testing.T) {
	e := Sentinel(t)
	if !strings.HasPrefix(e.URL(), "redis-sentinel://127.0.0.1:") || !strings.HasSuffix(e.URL(), "/"+e.MasterName()) ||
		len(e.SentinelAddrs()) != 3 {
		t.Errorf("URL = %q", e.URL())
	}
	old := e.Master()
	if old.MustDo("SET", "k", "v") != "OK" || old.MustDo("WAIT", "1", "5000") != int64(1) {
		t.Fatal("write not replicated")
	}
	// WAIT counts the replica once it has received the write; it applies it a moment later.
	deadline := time.Now().Add(10 * time.Second)
	for e.Replica().MustDo("GET", "k") != "v" {
		if time.Now().After(deadline) {
			t.Fatal("replica does not have the write")
		}
		time.Sleep(5 * time.Millisecond)
	}

	start := time.Now()
	killed := e.KillMaster()
	addr := e.WaitForNewMaster(killed.Addr())
	t.Logf("failover took %v", time.Since(start).Round(time.Millisecond))
	if addr == killed.Addr() || e.Master().Addr() != addr || e.Master().MustDo("GET", "k") != "v" {
		t.Fatalf("new master %s lacks the replicated write", addr)
	}

	// The old master comes back empty; made a replica of the new master (as the sentinels
	// would, within their 10s INFO period), it catches up.
	killed.Start()
	killed.MustDo("REPLICAOF", "127.0.0.1", strings.TrimPrefix(addr, "127.0.0.1:"))
	e.WaitForReplica(killed)
	if killed.MustDo("GET", "k") != "v" {
		t.Error("the old master did not catch up as a replica")
	}
	if e.Replica() != killed {
		t.Errorf("Replica() = %s, want the restarted %s", e.Replica().Addr(), killed.Addr())
	}
}

func TestCluster(t *testing.T) {
	e := Cluster(t)
	if len(e.Addrs()) != 3 || !strings.HasPrefix(e.URL(), "redis-cluster://127.0.0.1:") {
		t.Fatalf("Addrs %v, URL %q", e.Addrs(), e.URL())
	}
	masters := 0
	for _, n := range e.Nodes() {
		reply := n.MustDo("ROLE").([]any)
		if reply[0] == "master" {
			masters++
		}
	}
	if masters != 3 {
		t.Errorf("%d masters, want 3", masters)
	}
	// Each node owns part of the slots: a key is refused with MOVED by two of them.
	moved := 0
	for _, n := range e.Nodes() {
		if _, err := n.Do("SET", "some-key", "v"); err != nil && strings.HasPrefix(err.Error(), "MOVED") {
			moved++
		}
	}
	if moved != 2 {
		t.Errorf("%d nodes answered MOVED, want 2", moved)
	}
}

func TestRedisTLS(t *testing.T) {
	s := Redis(t, WithTLS())
	if !strings.HasPrefix(s.URL(), "rediss://127.0.0.1:") || s.TLSConfig() == nil {
		t.Fatalf("URL %q, TLS config %v", s.URL(), s.TLSConfig())
	}
	s.MustDo("SET", "k", "v")
	if got := strings.TrimSpace(s.CLI("GET", "k")); got != "v" {
		t.Errorf("redis-cli --tls GET k = %q", got)
	}
	if _, err := respDo(s.Addr(), "", "", nil, time.Second, "PING"); err == nil {
		t.Error("a plain-text PING was answered")
	}
}
