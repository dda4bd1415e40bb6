package web

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"time"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// funcs are the helpers templates may call.
var funcs = template.FuncMap{
	// when formats a time for people: "2 Jan 2026, 15:04 UTC".
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2 Jan 2006, 15:04 UTC")
	},
	// iso formats a time for the datetime attribute of <time>.
	"iso": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	// dict builds the argument of a shared template from alternating keys and values.
	"dict": func(kv ...any) (map[string]any, error) {
		if len(kv)%2 != 0 {
			return nil, errors.New("dict needs key and value pairs")
		}
		m := make(map[string]any, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			k, ok := kv[i].(string)
			if !ok {
				return nil, fmt.Errorf("dict key %v is not a string", kv[i])
			}
			m[k] = kv[i+1]
		}
		return m, nil
	},
}

// Templates are the parsed page templates, by file name.
var Templates = template.Must(template.New("").Funcs(funcs).ParseFS(templateFS, "templates/*.html"))

// Static is the file system of /auth/static/.
var Static, _ = fs.Sub(staticFS, "static")

// Frame is what the layout around every page shows.
type Frame struct {
	Title string
	// User is the signed-in username; empty hides the navigation.
	User string
	// Admin adds the admin link to the navigation.
	Admin bool
	// Section marks the current navigation entry: "account", "mfa" or "admin".
	Section string
	// Notice is a success message, Error a failure message. Both are fixed texts chosen by
	// the server, never echoed input.
	Notice string
	Error  string
	// Narrow centres a single form or message in a card-sized column.
	Narrow bool
}

// LoginPage is the data of the login page.
type LoginPage struct {
	// Redirect is where to go after logging in; already checked to be same-origin.
	Redirect string
	Username string
	// Error is a generic message that never says whether the user exists.
	Error string
	// NeedTOTP shows the one-time code field.
	NeedTOTP bool
}

// Frame is the login page's frame: no navigation, a narrow column.
func (LoginPage) Frame() Frame { return Frame{Title: "Sign in", Narrow: true} }

// Session is one row of a session list.
type Session struct {
	// ID is the session's handle (never the cookie value); it names the session in forms.
	ID string
	// Device summarises the user agent for a person ("Firefox on Windows"); UserAgent is the
	// full string.
	Device    string
	UserAgent string
	IP        string
	CreatedAt time.Time
	LastSeen  time.Time
	ExpiresAt time.Time
	// Current marks the session of the request.
	Current bool
}

// AccountPage is "My sessions".
type AccountPage struct {
	Frame
	Sessions []Session
	// MFA reports whether the account has a second factor.
	MFA bool
}

// MFAPage is the TOTP enrollment page.
type MFAPage struct {
	Frame
	// Enabled reports a confirmed second factor; a new enrollment then needs the password.
	Enabled bool
	// Pending shows the QR code, the secret and the confirmation form.
	Pending bool
	// Secret is the pending secret, for entering by hand.
	Secret  string
	Issuer  string
	Account string
}

// VerifyPage is the step-up page.
type VerifyPage struct {
	Frame
	// Redirect is where to go after verifying; already checked to be same-origin.
	Redirect string
	// MFAEnabled is false for an account without a second factor to verify.
	MFAEnabled bool
	// Verified reports that this session has done MFA already.
	Verified bool
}

// User is one account as the admin pages show it.
type User struct {
	Username  string
	Roles     []string
	MFA       bool
	Disabled  bool
	CreatedAt time.Time
	// Self marks the admin's own account, which the page does not offer to disable.
	Self bool
}

// AuditEvent is one row of an audit log table.
type AuditEvent struct {
	At time.Time
	// Kind is the event kind ("login_failed"), Label its human name ("Login failed").
	Kind     string
	Label    string
	Username string
	IP       string
	// Detail is the event's facts as "key: value" strings, sorted.
	Detail []string
	// Warn marks failures and lockouts.
	Warn bool
}

// AdminPage is the admin overview.
type AdminPage struct {
	Frame
	Users []User
	Audit []AuditEvent
}

// AdminUserPage shows one user to an admin.
type AdminUserPage struct {
	Frame
	User     User
	Sessions []Session
	Audit    []AuditEvent
}

// ErrorPage explains why a page cannot be shown.
type ErrorPage struct {
	Frame
	Status  int
	Message string
	// Link, when set, is the one thing to do next, with LinkText naming it.
	Link     string
	LinkText string
}
