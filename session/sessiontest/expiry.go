package sessiontest

import (
	"testing"
	"time"

	"github.com/authgate/authgate/session"
)

const (
	// goneWithin bounds how long after its deadline an expired session may still be found. It
	// only limits a failing run: a passing one stops polling as soon as the session is gone.
	goneWithin = 5 * time.Second
	// pollEvery is the pause between two Finds while waiting for a session to expire.
	pollEvery = 25 * time.Millisecond
)

// margins are the real deadlines, shortest first, of the cases that must watch a session while
// it is live and then after its deadline. When a store answers so slowly that the live state
// could not be observed before the deadline, the case is run again with the next margin; it
// fails only when a store answered within the margin and still got it wrong, or when even the
// longest margin was not enough to observe anything.
var margins = []time.Duration{300 * time.Millisecond, 1200 * time.Millisecond, 5 * time.Second}

// testCreateExpired creates sessions whose deadline has already passed. Create may refuse them
// or store them, but no other method may show them or bring them back.
func testCreateExpired(t *testing.T, newStore func(t *testing.T) session.Store) {
	st := newStore(t)
	t0 := now()
	tests := []struct {
		name   string
		modify func(s *session.Session)
	}{
		// Only the absolute expiry has passed: a store that checks the idle deadline alone, or
		// leaves expiry to a TTL computed from it, shows this session.
		{"absolute expiry passed", func(s *session.Session) {
			s.LastSeenAt = t0.Add(-time.Minute)
			s.ExpiresAt = t0.Add(-time.Second)
		}},
		{"absolute expiry before last activity", func(s *session.Session) {
			s.ExpiresAt = s.LastSeenAt.Add(-time.Millisecond)
		}},
		{"idle timeout passed", func(s *session.Session) {
			s.LastSeenAt = t0.Add(-31 * time.Minute)
		}},
		{"deadline is now", func(s *session.Session) {
			s.LastSeenAt = t0.Add(-s.IdleTimeout)
		}},
		{"zero idle timeout", func(s *session.Session) {
			s.IdleTimeout = 0
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			alice := newSubject()
			s := newSession(alice, t0.Add(-2*time.Hour))
			s.LastSeenAt = t0
			tc.modify(s)
			if s.Live(t0) {
				t.Fatalf("test case session is live: deadline %v", s.Deadline())
			}
			_ = st.Create(t.Context(), s) // refusing it is as good as storing it
			wantMissing(t, st, alice, s.ID)
			if err := st.Touch(t.Context(), alice, s.ID, time.Now()); err != nil {
				t.Errorf("Touch of an expired session: %v", err)
			}
			wantMissing(t, st, alice, s.ID)
			wantList(t, "List", mustList(t, st, alice))
		})
	}
}

// testExpiry watches sessions reach their deadline in real time: live before it, eventually
// gone after it.
func testExpiry(t *testing.T, newStore func(t *testing.T) session.Store) {
	st := newStore(t)
	tests := []struct {
		name string
		// build returns a session created at t0 whose deadline is t0+margin.
		build func(subject string, t0 time.Time, margin time.Duration) *session.Session
		// touch says whether to record activity right after Create.
		touch bool
	}{
		{"idle timeout", func(subject string, t0 time.Time, margin time.Duration) *session.Session {
			s := newSession(subject, t0)
			s.IdleTimeout = margin
			return s
		}, false},
		// Activity does not carry a session past its absolute expiry.
		{"absolute expiry, touched", func(subject string, t0 time.Time, margin time.Duration) *session.Session {
			s := newSession(subject, t0)
			s.ExpiresAt = t0.Add(margin)
			return s
		}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			alice := newSubject()
			for _, margin := range margins {
				s := tc.build(alice, now(), margin)
				deadline := s.Deadline()
				mustCreate(t, st, s)
				want := *s
				if tc.touch {
					want.LastSeenAt = now()
					if err := st.Touch(t.Context(), alice, s.ID, want.LastSeenAt); err != nil {
						t.Fatalf("Touch: %v", err)
					}
				}
				if !liveUntil(t, st, "Find before the deadline", &want, deadline) {
					continue
				}
				eventuallyGone(t, st, &want, deadline)
				return
			}
			t.Fatalf("never saw the session live: the store took longer than %v to create and find it", margins[len(margins)-1])
		})
	}
}

