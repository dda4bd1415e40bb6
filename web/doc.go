// Package web holds authgate's HTML templates and static files, embedded in the binary.
package web
