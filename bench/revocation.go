package bench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/authgate/authgate/identity"
)

// Revocation kinds MeasureRevocation knows.
const (
	// KindLogout is POST /auth/logout with a bearer token, checked on the hybrid route.
	KindLogout = "logout"
	// KindForceLogout ends every credential of the user (accounts.Service.EndAll, what an
	// admin's force logout and POST /auth/logout-all run; here through the latter), checked
	// with a hybrid token and a session cookie.
	KindForceLogout = "force-logout"
	// KindSessionLogout is POST /auth/logout with the session cookie, checked on the session
	// route.
	KindSessionLogout = "session-logout"
	// KindJWTLogout is POST /auth/logout with a bearer token, checked on the jwt route: the
	// access token stays valid until it expires, by design.
	KindJWTLogout = "jwt-logout"
)

// Kinds lists every revocation kind, in report order.
var Kinds = []string{KindLogout, KindSessionLogout, KindForceLogout, KindJWTLogout}

// revocationLanes is how many rounds run at once. Rounds of a lane run one after another
// with a user of their own, so a force logout in one lane never touches another's
// credentials.
const revocationLanes = 8

// checkerTimeout is how long after the acknowledgement a checker waits for a refusal before
// it counts the revocation as not enforced.
const checkerTimeout = 5 * time.Second

// RevocationResult is what MeasureRevocation measured.
type RevocationResult struct {
	Kind   string `json:"kind"`
	Rounds int    `json:"rounds"`
	Lanes  int    `json:"lanes"`
	// Bound is the staleness bound D of the instances' Redis clients (0: the embedded store,
	// which does not cache).
	Bound Duration `json:"bound"`
	// Ack is the latency of the revoking call itself, as its caller sees it.
	Ack Latency `json:"ack_latency"`
	// PerInstance holds, for each instance other than the first, the delay from the
	// acknowledgement to the start of the first refused request (negative delays, the refusal
	// already in force at the acknowledgement, clamped to 0); for jwt-logout it is empty.
	PerInstance []InstanceDelay `json:"per_instance"`
	// RefusedAfterSend is the time from sending the revoking call to the start of the first
	// refused request, over every checker: when the other instances actually stopped
	// admitting.
	RefusedAfterSend DelayStats `json:"refused_after_send"`
	// LastAdmitted is the time from the acknowledgement to the start of the last request each
	// checker saw admitted (before the acknowledgement counted as 0): the enforcement moment
	// lies between it and the first refusal, so a late first refusal next to an early last
	// admission means a slow checker request, not a slow revocation.
	LastAdmitted DelayStats `json:"last_admitted_after_ack"`
	// CheckRequests is how many requests the checkers sent.
	CheckRequests int `json:"check_requests"`
	// AdmittedAfterAck counts checker requests started after the acknowledgement and admitted.
	AdmittedAfterAck int `json:"admitted_after_ack"`
	// Violations counts checker requests started later than the acknowledgement plus Bound
	// and admitted. For every kind but jwt-logout it must be 0.
	Violations int `json:"violations"`
	// Unenforced counts checkers that saw no refusal within checkerTimeout.
	Unenforced int `json:"unenforced"`
	// RemainingLifetime is, for jwt-logout, how long the access token stays valid after the
	// acknowledgement: the jwt strategy's enforcement time.
	RemainingLifetime *DelayStats `json:"remaining_lifetime,omitempty"`
}

// InstanceDelay is the acknowledgement-to-refusal delay seen on one instance.
type InstanceDelay struct {
	Instance string     `json:"instance"`
	Delay    DelayStats `json:"delay"`
}

// enforced reports whether the kind is expected to be refused after the acknowledgement.
func enforced(kind string) bool { return kind != KindJWTLogout }

// MeasureRevocation runs n revocations of the kind, in revocationLanes parallel lanes. In each
// round a credential is issued on instances[0] (A), every other instance is made to admit it
// (their caches warm), checkers keep sending requests with it to those instances, and A
// revokes it; the time t of the acknowledgement (A's answer received) is recorded. A checker
// stops at its first refusal. The result gives, per instance, the delay from t to the start
// of the first refused request, and counts violations: requests started after t + D and
// admitted. It needs at least two instances sharing their stores.
func MeasureRevocation(ctx context.Context, instances []*Instance, kind string, n int) (RevocationResult, error) {
	res := RevocationResult{Kind: kind, Rounds: n}
	if len(instances) < 2 || n < 1 {
		return res, fmt.Errorf("%w: revocation needs two instances and a round, got %d and %d", ErrInvalidOptions, len(instances), n)
	}
	switch kind {
	case KindLogout, KindForceLogout, KindSessionLogout, KindJWTLogout:
	default:
		return res, fmt.Errorf("%w: unknown revocation kind %q", ErrInvalidOptions, kind)
	}
	a := instances[0]
	res.Bound = Duration(a.bound())
	lanes := min(revocationLanes, n)
	var users []*identity.User
	if a.App != nil {
		var err error
		if users, err = a.revocationUsers(ctx, lanes); err != nil {
			return res, err
		}
	} else if kind == KindForceLogout {
		lanes = 1 // one remote user: a force logout ends every lane's credentials
	}
	res.Lanes = lanes

	rounds := make([]roundResult, n)
	var next atomic.Int64
	errs := make(chan error, lanes)
	var wg sync.WaitGroup
	for l := range lanes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ln := &lane{kind: kind, instances: instances, conns: map[string]*Conn{}}
			if users != nil {
				ln.user = users[l]
			}
			defer ln.close()
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				r, err := ln.round(ctx)
				if err != nil {
					errs <- fmt.Errorf("%s round %d: %w", kind, i, err)
					next.Store(int64(n)) // stop the other lanes
					return
				}
				rounds[i] = r
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := errors.Join(collect(errs)...); err != nil {
		return res, err
	}
	res.summarize(rounds, instances[1:])
	return res, nil
}

