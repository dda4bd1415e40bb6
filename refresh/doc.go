// Package refresh issues access/refresh token pairs and rotates refresh tokens with reuse detection (RFC 9700 section 4.14.2).
package refresh
