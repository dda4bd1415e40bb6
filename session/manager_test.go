package session_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/authgate/authgate/session"
	"github.com/authgate/authgate/store/sqlite"
)

func newManager(t *testing.T, now *time.Time, opts ...session.Option) (*session.Manager, session.Store) {
	t.Helper()
	store, err := sqlite.OpenSessions(context.Background(), filepath.Join(t.TempDir(), "sessions.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	opts = append([]session.Option{session.WithClock(func() time.Time { return *now })}, opts...)
	return session.NewManager(store, opts...), store
}

var alice = session.Identity{Subject: "0123456789abcdef0123456789abcdef", Username: "alice", Roles: []string{"dev"}}

func TestManagerStartCheckAndTouchThrottle(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	m, store := newManager(t, &now, session.WithTimeouts(30*time.Minute, 12*time.Hour), session.WithTouchInterval(time.Minute))
	tok, s, err := m.Start(ctx, alice, false, "198.51.100.7", "Firefox")
	if err != nil {
		t.Fatal(err)
	}
	if s.ID != tok.ID() || s.IdleTimeout != 30*time.Minute || !s.ExpiresAt.Equal(s.CreatedAt.Add(12*time.Hour)) {
		t.Fatalf("session %+v", s)
	}
	seen := func() time.Time {
		got, ok, err := store.Find(ctx, alice.Subject, s.ID)
		if err != nil || !ok {
			t.Fatalf("Find: %v %v", ok, err)
		}
		return got.LastSeenAt
	}
	first := seen()
	now = now.Add(30 * time.Second)
	if _, err := m.Check(ctx, tok.String()); err != nil {
		t.Fatal(err)
	}
	if !seen().Equal(first) {
		t.Error("a check within the touch interval wrote last-seen")
	}
	now = now.Add(45 * time.Second)
	if _, err := m.Check(ctx, tok.String()); err != nil {
		t.Fatal(err)
	}
	if !seen().After(first) {
		t.Error("a check past the touch interval did not write last-seen")
	}
}

func TestManagerCheckRefusals(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	m, _ := newManager(t, &now)
	if _, err := m.Check(ctx, "nonsense"); !errors.Is(err, session.ErrMalformedToken) {
		t.Errorf("malformed: %v", err)
	}
	if _, err := m.Check(ctx, session.NewToken(alice.Subject).String()); !errors.Is(err, session.ErrNotFound) {
		t.Errorf("unknown: %v", err)
	}
	tok, _, err := m.Start(ctx, alice, false, "", "")
	if err != nil {
		t.Fatal(err)
	}
	forged := session.Token{Subject: "ffff", Secret: tok.Secret}
	if _, err := m.Check(ctx, forged.String()); !errors.Is(err, session.ErrNotFound) {
		t.Errorf("right secret under another subject: %v", err)
	}
	now = now.Add(31 * time.Minute) // past the default idle timeout
	if _, err := m.Check(ctx, tok.String()); !errors.Is(err, session.ErrNotFound) {
		t.Errorf("idle session: %v", err)
	}
}

func TestManagerRenewKeepsAbsoluteExpiryAndEndsOldID(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	m, _ := newManager(t, &now)
	oldTok, old, err := m.Start(ctx, alice, false, "198.51.100.7", "Firefox")
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Hour)
	newTok, renewed, err := m.Renew(ctx, old, true)
	if err != nil {
		t.Fatal(err)
	}
	if newTok == oldTok || !renewed.MFA || !renewed.ExpiresAt.Equal(old.ExpiresAt) || renewed.IP != old.IP {
		t.Errorf("renewed %+v from %+v", renewed, old)
	}
	if _, err := m.Check(ctx, oldTok.String()); !errors.Is(err, session.ErrNotFound) {
		t.Errorf("old ID after renewal: %v", err)
	}
	if s, err := m.Check(ctx, newTok.String()); err != nil || !s.MFA {
		t.Errorf("new ID: %v", err)
	}
}

func TestManagerEndUser(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	m, _ := newManager(t, &now)
	a, _, _ := m.Start(ctx, alice, false, "", "")
	b, _, _ := m.Start(ctx, alice, false, "", "")
	if err := m.EndUser(ctx, alice.Subject, now); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []session.Token{a, b} {
		if _, err := m.Check(ctx, tok.String()); !errors.Is(err, session.ErrNotFound) {
			t.Errorf("after EndUser: %v", err)
		}
	}
}
