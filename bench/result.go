package bench

import "time"

// Strategy column names in results: the three strategies, and the session strategy with the
// client-side cache off, to show what the cache buys.
const (
	ColJWT            = "jwt"
	ColSession        = "session"
	ColSessionNoCache = "session-nocache"
	ColHybrid         = "hybrid"
)

// Columns is the report's column order.
var Columns = []string{ColJWT, ColSession, ColSessionNoCache, ColHybrid}

// Result is everything one run measured; results.json is this, and results.md and
// latency.svg are drawn from it.
type Result struct {
	Version   string    `json:"authgate_version"`
	StartedAt time.Time `json:"started_at"`
	WallTime  Duration  `json:"wall_time"`
	Machine   Machine   `json:"machine"`
	Setup     Setup     `json:"setup"`
	// Strategies has one entry per column that was measured, in Columns order.
	Strategies []StrategyResult `json:"strategies"`
	// Drift is how much the bare handler's throughput varied between its segments: the
	// machine's own speed changing during the run.
	Drift      *Drift             `json:"drift,omitempty"`
	Background *BackgroundTraffic `json:"redis_background,omitempty"`
	Memory     *RedisMemory       `json:"redis_memory,omitempty"`
	// Revocations has one entry per kind measured (see Kinds).
	Revocations []RevocationResult `json:"revocations"`
	Login       *LoginResult       `json:"login,omitempty"`
	Scaling     []ScalingPoint     `json:"scaling,omitempty"`
	Goals       []Goal             `json:"goals"`
	Notes       []string           `json:"notes"`
}

