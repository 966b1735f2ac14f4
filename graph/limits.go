package graph

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/lexer"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/thidua/thidua/domain"
)

// Limits bound what one GraphQL request may ask. Each is checked before any
// resolver runs: the text limits before parsing (GRAPHQL_VALIDATION_FAILED),
// the shape limits after validation (QUERY_TOO_COMPLEX). Zero disables one.
type Limits struct {
	MaxQueryBytes int // length of the query text
	MaxTokens     int // lexical tokens of the query text
	MaxDepth      int // nesting of selections, through fragments; introspection is exempt
	MaxAliases    int // aliased fields, __typename included
	MaxDirectives int // directive uses in the operation
	// MaxFields bounds the selections (fields, fragment spreads, inline
	// fragments) of the query text, counted before validation: gqlgen's
	// validator compares fields of a selection set pairwise, so a few
	// thousand fields of one name cost hundreds of milliseconds to
	// validate (BenchmarkManyFields).
	MaxFields int
}

// DefaultLimits are the limits when no setting says otherwise.
var DefaultLimits = Limits{MaxQueryBytes: 16 << 10, MaxTokens: 3000, MaxDepth: 10, MaxAliases: 15, MaxDirectives: 10,
	MaxFields: 300}

type limiter struct {
	Limits
	introspection bool // allowed; otherwise __schema and __type are refused at validation
}

func (limiter) ExtensionName() string                   { return "QueryLimits" }
func (limiter) Validate(graphql.ExecutableSchema) error { return nil }

func tooComplex(format string, args ...any) *gqlerror.Error {
	return &gqlerror.Error{Message: fmt.Sprintf(format, args...), Extensions: map[string]any{"code": string(domain.CodeTooComplex)}}
}

func invalidRequest(format string, args ...any) *gqlerror.Error {
	return &gqlerror.Error{Message: fmt.Sprintf(format, args...), Extensions: map[string]any{"code": string(domain.CodeValidation)}}
}

// MutateOperationParameters checks the query text before it is parsed.
func (l limiter) MutateOperationParameters(_ context.Context, p *graphql.RawParams) *gqlerror.Error {
	if l.MaxQueryBytes > 0 && len(p.Query) > l.MaxQueryBytes {
		return invalidRequest("the query is %d bytes long; the limit is %d", len(p.Query), l.MaxQueryBytes)
	}
	// Every token and every selection is at least a byte: a text no longer
	// than both limits needs no lexing (most queries; this one is asked
	// of every request, cached or not).
	if (l.MaxTokens <= 0 || len(p.Query) <= l.MaxTokens) && (l.MaxFields <= 0 || len(p.Query) <= l.MaxFields) {
		return nil
	}
	lx := lexer.New(&ast.Source{Input: p.Query})
	tokens := 0
	for ; ; tokens++ {
		tok, err := lx.ReadToken()
		if err != nil || tok.Kind == lexer.EOF {
			break // syntax errors are the parser's to report
		}
		if l.MaxTokens > 0 && tokens >= l.MaxTokens {
			return invalidRequest("the query has more than %d tokens", l.MaxTokens)
		}
	}
	// Every selection is at least a token: a text of few tokens needs no
	// counting (nor a parse of its own).
	if l.MaxFields > 0 && tokens > l.MaxFields {
		if n := selections(p.Query); n > l.MaxFields {
			return tooComplex("the query has %d fields; the limit is %d", n, l.MaxFields)
		}
	}
	return nil
}

// selections counts the fields, fragment spreads and inline fragments
// written in a query text (fragments are not expanded); 0 when it does not
// parse (the parser reports that).
func selections(query string) int {
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		return 0
	}
	n := 0
	var count func(ast.SelectionSet)
	count = func(set ast.SelectionSet) {
		for _, s := range set {
			n++
			switch s := s.(type) {
			case *ast.Field:
				count(s.SelectionSet)
			case *ast.InlineFragment:
				count(s.SelectionSet)
			}
		}
	}
	for _, op := range doc.Operations {
		count(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		count(f.SelectionSet)
	}
	return n
}

// maxErrors is how many errors a response that has no data lists; the
// rest are summed up in one more. A query of many unknown fields would
// otherwise be answered with an error per field.
const maxErrors = 10

