package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultPostgresURL is the server Postgres uses when AUTHGATE_TEST_POSTGRES_URL is unset.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Postgres creates a new, empty database on the PostgreSQL server at
// $AUTHGATE_TEST_POSTGRES_URL (default DefaultPostgresURL), returns its URL, and drops it,
// closing any connection left to it, when tb ends. The role in the URL must be allowed to
// create databases. A server that cannot be reached fails the test: PostgreSQL is required,
// not optional.
func Postgres(tb testing.TB) string {
	tb.Helper()
	admin := postgresAdminURL()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		tb.Fatalf("PostgreSQL is required for this test and is not reachable at %s: %v\n"+
			"Start a server that trusts local connections, for example\n"+
			"\tapt-get install -y postgresql && pg_ctlcluster $(ls /etc/postgresql) main start\n"+
			"\t(with trust auth for 127.0.0.1 in pg_hba.conf), or\n"+
			"\tdocker run -d -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres\n"+
			"or point AUTHGATE_TEST_POSTGRES_URL at one.", redact(admin), err)
	}
	defer conn.Close(ctx)

	name := "authgate_test_" + randomHex(8)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("testenv: create database %s: %v", name, err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			tb.Errorf("testenv: drop database %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Errorf("testenv: drop database %s: %v", name, err)
		}
	})
	return withDatabase(tb, admin, name)
}

// postgresAdminURL is the server's URL: $AUTHGATE_TEST_POSTGRES_URL, else DefaultPostgresURL.
func postgresAdminURL() string {
	if u := os.Getenv("AUTHGATE_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return DefaultPostgresURL
}

// withDatabase returns the connection string admin with its database replaced by name. Both
// URL and keyword/value forms are accepted.
func withDatabase(tb testing.TB, admin, name string) string {
	tb.Helper()
	if !strings.HasPrefix(admin, "postgres://") && !strings.HasPrefix(admin, "postgresql://") {
		return admin + " dbname=" + name // a later keyword overrides an earlier one
	}
	u, err := url.Parse(admin)
	if err != nil {
		tb.Fatalf("testenv: AUTHGATE_TEST_POSTGRES_URL: %v", err)
	}
	u.Path, u.RawPath = "/"+name, ""
	return u.String()
}

// redact hides the password of a URL for messages.
func redact(connString string) string {
	u, err := url.Parse(connString)
	if err != nil || u.User == nil {
		return connString
	}
	return u.Redacted()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
