package graph

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/thidua/thidua/auth"
	"github.com/thidua/thidua/catalog"
)

// refCache answers a query whose every field is read from memory — the
// catalogue (provinces, award types, indicators) or the read model (awards,
// movements, dossiers, by the caller's access) — from a cache of whole
// responses, instead of running gqlgen's executor again (a goroutine and a
// field collection per list element: most of a page's CPU). A response is
// kept under everything its answer depends on:
//   - the query, its operation name and its variables;
//   - the catalog snapshot and the date (statisticsCode without `on`);
//   - for a query reading the read model, its generation (which every
//     change the read model takes moves on) and the caller: subject and
//     every role, so no answer computed for one caller's access is given to
//     another.
//
// Only the fields of cachedFields are known to read nothing else; a query
// selecting any other field (a new one included) runs as before. Where
// there is no read model (several writers: MongoDB) only reference
// queries are cached.
type refCache struct {
	catalog    *catalog.Cache
	now        func() time.Time
	generation func() (uint64, bool) // the read model's; false: none
	off        bool                  // keep nothing; only mark memory-only queries inline

	mu    sync.Mutex
	snap  *catalog.Snapshot
	day   string
	refs  map[string]*graphql.Response // reference data only
	gen   uint64
	reads map[string]*graphql.Response // the read model's, at gen
	size  int                          // bytes of data in reads
}

// maxRefEntries bounds each map; maxReadBytes the responses kept of the
// read model. Past either, the map starts over.
const (
	maxRefEntries = 512
	maxReadBytes  = 8 << 20
)

// source is what a field's answer is read from.
type source uint8

const (
	fromCatalog   source = iota + 1 // the catalogue snapshot (and the date)
	fromReadModel                   // the read model, by the caller's access
)

// cachedFields are the fields, by "Type.field", whose answer depends on
// nothing but their source, their arguments and the caller (checked in
// their resolvers: plain fields, the catalogue, or reads of the read
// model's collections). A field that comes to read anything else must
// leave this list.
var cachedFields = fieldSources(map[source][]string{
	fromCatalog: {
		"Query.provinces", "Query.province", "Query.awardTypes", "Query.indicators",
		"Province.id", "Province.name", "Province.isoCode", "Province.statisticsCode", "Province.statisticsCodes",
		"Province.validFrom", "Province.validTo", "Province.successor", "Province.predecessors",
		"Province.administrativeCentre", "Province.version", "Province.createdAt", "Province.updatedAt",
		"StatisticsCode.code", "StatisticsCode.from", "StatisticsCode.to",
		"AwardType.id", "AwardType.name", "AwardType.form", "AwardType.classes", "AwardType.authorities",
		"AwardType.authorityRules", "AwardType.recipientKinds", "AwardType.validFrom", "AwardType.validTo",
		"AwardType.legalBasis", "AwardType.order", "AwardType.version",
		"AuthorityRule.authority", "AuthorityRule.from", "AuthorityRule.to", "AuthorityRule.basis",
		"Indicator.id", "Indicator.name", "Indicator.unit", "Indicator.aggregation", "Indicator.order",
		"Indicator.validFrom", "Indicator.validTo", "Indicator.version",
	},
	fromReadModel: {
		"Query.awards", "Query.award", "Query.movements", "Query.movement", "Query.dossiers", "Query.dossier",
		"AwardConnection.edges", "AwardConnection.pageInfo", "AwardConnection.totalCount",
		"AwardEdge.cursor", "AwardEdge.node",
		"MovementConnection.edges", "MovementConnection.pageInfo", "MovementConnection.totalCount",
		"MovementEdge.cursor", "MovementEdge.node",
		"DossierConnection.edges", "DossierConnection.pageInfo", "DossierConnection.totalCount",
		"DossierEdge.cursor", "DossierEdge.node",
		"PageInfo.hasNextPage", "PageInfo.hasPreviousPage", "PageInfo.startCursor", "PageInfo.endCursor",
		"Award.id", "Award.province", "Award.awardType", "Award.class", "Award.authority", "Award.recipient",
		"Award.year", "Award.status", "Award.movement", "Award.citation", "Award.version",
		"Award.createdAt", "Award.updatedAt",
		"Recipient.kind", "Recipient.name", "Recipient.position", "Recipient.organization",
		"Movement.id", "Movement.title", "Movement.scope", "Movement.kind", "Movement.province",
		"Movement.launchedBy", "Movement.startYear", "Movement.endYear", "Movement.description",
		"Movement.published", "Movement.version", "Movement.createdAt", "Movement.updatedAt",
		"Dossier.id", "Dossier.province", "Dossier.kind", "Dossier.authority", "Dossier.level", "Dossier.year",
		"Dossier.title", "Dossier.proposingUnit", "Dossier.movement", "Dossier.recipients", "Dossier.status",
		"Dossier.version", "Dossier.createdAt", "Dossier.updatedAt",
		"DossierRecipient.province", "DossierRecipient.recipient", "DossierRecipient.awardType",
		"DossierRecipient.class", "DossierRecipient.achievement",
	},
})

// typeField names a field of a type (no string built per field looked up).
type typeField struct{ typ, field string }

