package bench

import (
	"encoding/json"
	"math"
	"testing"
	"time"
)

func TestSummarize(t *testing.T) {
	var samples []int64
	for i := 1000; i >= 1; i-- {
		samples = append(samples, int64(i)*int64(time.Microsecond))
	}
	l := summarize(samples, true)
	for _, c := range []struct {
		name      string
		got, want Duration
	}{
		{"p50", l.P50, Duration(500 * time.Microsecond)},
		{"p99", l.P99, Duration(990 * time.Microsecond)},
		{"p99.9", l.P999, Duration(999 * time.Microsecond)},
		{"max", l.Max, Duration(time.Millisecond)},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, time.Duration(c.got), time.Duration(c.want))
		}
	}
	if len(l.Curve) != len(CurvePercentiles) || l.Curve[0] != Duration(time.Microsecond) {
		t.Errorf("curve: %d points, first %v", len(l.Curve), l.Curve[0])
	}
	if got := summarize(nil, true); got.Count != 0 {
		t.Errorf("empty: %+v", got)
	}
}

func TestDelayStatsClampsNegative(t *testing.T) {
	s := delayStats([]time.Duration{-3 * time.Millisecond, -time.Millisecond, 0, 2 * time.Millisecond})
	if s.Clamped != 2 || s.P50 != 0 || s.Max != Duration(2*time.Millisecond) || s.Count != 4 {
		t.Errorf("%+v", s)
	}
}

func TestDurationJSON(t *testing.T) {
	data, err := json.Marshal(Duration(1500 * time.Microsecond))
	if err != nil || string(data) != `{"ns":1500000,"text":"1.50ms"}` {
		t.Fatalf("%s %v", data, err)
	}
	var d Duration
	if err := json.Unmarshal(data, &d); err != nil || d != Duration(1500*time.Microsecond) {
		t.Errorf("%v %v", d, err)
	}
}

func TestParseInfoAndTraffic(t *testing.T) {
	at := time.Unix(0, 0)
	info := func(get, ping, in, out float64, at time.Time) redisSnap {
		return parseInfo("# Server\r\nredis_version:7.0.15\r\n# Stats\r\ntotal_net_input_bytes:"+ftoa(in)+"\r\ntotal_net_output_bytes:"+ftoa(out)+
			"\r\n# Commandstats\r\ncmdstat_get:calls="+ftoa(get)+",usec=5,usec_per_call=1.00,rejected_calls=0,failed_calls=0\r\n"+
			"cmdstat_ping:calls="+ftoa(ping)+",usec=1\r\ncmdstat_info:calls=3,usec=9\r\nused_memory:1024\r\n", at)
	}
	s := info(10, 100, 1000, 2000, at)
	if s.version != "7.0.15" || s.calls["get"] != 10 || s.calls["ping"] != 100 || s.in != 1000 || s.mem != 1024 {
		t.Fatalf("parseInfo: %+v", s)
	}
	// Bare segments: 1 s, 300 PINGs and 3000 bytes in. Authgate's: 2 s, 600 PINGs, 100 GETs
	// for 100 requests and 6000 + 100*50 bytes in.
	bare := sideAcc{redis: info(0, 300, 3000, 0, at.Add(time.Second)).minus(info(0, 0, 0, 0, at))}
	gate := sideAcc{requests: 100, client: clientDelta{direct: 100},
		redis: info(100, 600, 6000+5000, 0, at.Add(2*time.Second)).minus(info(0, 0, 0, 0, at))}
	tr := traffic(gate, bare)
	if math.Abs(tr.CommandsPerRequest-1) > 1e-9 || tr.ByCommand["GET"] != 1 || tr.ByCommand["PING"] != 0 ||
		math.Abs(tr.BytesInPerRequest-50) > 1e-9 || tr.RoundTripsPerRequest != 1 || tr.CacheHitRatio != 0 {
		t.Errorf("traffic: %+v", tr)
	}
	bg := background([]sideAcc{bare}, 3)
	if bg.PingsPerSecond != 300 || bg.PingsPerInstance != 100 {
		t.Errorf("background: %+v", bg)
	}
}

func ftoa(v float64) string { b, _ := json.Marshal(v); return string(b) }

func TestRatioInterval(t *testing.T) {
	g := []float64{80, 90, 85, 88, 82, 86}
	b := []float64{100, 100, 100, 100, 100, 100}
	lo, hi := ratioInterval(g, b)
	lo2, hi2 := ratioInterval(g, b)
	if lo != lo2 || hi != hi2 {
		t.Errorf("not deterministic: %v-%v then %v-%v", lo, hi, lo2, hi2)
	}
	if !(0.80 <= lo && lo <= 0.85 && 0.85 <= hi && hi <= 0.90) {
		t.Errorf("interval %v-%v around 0.85", lo, hi)
	}
}
