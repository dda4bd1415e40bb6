// Package testenv starts and connects the real servers tests need: PostgreSQL, redis-server, Sentinel and Cluster.
package testenv
