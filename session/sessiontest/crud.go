package sessiontest

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/authgate/authgate/session"
)

func testCreateFind(t *testing.T, newStore func(t *testing.T) session.Store) {
	st := newStore(t)
	t0 := now()
	tests := []struct {
		name   string
		modify func(s *session.Session)
	}{
		{"typical", func(s *session.Session) {}},
		{"roles keep their order, MFA", func(s *session.Session) {
			s.Roles = []string{"ops", "admin", "viewer", "a role with spaces"}
			s.MFA = true
		}},
		{"no roles, no IP or user agent", func(s *session.Session) {
			s.Roles = nil
			s.IP = ""
			s.UserAgent = ""
		}},
		{"IPv6, longest non-ASCII user agent", func(s *session.Session) {
			s.IP = "2001:db8::8a2e:370:7334"
			s.UserAgent = strings.Repeat("Mozilla/5.0 (Ünïcödé) ", 8)[:session.MaxUserAgent]
		}},
		{"times with milliseconds", func(s *session.Session) {
			s.CreatedAt = t0.Add(-90*time.Minute + 123*time.Millisecond)
			s.LastSeenAt = t0.Add(-5*time.Minute + 7*time.Millisecond)
			s.IdleTimeout = 2*time.Hour + 1500*time.Millisecond
			s.ExpiresAt = t0.Add(10*time.Hour + 999*time.Millisecond)
		}},
		{"idle timeout outlives absolute expiry", func(s *session.Session) {
			s.IdleTimeout = 7 * 24 * time.Hour
			s.ExpiresAt = t0.Add(2 * time.Hour)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := newSession(newSubject(), t0)
			tc.modify(want)
			if len(want.UserAgent) > session.MaxUserAgent || !utf8.ValidString(want.UserAgent) {
				t.Fatalf("test case user agent is %d bytes or not UTF-8", len(want.UserAgent))
			}
			sent := *want
			sent.Roles = append([]string(nil), want.Roles...)
			mustCreate(t, st, &sent)
			equalSession(t, "Create changed its argument", &sent, want)

			equalSession(t, "Find", mustFind(t, st, want.Subject, want.ID), want)
			wantList(t, "List", mustList(t, st, want.Subject), want)
		})
	}
}

func testFindMiss(t *testing.T, newStore func(t *testing.T) session.Store) {
	st := newStore(t)
	alice, bob := newSubject(), newSubject()
	s := newSession(alice, now())
	mustCreate(t, st, s)
	other := newSession(bob, now())
	mustCreate(t, st, other)

	tests := []struct {
		name, subject, id string
	}{
		{"unknown id", alice, session.NewToken(alice).ID()},
		{"wrong subject", bob, s.ID},
		{"unknown subject", newSubject(), s.ID},
		{"empty subject", "", s.ID},
		{"empty id", alice, ""},
		{"another user's session under this subject", alice, other.ID},
		{"id with a suffix", alice, s.ID + "x"},
		{"id prefix", alice, s.ID[:len(s.ID)-1]},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { wantMissing(t, st, tc.subject, tc.id) })
	}
	mustFind(t, st, alice, s.ID)
	mustFind(t, st, bob, other.ID)
}

func testList(t *testing.T, newStore func(t *testing.T) session.Store) {
	st := newStore(t)
	alice, bob := newSubject(), newSubject()
	t0 := now()

	// Newest first means the most recently created first, whatever the activity since.
	oldest := newSession(alice, t0.Add(-3*time.Hour))
	oldest.LastSeenAt = t0.Add(-time.Minute)
	middle := newSession(alice, t0.Add(-2*time.Hour))
	middle.LastSeenAt = t0.Add(-20 * time.Minute)
	newest := newSession(alice, t0.Add(-time.Hour))
	newest.LastSeenAt = t0.Add(-10 * time.Minute)
	dead := newSession(alice, t0.Add(-30*time.Minute))
	dead.ExpiresAt = t0.Add(-time.Second)
	for _, s := range []*session.Session{middle, newest, oldest} {
		mustCreate(t, st, s)
	}
	_ = st.Create(t.Context(), dead) // may be refused; either way it is not listed
	mustCreate(t, st, newSession(bob, t0))

	wantList(t, "List(alice)", mustList(t, st, alice), newest, middle, oldest)
	if list := mustList(t, st, bob); len(list) != 1 || list[0].Subject != bob {
		t.Errorf("List(bob) = %v, want bob's one session", ids(list))
	}
	if list := mustList(t, st, newSubject()); len(list) != 0 {
		t.Errorf("List(unknown user) = %v, want none", ids(list))
	}
}

