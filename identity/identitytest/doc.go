// Package identitytest is the conformance suite every identity.Store backend runs against a real database.
package identitytest
