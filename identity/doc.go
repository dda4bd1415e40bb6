// Package identity defines users, signing keys and refresh-token families, and the store interfaces that keep them.
package identity
