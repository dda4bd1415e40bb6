package password_test

import (
	"context"
	"fmt"

	"github.com/authgate/authgate/password"
)

func ExampleHasher() {
	ctx := context.Background()
	h := password.New() // OWASP parameters, at most runtime.NumCPU() hashes at once

	encoded, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		panic(err)
	}
	ok, needsRehash, err := h.Verify(ctx, "correct horse battery staple", encoded)
	fmt.Println(ok, needsRehash, err)
	ok, _, _ = h.Verify(ctx, "Tr0ub4dor&3", encoded)
	fmt.Println(ok)

	// A user that does not exist costs as much as a wrong password.
	h.VerifyDummy(ctx, "whatever")
	// Output:
	// true false <nil>
	// false
}
