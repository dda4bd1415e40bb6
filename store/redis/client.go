package redis

import (
	"context"
	"crypto/sha1"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/rueidis"
)

// Defaults of the Client options.
const (
	// DefaultStalenessBound is the default bound D on how old the invalidation stream may be
	// confirmed for a cached read to be trusted (WithStalenessBound).
	DefaultStalenessBound = 10 * time.Millisecond
	// DefaultCacheTTL caps how long a cached value is kept locally (WithCacheTTL); Redis' own
	// TTL of the key caps it further.
	DefaultCacheTTL = time.Minute
	// DefaultSentinelWaitTimeout is how long a write waits for its replica under Sentinel.
	DefaultSentinelWaitTimeout = time.Second
	// sentinelTopologyRefresh reconciles the master with the sentinels besides their
	// +switch-master events, as rueidis recommends (SentinelOption.TopologyRefreshInterval).
	sentinelTopologyRefresh = 5 * time.Second
	// maxRetries is how often rueidis retries a read-only command after a connection error
	// before the error reaches the caller, who fails closed.
	maxRetries = 2
	// clockSlack is added to the writer's wait (see waitOut) for clock-rate differences
	// between the hosts of the writer and the readers.
	clockSlack = time.Millisecond
)

// Option configures a Client.
type Option func(*options)

type options struct {
	bound        time.Duration
	loop         bool
	cacheTTL     time.Duration
	waitReplicas int
	waitTimeout  time.Duration
	waitSet      bool
	tlsConfig    *tls.Config
	sentinelUser string
	sentinelPass string
}

// WithStalenessBound sets D (default DefaultStalenessBound): a cached read is trusted only
// if the invalidation stream of every node was confirmed current less than D before it, and a
// Delete returns only once D has passed since Redis applied it, so that no instance using the
// same D answers from a cache that has not seen it. Every instance sharing the data must use
// the same D. The confirmation loop runs every D/3.
func WithStalenessBound(d time.Duration) Option { return func(o *options) { o.bound = d } }

// WithFreshnessLoop turns the confirmation loop on (the default) or off. Off, the stream is
// never confirmed, so every read goes to Redis uncached: for tests and for measuring the cache.
func WithFreshnessLoop(on bool) Option { return func(o *options) { o.loop = on } }

// WithCacheTTL caps how long a value stays in the local cache (default DefaultCacheTTL).
func WithCacheTTL(d time.Duration) Option { return func(o *options) { o.cacheTTL = d } }

// WithWaitReplicas makes every Create and Delete wait (Redis WAIT) until n replicas have the
// write, for at most timeout; fewer in time is ErrNotReplicated, as the write could be lost in
// a failover. On by default under Sentinel (1 replica, DefaultSentinelWaitTimeout); n = 0 turns
// it off. Touch never waits: losing one only brings a deadline forward.
func WithWaitReplicas(n int, timeout time.Duration) Option {
	return func(o *options) { o.waitReplicas, o.waitTimeout, o.waitSet = n, timeout, true }
}

// WithTLSConfig sets the TLS configuration of rediss URLs (default: TLS 1.2 or later, the
// system roots, the server name from each address).
func WithTLSConfig(cfg *tls.Config) Option { return func(o *options) { o.tlsConfig = cfg } }

// WithSentinelCredentials sets the user and password for the sentinels themselves; those in a
// sentinel URL are the master's.
func WithSentinelCredentials(user, password string) Option {
	return func(o *options) { o.sentinelUser, o.sentinelPass = user, password }
}

// Client is a connection to one Redis deployment: one pipelined connection per node, with
// client-side caching behind the freshness gate (see gate.go). It is safe for concurrent use.
type Client struct {
	rdb          rueidis.Client
	kind         topology
	bound        time.Duration
	interval     time.Duration
	cacheTTL     time.Duration
	waitReplicas int
	waitTimeout  time.Duration

	// The gate's state; see gate.go.
	base      time.Time    // origin of the monotonic times below
	confirmed atomic.Int64 // send time (ns since base) of the last confirmed round, plus 1; 0: unconfirmed
	mu        sync.Mutex   // orders resets against confirmations
	gen       uint64       // bumped by every reset; guarded by mu

	stats     counters
	stop      chan struct{}
	done      chan struct{}
	stopOnce  sync.Once
	closeOnce sync.Once
}

// Stats are the Client's counters since Open, for tests, benchmarks and metrics.
type Stats struct {
	// CacheHits are reads answered from the local cache, without a round trip.
	CacheHits uint64
	// CacheMisses are gated reads that went to Redis through the cache (and now track the key).
	CacheMisses uint64
	// DirectReads are reads sent uncached because the stream was not confirmed current.
	DirectReads uint64
	// Confirmations are PING rounds that completed on every node.
	Confirmations uint64
	// ConfirmFailures are PING rounds that failed on some node.
	ConfirmFailures uint64
	// Resets are the times the confirmation was withdrawn: a connection dropped, a command
	// failed on the network, or Redis invalidated everything (FLUSHALL).
	Resets uint64
	// Invalidations are the keys Redis told this client to drop.
	Invalidations uint64
	// Flushes are rueidis' OnInvalidations(nil) calls: a connection closed and its cache was
	// dropped, or Redis invalidated everything (FLUSHALL). Each also counts as a reset.
	Flushes uint64
}