func collect(ch <-chan error) []error {
	var out []error
	for err := range ch {
		out = append(out, err)
	}
	return out
}

// roundResult is one revocation round.
type roundResult struct {
	ack       time.Duration // the revoking call's latency
	remaining time.Duration // jwt: token lifetime left at the acknowledgement
	checks    []checkResult
}

// checkResult is one checker's view of a round, times relative to the acknowledgement.
type checkResult struct {
	instance      string
	refused       bool
	firstRefusal  time.Duration // start of the first refused request, after the ack
	refusedAfter  time.Duration // the same, after the revoking call was sent
	admitted      bool          // some request was admitted after the warm-up
	lastAdmitted  time.Duration // start of the last admitted request, after the ack
	requests      int
	admittedAfter int // admitted, started after the ack
	violations    int // admitted, started after the ack + D
}

func (r *RevocationResult) summarize(rounds []roundResult, others []*Instance) {
	acks := make([]int64, 0, len(rounds))
	perInstance := map[string][]time.Duration{}
	var sent, remaining, last []time.Duration
	for _, rd := range rounds {
		acks = append(acks, int64(rd.ack))
		if rd.remaining > 0 {
			remaining = append(remaining, rd.remaining)
		}
		for _, c := range rd.checks {
			r.CheckRequests += c.requests
			r.AdmittedAfterAck += c.admittedAfter
			r.Violations += c.violations
			if !enforced(r.Kind) {
				continue
			}
			if !c.refused {
				r.Unenforced++
				continue
			}
			perInstance[c.instance] = append(perInstance[c.instance], c.firstRefusal)
			sent = append(sent, c.refusedAfter)
			if c.admitted {
				last = append(last, c.lastAdmitted)
			}
		}
	}
	r.Ack = summarize(acks, false)
	for _, in := range others {
		if d, ok := perInstance[in.Name]; ok {
			r.PerInstance = append(r.PerInstance, InstanceDelay{Instance: in.Name, Delay: delayStats(d)})
		}
	}
	r.RefusedAfterSend = delayStats(sent)
	r.LastAdmitted = delayStats(last)
	if remaining != nil {
		s := delayStats(remaining)
		r.RemainingLifetime = &s
	}
}

// lane runs rounds one after another with its own user and connections.
type lane struct {
	kind      string
	instances []*Instance
	user      *identity.User
	conns     map[string]*Conn // by instance name and use
}

func (l *lane) close() {
	for _, c := range l.conns {
		c.Close()
	}
}

func (l *lane) conn(ctx context.Context, key string, r *Request) (*Conn, error) {
	if c, ok := l.conns[key]; ok {
		return c, nil
	}
	c, err := Dial(ctx, r)
	if err != nil {
		return nil, err
	}
	l.conns[key] = c
	return c, nil
}

// probe is one request a checker repeats on one instance.
type probe struct {
	in  *Instance
	key string
	req *Request
}

// round issues a credential on A, checks it on the others until refused, revokes it on A.
func (l *lane) round(ctx context.Context) (roundResult, error) {
	a := l.instances[0]
	var tok, sess credential
	var err error
	if l.kind != KindSessionLogout {
		if tok, err = a.issueToken(ctx, l.user); err != nil {
			return roundResult{}, err
		}
	}
	if l.kind == KindSessionLogout || l.kind == KindForceLogout {
		if sess, err = a.issueSession(ctx, l.user); err != nil {
			return roundResult{}, err
		}
	}
	var probes []probe
	for _, in := range l.instances[1:] {
		add := func(use, path string, h http.Header) error {
			r, err := NewRequest(in.URL, "GET", path, h, nil)
			if err == nil {
				probes = append(probes, probe{in: in, key: in.Name + "/" + use, req: r})
			}
			return err
		}
		p := in.paths()
		switch l.kind {
		case KindLogout:
			err = add("hybrid", p.Hybrid, tok.bearer())
		case KindJWTLogout:
			err = add("jwt", p.JWT, tok.bearer())
		case KindSessionLogout:
			err = add("session", p.Session, sess.cookies())
		case KindForceLogout:
			err = errors.Join(add("hybrid", p.Hybrid, tok.bearer()), add("session", p.Session, sess.cookies()))
		}
		if err != nil {
			return roundResult{}, err
		}
	}
	// The revoking call, on A.
	var revoke *Request
	switch l.kind {
	case KindLogout, KindJWTLogout:
		revoke, err = NewRequest(a.URL, "POST", "/auth/logout", tok.bearer(), nil)
	case KindSessionLogout:
		revoke, err = NewRequest(a.URL, "POST", "/auth/logout", sess.cookies(), nil)
	case KindForceLogout:
		revoke, err = NewRequest(a.URL, "POST", "/auth/logout-all", tok.bearer(), nil)
	}
	if err != nil {
		return roundResult{}, err
	}
	revokeConn, err := l.conn(ctx, a.Name+"/revoke", revoke)
	if err != nil {
		return roundResult{}, err
	}

	// Checkers: admit first (warming the instance's cache), then repeat until refused.
	var ackAt atomic.Int64 // unix ns of the acknowledgement; 0 until known, -1 to abort
	ready := make(chan error, len(probes))
	samples := make([][]sample, len(probes))
	errs := make([]error, len(probes))
	var wg sync.WaitGroup
	for i, p := range probes {
		c, err := l.conn(ctx, p.key, p.req)
		if err != nil {
			return roundResult{}, err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			samples[i], errs[i] = check(ctx, c, p, l.kind, a.bound(), &ackAt, ready)
		}()
	}
	abort := func(err error) (roundResult, error) {
		ackAt.Store(-1)
		wg.Wait()
		return roundResult{}, err
	}
	for range probes {
		if err := <-ready; err != nil {
			return abort(err)
		}
	}
	sent := time.Now()
	res, err := revokeConn.Do(ctx, revoke, true)
	ack := time.Now()
	if err == nil && res.Status != http.StatusNoContent {
		err = fmt.Errorf("%w: %s on %s answered %d %.200s", ErrBadResponse, l.kind, a.Name, res.Status, res.Body)
	}
	if err != nil {
		return abort(err)
	}
	ackAt.Store(ack.UnixNano())
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return roundResult{}, err
	}
	out := roundResult{ack: ack.Sub(sent)}
	if l.kind == KindJWTLogout {
		out.remaining = tok.exp.Sub(ack)
	}
	bound := a.bound()
	for i, p := range probes {
		cr := checkResult{instance: p.in.Name, requests: len(samples[i])}
		for _, s := range samples[i] {
			start := time.Unix(0, s.start)
			switch {
			case !s.ok:
				cr.refused = true
				cr.firstRefusal, cr.refusedAfter = start.Sub(ack), start.Sub(sent)
				continue
			}
			cr.admitted, cr.lastAdmitted = true, start.Sub(ack)
			switch {
			case start.After(ack):
				cr.admittedAfter++
				if start.After(ack.Add(bound)) {
					cr.violations++
				}
			}
		}
		out.checks = append(out.checks, cr)
	}
	return out, nil
}

// sample is one checker request: when it started and whether it was admitted.
type sample struct {
	start int64 // unix ns
	ok    bool
}

// jwtWindow is how long after the acknowledgement a jwt-logout checker goes on, to show that
// the access token is still admitted.
func jwtWindow(bound time.Duration) time.Duration { return max(2*bound, 20*time.Millisecond) }

// check makes the instance admit the credential (reporting on ready), then repeats the request
// until the first refusal (401), which ends the samples; for jwt-logout, until jwtWindow after
// the acknowledgement. Any other status is an error.
func check(ctx context.Context, c *Conn, p probe, kind string, bound time.Duration, ackAt *atomic.Int64, ready chan<- error) ([]sample, error) {
	warmUntil := time.Now().Add(checkerTimeout)
	for {
		res, err := c.Do(ctx, p.req, false)
		if err != nil {
			ready <- err
			return nil, nil
		}
		if res.Status == http.StatusOK {
			break
		}
		if time.Now().After(warmUntil) {
			ready <- fmt.Errorf("%w: %s never admitted a fresh credential (last status %d)", ErrBadResponse, p.key, res.Status)
			return nil, nil
		}
	}
	ready <- nil
	out := make([]sample, 0, 256)
	for {
		start := time.Now()
		ack := ackAt.Load()
		switch {
		case ack < 0:
			return nil, nil // the round was aborted; its error is reported there
		case ack > 0 && enforced(kind) && start.UnixNano() > ack+int64(checkerTimeout):
			return out, nil // not enforced: counted by the caller
		case ack > 0 && !enforced(kind) && start.UnixNano() > ack+int64(jwtWindow(bound)):
			return out, nil
		}
		res, err := c.Do(ctx, p.req, false)
		if err != nil {
			return out, fmt.Errorf("check on %s: %w", p.key, err)
		}
		switch res.Status {
		case http.StatusOK:
			out = append(out, sample{start: start.UnixNano(), ok: true})
		case http.StatusUnauthorized:
			return append(out, sample{start: start.UnixNano()}), nil
		default:
			return out, fmt.Errorf("%w: check on %s answered %d", ErrBadResponse, p.key, res.Status)
		}
	}
}
