package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The committed executor is gqlgen's, rewritten: generated with
// `go tool gqlgen generate` alone, it would run every query's lists on
// goroutines again (graph/inline.go), and this fails.
func TestGeneratedCodeRewritten(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "graph", "*.generated.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no generated files: %v", err)
	}
	srcs := map[string][]byte{}
	for _, f := range files {
		if srcs[f], err = os.ReadFile(f); err != nil {
			t.Fatal(err)
		}
	}
	out, err := rewriteAll(srcs)
	if err != nil {
		t.Fatal(err)
	}
	for f, src := range out {
		if string(src) != string(srcs[f]) {
			t.Errorf("%s is not rewritten: regenerate with `go run ./tools/gqlgen`", f)
		}
	}
}

func TestRewrite(t *testing.T) {
	src := `deferred := graphql.NewDeferredGroup(ctx)
	out.ResolveConcurrently(ec.OperationContext, &deferred, i,
	out.ResolveRootConcurrently(innerCtx, ec.OperationContext, i,
	ret := graphql.MarshalSliceConcurrently(ctx, len(v), 0, false, func(ctx context.Context, i int) graphql.Marshaler {
	return out
}
			var buf bytes.Buffer
			data.MarshalGQL(&buf)
			response.Data = buf.Bytes()
`
	out, err := rewriteAll(map[string][]byte{"a.go": []byte(src)})
	if err != nil {
		t.Fatal(err)
	}
	want := `deferred := lazyDeferredGroup(ctx)
	resolveField(ctx, out, field, ec.OperationContext, &deferred, i,
	resolveRootField(innerCtx, out, ec.OperationContext, i,
	ret := marshalSlice(ctx, len(v), 0, false, func(ctx context.Context, i int) graphql.Marshaler {
	return objectJSON{fields, out}
}
			response.Data = marshalData(opCtx, data)
`
	if got := string(out["a.go"]); got != want {
		t.Errorf("rewritten:\n%s\nwant:\n%s", got, want)
	}
	// A template that no longer writes a call the rewrites expect fails
	// the generation instead of leaving it half rewritten.
	_, err = rewriteAll(map[string][]byte{"a.go": []byte(strings.ReplaceAll(src, "graphql.MarshalSliceConcurrently(", "graphql.MarshalSlice("))})
	if err == nil || !strings.Contains(err.Error(), "MarshalSliceConcurrently") {
		t.Errorf("a missing call: %v, want an error naming it", err)
	}
}
