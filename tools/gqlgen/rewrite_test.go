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
	out, err := rewriteAll(map[string][]byte{"a.go": []byte(src), "b.go": []byte(plainSrc("marshalNString2string", "string", stringMarshaller, false))})
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
	_, err = rewriteAll(map[string][]byte{"a.go": []byte(strings.ReplaceAll(src, "graphql.MarshalSliceConcurrently(", "graphql.MarshalSlice(")),
		"b.go": []byte(plainSrc("marshalNString2string", "string", stringMarshaller, false))})
	if err == nil || !strings.Contains(err.Error(), "MarshalSliceConcurrently") {
		t.Errorf("a missing call: %v, want an error naming it", err)
	}
}

// plainSrc is a generated plain field (Thing.name, read off its object),
// its field context (with arguments when args) and its marshaller.
func plainSrc(marshal, typ, body string, args bool) string {
	ctx := "\treturn graphql.NewScalarFieldContext(\"Thing\", field, false, false, \"String\")\n"
	if args {
		ctx = "\tfc = &graphql.FieldContext{Object: \"Thing\", Field: field}\n\treturn fc, ec.field_Thing_name_args(ctx, field.ArgumentMap(ec.Variables))\n"
	}
	return `func (ec *executionContext) _Thing_name(ctx context.Context, field graphql.CollectedField, obj *model.Thing) (ret graphql.Marshaler) {
	return graphql.ResolveField(
		ctx,
		ec.OperationContext,
		field,
		func(ctx context.Context, field graphql.CollectedField) (*graphql.FieldContext, error) {
			return ec.fieldContext_Thing_name(ctx, field)
		},
		func(ctx context.Context) (any, error) {
			return obj.Name, nil
		},
		nil,
		func(ctx context.Context, selections ast.SelectionSet, v ` + typ + `) graphql.Marshaler {
			return ec.` + marshal + `(ctx, selections, v)
		},
		true,
		true,
	)
}
func (ec *executionContext) fieldContext_Thing_name(_ context.Context, field graphql.CollectedField) (fc *graphql.FieldContext, err error) {
` + ctx + `}

func (ec *executionContext) ` + marshal + `(ctx context.Context, sel ast.SelectionSet, v ` + typ + `) graphql.Marshaler {
` + body + `}

`
}

const (
	stringMarshaller = "\t_ = sel\n\tres := graphql.MarshalString(v)\n\tif res == graphql.Null {\n\t\tgraphql.AddInvalidNullFromMarshaler(ctx, \"String!\")\n\t}\n\treturn res\n"
	floatMarshaller  = "\t_ = sel\n\tres := graphql.MarshalFloatContext(v)\n\tif res == graphql.Null {\n\t\tgraphql.AddInvalidNullFromMarshaler(ctx, \"Float!\")\n\t}\n\treturn graphql.WrapContextMarshaler(ctx, res)\n"
	enumMarshaller   = "\treturn v\n"
	optionalEnum     = "\tif v == nil {\n\t\treturn graphql.Null\n\t}\n\treturn v\n"
	timeMarshaller   = "\t_ = sel\n\tres := graphql.MarshalTime(v)\n\tif res == graphql.Null {\n\t\tgraphql.AddInvalidNullFromMarshaler(ctx, \"Time!\")\n\t}\n\treturn res\n"
)

// A plain field is marshalled directly when inline, only where nothing
// gqlgen's path does can matter; rewriting twice changes nothing.
func TestPlainFields(t *testing.T) {
	for _, c := range []struct {
		name, marshal, typ, body string
		args, inlined            bool
	}{
		{"String", "marshalNString2string", "string", stringMarshaller, false, true},
		{"an enum", "marshalNStatus2model", "model.Status", enumMarshaller, false, true},
		{"an optional enum", "marshalOStatus2ᚖmodel", "*model.Status", optionalEnum, false, true},
		{"Float (NaN is an error)", "marshalNFloat2float64", "float64", floatMarshaller, false, false},
		{"Time (zero is null)", "marshalNTime2timeᚐTime", "time.Time", timeMarshaller, false, false},
		{"a field with arguments", "marshalNString2string", "string", stringMarshaller, true, false},
	} {
		src := map[string][]byte{"a.go": []byte(plainSrc(c.marshal, c.typ, c.body, c.args))}
		if !c.inlined { // some field must be plain, or the templates changed
			src["b.go"] = []byte(strings.ReplaceAll(plainSrc("marshalNString2string", "string", stringMarshaller, false), "Thing", "Other"))
		}
		out, err := inlinePlainFields(src)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		fast := "(ret graphql.Marshaler) {\n\tif inline(ctx) {\n\t\treturn ec." + c.marshal + "(ctx, field.Selections, obj.Name)\n\t}\n\treturn graphql.ResolveField(\n"
		if got := strings.Contains(string(out["a.go"]), fast); got != c.inlined {
			t.Errorf("%s: inlined %v, want %v:\n%s", c.name, got, c.inlined, out["a.go"])
		}
		again, err := inlinePlainFields(out)
		if err != nil || string(again["a.go"]) != string(out["a.go"]) {
			t.Errorf("%s: rewritten twice differs (%v)", c.name, err)
		}
	}
	if _, err := inlinePlainFields(map[string][]byte{"a.go": []byte(plainSrc("marshalNFloat2float64", "float64", floatMarshaller, false))}); err == nil {
		t.Error("no plain field anywhere: want an error (gqlgen's templates changed)")
	}
}
