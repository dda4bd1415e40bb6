package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/authgate/authgate/revocation"
)

// RevocationStore is the embedded revocation list, for a single instance: a revocation.Store
// kept in its own SQLite file. Like SessionStore it does not cache, so a revocation written by
// the CLI in another process is seen by the server's very next check.
type RevocationStore struct {
	db  *sql.DB
	now func() time.Time
	// revoked is Revoked's query, prepared once: it runs on every hybrid request.
	revoked *sql.Stmt
}

var _ revocation.Store = (*RevocationStore)(nil)

var revocationMigrations = []string{
	// 1: revoked tokens and logins, and per-user generations.
	`
CREATE TABLE revoked (
	subject    TEXT    NOT NULL,
	kind       TEXT    NOT NULL CHECK (kind IN ('jti', 'sid')),
	id         TEXT    NOT NULL,
	expires_at INTEGER NOT NULL, -- Unix milliseconds
	PRIMARY KEY (subject, kind, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX revoked_expires_at ON revoked (expires_at);

CREATE TABLE generations (
	subject    TEXT    PRIMARY KEY,
	generation INTEGER NOT NULL,
	keep_until INTEGER NOT NULL  -- Unix milliseconds
) STRICT;
`,
	// 2: failed login and code attempts, for brute-force defence.
	`
CREATE TABLE failures (
	key          TEXT    PRIMARY KEY,
	count        INTEGER NOT NULL,
	last_at      INTEGER NOT NULL, -- Unix milliseconds
	locked_until INTEGER NOT NULL
) STRICT;
`,
}

// OpenRevocations opens the revocation database at path, creating it when missing.
func OpenRevocations(ctx context.Context, path string) (*RevocationStore, error) {
	db, err := openFile(ctx, path, schema{what: "revocation database", table: "revocation_migrations",
		migrations: revocationMigrations, synchronous: "FULL"})
	if err != nil {
		return nil, err
	}
	revoked, err := db.PrepareContext(ctx, `SELECT
		coalesce((SELECT generation FROM generations WHERE subject = ?1 AND keep_until > ?4), 0),
		EXISTS (SELECT 1 FROM revoked WHERE subject = ?1 AND expires_at > ?4 AND
			((kind = 'jti' AND id = ?2) OR (kind = 'sid' AND id = ?3 AND ?3 <> '')))`)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("prepare revocation check: %w", err)
	}
	return &RevocationStore{db: db, now: time.Now, revoked: revoked}, nil
}

// Revoke puts the entries on the list, in one transaction.
func (s *RevocationStore) Revoke(ctx context.Context, subject string, entries ...revocation.Entry) error {
	return inTx(ctx, s.db, func(tx *sql.Tx) error {
		for _, e := range entries {
			_, err := tx.ExecContext(ctx, `INSERT INTO revoked (subject, kind, id, expires_at) VALUES (?, ?, ?, ?)
				ON CONFLICT (subject, kind, id) DO UPDATE SET expires_at = max(expires_at, excluded.expires_at)`,
				subject, string(e.Kind), e.ID, e.Until.UnixMilli())
			if err != nil {
				return fmt.Errorf("revoke %s: %w", e.Kind, err)
			}
		}
		return nil
	})
}

// EndUser raises the subject's generation. Generations are Unix milliseconds of the ending,
// kept strictly increasing, so they never go back even after an expired row is deleted: a
// token stamped before any ending carries a smaller number than every later one.
func (s *RevocationStore) EndUser(ctx context.Context, subject string, keepUntil time.Time) error {
	now := s.now().UnixMilli()
	_, err := s.db.ExecContext(ctx, `INSERT INTO generations (subject, generation, keep_until) VALUES (?1, ?2, ?3)
		ON CONFLICT (subject) DO UPDATE SET
			generation = max(generation + 1, ?2),
			keep_until = max(keep_until, excluded.keep_until)`,
		subject, now, keepUntil.UnixMilli())
	if err != nil {
		return fmt.Errorf("end user: %w", err)
	}
	return nil
}

// Generation returns the subject's current generation.
func (s *RevocationStore) Generation(ctx context.Context, subject string) (int64, error) {
	var g int64
	err := s.db.QueryRowContext(ctx, `SELECT coalesce((SELECT generation FROM generations WHERE subject = ? AND keep_until > ?), 0)`,
		subject, s.now().UnixMilli()).Scan(&g)
	if err != nil {
		return 0, fmt.Errorf("read generation: %w", err)
	}
	return g, nil
}

// Revoked reports whether the token is refused.
func (s *RevocationStore) Revoked(ctx context.Context, subject, sid, jti string, gen int64) (bool, error) {
	now := s.now().UnixMilli()
	var current int64
	var listed bool
	err := s.revoked.QueryRowContext(ctx, subject, jti, sid, now).Scan(&current, &listed)
	if err != nil {
		return false, fmt.Errorf("read revocation list: %w", err)
	}
	return listed || gen < current, nil
}

// DeleteExpired removes entries no token needs any more.
func (s *RevocationStore) DeleteExpired(ctx context.Context, before time.Time) (int, error) {
	ms := before.UnixMilli()
	res, err := s.db.ExecContext(ctx, `DELETE FROM revoked WHERE expires_at <= ?`, ms)
	if err != nil {
		return 0, fmt.Errorf("delete expired revocations: %w", err)
	}
	n, _ := res.RowsAffected()
	if _, err := s.db.ExecContext(ctx, `DELETE FROM generations WHERE keep_until <= ?`, ms); err != nil {
		return 0, fmt.Errorf("delete expired generations: %w", err)
	}
	return int(n), nil
}

// Ping reports whether the database can be reached.
func (s *RevocationStore) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// Close closes the database.
func (s *RevocationStore) Close() error {
	s.revoked.Close()
	return s.db.Close()
}
