package redis_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/authgate/authgate/internal/testenv"
	"github.com/authgate/authgate/store/redis"
)

// maxBytesPerSession is the memory budget of one session in Redis, its index entry included.
const maxBytesPerSession = 512

// TestMemoryPerSession measures MEMORY USAGE of a typical session (100-byte user agent, 32-hex
// subject, 43-character ID): its record plus its user's index, with one session per user (the
// index costs the most per session then) and with five.
func TestMemoryPerSession(t *testing.T) {
	srv := testenv.Redis(t)
	st := redis.NewSessionStore(open(t, srv.URL()))
	usage := func(key string) int64 {
		t.Helper()
		n, ok := srv.MustDo("MEMORY", "USAGE", key, "SAMPLES", "0").(int64)
		if !ok || n <= 0 {
			t.Fatalf("MEMORY USAGE %s = %v", key, n)
		}
		return n
	}

	for _, perUser := range []int{1, 5} {
		subject := newSubject()
		var records int64
		for range perUser {
			s := newSession(subject, time.Now())
			if len(s.UserAgent) != 100 {
				t.Fatalf("user agent of %d bytes", len(s.UserAgent))
			}
			mustCreate(t, st, s)
			records += usage(st.RecordKey(subject, s.ID))
		}
		index := usage(st.IndexKey(subject))
		per := (records + index) / int64(perUser)
		t.Logf("%d session(s) per user: record %d B, index %d B in all; %d B per session (budget %d)",
			perUser, records/int64(perUser), index, per, maxBytesPerSession)
		if per > maxBytesPerSession {
			t.Errorf("%d bytes per session with %d per user, want at most %d", per, perUser, maxBytesPerSession)
		}
	}

	// What the server really spends, expiry entries and hash table slots included: used_memory
	// over 2000 one-session users. Logged, not asserted (allocator and table growth make it
	// step).
	before := usedMemory(t, srv)
	for range 2000 {
		mustCreate(t, st, newSession(newSubject(), time.Now()))
	}
	t.Logf("used_memory per one-session user over 2000: %d B", (usedMemory(t, srv)-before)/2000)
}

func usedMemory(t *testing.T, srv *testenv.RedisServer) int64 {
	t.Helper()
	for _, line := range strings.Split(srv.MustDo("INFO", "memory").(string), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "used_memory:"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no used_memory in INFO memory")
	return 0
}
