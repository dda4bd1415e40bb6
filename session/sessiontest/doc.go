// Package sessiontest is the conformance suite every session.Store backend runs.
package sessiontest
