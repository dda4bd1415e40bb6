package redis

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/rueidis"

	"github.com/authgate/authgate/session"
)

var _ session.Store = (*SessionStore)(nil)

// SessionStore is the session.Store on Redis. Per session it keeps a record, a compact binary
// string (codec.go), under <prefix>s:{<subject>}:<id>, and in the user's index <prefix>u:{<subject>},
// a sorted set, the session's ID scored by its deadline. The {subject} hash tag puts a user's
// keys in one slot, so every change is one atomic script (scripts.go), on a Cluster too. Both
// keys expire at the deadline: the record at its own, the index at its last member's.
//
// Find reads through the Client's freshness gate: from the local cache when the invalidation
// stream is confirmed current, so a Find may see a write up to the staleness bound D late;
// Delete and DeleteAll return only after D, so a Find that starts after they returned, on any
// instance, never finds the session (gate.go).
type SessionStore struct {
	c      *Client
	prefix string
	now    func() time.Time
	memo   decodeMemo
}

// SessionOption configures a SessionStore.
type SessionOption func(*SessionStore)

// WithKeyPrefix sets the prefix of every key (default "ag:").
func WithKeyPrefix(p string) SessionOption { return func(s *SessionStore) { s.prefix = p } }

// WithClock sets the time source that decides which sessions are live (default time.Now).
// Redis expires keys by its own clock.
func WithClock(now func() time.Time) SessionOption { return func(s *SessionStore) { s.now = now } }

// NewSessionStore returns the session store on c. Closing the store does not close c.
func NewSessionStore(c *Client, opts ...SessionOption) *SessionStore {
	s := &SessionStore{c: c, prefix: "ag:", now: time.Now}
	for _, o := range opts {
		o(s)
	}
	return s
}

// validSubject reports whether subject can be a hash tag: not empty and without braces.
func validSubject(subject string) bool {
	return subject != "" && !strings.ContainsAny(subject, "{}")
}

func (s *SessionStore) recordPrefix(subject string) string  { return s.prefix + "s:{" + subject + "}:" }
func (s *SessionStore) recordKey(subject, id string) string { return s.recordPrefix(subject) + id }
func (s *SessionStore) indexKey(subject string) string      { return s.prefix + "u:{" + subject + "}" }

func ms(v int64) string { return strconv.FormatInt(v, 10) }

// Create stores the session and adds it to its user's index, atomically. A session already
// dead at the store's clock is not stored (Find would never show it). If the write is not
// replicated in time (ErrNotReplicated) it is undone.
func (s *SessionStore) Create(ctx context.Context, sess *session.Session) error {
	if sess == nil || sess.ID == "" || !validSubject(sess.Subject) {
		return fmt.Errorf("%w: a session needs an ID and a subject without braces", ErrInvalidSession)
	}
	rec := encodeSession(sess)
	now := s.now().UnixMilli()
	if rec.deadline() <= now {
		return nil
	}
	keys := []string{s.recordKey(sess.Subject, sess.ID), s.indexKey(sess.Subject)}
	_, err := s.c.eval(ctx, createScript, true, keys, string(rec.data), ms(rec.deadline()), sess.ID, ms(now))
	if errors.Is(err, ErrNotReplicated) {
		// The master has it, no replica does: take it back (best effort), so that a session
		// whose creation failed does not linger in the user's list.
		_, _ = s.c.eval(ctx, deleteScript, false, keys, sess.ID, ms(now))
	}
	if err != nil {
		return fmt.Errorf("redis: create session: %w", err)
	}
	return nil
}

// Find returns the live session with the subject and ID, from the local cache when the gate
// allows it.
func (s *SessionStore) Find(ctx context.Context, subject, id string) (*session.Session, bool, error) {
	if id == "" || !validSubject(subject) {
		return nil, false, nil
	}
	data, err := s.c.Read(ctx, s.c.B().Get().Key(s.recordKey(subject, id)).Cache()).ToString()
	if rueidis.IsRedisNil(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("redis: find session: %w", err)
	}
	sess, err := s.memo.decode(subject, id, data)
	if err != nil {
		return nil, false, err
	}
	if !sess.Live(s.now()) {
		return nil, false, nil
	}
	return sess, true, nil
}

// decodeMemo keeps sessions already decoded, by their exact record: a cached Find of a hot
// session costs a map lookup instead of a decode and a dozen allocations. A record that
// changes (a touch, a renewal) is a new key; the memo is emptied when it fills.
type decodeMemo struct {
	mu sync.RWMutex
	m  map[memoKey]*session.Session
}

