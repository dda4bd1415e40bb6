// Package authn answers "who is this request" with one Strategy per route: jwt, session or hybrid.
package authn