// Machine is where the run happened.
type Machine struct {
	CPU        string `json:"cpu"`
	Cores      int    `json:"cores"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	OS         string `json:"os"`
	Kernel     string `json:"kernel,omitempty"`
	Go         string `json:"go"`
	Redis      string `json:"redis,omitempty"`
	MemoryMiB  int    `json:"memory_mib,omitempty"`
	// OtherBusyCores is how many cores other processes kept busy on average during the
	// measurements (Linux only): work of others on a shared machine makes every figure noisier.
	OtherBusyCores *float64 `json:"other_processes_busy_cores,omitempty"`
}

// Setup is what the run measured against.
type Setup struct {
	// Mode is "in-process" (instances started by the bench) or "target" (a running deployment).
	Mode string `json:"mode"`
	// Store is "redis" or "embedded".
	Store string `json:"store"`
	// RedisSource says where Redis came from: "private redis-server started by the bench",
	// "--redis", or "" without Redis.
	RedisSource    string   `json:"redis_source,omitempty"`
	RedisTopology  string   `json:"redis_topology,omitempty"`
	StalenessBound Duration `json:"staleness_bound"`
	Duration       Duration `json:"duration"`
	Concurrency    int      `json:"concurrency"`
	Instances      int      `json:"instances"`
	Targets        []string `json:"targets,omitempty"`
	// Hasher is the password hashing in use.
	Hasher string `json:"hasher"`
	// LoadGenerator describes the client.
	LoadGenerator string `json:"load_generator"`
}

// StrategyResult is one column: a strategy as a route sees it.
type StrategyResult struct {
	Name  string `json:"name"`
	Route string `json:"route"`
	// Check is the strategy's Authenticate in-process; Handler the whole gateway in-process.
	Check   *OpCost       `json:"check,omitempty"`
	Handler *OpCost       `json:"handler,omitempty"`
	HTTP    *HTTP         `json:"http,omitempty"`
	Redis   *RedisTraffic `json:"redis,omitempty"`
	// CredentialBytes is the size of what the client sends: the access token or the cookie.
	CredentialBytes int `json:"credential_bytes"`
	// Infra is what the strategy needs besides authgate.
	Infra string `json:"infra"`
	// Skipped says why the column was not measured, if it was not.
	Skipped string `json:"skipped,omitempty"`
}

// HTTP is a strategy's throughput and latency over loopback HTTP at fixed concurrency, next to
// the bare handler's measured in alternating segments of the same run.
type HTTP struct {
	Concurrency int        `json:"concurrency"`
	Segments    int        `json:"segments_per_side"`
	Authgate    Throughput `json:"authgate"`
	Bare        Throughput `json:"bare,omitzero"`
	// Ratios of authgate to the bare handler (0 when there is no bare handler).
	ThroughputRatio float64 `json:"throughput_ratio"`
	P50Ratio        float64 `json:"p50_ratio"`
	P99Ratio        float64 `json:"p99_ratio"`
	P999Ratio       float64 `json:"p99_9_ratio"`
	// SegmentRatios are the throughput ratios of each round's two adjacent segments: their
	// spread shows how much the machine drifted.
	SegmentRatios []float64 `json:"segment_ratios,omitempty"`
	// ThroughputRatioLow and High are a 95% interval of ThroughputRatio, by resampling the
	// segment pairs.
	ThroughputRatioLow  float64 `json:"throughput_ratio_low"`
	ThroughputRatioHigh float64 `json:"throughput_ratio_high"`
}

// Throughput is one side of an HTTP measurement.
type Throughput struct {
	Requests   int     `json:"requests"`
	Errors     int     `json:"errors"`
	Seconds    float64 `json:"seconds"`
	PerSecond  float64 `json:"per_second"`
	Latency    Latency `json:"latency"`
	FirstError string  `json:"first_error,omitempty"`
}

// RedisMemory is what Redis holds per active session and per revocation entry.
type RedisMemory struct {
	Sessions        int     `json:"sessions"`
	BytesPerSession float64 `json:"bytes_per_session"`
	Entries         int     `json:"entries"`
	// BytesPerEntry is a revoked token of a user with nothing else on the list (a hash key
	// of its own); BytesPerMoreEntry one more entry in that user's hash.
	BytesPerEntry     float64 `json:"bytes_per_entry"`
	BytesPerMoreEntry float64 `json:"bytes_per_additional_entry"`
}

// LoginResult is the cost of a password login.
type LoginResult struct {
	Params string `json:"params"`
	// Check is accounts.Service.Authenticate in-process: the user lookup and one argon2id
	// verification.
	Check OpCost `json:"check"`
	// HTTP is POST /auth/token at Concurrency: argon2id, a refresh family written, the audit
	// record.
	HTTP             Throughput `json:"http"`
	Concurrency      int        `json:"concurrency"`
	PerSecondPerCore float64    `json:"logins_per_second_per_core"`
}

// ScalingPoint is the throughput of one strategy with the load spread over some instances
// sharing the store.
type ScalingPoint struct {
	Strategy  string   `json:"strategy"`
	Instances int      `json:"instances"`
	PerSecond float64  `json:"per_second"`
	P99       Duration `json:"p99"`
	// VsOne is PerSecond relative to one instance, VsBare relative to the bare handler
	// (BarePerSecond), all measured interleaved.
	VsOne         float64 `json:"vs_one_instance"`
	VsBare        float64 `json:"vs_bare"`
	BarePerSecond float64 `json:"bare_per_second"`
}

// Drift summarizes the bare handler's throughput over all its segments of the run.
type Drift struct {
	Segments int     `json:"segments"`
	Min      float64 `json:"min_per_second"`
	Median   float64 `json:"median_per_second"`
	Max      float64 `json:"max_per_second"`
}

// Goal is a target from the strategy issues and whether this run met it.
type Goal struct {
	Name     string `json:"name"`
	Target   string `json:"target"`
	Measured string `json:"measured"`
	// Met is whether the measured value reaches the target; Verdict says it in words, and
	// whether the run's noise leaves it in doubt.
	Met     bool   `json:"met"`
	Verdict string `json:"verdict"`
}

// strategy returns the column's result, or nil.
func (r *Result) strategy(name string) *StrategyResult {
	for i := range r.Strategies {
		if r.Strategies[i].Name == name {
			return &r.Strategies[i]
		}
	}
	return nil
}

// revocation returns the kind's result, or nil.
func (r *Result) revocation(kind string) *RevocationResult {
	for i := range r.Revocations {
		if r.Revocations[i].Kind == kind {
			return &r.Revocations[i]
		}
	}
	return nil
}
