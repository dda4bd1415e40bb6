package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
)

// migrations are the schema changes in order: migrations[i] takes the schema from version i
// to version i+1. Append only; never edit one that has shipped.
var migrations = []string{
	// 1: users, signing keys, refresh-token families and tokens, audit log.
	`
CREATE TABLE users (
	subject        text        PRIMARY KEY,
	username       text        NOT NULL UNIQUE,
	password_hash  text        NOT NULL,
	roles          text[]      NOT NULL DEFAULT '{}',
	disabled       boolean     NOT NULL DEFAULT false,
	totp_secret    text        NOT NULL DEFAULT '',
	totp_last_step bigint      NOT NULL DEFAULT 0,
	created_at     timestamptz NOT NULL,
	updated_at     timestamptz NOT NULL
);

CREATE TABLE signing_keys (
	kid         text        PRIMARY KEY,
	alg         text        NOT NULL,
	private_der bytea       NOT NULL,
	created_at  timestamptz NOT NULL,
	retired_at  timestamptz
);

CREATE TABLE refresh_families (
	id         text        PRIMARY KEY,
	subject    text        NOT NULL,
	mfa        boolean     NOT NULL,
	created_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL,
	revoked_at timestamptz
);
CREATE INDEX refresh_families_subject ON refresh_families (subject);
CREATE INDEX refresh_families_expires_at ON refresh_families (expires_at);

CREATE TABLE refresh_tokens (
	hash       bytea       PRIMARY KEY,
	family_id  text        NOT NULL REFERENCES refresh_families (id) ON DELETE CASCADE,
	created_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL,
	spent_at   timestamptz
);
CREATE INDEX refresh_tokens_family_id ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_expires_at ON refresh_tokens (expires_at);

CREATE TABLE audit_log (
	id       bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at       timestamptz NOT NULL,
	kind     text        NOT NULL,
	subject  text        NOT NULL DEFAULT '',
	username text        NOT NULL DEFAULT '',
	ip       text        NOT NULL DEFAULT '',
	detail   jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at);
`,
	// 2: a TOTP secret enrolled but not yet confirmed.
	`ALTER TABLE users ADD COLUMN totp_pending text NOT NULL DEFAULT '';`,
}

// migrationLock is the pg_advisory_xact_lock key that serializes migrations of instances
// starting at once: "authgate" in ASCII.
const migrationLock int64 = 0x6175746867617465

// migrate brings the schema up to date in one transaction, holding migrationLock.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit

	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    integer     PRIMARY KEY,
	applied_at timestamptz NOT NULL DEFAULT now()
)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	var current int
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if current > len(migrations) {
		return fmt.Errorf("%w: version %d, this program knows up to %d", ErrSchemaTooNew, current, len(migrations))
	}
	for v := current + 1; v <= len(migrations); v++ {
		// No arguments: pgx sends it with the simple protocol, which runs several statements.
		if _, err := tx.Exec(ctx, migrations[v-1]); err != nil {
			return fmt.Errorf("apply migration %d: %w", v, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, v); err != nil {
			return fmt.Errorf("record migration %d: %w", v, err)
		}
	}
	return tx.Commit(ctx)
}
