// Package cli implements the authgate command line: serve, user, keys, config and version.
package cli