// testTouchExtends checks that Touch moves LastSeenAt, and with it the idle deadline.
func testTouchExtends(t *testing.T, newStore func(t *testing.T) session.Store) {
	st := newStore(t)

	t.Run("moves LastSeenAt", func(t *testing.T) {
		alice := newSubject()
		t0 := now()
		s := newSession(alice, t0.Add(-time.Hour))
		s.LastSeenAt = t0.Add(-10 * time.Minute)
		mustCreate(t, st, s)
		at := t0.Add(-time.Minute + 17*time.Millisecond)
		if err := st.Touch(t.Context(), alice, s.ID, at); err != nil {
			t.Fatalf("Touch: %v", err)
		}
		want := *s
		want.LastSeenAt = at
		equalSession(t, "Find after Touch", mustFind(t, st, alice, s.ID), &want)
		wantList(t, "List after Touch", mustList(t, st, alice), &want)
	})

	// The session's idle deadline comes soon after Create; it is touched before then and must
	// still be found after it. idle is several margins long, so the touched session outlives
	// its original deadline by far more than the margin.
	t.Run("outlives the original idle deadline", func(t *testing.T) {
		alice := newSubject()
		for _, margin := range margins {
			t0 := now()
			idle := 5 * margin
			s := newSession(alice, t0.Add(-time.Hour))
			s.IdleTimeout = idle
			s.LastSeenAt = t0.Add(margin - idle)
			original := s.Deadline() // t0 + margin
			mustCreate(t, st, s)

			at := now()
			if err := st.Touch(t.Context(), alice, s.ID, at); err != nil {
				t.Fatalf("Touch: %v", err)
			}
			if !time.Now().Before(original) {
				continue // the touch may have come after the original deadline: too late to count
			}
			want := *s
			want.LastSeenAt = at
			extended := at.Add(idle)
			if !liveUntil(t, st, "Find after Touch", &want, extended) {
				continue
			}
			time.Sleep(time.Until(original) + pollEvery)
			if !liveUntil(t, st, "Find after the original deadline", &want, extended) {
				continue
			}
			return
		}
		t.Fatalf("could not touch the session before its original deadline: the store took longer than %v", margins[len(margins)-1])
	})
}

// testTouchMissing touches sessions that are not there, or not the caller's: no error, and
// nothing appears or changes.
func testTouchMissing(t *testing.T, newStore func(t *testing.T) session.Store) {
	st := newStore(t)
	alice, bob := newSubject(), newSubject()
	t0 := now()
	s := newSession(alice, t0.Add(-time.Hour))
	s.LastSeenAt = t0.Add(-10 * time.Minute)
	mustCreate(t, st, s)
	deleted := newSession(alice, t0)
	mustCreate(t, st, deleted)
	if err := st.Delete(t.Context(), alice, deleted.ID); err != nil {
		t.Fatalf("Delete: %v", err)
	}

	tests := []struct {
		name, subject, id string
	}{
		{"unknown id", alice, session.NewToken(alice).ID()},
		{"deleted", alice, deleted.ID},
		{"wrong subject", bob, s.ID},
		{"user without sessions", newSubject(), session.NewToken(alice).ID()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := st.Touch(t.Context(), tc.subject, tc.id, t0); err != nil {
				t.Errorf("Touch(%s, %s) = %v, want nil", tc.subject, tc.id, err)
			}
			wantMissing(t, st, tc.subject, tc.id)
			notListed(t, st, tc.subject, tc.id)
			equalSession(t, "untouched session", mustFind(t, st, alice, s.ID), s)
		})
	}
}

// liveUntil reports whether Find shows s, as it is, and fails t if Find misses s although it
// answered before deadline. A miss answered after the deadline returns false: s may rightly
// have expired meanwhile, so nothing can be concluded.
func liveUntil(t *testing.T, st session.Store, what string, s *session.Session, deadline time.Time) bool {
	t.Helper()
	got, ok, err := st.Find(t.Context(), s.Subject, s.ID)
	answered := time.Now()
	switch {
	case err != nil:
		t.Fatalf("%s: %v", what, err)
	case ok:
		equalSession(t, what, got, s)
		return true
	case answered.Before(deadline):
		t.Fatalf("%s: not found at %v, before the session's deadline %v", what, answered.Format(time.StampMilli), deadline.Format(time.StampMilli))
	}
	return false
}

// eventuallyGone waits for the deadline, then fails t unless Find stops showing s within
// goneWithin; once it does, List must not show s either.
func eventuallyGone(t *testing.T, st session.Store, s *session.Session, deadline time.Time) {
	t.Helper()
	time.Sleep(time.Until(deadline))
	limit := deadline.Add(goneWithin)
	for {
		_, ok, err := st.Find(t.Context(), s.Subject, s.ID)
		if err != nil {
			t.Fatalf("Find: %v", err)
		}
		if !ok {
			break
		}
		if time.Now().After(limit) {
			t.Fatalf("session still found %v after its deadline %v", goneWithin, deadline)
		}
		time.Sleep(pollEvery)
	}
	notListed(t, st, s.Subject, s.ID)
}

// notListed fails t if List(subject) shows the session id.
func notListed(t *testing.T, st session.Store, subject, id string) {
	t.Helper()
	for _, l := range mustList(t, st, subject) {
		if l.ID == id {
			t.Errorf("List(%s) shows session %s", subject, id)
		}
	}
}
