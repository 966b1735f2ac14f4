package graph

import (
	"bytes"
	"context"
	"io"
	"sync"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
)

// The executor's concurrency, where it buys nothing.
//
// gqlgen resolves every element of a list of objects on a goroutine of its
// own, and every field with a resolver of an object on another, so that
// fields waiting for the database overlap (and a request's loaders see
// every id of a page before they fetch). When every field of an operation
// reads memory — the catalogue or the read model, the same fields the
// response cache knows (refcache.go) — there is nothing to overlap: the
// goroutines are pure cost (their start, their stacks growing through
// gqlgen's deep call chain, their scheduling: half of a 50-award page's
// CPU). Such an operation is marked inline, and the generated code, whose
// calls into gqlgen's concurrency are rewritten by tools/gqlgen to the
// functions below, then resolves on the request's goroutine, in order.
// Every other operation runs as gqlgen wrote it.
//
// The results are the same: each function below does what the gqlgen call
// it replaces does (graphql/slice.go, graphql/resolve_concurrently.go,
// graphql/deferred.go of gqlgen v0.17.98), panics and invalid (null) fields
// included, only without the goroutines; @defer'd fields keep gqlgen's path.

type inlineKey struct{}

// withInline marks ctx's operation as reading memory only.
func withInline(ctx context.Context) context.Context {
	return context.WithValue(ctx, inlineKey{}, true)
}

// inline tells whether ctx's operation reads memory only.
func inline(ctx context.Context) bool {
	v, _ := ctx.Value(inlineKey{}).(bool)
	return v
}

// marshalSlice replaces graphql.MarshalSliceConcurrently: in order on the
// caller's goroutine when inline, else gqlgen's (a goroutine per element).
func marshalSlice(ctx context.Context, length int, workerLimit int64, omitPanicHandler bool,
	marshalElement func(ctx context.Context, i int) graphql.Marshaler) graphql.Array {
	if length <= 1 || !inline(ctx) {
		return graphql.MarshalSliceConcurrently(ctx, length, workerLimit, omitPanicHandler, marshalElement)
	}
	ret := make(graphql.Array, length)
	fcs := make([]graphql.FieldContext, length) // one allocation for every element's context
	for i := range length {
		fcs[i].Index = &i
		ret[i] = marshalElementAt(graphql.WithFieldContext(ctx, &fcs[i]), i, omitPanicHandler, marshalElement)
	}
	return ret
}

// marshalElementAt marshals element i; a panic in it is the element's
// error and its value null (as in MarshalSliceConcurrently).
func marshalElementAt(ctx context.Context, i int, omitPanicHandler bool,
	marshalElement func(ctx context.Context, i int) graphql.Marshaler) (ret graphql.Marshaler) {
	if !omitPanicHandler {
		defer func() {
			if r := recover(); r != nil {
				graphql.AddError(ctx, graphql.Recover(ctx, r))
				ret = graphql.Null
			}
		}()
	}
	return marshalElement(ctx, i)
}

// resolveField replaces (*graphql.FieldSet).ResolveConcurrently for a field
// of an object: resolved now when the operation is inline and the field is
// not deferred, else scheduled as gqlgen does (on Dispatch, a goroutine).
func resolveField(ctx context.Context, out *graphql.FieldSet, field graphql.CollectedField, oc *graphql.OperationContext,
	deferred *graphql.DeferredGroup, i int, recoverFromPanic, nonNull bool, resolve func(ctx context.Context) graphql.Marshaler) {
	if field.IsDeferred() {
		initDeferred(deferred)
	} else if inline(ctx) {
		out.Values[i] = resolveNow(ctx, oc, recoverFromPanic, resolve)
		countInvalid(out, i, nonNull)
		return
	}
	out.ResolveConcurrently(oc, deferred, i, recoverFromPanic, nonNull, resolve)
}

// resolveRootField replaces (*graphql.FieldSet).ResolveRootConcurrently
// for a root field of a query, in the same way.
func resolveRootField(ctx context.Context, out *graphql.FieldSet, oc *graphql.OperationContext, i int,
	recoverFromPanic, nonNull bool, resolve func(ctx context.Context) graphql.Marshaler) {
	if !inline(ctx) {
		out.ResolveRootConcurrently(ctx, oc, i, recoverFromPanic, nonNull, resolve)
		return
	}
	out.Values[i] = oc.RootResolverMiddleware(ctx, func(ctx context.Context) graphql.Marshaler {
		return resolveNow(ctx, oc, recoverFromPanic, resolve)
	})
	countInvalid(out, i, nonNull)
}

