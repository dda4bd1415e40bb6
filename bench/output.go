package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// Output file names WriteFiles uses.
const (
	MarkdownFile = "results.md"
	JSONFile     = "results.json"
	SVGFile      = "latency.svg"
)

// WriteFiles writes results.md, results.json and latency.svg into dir, creating it.
func WriteFiles(dir string, r *Result) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("output dir: %w", err)
	}
	var md, svg bytes.Buffer
	if err := WriteMarkdown(&md, r); err != nil {
		return err
	}
	if err := WriteSVG(&svg, r); err != nil {
		return err
	}
	js, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode results: %w", err)
	}
	for name, data := range map[string][]byte{MarkdownFile: md.Bytes(), JSONFile: append(js, '\n'), SVGFile: svg.Bytes()} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	return nil
}
