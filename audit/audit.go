package audit

import (
	"context"
	"log/slog"
	"time"

	"github.com/authgate/authgate/identity"
)

// Event kinds.
const (
	Login           = "login"
	LoginFailed     = "login_failed"
	LoginLocked     = "login_locked"
	Logout          = "logout"
	LogoutAll       = "logout_all"
	SessionEnded    = "session_ended"
	RefreshReused   = "refresh_reused"
	MFAEnabled      = "mfa_enabled"
	MFADisabled     = "mfa_disabled"
	MFAVerified     = "mfa_verified"
	MFAFailed       = "mfa_failed"
	ForceLogout     = "force_logout"
	UserCreated     = "user_created"
	UserDisabled    = "user_disabled"
	UserEnabled     = "user_enabled"
	PasswordChanged = "password_changed"
)

// Recorder writes events to the store and the log. Recording never fails the action it
// records: a store failure is logged.
type Recorder struct {
	store identity.Audit
	log   *slog.Logger
	now   func() time.Time
}

// New returns a recorder.
func New(store identity.Audit, log *slog.Logger) *Recorder {
	return &Recorder{store: store, log: log, now: time.Now}
}

// Record stores one event. detail holds alternating keys and values; never pass secrets.
func (r *Recorder) Record(ctx context.Context, kind, subject, username, ip string, detail ...string) {
	e := &identity.AuditEvent{At: r.now().UTC(), Kind: kind, Subject: subject, Username: username, IP: ip}
	attrs := []any{"kind", kind, "subject", subject, "username", username, "ip", ip}
	if len(detail) > 0 {
		e.Detail = map[string]string{}
		for i := 0; i+1 < len(detail); i += 2 {
			e.Detail[detail[i]] = detail[i+1]
			attrs = append(attrs, detail[i], detail[i+1])
		}
	}
	r.log.InfoContext(ctx, "audit", attrs...)
	if err := r.store.AppendAudit(context.WithoutCancel(ctx), e); err != nil {
		r.log.WarnContext(ctx, "audit event not stored", "kind", kind, "err", err)
	}
}
