package redis_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/authgate/authgate/session"
	"github.com/authgate/authgate/store/redis"
)

func TestCodecRoundTrip(t *testing.T) {
	t0 := time.UnixMilli(1_800_000_000_123)
	tests := []struct {
		name   string
		modify func(s *session.Session)
	}{
		{"typical", func(s *session.Session) {}},
		{"MFA, many roles, IPv6", func(s *session.Session) {
			s.MFA = true
			s.Roles = []string{"a", "", "role with spaces", strings.Repeat("r", 300)}
			s.IP = "2001:db8::8a2e:370:7334"
		}},
		{"IPv4-mapped IPv6", func(s *session.Session) { s.IP = "::ffff:192.0.2.1" }},
		{"IP kept as text when not canonical", func(s *session.Session) { s.IP = "2001:DB8::1" }},
		{"IP with zone", func(s *session.Session) { s.IP = "fe80::1%eth0" }},
		{"not an IP", func(s *session.Session) { s.IP = "unknown" }},
		{"empty everything", func(s *session.Session) {
			s.Username, s.Roles, s.IP, s.UserAgent = "", nil, "", ""
		}},
		{"zero times", func(s *session.Session) {
			s.CreatedAt, s.LastSeenAt, s.ExpiresAt, s.IdleTimeout = time.Time{}, time.Time{}, time.Time{}, 0
		}},
		{"times before 1970", func(s *session.Session) {
			s.CreatedAt, s.LastSeenAt = time.UnixMilli(-5), time.UnixMilli(-86_400_000_123)
		}},
		{"long idle timeout", func(s *session.Session) { s.IdleTimeout = 10 * 365 * 24 * time.Hour }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := newSession("abc", t0)
			tc.modify(want)
			got, err := redis.RoundTrip(want)
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != want.ID || got.Subject != want.Subject || got.Username != want.Username ||
				!slices.Equal(got.Roles, want.Roles) || got.MFA != want.MFA || got.IP != want.IP ||
				got.UserAgent != want.UserAgent || !got.CreatedAt.Equal(want.CreatedAt) ||
				!got.LastSeenAt.Equal(want.LastSeenAt) || got.IdleTimeout != want.IdleTimeout ||
				!got.ExpiresAt.Equal(want.ExpiresAt) {
				t.Errorf("round trip\n got %+v\nwant %+v", *got, *want)
			}
		})
	}
}

func TestCodecTruncatesAndClamps(t *testing.T) {
	s := newSession("abc", time.Now())
	s.UserAgent = strings.Repeat("é", session.MaxUserAgent) // 2 bytes each
	s.ExpiresAt = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	got, err := redis.RoundTrip(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.UserAgent) != session.MaxUserAgent || got.UserAgent != s.UserAgent[:session.MaxUserAgent] {
		t.Errorf("user agent of %d bytes, want the first %d", len(got.UserAgent), session.MaxUserAgent)
	}
	if !got.ExpiresAt.After(time.Date(6000, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("far ExpiresAt clamped to %v, want still far", got.ExpiresAt)
	}
}

func TestCodecRejectsCorrupt(t *testing.T) {
	good := redis.Encode(newSession("abc", time.Now()))
	for name, data := range map[string][]byte{
		"empty":          nil,
		"header only":    good[:19],
		"other version":  append([]byte{2}, good[1:]...),
		"truncated":      good[:len(good)-1],
		"trailing bytes": append(append([]byte(nil), good...), 0),
	} {
		if _, err := redis.Decode(data); !errors.Is(err, redis.ErrCorruptRecord) {
			t.Errorf("%s: err = %v, want ErrCorruptRecord", name, err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(redis.Encode(newSession("abc", time.Now())))
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := redis.Decode(data)
		if err != nil {
			if !errors.Is(err, redis.ErrCorruptRecord) {
				t.Fatalf("error %v is not ErrCorruptRecord", err)
			}
			return
		}
		if _, err := redis.RoundTrip(s); err != nil {
			t.Fatalf("a decoded session does not encode again: %v", err)
		}
	})
}
