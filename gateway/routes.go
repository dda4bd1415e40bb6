package gateway

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/authgate/authgate/web"
)

// ownRoutes registers authgate's endpoints. Each path answers a JSON 405 to methods it does not
// serve, and unknown paths under /auth/ a JSON 404.
func (s *Server) ownRoutes() *http.ServeMux {
	mux := http.NewServeMux()
	allowed := map[string][]string{}
	handle := func(method, path string, h http.HandlerFunc) {
		mux.HandleFunc(method+" "+path, h)
		if _, seen := allowed[path]; !seen {
			mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
				for _, m := range allowed[path] {
					w.Header().Add("Allow", m)
				}
				writeJSON(w, http.StatusMethodNotAllowed, errorBody{Error: "method_not_allowed", Message: "This endpoint does not accept " + r.Method + "."})
			})
		}
		allowed[path] = append(allowed[path], method)
	}
	handle("POST", "/auth/token", s.handleToken)
	handle("POST", "/auth/token/refresh", s.handleRefresh)
	handle("GET", "/auth/me", s.handleMe)
	handle("POST", "/auth/logout", s.handleLogout)
	handle("POST", "/auth/logout-all", s.handleLogoutAll)

	handle("GET", "/auth/login", s.handleLoginPage)
	handle("POST", "/auth/login", s.handleLogin)
	handle("GET", "/auth/sessions", s.handleSessions)
	handle("DELETE", "/auth/sessions/{id}", s.handleDeleteSession)
	handle("GET", "/auth/admin/users", s.admin(s.handleAdminUsers))
	handle("GET", "/auth/admin/users/{username}/sessions", s.admin(s.handleAdminUserSessions))
	handle("POST", "/auth/admin/users/{username}/logout-all", s.admin(s.handleAdminLogoutAll))
	handle("GET", "/auth/admin/audit", s.admin(s.handleAdminAudit))
	mux.Handle("GET /auth/static/", http.StripPrefix("/auth/static/", http.FileServerFS(web.Static)))

	handle("POST", "/auth/mfa/totp/enroll", s.handleTOTPEnroll)
	handle("GET", "/auth/mfa/totp/qr.png", s.handleTOTPQR)
	handle("POST", "/auth/mfa/totp/confirm", s.handleTOTPConfirm)
	handle("DELETE", "/auth/mfa/totp", s.handleTOTPDisable)
	handle("POST", "/auth/mfa/verify", s.handleMFAVerify)

	// Web pages: plain HTML forms whose posts run through the JSON endpoints above.
	handle("GET", "/auth/account", s.handleAccountPage)
	handle("POST", "/auth/account/sessions/{id}/end", s.handleEndSessionForm())
	handle("POST", "/auth/account/logout", s.handleLogoutForm())
	handle("POST", "/auth/account/logout-all", s.handleLogoutAllForm())
	handle("GET", "/auth/account/mfa", s.handleMFAPage)
	handle("POST", "/auth/account/mfa/enroll", s.handleMFAEnrollForm)
	handle("POST", "/auth/account/mfa/confirm", s.handleMFAConfirmForm)
	handle("POST", "/auth/account/mfa/disable", s.handleMFADisableForm)
	handle("GET", "/auth/account/verify", s.handleVerifyPage)
	handle("POST", "/auth/account/verify", s.handleVerifyForm)
	handle("GET", "/auth/admin", s.adminPage(s.handleAdminPage))
	handle("GET", "/auth/admin/users/{username}", s.adminPage(s.handleAdminUserPage))
	handle("POST", "/auth/admin/users/{username}/force-logout", s.handleAdminForceLogoutForm())
	handle("POST", "/auth/admin/users/{username}/disable", s.handleAdminSetDisabled(true))
	handle("POST", "/auth/admin/users/{username}/enable", s.handleAdminSetDisabled(false))

	handle("GET", "/auth/verify", s.handleVerify)
	handle("HEAD", "/auth/verify", s.handleVerify)

	handle("GET", "/.well-known/jwks.json", s.handleJWKS)
	handle("GET", "/healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	handle("GET", "/readyz", s.handleReady)
	metricsHandler := promhttp.HandlerFor(s.opts.Registry, promhttp.HandlerOpts{})
	handle("GET", "/metrics", metricsHandler.ServeHTTP)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { s.fail(w, r, errNotFound, false) })
	return mux
}

func (s *Server) handleJWKS(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	// Short enough that verifiers see a rotation quickly; they refetch on an unknown kid anyway.
	h.Set("Cache-Control", "public, max-age=60")
	_, _ = w.Write(s.opts.Keys.JWKS())
}

func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	status, checks := http.StatusOK, map[string]string{}
	for _, c := range s.opts.Ready {
		if err := c.Check(ctx); err != nil {
			status, checks[c.Name] = http.StatusServiceUnavailable, "unreachable"
			s.log.WarnContext(ctx, "readiness check failed", "check", c.Name, "err", err)
			continue
		}
		checks[c.Name] = "ok"
	}
	body := map[string]any{"status": "ok", "checks": checks}
	if status != http.StatusOK {
		body["status"] = "unavailable"
	}
	writeJSON(w, status, body)
}
