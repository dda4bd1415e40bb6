package redis

import (
	"context"
	"errors"
	"time"

	"github.com/redis/rueidis"
)

// The freshness gate.
//
// rueidis keeps a local copy of what DoCache reads (RESP3 tracking in OPTIN mode: every cached
// read is sent as CLIENT CACHING YES, MULTI, PTTL key, <read>, EXEC on the node's connection),
// and Redis pushes an invalidation on that same connection when another client changes a key
// the copy was read from. The push is asynchronous: when a writer's command returns, the
// invalidation may still be in flight to us (a spike measured about 5% of pushes arriving at
// another client after the writer's acknowledgement, 10-20 ms later). A cache that trusted
// its copies for as long as no push had arrived would serve a deleted session that long, and
// forever across a network partition that keeps the TCP connection open.
//
// So a copy is trusted only while the invalidation stream is confirmed current:
//
//  1. Every interval (D/3), a loop sends PING to every node through the client's own
//     connection to it (Nodes(); for Sentinel and standalone the one master), recording the
//     send time s before the PING is handed to rueidis.
//  2. Redis executes commands one at a time and writes its output to a connection in order.
//     A write acknowledged to anyone before s was executed before our PING was even sent, so
//     the invalidation it caused was queued on our connection before the PONG. rueidis reads
//     a connection in order and applies an invalidation push to the cache (pipe.go
//     handlePush) before it hands on the next reply. When the PONG of a PING sent at s has
//     arrived, the cache therefore reflects every write acknowledged before s.
//  3. With every node's PONG in, confirmed = s (the send time, never the receive time). A
//     read at time r may use the cache only if r - confirmed < D; otherwise it goes to Redis
//     uncached. Gating on the oldest node's confirmation (one round covers all nodes) is
//     stricter than per-key routing and needs no key-to-node mapping.
//
// Hence a cached read at r reflects every write acknowledged before r - D: staleness is at
// most D, on every node, even if pushes are late or the network stalls, because then the PONGs
// are late too and the reads go direct. The bound is by construction, not by luck.
//
// Read-after-delete across instances: D of staleness would still let an instance admit a
// session for up to D after another ended it. So Delete and DeleteAll do not return until D
// (plus clockSlack) has passed since Redis acknowledged them (waitOut). A Find that starts
// after the Delete returned, at r >= ack + D, can only be served from a cache confirmed at
// s > r - D >= ack, which has applied the invalidation. Logouts pay D of latency; reads pay
// nothing.
//
// Why this relies on one connection per node (PipelineMultiplex: -1): the PING and DoCache
// must share the connection whose order step 2 uses. rueidis maps every command of a node to
// its single pipelined connection (mux.go pipeline/DoCache with one muxwire).
//
// Connection loss: when a connection closes, rueidis closes its cache (pipe.go _background:
// cache.Close) and calls OnInvalidations(nil); a new connection starts with an empty cache
// and fresh tracking. OnInvalidations(nil) also comes when Redis invalidates everything
// (FLUSHALL). Either way reset withdraws the confirmation and bumps a generation, so a round
// that was in flight across the reset cannot confirm: reads go direct until a round that
// started after it has completed. Network errors on any command reset too.
//
// Cost: every client sends one PING per node per D/3 (about 300/s per node for D = 10 ms).

// onInvalidations is rueidis' OnInvalidations hook. It runs on the connection's reader and
// must be quick.
func (c *Client) onInvalidations(keys []rueidis.RedisMessage) {
	if keys == nil {
		c.stats.flushes.Add(1)
		c.reset()
		return
	}
	c.stats.invalidations.Add(uint64(len(keys)))
}

// reset withdraws the confirmation until a round that starts after it completes.
func (c *Client) reset() {
	c.mu.Lock()
	c.gen++
	c.confirmed.Store(0)
	c.mu.Unlock()
	c.stats.resets.Add(1)
}

// observe resets on a transport error: the connection it came from may be gone with its
// cache, or no longer delivering invalidations. A Redis error reply or a cancelled context
// says nothing about the connection.
func (c *Client) observe(err error) {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return
	}
	if _, ok := rueidis.IsRedisErr(err); ok || rueidis.IsRedisNil(err) {
		return
	}
	c.reset()
}

// since is the monotonic time since the client's origin.
func (c *Client) since() time.Duration { return time.Since(c.base) }

// Fresh reports whether the invalidation stream of every node was confirmed current less than
// the staleness bound ago, that is whether a read now may be served from the cache.
func (c *Client) Fresh() bool {
	at := c.confirmed.Load()
	return at != 0 && c.since()-time.Duration(at-1) < c.bound
}

// StalenessBound is D.
func (c *Client) StalenessBound() time.Duration { return c.bound }

// run is the confirmation loop.
func (c *Client) run() {
	defer close(c.done)
	tick := time.NewTicker(c.interval)
	defer tick.Stop()
	for {
		c.confirm()
		select {
		case <-c.stop:
			return
		case <-tick.C:
		}
	}
}

// confirm runs one round: PING every node on its connection, and on success record the send
// time as confirmed, unless a reset came in between.
func (c *Client) confirm() {
	c.mu.Lock()
	gen := c.gen
	c.mu.Unlock()
	sent := c.since()

	ctx, cancel := context.WithTimeout(context.Background(), max(time.Second, 10*c.bound))
	defer cancel()
	for _, n := range c.rdb.Nodes() {
		if err := n.Do(ctx, n.B().Ping().Build()).Error(); err != nil {
			c.stats.roundFailures.Add(1)
			c.reset()
			return
		}
	}

	c.mu.Lock()
	if c.gen == gen && int64(sent)+1 > c.confirmed.Load() {
		c.confirmed.Store(int64(sent) + 1)
	}
	c.mu.Unlock()
	c.stats.rounds.Add(1)
}

// waitOut returns when D (plus clockSlack) has passed since acked, the time a write's reply
// arrived, so that no instance's gate still admits a cache that may predate it (see above).
func (c *Client) waitOut(ctx context.Context, acked time.Time) error {
	d := time.Until(acked.Add(c.bound + clockSlack))
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
