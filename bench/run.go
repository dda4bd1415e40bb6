package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/authgate/authgate/config"
	"github.com/authgate/authgate/internal/app"
	"github.com/authgate/authgate/password"
	"github.com/authgate/authgate/store/redis"
)

// Defaults of Options.
const (
	DefaultDuration    = 5 * time.Second
	DefaultConcurrency = 16
	// revocationsPerDefault is the number of revocation rounds per kind at DefaultDuration;
	// shorter durations scale it down, never below minRevocations.
	revocationsPerDefault = 1000
	minRevocations        = 200
	// minSegments is the fewest segments each side of a comparison is split into.
	minSegments = 4
)

// Options configure a run.
type Options struct {
	// RedisURL is the Redis to measure against. Empty: a private redis-server if one is on
	// PATH, else the embedded store.
	RedisURL string
	// NoRedis uses the embedded store even when redis-server is on PATH.
	NoRedis bool
	// Targets are the base URLs of a running deployment's instances; set, nothing is started
	// here and Username and Password log in there.
	Targets            []string
	Username, Password string
	// Paths are the routes' request paths on the targets (default DemoPaths).
	Paths Paths
	// Duration is how long each HTTP measurement runs per side (default DefaultDuration).
	Duration time.Duration
	// Concurrency is the number of connections kept busy (default DefaultConcurrency).
	Concurrency int
	// Revocations is the rounds per revocation kind; 0 scales revocationsPerDefault with
	// Duration.
	Revocations int
	// Version is authgate's version, for the report.
	Version string
	// Progress shows the run's progress; nil shows nothing.
	Progress *Progress
	// Hasher replaces the production password hasher (tests only: the login row is then
	// not argon2id at production cost).
	Hasher *password.Hasher
	// TempDir holds the instances' stores and the private redis-server; empty: a new
	// directory under os.TempDir, removed at the end.
	TempDir string
}

func (o *Options) fill() error {
	if o.Duration == 0 {
		o.Duration = DefaultDuration
	}
	if o.Concurrency == 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.Duration < 100*time.Millisecond || o.Concurrency < 1 || o.Revocations < 0 {
		return fmt.Errorf("%w: duration %v (at least 100ms), concurrency %d (at least 1), revocations %d",
			ErrInvalidOptions, o.Duration, o.Concurrency, o.Revocations)
	}
	if o.Revocations == 0 {
		o.Revocations = max(minRevocations, int(int64(revocationsPerDefault)*int64(o.Duration)/int64(DefaultDuration)))
	}
	if len(o.Targets) > 0 && (o.Username == "" || o.Password == "") {
		return fmt.Errorf("%w: a target needs a username and a password to log in with", ErrInvalidOptions)
	}
	return nil
}

// env is what an in-process run started.
type env struct {
	o         Options
	dir       string
	removeDir bool
	redis     *RedisServer
	redisURL  string
	topology  string
	// a, b, c share the stores; a serves the measured routes, b and c enforce revocations
	// and share load in the scaling runs. u is a with the Redis freshness loop off.
	a, b, c, u *Instance
	username   string
}

func (e *env) close() {
	for _, in := range []*Instance{e.u, e.c, e.b, e.a} {
		if in != nil {
			in.Close()
		}
	}
	if e.redis != nil {
		e.redis.Close()
	}
	if e.removeDir {
		os.RemoveAll(e.dir)
	}
}

// Run measures everything Options ask for and returns the result.
func Run(ctx context.Context, o Options) (*Result, error) {
	if err := o.fill(); err != nil {
		return nil, err
	}
	res := &Result{Version: o.Version, StartedAt: time.Now().UTC(), Machine: readMachine()}
	var err error
	if len(o.Targets) > 0 {
		err = runTarget(ctx, o, res)
	} else {
		err = runLocal(ctx, o, res)
	}
	if err != nil {
		return nil, err
	}
	res.WallTime = Duration(time.Since(res.StartedAt).Round(time.Millisecond))
	res.Goals = goals(res)
	res.Notes = append(res.Notes, notes(res)...)
	return res, nil
}

