package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/authgate/authgate/bench"
)

// benchCommand runs authgate bench: the measured comparison of the strategies.
func benchCommand(ctx context.Context, args []string, stdio IO) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stdio.Stderr)
	var (
		o          bench.Options
		out        string
		targets    stringList
		routes     string
		fromStdin  bool
		noRedisSet bool
	)
	fs.StringVar(&o.RedisURL, "redis", "", "Redis URL to measure against (default: a private redis-server if one is on PATH, else the embedded store)")
	fs.BoolVar(&noRedisSet, "no-redis", false, "use the embedded store even if redis-server is on PATH")
	fs.DurationVar(&o.Duration, "duration", bench.DefaultDuration, "time per HTTP measurement and side")
	fs.IntVar(&o.Concurrency, "concurrency", bench.DefaultConcurrency, "connections kept busy")
	fs.IntVar(&o.Revocations, "revocations", 0, "revocation rounds per kind (default: 1000 at 5s, scaled with --duration, at least 200)")
	fs.StringVar(&out, "out", "bench-results", "directory for results.md, results.json and latency.svg")
	fs.Var(&targets, "target", "base URL of a running instance to measure instead (repeatable: several instances of one deployment)")
	fs.StringVar(&o.Username, "user", "", "with --target: the user to log in as")
	fs.BoolVar(&fromStdin, "password-stdin", false, "with --target: read the user's password from standard input")
	fs.StringVar(&routes, "routes", "", "with --target: jwt=PATH,session=PATH,hybrid=PATH (default the demo routes)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return fmt.Errorf("%w: bench takes no arguments", errUsage)
	}
	o.NoRedis = noRedisSet
	if len(targets) > 0 {
		if o.RedisURL != "" || o.NoRedis {
			return fmt.Errorf("%w: --target measures a running deployment; --redis and --no-redis are for in-process runs", errUsage)
		}
		if o.Username == "" || !fromStdin {
			return fmt.Errorf("%w: --target needs --user NAME and --password-stdin", errUsage)
		}
		if o.Password, err = readPassword(stdio.Stdin); err != nil {
			return err
		}
		o.Targets = targets
		if o.Paths, err = parseRoutes(routes); err != nil {
			return err
		}
	} else if o.Username != "" || fromStdin || routes != "" {
		return fmt.Errorf("%w: --user, --password-stdin and --routes go with --target", errUsage)
	}
	o.Version = Version
	o.Progress = bench.NewProgress(stdio.Stderr)
	defer o.Progress.Close()

	started := time.Now()
	res, err := bench.Run(ctx, o)
	if err != nil {
		if errors.Is(err, bench.ErrInvalidOptions) {
			return fmt.Errorf("%w: %w", errUsage, err)
		}
		return fmt.Errorf("bench: %w", err)
	}
	if err := bench.WriteFiles(out, res); err != nil {
		return err
	}
	o.Progress.Close()
	fmt.Fprintf(stdio.Stdout, "authgate bench finished in %s: %s, %s, %s\n", time.Since(started).Round(100*time.Millisecond),
		filepath.Join(out, bench.MarkdownFile), filepath.Join(out, bench.JSONFile), filepath.Join(out, bench.SVGFile))
	for _, g := range res.Goals {
		fmt.Fprintf(stdio.Stdout, "  %s: %s: %s\n", g.Name, g.Verdict, g.Measured)
	}
	return nil
}

// parseRoutes reads jwt=PATH,session=PATH,hybrid=PATH; empty means the demo routes.
func parseRoutes(s string) (bench.Paths, error) {
	p := bench.DemoPaths
	if s == "" {
		return p, nil
	}
	for part := range strings.SplitSeq(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || !strings.HasPrefix(v, "/") {
			return p, fmt.Errorf("%w: --routes wants jwt=/path,session=/path,hybrid=/path, got %q", errUsage, part)
		}
		switch k {
		case "jwt":
			p.JWT = v
		case "session":
			p.Session = v
		case "hybrid":
			p.Hybrid = v
		default:
			return p, fmt.Errorf("%w: --routes: unknown strategy %q", errUsage, k)
		}
	}
	return p, nil
}
