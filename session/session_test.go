package session

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestTokenRoundTrip(t *testing.T) {
	tok := NewToken("0123456789abcdef0123456789abcdef")
	got, err := ParseToken(tok.String())
	if err != nil || got != tok {
		t.Fatalf("ParseToken(%q) = %v, %v", tok, got, err)
	}
	if tok.ID() == tok.Secret || strings.Contains(tok.ID(), tok.Secret) || len(tok.ID()) != 43 {
		t.Errorf("ID %q must be a hash of the secret", tok.ID())
	}
	if NewToken("ab").Secret == NewToken("ab").Secret {
		t.Error("two tokens share a secret")
	}
}

func TestParseTokenRejectsMalformed(t *testing.T) {
	good := NewToken("abc123").String()
	for _, v := range []string{"", ".", "abc", good + "x", "ABC." + strings.Repeat("a", 43), "abc." + strings.Repeat("a", 42) + "=",
		"abc." + strings.Repeat("a", 42) + "/", strings.Repeat("a", 65) + "." + strings.Repeat("a", 43), "abc.def." + strings.Repeat("a", 39)} {
		if _, err := ParseToken(v); !errors.Is(err, ErrMalformedToken) {
			t.Errorf("ParseToken(%q) err = %v", v, err)
		}
	}
}

func TestDeadlineIsEarlierOfIdleAndAbsolute(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	s := &Session{LastSeenAt: t0, IdleTimeout: 30 * time.Minute, ExpiresAt: t0.Add(12 * time.Hour)}
	if s.Deadline() != t0.Add(30*time.Minute) || !s.Live(t0.Add(29*time.Minute)) || s.Live(t0.Add(30*time.Minute)) {
		t.Errorf("idle deadline %v", s.Deadline())
	}
	s.LastSeenAt = t0.Add(12*time.Hour - time.Minute)
	if s.Deadline() != s.ExpiresAt {
		t.Errorf("absolute deadline %v", s.Deadline())
	}
}

func FuzzParseToken(f *testing.F) {
	f.Add(NewToken("abc").String())
	f.Add("a.b")
	f.Fuzz(func(t *testing.T, v string) {
		tok, err := ParseToken(v)
		if err == nil && tok.String() != v {
			t.Fatalf("ParseToken(%q) accepted and re-encodes as %q", v, tok.String())
		}
	})
}
