package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/authgate/authgate/identity"
)

// AppendAudit stores the event and sets its ID.
func (s *Store) AppendAudit(ctx context.Context, e *identity.AuditEvent) error {
	detail := e.Detail
	if detail == nil {
		detail = map[string]string{}
	}
	err := s.pool.QueryRow(ctx, `INSERT INTO audit_log (at, kind, subject, username, ip, detail) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		e.At, e.Kind, e.Subject, e.Username, e.IP, detail).Scan(&e.ID)
	if err != nil {
		return fmt.Errorf("append audit event: %w", err)
	}
	return nil
}

// RecentAudit returns up to limit events, newest first, of the subject when it is set.
func (s *Store) RecentAudit(ctx context.Context, subject string, limit int) ([]*identity.AuditEvent, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, at, kind, subject, username, ip, detail FROM audit_log
		WHERE $1 = '' OR subject = $1 ORDER BY id DESC LIMIT $2`, subject, limit)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	events, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*identity.AuditEvent, error) {
		var e identity.AuditEvent
		if err := row.Scan(&e.ID, &e.At, &e.Kind, &e.Subject, &e.Username, &e.IP, &e.Detail); err != nil {
			return nil, err
		}
		e.At = e.At.UTC()
		return &e, nil
	})
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	return events, nil
}
