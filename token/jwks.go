package token

import (
	"encoding/json"
	"fmt"

	"github.com/go-jose/go-jose/v4"
)

// marshalJWKS encodes the public halves of keys as a JWK set (RFC 7517), each with kid, alg and
// use "sig".
func marshalJWKS(keys []*Key) ([]byte, error) {
	set := jose.JSONWebKeySet{Keys: make([]jose.JSONWebKey, 0, len(keys))}
	for _, k := range keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{
			Key:       k.Public,
			KeyID:     k.ID,
			Algorithm: k.Algorithm,
			Use:       "sig",
		})
	}
	b, err := json.Marshal(set)
	if err != nil {
		return nil, fmt.Errorf("token: marshal jwks: %w", err)
	}
	return b, nil
}

// parseJWKS decodes a JWK set into verification keys by kid. A member is skipped, with the
// reason in skipped, when it cannot be decoded, has no kid, is not for signatures, carries
// private key material, has no alg, an alg other than EdDSA, ES256 or RS256, or an alg that does
// not fit its key; and when its kid repeats an earlier member's. Only a set that is not a JSON
// object with a keys array is an error.
func parseJWKS(data []byte) (keys map[string]*Key, skipped []error, err error) {
	var raw struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, nil, fmt.Errorf("%w: decode: %w", ErrJWKS, err)
	}
	if raw.Keys == nil {
		return nil, nil, fmt.Errorf("%w: no keys member", ErrJWKS)
	}
	keys = make(map[string]*Key, len(raw.Keys))
	for i, member := range raw.Keys {
		k, err := keyFromJWK(member)
		if err != nil {
			skipped = append(skipped, fmt.Errorf("jwks key %d: %w", i, err))
			continue
		}
		if _, dup := keys[k.ID]; dup {
			skipped = append(skipped, fmt.Errorf("jwks key %d: %w: kid %q repeated", i, ErrInvalidKey, k.ID))
			continue
		}
		keys[k.ID] = k
	}
	return keys, skipped, nil
}

// keyFromJWK decodes one JWK set member into a verification key.
func keyFromJWK(member json.RawMessage) (*Key, error) {
	// Decoding members one by one lets one key of a type go-jose does not know be skipped
	// (RFC 7517 section 5) instead of failing the whole set.
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(member); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidKey, err)
	}
	switch {
	case jwk.KeyID == "":
		return nil, fmt.Errorf("%w: no kid", ErrInvalidKey)
	case jwk.Use != "" && jwk.Use != "sig":
		return nil, fmt.Errorf("%w: kid %q: use %q", ErrInvalidKey, jwk.KeyID, jwk.Use)
	case !jwk.IsPublic():
		return nil, fmt.Errorf("%w: kid %q: not a public key", ErrInvalidKey, jwk.KeyID)
	case jwk.Algorithm == "":
		return nil, fmt.Errorf("%w: kid %q: no alg", ErrInvalidKey, jwk.KeyID)
	}
	method, err := signingMethod(jwk.Algorithm)
	if err != nil {
		return nil, fmt.Errorf("kid %q: %w", jwk.KeyID, err)
	}
	if err := checkPublicKey(jwk.Algorithm, jwk.Key); err != nil {
		return nil, fmt.Errorf("kid %q: %w", jwk.KeyID, err)
	}
	return &Key{ID: jwk.KeyID, Algorithm: jwk.Algorithm, Public: jwk.Key, Method: method}, nil
}
