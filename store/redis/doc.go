// Package redis keeps sessions and revocations in Redis (standalone, Sentinel or Cluster) through rueidis, with server-assisted client-side caching that is only trusted while its invalidation stream is confirmed current.
package redis
