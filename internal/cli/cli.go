package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// Version is set at build time with -ldflags "-X github.com/authgate/authgate/internal/cli.Version=...".
var Version = "dev"

// IO is where a command reads and writes.
type IO struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
}

// errUsage marks a command-line mistake: exit status 2 after the usage text.
var errUsage = errors.New("usage")

const usage = `authgate: one gateway for JWT, Redis-session and hybrid authentication, chosen per route.

Usage:
  authgate serve [--config FILE] [--listen ADDR] [--data-dir DIR] [--redis URL] [--database URL]
  authgate user add NAME [--role ROLE]... --password-stdin
  authgate user list
  authgate user passwd NAME --password-stdin
  authgate user disable NAME | user enable NAME
  authgate keys list | keys rotate
  authgate config check FILE
  authgate bench [--redis URL | --no-redis] [--duration D] [--concurrency N] [--revocations N] [--out DIR]
  authgate bench --target URL [--target URL]... --user NAME --password-stdin [--routes jwt=P,session=P,hybrid=P]
  authgate version

User and key commands take the same store flags as serve and act on a running deployment.
Every flag also reads an environment variable: AUTHGATE_CONFIG, AUTHGATE_LISTEN,
AUTHGATE_DATA_DIR, AUTHGATE_REDIS_URL, AUTHGATE_DATABASE_URL.
`

// Main runs the command line and returns the process exit status.
func Main(ctx context.Context, args []string, stdio IO) int {
	err := run(ctx, args, stdio)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stdio.Stderr, "%v\n\n%s", err, usage)
		return 2
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdio.Stdout, usage)
		return 0
	default:
		fmt.Fprintf(stdio.Stderr, "authgate: %v\n", err)
		return 1
	}
}

func run(ctx context.Context, args []string, stdio IO) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: no command given", errUsage)
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, rest, stdio)
	case "user":
		return userCommand(ctx, rest, stdio)
	case "keys":
		return keysCommand(ctx, rest, stdio)
	case "config":
		return configCommand(rest, stdio)
	case "bench":
		return benchCommand(ctx, rest, stdio)
	case "version", "--version":
		fmt.Fprintf(stdio.Stdout, "authgate %s\n", Version)
		return nil
	case "help", "-h", "--help":
		return flag.ErrHelp
	default:
		return fmt.Errorf("%w: unknown command %q", errUsage, cmd)
	}
}

// parseInterleaved parses flags that may come before, between or after positional arguments,
// and returns the positional ones.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %w", errUsage, err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }
