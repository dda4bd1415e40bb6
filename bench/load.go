package bench

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// loadRun is what one run of fixed-concurrency load measured.
type loadRun struct {
	requests int // answered 200
	errors   int // anything else, or a transport error
	firstErr string
	elapsed  time.Duration
	samples  []int64 // latency of each 200, ns
}

// pool is a set of kept-alive connections, connection i sending reqs[i%len(reqs)], reused
// across the segments of a measurement.
type pool struct {
	reqs  []*Request
	conns []*Conn
}

// newPool opens n connections and uses each once (the answer must be 200), so that the
// measured requests find them, and the servers' goroutines for them, ready.
func newPool(ctx context.Context, reqs []*Request, n int) (*pool, error) {
	p := &pool{reqs: reqs}
	for i := range n {
		r := reqs[i%len(reqs)]
		c, err := Dial(ctx, r)
		if err != nil {
			p.close()
			return nil, err
		}
		p.conns = append(p.conns, c)
		res, err := c.Do(ctx, r, true)
		if err == nil && res.Status != 200 {
			err = fmt.Errorf("%w: warm-up request answered %d %.200s", ErrBadResponse, res.Status, res.Body)
		}
		if err != nil {
			p.close()
			return nil, err
		}
	}
	return p, nil
}

func (p *pool) close() {
	for _, c := range p.conns {
		c.Close()
	}
}

// runLoad keeps conns connections busy for d, each sending one of reqs (connection i sends
// reqs[i%len(reqs)]) and waiting for the answer before the next: a closed loop at fixed
// concurrency. done, when not nil, is advanced per request for the progress display.
func runLoad(ctx context.Context, reqs []*Request, conns int, d time.Duration, done *atomic.Int64) (loadRun, error) {
	p, err := newPool(ctx, reqs, conns)
	if err != nil {
		return loadRun{}, err
	}
	defer p.close()
	return p.run(ctx, d, done)
}

// run is one segment of closed-loop load on the pool's connections.
func (p *pool) run(ctx context.Context, d time.Duration, done *atomic.Int64) (loadRun, error) {
	cs, reqs, conns := p.conns, p.reqs, len(p.conns)
	per := make([]loadRun, conns)
	var wg sync.WaitGroup
	startGate := make(chan struct{})
	start := time.Now().Add(time.Millisecond)
	deadline := start.Add(d)
	finished := make([]time.Time, conns)
	for i := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, r, out := cs[i], reqs[i%len(reqs)], &per[i]
			out.samples = make([]int64, 0, 1024)
			if c.nc != nil {
				_ = c.nc.SetDeadline(deadline.Add(30 * time.Second)) // a hung server cannot hang the bench
			}
			<-startGate
			for ctx.Err() == nil {
				t0 := time.Now()
				if !t0.Before(deadline) {
					break
				}
				res, err := c.Do(context.Background(), r, false)
				t1 := time.Now()
				if done != nil {
					done.Add(1)
				}
				switch {
				case err != nil:
					out.errors++
					if out.firstErr == "" {
						out.firstErr = err.Error()
					}
				case res.Status != 200:
					out.errors++
					if out.firstErr == "" {
						out.firstErr = fmt.Sprintf("status %d", res.Status)
					}
				default:
					out.requests++
					out.samples = append(out.samples, int64(t1.Sub(t0)))
				}
			}
			finished[i] = time.Now()
		}()
	}
	time.Sleep(time.Until(start))
	close(startGate)
	wg.Wait()

	var total loadRun
	n := 0
	for i, p := range per {
		total.requests += p.requests
		total.errors += p.errors
		if total.firstErr == "" {
			total.firstErr = p.firstErr
		}
		n += len(p.samples)
		if e := finished[i].Sub(start); e > total.elapsed {
			total.elapsed = e
		}
	}
	total.samples = make([]int64, 0, n)
	for _, p := range per {
		total.samples = append(total.samples, p.samples...)
	}
	if err := ctx.Err(); err != nil {
		return total, err
	}
	return total, nil
}

// sideAcc accumulates the segments of one side of a comparison.
type sideAcc struct {
	requests, errors int
	firstErr         string
	elapsed          time.Duration
	samples          []int64
	redis            redisSnap // summed deltas over the side's segments
	client           clientDelta
	segRPS           []float64 // throughput of each segment, in order
}

