package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/authgate/authgate/config"
)

// storeFlags are the flags every command that touches a store shares.
type storeFlags struct {
	config, listen, dataDir, redis, database string
}

func (f *storeFlags) register(fs *flag.FlagSet, withListen bool) {
	fs.StringVar(&f.config, "config", "", "YAML configuration file (env AUTHGATE_CONFIG)")
	fs.StringVar(&f.dataDir, "data-dir", "", "directory of the embedded stores (env AUTHGATE_DATA_DIR)")
	fs.StringVar(&f.redis, "redis", "", "Redis URL for sessions and revocations (env AUTHGATE_REDIS_URL)")
	fs.StringVar(&f.database, "database", "", "postgres:// URL of the identity store (env AUTHGATE_DATABASE_URL)")
	if withListen {
		fs.StringVar(&f.listen, "listen", "", "address to serve on (env AUTHGATE_LISTEN)")
	}
}

// load builds the configuration: defaults, then the file, then environment variables, then
// flags, each overriding the one before; then validates it.
func (f *storeFlags) load() (config.Config, error) {
	path := first(f.config, os.Getenv("AUTHGATE_CONFIG"))
	cfg := config.Default()
	if path != "" {
		var err error
		if cfg, err = config.Load(path); err != nil {
			return cfg, err
		}
	}
	override := func(dst *string, flagValue, env string) {
		*dst = first(flagValue, os.Getenv(env), *dst)
	}
	override(&cfg.Listen, f.listen, "AUTHGATE_LISTEN")
	override(&cfg.DataDir, f.dataDir, "AUTHGATE_DATA_DIR")
	override(&cfg.Redis.URL, f.redis, "AUTHGATE_REDIS_URL")
	override(&cfg.Database.URL, f.database, "AUTHGATE_DATABASE_URL")
	if err := cfg.Validate(); err != nil {
		if path != "" {
			return cfg, fmt.Errorf("config %s: %w", path, err)
		}
		return cfg, err
	}
	return cfg, nil
}

// readPassword reads a password from stdin: the first line, without its line ending.
func readPassword(r io.Reader) (string, error) {
	data, err := io.ReadAll(io.LimitReader(r, 4096))
	if err != nil {
		return "", fmt.Errorf("read password from stdin: %w", err)
	}
	line := string(data)
	for i, c := range line {
		if c == '\n' || c == '\r' {
			line = line[:i]
			break
		}
	}
	if line == "" {
		return "", errors.New("no password on stdin")
	}
	return line, nil
}

func first(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
