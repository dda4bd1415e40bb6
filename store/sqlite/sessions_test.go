package sqlite

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authgate/authgate/session"
	"github.com/authgate/authgate/session/sessiontest"
)

func openSessionsTemp(t testing.TB, path string) *SessionStore {
	t.Helper()
	st, err := OpenSessions(t.Context(), path)
	if err != nil {
		t.Fatalf("OpenSessions(%s): %v", path, err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return st
}

// st0 is the injected clock's "now" in the tests that set it: whole milliseconds, as stored.
var st0 = time.UnixMilli(1_800_000_000_123).UTC()

// clockAt makes st check expiry against *at.
func clockAt(st *SessionStore, at *time.Time) { st.now = func() time.Time { return *at } }

// testSession returns a session of subject created and last seen at st0, living 30 minutes
// idle and 12 hours at most.
func testSession(subject string) (*session.Session, session.Token) {
	tok := session.NewToken(subject)
	return &session.Session{
		ID: tok.ID(), Subject: subject, Username: "alice", Roles: []string{"viewer", "admin"}, MFA: true,
		IP: "198.51.100.4", UserAgent: "curl/8.5.0", CreatedAt: st0, LastSeenAt: st0,
		IdleTimeout: 30 * time.Minute, ExpiresAt: st0.Add(12 * time.Hour),
	}, tok
}

func mustCreateSession(t testing.TB, st *SessionStore, s *session.Session) {
	t.Helper()
	if err := st.Create(t.Context(), s); err != nil {
		t.Fatalf("Create: %v", err)
	}
}

// found returns whether st finds the session, failing t on error.
func found(t *testing.T, st *SessionStore, s *session.Session) bool {
	t.Helper()
	_, ok, err := st.Find(t.Context(), s.Subject, s.ID)
	if err != nil {
		t.Fatalf("Find: %v", err)
	}
	return ok
}

func TestSessionConformance(t *testing.T) {
	sessiontest.Run(t, func(t *testing.T) session.Store {
		return openSessionsTemp(t, filepath.Join(t.TempDir(), "sessions.db"))
	})
}

// TestSessionsBesideIdentity opens both schemas on one file, as a configuration that points
// both at one path would: their migrations are counted apart, so both apply and both work.
func TestSessionsBesideIdentity(t *testing.T) {
	for _, order := range []string{"identity first", "sessions first"} {
		t.Run(order, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "authgate.db")
			var st *SessionStore
			if order == "sessions first" {
				st = openSessionsTemp(t, path)
				openTemp(t, path)
			} else {
				openTemp(t, path)
				st = openSessionsTemp(t, path)
			}
			s, _ := testSession("abc123")
			s.ExpiresAt = time.Now().Add(time.Hour)
			mustCreateSession(t, st, s)
			if !found(t, st, s) {
				t.Error("session not found")
			}
		})
	}
}

// TestSessionsReopen is a server restart: sessions, activity and logouts all survive it.
func TestSessionsReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sessions.db")
	clock := st0.Add(time.Minute)
	before, err := OpenSessions(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	clockAt(before, &clock)

	kept, _ := testSession("aa01")
	loggedOut, _ := testSession("aa01")
	disabled1, _ := testSession("bb02")
	disabled2, _ := testSession("bb02")
	for _, s := range []*session.Session{kept, loggedOut, disabled1, disabled2} {
		mustCreateSession(t, before, s)
	}
	touched := st0.Add(time.Minute)
	if err := before.Touch(t.Context(), kept.Subject, kept.ID, touched); err != nil {
		t.Fatal(err)
	}
	if err := before.Delete(t.Context(), loggedOut.Subject, loggedOut.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := before.DeleteAll(t.Context(), "bb02"); err != nil || n != 2 {
		t.Fatalf("DeleteAll = %d, %v", n, err)
	}
	if err := before.Close(); err != nil {
		t.Fatal(err)
	}

	after := openSessionsTemp(t, path)
	clockAt(after, &clock)
	tests := []struct {
		name string
		s    *session.Session
		want bool
	}{
		{"kept", kept, true},
		{"logged out", loggedOut, false},
		{"user disabled", disabled1, false},
		{"user disabled, other session", disabled2, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok, err := after.Find(t.Context(), tc.s.Subject, tc.s.ID)
			if err != nil || ok != tc.want {
				t.Fatalf("Find after reopen = %v, %v; want found %v", ok, err, tc.want)
			}
			if ok && (!got.LastSeenAt.Equal(touched) || got.Username != tc.s.Username || !got.ExpiresAt.Equal(tc.s.ExpiresAt)) {
				t.Errorf("Find after reopen = %+v, want %+v touched at %v", *got, *tc.s, touched)
			}
		})
	}
	if list, err := after.List(t.Context(), "aa01"); err != nil || len(list) != 1 || list[0].ID != kept.ID {
		t.Errorf("List after reopen = %d sessions, %v; want only the kept one", len(list), err)
	}
}

