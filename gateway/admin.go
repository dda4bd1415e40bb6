package gateway

import (
	"net/http"
	"time"

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
	s.log.InfoContext(r.Context(), "force logout", "admin", admin.Subject, "subject", u.Subject)
	w.WriteHeader(http.StatusNoContent)
}
