package gateway

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/authgate/authgate/audit"
	"github.com/authgate/authgate/authn"
	"github.com/authgate/authgate/identity"
	"github.com/authgate/authgate/web"
)

// auditPageSize is how many audit events the admin pages show.
const auditPageSize = 50

// errDisableSelf refuses an admin disabling their own account, which would lock them out
// mid-action and could leave no admin at all.
var errDisableSelf = &requestError{status: http.StatusConflict, code: "cannot_disable_self",
	message: "You cannot disable your own account."}

// adminPage wraps a page handler so only an admin with MFA in this session reaches it: the
// policy of the admin API (adminRoute). Others get the login page, or a 403 page.
func (s *Server) adminPage(h func(http.ResponseWriter, *http.Request, *authn.Principal)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := s.pagePrincipal(r)
		if err == nil {
			err = adminRoute.Authorize(p)
		}
		if err != nil {
			s.failPage(w, r, p, err)
			return
		}
		h(w, r, p)
	}
}

// handleAdminPage lists the users, with their actions, and the recent audit log.
func (s *Server) handleAdminPage(w http.ResponseWriter, r *http.Request, admin *authn.Principal) {
	users, err := s.opts.Accounts.List(r.Context())
	if err != nil {
		s.failPage(w, r, admin, err)
		return
	}
	events, err := s.opts.Accounts.RecentAudit(r.Context(), "", auditPageSize)
	if err != nil {
		s.failPage(w, r, admin, err)
		return
	}
	page := web.AdminPage{Frame: frame(admin, "Administration", "admin"), Audit: auditRows(events)}
	q := r.URL.Query()
	for _, u := range users {
		page.Users = append(page.Users, pageUser(u, admin))
		if u.Username == q.Get("user") {
			page.Notice = noticeText(q.Get("notice"), u.Username)
		}
	}
	s.renderPage(w, r, http.StatusOK, "admin.html", page)
}

// handleAdminUserPage shows one user: the account, its sessions and its recent audit events.
func (s *Server) handleAdminUserPage(w http.ResponseWriter, r *http.Request, admin *authn.Principal) {
	u, err := s.opts.Accounts.User(r.Context(), r.PathValue("username"))
	if err != nil {
		if errors.Is(err, identity.ErrNotFound) {
			s.renderError(w, r, admin, http.StatusNotFound, "There is no user with that name.")
			return
		}
		s.failPage(w, r, admin, err)
		return
	}
	list, err := s.opts.Sessions.List(r.Context(), u.Subject)
	if err != nil {
		s.failPage(w, r, admin, sessionStoreError(err))
		return
	}
	events, err := s.opts.Accounts.RecentAudit(r.Context(), u.Subject, auditPageSize)
	if err != nil {
		s.failPage(w, r, admin, err)
		return
	}
	page := web.AdminUserPage{Frame: frame(admin, u.Username, "admin"), User: pageUser(u, admin),
		Sessions: sessionRows(list, nil), Audit: auditRows(events)}
	page.Notice = noticeText(r.URL.Query().Get("notice"), u.Username)
	s.renderPage(w, r, http.StatusOK, "admin_user.html", page)
}

// handleAdminForceLogoutForm is the page's "Force logout": POST .../logout-all, then back.
func (s *Server) handleAdminForceLogoutForm() http.HandlerFunc {
	return s.formAction(s.admin(s.handleAdminLogoutAll), "/auth/admin", adminNext("force-logout"))
}

// handleAdminSetDisabled disables or enables a user. A JSON call gets 204; a form post from
// the admin pages goes back to the page it came from.
func (s *Server) handleAdminSetDisabled(disabled bool) http.HandlerFunc {
	kind, notice := audit.UserEnabled, "enabled"
	if disabled {
		kind, notice = audit.UserDisabled, "disabled"
	}
	api := s.admin(func(w http.ResponseWriter, r *http.Request, admin *authn.Principal) {
		ctx := r.Context()
		u, err := s.opts.Accounts.User(ctx, r.PathValue("username"))
		if err != nil {
			s.fail(w, r, err, false)
			return
		}
		if disabled && u.Subject == admin.Subject {
			s.fail(w, r, errDisableSelf, false)
			return
		}
		if err := s.opts.Accounts.SetDisabled(ctx, u.Username, disabled); err != nil {
			if !errors.Is(err, identity.ErrNotFound) {
				err = sessionStoreError(err)
			}
			s.fail(w, r, err, false)
			return
		}
		s.audit.Record(ctx, kind, u.Subject, u.Username, s.opts.Proxies.ClientIP(r), "admin", admin.Username)
		w.WriteHeader(http.StatusNoContent)
	})
	return formOrJSON(s.formAction(api, "/auth/admin", adminNext(notice)), api)
}

// adminNext is where an admin form goes back to: the user's page when the form says
// back=user, the admin overview otherwise, with the notice about the user.
func adminNext(notice string) func(*http.Request) string {
	return func(r *http.Request) string {
		name := r.PathValue("username")
		if r.PostForm.Get("back") == "user" {
			return "/auth/admin/users/" + url.PathEscape(name) + "?notice=" + notice
		}
		return "/auth/admin?" + url.Values{"notice": {notice}, "user": {name}}.Encode()
	}
}

// pageUser is a user as the admin pages show it; admin marks the viewer's own account.
func pageUser(u *identity.User, admin *authn.Principal) web.User {
	return web.User{Username: u.Username, Roles: nonNil(u.Roles), MFA: u.TOTPSecret != "", Disabled: u.Disabled,
		CreatedAt: u.CreatedAt, Self: admin != nil && admin.Subject == u.Subject}
}
