package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/authgate/authgate/identity"
)

// Store is an identity.Store in a PostgreSQL database, shared by every instance.
type Store struct {
	pool *pgxpool.Pool
}

var _ identity.Store = (*Store)(nil)

// Open connects to the database at url (a postgres:// URL or keyword/value string, as pgx
// takes it) and brings its schema up to date. Instances opening at once migrate one after the
// other.
func Open(ctx context.Context, url string) (*Store, error) {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres: migrate: %w", err)
	}
	return &Store{pool: pool}, nil
}

// Ping reports whether the database can be reached.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("ping postgres: %w", err)
	}
	return nil
}

// Close closes every connection, waiting for those in use to be released.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// inTx runs fn in a transaction, committing when it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, fn)
}

// uniqueViolation is the SQLSTATE of a unique or primary key violation.
const uniqueViolation = "23505"

// mapErr turns the driver's errors into the identity package's: no rows is ErrNotFound, a
// unique violation is ErrConflict.
func mapErr(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return identity.ErrNotFound
	}
	if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok && pgErr.Code == uniqueViolation {
		return fmt.Errorf("%w: %w", identity.ErrConflict, err)
	}
	return err
}

// nullTime is t for a nullable timestamptz column: NULL when t is zero.
func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// fromNull is a nullable timestamptz read back, in UTC; NULL is the zero time.
func fromNull(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// now is the time the store stamps UpdatedAt with, to the microsecond PostgreSQL keeps.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
