package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/authgate/authgate/revocation"
	"github.com/authgate/authgate/revocation/revocationtest"
	"github.com/authgate/authgate/store/sqlite"
	"github.com/authgate/authgate/throttle"
	"github.com/authgate/authgate/throttle/throttletest"
)

func TestRevocationConformance(t *testing.T) {
	revocationtest.Run(t, func(t *testing.T) revocation.Store {
		s, err := sqlite.OpenRevocations(context.Background(), filepath.Join(t.TempDir(), "revocations.db"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// The server and the CLI are two processes on one file: a revocation written by one is seen by
// the other's next check, and it survives a restart.
func TestRevocationsSharedAndDurable(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "revocations.db")
	server, err := sqlite.OpenRevocations(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	cli, err := sqlite.OpenRevocations(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := server.Revoked(ctx, "abc", "sid", "jti", 0); r {
		t.Fatal("revoked before anything was written")
	}
	if err := cli.EndUser(ctx, "abc", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	cli.Close()
	if r, err := server.Revoked(ctx, "abc", "sid", "jti", 0); err != nil || !r {
		t.Fatalf("server does not see the CLI's ending: %v %v", r, err)
	}
	server.Close()
	reopened, err := sqlite.OpenRevocations(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer reopened.Close()
	if r, err := reopened.Revoked(ctx, "abc", "sid", "jti", 0); err != nil || !r {
		t.Fatalf("ending lost across a restart: %v %v", r, err)
	}
}

func TestThrottleConformance(t *testing.T) {
	throttletest.Run(t, func(t *testing.T) throttle.Store {
		s, err := sqlite.OpenRevocations(context.Background(), filepath.Join(t.TempDir(), "revocations.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// BenchmarkRevoked is the embedded hybrid check: it runs on every hybrid request.
func BenchmarkRevoked(b *testing.B) {
	s, err := sqlite.OpenRevocations(context.Background(), filepath.Join(b.TempDir(), "revocations.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	for i := range 1000 {
		s.Revoke(ctx, fmt.Sprintf("user%d", i), revocation.Entry{Kind: revocation.Token, ID: "jti", Until: time.Now().Add(time.Hour)})
	}
	b.ReportAllocs()
	for b.Loop() {
		if r, err := s.Revoked(ctx, "user5", "sid", "other", 0); err != nil || r {
			b.Fatal(r, err)
		}
	}
}
