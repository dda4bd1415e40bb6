package gateway

import (
	"net/http"
	"time"

	"github.com/authgate/authgate/audit"
	"github.com/authgate/authgate/authn"
	"github.com/authgate/authgate/policy"
)

// adminRoute is the policy every admin endpoint enforces: role admin and MFA done.
var adminRoute = &policy.Route{Name: "admin-api", Roles: []string{"admin"}, MFA: true}

type adminUser struct {
	Subject   string    `json:"subject"`
	Username  string    `json:"username"`
	Roles     []string  `json:"roles"`
	Disabled  bool      `json:"disabled"`
	MFA       bool      `json:"mfa"`
	CreatedAt time.Time `json:"created_at"`
}

// admin wraps a handler so only an authenticated admin with MFA reaches it.
func (s *Server) admin(h func(http.ResponseWriter, *http.Request, *authn.Principal)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, bearer, err := s.authenticate(r)
		if err == nil {
			err = adminRoute.Authorize(p)
		}
		if err != nil {
			s.fail(w, r, err, bearer)
			return
		}
		h(w, r, p)
	}
}

type auditView struct {
	At       time.Time         `json:"at"`
	Kind     string            `json:"kind"`
	Subject  string            `json:"subject"`
	Username string            `json:"username"`
	IP       string            `json:"ip"`
	Detail   map[string]string `json:"detail,omitempty"`
}

// handleAdminAudit lists recent audit events, of one user with ?user=NAME.
func (s *Server) handleAdminAudit(w http.ResponseWriter, r *http.Request, _ *authn.Principal) {
	subject := ""
	if name := r.URL.Query().Get("user"); name != "" {
		u, err := s.opts.Accounts.User(r.Context(), name)
		if err != nil {
			s.fail(w, r, err, false)
			return
		}
		subject = u.Subject
	}
	events, err := s.opts.Accounts.RecentAudit(r.Context(), subject, 200)
	if err != nil {
		s.fail(w, r, err, false)
		return
	}
	out := make([]auditView, 0, len(events))
	for _, e := range events {
		out = append(out, auditView{At: e.At, Kind: e.Kind, Subject: e.Subject, Username: e.Username, IP: e.IP, Detail: e.Detail})
	}
	writeJSON(w, http.StatusOK, map[string][]auditView{"events": out})
}

func (s *Server) handleAdminUsers(w http.ResponseWriter, r *http.Request, _ *authn.Principal) {
	users, err := s.opts.Accounts.List(r.Context())
	if err != nil {
		s.fail(w, r, err, false)
		return
	}
	out := make([]adminUser, 0, len(users))
	for _, u := range users {
		out = append(out, adminUser{Subject: u.Subject, Username: u.Username, Roles: nonNil(u.Roles),
			Disabled: u.Disabled, MFA: u.TOTPSecret != "", CreatedAt: u.CreatedAt})
	}
	writeJSON(w, http.StatusOK, map[string][]adminUser{"users": out})
}

func (s *Server) handleAdminUserSessions(w http.ResponseWriter, r *http.Request, _ *authn.Principal) {
	u, err := s.opts.Accounts.User(r.Context(), r.PathValue("username"))
	if err != nil {
		s.fail(w, r, err, false)
		return
	}
	list, err := s.opts.Sessions.List(r.Context(), u.Subject)
	if err != nil {
		s.fail(w, r, sessionStoreError(err), false)
		return
	}
	writeJSON(w, http.StatusOK, map[string][]sessionView{"sessions": viewSessions(list, nil)})
}

// handleAdminLogoutAll ends every credential of a user, on every instance.
func (s *Server) handleAdminLogoutAll(w http.ResponseWriter, r *http.Request, admin *authn.Principal) {
	u, err := s.opts.Accounts.User(r.Context(), r.PathValue("username"))
	if err != nil {
		s.fail(w, r, err, false)
		return
	}
	if err := s.opts.Accounts.EndAll(r.Context(), u.Subject); err != nil {
		s.fail(w, r, sessionStoreError(err), false)
		return
	}
	s.audit.Record(r.Context(), audit.ForceLogout, u.Subject, u.Username, s.opts.Proxies.ClientIP(r), "admin", admin.Username)
	w.WriteHeader(http.StatusNoContent)
}
