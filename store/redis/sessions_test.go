package redis_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/authgate/authgate/internal/testenv"
	"github.com/authgate/authgate/session"
	"github.com/authgate/authgate/session/sessiontest"
	"github.com/authgate/authgate/store/redis"
)

// TestConformance runs the session.Store suite on each topology, on real servers: one
// deployment per topology, a new Client per subtest.
func TestConformance(t *testing.T) {
	topologies := []struct {
		name  string
		start func(t *testing.T) string
		opts  []redis.Option
	}{
		{"standalone", func(t *testing.T) string { return testenv.Redis(t).URL() }, nil},
		// Every read uncached: the direct path must conform too.
		{"standalone without cache", func(t *testing.T) string { return testenv.Redis(t).URL() },
			[]redis.Option{redis.WithFreshnessLoop(false)}},
		{"sentinel", func(t *testing.T) string { return testenv.Sentinel(t).URL() }, nil},
		{"cluster", func(t *testing.T) string { return testenv.Cluster(t).URL() }, nil},
	}
	for _, tc := range topologies {
		t.Run(tc.name, func(t *testing.T) {
			url := tc.start(t)
			sessiontest.Run(t, func(t *testing.T) session.Store {
				return redis.NewSessionStore(open(t, url, tc.opts...))
			})
		})
	}
}

// TestKeyExpiry checks the TTLs exactly, with PEXPIRETIME rather than by waiting: the record
// goes at its deadline, the index with its last member. (Redis keeps a key through the
// millisecond of its expiry time, hence deadline-1.)
func TestKeyExpiry(t *testing.T) {
	srv := testenv.Redis(t)
	st := redis.NewSessionStore(open(t, srv.URL()))
	ctx := context.Background()
	alice := newSubject()
	t0 := time.Now().Truncate(time.Millisecond)

	expireTime := func(key string) int64 {
		t.Helper()
		return srv.MustDo("PEXPIRETIME", key).(int64)
	}
	want := func(what, key string, deadline time.Time) {
		t.Helper()
		if got := expireTime(key); got != deadline.UnixMilli()-1 {
			t.Errorf("%s: PEXPIRETIME = %d, want %d (deadline %v - 1ms)", what, got, deadline.UnixMilli()-1, deadline)
		}
	}

	short := newSession(alice, t0) // idle deadline t0+30m
	long := newSession(alice, t0)
	long.IdleTimeout = 2 * time.Hour // deadline t0+2h
	abs := newSession(alice, t0)
	abs.ExpiresAt = t0.Add(10 * time.Minute) // absolute deadline t0+10m
	for _, s := range []*session.Session{short, long, abs} {
		mustCreate(t, st, s)
		want("record "+s.ID, st.RecordKey(alice, s.ID), s.Deadline())
	}
	want("index", st.IndexKey(alice), long.Deadline())

	// A touch moves the idle deadline, but never past the absolute one.
	at := t0.Add(5 * time.Minute)
	for _, s := range []*session.Session{short, abs} {
		if err := st.Touch(ctx, alice, s.ID, at); err != nil {
			t.Fatal(err)
		}
	}
	want("touched record", st.RecordKey(alice, short.ID), at.Add(30*time.Minute))
	want("touched record at its absolute expiry", st.RecordKey(alice, abs.ID), abs.ExpiresAt)
	if score := srv.MustDo("ZSCORE", st.IndexKey(alice), short.ID); score != fmt.Sprint(at.Add(30*time.Minute).UnixMilli()) {
		t.Errorf("index score after Touch = %v, want the new deadline", score)
	}

	// Ending the longest-lived session shortens the index's life to the next one.
	if err := st.Delete(ctx, alice, long.ID); err != nil {
		t.Fatal(err)
	}
	want("index after Delete", st.IndexKey(alice), at.Add(30*time.Minute))
	if n, err := st.DeleteAll(ctx, alice); err != nil || n != 2 {
		t.Fatalf("DeleteAll = %d, %v; want 2", n, err)
	}
	if n := srv.MustDo("EXISTS", st.IndexKey(alice), st.RecordKey(alice, short.ID)); n != int64(0) {
		t.Errorf("%d keys left after DeleteAll", n)
	}
}