func fieldSources(by map[source][]string) map[typeField]source {
	out := map[typeField]source{}
	for s, fields := range by {
		for _, f := range fields {
			typ, field, _ := strings.Cut(f, ".")
			out[typeField{typ, field}] = s
		}
	}
	return out
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
	if answered == nil || oc.Operation == nil || oc.Operation.Operation != ast.Query {
		return next(ctx)
	}
	switch {
	case answered.cached:
		return nil
	case answered.asked:
		return next(ctx)
	}
	answered.asked = true
	src, ok := querySource(oc)
	if !ok {
		return next(ctx)
	}
	var gen uint64
	if src == fromReadModel {
		if c.generation == nil {
			return next(ctx)
		}
		if gen, ok = c.generation(); !ok {
			return next(ctx)
		}
	}
	// Every field reads memory: the executor need not overlap them on
	// goroutines (inline.go).
	ctx = withInline(ctx)
	if c.off {
		return next(ctx)
	}
	key, ok := responseKey(ctx, oc, src)
	if !ok {
		return next(ctx)
	}
	snap, day := c.catalog.Get(), c.now().Format("2006-01-02")
	c.mu.Lock()
	if c.snap != snap || c.day != day || len(c.refs) >= maxRefEntries {
		c.snap, c.day, c.refs, c.reads, c.size = snap, day, map[string]*graphql.Response{}, nil, 0
	}
	if src == fromReadModel && (c.reads == nil || c.gen != gen || len(c.reads) >= maxRefEntries || c.size >= maxReadBytes) {
		c.gen, c.reads, c.size = gen, map[string]*graphql.Response{}, 0
	}
	hit := c.entries(src)[key]
	c.mu.Unlock()
	if hit != nil {
		answered.cached = true
		out := *hit
		return &out
	}
	resp := next(ctx)
	// A response with more to come (@defer) is not kept: its later parts
	// are not in it. Nor is one made while the read model changed: it may
	// have read some of it before the change and some after.
	if resp == nil || len(resp.Errors) > 0 || resp.Data == nil || resp.HasNext != nil {
		return resp
	}
	if src == fromReadModel {
		if now, ok := c.generation(); !ok || now != gen {
			return resp
		}
	}
	keep := *resp
	c.mu.Lock()
	if c.snap == snap && (src == fromCatalog || c.gen == gen) {
		c.entries(src)[key] = &keep
		if src == fromReadModel {
			c.size += len(keep.Data)
		}
	}
	c.mu.Unlock()
	return resp
}

// entries returns the map of responses from src; called with mu held.
func (c *refCache) entries(src source) map[string]*graphql.Response {
	if src == fromReadModel {
		return c.reads
	}
	return c.refs
}

// querySource returns what every field of the operation reads from (the
// read model when any field reads it), and false when a field is not one
// of cachedFields.
func querySource(oc *graphql.OperationContext) (source, bool) {
	src := source(0)
	ok := walkSources(oc.Doc, oc.Operation.SelectionSet, &src, 0)
	return src, ok && src != 0
}

// maxFragmentDepth bounds the walk through fragment spreads (validation
// refuses cycles; this is only a backstop).
const maxFragmentDepth = 32

func walkSources(doc *ast.QueryDocument, set ast.SelectionSet, src *source, depth int) bool {
	if depth > maxFragmentDepth {
		return false
	}
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			if sel.Name == "__typename" {
				continue
			}
			if sel.ObjectDefinition == nil {
				return false
			}
			s, ok := cachedFields[typeField{sel.ObjectDefinition.Name, sel.Name}]
			if !ok {
				return false
			}
			*src = max(*src, s)
			if !walkSources(doc, sel.SelectionSet, src, depth) {
				return false
			}
		case *ast.InlineFragment:
			if !walkSources(doc, sel.SelectionSet, src, depth) {
				return false
			}
		case *ast.FragmentSpread:
			def := sel.Definition
			if def == nil && doc != nil {
				def = doc.Fragments.ForName(sel.Name)
			}
			if def == nil || !walkSources(doc, def.SelectionSet, src, depth+1) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// responseKey is the operation, its variables and, for the read model's
// answers, the caller: everything the answer depends on but the snapshot,
// the date and the generation (each map holds one of those).
func responseKey(ctx context.Context, oc *graphql.OperationContext, src source) (string, bool) {
	vars, err := json.Marshal(oc.Variables)
	if err != nil {
		return "", false
	}
	var b strings.Builder
	b.WriteString(oc.OperationName)
	b.WriteByte(0)
	b.WriteString(oc.RawQuery)
	b.WriteByte(0)
	b.Write(vars)
	if src == fromReadModel {
		b.WriteByte(0)
		callerKey(&b, auth.FromContext(ctx))
	}
	return b.String(), true
}

// callerKey writes the caller's identity and every role it holds, in
// scope order; an anonymous caller is told from any signed-in one.
func callerKey(b *strings.Builder, p *auth.Principal) {
	if p == nil {
		b.WriteString("\x01anonymous")
		return
	}
	b.WriteByte(2)
	b.WriteString(p.Subject)
	scopes := make([]string, 0, len(p.Roles))
	for s := range p.Roles {
		scopes = append(scopes, s)
	}
	slices.Sort(scopes)
	for _, s := range scopes {
		b.WriteByte(0)
		b.WriteString(s)
		b.WriteByte('=')
		b.WriteString(p.Roles[s].String())
	}
}
