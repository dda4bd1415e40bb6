package identitytest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/authgate/authgate/identity"
)

const goroutines = 16

// together runs fn(i) for i in [0, goroutines) in goroutines released at the same moment,
// and returns their errors by i.
func together(fn func(i int) error) []error {
	errs := make([]error, goroutines)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range goroutines {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

func testConcurrency(t *testing.T, newStore func(t *testing.T) identity.Store) {
	t.Run("RotateSameToken", func(t *testing.T) {
		s := newStore(t)
		f, first := newFamily("f1", "sub-alice")
		mustCreateFamily(t, s, f, first)
		errs := together(func(i int) error {
			_, err := s.RotateRefreshToken(t.Context(), tokenHash("f1/0"), newToken(fmt.Sprintf("f1/next%d", i), at(hour)), at(hour))
			return err
		})
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil:
				if winner >= 0 {
					t.Errorf("rotations %d and %d both succeeded", winner, i)
				}
				winner = i
			case !errors.Is(err, identity.ErrRefreshReused):
				t.Errorf("rotation %d: err = %v, want nil or ErrRefreshReused", i, err)
			}
		}
		if winner < 0 {
			t.Fatalf("no rotation succeeded")
		}
		// The losers' reuse revoked the family, so the winner's token is dead as well.
		_, err := rotate(t, s, fmt.Sprintf("f1/next%d", winner), "f1/after", at(2*hour))
		wantErr(t, "rotate the winner's token", err, identity.ErrRefreshInvalid)
	})

	t.Run("RotateDistinctTokens", func(t *testing.T) {
		s := newStore(t)
		for i := range goroutines {
			f, first := newFamily(fmt.Sprintf("f%d", i), "sub-alice")
			mustCreateFamily(t, s, f, first)
		}
		for i, err := range together(func(i int) error {
			_, err := rotate(t, s, fmt.Sprintf("f%d/0", i), fmt.Sprintf("f%d/1", i), at(hour))
			return err
		}) {
			if err != nil {
				t.Errorf("rotation of family %d: %v", i, err)
			}
		}
	})

	t.Run("CreateUsers", func(t *testing.T) {
		s := newStore(t)
		for i, err := range together(func(i int) error {
			return s.CreateUser(t.Context(), newUser(fmt.Sprintf("user%02d", i)))
		}) {
			if err != nil {
				t.Errorf("CreateUser %d: %v", i, err)
			}
		}
		users, err := s.ListUsers(t.Context())
		wantErr(t, "ListUsers", err, nil)
		if len(users) != goroutines {
			t.Errorf("ListUsers = %d users, want %d", len(users), goroutines)
		}
	})

	t.Run("CreateSameUsername", func(t *testing.T) {
		s := newStore(t)
		errs := together(func(i int) error {
			u := newUser("alice")
			u.Subject = fmt.Sprintf("sub-%d", i)
			return s.CreateUser(t.Context(), u)
		})
		ok := 0
		for i, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, identity.ErrConflict):
				t.Errorf("CreateUser %d: err = %v, want nil or ErrConflict", i, err)
			}
		}
		if ok != 1 {
			t.Errorf("%d creates of one username succeeded, want 1", ok)
		}
	})
}
