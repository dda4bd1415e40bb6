package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authgate/authgate/internal/testenv"
)

// shortRun runs the whole bench briefly and writes its files.
func shortRun(t *testing.T, o Options) (*Result, string) {
	t.Helper()
	o.Duration, o.Concurrency, o.Revocations, o.Hasher, o.TempDir = 200*time.Millisecond, 4, 20, cheapHasher, t.TempDir()
	var progress bytes.Buffer
	o.Progress = NewProgress(&progress)
	res, err := Run(context.Background(), o)
	o.Progress.Close()
	if err != nil {
		t.Fatalf("Run: %v\nprogress:\n%s", err, progress.String())
	}
	if !strings.Contains(progress.String(), "revocation logout") || !strings.Contains(progress.String(), "measure hybrid") {
		t.Errorf("progress does not name the phases:\n%s", progress.String())
	}
	dir := filepath.Join(t.TempDir(), "out")
	if err := WriteFiles(dir, res); err != nil {
		t.Fatal(err)
	}
	return res, dir
}

// checkFiles asserts that the three files parse: JSON decodes to a Result, the SVG is XML
// with an <svg> root, the Markdown has the guide's six rows.
func checkFiles(t *testing.T, dir string) (*Result, string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	var back Result
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatalf("results.json: %v", err)
	}
	svg, err := os.ReadFile(filepath.Join(dir, SVGFile))
	if err != nil {
		t.Fatal(err)
	}
	checkSVG(t, svg)
	md, err := os.ReadFile(filepath.Join(dir, MarkdownFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range GuideRows {
		if !strings.Contains(string(md), "| **"+row.Name+"**") {
			t.Errorf("results.md lacks the row %q", row.Name)
		}
	}
	return &back, string(md)
}

// checkSVG asserts the document is well-formed XML whose root is <svg>.
func checkSVG(t *testing.T, svg []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(svg))
	root := ""
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("latency.svg is not XML: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
	if root != "svg" {
		t.Errorf("latency.svg root is <%s>", root)
	}
}

func TestRunRedis(t *testing.T) {
	res, dir := shortRun(t, Options{RedisURL: testenv.Redis(t).URL(), Version: "test"})
	back, md := checkFiles(t, dir)
	if back.Version != "test" || len(back.Strategies) != 4 || back.Setup.Store != "redis" || back.Machine.Redis == "" {
		t.Errorf("results.json: version %q, %d strategies, store %q, redis %q", back.Version, len(back.Strategies), back.Setup.Store, back.Machine.Redis)
	}
	for _, s := range res.Strategies {
		if s.HTTP == nil || s.HTTP.Authgate.Requests == 0 || s.HTTP.Bare.Requests == 0 || s.Check == nil || s.Redis == nil {
			t.Errorf("%s not measured: %+v", s.Name, s)
			continue
		}
		if s.HTTP.Authgate.Errors+s.HTTP.Bare.Errors != 0 {
			t.Errorf("%s: errors %d/%d", s.Name, s.HTTP.Authgate.Errors, s.HTTP.Bare.Errors)
		}
	}
	// Without the client cache every session check is a round trip; with it, almost none.
	if nc := res.strategy(ColSessionNoCache).Redis; nc.RoundTripsPerRequest < 0.99 || nc.CacheHitRatio != 0 {
		t.Errorf("uncached session: %+v", nc)
	}
	if c := res.strategy(ColSession).Redis; c.CacheHitRatio < 0.9 {
		t.Errorf("cached session: %+v", c)
	}
	if res.Memory == nil || res.Memory.BytesPerSession < 100 || res.Memory.BytesPerEntry < 20 {
		t.Errorf("memory: %+v", res.Memory)
	}
	if len(res.Revocations) != len(Kinds) || len(res.Scaling) != 9 || res.Login == nil || res.Login.HTTP.Requests == 0 {
		t.Errorf("%d revocation kinds, %d scaling points, login %+v", len(res.Revocations), len(res.Scaling), res.Login)
	}
	for _, g := range res.Goals {
		if strings.HasPrefix(g.Name, "revocation") && !g.Met {
			t.Errorf("goal %s: %s", g.Name, g.Measured)
		}
	}
	if !strings.Contains(md, "session (Redis, no client cache)") || !strings.Contains(md, "--redis (given)") {
		t.Errorf("results.md header or columns:\n%s", md[:min(len(md), 2000)])
	}
}

func TestRunEmbedded(t *testing.T) {
	res, dir := shortRun(t, Options{NoRedis: true})
	_, md := checkFiles(t, dir)
	if res.Setup.Store != "embedded" || res.Memory != nil || res.strategy(ColSessionNoCache).Skipped == "" {
		t.Errorf("embedded run: store %q, memory %+v, session-nocache %+v", res.Setup.Store, res.Memory, res.strategy(ColSessionNoCache))
	}
	if !strings.Contains(md, "not measured (no Redis)") {
		t.Errorf("results.md does not mark the Redis rows:\n%s", md)
	}
}
