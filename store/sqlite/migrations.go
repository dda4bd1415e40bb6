package sqlite

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
