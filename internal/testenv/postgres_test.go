package testenv

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestPostgres(t *testing.T) {
	var (
		url, name string
		leak      *pgx.Conn
	)
	t.Run("create", func(t *testing.T) {
		url = Postgres(t)
		conn, err := pgx.Connect(t.Context(), url)
		if err != nil {
			t.Fatalf("connect to the new database: %v", err)
		}
		defer conn.Close(context.Background())
		if err := conn.QueryRow(t.Context(), "SELECT current_database()").Scan(&name); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(name, "authgate_test_") {
			t.Errorf("current_database() = %q, want authgate_test_*", name)
		}
		var tables int
		if err := conn.QueryRow(t.Context(), "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").Scan(&tables); err != nil {
			t.Fatal(err)
		}
		if tables != 0 {
			t.Errorf("new database has %d tables, want 0", tables)
		}
		// Left open on purpose: the cleanup drops the database WITH (FORCE).
		if leak, err = pgx.Connect(context.Background(), url); err != nil {
			t.Fatal(err)
		}
	})
	if leak != nil {
		defer leak.Close(context.Background())
	}
	if t.Failed() {
		return
	}
	// The subtest's cleanup dropped the database.
	admin, err := pgx.Connect(t.Context(), postgresAdminURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())
	var exists bool
	if err := admin.QueryRow(t.Context(), "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if exists {
		t.Errorf("database %s still exists after the test ended", name)
	}
}

func TestWithDatabase(t *testing.T) {
	tests := []struct{ admin, want string }{
		{"postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "postgres://postgres@127.0.0.1:5432/db1?sslmode=disable"},
		{"postgresql://u:p@host/", "postgresql://u:p@host/db1"},
		{"host=127.0.0.1 user=postgres dbname=postgres", "host=127.0.0.1 user=postgres dbname=postgres dbname=db1"},
	}
	for _, tc := range tests {
		if got := withDatabase(t, tc.admin, "db1"); got != tc.want {
			t.Errorf("withDatabase(%q) = %q, want %q", tc.admin, got, tc.want)
		}
	}
}
