// Package session defines server-side login sessions, their IDs and lifetimes, and the store interface that keeps them.
package session
