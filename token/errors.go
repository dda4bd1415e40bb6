package token

import "errors"

// Verification errors. Every error returned by [Verifier.Verify] satisfies errors.Is for exactly
// one of them; the ones mapped from golang-jwt also wrap the original golang-jwt error.
var (
	// ErrMalformed is returned for a token that is not a well-formed compact JWS: not three
	// segments, bad or non-canonical base64url, bad JSON, or a header this package does not
	// support (crit).
	ErrMalformed = errors.New("token malformed")
	// ErrTooLarge is returned, before any parsing, for a token longer than the verifier's maximum.
	ErrTooLarge = errors.New("token too large")
	// ErrUnknownKey is returned when the token has no kid, or its kid names no key that may
	// still verify tokens.
	ErrUnknownKey = errors.New("token signing key unknown")
	// ErrAlgorithm is returned when the token's alg is not the one algorithm of the key its kid
	// names; "none", HS* and unknown algorithms always end here.
	ErrAlgorithm = errors.New("token algorithm not allowed")
	// ErrType is returned when the header typ is missing or is not the expected token type.
	ErrType = errors.New("token type wrong")
	// ErrSignature is returned when the signature does not verify with the key the kid names.
	ErrSignature = errors.New("token signature invalid")
	// ErrExpired is returned when exp has passed, leeway included.
	ErrExpired = errors.New("token expired")
	// ErrNotYetValid is returned when nbf or iat is in the future beyond the leeway.
	ErrNotYetValid = errors.New("token not yet valid")
	// ErrAudience is returned when aud does not contain the expected audience.
	ErrAudience = errors.New("token audience wrong")
	// ErrIssuer is returned when iss is not the expected issuer.
	ErrIssuer = errors.New("token issuer wrong")
	// ErrClaims is returned when a required claim (exp, sub, aud, iss) is missing or a claim
	// is otherwise invalid. The Issuer returns it too, for claims it refuses to sign.
	ErrClaims = errors.New("token claims invalid")
)

// Key management errors.
var (
	// ErrNoSigningKey is returned when the keyring holds no current key to sign with.
	ErrNoSigningKey = errors.New("no current signing key")
	// ErrUnsupportedAlgorithm is returned for an algorithm other than EdDSA, ES256 and RS256.
	ErrUnsupportedAlgorithm = errors.New("unsupported signing algorithm")
	// ErrInvalidKey is returned for key material that cannot be parsed or does not match the
	// algorithm it is declared for.
	ErrInvalidKey = errors.New("invalid signing key")
	// ErrJWKS is returned when a remote JWK set cannot be fetched or decoded.
	ErrJWKS = errors.New("jwks unavailable")
)
