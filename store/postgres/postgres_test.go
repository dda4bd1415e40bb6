package postgres

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/authgate/authgate/identity"
	"github.com/authgate/authgate/identity/identitytest"
	"github.com/authgate/authgate/internal/testenv"
)

func open(t *testing.T, url string) *Store {
	t.Helper()
	s, err := Open(t.Context(), url)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	identitytest.Run(t, func(t *testing.T) identity.Store {
		return open(t, testenv.Postgres(t))
	})
}

// TestOpenConcurrently starts several instances on one new database at once: the advisory
// lock lets one migrate while the others wait, then find nothing to do.
func TestOpenConcurrently(t *testing.T) {
	url := testenv.Postgres(t)
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Go(func() {
			s, err := Open(context.Background(), url)
			if err != nil {
				t.Errorf("Open %d: %v", i, err)
				return
			}
			s.Close()
		})
	}
	wg.Wait()

	s := open(t, url)
	var versions, latest int
	if err := s.pool.QueryRow(t.Context(), `SELECT count(*), max(version) FROM schema_migrations`).Scan(&versions, &latest); err != nil {
		t.Fatal(err)
	}
	if versions != len(migrations) || latest != len(migrations) {
		t.Errorf("schema_migrations has %d rows up to %d, want %d", versions, latest, len(migrations))
	}
}

func TestOpenSchemaTooNew(t *testing.T) {
	url := testenv.Postgres(t)
	s := open(t, url)
	if _, err := s.pool.Exec(t.Context(), `INSERT INTO schema_migrations (version) VALUES ($1)`, len(migrations)+1); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(t.Context(), url); !errors.Is(err, ErrSchemaTooNew) {
		t.Errorf("Open of a newer schema: err = %v, want ErrSchemaTooNew", err)
	}
}

func TestOpenUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if s, err := Open(ctx, "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=2"); err == nil {
		s.Close()
		t.Fatal("Open of an unreachable server succeeded")
	}
}
