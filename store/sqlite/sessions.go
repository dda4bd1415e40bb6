package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/authgate/authgate/session"
)

// SessionStore is a session.Store kept in its own SQLite file, apart from the identity
// database. Several SessionStores, in one process or in several (the server and the CLI), may
// use the same file at once; none caches, so each sees the others' writes at once.
//
// Times are kept to the millisecond, as the Redis store keeps them; sub-millisecond parts are
// truncated. Expiry is checked against the current time on every read, so an expired session
// is never shown; its row stays until DeleteExpired removes it.
type SessionStore struct {
	db *sql.DB
	// find is Find's query, prepared once: it runs on every request.
	find *sql.Stmt
	// now is the clock expiry is checked against; tests replace it.
	now func() time.Time
}

var _ session.Store = (*SessionStore)(nil)

// sessionMigrations are the session database's schema changes in order; see schema. They
// are recorded in session_migrations, apart from the identity schema's, so the two never
// mistake each other's versions, even in one file.
var sessionMigrations = []string{
	// 1: sessions.
	`
CREATE TABLE sessions (
	id              TEXT    PRIMARY KEY CHECK (id <> ''), -- base64url(SHA-256(secret)), never the secret
	subject         TEXT    NOT NULL CHECK (subject <> ''),
	username        TEXT    NOT NULL,
	roles           TEXT    NOT NULL DEFAULT '[]',        -- JSON array of strings, in order
	mfa             INTEGER NOT NULL,
	ip              TEXT    NOT NULL,
	user_agent      TEXT    NOT NULL,
	created_at      INTEGER NOT NULL,                     -- Unix milliseconds, as every time below
	last_seen_at    INTEGER NOT NULL,
	idle_timeout_ms INTEGER NOT NULL,
	expires_at      INTEGER NOT NULL,
	deadline        INTEGER NOT NULL                      -- min(last_seen_at + idle_timeout_ms, expires_at)
) STRICT;
-- List reads a user's sessions newest first; DeleteAll finds them.
CREATE INDEX sessions_subject ON sessions (subject, created_at);
-- DeleteExpired.
CREATE INDEX sessions_deadline ON sessions (deadline);
`,
}

// OpenSessions opens the session database at path, creating it (mode 0600) and its directory
// (mode 0700) when missing, and brings its schema up to date. Writers wait up to 10 seconds
// for each other. Commits are synced to disk before they return (synchronous FULL), so a
// logout is not undone by a crash or power loss.
func OpenSessions(ctx context.Context, path string) (*SessionStore, error) {
	db, err := openFile(ctx, path, schema{what: "session database", table: "session_migrations",
		migrations: sessionMigrations, synchronous: "FULL"})
	if err != nil {
		return nil, err
	}
	find, err := db.PrepareContext(ctx, `SELECT `+sessionColumns+` FROM sessions
WHERE id = ? AND subject = ? AND deadline > ?`)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open session database %s: prepare: %w", path, err)
	}
	return &SessionStore{db: db, find: find, now: time.Now}, nil
}

const sessionColumns = `id, subject, username, roles, mfa, ip, user_agent, created_at, last_seen_at, idle_timeout_ms, expires_at`

