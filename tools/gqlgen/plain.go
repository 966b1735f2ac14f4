package main

import (
	"fmt"
	"regexp"
)

// Plain fields. gqlgen resolves every field through graphql.ResolveField:
// a field context allocated and put in a new context, three closures, the
// resolver middleware, the value boxed in an interface. For a leaf read
// straight off its object (`return obj.Name, nil`) in an operation that
// reads memory only (graph/inline.go: queries, whose fields the resolver
// middleware — the auditor, for mutations — passes on untouched), that is
// all cost: per executed 50-dossier list at 100,000 awards, 2 MB allocated,
// 72 % of it this per-field work. Such a field is marshalled directly when
// inline:
//
//	if inline(ctx) {
//		return ec.marshalNString2string(ctx, field.Selections, obj.Name)
//	}
//
// only where nothing that was skipped can matter: the field context takes
// no arguments (a single graphql.NewScalarFieldContext), and the marshaller
// can neither fail nor report a null (whose error would need the field's
// path): it returns v itself (an enum or a scalar type, or null for a nil
// pointer), or one of gqlgen's String, Int, Boolean and ID marshallers,
// which never return null. Everything else — objects, lists, Float (NaN is
// an error), Time (zero is null), resolvers, fields with arguments — keeps
// gqlgen's path.

var (
	// plainField is a generated field function reading obj.Field, its
	// body as gqlgen v0.17.98 writes it (codegen/field.gotpl).
	plainField = regexp.MustCompile(`(func \(ec \*executionContext\) _\w+\(ctx context\.Context, field graphql\.CollectedField, obj \*[\w.]+\) \(ret graphql\.Marshaler\) \{\n)` +
		`(\treturn graphql\.ResolveField\(\n\t\tctx,\n\t\tec\.OperationContext,\n\t\tfield,\n` +
		`\t\tfunc\(ctx context\.Context, field graphql\.CollectedField\) \(\*graphql\.FieldContext, error\) \{\n\t\t\treturn ec\.(fieldContext_\w+)\(ctx, field\)\n\t\t\},\n` +
		`\t\tfunc\(ctx context\.Context\) \(any, error\) \{\n\t\t\treturn (obj\.[\w.]+), nil\n\t\t\},\n` +
		`\t\tnil,\n` +
		`\t\tfunc\(ctx context\.Context, selections ast\.SelectionSet, v [^)]+\) graphql\.Marshaler \{\n\t\t\treturn ec\.(marshal[\pL\pN_]+)\(ctx, selections, v\)\n\t\t\},\n)`)
	// scalarContext is a field context function without arguments.
	scalarContext = regexp.MustCompile(`func \(ec \*executionContext\) (fieldContext_\w+)\(_ context\.Context, field graphql\.CollectedField\) \(fc \*graphql\.FieldContext, err error\) \{\n\treturn graphql\.NewScalarFieldContext\([^\n]*\)\n\}\n`)
	// marshaller is a generated marshal function and its body (gqlgen
	// names them with letters of other scripts: marshalOString2ᚖstring).
	marshaller = regexp.MustCompile(`func \(ec \*executionContext\) (marshal[\pL\pN_]+)\(ctx context\.Context, sel ast\.SelectionSet, v [^)]+\) graphql\.Marshaler \{\n((?:\t[^\n]*\n|\n)*?)\}\n`)
	// safeBody is a marshaller that can neither fail nor report a null.
	safeBody = regexp.MustCompile(`^(?:` +
		`\treturn v\n` + // an enum or scalar type marshals itself (a concrete type: none is bound to an interface)
		`|\tif v == nil \{\n\t\treturn graphql\.Null\n\t\}\n\treturn v\n` + // the same, optional
		`|\t_ = sel\n\tres := graphql\.Marshal(?:String|Int|Boolean|ID)\(v\)\n\tif res == graphql\.Null \{\n[^}]*\}\n\treturn res\n` + // never null
		`|\tif v == nil \{\n\t\treturn graphql\.Null\n\t\}\n\t_ = sel\n\t_ = ctx\n\tres := graphql\.Marshal(?:String|Int|Boolean|ID)\(\*v\)\n\treturn res\n` +
		`)$`)
)

// inlinePlainFields gives every plain field of srcs (by file name) its
// inline path; it fails if it finds none (gqlgen's templates changed).
// Code already rewritten is left as it is.
func inlinePlainFields(srcs map[string][]byte) (map[string][]byte, error) {
	contexts, safe := map[string]bool{}, map[string]bool{}
	for _, src := range srcs {
		for _, m := range scalarContext.FindAllSubmatch(src, -1) {
			contexts[string(m[1])] = true
		}
		for _, m := range marshaller.FindAllSubmatch(src, -1) {
			if safeBody.Match(m[2]) {
				safe[string(m[1])] = true
			}
		}
	}
	out := make(map[string][]byte, len(srcs))
	n := 0
	for name, src := range srcs {
		out[name] = plainField.ReplaceAllFunc(src, func(fn []byte) []byte {
			m := plainField.FindSubmatch(fn)
			if !contexts[string(m[3])] || !safe[string(m[5])] {
				return fn
			}
			n++
			return fmt.Appendf(nil, "%s\tif inline(ctx) {\n\t\treturn ec.%s(ctx, field.Selections, %s)\n\t}\n%s", m[1], m[5], m[4], m[2])
		})
	}
	if n == 0 && !inlined(srcs) {
		return nil, fmt.Errorf("no plain field found: gqlgen's templates changed; check tools/gqlgen/plain.go against codegen/field.gotpl")
	}
	return out, nil
}

// inlined tells whether srcs already hold plain fields' inline paths.
func inlined(srcs map[string][]byte) bool {
	for _, src := range srcs {
		if inlinedField.Match(src) {
			return true
		}
	}
	return false
}

var inlinedField = regexp.MustCompile(`\) \(ret graphql\.Marshaler\) \{\n\tif inline\(ctx\) \{\n\t\treturn ec\.marshal`)
