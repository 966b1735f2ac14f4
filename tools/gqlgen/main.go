// Command gqlgen generates the GraphQL code of graph/ as `gqlgen generate`
// does (from gqlgen.yml, with the gqlgen of go.mod), then rewrites the
// generated executor's calls into gqlgen's concurrency to graph's own
// functions (graph/inline.go), which run an operation that reads only
// memory on the request's goroutine and every other as gqlgen would.
//
//	go run ./tools/gqlgen
//
// Run it from the repository root instead of `go tool gqlgen generate`;
// TestGeneratedCodeRewritten fails on code generated without it.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen/config"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gqlgen:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := config.LoadConfigFromDefaultLocations()
	if err != nil {
		return err
	}
	if err := api.Generate(cfg); err != nil {
		return err
	}
	return rewriteDir(cfg.Exec.Dir())
}

// rewriteDir rewrites every generated executor file of dir in place.
func rewriteDir(dir string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.generated.go"))
	if err != nil {
		return err
	}
	srcs := map[string][]byte{}
	for _, f := range files {
		if srcs[f], err = os.ReadFile(f); err != nil {
			return err
		}
	}
	out, err := rewriteAll(srcs)
	if err != nil {
		return err
	}
	for f, src := range out {
		if err := os.WriteFile(f, src, 0o644); err != nil {
			return err
		}
	}
	return nil
}
