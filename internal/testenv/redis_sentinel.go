package testenv

import (
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Sentinel timings: a master is down after downAfter without a reply, and a failover attempt
// is given failoverTimeout. Low, so a failover test takes seconds.
const (
	sentinelDownAfter       = 1000 * time.Millisecond
	sentinelFailoverTimeout = 3000 * time.Millisecond
	// failoverWithin bounds WaitForNewMaster; a passing run returns as soon as it is done.
	failoverWithin = 60 * time.Second
)

// SentinelEnv is a master, one replica and three sentinels (quorum 2) watching them.
type SentinelEnv struct {
	tb        testing.TB
	name      string
	servers   []*RedisServer // the master and the replica as first started
	sentinels []*RedisServer
}

// Sentinel starts a Sentinel deployment on free loopback ports: a master, a replica in sync with
// it, and three sentinels that already know each other (so no discovery delay), with
// down-after-milliseconds 1000 and failover-timeout 3000. Everything is killed when tb ends.
func Sentinel(tb testing.TB) *SentinelEnv {
	tb.Helper()
	start := time.Now()
	e := &SentinelEnv{tb: tb, name: "authgate"}
	master := Redis(tb)
	replica := newRedisServer(tb, "replica", false, []string{"replicaof 127.0.0.1 " + strconv.Itoa(master.port)})
	replica.start(true)
	e.servers = []*RedisServer{master, replica}

	type sentinelID struct {
		port int
		id   string
	}
	ids := make([]sentinelID, 3)
	for i := range ids {
		ids[i] = sentinelID{port: freePort(tb, false), id: randomHex(20)}
	}
	for i, me := range ids {
		s := newRedisServer(tb, "sentinel"+strconv.Itoa(i+1), true, nil)
		s.port = me.port
		lines := []string{
			"port " + strconv.Itoa(me.port),
			"bind 127.0.0.1",
			"daemonize no",
			"dir " + s.dir,
			"logfile " + filepath.Join(s.dir, "redis.log"),
			"sentinel myid " + me.id,
			"sentinel monitor " + e.name + " 127.0.0.1 " + strconv.Itoa(master.port) + " 2",
			"sentinel down-after-milliseconds " + e.name + " " + strconv.Itoa(int(sentinelDownAfter.Milliseconds())),
			"sentinel failover-timeout " + e.name + " " + strconv.Itoa(int(sentinelFailoverTimeout.Milliseconds())),
			"sentinel parallel-syncs " + e.name + " 1",
			"sentinel known-replica " + e.name + " 127.0.0.1 " + strconv.Itoa(replica.port),
		}
		for _, other := range ids {
			if other != me {
				lines = append(lines, "sentinel known-sentinel "+e.name+" 127.0.0.1 "+strconv.Itoa(other.port)+" "+other.id)
			}
		}
		s.writeFile(s.conf, lines)
		s.start(true)
		e.sentinels = append(e.sentinels, s)
	}

	// Ready: the replica has synced, and every sentinel names the master.
	e.waitFor("the replica to sync with the master", func() bool {
		info, err := replica.Do("INFO", "replication")
		return err == nil && infoField(info.(string), "master_link_status") == "up"
	})
	e.waitFor("the sentinels to agree on the master", func() bool {
		for _, s := range e.sentinels {
			if addr, err := e.masterAddrFrom(s); err != nil || addr != master.Addr() {
				return false
			}
		}
		return true
	})
	tb.Logf("testenv: Sentinel deployment ready in %v (master %s, replica %s, sentinels %v)",
		time.Since(start).Round(time.Millisecond), master.Addr(), replica.Addr(), e.SentinelAddrs())
	return e
}

// MasterName is the name the sentinels monitor the master under.
func (e *SentinelEnv) MasterName() string { return e.name }

// SentinelAddrs are the sentinels' host:port.
func (e *SentinelEnv) SentinelAddrs() []string {
	out := make([]string, len(e.sentinels))
	for i, s := range e.sentinels {
		out[i] = s.Addr()
	}
	return out
}

// Sentinels are the sentinel processes.
func (e *SentinelEnv) Sentinels() []*RedisServer { return e.sentinels }

// URL is the authgate URL of the deployment: redis-sentinel://s1,s2,s3/<master name>.
func (e *SentinelEnv) URL() string {
	return "redis-sentinel://" + strings.Join(e.SentinelAddrs(), ",") + "/" + e.name
}

// Master is the server the sentinels currently name master.
func (e *SentinelEnv) Master() *RedisServer {
	e.tb.Helper()
	return e.server(e.MasterAddr())
}

// Replica is the data server that is not the current master.
func (e *SentinelEnv) Replica() *RedisServer {
	e.tb.Helper()
	addr := e.MasterAddr()
	for _, s := range e.servers {
		if s.Addr() != addr {
			return s
		}
	}
	e.tb.Fatalf("testenv: no replica besides master %s", addr)
	return nil
}

func (e *SentinelEnv) server(addr string) *RedisServer {
	e.tb.Helper()
	for _, s := range e.servers {
		if s.Addr() == addr {
			return s
		}
	}
	e.tb.Fatalf("testenv: sentinels name %s master, which is none of this deployment's servers", addr)
	return nil
}

// MasterAddr asks the sentinels which address is the master (the first that answers).
func (e *SentinelEnv) MasterAddr() string {
	e.tb.Helper()
	var last error
	for _, s := range e.sentinels {
		addr, err := e.masterAddrFrom(s)
		if err == nil {
			return addr
		}
		last = err
	}
	e.tb.Fatalf("testenv: no sentinel names the master: %v", last)
	return ""
}

func (e *SentinelEnv) masterAddrFrom(s *RedisServer) (string, error) {
	reply, err := s.Do("SENTINEL", "GET-MASTER-ADDR-BY-NAME", e.name)
	if err != nil {
		return "", err
	}
	hp, ok := reply.([]any)
	if !ok || len(hp) != 2 {
		return "", RedisError("unexpected reply to SENTINEL GET-MASTER-ADDR-BY-NAME")
	}
	return net.JoinHostPort(hp[0].(string), hp[1].(string)), nil
}

// KillMaster kills the current master process (SIGKILL, as a crash) and returns it, so a test
// can Start it again later: the sentinels then turn it into a replica of the new master.
func (e *SentinelEnv) KillMaster() *RedisServer {
	e.tb.Helper()
	m := e.Master()
	m.Kill()
	return m
}

// WaitForNewMaster waits until every sentinel names a master other than old and that server
// says it is a master, and returns its address.
func (e *SentinelEnv) WaitForNewMaster(old string) string {
	e.tb.Helper()
	var addr string
	e.waitFor("the sentinels to promote a new master", func() bool {
		addr = ""
		for _, s := range e.sentinels {
			a, err := e.masterAddrFrom(s)
			if err != nil || a == old || (addr != "" && a != addr) {
				return false
			}
			addr = a
		}
		role, err := e.server(addr).Do("ROLE")
		return err == nil && len(role.([]any)) > 0 && role.([]any)[0] == "master"
	})
	return addr
}

// WaitForReplica waits until r reports a working link to the current master.
func (e *SentinelEnv) WaitForReplica(r *RedisServer) {
	e.tb.Helper()
	e.waitFor(r.Addr()+" to replicate the master", func() bool {
		info, err := r.Do("INFO", "replication")
		return err == nil && infoField(info.(string), "role") == "slave" &&
			infoField(info.(string), "master_link_status") == "up"
	})
}

func (e *SentinelEnv) waitFor(what string, ok func() bool) {
	e.tb.Helper()
	deadline := time.Now().Add(failoverWithin)
	for !ok() {
		if time.Now().After(deadline) {
			var logs strings.Builder
			for _, s := range append(append([]*RedisServer(nil), e.servers...), e.sentinels...) {
				logs.WriteString(s.Log())
			}
			e.tb.Fatalf("testenv: waited %v for %s\n%s", failoverWithin, what, logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
