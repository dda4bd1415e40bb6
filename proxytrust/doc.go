// Package proxytrust decides which X-Forwarded-* headers to believe: only those sent by configured proxy addresses.
package proxytrust
