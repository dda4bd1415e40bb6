// Package throttletest is the conformance suite every throttle.Store backend runs.
package throttletest
