package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// schema is one database file's kind: its name in errors, the table that records its
// migrations, and the migrations themselves (schema.migrations[i] takes it from version i to
// i+1; append only, never edit one that has shipped).
type schema struct {
	what       string
	table      string
	migrations []string
	// synchronous is the SQLite synchronous pragma: FULL where a lost commit would undo a
	// logout or a revocation, NORMAL elsewhere.
	synchronous string
}

// openFile opens the database file at path, creating it (mode 0600: it holds credentials or
// session records) and its directory (mode 0700) when missing, in WAL mode with a 10-second
// busy timeout, and brings its schema up to date. Several processes (the server and the CLI)
// may use one file at once.
func openFile(ctx context.Context, path string, s schema) (*sql.DB, error) {
	if path == "" || strings.ContainsAny(path, "?#") || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("open %s %q: %w: want a plain file name without ? or #", s.what, path, ErrInvalidPath)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("open %s: %w", s.what, err)
	}
	// SQLite gives its -wal and -shm files the database file's mode.
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", s.what, err)
	}
	f.Close()
	q := url.Values{
		"_pragma": {
			"busy_timeout(10000)",
			"journal_mode(WAL)",
			"foreign_keys(1)",
			"synchronous(" + s.synchronous + ")",
		},
		// Every transaction takes the write lock when it begins, so one that reads then writes
		// cannot fail with SQLITE_BUSY half way: it waits its turn at BEGIN instead.
		"_txlock": {"immediate"},
	}
	db, err := sql.Open("sqlite", path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open %s %s: %w", s.what, path, err)
	}
	if err := migrateFile(ctx, db, s); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s %s: migrate: %w", s.what, path, err)
	}
	return db, nil
}

// migrateFile brings the schema up to date in one transaction. Transactions begin IMMEDIATE,
// so two processes opening the same file migrate one after the other.
func migrateFile(ctx context.Context, db *sql.DB, s schema) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit

	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+s.table+` (
	version    INTEGER PRIMARY KEY,
	applied_at INTEGER NOT NULL
) STRICT`); err != nil {
		return fmt.Errorf("create %s: %w", s.table, err)
	}
	var current int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM `+s.table).Scan(&current); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if current > len(s.migrations) {
		return fmt.Errorf("%w: %s version %d, this program knows up to %d", ErrSchemaTooNew, s.what, current, len(s.migrations))
	}
	for v := current + 1; v <= len(s.migrations); v++ {
		if _, err := tx.ExecContext(ctx, s.migrations[v-1]); err != nil {
			return fmt.Errorf("apply migration %d: %w", v, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+s.table+` (version, applied_at) VALUES (?, ?)`,
			v, time.Now().UnixNano()); err != nil {
			return fmt.Errorf("record migration %d: %w", v, err)
		}
	}
	return tx.Commit()
}
