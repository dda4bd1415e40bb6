package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// Every embedded database is opened the same way (openFile): these cases run on each kind.
var fileKinds = []struct {
	name        string
	schema      schema
	open        func(ctx context.Context, path string) (*sql.DB, error)
	synchronous string // PRAGMA synchronous: 1 NORMAL, 2 FULL
}{
	{"identity", schema{table: "schema_migrations", migrations: migrations},
		func(ctx context.Context, path string) (*sql.DB, error) {
			s, err := Open(ctx, path)
			if err != nil {
				return nil, err
			}
			return s.db, nil
		}, "1"},
	{"sessions", schema{table: "session_migrations", migrations: sessionMigrations},
		func(ctx context.Context, path string) (*sql.DB, error) {
			s, err := OpenSessions(ctx, path)
			if err != nil {
				return nil, err
			}
			return s.db, nil
		}, "2"},
	{"revocations", schema{table: "revocation_migrations", migrations: revocationMigrations},
		func(ctx context.Context, path string) (*sql.DB, error) {
			s, err := OpenRevocations(ctx, path)
			if err != nil {
				return nil, err
			}
			return s.db, nil
		}, "2"},
}

func TestOpenFile(t *testing.T) {
	for _, k := range fileKinds {
		t.Run(k.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "var", "authgate")
			path := filepath.Join(dir, k.name+".db")
			db, err := k.open(t.Context(), path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })

			fi, err := os.Stat(dir)
			if err != nil {
				t.Fatal(err)
			}
			if perm := fi.Mode().Perm(); perm != 0o700 {
				t.Errorf("created directory mode = %v, want 0700", perm)
			}
			for _, file := range []string{path, path + "-wal"} {
				fi, err := os.Stat(file)
				if err != nil {
					t.Errorf("database file not created: %v", err)
					continue
				}
				if perm := fi.Mode().Perm(); perm != 0o600 {
					t.Errorf("%s mode = %v, want 0600", filepath.Base(file), perm)
				}
			}

			// Every pooled connection gets the DSN's settings.
			for _, tc := range []struct{ pragma, want string }{
				{"journal_mode", "wal"},
				{"foreign_keys", "1"},
				{"busy_timeout", "10000"},
				{"synchronous", k.synchronous},
			} {
				var got string
				if err := db.QueryRowContext(t.Context(), "PRAGMA "+tc.pragma).Scan(&got); err != nil {
					t.Fatalf("PRAGMA %s: %v", tc.pragma, err)
				}
				if got != tc.want {
					t.Errorf("PRAGMA %s = %q, want %q", tc.pragma, got, tc.want)
				}
			}

			// Opening again applies nothing twice.
			again, err := k.open(t.Context(), path)
			if err != nil {
				t.Fatal(err)
			}
			defer again.Close()
			var versions, latest int
			if err := again.QueryRowContext(t.Context(), `SELECT count(*), max(version) FROM `+k.schema.table).Scan(&versions, &latest); err != nil {
				t.Fatal(err)
			}
			if n := len(k.schema.migrations); versions != n || latest != n {
				t.Errorf("%s has %d rows up to %d, want %d", k.schema.table, versions, latest, n)
			}

			// A schema from a newer program is refused.
			if _, err := again.ExecContext(t.Context(), `INSERT INTO `+k.schema.table+` (version, applied_at) VALUES (?, 0)`, len(k.schema.migrations)+1); err != nil {
				t.Fatal(err)
			}
			if _, err := k.open(t.Context(), path); !errors.Is(err, ErrSchemaTooNew) {
				t.Errorf("opening a newer schema: err = %v, want ErrSchemaTooNew", err)
			}
		})
	}
}

func TestOpenFileInvalidPath(t *testing.T) {
	for _, k := range fileKinds {
		for _, path := range []string{"", "a?b.db", "a#b.db", "file:x.db"} {
			if _, err := k.open(t.Context(), path); !errors.Is(err, ErrInvalidPath) {
				t.Errorf("%s: open(%q): err = %v, want ErrInvalidPath", k.name, path, err)
			}
		}
	}
}