// resolveNow runs resolve; a panic is the field's error and its value null
// (gqlgen's recoverToNull).
func resolveNow(ctx context.Context, oc *graphql.OperationContext, recoverFromPanic bool,
	resolve func(ctx context.Context) graphql.Marshaler) (res graphql.Marshaler) {
	if recoverFromPanic {
		defer func() {
			if r := recover(); r != nil {
				oc.Error(ctx, oc.Recover(ctx, r))
				res = graphql.Null
			}
		}()
	}
	return resolve(ctx)
}

// countInvalid counts field i against its object as gqlgen's field set
// does: a non-null field that came out null, or a nullable one that must
// not be (RequiredNull), makes the object null.
func countInvalid(out *graphql.FieldSet, i int, nonNull bool) {
	invalid := graphql.RequiredNull
	if nonNull {
		invalid = graphql.Null
	}
	if out.Values[i] == invalid {
		atomic.AddUint32(&out.Invalids, 1)
	}
}

// lazyDeferredGroup replaces graphql.NewDeferredGroup, which computes the
// object's path and allocates a field set and a map for every object: only
// a @defer'd field needs them, and resolveField makes them for it
// (initDeferred).
func lazyDeferredGroup(ctx context.Context) graphql.DeferredGroup {
	return graphql.DeferredGroup{Context: ctx}
}

// initDeferred makes d as graphql.NewDeferredGroup would have, once.
func initDeferred(d *graphql.DeferredGroup) {
	if d.FieldSet == nil {
		*d = graphql.NewDeferredGroup(d.Context)
	}
}

// objectJSON replaces an object's *graphql.FieldSet as its marshaler: the
// same JSON as gqlgen's marshalFieldSet (fields in order, an alias written
// once, its first value), without a map per object to find repeated
// aliases and with the alias, a GraphQL name, written as it is.
type objectJSON struct {
	fields []graphql.CollectedField // the field set's, as NewFieldSet got them
	out    *graphql.FieldSet
}

func (o objectJSON) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, "{")
	for i := range o.fields {
		alias := o.fields[i].Alias
		if repeated(o.fields[:i], alias) {
			continue
		}
		if i > 0 {
			_, _ = io.WriteString(w, ",")
		}
		if isName(alias) {
			_, _ = io.WriteString(w, `"`)
			_, _ = io.WriteString(w, alias)
			_, _ = io.WriteString(w, `":`)
		} else {
			graphql.MarshalString(alias).MarshalGQL(w)
			_, _ = io.WriteString(w, ":")
		}
		o.out.Values[i].MarshalGQL(w)
	}
	_, _ = io.WriteString(w, "}")
}

// repeated tells whether alias is among fields' (few: a linear scan).
func repeated(fields []graphql.CollectedField, alias string) bool {
	for i := range fields {
		if fields[i].Alias == alias {
			return true
		}
	}
	return false
}

// isName tells whether s is a GraphQL name (/[_A-Za-z][_0-9A-Za-z]*/),
// which JSON needs no escape for.
func isName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '_' && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return s != ""
}

// marshalData writes a query's data for its response (replacing the
// executor's bytes.Buffer, which grew from nothing by doubling: 64 KB
// allocated for a 20 KB page), starting at the size the same operation's
// data had last time.
func marshalData(oc *graphql.OperationContext, data graphql.Marshaler) []byte {
	key := sizeKey{oc.RawQuery, oc.OperationName}
	dataSizes.mu.Lock()
	hint := dataSizes.last[key]
	dataSizes.mu.Unlock()
	buf := bytes.NewBuffer(make([]byte, 0, max(hint, 64)))
	data.MarshalGQL(buf)
	if n := buf.Len(); n != hint {
		dataSizes.mu.Lock()
		if len(dataSizes.last) >= maxSizeHints {
			clear(dataSizes.last)
		}
		dataSizes.last[key] = n
		dataSizes.mu.Unlock()
	}
	return buf.Bytes()
}

type sizeKey struct{ query, operation string }

// dataSizes are the last data sizes of up to maxSizeHints operations.
var dataSizes = struct {
	mu   sync.Mutex
	last map[sizeKey]int
}{last: map[sizeKey]int{}}

const maxSizeHints = 1024
