package bench

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"
)

// Duration is a time.Duration that reads and writes JSON as a string ("1.5ms") next to its
// nanoseconds, so results.json is readable and exact.
type Duration time.Duration

// MarshalJSON writes {"ns": n, "text": "1.5ms"}.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		NS   int64  `json:"ns"`
		Text string `json:"text"`
	}{int64(d), fmtDur(time.Duration(d))})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var v struct {
		NS int64 `json:"ns"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*d = Duration(v.NS)
	return nil
}

// Latency summarizes a latency distribution.
type Latency struct {
	Count int      `json:"count"`
	Mean  Duration `json:"mean"`
	P50   Duration `json:"p50"`
	P90   Duration `json:"p90"`
	P99   Duration `json:"p99"`
	P999  Duration `json:"p99_9"`
	Max   Duration `json:"max"`
	// Curve is the latency at the percentiles of CurvePercentiles, for the chart.
	Curve []Duration `json:"curve,omitempty"`
}

// CurvePercentiles are the percentiles Latency.Curve is given at: evenly spaced in
// log(1/(1-q)) from 0 to 99.99, the usual axis of latency-by-percentile charts.
var CurvePercentiles = func() []float64 {
	var ps []float64
	for k := 0; k <= 80; k++ {
		ps = append(ps, 100*(1-math.Pow(10, -float64(k)/20)))
	}
	return ps
}()

// summarize sorts samples (nanoseconds) in place and summarizes them.
func summarize(samples []int64, curve bool) Latency {
	if len(samples) == 0 {
		return Latency{}
	}
	slices.Sort(samples)
	var sum float64
	for _, s := range samples {
		sum += float64(s)
	}
	l := Latency{
		Count: len(samples),
		Mean:  Duration(sum / float64(len(samples))),
		P50:   Duration(quantile(samples, 0.50)),
		P90:   Duration(quantile(samples, 0.90)),
		P99:   Duration(quantile(samples, 0.99)),
		P999:  Duration(quantile(samples, 0.999)),
		Max:   Duration(samples[len(samples)-1]),
	}
	if curve {
		for _, p := range CurvePercentiles {
			l.Curve = append(l.Curve, Duration(quantile(samples, p/100)))
		}
	}
	return l
}

// quantile returns the nearest-rank q-quantile of sorted samples.
func quantile(sorted []int64, q float64) int64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// DelayStats summarizes delays that may be negative before clamping.
type DelayStats struct {
	Count int      `json:"count"`
	P50   Duration `json:"p50"`
	P99   Duration `json:"p99"`
	Max   Duration `json:"max"`
	// Clamped counts samples that were below zero and are counted as zero: the store was
	// already written when the acknowledgement arrived, so the first refused request started
	// before it.
	Clamped int `json:"clamped_to_zero"`
}

func delayStats(samples []time.Duration) DelayStats {
	s := DelayStats{Count: len(samples)}
	if len(samples) == 0 {
		return s
	}
	ns := make([]int64, len(samples))
	for i, d := range samples {
		if d < 0 {
			d = 0
			s.Clamped++
		}
		ns[i] = int64(d)
	}
	slices.Sort(ns)
	s.P50, s.P99, s.Max = Duration(quantile(ns, 0.5)), Duration(quantile(ns, 0.99)), Duration(ns[len(ns)-1])
	return s
}

// fmtDur prints a duration with three significant digits in a unit that suits it.
func fmtDur(d time.Duration) string {
	switch a := d.Abs(); {
	case a == 0:
		return "0"
	case a < time.Microsecond:
		return fmt.Sprintf("%dns", d.Nanoseconds())
	case a < time.Millisecond:
		return sig3(float64(d)/1e3) + "µs"
	case a < time.Second:
		return sig3(float64(d)/1e6) + "ms"
	case a < time.Minute:
		return sig3(d.Seconds()) + "s"
	default:
		return d.Round(100 * time.Millisecond).String()
	}
}

// sig3 formats v with three significant digits.
func sig3(v float64) string {
	switch a := math.Abs(v); {
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

// fmtCount prints a count with thousands separators.
func fmtCount(v float64) string {
	n := int64(math.Round(v))
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + fmtCount(-v)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
