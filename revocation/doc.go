// Package revocation is the list the hybrid strategy checks: revoked access tokens, and a per-user generation that ends every token issued before it.
package revocation
