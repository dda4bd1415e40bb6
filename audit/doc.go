// Package audit records security events (logins, logouts, revocations, MFA changes, admin actions) in the identity store and as structured log lines.
package audit