func (limiter) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil || len(resp.Errors) <= maxErrors || len(resp.Data) > 0 && string(resp.Data) != "null" {
		return resp
	}
	more := &gqlerror.Error{Message: fmt.Sprintf("and %d more errors", len(resp.Errors)-maxErrors),
		Extensions: map[string]any{"code": resp.Errors[0].Extensions["code"]}}
	resp.Errors = append(resp.Errors[:maxErrors:maxErrors], more)
	return resp
}

// MutateOperationContext checks the shape of the validated operation.
func (l limiter) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	op := oc.Operation
	if op == nil {
		return nil
	}
	w := &walker{limits: l.Limits, fragments: oc.Doc.Fragments}
	w.directives += len(op.Directives)
	w.walk(op.SelectionSet, 1, map[string]bool{})
	switch {
	case w.introspects && !l.introspection:
		return invalidRequest("introspection is disabled")
	case l.MaxDepth > 0 && w.depth > l.MaxDepth && !introspectionOnly(op):
		return tooComplex("the query is %d levels deep; the limit is %d", w.depth, l.MaxDepth)
	case l.MaxAliases > 0 && w.aliases > l.MaxAliases:
		return tooComplex("the query has %d aliases; the limit is %d", w.aliases, l.MaxAliases)
	case l.MaxDirectives > 0 && w.directives > l.MaxDirectives:
		return tooComplex("the query uses %d directives; the limit is %d", w.directives, l.MaxDirectives)
	}
	return nil
}

// introspectionOnly reports whether every root field is __schema or __type
// (or __typename): introspection is recognised by what it asks, never by an
// operation or fragment name.
func introspectionOnly(op *ast.OperationDefinition) bool {
	if op.Operation != ast.Query {
		return false
	}
	found := false
	var check func(ast.SelectionSet) bool
	check = func(set ast.SelectionSet) bool {
		for _, s := range set {
			switch s := s.(type) {
			case *ast.Field:
				if s.Name != "__schema" && s.Name != "__type" && s.Name != "__typename" {
					return false
				}
				found = found || s.Name != "__typename"
			case *ast.InlineFragment:
				if !check(s.SelectionSet) {
					return false
				}
			case *ast.FragmentSpread:
				if s.Definition == nil || !check(s.Definition.SelectionSet) {
					return false
				}
			}
		}
		return true
	}
	return check(op.SelectionSet) && found
}

// walker measures an operation, expanding fragments (a fragment on the
// current path is not expanded again, so cycles end). It stops counting
// once every limit is passed.
type walker struct {
	limits                     Limits
	fragments                  ast.FragmentDefinitionList
	depth, aliases, directives int
	visits                     int
	introspects                bool // a __schema or __type field anywhere
}

// maxVisits bounds the walk itself (a small query can name a fragment
// many times).
const maxVisits = 100000

func (w *walker) walk(set ast.SelectionSet, depth int, onPath map[string]bool) {
	for _, s := range set {
		w.visits++
		if w.visits > maxVisits {
			w.depth = max(w.depth, w.limits.MaxDepth+1)
			return
		}
		switch s := s.(type) {
		case *ast.Field:
			w.introspects = w.introspects || s.Name == "__schema" || s.Name == "__type"
			w.depth = max(w.depth, depth)
			w.directives += len(s.Directives)
			if s.Alias != "" && s.Alias != s.Name {
				w.aliases++
			}
			if len(s.SelectionSet) > 0 {
				w.walk(s.SelectionSet, depth+1, onPath)
			}
		case *ast.InlineFragment:
			w.directives += len(s.Directives)
			w.walk(s.SelectionSet, depth, onPath)
		case *ast.FragmentSpread:
			w.directives += len(s.Directives)
			if onPath[s.Name] {
				continue
			}
			def := s.Definition
			if def == nil {
				def = w.fragments.ForName(s.Name)
			}
			if def == nil {
				continue
			}
			onPath[s.Name] = true
			w.directives += len(def.Directives)
			w.walk(def.SelectionSet, depth, onPath)
			delete(onPath, s.Name)
		}
	}
}
