package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authgate/authgate/bench"
)

// TestBenchCommand runs a short authgate bench end to end: a private redis-server from PATH,
// the production password hasher, the three files written.
func TestBenchCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := runCLI(t, "", "bench", "--duration", "200ms", "--concurrency", "4", "--revocations", "20", "--out", out)
	if code != 0 {
		t.Fatalf("bench: %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "results.md") || !strings.Contains(stdout, "revocation enforced within D") {
		t.Errorf("stdout: %q", stdout)
	}
	if !strings.Contains(stderr, "measure jwt") || !strings.Contains(stderr, "scaling") {
		t.Errorf("no progress on stderr: %q", stderr)
	}
	data, err := os.ReadFile(filepath.Join(out, bench.JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	var res bench.Result
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatalf("results.json: %v", err)
	}
	if res.Setup.Store != "redis" || !strings.Contains(res.Setup.Hasher, "production") || res.Login == nil {
		t.Errorf("setup %+v, login %+v", res.Setup, res.Login)
	}
	md, err := os.ReadFile(filepath.Join(out, bench.MarkdownFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range bench.GuideRows {
		if !strings.Contains(string(md), row.Name) {
			t.Errorf("results.md lacks %q", row.Name)
		}
	}
	svg, err := os.ReadFile(filepath.Join(out, bench.SVGFile))
	if err != nil || !strings.HasPrefix(string(svg), "<svg") {
		t.Errorf("latency.svg: %v %.40q", err, svg)
	}
}

func TestBenchCommandUsage(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"argument", []string{"bench", "extra"}, "no arguments"},
		{"target without user", []string{"bench", "--target", "http://127.0.0.1:1"}, "--user"},
		{"user without target", []string{"bench", "--user", "alice"}, "go with --target"},
		{"target and redis", []string{"bench", "--target", "http://127.0.0.1:1", "--redis", "redis://x"}, "in-process runs"},
		{"bad duration", []string{"bench", "--duration", "1ms"}, "duration"},
		{"bad routes", []string{"bench", "--target", "http://127.0.0.1:1", "--user", "a", "--password-stdin", "--routes", "jwt=api"}, "--routes"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, "pw\n", c.args...)
			if code != 2 || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, c.want)
			}
		})
	}
}

func TestParseRoutes(t *testing.T) {
	p, err := parseRoutes("jwt=/v1/,hybrid=/m/x")
	if err != nil || p.JWT != "/v1/" || p.Hybrid != "/m/x" || p.Session != bench.DemoPaths.Session {
		t.Errorf("%+v %v", p, err)
	}
	if _, err := parseRoutes("other=/x"); err == nil {
		t.Error("unknown strategy accepted")
	}
}
