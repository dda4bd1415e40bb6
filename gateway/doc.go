// Package gateway is authgate's HTTP server: its own /auth/ endpoints, and the route table in front of upstream services.
package gateway
