// Package mfa implements TOTP second factors (RFC 6238: SHA-1, 6 digits, 30-second steps): secrets, otpauth URLs, QR codes and code checks.
package mfa
