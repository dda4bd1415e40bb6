// Package throttle slows password and code guessing: failures are counted per account and per client address in the shared store, and past a threshold each key is locked for an exponentially growing time.
package throttle