// Create stores a new session. A user agent longer than session.MaxUserAgent is cut to it, at
// a character boundary. A session whose deadline has passed is stored but never shown. A
// taken ID is an error.
func (st *SessionStore) Create(ctx context.Context, s *session.Session) error {
	roles, err := encodeRoles(s.Roles)
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	lastSeen, idle, expires := s.LastSeenAt.UnixMilli(), s.IdleTimeout.Milliseconds(), s.ExpiresAt.UnixMilli()
	_, err = st.db.ExecContext(ctx, `INSERT INTO sessions (`+sessionColumns+`, deadline) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.ID, s.Subject, s.Username, roles, s.MFA, s.IP, truncateUserAgent(s.UserAgent),
		s.CreatedAt.UnixMilli(), lastSeen, idle, expires, min(lastSeen+idle, expires))
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// Find returns the live session with the ID and subject, or (nil, false, nil).
func (st *SessionStore) Find(ctx context.Context, subject, id string) (*session.Session, bool, error) {
	s, err := scanSession(st.find.QueryRowContext(ctx, id, subject, st.now().UnixMilli()))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("find session: %w", err)
	}
	return s, true, nil
}

// Touch sets LastSeenAt to at and moves the deadline to match, if the session is live both now
// and at `at`; an expired session is not revived.
func (st *SessionStore) Touch(ctx context.Context, subject, id string, at time.Time) error {
	a := at.UnixMilli()
	if _, err := st.db.ExecContext(ctx, `
UPDATE sessions SET last_seen_at = ?, deadline = min(? + idle_timeout_ms, expires_at)
WHERE id = ? AND subject = ? AND deadline > max(?, ?)`, a, a, id, subject, a, st.now().UnixMilli()); err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// Delete removes the session with the ID and subject, if there is one.
func (st *SessionStore) Delete(ctx context.Context, subject, id string) error {
	if _, err := st.db.ExecContext(ctx, `DELETE FROM sessions WHERE id = ? AND subject = ?`, id, subject); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// List returns the user's live sessions, the most recently created first.
func (st *SessionStore) List(ctx context.Context, subject string) ([]*session.Session, error) {
	rows, err := st.db.QueryContext(ctx, `SELECT `+sessionColumns+` FROM sessions
WHERE subject = ? AND deadline > ? ORDER BY created_at DESC, id`, subject, st.now().UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	defer rows.Close()
	var list []*session.Session
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, fmt.Errorf("list sessions: %w", err)
		}
		list = append(list, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	return list, nil
}

// DeleteAll removes every session of the user, expired ones too, and returns how many were
// live.
func (st *SessionStore) DeleteAll(ctx context.Context, subject string) (int, error) {
	tx, err := st.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("delete sessions: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE subject = ? AND deadline > ?`, subject, st.now().UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("delete sessions: %w", err)
	}
	live, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("delete sessions: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE subject = ?`, subject); err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("delete sessions: commit: %w", err)
	}
	return int(live), nil
}

// DeleteExpired removes every session that is no longer live at `before` (whose deadline is
// not after it) and returns how many it removed. The server runs it periodically.
func (st *SessionStore) DeleteExpired(ctx context.Context, before time.Time) (int, error) {
	res, err := st.db.ExecContext(ctx, `DELETE FROM sessions WHERE deadline <= ?`, before.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return int(n), nil
}

// Ping reports whether the database can be reached.
func (st *SessionStore) Ping(ctx context.Context) error {
	if err := st.db.PingContext(ctx); err != nil {
		return fmt.Errorf("ping session database: %w", err)
	}
	return nil
}

// Close closes the database.
func (st *SessionStore) Close() error { return errors.Join(st.find.Close(), st.db.Close()) }

// scanSession reads one row of sessionColumns. Times come back in UTC.
func scanSession(row interface{ Scan(...any) error }) (*session.Session, error) {
	var (
		s                                  session.Session
		roles                              string
		created, lastSeen, idle, expiresAt int64
	)
	if err := row.Scan(&s.ID, &s.Subject, &s.Username, &roles, &s.MFA, &s.IP, &s.UserAgent,
		&created, &lastSeen, &idle, &expiresAt); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(roles), &s.Roles); err != nil {
		return nil, fmt.Errorf("decode roles of session %q: %w", s.ID, err)
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = fromMillis(created), fromMillis(lastSeen), fromMillis(expiresAt)
	s.IdleTimeout = time.Duration(idle) * time.Millisecond
	return &s, nil
}

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// truncateUserAgent cuts ua to session.MaxUserAgent bytes without splitting a character.
func truncateUserAgent(ua string) string {
	if len(ua) <= session.MaxUserAgent {
		return ua
	}
	i := session.MaxUserAgent
	for i > 0 && !utf8.RuneStart(ua[i]) {
		i--
	}
	return ua[:i]
}
