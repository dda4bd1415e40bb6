package gateway

import (
	"net/http"
	"strings"
)

// whoamiBody is the answer of the built-in whoami upstream.
type whoamiBody struct {
	Route    string   `json:"route"`
	Strategy string   `json:"strategy"`
	Subject  string   `json:"subject"`
	Username string   `json:"username"`
	Roles    []string `json:"roles"`
	MFA      bool     `json:"mfa"`
}

// whoami is the built-in upstream: it echoes the identity headers authgate forwarded. It is
// served in-process, without a network hop.
func whoami(w http.ResponseWriter, r *http.Request) {
	h := r.Header
	roles := []string{}
	if v := h.Get(HeaderRoles); v != "" {
		roles = strings.Split(v, ",")
	}
	writeJSON(w, http.StatusOK, whoamiBody{
		Route:    h.Get(HeaderRoute),
		Strategy: h.Get(HeaderStrategy),
		Subject:  h.Get(HeaderSubject),
		Username: h.Get(HeaderUser),
		Roles:    roles,
		MFA:      h.Get(HeaderMFA) == "true",
	})
}
