package graph

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/thidua/thidua/catalog"
)

// refCache answers queries that read only reference data (provinces, award
// types, indicators) from a cache of whole responses. Their answer depends
// only on the query, its variables, the catalog snapshot and the date (for
// statisticsCode without `on`), so a response is kept until the snapshot is
// reloaded or the day changes. This makes them cost about what
// `{ __typename }` does, instead of a goroutine and a field collection per
// list element in gqlgen's executor.
type refCache struct {
	catalog *catalog.Cache
	now     func() time.Time

	mu      sync.Mutex
	snap    *catalog.Snapshot
	day     string
	entries map[string]*graphql.Response
}

// maxRefEntries bounds the cache; past it the cache starts over.
const maxRefEntries = 512

var referenceFields = map[string]bool{
	"provinces": true, "province": true, "awardTypes": true, "indicators": true, "__typename": true,
}

func (*refCache) ExtensionName() string                   { return "ReferenceResponseCache" }
func (*refCache) Validate(graphql.ExecutableSchema) error { return nil }

// refAnswered is what the cache did for one operation. A transport asks an
// operation's response handler again until it returns nil (the WebSocket
// transport does, for every operation): after a cached answer there is
// nothing more to say; after the executor's, the executor says (its @defer
// parts, then nil).
type refAnswered struct{ asked, cached bool }

type refAnsweredKey struct{}

func (*refCache) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	return next(context.WithValue(ctx, refAnsweredKey{}, &refAnswered{}))
}

func (c *refCache) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	answered, _ := ctx.Value(refAnsweredKey{}).(*refAnswered)
	oc := graphql.GetOperationContext(ctx)
	if answered == nil || oc.Operation == nil || oc.Operation.Operation != ast.Query || !onlyReference(oc) {
		return next(ctx)
	}
	switch {
	case answered.cached:
		return nil
	case answered.asked:
		return next(ctx)
	}
	answered.asked = true
	vars, err := json.Marshal(oc.Variables)
	if err != nil {
		return next(ctx)
	}
	key := oc.OperationName + "\x00" + oc.RawQuery + "\x00" + string(vars)
	snap, day := c.catalog.Get(), c.now().Format("2006-01-02")
	c.mu.Lock()
	if c.snap != snap || c.day != day || len(c.entries) >= maxRefEntries {
		c.snap, c.day, c.entries = snap, day, map[string]*graphql.Response{}
	}
	hit := c.entries[key]
	c.mu.Unlock()
	if hit != nil {
		answered.cached = true
		out := *hit
		return &out
	}
	resp := next(ctx)
	// A response with more to come (@defer) is not kept: its later parts
	// are not in it.
	if resp != nil && len(resp.Errors) == 0 && resp.Data != nil && resp.HasNext == nil {
		keep := *resp
		c.mu.Lock()
		if c.snap == snap {
			c.entries[key] = &keep
		}
		c.mu.Unlock()
	}
	return resp
}

// onlyReference reports whether every root field of the operation reads
// reference data only.
func onlyReference(oc *graphql.OperationContext) bool {
	fields := graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Query"})
	if len(fields) == 0 {
		return false
	}
	for _, f := range fields {
		if !referenceFields[f.Name] {
			return false
		}
	}
	return true
}
