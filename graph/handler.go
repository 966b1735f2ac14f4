package graph

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/graph/model"
)

// HandlerConfig configures the GraphQL endpoint.
type HandlerConfig struct {
	Introspection   bool // also "did you mean" suggestions in errors
	ComplexityLimit int
	Limits          Limits
	Logger          *slog.Logger
	Subscriptions   SubscriptionConfig
	// AnonymousRefusal counts a mutation refused to an anonymous caller,
	// which leaves no audit entry (a metric; nil: not counted).
	AnonymousRefusal func(operation string)
	// MaxUploadBytes bounds a file of a multipart upload (the request may
	// be 1 MiB more, for its operations and map).
	MaxUploadBytes int64
	// NoResponseCache runs every query through the executor, keeping no
	// answers (the RESPONSE_CACHE setting; refcache.go).
	NoResponseCache bool
}

// NewHandler returns the GraphQL endpoint (POST and GET) for r. It expects
// the auth middleware in front of it.
func NewHandler(r *Resolver, cfg HandlerConfig) http.Handler {
	c := Config{Resolvers: r}
	// A page costs its fields once per row it may return.
	c.Complexity.Query.Awards = func(child int, _ *model.AwardFilter, first *int, _ *string) int {
		return 1 + child*pageCost(first)
	}
	c.Complexity.Query.Movements = func(child int, _ *model.MovementFilter, first *int, _ *string) int {
		return 1 + child*pageCost(first)
	}
	c.Complexity.Query.PeriodReviews = func(child int, _ *model.PeriodReviewFilter, first *int, _ *string) int {
		return 1 + child*pageCost(first)
	}
	c.Complexity.Query.Dossiers = func(child int, _ *model.DossierFilter, first *int, _ *string) int {
		return 1 + child*pageCost(first)
	}
	c.Complexity.Query.Decisions = func(child int, _ *model.CommendationDecisionFilter, first *int, _ *string) int {
		return 1 + child*pageCost(first)
	}
	c.Complexity.Query.Honorees = func(child int, _ *model.HonoreeFilter, first *int, _ *string) int {
		return 1 + child*pageCost(first)
	}
	c.Complexity.CommendationDecision.Awards = func(child int, first *int, _ *string) int { return 1 + child*pageCost(first) }
	c.Complexity.Honoree.Awards = func(child int, first *int, _ *string) int { return 1 + child*pageCost(first) }
	// A dossier's recipients are not paged (at most 500): they count as ten.
	c.Complexity.Dossier.Recipients = func(child int) int { return 1 + child*10 }
	srv := handler.New(NewExecutableSchema(c))
	addSubscriptions(srv, r, cfg.Subscriptions)
	srv.AddTransport(transport.Options{})
	// @defer for clients that accept multipart/mixed; before POST, which
	// would otherwise take the request and answer it whole.
	srv.AddTransport(transport.MultipartMixed{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(jsonPOST{})
	// File uploads: the GraphQL multipart request convention, each file
	// read from the request only once its command may store it, and then
	// to a temporary file (upload.go).
	srv.AddTransport(multipartUpload{maxBody: cfg.MaxUploadBytes + 1<<20, maxField: 1 << 20})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.Use(limiter{Limits: cfg.Limits, introspection: cfg.Introspection})
	if cfg.Limits.MaxTokens > 0 {
		srv.SetParserTokenLimit(cfg.Limits.MaxTokens + 1) // a backstop; the limiter refuses first
	}
	if cfg.Introspection {
		srv.Use(extension.Introspection{})
	} else {
		srv.SetDisableSuggestion(true)
	}
	// Automatic persisted queries (the Apollo protocol), GET and POST: a
	// hash alone answers PERSISTED_QUERY_NOT_FOUND until the client sends
	// the query with it once.
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)})
	if cfg.ComplexityLimit > 0 {
		srv.Use(extension.FixedComplexityLimit(cfg.ComplexityLimit))
	}
	audit := auditor{service: r.Service, logger: cfg.Logger, anonymousRefusal: cfg.AnonymousRefusal}
	if r.Service.Transactional() {
		srv.Use(audit)
	} else {
		// The field interceptor only runs a mutation and its entry in one
		// transaction; without transactions it would cost every field of
		// every query a pass through it (11 % of a 50-award page's CPU).
		srv.Use(auditRoots{audit})
	}
	kept := &refCache{catalog: r.Catalog, now: r.Now, generation: r.Service.ReadGeneration, off: cfg.NoResponseCache}
	srv.Use(kept)
	srv.SetErrorPresenter(presentError(cfg.Logger, !cfg.Introspection))
	srv.SetRecoverFunc(recoverPanic(cfg.Logger))
	return kept.keptAnswers(loadersMiddleware(r.Service, srv))
}

func pageCost(first *int) int {
	switch {
	case first == nil:
		return domain.DefaultPageSize
	case *first < 1:
		return 1
	case *first > domain.MaxPageSize:
		return domain.MaxPageSize
	default:
		return *first
	}
}

// auditRoots is the audit trail's extension without its field interceptor:
// gqlgen calls a field interceptor for every field it resolves.
type auditRoots struct{ a auditor }

func (auditRoots) ExtensionName() string                   { return "AuditTrail" }
func (auditRoots) Validate(graphql.ExecutableSchema) error { return nil }

func (r auditRoots) InterceptRootField(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	return r.a.InterceptRootField(ctx, next)
}
