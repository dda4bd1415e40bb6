package bench

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/authgate/authgate/store/redis"
)

// redisProbe reads INFO from the Redis an instance uses, through that instance's client.
type redisProbe struct {
	c *redis.Client
}

// redisSnap is a reading of INFO: command counts, network bytes and memory. Differences of
// two readings are redisSnaps too.
type redisSnap struct {
	at       time.Time
	span     time.Duration // for differences: the time between the readings
	calls    map[string]float64
	in, out  float64 // bytes Redis received and sent
	mem      float64 // used_memory
	version  string
	mode     string
	maxmem   string
	clients  float64
	evictpol string
}

func (p *redisProbe) snap(ctx context.Context) (redisSnap, error) {
	cmd := p.c.B().Info().Section("commandstats", "stats", "memory", "server", "clients").Build()
	text, err := p.c.Do(ctx, cmd).ToString()
	if err != nil {
		return redisSnap{}, fmt.Errorf("redis INFO: %w", err)
	}
	return parseInfo(text, time.Now()), nil
}

// parseInfo reads the fields the bench uses from INFO's text.
func parseInfo(text string, at time.Time) redisSnap {
	s := redisSnap{at: at, calls: map[string]float64{}}
	for line := range strings.Lines(text) {
		k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok {
			continue
		}
		num := func() float64 { f, _ := strconv.ParseFloat(v, 64); return f }
		switch {
		case strings.HasPrefix(k, "cmdstat_"):
			for field := range strings.SplitSeq(v, ",") {
				if n, ok := strings.CutPrefix(field, "calls="); ok {
					f, _ := strconv.ParseFloat(n, 64)
					s.calls[strings.TrimPrefix(k, "cmdstat_")] = f
				}
			}
		case k == "total_net_input_bytes":
			s.in = num()
		case k == "total_net_output_bytes":
			s.out = num()
		case k == "used_memory":
			s.mem = num()
		case k == "redis_version":
			s.version = v
		case k == "redis_mode":
			s.mode = v
		case k == "maxmemory_human":
			s.maxmem = v
		case k == "connected_clients":
			s.clients = num()
		case k == "maxmemory_policy":
			s.evictpol = v
		}
	}
	return s
}

// minus returns the change from b to a.
func (a redisSnap) minus(b redisSnap) redisSnap {
	d := redisSnap{span: a.at.Sub(b.at), calls: map[string]float64{}, in: a.in - b.in, out: a.out - b.out, mem: a.mem - b.mem}
	for k, v := range a.calls {
		d.calls[k] = v - b.calls[k]
	}
	return d
}

// plus adds two differences.
func (a redisSnap) plus(b redisSnap) redisSnap {
	s := redisSnap{span: a.span + b.span, calls: maps.Clone(a.calls), in: a.in + b.in, out: a.out + b.out, mem: a.mem + b.mem}
	if s.calls == nil {
		s.calls = map[string]float64{}
	}
	for k, v := range b.calls {
		s.calls[k] += v
	}
	return s
}

// scaled returns the difference scaled by f.
func (a redisSnap) scaled(f float64) redisSnap {
	s := redisSnap{span: time.Duration(float64(a.span) * f), calls: map[string]float64{}, in: a.in * f, out: a.out * f, mem: a.mem * f}
	for k, v := range a.calls {
		s.calls[k] = v * f
	}
	return s
}

// clientDelta counts a Redis client's reads.
type clientDelta struct {
	hits, misses, direct float64
}

func (a clientDelta) minus(b clientDelta) clientDelta {
	return clientDelta{a.hits - b.hits, a.misses - b.misses, a.direct - b.direct}
}

func (a clientDelta) plus(b clientDelta) clientDelta {
	return clientDelta{a.hits + b.hits, a.misses + b.misses, a.direct + b.direct}
}

// clientStatser reads an instance's Redis client counters.
type clientStatser interface{ clientStats() clientDelta }

type redisClientStats struct{ c *redis.Client }

func (r redisClientStats) clientStats() clientDelta {
	s := r.c.Stats()
	return clientDelta{float64(s.CacheHits), float64(s.CacheMisses), float64(s.DirectReads)}
}

// RedisTraffic is what requests of one strategy cost Redis, in the steady state.
type RedisTraffic struct {
	// Commands executed by Redis per request (commands run inside scripts included),
	// corrected for the background traffic measured during the bare handler's segments.
	CommandsPerRequest float64            `json:"commands_per_request"`
	ByCommand          map[string]float64 `json:"by_command,omitempty"`
	// Bytes Redis received and sent per request, corrected likewise.
	BytesInPerRequest  float64 `json:"bytes_in_per_request"`
	BytesOutPerRequest float64 `json:"bytes_out_per_request"`
	// RoundTripsPerRequest are the instance's reads that went to Redis (cache misses and
	// uncached reads), per request; CacheHitRatio is the share answered locally.
	RoundTripsPerRequest float64 `json:"round_trips_per_request"`
	CacheHitRatio        float64 `json:"cache_hit_ratio"`
}

// BackgroundTraffic is Redis traffic with no requests in flight: the freshness gates' PINGs
// of every instance connected, and the bench's own INFO readings.
type BackgroundTraffic struct {
	PingsPerSecond     float64 `json:"pings_per_second"`
	InstancesWithGate  int     `json:"instances_with_gate"`
	PingsPerInstance   float64 `json:"pings_per_second_per_instance"`
	BytesPerSecond     float64 `json:"bytes_per_second"`
	MeasuredOverSecond float64 `json:"measured_over_seconds"`
}

// ignoredCommands are not the requests' doing: the gate's PINGs and the probe's INFO.
var ignoredCommands = map[string]bool{"ping": true, "info": true}

// traffic turns the Redis and client deltas of both sides into per-request figures: what
// authgate's segments cost beyond the background rate seen during the bare segments.
func traffic(gate, bare sideAcc) *RedisTraffic {
	if gate.requests == 0 || gate.redis.calls == nil {
		return nil
	}
	bg := redisSnap{calls: map[string]float64{}}
	if bare.redis.span > 0 {
		bg = bare.redis.scaled(float64(gate.redis.span) / float64(bare.redis.span))
	}
	n := float64(gate.requests)
	t := &RedisTraffic{ByCommand: map[string]float64{}}
	for k, v := range gate.redis.calls {
		if ignoredCommands[k] {
			continue
		}
		if per := max(v-bg.calls[k], 0) / n; per > 0 {
			t.ByCommand[strings.ToUpper(k)] = per
			t.CommandsPerRequest += per
		}
	}
	t.BytesInPerRequest = max(gate.redis.in-bg.in, 0) / n
	t.BytesOutPerRequest = max(gate.redis.out-bg.out, 0) / n
	c := gate.client
	if reads := c.hits + c.misses + c.direct; reads > 0 {
		t.RoundTripsPerRequest = (c.misses + c.direct) / n
		t.CacheHitRatio = c.hits / reads
	}
	return t
}

// background reads the background rate off the bare segments of every comparison.
func background(bares []sideAcc, gated int) *BackgroundTraffic {
	var sum redisSnap
	for _, b := range bares {
		sum = sum.plus(b.redis)
	}
	if sum.span <= 0 {
		return nil
	}
	sec := sum.span.Seconds()
	bt := &BackgroundTraffic{
		PingsPerSecond:     sum.calls["ping"] / sec,
		InstancesWithGate:  gated,
		BytesPerSecond:     (sum.in + sum.out) / sec,
		MeasuredOverSecond: sec,
	}
	if gated > 0 {
		bt.PingsPerInstance = bt.PingsPerSecond / float64(gated)
	}
	return bt
}
