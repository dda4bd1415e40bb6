package bench

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/authgate/authgate/config"
	"github.com/authgate/authgate/internal/app"
	"github.com/authgate/authgate/internal/testenv"
	"github.com/authgate/authgate/password"
)

// cheapHasher keeps test logins fast; production parameters are measured by authgate bench.
var cheapHasher = password.New(password.WithParams(password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}))

// startInstances starts n instances sharing one identity database and redisURL (the embedded
// stores when empty), closed when t ends.
func startInstances(t testing.TB, redisURL string, n int) []*Instance {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = filepath.Join(t.TempDir(), "data")
	cfg.Redis.URL = redisURL
	var out []*Instance
	for i := range n {
		in, err := StartInstance(context.Background(), string(rune('A'+i)), cfg, app.WithHasher(cheapHasher))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { in.Close() })
		out = append(out, in)
	}
	return out
}

func TestMeasureRevocationRedis(t *testing.T) {
	instances := startInstances(t, testenv.Redis(t).URL(), 3)
	ctx := context.Background()
	for _, kind := range Kinds {
		n := 200
		if kind == KindJWTLogout {
			n = 20
		}
		t.Run(kind, func(t *testing.T) {
			r, err := MeasureRevocation(ctx, instances, kind, n)
			if err != nil {
				t.Fatal(err)
			}
			if r.Rounds != n || r.Bound != Duration(10*time.Millisecond) {
				t.Errorf("rounds %d, bound %v", r.Rounds, time.Duration(r.Bound))
			}
			if r.CheckRequests < n*2 {
				t.Errorf("%d check requests for %d rounds on 2 instances", r.CheckRequests, n)
			}
			if !enforced(kind) {
				// The jwt trade-off: the access token stays valid until it expires.
				if r.AdmittedAfterAck == 0 || r.RemainingLifetime == nil || time.Duration(r.RemainingLifetime.P50) < 4*time.Minute {
					t.Errorf("jwt logout: %d admitted after the ack, remaining lifetime %+v", r.AdmittedAfterAck, r.RemainingLifetime)
				}
				return
			}
			if r.Violations != 0 || r.Unenforced != 0 {
				t.Errorf("%d violations, %d never enforced in %d rounds", r.Violations, r.Unenforced, n)
			}
			if len(r.PerInstance) != 2 || r.PerInstance[0].Instance != "B" || r.PerInstance[1].Instance != "C" {
				t.Fatalf("per instance: %+v", r.PerInstance)
			}
			want := n
			if kind == KindForceLogout {
				want = 2 * n // a hybrid token and a session per round
			}
			for _, pi := range r.PerInstance {
				if pi.Delay.Count != want {
					t.Errorf("%s: %d delays, want %d", pi.Instance, pi.Delay.Count, want)
				}
			}
		})
	}
}

func TestMeasureRevocationEmbedded(t *testing.T) {
	instances := startInstances(t, "", 2)
	r, err := MeasureRevocation(context.Background(), instances, KindSessionLogout, 30)
	if err != nil {
		t.Fatal(err)
	}
	if r.Bound != 0 || r.Violations != 0 || r.Unenforced != 0 || r.AdmittedAfterAck != 0 {
		t.Errorf("embedded: %+v", r)
	}
}

func TestMeasureRevocationRejects(t *testing.T) {
	instances := startInstances(t, "", 1)
	ctx := context.Background()
	if _, err := MeasureRevocation(ctx, instances, KindLogout, 10); err == nil {
		t.Error("one instance accepted")
	}
	if _, err := MeasureRevocation(ctx, append(instances, instances...), "nonsense", 10); err == nil {
		t.Error("unknown kind accepted")
	}
}

// TestRevocationTopologies is the headline guarantee on every Redis topology, for every kind
// of revocation: no request that started later than D after the acknowledgement was admitted
// on another instance. (cmd/authgate's TestRevocationPropagation does 1,000 hybrid logouts per
// topology across three real processes; here 300 of each kind keep CI time in bounds.)
func TestRevocationTopologies(t *testing.T) {
	topologies := []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"standalone", func(t *testing.T) string { return testenv.Redis(t).URL() }},
		{"sentinel", func(t *testing.T) string { return testenv.Sentinel(t).URL() }},
		{"cluster", func(t *testing.T) string { return testenv.Cluster(t).URL() }},
	}
	for _, topo := range topologies {
		t.Run(topo.name, func(t *testing.T) {
			instances := startInstances(t, topo.url(t), 3)
			for _, kind := range []string{KindLogout, KindSessionLogout, KindForceLogout} {
				r, err := MeasureRevocation(context.Background(), instances, kind, 300)
				if err != nil {
					t.Fatalf("%s: %v", kind, err)
				}
				if r.Violations != 0 || r.Unenforced != 0 {
					t.Errorf("%s: %d violations, %d never enforced in %d rounds", kind, r.Violations, r.Unenforced, r.Rounds)
				}
				t.Logf("%s: %s", kind, revocationSummary(r))
			}
		})
	}
}
