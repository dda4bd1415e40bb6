// Package policy holds the ordered route table: which strategy, roles and MFA each path requires, and where it goes.
package policy
