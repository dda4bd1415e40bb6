package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// migrations are the schema changes in order: migrations[i] takes the schema from version i
// to version i+1. Append only; never edit one that has shipped.
var migrations = []string{
	// 1: users, signing keys, refresh-token families and tokens, audit log.
	`
CREATE TABLE users (
	subject        TEXT    PRIMARY KEY,
	username       TEXT    NOT NULL UNIQUE,
	password_hash  TEXT    NOT NULL,
	roles          TEXT    NOT NULL DEFAULT '[]', -- JSON array of strings
	disabled       INTEGER NOT NULL DEFAULT 0,
	totp_secret    TEXT    NOT NULL DEFAULT '',
	totp_last_step INTEGER NOT NULL DEFAULT 0,
	created_at     INTEGER NOT NULL,              -- Unix nanoseconds, UTC, as every time below
	updated_at     INTEGER NOT NULL
) STRICT;

CREATE TABLE signing_keys (
	kid         TEXT    PRIMARY KEY,
	alg         TEXT    NOT NULL,
	private_der BLOB    NOT NULL,
	created_at  INTEGER NOT NULL,
	retired_at  INTEGER
) STRICT;

CREATE TABLE refresh_families (
	id         TEXT    PRIMARY KEY,
	subject    TEXT    NOT NULL,
	mfa        INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	revoked_at INTEGER
) STRICT;
CREATE INDEX refresh_families_subject ON refresh_families (subject);
CREATE INDEX refresh_families_expires_at ON refresh_families (expires_at);

CREATE TABLE refresh_tokens (
	hash       BLOB    PRIMARY KEY,
	family_id  TEXT    NOT NULL REFERENCES refresh_families (id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	spent_at   INTEGER
) STRICT;
CREATE INDEX refresh_tokens_family_id ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_expires_at ON refresh_tokens (expires_at);

CREATE TABLE audit_log (
	id       INTEGER PRIMARY KEY,
	at       INTEGER NOT NULL,
	kind     TEXT    NOT NULL,
	subject  TEXT    NOT NULL DEFAULT '',
	username TEXT    NOT NULL DEFAULT '',
	ip       TEXT    NOT NULL DEFAULT '',
	detail   TEXT    NOT NULL DEFAULT '{}' -- JSON object
) STRICT;
CREATE INDEX audit_log_at ON audit_log (at);
`,
	// 2: a TOTP secret enrolled but not yet confirmed.
	`ALTER TABLE users ADD COLUMN totp_pending TEXT NOT NULL DEFAULT '';`,
}

// migrate brings the schema up to date in one transaction. The connection's transactions
// begin IMMEDIATE, so two processes opening the same file migrate one after the other.
func migrate(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit

	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	applied_at INTEGER NOT NULL
) STRICT`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	var current int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if current > len(migrations) {
		return fmt.Errorf("%w: version %d, this program knows up to %d", ErrSchemaTooNew, current, len(migrations))
	}
	for v := current + 1; v <= len(migrations); v++ {
		if _, err := tx.ExecContext(ctx, migrations[v-1]); err != nil {
			return fmt.Errorf("apply migration %d: %w", v, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
			v, time.Now().UnixNano()); err != nil {
			return fmt.Errorf("record migration %d: %w", v, err)
		}
	}
	return tx.Commit()
}