// TestSessionsTwoStoresOneFile is the CLI writing while the server runs: each sees the
// other's writes on its next call, and both writing at once does not fail with SQLITE_BUSY.
func TestSessionsTwoStoresOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sessions.db")
	server, cli := openSessionsTemp(t, path), openSessionsTemp(t, path)
	clock := st0
	clockAt(server, &clock)
	clockAt(cli, &clock)
	ctx := t.Context()

	s, _ := testSession("cc03")
	mustCreateSession(t, server, s)
	if !found(t, cli, s) {
		t.Error("the CLI does not see the server's session")
	}
	if err := server.Touch(ctx, s.Subject, s.ID, st0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if got, _, err := cli.Find(ctx, s.Subject, s.ID); err != nil || got == nil || !got.LastSeenAt.Equal(st0.Add(time.Second)) {
		t.Errorf("the CLI does not see the server's Touch: %+v, %v", got, err)
	}
	// `authgate user disable` ends the user's sessions: the server's next Find must miss.
	if n, err := cli.DeleteAll(ctx, s.Subject); err != nil || n != 1 {
		t.Fatalf("CLI DeleteAll = %d, %v", n, err)
	}
	if found(t, server, s) {
		t.Error("the server still finds a session the CLI deleted")
	}

	// Both write at once.
	const n = 16
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for i := range n {
		for name, st := range map[string]*SessionStore{"server": server, "cli": cli} {
			wg.Go(func() {
				s, _ := testSession(fmt.Sprintf("dd%02d", i))
				if err := st.Create(ctx, s); err != nil {
					errs <- fmt.Errorf("%s Create %d: %w", name, i, err)
					return
				}
				if err := st.Touch(ctx, s.Subject, s.ID, st0.Add(time.Second)); err != nil {
					errs <- fmt.Errorf("%s Touch %d: %w", name, i, err)
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for i := range n {
		for name, st := range map[string]*SessionStore{"server": server, "cli": cli} {
			if list, err := st.List(ctx, fmt.Sprintf("dd%02d", i)); err != nil || len(list) != 2 {
				t.Errorf("%s List(dd%02d) = %d sessions, %v; want 2", name, i, len(list), err)
			}
		}
	}
}

// TestSessionsDeadline checks expiry at its edges with an injected clock: a session is live
// up to, not at, its deadline, the earlier of idle and absolute expiry, and Touch moves only
// the first.
func TestSessionsDeadline(t *testing.T) {
	const idle = 30 * time.Minute
	tests := []struct {
		name    string
		touchAt time.Duration // after st0; 0 means no touch
		expires time.Duration // absolute expiry after st0
		at      time.Duration // when to look, after st0
		want    bool
	}{
		{"just before idle deadline", 0, 12 * time.Hour, idle - time.Millisecond, true},
		{"at idle deadline", 0, 12 * time.Hour, idle, false},
		{"touched, past original idle deadline", 20 * time.Minute, 12 * time.Hour, idle + time.Minute, true},
		{"touched, at new idle deadline", 20 * time.Minute, 12 * time.Hour, 20*time.Minute + idle, false},
		{"touched, just before absolute expiry", 20 * time.Minute, 40 * time.Minute, 40*time.Minute - time.Millisecond, true},
		{"touched, at absolute expiry", 20 * time.Minute, 40 * time.Minute, 40 * time.Minute, false},
		{"touched after idle deadline: not revived", idle + time.Minute, 12 * time.Hour, idle + 2*time.Minute, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := openSessionsTemp(t, filepath.Join(t.TempDir(), "sessions.db"))
			clock := st0
			clockAt(st, &clock)
			s, _ := testSession("ee04")
			s.ExpiresAt = st0.Add(tc.expires)
			mustCreateSession(t, st, s)
			if tc.touchAt != 0 {
				clock = st0.Add(tc.touchAt)
				if err := st.Touch(t.Context(), s.Subject, s.ID, clock); err != nil {
					t.Fatal(err)
				}
			}
			clock = st0.Add(tc.at)
			if got := found(t, st, s); got != tc.want {
				t.Errorf("Find at st0+%v = %v, want %v", tc.at, got, tc.want)
			}
			list, err := st.List(t.Context(), s.Subject)
			if err != nil || len(list) != map[bool]int{true: 1}[tc.want] {
				t.Errorf("List at st0+%v = %d sessions, %v", tc.at, len(list), err)
			}
			if n, err := st.DeleteAll(t.Context(), s.Subject); err != nil || n != map[bool]int{true: 1}[tc.want] {
				t.Errorf("DeleteAll at st0+%v = %d, %v", tc.at, n, err)
			}
		})
	}
}

func TestSessionsDeleteExpired(t *testing.T) {
	st := openSessionsTemp(t, filepath.Join(t.TempDir(), "sessions.db"))
	clock := st0
	clockAt(st, &clock)
	// Deadlines at st0+9m59.999s, st0+10m and st0+10m0.001s, for two users.
	var all []*session.Session
	for _, subject := range []string{"ff05", "ff06"} {
		for _, d := range []time.Duration{-time.Millisecond, 0, time.Millisecond} {
			s, _ := testSession(subject)
			s.IdleTimeout = 10*time.Minute + d
			mustCreateSession(t, st, s)
			all = append(all, s)
		}
	}

	tests := []struct {
		name    string
		before  time.Time
		removed int
		left    int
	}{
		{"nothing expired", st0.Add(9 * time.Minute), 0, 6},
		{"deadline not after before", st0.Add(10 * time.Minute), 4, 2},
		{"again", st0.Add(10 * time.Minute), 0, 2},
		{"sub-millisecond before", st0.Add(10*time.Minute + 1500*time.Microsecond), 2, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, err := st.DeleteExpired(t.Context(), tc.before)
			if err != nil || n != tc.removed {
				t.Errorf("DeleteExpired(%v) = %d, %v; want %d", tc.before, n, err, tc.removed)
			}
			var rows int
			if err := st.db.QueryRowContext(t.Context(), `SELECT count(*) FROM sessions`).Scan(&rows); err != nil {
				t.Fatal(err)
			}
			if rows != tc.left {
				t.Errorf("%d rows left, want %d", rows, tc.left)
			}
		})
	}
}

// TestSessionsSecretNotOnDisk reads the database file itself: it holds the session IDs, never
// the secrets the cookies carry.
func TestSessionsSecretNotOnDisk(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sessions.db")
	st, err := OpenSessions(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	var toks []session.Token
	for range 3 {
		s, tok := testSession("ab07")
		s.ExpiresAt = time.Now().Add(time.Hour)
		mustCreateSession(t, st, s)
		toks = append(toks, tok)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	var disk []byte
	for _, file := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(file)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		disk = append(disk, b...)
	}
	for _, tok := range toks {
		if !bytes.Contains(disk, []byte(tok.ID())) {
			t.Errorf("session ID %s not on disk: the check below would prove nothing", tok.ID())
		}
		if bytes.Contains(disk, []byte(tok.Secret)) {
			t.Errorf("the cookie secret of session %s is on disk", tok.ID())
		}
	}
}

func TestSessionsStoredFields(t *testing.T) {
	st := openSessionsTemp(t, filepath.Join(t.TempDir(), "sessions.db"))
	clock := st0
	clockAt(st, &clock)
	long := strings.Repeat("a", session.MaxUserAgent-1) + "é" // é straddles the limit
	tests := []struct {
		name   string
		modify func(s *session.Session)
		check  func(got *session.Session) bool
	}{
		{"long user agent is cut", func(s *session.Session) { s.UserAgent = strings.Repeat("x", 500) },
			func(got *session.Session) bool { return got.UserAgent == strings.Repeat("x", session.MaxUserAgent) }},
		{"user agent is cut at a character boundary", func(s *session.Session) { s.UserAgent = long },
			func(got *session.Session) bool { return got.UserAgent == long[:session.MaxUserAgent-1] }},
		{"user agent at the limit is kept", func(s *session.Session) { s.UserAgent = long[:session.MaxUserAgent-1] + "b" },
			func(got *session.Session) bool { return got.UserAgent == long[:session.MaxUserAgent-1]+"b" }},
		{"times are truncated to the millisecond", func(s *session.Session) {
			s.CreatedAt = st0.Add(-time.Hour + 999*time.Microsecond)
			s.LastSeenAt = st0.Add(1999 * time.Microsecond)
			s.IdleTimeout = time.Hour + 1999*time.Microsecond
		}, func(got *session.Session) bool {
			return got.CreatedAt.Equal(st0.Add(-time.Hour)) && got.LastSeenAt.Equal(st0.Add(time.Millisecond)) &&
				got.IdleTimeout == time.Hour+time.Millisecond && got.Deadline().Equal(st0.Add(time.Hour+2*time.Millisecond))
		}},
		{"zero creation time stays zero", func(s *session.Session) { s.CreatedAt = time.Time{} },
			func(got *session.Session) bool { return got.CreatedAt.IsZero() }},
		{"times come back in UTC", func(s *session.Session) { s.CreatedAt = st0.In(time.FixedZone("X", 3600)) },
			func(got *session.Session) bool {
				return got.CreatedAt.Equal(st0) && got.CreatedAt.Location() == time.UTC && got.ExpiresAt.Location() == time.UTC
			}},
		{"nil roles come back empty", func(s *session.Session) { s.Roles = nil },
			func(got *session.Session) bool { return got.Roles != nil && len(got.Roles) == 0 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := testSession("ac08")
			tc.modify(s)
			mustCreateSession(t, st, s)
			got, ok, err := st.Find(t.Context(), s.Subject, s.ID)
			if err != nil || !ok {
				t.Fatalf("Find = %v, %v", ok, err)
			}
			if !tc.check(got) {
				t.Errorf("stored %+v", *got)
			}
		})
	}
}

func TestSessionsCreateTakenID(t *testing.T) {
	st := openSessionsTemp(t, filepath.Join(t.TempDir(), "sessions.db"))
	s, _ := testSession("ad09")
	mustCreateSession(t, st, s)
	other := *s
	other.Subject = "ad10"
	if err := st.Create(t.Context(), &other); err == nil {
		t.Error("Create of a taken ID under another subject succeeded")
	}
	for _, bad := range []func(s *session.Session){
		func(s *session.Session) { s.ID = "" },
		func(s *session.Session) { s.Subject = "" },
	} {
		s, _ := testSession("ad11")
		bad(s)
		if err := st.Create(t.Context(), s); err == nil {
			t.Errorf("Create(%+v) succeeded, want an error", *s)
		}
	}
}

// benchSessions fills a store with sessions of 1,000 users, 10 each, and returns them.
func benchSessions(b *testing.B) (*SessionStore, []*session.Session) {
	st := openSessionsTemp(b, filepath.Join(b.TempDir(), "sessions.db"))
	now := time.Now()
	var all []*session.Session
	for u := range 1000 {
		for range 10 {
			s, _ := testSession(fmt.Sprintf("%032x", u))
			s.CreatedAt, s.LastSeenAt, s.ExpiresAt = now, now, now.Add(time.Hour)
			all = append(all, s)
		}
	}
	tx, err := st.db.BeginTx(b.Context(), nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range all {
		roles, _ := encodeRoles(s.Roles)
		if _, err := tx.ExecContext(b.Context(), `INSERT INTO sessions (`+sessionColumns+`, deadline) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			s.ID, s.Subject, s.Username, roles, s.MFA, s.IP, s.UserAgent, s.CreatedAt.UnixMilli(), s.LastSeenAt.UnixMilli(),
			s.IdleTimeout.Milliseconds(), s.ExpiresAt.UnixMilli(), s.Deadline().UnixMilli()); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return st, all
}

func BenchmarkFind(b *testing.B) {
	st, all := benchSessions(b)
	ctx := b.Context()
	i := 0
	for b.Loop() {
		s := all[i%len(all)]
		i += 7919 // a prime: spread the lookups over the table
		if _, ok, err := st.Find(ctx, s.Subject, s.ID); err != nil || !ok {
			b.Fatalf("Find = %v, %v", ok, err)
		}
	}
}

func BenchmarkFindParallel(b *testing.B) {
	st, all := benchSessions(b)
	ctx := b.Context()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			s := all[i%len(all)]
			i += 7919
			if _, ok, err := st.Find(ctx, s.Subject, s.ID); err != nil || !ok {
				b.Errorf("Find = %v, %v", ok, err)
				return
			}
		}
	})
}

// BenchmarkTouch measures a write: one synced commit (synchronous FULL).
func BenchmarkTouch(b *testing.B) {
	st, all := benchSessions(b)
	ctx := b.Context()
	i := 0
	for b.Loop() {
		s := all[i%len(all)]
		i += 7919
		if err := st.Touch(ctx, s.Subject, s.ID, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
}
