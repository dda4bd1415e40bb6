package testenv

import (
	"os/exec"
	"strings"
	"testing"
	"time"
)

// clusterWithin bounds how long Cluster waits for cluster_state:ok.
const clusterWithin = 60 * time.Second

// ClusterEnv is a Redis Cluster of three masters without replicas.
type ClusterEnv struct {
	tb    testing.TB
	nodes []*RedisServer
}

// Cluster starts three cluster-enabled redis-servers on free loopback ports (with their bus
// ports, port+10000, free too), joins them with `redis-cli --cluster create` (slots split in
// three), and returns when every node reports cluster_state:ok and knows all three. Everything
// is killed when tb ends.
func Cluster(tb testing.TB) *ClusterEnv {
	tb.Helper()
	start := time.Now()
	e := &ClusterEnv{tb: tb}
	for range 3 {
		n := newRedisServer(tb, "node", false, []string{
			"cluster-enabled yes",
			"cluster-config-file nodes.conf",
			"cluster-node-timeout 2000",
		})
		n.start(true)
		e.nodes = append(e.nodes, n)
	}
	args := append([]string{"--cluster", "create"}, e.Addrs()...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	out, err := exec.Command(redisBinary(tb, "redis-cli"), args...).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "[OK] All 16384 slots covered") {
		tb.Fatalf("testenv: redis-cli %s: %v\n%s\n%s", strings.Join(args, " "), err, out, e.logs())
	}
	deadline := time.Now().Add(clusterWithin)
	for _, n := range e.nodes {
		for {
			reply, err := n.Do("CLUSTER", "INFO")
			if err == nil {
				info := reply.(string)
				if infoField(info, "cluster_state") == "ok" && infoField(info, "cluster_known_nodes") == "3" &&
					infoField(info, "cluster_slots_ok") == "16384" {
					break
				}
			}
			if time.Now().After(deadline) {
				tb.Fatalf("testenv: cluster node %s not ok after %v: %v %v\n%s", n.Addr(), clusterWithin, reply, err, e.logs())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	tb.Logf("testenv: Cluster ready in %v (%v)", time.Since(start).Round(time.Millisecond), e.Addrs())
	return e
}

// Addrs are the nodes' host:port.
func (e *ClusterEnv) Addrs() []string {
	out := make([]string, len(e.nodes))
	for i, n := range e.nodes {
		out[i] = n.Addr()
	}
	return out
}

// Nodes are the node processes.
func (e *ClusterEnv) Nodes() []*RedisServer { return e.nodes }

// URL is the authgate URL of the cluster: redis-cluster://n1,n2,n3.
func (e *ClusterEnv) URL() string { return "redis-cluster://" + strings.Join(e.Addrs(), ",") }

func (e *ClusterEnv) logs() string {
	var b strings.Builder
	for _, n := range e.nodes {
		b.WriteString(n.Log())
	}
	return b.String()
}
