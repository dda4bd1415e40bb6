// Package sqlite keeps authgate's embedded stores in SQLite files (modernc.org/sqlite, no cgo): the identity store, and for a single instance the session store, revocation list and failure counts.
package sqlite
