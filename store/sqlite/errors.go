package sqlite

import "errors"

var (
	// ErrSchemaTooNew is returned by Open when the database was migrated by a newer version of
	// the program than this one, which does not know its schema.
	ErrSchemaTooNew = errors.New("database schema is newer than this program")
	// ErrInvalidPath is returned by Open for a path the driver cannot take as a file name.
	ErrInvalidPath = errors.New("invalid database path")
)