func runLocal(ctx context.Context, o Options, res *Result) error {
	p := o.Progress
	p.Phase("setup")
	e, err := setup(ctx, o, res)
	if e != nil {
		defer e.close()
	}
	if err != nil {
		return err
	}
	summary := fmt.Sprintf("%s store, %d instances", res.Setup.Store, res.Setup.Instances)
	if res.Setup.RedisSource != "" {
		summary += ", " + res.Setup.RedisSource
	}
	p.Done(summary)
	var meter *cpuMeter
	if e.redis != nil {
		meter = startCPUMeter(e.redis.Pid())
	} else {
		meter = startCPUMeter()
	}
	defer func() {
		if v, ok := meter.others(); ok {
			res.Machine.OtherBusyCores = &v
		}
	}()

	var bares []sideAcc
	for _, col := range e.columns() {
		p.Phase("measure " + col.name)
		sr, bare, err := e.measureColumn(ctx, col)
		if err != nil {
			return fmt.Errorf("%s: %w", col.name, err)
		}
		res.Strategies = append(res.Strategies, sr)
		if sr.HTTP != nil {
			bares = append(bares, bare)
			p.Done(fmt.Sprintf("%s req/s, %.0f%% of bare; p99 %s", fmtCount(sr.HTTP.Authgate.PerSecond),
				100*sr.HTTP.ThroughputRatio, fmtDur(time.Duration(sr.HTTP.Authgate.Latency.P99))))
		} else {
			p.Done("skipped: " + sr.Skipped)
		}
	}
	res.Drift = drift(bares)
	if e.redisURL != "" && e.topology != "cluster" {
		gated := 3 // a, b, c run the freshness loop; u does not
		res.Background = background(bares, gated)
		p.Phase("redis memory")
		n := min(10000, max(1000, int(o.Duration/time.Millisecond)))
		if res.Memory, err = measureMemory(ctx, e.redisURL, n); err != nil {
			return err
		}
		p.Done(fmt.Sprintf("%.0f B per session, %.0f B per revocation entry", res.Memory.BytesPerSession, res.Memory.BytesPerEntry))
	}

	instances := []*Instance{e.a, e.b, e.c}
	for _, kind := range Kinds {
		n := o.Revocations
		if kind == KindJWTLogout {
			n = min(n, minRevocations) // the outcome is the same every time: the token stays valid
		}
		p.Phase(fmt.Sprintf("revocation %s (%d rounds)", kind, n))
		r, err := MeasureRevocation(ctx, instances, kind, n)
		if err != nil {
			return err
		}
		res.Revocations = append(res.Revocations, r)
		p.Done(revocationSummary(r))
	}

	p.Phase("login")
	lr, err := measureLogin(ctx, e.a, e.username, 2*runtime.GOMAXPROCS(0), o.Duration/2, runtime.GOMAXPROCS(0))
	if err != nil {
		return err
	}
	lr.Params = res.Setup.Hasher
	res.Login = lr
	p.Done(fmt.Sprintf("%s per check, %.1f logins/s per core", fmtDur(time.Duration(lr.Check.NsPerOp)), lr.PerSecondPerCore))

	p.Phase("scaling over 1, 2, 3 instances")
	if res.Scaling, err = e.scaling(ctx); err != nil {
		return err
	}
	p.Done(scalingSummary(res.Scaling))
	return nil
}

