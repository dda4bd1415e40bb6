package postgres

import "errors"

// ErrSchemaTooNew is returned by Open when the database was migrated by a newer version of the
// program than this one, which does not know its schema.
var ErrSchemaTooNew = errors.New("database schema is newer than this program")
