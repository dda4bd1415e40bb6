// Package accounts creates, checks and ends user accounts: passwords, roles, disabling, and ending every credential of a user.
package accounts
