// Package app assembles one authgate instance from its configuration: stores, keys, strategies and the gateway.
package app
