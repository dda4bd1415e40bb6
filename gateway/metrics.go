package gateway

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/authgate/authgate/policy"
)

// metrics holds the gateway's Prometheus collectors, with per-route children resolved once so
// the request path only increments.
type metrics struct {
	requests *prometheus.CounterVec
	checks   *prometheus.HistogramVec
	routes   map[*policy.Route]*routeMetrics
}

type routeMetrics struct {
	check   prometheus.Observer
	allowed prometheus.Counter
	byCode  map[int]prometheus.Counter
	other   prometheus.Counter
}

// outcome returns the counter for a refused request with the status.
func (m *routeMetrics) outcome(status int) prometheus.Counter {
	if c, ok := m.byCode[status]; ok {
		return c
	}
	return m.other
}

func newMetrics(reg *prometheus.Registry, table *policy.Table) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "authgate_requests_total",
			Help: "Requests on protected routes by route, strategy and outcome.",
		}, []string{"route", "strategy", "outcome"}),
		checks: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "authgate_check_duration_seconds",
			Help:    "Time spent authenticating a request, by route and strategy.",
			Buckets: []float64{1e-6, 5e-6, 1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3, 0.01, 0.05, 0.1, 0.5},
		}, []string{"route", "strategy"}),
		routes: map[*policy.Route]*routeMetrics{},
	}
	for _, c := range []prometheus.Collector{m.requests, m.checks,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	outcomes := map[int]string{
		http.StatusUnauthorized:       "unauthorized",
		http.StatusForbidden:          "forbidden",
		http.StatusServiceUnavailable: "unavailable",
		http.StatusNotImplemented:     "not_implemented",
	}
	for _, r := range table.Routes() {
		name, strategy := r.Name, r.Strategy.Name()
		rm := &routeMetrics{
			check:   m.checks.WithLabelValues(name, strategy),
			allowed: m.requests.WithLabelValues(name, strategy, "allowed"),
			other:   m.requests.WithLabelValues(name, strategy, "error"),
			byCode:  map[int]prometheus.Counter{},
		}
		for code, label := range outcomes {
			rm.byCode[code] = m.requests.WithLabelValues(name, strategy, label)
		}
		m.routes[r] = rm
	}
	return m, nil
}
