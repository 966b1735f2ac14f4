package main

import (
	"bytes"
	"fmt"
	"slices"
)

// A rewrite replaces a call of gqlgen's generated executor by graph's
// (graph/inline.go), with the same arguments and results.
type rewrite struct{ from, to string }

// rewrites are the executor's calls into gqlgen's concurrency, as
// gqlgen v0.17.98's templates write them (codegen/type.gotpl,
// codegen/object.gotpl, codegen/root_.gotpl).
var rewrites = []rewrite{
	// a goroutine per element of a list of objects
	{"graphql.MarshalSliceConcurrently(", "marshalSlice("},
	// an object's field with a resolver, run on Dispatch on a goroutine
	{"out.ResolveConcurrently(ec.OperationContext, &deferred, i,", "resolveField(ctx, out, field, ec.OperationContext, &deferred, i,"},
	// a query's root field, likewise
	{"out.ResolveRootConcurrently(innerCtx, ec.OperationContext, i,", "resolveRootField(innerCtx, out, ec.OperationContext, i,"},
	// every object's deferred group, made whole whether @defer is used or not
	{"deferred := graphql.NewDeferredGroup(ctx)", "deferred := lazyDeferredGroup(ctx)"},
	// a query's data, written to a buffer grown from nothing by doubling
	{"var buf bytes.Buffer\n\t\t\tdata.MarshalGQL(&buf)\n\t\t\tresponse.Data = buf.Bytes()\n",
		"response.Data = marshalData(opCtx, data)\n"},
	// an object's JSON, written with a map per object to skip a repeated alias
	{"\n\treturn out\n}\n", "\n\treturn objectJSON{fields, out}\n}\n"},
}

// rewriteAll rewrites the generated files (by name). Each rewrite must
// apply somewhere: if one finds nothing (and none of the files holds its
// result), gqlgen's templates changed and the rewrites must be checked
// against them, so it fails rather than leave the code half rewritten.
func rewriteAll(srcs map[string][]byte) (map[string][]byte, error) {
	out := make(map[string][]byte, len(srcs))
	found := make([]bool, len(rewrites))
	names := make([]string, 0, len(srcs))
	for name := range srcs {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		src := srcs[name]
		for i, r := range rewrites {
			if bytes.Contains(src, []byte(r.from)) || bytes.Contains(src, []byte(r.to)) {
				found[i] = true
			}
			src = bytes.ReplaceAll(src, []byte(r.from), []byte(r.to))
		}
		out[name] = src
	}
	for i, ok := range found {
		if !ok {
			return nil, fmt.Errorf("no generated code calls %q: gqlgen's templates changed; check tools/gqlgen's rewrites against them", rewrites[i].from)
		}
	}
	return inlinePlainFields(out)
}
