package web

import (
	"embed"
	"html/template"
	"io/fs"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Templates are the parsed page templates, by file name.
var Templates = template.Must(template.ParseFS(templateFS, "templates/*.html"))

// Static is the file system of /auth/static/.
var Static, _ = fs.Sub(staticFS, "static")

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
