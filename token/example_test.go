package token_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/authgate/authgate/identity"
	"github.com/authgate/authgate/token"
)

// memKeys is a minimal in-memory identity.Keys for the example.
type memKeys struct {
	mu   sync.Mutex
	keys []*identity.SigningKey
}

func (m *memKeys) AddSigningKey(_ context.Context, k *identity.SigningKey, retireOthers bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, o := range m.keys {
		if retireOthers && o.RetiredAt.IsZero() {
			o.RetiredAt = k.CreatedAt
		}
	}
	m.keys = append(m.keys, k)
	return nil
}

func (m *memKeys) SigningKeys(_ context.Context, retiredAfter time.Time) ([]*identity.SigningKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*identity.SigningKey
	for _, k := range slices.Backward(m.keys) {
		if k.RetiredAt.IsZero() || k.RetiredAt.After(retiredAfter) {
			c := *k
			out = append(out, &c)
		}
	}
	return out, nil
}

func Example() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	keys, err := token.NewKeyring(&memKeys{}) // EdDSA keys
	if err != nil {
		panic(err)
	}
	if err := keys.Load(ctx); err != nil { // creates the first key
		panic(err)
	}
	go keys.Run(ctx) // picks up rotations made by other instances

	issuer, err := token.NewIssuer(keys, "https://auth.example.com")
	if err != nil {
		panic(err)
	}
	verifier, err := token.NewVerifier(keys, token.WithIssuer("https://auth.example.com"))
	if err != nil {
		panic(err)
	}

	tok, _, err := issuer.Issue(token.Claims{
		RegisteredClaims: jwt.RegisteredClaims{Subject: "3f9c1c4e"},
		Username:         "alice",
		Roles:            []string{"admin"},
		MFA:              true,
	})
	if err != nil {
		panic(err)
	}
	claims, err := verifier.Verify(tok)
	if err != nil {
		panic(err)
	}
	fmt.Println(claims.Subject, claims.Username, claims.Roles, claims.MFA, claims.Audience)

	// Flip one character inside the signature: any change is refused.
	i := len(tok) - 10
	flipped := byte('A')
	if tok[i] == 'A' {
		flipped = 'B'
	}
	_, err = verifier.Verify(tok[:i] + string(flipped) + tok[i+1:])
	fmt.Println(err != nil)
	// Output:
	// 3f9c1c4e alice [admin] true [authgate]
	// true
}
