package sessiontest

import (
	"crypto/rand"
	"encoding/hex"
	"slices"
	"testing"
	"time"

	"github.com/authgate/authgate/session"
)

// Run runs the conformance suite. newStore must return a store on a real backend and close it
// when t ends (t.Cleanup); it is called once per subtest. Subtests run one after the other and
// use their own random subjects, so stores may share one server and need not be empty.
//
// Stores keep real time: expiry is checked against time.Now, as a Redis TTL is. The suite
// therefore builds every session relative to time.Now, and the few cases that must watch a
// session expire give it a short real deadline and wait, with a bounded poll, until it is gone.
// Nothing asserts that an operation is fast.
func Run(t *testing.T, newStore func(t *testing.T) session.Store) {
	t.Run("CreateFind", func(t *testing.T) { testCreateFind(t, newStore) })
	t.Run("FindMiss", func(t *testing.T) { testFindMiss(t, newStore) })
	t.Run("CreateExpired", func(t *testing.T) { testCreateExpired(t, newStore) })
	t.Run("Expiry", func(t *testing.T) { testExpiry(t, newStore) })
	t.Run("TouchExtends", func(t *testing.T) { testTouchExtends(t, newStore) })
	t.Run("TouchMissing", func(t *testing.T) { testTouchMissing(t, newStore) })
	t.Run("List", func(t *testing.T) { testList(t, newStore) })
	t.Run("Delete", func(t *testing.T) { testDelete(t, newStore) })
	t.Run("DeleteMissing", func(t *testing.T) { testDeleteMissing(t, newStore) })
	t.Run("DeleteAll", func(t *testing.T) { testDeleteAll(t, newStore) })
	t.Run("Renew", func(t *testing.T) { testRenew(t, newStore) })
	t.Run("SecretNotStored", func(t *testing.T) { testSecretNotStored(t, newStore) })
	t.Run("Concurrency", func(t *testing.T) { testConcurrency(t, newStore) })
	t.Run("Ping", func(t *testing.T) {
		if err := newStore(t).Ping(t.Context()); err != nil {
			t.Errorf("Ping: %v", err)
		}
	})
}

// ms truncates t to the millisecond, the precision every backend keeps. Truncate also drops
// the monotonic reading, so the times compare as stored ones do.
func ms(t time.Time) time.Time { return t.Truncate(time.Millisecond) }

// now is the current time at millisecond precision.
func now() time.Time { return ms(time.Now()) }

// newSubject returns a fresh subject of the shape authgate issues (32 hex digits), so that
// every subtest's keys are its own even on a shared server.
func newSubject() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// newSession returns a session of subject with a fresh ID, created and last seen at `at`,
// living 30 minutes idle and 12 hours at most: long enough that no slow store or network
// lets it expire during a test, as long as `at` is recent. Callers creating a session in the
// past move its LastSeenAt.
func newSession(subject string, at time.Time) *session.Session {
	return &session.Session{
		ID:          session.NewToken(subject).ID(),
		Subject:     subject,
		Username:    "user-" + subject[:8],
		Roles:       []string{"viewer", "admin"},
		IP:          "192.0.2.10",
		UserAgent:   "Mozilla/5.0 (X11; Linux x86_64) sessiontest",
		CreatedAt:   at,
		LastSeenAt:  at,
		IdleTimeout: 30 * time.Minute,
		ExpiresAt:   at.Add(12 * time.Hour),
	}
}

func mustCreate(t *testing.T, st session.Store, s *session.Session) {
	t.Helper()
	if err := st.Create(t.Context(), s); err != nil {
		t.Fatalf("Create %s: %v", s.ID, err)
	}
}

// mustFind returns the session, failing t unless Find returns it without error.
func mustFind(t *testing.T, st session.Store, subject, id string) *session.Session {
	t.Helper()
	got, ok, err := st.Find(t.Context(), subject, id)
	if err != nil || !ok || got == nil {
		t.Fatalf("Find(%s, %s) = %v, %v, %v; want the session", subject, id, got, ok, err)
	}
	return got
}

// wantMissing fails t unless Find returns (nil, false, nil).
func wantMissing(t *testing.T, st session.Store, subject, id string) {
	t.Helper()
	got, ok, err := st.Find(t.Context(), subject, id)
	if err != nil || ok || got != nil {
		t.Errorf("Find(%s, %s) = %+v, %v, %v; want nil, false, nil", subject, id, got, ok, err)
	}
}

// mustList returns the subject's sessions, failing t on error.
func mustList(t *testing.T, st session.Store, subject string) []*session.Session {
	t.Helper()
	list, err := st.List(t.Context(), subject)
	if err != nil {
		t.Fatalf("List(%s): %v", subject, err)
	}
	return list
}

// wantList fails t unless list holds exactly the want sessions, in that order, field for field.
func wantList(t *testing.T, what string, list []*session.Session, want ...*session.Session) {
	t.Helper()
	if len(list) != len(want) {
		t.Errorf("%s: %d sessions %v, want %d %v", what, len(list), ids(list), len(want), ids(want))
		return
	}
	for i := range want {
		equalSession(t, what, list[i], want[i])
	}
}

func ids(list []*session.Session) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = s.ID
	}
	return out
}

func equalSession(t *testing.T, what string, got, want *session.Session) {
	t.Helper()
	if got.ID != want.ID || got.Subject != want.Subject || got.Username != want.Username ||
		!slices.Equal(got.Roles, want.Roles) || got.MFA != want.MFA || got.IP != want.IP ||
		got.UserAgent != want.UserAgent || !got.CreatedAt.Equal(want.CreatedAt) ||
		!got.LastSeenAt.Equal(want.LastSeenAt) || got.IdleTimeout != want.IdleTimeout ||
		!got.ExpiresAt.Equal(want.ExpiresAt) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, *got, *want)
	}
}