type counters struct {
	hits, misses, direct, rounds, roundFailures, resets, invalidations, flushes atomic.Uint64
}

// Open connects to the deployment a URL names and starts the freshness loop:
//
//	redis://[user:pass@]host:port[/db]                                   one server
//	redis-sentinel://[user:pass@]host1:port,host2:port/mastername[?db=N] through Sentinel
//	redis-cluster://[user:pass@]host1:port,host2:port,...                a Cluster
//
// and the same with rediss, rediss-sentinel and rediss-cluster for TLS. Ports default to 6379
// (26379 for sentinels); the credentials are the data nodes'. A malformed URL is
// ErrInvalidURL, naming the problem but never the password. The deployment must be reachable:
// Open pings every node.
func Open(ctx context.Context, rawURL string, opts ...Option) (*Client, error) {
	ep, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	o := options{bound: DefaultStalenessBound, loop: true, cacheTTL: DefaultCacheTTL}
	if ep.kind == sentinel {
		o.waitReplicas, o.waitTimeout = 1, DefaultSentinelWaitTimeout
	}
	for _, opt := range opts {
		opt(&o)
	}
	switch {
	case o.bound <= 0:
		return nil, fmt.Errorf("redis: staleness bound %v must be positive", o.bound)
	case o.cacheTTL <= 0:
		return nil, fmt.Errorf("redis: cache TTL %v must be positive", o.cacheTTL)
	case o.waitReplicas < 0 || (o.waitReplicas > 0 && o.waitTimeout <= 0):
		return nil, fmt.Errorf("redis: WithWaitReplicas(%d, %v): want n >= 0 and a positive timeout", o.waitReplicas, o.waitTimeout)
	}

	c := &Client{
		kind:         ep.kind,
		bound:        o.bound,
		interval:     max(o.bound/3, time.Millisecond),
		cacheTTL:     o.cacheTTL,
		waitReplicas: o.waitReplicas,
		waitTimeout:  o.waitTimeout,
		base:         time.Now(),
		stop:         make(chan struct{}),
		done:         make(chan struct{}),
	}
	copt := rueidis.ClientOption{
		InitAddress: ep.addrs,
		Username:    ep.user,
		Password:    ep.password,
		SelectDB:    ep.db,
		ClientName:  "authgate",
		// One pipelined connection per node: DoCache and the gate's PING share it, so a PONG
		// orders after every invalidation Redis queued before it (gate.go). rueidis maps any
		// negative value to 2^0 = 1 connection (mux.go newMux, rueidis.go singleClientMultiplex).
		PipelineMultiplex: -1,
		// Called from the connection's reader for every invalidation push, and with nil when
		// Redis invalidates everything or the connection closes (pipe.go _background).
		OnInvalidations: c.onInvalidations,
		RetryDelay:      retryDelay,
	}
	if ep.tls {
		copt.TLSConfig = o.tlsConfig
		if copt.TLSConfig == nil {
			copt.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		}
	}
	switch ep.kind {
	case standalone:
		// Never guess: a redis:// URL is one server even if it is a cluster node.
		copt.ForceSingleClient = true
	case sentinel:
		copt.ShuffleInit = true
		copt.Sentinel = rueidis.SentinelOption{
			MasterSet:               ep.master,
			TLSConfig:               copt.TLSConfig,
			Username:                o.sentinelUser,
			Password:                o.sentinelPass,
			ClientName:              "authgate",
			TopologyRefreshInterval: sentinelTopologyRefresh,
		}
	case cluster:
		copt.ShuffleInit = true
	}

	hosts := strings.Join(ep.addrs, ",")
	rdb, err := rueidis.NewClient(copt)
	if err != nil {
		if rdb != nil {
			rdb.Close()
		}
		return nil, fmt.Errorf("redis: connect to %s %s: %w", ep.kind, hosts, err)
	}
	c.rdb = rdb
	if ep.kind == cluster && rdb.Mode() != rueidis.ClientModeCluster {
		rdb.Close()
		return nil, fmt.Errorf("%w: %s is not a cluster (use redis:// for a single server)", ErrTopology, hosts)
	}
	if err := c.Ping(ctx); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("redis: connect to %s %s: %w", ep.kind, hosts, err)
	}
	if o.loop {
		go c.run()
	} else {
		close(c.done)
	}
	return c, nil
}

// retryDelay lets rueidis retry a read-only command after a connection error twice, quickly,
// then give up: a caller is failed closed rather than held while a server is down. (rueidis'
// default retries until the context ends.)
func retryDelay(attempts int, _ rueidis.Completed, _ error) time.Duration {
	if attempts > maxRetries {
		return -1
	}
	return time.Duration(attempts) * 2 * time.Millisecond
}

