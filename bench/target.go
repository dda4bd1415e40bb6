package bench

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// remoteRevocations caps the rounds per kind against a running deployment, where every
// round is a real password login at the deployment's cost.
const remoteRevocations = 200

// runTarget measures a running deployment over HTTP: each route's throughput and latency,
// logins, and revocation between the targets (or on the one target). Nothing in-process:
// no check costs, no bare handler, no Redis readings.
func runTarget(ctx context.Context, o Options, res *Result) error {
	p := o.Progress
	paths := o.Paths
	if paths == (Paths{}) {
		paths = DemoPaths
	}
	res.Setup = Setup{Mode: "target", Store: "unknown", Duration: Duration(o.Duration), Concurrency: o.Concurrency,
		Instances: len(o.Targets), Targets: o.Targets, Hasher: "the deployment's",
		LoadGenerator: "this process: one goroutine per connection, pre-serialized HTTP/1.1 requests on kept-alive connections"}
	var instances []*Instance
	for i, t := range o.Targets {
		in := RemoteInstance(string(rune('A'+i)), t, o.Username, o.Password)
		in.Paths = paths
		instances = append(instances, in)
	}
	a := instances[0]
	if len(instances) == 1 {
		instances = append(instances, a) // revocation is then checked on the same deployment
		res.Notes = append(res.Notes, "One target: revocations were checked on the same address they were made on; behind a load balancer that may be another instance or the same.")
	}
	res.Notes = append(res.Notes, "Target mode: the load generator runs on this machine and the deployment elsewhere (or here); there is no bare handler beside it, so no ratios, and no in-process or Redis readings.",
		"Target mode logs the user in and out many times, and the force-logout rounds end every session and token the user has: use a user of its own for the bench.")

	cols := []struct {
		name, path string
		cookie     bool
	}{{ColJWT, paths.JWT, false}, {ColSession, paths.Session, true}, {ColHybrid, paths.Hybrid, false}}
	for _, col := range cols {
		p.Phase("measure " + col.name)
		var h http.Header
		var credLen int
		if col.cookie {
			c, err := sessionLogin(ctx, a.URL, o.Username, o.Password)
			if err != nil {
				return err
			}
			h, credLen = c.cookies(), len(c.cookie)
		} else {
			c, err := tokenLogin(ctx, a.URL, o.Username, o.Password)
			if err != nil {
				return err
			}
			h, credLen = c.bearer(), len(c.access)
		}
		var reqs []*Request
		for _, in := range instances[:len(o.Targets)] {
			r, err := NewRequest(in.URL, "GET", col.path, h, nil)
			if err != nil {
				return err
			}
			reqs = append(reqs, r)
		}
		run, err := runLoad(ctx, reqs, o.Concurrency, o.Duration, nil)
		if err != nil {
			return fmt.Errorf("%s: %w", col.name, err)
		}
		t := throughput(run)
		res.Strategies = append(res.Strategies, StrategyResult{Name: col.name, Route: col.path, CredentialBytes: credLen, Infra: infra(col.name, ""),
			HTTP: &HTTP{Concurrency: o.Concurrency, Segments: 1, Authgate: t}})
		p.Done(fmt.Sprintf("%s req/s, p99 %s, %d errors", fmtCount(t.PerSecond), fmtDur(time.Duration(t.Latency.P99)), t.Errors))
	}

	for _, kind := range Kinds {
		n := min(o.Revocations, remoteRevocations)
		p.Phase(fmt.Sprintf("revocation %s (%d rounds)", kind, n))
		r, err := MeasureRevocation(ctx, instances, kind, n)
		if err != nil {
			return err
		}
		res.Revocations = append(res.Revocations, r)
		p.Done(revocationSummary(r))
	}

	p.Phase("login")
	lr, err := measureLogin(ctx, a, o.Username, o.Concurrency, o.Duration/2, 0)
	if err != nil {
		return err
	}
	res.Login = lr
	p.Done(fmt.Sprintf("%.1f logins/s", lr.HTTP.PerSecond))
	return nil
}
