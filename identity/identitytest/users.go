package identitytest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authgate/authgate/identity"
)

func newUser(name string) *identity.User {
	return &identity.User{
		Subject:      "sub-" + name,
		Username:     name,
		PasswordHash: "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$" + name,
		Roles:        []string{"user"},
		CreatedAt:    at(0),
		UpdatedAt:    at(0),
	}
}

func testUsers(t *testing.T, newStore func(t *testing.T) identity.Store) {
	t.Run("CreateAndGet", func(t *testing.T) {
		s := newStore(t)
		want := &identity.User{
			Subject:      "3f8a1c2e-0000-4000-8000-000000000001",
			Username:     "alice",
			PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE",
			Roles:        []string{"admin", "ops"},
			Disabled:     true,
			TOTPSecret:   "JBSWY3DPEHPK3PXP",
			TOTPLastStep: 56_666_666,
			CreatedAt:    at(0),
			UpdatedAt:    at(hour),
		}
		in := *want
		wantErr(t, "CreateUser", s.CreateUser(t.Context(), &in), nil)
		got, err := s.UserByName(t.Context(), "alice")
		wantErr(t, "UserByName", err, nil)
		equalUser(t, "UserByName", got, want)
		got, err = s.UserBySubject(t.Context(), want.Subject)
		wantErr(t, "UserBySubject", err, nil)
		equalUser(t, "UserBySubject", got, want)
	})

	t.Run("CreateSetsZeroTimes", func(t *testing.T) {
		s := newStore(t)
		u := newUser("alice")
		u.CreatedAt, u.UpdatedAt = time.Time{}, time.Time{}
		before := time.Now().Truncate(time.Microsecond)
		wantErr(t, "CreateUser", s.CreateUser(t.Context(), u), nil)
		if u.CreatedAt.Before(before) || !u.UpdatedAt.Equal(u.CreatedAt) {
			t.Errorf("CreatedAt, UpdatedAt = %v, %v; want now (after %v), equal", u.CreatedAt, u.UpdatedAt, before)
		}
		got, err := s.UserByName(t.Context(), "alice")
		wantErr(t, "UserByName", err, nil)
		equalUser(t, "stored", got, u)
	})

	t.Run("Conflict", func(t *testing.T) {
		s := newStore(t)
		wantErr(t, "CreateUser(alice)", s.CreateUser(t.Context(), newUser("alice")), nil)
		wantErr(t, "CreateUser(bob)", s.CreateUser(t.Context(), newUser("bob")), nil)
		tests := []struct {
			name string
			user *identity.User
		}{
			{"same username", &identity.User{Subject: "other", Username: "alice", CreatedAt: at(0), UpdatedAt: at(0)}},
			{"same subject", &identity.User{Subject: "sub-alice", Username: "other", CreatedAt: at(0), UpdatedAt: at(0)}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				wantErr(t, "CreateUser", s.CreateUser(t.Context(), tc.user), identity.ErrConflict)
			})
		}
		t.Run("rename to taken username", func(t *testing.T) {
			u := newUser("bob")
			u.Username = "alice"
			wantErr(t, "UpdateUser", s.UpdateUser(t.Context(), u), identity.ErrConflict)
		})
		users, err := s.ListUsers(t.Context())
		wantErr(t, "ListUsers", err, nil)
		if len(users) != 2 {
			t.Errorf("after conflicts, %d users, want 2", len(users))
		}
	})

	t.Run("NotFound", func(t *testing.T) {
		s := newStore(t)
		wantErr(t, "CreateUser", s.CreateUser(t.Context(), newUser("alice")), nil)
		_, err := s.UserByName(t.Context(), "nobody")
		wantErr(t, "UserByName(nobody)", err, identity.ErrNotFound)
		_, err = s.UserByName(t.Context(), "ALICE")
		wantErr(t, "UserByName(ALICE)", err, identity.ErrNotFound)
		_, err = s.UserBySubject(t.Context(), "nobody")
		wantErr(t, "UserBySubject(nobody)", err, identity.ErrNotFound)
		wantErr(t, "UpdateUser(nobody)", s.UpdateUser(t.Context(), newUser("nobody")), identity.ErrNotFound)
	})

	t.Run("ListOrdered", func(t *testing.T) {
		s := newStore(t)
		users, err := s.ListUsers(t.Context())
		wantErr(t, "ListUsers(empty)", err, nil)
		if len(users) != 0 {
			t.Errorf("ListUsers on an empty store = %d users", len(users))
		}
		for _, name := range []string{"carol", "bob", "alice", "Bob", "dave", "al"} {
			wantErr(t, "CreateUser", s.CreateUser(t.Context(), newUser(name)), nil)
		}
		users, err = s.ListUsers(t.Context())
		wantErr(t, "ListUsers", err, nil)
		var names []string
		for _, u := range users {
			names = append(names, u.Username)
		}
		// Bytewise order: upper case before lower case, a prefix before its extensions.
		if want := []string{"Bob", "al", "alice", "bob", "carol", "dave"}; !slices.Equal(names, want) {
			t.Errorf("ListUsers order = %q, want %q", names, want)
		}
		equalUser(t, "listed alice", users[2], newUser("alice"))
	})

	t.Run("UpdateRoundTrip", func(t *testing.T) {
		tests := []struct {
			name   string
			change func(u *identity.User)
		}{
			{"roles", func(u *identity.User) { u.Roles = []string{"admin", "auditor", "user"} }},
			{"disabled", func(u *identity.User) { u.Disabled = true }},
			{"password hash", func(u *identity.User) { u.PasswordHash = "$argon2id$v=19$m=19456,t=2,p=1$bmV3c2FsdA$bmV3aGFzaA" }},
			{"totp enabled", func(u *identity.User) { u.TOTPSecret, u.TOTPPending = "JBSWY3DPEHPK3PXP", "" }},
			{"totp pending", func(u *identity.User) { u.TOTPPending = "KRSXG5CTMVRXEZLU" }},
			{"totp disabled", func(u *identity.User) { u.TOTPSecret = "" }},
			{"username", func(u *identity.User) { u.Username = "alice2" }},
			{"everything", func(u *identity.User) {
				u.Username, u.PasswordHash, u.Roles, u.Disabled = "a", "h", []string{"x"}, true
				u.TOTPSecret, u.TOTPPending = "S", "P"
			}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				s := newStore(t)
				u := newUser("alice")
				u.TOTPSecret, u.TOTPLastStep = "OLDSECRET", 7
				wantErr(t, "CreateUser", s.CreateUser(t.Context(), u), nil)
				tc.change(u)
				u.CreatedAt = at(-day)   // not stored by UpdateUser: CreatedAt never changes
				u.TOTPLastStep = 1 << 40 // nor TOTPLastStep: only AdvanceTOTPStep moves it
				before := time.Now().Truncate(time.Microsecond)
				wantErr(t, "UpdateUser", s.UpdateUser(t.Context(), u), nil)
				if u.UpdatedAt.Before(before) {
					t.Errorf("UpdatedAt = %v, want now (after %v)", u.UpdatedAt, before)
				}
				want := *u
				want.CreatedAt, want.TOTPLastStep = at(0), 7
				got, err := s.UserBySubject(t.Context(), u.Subject)
				wantErr(t, "UserBySubject", err, nil)
				equalUser(t, "after update", got, &want)
				got, err = s.UserByName(t.Context(), u.Username)
				wantErr(t, "UserByName(new name)", err, nil)
				equalUser(t, "after update, by name", got, &want)
			})
		}
	})

	t.Run("AdvanceTOTPStep", func(t *testing.T) {
		s := newStore(t)
		u := newUser("alice")
		u.TOTPLastStep = 100
		wantErr(t, "CreateUser", s.CreateUser(t.Context(), u), nil)
		steps := []struct {
			step int64
			want bool
		}{{99, false}, {100, false}, {101, true}, {101, false}, {103, true}, {102, false}}
		for _, st := range steps {
			ok, err := s.AdvanceTOTPStep(t.Context(), u.Subject, st.step)
			wantErr(t, "AdvanceTOTPStep", err, nil)
			if ok != st.want {
				t.Errorf("AdvanceTOTPStep(%d) = %v, want %v", st.step, ok, st.want)
			}
		}
		got, err := s.UserBySubject(t.Context(), u.Subject)
		wantErr(t, "UserBySubject", err, nil)
		if got.TOTPLastStep != 103 {
			t.Errorf("TOTPLastStep = %d, want 103", got.TOTPLastStep)
		}
		if ok, err := s.AdvanceTOTPStep(t.Context(), "nobody", 1000); ok || err != nil {
			t.Errorf("unknown subject: %v, %v", ok, err)
		}
		// The same code presented on many instances at once is accepted once.
		var wg sync.WaitGroup
		var wins atomic.Int32
		for range 16 {
			wg.Go(func() {
				if ok, err := s.AdvanceTOTPStep(context.Background(), u.Subject, 200); err == nil && ok {
					wins.Add(1)
				}
			})
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Errorf("%d concurrent advances to one step succeeded, want 1", wins.Load())
		}
	})

	t.Run("Roles", func(t *testing.T) {
		tests := []struct {
			name  string
			roles []string
			want  []string
		}{
			{"nil", nil, []string{}},
			{"empty", []string{}, []string{}},
			{"one", []string{"admin"}, []string{"admin"}},
			{"order kept", []string{"zeta", "alpha", "mid"}, []string{"zeta", "alpha", "mid"}},
			{"odd characters", []string{`a,b`, `"q"`, `{x}`, `back\slash`, "ünï", ""}, []string{`a,b`, `"q"`, `{x}`, `back\slash`, "ünï", ""}},
		}
		s := newStore(t)
		for i, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				u := newUser(fmt.Sprintf("user%d", i))
				u.Roles = tc.roles
				wantErr(t, "CreateUser", s.CreateUser(t.Context(), u), nil)
				got, err := s.UserBySubject(t.Context(), u.Subject)
				wantErr(t, "UserBySubject", err, nil)
				if got.Roles == nil || !slices.Equal(got.Roles, tc.want) {
					t.Errorf("created with %#v: Roles = %#v, want %#v (never nil)", tc.roles, got.Roles, tc.want)
				}
				u.Roles = slices.Clone(tc.roles)
				slices.Reverse(u.Roles)
				wantErr(t, "UpdateUser", s.UpdateUser(t.Context(), u), nil)
				got, err = s.UserByName(t.Context(), u.Username)
				wantErr(t, "UserByName", err, nil)
				want := slices.Clone(tc.want)
				slices.Reverse(want)
				if got.Roles == nil || !slices.Equal(got.Roles, want) {
					t.Errorf("updated to %#v: Roles = %#v, want %#v (never nil)", u.Roles, got.Roles, want)
				}
			})
		}
	})
}
