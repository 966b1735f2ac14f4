package graph

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
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
	day   int                          // yyyymmdd
	refs  map[string]*graphql.Response // reference data only
	gen   uint64
	reads map[string]*graphql.Response // the read model's, at gen
	size  int                          // bytes of data in reads and rawReads
	// The same answers as written, by the HTTP request that asked (its
	// body and caller: keptAnswers), beside refs and reads and emptied
	// with them.
	rawRefs, rawReads map[string]*keptAnswer
}

// maxRefEntries bounds each map; maxReadBytes the read model's answers
// kept, keys included. Past either, the map starts over.
const (
	maxRefEntries = 16384 // point reads of thousands of records stay kept (the bytes are bounded too)
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
	snap, day := c.catalog.Get(), dayOf(c.now())
	c.mu.Lock()
	if c.snap != snap || c.day != day || len(c.refs) >= maxRefEntries {
		c.snap, c.day, c.refs, c.reads, c.size = snap, day, map[string]*graphql.Response{}, nil, 0
		c.rawRefs, c.rawReads = map[string]*keptAnswer{}, nil
	}
	if src == fromReadModel && (c.reads == nil || c.gen != gen || len(c.reads) >= maxRefEntries || len(c.rawReads) >= maxRefEntries ||
		c.size >= maxReadBytes) {
		c.gen, c.reads, c.rawReads, c.size = gen, map[string]*graphql.Response{}, map[string]*keptAnswer{}, 0
	}
	if len(c.rawRefs) >= maxRefEntries {
		c.rawRefs = map[string]*keptAnswer{}
	}
	hit := c.entries(src)[key]
	if hit != nil {
		c.keepRaw(ctx, src, hit)
	}
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
			c.size += len(key) + len(keep.Data)
		}
		c.keepRaw(ctx, src, &keep)
	}
	c.mu.Unlock()
	return resp
}

// keepRaw keeps resp as written, under the key of the HTTP request that
// asked, if keptAnswers gave one; called with mu held.
func (c *refCache) keepRaw(ctx context.Context, src source, resp *graphql.Response) {
	key, ok := ctx.Value(rawKeyKey{}).(string)
	if !ok || !plain(resp) {
		return
	}
	a := newKeptAnswer(slices.Concat([]byte(`{"data":`), resp.Data, []byte("}")))
	if src == fromReadModel {
		c.rawReads[key] = a
		c.size += len(key) + len(a.body)
		return
	}
	c.rawRefs[key] = a
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
	if !walkSources(oc.Doc, oc.Operation.SelectionSet, &src, 0) {
		return 0, false
	}
	// Nothing but __typename: a constant answer.
	return max(src, fromCatalog), true
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
func callerKey(b keyWriter, p *auth.Principal) {
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

// keptAnswers answers a request from the answers kept as written when
// the same caller sent the same body before, and nothing it depends on
// changed since: the catalogue snapshot, the day, the read model's
// generation. It then skips all of gqlgen — decoding, the operation's
// validation and complexity, the executor, the response cache's key — for
// the bytes it wrote then. Only what jsonPOST would take (POST, JSON, a
// body held in memory, not multipart/mixed) is looked up; every other
// request, and every miss, goes on to next, which keeps its answer if it
// may (InterceptResponse, keepRaw).
//
// The body is the key as sent, so the same query sent with other spacing
// is another entry (of the same answer). One difference from gqlgen: a
// persisted query's hash alone, once answered, is answered from here even
// after gqlgen's persisted-query cache forgot the query.
func (c *refCache) keptAnswers(next http.Handler) http.Handler {
	if c.off {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := heldBody(r)
		if body == nil || !postsJSON(r) || strings.Contains(r.Header.Get("Accept"), "multipart/mixed") {
			next.ServeHTTP(w, r)
			return
		}
		kb := keyBuffers.Get().(*keyBuffer)
		defer keyBuffers.Put(kb)
		kb.Reset()
		kb.Write(body)
		kb.WriteByte(0)
		callerKey(kb, auth.FromContext(r.Context()))
		if a := c.kept(kb.Bytes()); a != nil {
			a.write(w, r)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), rawKeyKey{}, kb.String())))
	})
}

// rawKeyKey carries the key keptAnswers looked up to keepRaw.
type rawKeyKey struct{}

