// Package postgres is the identity.Store on PostgreSQL, shared by every instance of the service.
package postgres
