// Package sqlite is the embedded identity.Store: one SQLite file, shared by the server and the CLI.
package sqlite