// keyWriter is what a key is written to (a strings.Builder, a bytes.Buffer).
type keyWriter interface {
	io.ByteWriter
	io.StringWriter
}

// keyBuffer builds a kept answer's key; looked up as bytes, it is made a
// string only for a request that misses.
type keyBuffer = bytes.Buffer

var keyBuffers = sync.Pool{New: func() any { return new(keyBuffer) }}

// dayOf is t's date as yyyymmdd.
func dayOf(t time.Time) int {
	y, m, d := t.Date()
	return y*10000 + int(m)*100 + d
}

// kept is the answer kept under key, if what it depends on is unchanged.
func (c *refCache) kept(key []byte) *keptAnswer {
	snap, day := c.catalog.Get(), dayOf(c.now())
	gen, genOK := uint64(0), false
	if c.generation != nil {
		gen, genOK = c.generation()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.snap != snap || c.day != day {
		return nil
	}
	if a := c.rawRefs[string(key)]; a != nil {
		return a
	}
	if genOK && c.gen == gen {
		return c.rawReads[string(key)]
	}
	return nil
}

// postsJSON tells whether r is what gqlgen's POST transport takes (its
// Supports), without parsing the usual Content-Type.
func postsJSON(r *http.Request) bool {
	if r.Method != http.MethodPost || r.Header.Get("Upgrade") != "" {
		return false
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		return (jsonPOST{}).Supports(r)
	}
	return true
}

// heldBody is the request's body if the HTTP layer holds it whole in
// memory (its body limit reads it so), else nil.
func heldBody(r *http.Request) []byte {
	if m, ok := r.Body.(interface{ Unread() []byte }); ok {
		return m.Unread()
	}
	return nil
}

// plain tells whether resp is data and nothing else, which writeResponse
// writes as {"data":…}.
func plain(resp *graphql.Response) bool {
	return resp != nil && len(resp.Errors) == 0 && len(resp.Data) > 0 && resp.Label == "" && resp.Path == nil &&
		resp.HasNext == nil && len(resp.Extensions) == 0
}

// keptAnswer is an answer as written; gzipped once a caller accepts it
// (the first such hit pays the compression, every later one sends a few
// times fewer bytes: a 20 KB page goes out in one write instead of three).
type keptAnswer struct {
	body   []byte
	length []string // body's Content-Length, as a header value
	once   sync.Once
	gz     []byte
	gzLen  []string
}

func newKeptAnswer(body []byte) *keptAnswer {
	return &keptAnswer{body: body, length: []string{strconv.Itoa(len(body))}}
}

// gzipMin: an answer this short is sent as it is (one packet either way).
const gzipMin = 1400

func (a *keptAnswer) write(w http.ResponseWriter, r *http.Request) {
	// Header values are shared, never modified slices (net/http copies
	// them): no allocation per answer.
	h := w.Header()
	h["Content-Type"] = headerValue(responseType(r))
	body, length := a.body, a.length
	if len(a.body) >= gzipMin {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r.Header.Get("Accept-Encoding")) {
			body, length = a.gzipped()
			h["Content-Encoding"] = gzipEncoding
		}
	}
	h["Content-Length"] = length
	_, _ = w.Write(body)
}

// gzipped is the answer gzipped (once) and its Content-Length.
func (a *keptAnswer) gzipped() ([]byte, []string) {
	a.once.Do(func() {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
		_, _ = zw.Write(a.body)
		_ = zw.Close()
		a.gz, a.gzLen = buf.Bytes(), []string{strconv.Itoa(buf.Len())}
	})
	return a.gz, a.gzLen
}

var (
	jsonType, graphQLResponseType = []string{contentJSON}, []string{contentGraphQLResponse}
	gzipEncoding                  = []string{"gzip"}
)

// headerValue is a response type as a shared header value.
func headerValue(contentType string) []string {
	if contentType == contentJSON {
		return jsonType
	}
	return graphQLResponseType
}

// acceptsGzip tells whether an Accept-Encoding header admits gzip (by
// name or *, with a quality above 0).
func acceptsGzip(header string) bool {
	for part := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "*" {
			continue
		}
		q := strings.ReplaceAll(strings.ToLower(params), " ", "")
		if v, ok := strings.CutPrefix(q, "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil && f == 0 {
				continue
			}
		}
		return true
	}
	return false
}
