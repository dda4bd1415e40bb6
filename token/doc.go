// Package token issues and strictly verifies the signed access tokens of authgate, and manages the signing keys and JWKS that back them.
package token