// TestClockDecidesLiveness: with an injected clock the store hides sessions past their
// deadline even while Redis, on real time, still holds them.
func TestClockDecidesLiveness(t *testing.T) {
	srv := testenv.Redis(t)
	c := open(t, srv.URL())
	now := time.Now()
	st := redis.NewSessionStore(c, redis.WithClock(func() time.Time { return now }))
	ctx := context.Background()
	s := newSession(newSubject(), now)
	mustCreate(t, st, s)

	now = s.Deadline().Add(-time.Millisecond)
	if _, ok, err := st.Find(ctx, s.Subject, s.ID); !ok || err != nil {
		t.Fatalf("Find 1ms before the deadline = %v, %v", ok, err)
	}
	now = s.Deadline()
	if got, ok, err := st.Find(ctx, s.Subject, s.ID); ok || got != nil || err != nil {
		t.Errorf("Find at the deadline = %v, %v, %v; want nil, false, nil", got, ok, err)
	}
	if list, err := st.List(ctx, s.Subject); len(list) != 0 || err != nil {
		t.Errorf("List at the deadline = %d sessions, %v", len(list), err)
	}
	// A touch at the deadline does not bring it back.
	if err := st.Touch(ctx, s.Subject, s.ID, now); err != nil {
		t.Fatal(err)
	}
	now = s.Deadline().Add(-time.Millisecond)
	if got, ok, _ := st.Find(ctx, s.Subject, s.ID); !ok || !got.LastSeenAt.Equal(s.LastSeenAt) {
		t.Errorf("a touch after the deadline changed the session: %v, %v", got, ok)
	}
}

func TestKeyPrefixAndDatabase(t *testing.T) {
	srv := testenv.Redis(t)
	st := redis.NewSessionStore(open(t, srv.URL()+"/3"), redis.WithKeyPrefix("gate1:"))
	s := newSession(newSubject(), time.Now())
	mustCreate(t, st, s)
	rec, idx := "gate1:s:{"+s.Subject+"}:"+s.ID, "gate1:u:{"+s.Subject+"}"
	if st.RecordKey(s.Subject, s.ID) != rec || st.IndexKey(s.Subject) != idx {
		t.Fatalf("keys %q %q", st.RecordKey(s.Subject, s.ID), st.IndexKey(s.Subject))
	}
	if got := srv.CLI("-n", "3", "EXISTS", rec, idx); got != "(integer) 2\n" && got != "2\n" {
		t.Errorf("EXISTS in db 3 = %q, want 2", got)
	}
	if n := srv.MustDo("EXISTS", rec, idx); n != int64(0) {
		t.Errorf("%v keys in db 0", n)
	}
}

func TestCreateRejectsUnkeyableSessions(t *testing.T) {
	st := redis.NewSessionStore(open(t, testenv.Redis(t).URL()))
	for _, mod := range []func(s *session.Session){
		func(s *session.Session) { s.ID = "" },
		func(s *session.Session) { s.Subject = "" },
		func(s *session.Session) { s.Subject = "a}b" },
		func(s *session.Session) { s.Subject = "{a" },
	} {
		s := newSession(newSubject(), time.Now())
		mod(s)
		if err := st.Create(context.Background(), s); !errors.Is(err, redis.ErrInvalidSession) {
			t.Errorf("Create(subject %q, id %q) = %v, want ErrInvalidSession", s.Subject, s.ID, err)
		}
	}
}

// TestSecretNotInRedis: nothing stored holds the cookie secret (the suite can only check what
// the interface shows).
func TestSecretNotInRedis(t *testing.T) {
	srv := testenv.Redis(t)
	st := redis.NewSessionStore(open(t, srv.URL()))
	subject := newSubject()
	tok := session.NewToken(subject)
	s := newSession(subject, time.Now())
	s.ID = tok.ID()
	mustCreate(t, st, s)
	dump := fmt.Sprint(srv.MustDo("GET", st.RecordKey(subject, s.ID)), srv.MustDo("ZRANGE", st.IndexKey(subject), "0", "-1"),
		st.RecordKey(subject, s.ID), st.IndexKey(subject))
	if strings.Contains(dump, tok.Secret) {
		t.Errorf("the secret is stored in Redis: %s", dump)
	}
}
