// Package config loads, defaults and validates the authgate configuration file.
package config