func (a *sideAcc) add(r loadRun) {
	a.requests += r.requests
	a.errors += r.errors
	if a.firstErr == "" {
		a.firstErr = r.firstErr
	}
	a.elapsed += r.elapsed
	a.samples = append(a.samples, r.samples...)
	if r.elapsed > 0 {
		a.segRPS = append(a.segRPS, float64(r.requests)/r.elapsed.Seconds())
	}
}

func (a *sideAcc) rps() float64 {
	if a.elapsed <= 0 {
		return 0
	}
	return float64(a.requests) / a.elapsed.Seconds()
}

// segmentTarget is the length a comparison aims at for its segments: short, because the speed
// of a shared or virtual machine drifts by tens of percent within seconds.
const segmentTarget = 100 * time.Millisecond

// segments is how many segments per side a comparison of d uses: at least minSegments.
func segments(d time.Duration) int { return max(minSegments, int(d/segmentTarget)) }

// comparison runs authgate and the bare handler in alternating segments (bare first in even
// rounds, authgate first in odd ones), so that drift of a busy machine over the run hits both
// alike. Each side gets d in total. probe and client, when set, are read around every segment.
type comparison struct {
	gate, bare []*Request
	conns      int
	d          time.Duration
	rounds     int
	probe      *redisProbe
	client     clientStatser
	progress   *Progress
	label      string
}

func (c comparison) run(ctx context.Context) (gate, bare sideAcc, err error) {
	var done atomic.Int64
	if c.progress != nil {
		begin := time.Now()
		c.progress.Live(func() string {
			el := time.Since(begin).Seconds()
			return fmt.Sprintf("%s: %s requests, %s req/s (authgate and bare handler together)", c.label, fmtCount(float64(done.Load())), fmtCount(float64(done.Load())/max(el, 0.001)))
		})
	}
	var before redisSnap
	var cBefore clientDelta
	accs, err := interleave(ctx, [][]*Request{c.bare, c.gate}, c.conns, c.d, c.rounds, &done, func(_ int, start bool, acc *sideAcc) error {
		if start {
			if c.probe != nil {
				if before, err = c.probe.snap(ctx); err != nil {
					return err
				}
			}
			if c.client != nil {
				cBefore = c.client.clientStats()
			}
			return nil
		}
		if c.client != nil {
			acc.client = acc.client.plus(c.client.clientStats().minus(cBefore))
		}
		if c.probe != nil {
			after, err := c.probe.snap(ctx)
			if err != nil {
				return err
			}
			acc.redis = acc.redis.plus(after.minus(before))
		}
		return nil
	})
	if err != nil {
		return gate, bare, err
	}
	return accs[1], accs[0], nil
}

// interleave runs each variant (a set of requests spread over the connections) for d in all,
// in rounds: every round runs each variant for d/rounds, in order in even rounds and in
// reverse order in odd ones, so that drift of the machine's speed hits every variant alike.
// Every variant is warmed up first. around, when set, is called before (start true) and after
// each segment with the variant's index and accumulator.
func interleave(ctx context.Context, variants [][]*Request, conns int, d time.Duration, rounds int, done *atomic.Int64,
	around func(i int, start bool, acc *sideAcc) error) ([]sideAcc, error) {
	seg := d / time.Duration(rounds)
	pools := make([]*pool, len(variants))
	defer func() {
		for _, p := range pools {
			if p != nil {
				p.close()
			}
		}
	}()
	for i, reqs := range variants {
		p, err := newPool(ctx, reqs, conns)
		if err != nil {
			return nil, err
		}
		pools[i] = p
		if _, err := p.run(ctx, min(2*seg, 250*time.Millisecond), nil); err != nil { // warm-up
			return nil, err
		}
	}
	accs := make([]sideAcc, len(variants))
	for r := range rounds {
		for j := range variants {
			i := j
			if r%2 == 1 {
				i = len(variants) - 1 - j
			}
			if around != nil {
				if err := around(i, true, &accs[i]); err != nil {
					return nil, err
				}
			}
			res, err := pools[i].run(ctx, seg, done)
			if err != nil {
				return nil, err
			}
			if around != nil {
				if err := around(i, false, &accs[i]); err != nil {
					return nil, err
				}
			}
			accs[i].add(res)
		}
	}
	return accs, nil
}
