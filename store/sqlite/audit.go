package sqlite

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/authgate/authgate/identity"
)

// AppendAudit stores the event and sets its ID.
func (s *Store) AppendAudit(ctx context.Context, e *identity.AuditEvent) error {
	detail, err := json.Marshal(nonNilDetail(e.Detail))
	if err != nil {
		return fmt.Errorf("encode audit detail: %w", err)
	}
	err = s.db.QueryRowContext(ctx, `INSERT INTO audit_log (at, kind, subject, username, ip, detail) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		toNanos(e.At), e.Kind, e.Subject, e.Username, e.IP, string(detail)).Scan(&e.ID)
	if err != nil {
		return fmt.Errorf("append audit event: %w", err)
	}
	return nil
}

// RecentAudit returns up to limit events, newest first, of the subject when it is set.
func (s *Store) RecentAudit(ctx context.Context, subject string, limit int) ([]*identity.AuditEvent, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, at, kind, subject, username, ip, detail FROM audit_log
		WHERE ?1 = '' OR subject = ?1 ORDER BY id DESC LIMIT ?2`, subject, limit)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	var events []*identity.AuditEvent
	for rows.Next() {
		var (
			e      identity.AuditEvent
			at     int64
			detail string
		)
		if err := rows.Scan(&e.ID, &at, &e.Kind, &e.Subject, &e.Username, &e.IP, &detail); err != nil {
			return nil, fmt.Errorf("read audit log: %w", err)
		}
		e.At = fromNanos(at)
		if err := json.Unmarshal([]byte(detail), &e.Detail); err != nil {
			return nil, fmt.Errorf("decode audit detail %d: %w", e.ID, err)
		}
		events = append(events, &e)
	}
	return events, rows.Err()
}

func nonNilDetail(d map[string]string) map[string]string {
	if d == nil {
		return map[string]string{}
	}
	return d
}