func testDelete(t *testing.T, newStore func(t *testing.T) session.Store) {
	st := newStore(t)
	alice, bob := newSubject(), newSubject()
	t0 := now()
	a1, a2, a3 := newSession(alice, t0.Add(-3*time.Minute)), newSession(alice, t0.Add(-2*time.Minute)), newSession(alice, t0.Add(-time.Minute))
	b1 := newSession(bob, t0)
	for _, s := range []*session.Session{a1, a2, a3, b1} {
		mustCreate(t, st, s)
	}

	if err := st.Delete(t.Context(), alice, a2.ID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	wantMissing(t, st, alice, a2.ID)
	wantList(t, "List(alice) after Delete", mustList(t, st, alice), a3, a1)
	equalSession(t, "other session of the user", mustFind(t, st, alice, a1.ID), a1)
	equalSession(t, "other user's session", mustFind(t, st, bob, b1.ID), b1)
}

func testDeleteMissing(t *testing.T, newStore func(t *testing.T) session.Store) {
	st := newStore(t)
	alice, bob := newSubject(), newSubject()
	s := newSession(alice, now())
	mustCreate(t, st, s)
	gone := newSession(alice, now())
	mustCreate(t, st, gone)
	if err := st.Delete(t.Context(), alice, gone.ID); err != nil {
		t.Fatalf("Delete: %v", err)
	}

	tests := []struct {
		name, subject, id string
	}{
		{"unknown id", alice, session.NewToken(alice).ID()},
		{"already deleted", alice, gone.ID},
		{"user without sessions", newSubject(), s.ID},
		// The subject is part of the key: another user's subject cannot end the session.
		{"wrong subject", bob, s.ID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := st.Delete(t.Context(), tc.subject, tc.id); err != nil {
				t.Errorf("Delete(%s, %s) = %v, want nil", tc.subject, tc.id, err)
			}
			equalSession(t, "untouched session", mustFind(t, st, alice, s.ID), s)
		})
	}
}

func testDeleteAll(t *testing.T, newStore func(t *testing.T) session.Store) {
	st := newStore(t)
	alice, bob := newSubject(), newSubject()
	t0 := now()
	var as []*session.Session
	for i := range 3 {
		s := newSession(alice, t0.Add(time.Duration(i)*time.Minute))
		mustCreate(t, st, s)
		as = append(as, s)
	}
	// An expired session is no longer a session: it is not counted.
	dead := newSession(alice, t0.Add(-time.Hour))
	dead.ExpiresAt = t0.Add(-time.Second)
	_ = st.Create(t.Context(), dead)
	b1, b2 := newSession(bob, t0), newSession(bob, t0.Add(time.Minute))
	mustCreate(t, st, b1)
	mustCreate(t, st, b2)

	n, err := st.DeleteAll(t.Context(), alice)
	if err != nil || n != 3 {
		t.Fatalf("DeleteAll(alice) = %d, %v; want 3, nil", n, err)
	}
	for _, s := range append(as, dead) {
		wantMissing(t, st, alice, s.ID)
	}
	wantList(t, "List(alice) after DeleteAll", mustList(t, st, alice))
	wantList(t, "List(bob) after DeleteAll(alice)", mustList(t, st, bob), b2, b1)

	for _, tc := range []struct {
		name, subject string
	}{
		{"again", alice},
		{"user without sessions", newSubject()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if n, err := st.DeleteAll(t.Context(), tc.subject); err != nil || n != 0 {
				t.Errorf("DeleteAll = %d, %v; want 0, nil", n, err)
			}
		})
	}
	equalSession(t, "bob's session", mustFind(t, st, bob, b1.ID), b1)
}

// testRenew is the ID renewal at login and MFA step-up: the new session is created, then the
// old one deleted, and only the new ID works from then on.
func testRenew(t *testing.T, newStore func(t *testing.T) session.Store) {
	st := newStore(t)
	alice := newSubject()
	t0 := now()
	old := newSession(alice, t0.Add(-time.Hour))
	old.LastSeenAt = t0.Add(-time.Minute)
	mustCreate(t, st, old)
	mustFind(t, st, alice, old.ID)

	renewed := *old
	renewed.ID = session.NewToken(alice).ID()
	renewed.MFA = true
	renewed.CreatedAt, renewed.LastSeenAt = t0, t0
	mustCreate(t, st, &renewed)
	if err := st.Delete(t.Context(), alice, old.ID); err != nil {
		t.Fatalf("Delete old: %v", err)
	}
	// A request still carrying the old cookie must not bring it back.
	if err := st.Touch(t.Context(), alice, old.ID, t0); err != nil {
		t.Fatalf("Touch old: %v", err)
	}

	wantMissing(t, st, alice, old.ID)
	equalSession(t, "renewed", mustFind(t, st, alice, renewed.ID), &renewed)
	wantList(t, "List after renewal", mustList(t, st, alice), &renewed)
}

// testSecretNotStored checks the token-to-ID contract as far as the interface shows it: the
// store is keyed by the hash of the secret, and neither the secret nor the cookie value finds or
// appears in a session. Backends check their raw storage for the secret in their own tests.
func testSecretNotStored(t *testing.T, newStore func(t *testing.T) session.Store) {
	st := newStore(t)
	alice := newSubject()
	tok := session.NewToken(alice)
	s := newSession(alice, now())
	s.ID = tok.ID()
	mustCreate(t, st, s)

	got := mustFind(t, st, alice, tok.ID())
	if got.ID != tok.ID() || got.ID == tok.Secret {
		t.Errorf("found ID %q, want the hash %q of the secret", got.ID, tok.ID())
	}
	for _, field := range []string{got.ID, got.Subject, got.Username, got.IP, got.UserAgent, strings.Join(got.Roles, ",")} {
		if strings.Contains(field, tok.Secret) {
			t.Errorf("session field %q holds the cookie secret", field)
		}
	}
	for _, id := range []string{tok.Secret, tok.String()} {
		wantMissing(t, st, alice, id)
	}
	for _, l := range mustList(t, st, alice) {
		if l.ID == tok.Secret || l.ID != tok.ID() {
			t.Errorf("listed ID %q, want only %q", l.ID, tok.ID())
		}
	}
}
