// Package revocationtest is the conformance suite every revocation.Store backend runs.
package revocationtest
