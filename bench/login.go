package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/authgate/authgate/password"
)

// measureLogin measures a password login on in: accounts.Service.Authenticate in-process for
// about d/2, then POST /auth/token over HTTP at conns connections for d, with the instance's
// own hasher (argon2id at production parameters in authgate bench).
func measureLogin(ctx context.Context, in *Instance, username string, conns int, d time.Duration, cores int) (*LoginResult, error) {
	out := &LoginResult{Concurrency: conns, Params: "unknown (remote)"}
	if in.App != nil {
		p := password.DefaultParams
		out.Params = fmt.Sprintf("argon2id m=%d KiB, t=%d, p=%d", p.Memory, p.Time, p.Threads)
		var err error
		out.Check, err = measureOp(ctx, d/2, func() error {
			_, err := in.App.Accounts.Authenticate(ctx, username, benchPassword)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("login check: %w", err)
		}
	}
	pw := benchPassword
	if in.login != nil {
		pw = in.login.password
	}
	body, _ := json.Marshal(map[string]string{"username": username, "password": pw})
	req, err := NewRequest(in.URL, "POST", "/auth/token", nil, body)
	if err != nil {
		return nil, err
	}
	run, err := runLoad(ctx, []*Request{req}, conns, d, nil)
	if err != nil {
		return nil, fmt.Errorf("logins over HTTP: %w", err)
	}
	out.HTTP = throughput(run)
	if cores > 0 {
		out.PerSecondPerCore = out.HTTP.PerSecond / float64(cores)
	}
	return out, nil
}

// throughput summarizes one load run.
func throughput(r loadRun) Throughput {
	t := Throughput{Requests: r.requests, Errors: r.errors, Seconds: r.elapsed.Seconds(), FirstError: r.firstErr,
		Latency: summarize(r.samples, true)}
	if r.elapsed > 0 {
		t.PerSecond = float64(r.requests) / r.elapsed.Seconds()
	}
	return t
}