// setup starts Redis (when there is one), the instances and the load user.
func setup(ctx context.Context, o Options, res *Result) (*env, error) {
	e := &env{o: o, dir: o.TempDir, redisURL: o.RedisURL}
	if e.dir == "" {
		dir, err := os.MkdirTemp("", "authgate-bench-")
		if err != nil {
			return nil, fmt.Errorf("temp dir: %w", err)
		}
		e.dir, e.removeDir = dir, true
	}
	res.Setup = Setup{
		Mode: "in-process", Store: "embedded", Duration: Duration(o.Duration), Concurrency: o.Concurrency,
		Hasher:        hasherName(o.Hasher),
		LoadGenerator: "in the same process: one goroutine per connection, each writing a pre-serialized HTTP/1.1 request on a kept-alive loopback connection and reading the answer before the next",
	}
	switch {
	case o.RedisURL != "":
		res.Setup.RedisSource = "--redis (given)"
	case o.NoRedis:
		res.Notes = append(res.Notes, "Redis rows: not measured (--no-redis).")
	default:
		srv, err := StartRedisServer(filepath.Join(e.dir, "redis"))
		switch {
		case errors.Is(err, ErrNoRedisServer):
			res.Notes = append(res.Notes, "Redis rows: not measured (no Redis): no --redis given and no redis-server on PATH; sessions and revocations used the embedded SQLite store.")
		case err != nil:
			return e, err
		default:
			e.redis, e.redisURL = srv, srv.URL()
			res.Setup.RedisSource = "private redis-server started by the bench on " + srv.Addr()
		}
	}

	cfg := config.Default()
	cfg.DataDir = filepath.Join(e.dir, "data")
	cfg.Redis.URL = e.redisURL
	if err := cfg.Validate(); err != nil {
		return e, err
	}
	var opts []app.Option
	if o.Hasher != nil {
		opts = append(opts, app.WithHasher(o.Hasher))
	}
	var err error
	// a first: it creates the signing key the others load.
	for _, s := range []struct {
		in   **Instance
		name string
	}{{&e.a, "A"}, {&e.b, "B"}, {&e.c, "C"}} {
		if *s.in, err = StartInstance(ctx, s.name, cfg, opts...); err != nil {
			return e, err
		}
	}
	res.Setup.Instances = 3
	if e.redisURL != "" {
		if e.u, err = StartInstance(ctx, "A-nocache", cfg, append(opts, app.WithRedisOptions(redis.WithFreshnessLoop(false)))...); err != nil {
			return e, err
		}
		res.Setup.Instances = 4
		res.Setup.Store = "redis"
		res.Setup.StalenessBound = Duration(e.a.bound())
		e.topology = topologyOf(e.redisURL)
		res.Setup.RedisTopology = e.topology
		if s, err := (&redisProbe{c: e.a.App.State.Redis}).snap(ctx); err == nil {
			res.Machine.Redis = s.version
		}
	}
	e.username = "bench-load"
	if _, err := e.a.addUser(ctx, e.username); err != nil {
		return e, err
	}
	return e, nil
}

// drift summarizes the bare handler's segment throughputs.
func drift(bares []sideAcc) *Drift {
	var rps []float64
	for _, b := range bares {
		rps = append(rps, b.segRPS...)
	}
	if len(rps) == 0 {
		return nil
	}
	slices.Sort(rps)
	return &Drift{Segments: len(rps), Min: rps[0], Median: rps[len(rps)/2], Max: rps[len(rps)-1]}
}

// topologyOf names the deployment a Redis URL's scheme selects.
func topologyOf(url string) string {
	scheme, _, _ := strings.Cut(strings.ToLower(url), "://")
	switch {
	case strings.HasSuffix(scheme, "-sentinel"):
		return "sentinel"
	case strings.HasSuffix(scheme, "-cluster"):
		return "cluster"
	default:
		return "standalone"
	}
}

func hasherName(h *password.Hasher) string {
	p := password.DefaultParams
	name := "production"
	if h != nil {
		p, name = h.Params(), "custom (not production cost)"
	}
	return fmt.Sprintf("argon2id m=%d KiB, t=%d, p=%d (%s)", p.Memory, p.Time, p.Threads, name)
}
