package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/authgate/authgate/identity"
)

// Store is an identity.Store kept in one SQLite file. Several Stores, in one process or in
// several (the server and the CLI), may use the same file at once.
type Store struct {
	db *sql.DB
}

var _ identity.Store = (*Store)(nil)

// Open opens the database file at path, creating it (mode 0600) and its directory (mode 0700)
// when missing, and brings its schema up to date. Writers wait up to 10 seconds for each other.
func Open(ctx context.Context, path string) (*Store, error) {
	// The file holds password hashes and private keys: openFile creates it for its owner only.
	db, err := openFile(ctx, path, schema{what: "identity database", table: "schema_migrations",
		migrations: migrations, synchronous: "NORMAL"})
	if err != nil {
		return nil, err
	}
	return &Store{db: db}, nil
}

// Ping reports whether the database can be reached.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("ping sqlite: %w", err)
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// inTx runs fn in a transaction, committing when it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return inTx(ctx, s.db, fn)
}

// inTx runs fn in a transaction of db (IMMEDIATE: it holds the write lock from the start),
// committing when fn returns nil.
func inTx(ctx context.Context, db *sql.DB, fn func(tx *sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback() //nolint:errcheck // the first error is the one to report
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// mapErr turns the driver's errors into the identity package's: no rows is ErrNotFound, a
// unique or primary key violation is ErrConflict.
func mapErr(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return identity.ErrNotFound
	}
	if se, ok := errors.AsType[*sqlite.Error](err); ok {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %w", identity.ErrConflict, err)
		}
	}
	return err
}

// Times are stored as Unix nanoseconds in UTC. The zero time.Time is stored as 0 (or NULL
// where the column allows it) and read back as the zero time.Time; times beyond what int64
// nanoseconds hold (before 1678 or after 2262) are clamped.
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

func toNanos(t time.Time) int64 {
	switch {
	case t.IsZero():
		return 0
	case t.Before(minTime):
		return math.MinInt64
	case t.After(maxTime):
		return math.MaxInt64
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func toNullNanos(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: toNanos(t), Valid: true}
}

func fromNullNanos(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return fromNanos(n.Int64)
}

// now is the time the store stamps UpdatedAt with, to the microsecond like every backend.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