type memoKey struct{ subject, id, data string }

const maxMemo = 1 << 14

func (d *decodeMemo) decode(subject, id, data string) (*session.Session, error) {
	k := memoKey{subject, id, data}
	d.mu.RLock()
	sess, ok := d.m[k]
	d.mu.RUnlock()
	if ok {
		return sess, nil
	}
	sess, err := decodeSession(subject, id, []byte(data))
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	if d.m == nil || len(d.m) >= maxMemo {
		d.m = make(map[memoKey]*session.Session)
	}
	d.m[k] = sess
	d.mu.Unlock()
	return sess, nil
}

// Touch sets LastSeenAt to at and moves the record's and the index's expiry to the new
// deadline. A missing or dead session stays so.
func (s *SessionStore) Touch(ctx context.Context, subject, id string, at time.Time) error {
	if id == "" || !validSubject(subject) {
		return nil
	}
	_, err := s.c.eval(ctx, touchScript, false,
		[]string{s.recordKey(subject, id), s.indexKey(subject)},
		ms(clamp48(at.UnixMilli())), ms(s.now().UnixMilli()), id)
	if err != nil {
		return fmt.Errorf("redis: touch session: %w", err)
	}
	return nil
}

// Delete ends one session: record and index entry at once. It returns once no instance's
// cache can still show the session (the staleness bound after Redis applied it).
func (s *SessionStore) Delete(ctx context.Context, subject, id string) error {
	if id == "" || !validSubject(subject) {
		return nil
	}
	_, err := s.c.eval(ctx, deleteScript, true,
		[]string{s.recordKey(subject, id), s.indexKey(subject)}, id, ms(s.now().UnixMilli()))
	if err != nil {
		return fmt.Errorf("redis: delete session: %w", err)
	}
	if err := s.c.waitOut(ctx, time.Now()); err != nil {
		return fmt.Errorf("redis: delete session: %w", err)
	}
	return nil
}

// DeleteAll ends every session of the user at once and returns how many were live. Like
// Delete, it returns once no cache can still show them.
func (s *SessionStore) DeleteAll(ctx context.Context, subject string) (int, error) {
	if !validSubject(subject) {
		return 0, nil
	}
	msg, err := s.c.eval(ctx, deleteAllScript, true, []string{s.indexKey(subject)}, s.recordPrefix(subject))
	if err != nil {
		return 0, fmt.Errorf("redis: delete sessions: %w", err)
	}
	acked := time.Now()
	n, err := msg.AsInt64()
	if err != nil {
		return 0, fmt.Errorf("redis: delete sessions: %w", err)
	}
	if err := s.c.waitOut(ctx, acked); err != nil {
		return 0, fmt.Errorf("redis: delete sessions: %w", err)
	}
	return int(n), nil
}

// List returns the user's live sessions, newest first: the index's live members, then their
// records in one MGET (they share the hash slot). Uncached, as it is rare.
func (s *SessionStore) List(ctx context.Context, subject string) ([]*session.Session, error) {
	if !validSubject(subject) {
		return nil, nil
	}
	now := s.now()
	ids, err := s.c.Do(ctx, s.c.B().Zrange().Key(s.indexKey(subject)).
		Min("("+ms(now.UnixMilli())).Max("+inf").Byscore().Build()).AsStrSlice()
	if err != nil {
		return nil, fmt.Errorf("redis: list sessions: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = s.recordKey(subject, id)
	}
	vals, err := s.c.Do(ctx, s.c.B().Mget().Key(keys...).Build()).ToArray()
	if err != nil || len(vals) != len(ids) {
		return nil, fmt.Errorf("redis: list sessions: %d of %d records, %w", len(vals), len(ids), err)
	}
	out := make([]*session.Session, 0, len(ids))
	for i, v := range vals {
		if v.IsNil() {
			continue // ended since the index was read
		}
		data, err := v.AsBytes()
		if err != nil {
			return nil, fmt.Errorf("redis: list sessions: %w", err)
		}
		sess, err := decodeSession(subject, ids[i], data)
		if err != nil {
			return nil, err
		}
		if sess.Live(now) {
			out = append(out, sess)
		}
	}
	slices.SortFunc(out, func(a, b *session.Session) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

// Ping reports whether every node answers.
func (s *SessionStore) Ping(ctx context.Context) error { return s.c.Ping(ctx) }

// Close does nothing: the Client belongs to whoever opened it.
func (s *SessionStore) Close() error { return nil }
