// Package bench measures authgate's strategies against each other and against a bare net/http handler: check cost, HTTP throughput and latency, Redis traffic and memory, revocation propagation between instances, login cost and scaling, for `authgate bench`.
package bench