// B is the command builder.
func (c *Client) B() rueidis.Builder { return c.rdb.B() }

// Ping sends PING to every node and returns the first failure.
func (c *Client) Ping(ctx context.Context) error {
	for addr, n := range c.rdb.Nodes() {
		if err := n.Do(ctx, n.B().Ping().Build()).Error(); err != nil {
			c.observe(err)
			return fmt.Errorf("redis: ping %s: %w", addr, err)
		}
	}
	return nil
}

// Read sends a read-only command through the freshness gate: from the local cache (DoCache)
// when the invalidation stream is confirmed current, else to Redis uncached (Do). Redis errors
// come back in the result, as from rueidis.
func (c *Client) Read(ctx context.Context, cmd rueidis.Cacheable) rueidis.RedisResult {
	if c.Fresh() {
		res := c.rdb.DoCache(ctx, cmd, c.cacheTTL)
		if res.IsCacheHit() {
			c.stats.hits.Add(1)
		} else {
			c.stats.misses.Add(1)
			c.observe(res.NonRedisError())
		}
		return res
	}
	c.stats.direct.Add(1)
	res := c.rdb.Do(ctx, rueidis.Completed(cmd))
	c.observe(res.NonRedisError())
	return res
}

// Do sends a command to Redis uncached.
func (c *Client) Do(ctx context.Context, cmd rueidis.Completed) rueidis.RedisResult {
	res := c.rdb.Do(ctx, cmd)
	c.observe(res.NonRedisError())
	return res
}

// DoMulti pipelines commands to Redis uncached.
func (c *Client) DoMulti(ctx context.Context, cmds ...rueidis.Completed) []rueidis.RedisResult {
	res := c.rdb.DoMulti(ctx, cmds...)
	for _, r := range res {
		c.observe(r.NonRedisError())
	}
	return res
}

// Stats returns the counters.
func (c *Client) Stats() Stats {
	s := &c.stats
	return Stats{
		CacheHits:       s.hits.Load(),
		CacheMisses:     s.misses.Load(),
		DirectReads:     s.direct.Load(),
		Confirmations:   s.rounds.Load(),
		ConfirmFailures: s.roundFailures.Load(),
		Resets:          s.resets.Load(),
		Invalidations:   s.invalidations.Load(),
		Flushes:         s.flushes.Load(),
	}
}

// Close stops the freshness loop and closes the connections. It is safe to call twice.
func (c *Client) Close() {
	c.closeOnce.Do(func() {
		c.stopLoop()
		c.rdb.Close()
	})
}

// stopLoop stops the confirmation loop and waits for it; the gate then closes within D.
func (c *Client) stopLoop() {
	c.stopOnce.Do(func() { close(c.stop) })
	<-c.done
}

// script is a Lua script run by EVALSHA, falling back to EVAL when the server does not have it.
type script struct {
	body, sha string
}

func newScript(body string) *script {
	sum := sha1.Sum([]byte(body)) // the script's name in Redis, not a security use
	return &script{body: body, sha: hex.EncodeToString(sum[:])}
}

// eval runs s with keys and args, which must all be in one hash slot. With durable, and
// WithWaitReplicas on, a WAIT follows in the same pipeline: rueidis keeps one connection per
// node and sends the batch in order on it, and WAIT counts the replicas that have every write
// of that connection, the script's included.
func (c *Client) eval(ctx context.Context, s *script, durable bool, keys []string, args ...string) (rueidis.RedisMessage, error) {
	wait := durable && c.waitReplicas > 0
	for _, sha := range []bool{true, false} {
		var cmd rueidis.Completed
		if sha {
			cmd = c.rdb.B().Evalsha().Sha1(s.sha).Numkeys(int64(len(keys))).Key(keys...).Arg(args...).Build()
		} else {
			cmd = c.rdb.B().Eval().Script(s.body).Numkeys(int64(len(keys))).Key(keys...).Arg(args...).Build()
		}
		batch := []rueidis.Completed{cmd}
		if wait {
			batch = append(batch, c.rdb.B().Wait().Numreplicas(int64(c.waitReplicas)).Timeout(c.waitTimeout.Milliseconds()).Build())
		}
		res := c.DoMulti(ctx, batch...)
		msg, err := res[0].ToMessage()
		if re, ok := rueidis.IsRedisErr(err); ok && re.IsNoScript() && sha {
			continue
		}
		if err != nil {
			return msg, err
		}
		if wait {
			n, err := res[1].AsInt64()
			if err != nil {
				return msg, fmt.Errorf("redis: WAIT: %w", err)
			}
			if n < int64(c.waitReplicas) {
				return msg, fmt.Errorf("%w: %d of %d within %v", ErrNotReplicated, n, c.waitReplicas, c.waitTimeout)
			}
		}
		return msg, nil
	}
	return rueidis.RedisMessage{}, errors.New("redis: script not run") // not reached
}
