package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"runtime/debug"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/httpapi"
)

// presentError maps every error to the wire: application errors show their
// code, message and field; GraphQL parse and validation errors keep the
// code gqlgen gave them; anything else is logged once, with the request id,
// and shown as "internal error".
func presentError(logger *slog.Logger, noSuggestions bool) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		if noSuggestions {
			// "Did you mean" tells a stranger the schema: off in production
			// for every kind of name (fields, arguments, types, enum values,
			// input fields), not only fields as gqlgen does.
			gqlErr.Message = strings.TrimSpace(suggestion.ReplaceAllString(gqlErr.Message, ""))
		}
		var de *domain.Error
		if errors.As(err, &de) {
			gqlErr.Message = de.Message
			gqlErr.Extensions = map[string]any{"code": string(de.Code)}
			if de.Code == domain.CodeInvalid {
				field := de.Field
				if field == "" {
					field = argumentPath(ctx, gqlErr.Path)
				}
				if field != "" {
					gqlErr.Extensions["field"] = field
				}
			} else if de.Field != "" {
				// A conflict on a key names the input field too.
				gqlErr.Extensions["field"] = de.Field
			}
			if de.Err != nil {
				logger.WarnContext(ctx, "request failed", "code", de.Code, "err", de.Err,
					"request_id", domain.RequestID(ctx), "path", gqlErr.Path.String())
			}
			return gqlErr
		}
		if code, ok := gqlErr.Extensions["code"]; ok && code != "" {
			if code == "COMPLEXITY_LIMIT_EXCEEDED" { // gqlgen's name for it
				gqlErr.Extensions["code"] = string(domain.CodeTooComplex)
			}
			return gqlErr
		}
		// gqlgen's own request errors (a body that is not JSON, say) carry
		// no cause and no path; their text may quote the body, so only its
		// first clause is kept.
		var ge *gqlerror.Error
		if errors.As(err, &ge) && ge.Err == nil && len(ge.Path) == 0 {
			msg, _, _ := strings.Cut(ge.Message, ":")
			gqlErr.Message = msg
			gqlErr.Extensions = map[string]any{"code": string(domain.CodeParse)}
			return gqlErr
		}
		if httpapi.ClientGone(err) {
			logger.DebugContext(ctx, "client gone", "err", err,
				"request_id", domain.RequestID(ctx), "path", gqlErr.Path.String())
			gqlErr.Message = "the request was cancelled"
			gqlErr.Extensions = map[string]any{"code": string(domain.CodeUnavailable)}
			return gqlErr
		}
		if errors.Is(err, context.DeadlineExceeded) {
			gqlErr.Message = "the request took too long"
			gqlErr.Extensions = map[string]any{"code": string(domain.CodeUnavailable)}
			return gqlErr
		}
		logger.ErrorContext(ctx, "internal error", "err", err,
			"request_id", domain.RequestID(ctx), "path", gqlErr.Path.String())
		gqlErr.Message = "internal error"
		gqlErr.Extensions = map[string]any{"code": string(domain.CodeInternal)}
		return gqlErr
	}
}

var suggestion = regexp.MustCompile(`\s*Did you mean [^?]*\?`)

// argumentPath names the input field of an error raised while reading an
// argument: the part of the error's path below the resolver's own field.
func argumentPath(ctx context.Context, path ast.Path) string {
	depth := 0
	if fc := graphql.GetFieldContext(ctx); fc != nil {
		depth = len(fc.Path())
	}
	if depth > len(path) {
		return ""
	}
	var b strings.Builder
	for _, el := range path[depth:] {
		switch el := el.(type) {
		case ast.PathIndex:
			fmt.Fprintf(&b, "[%d]", int(el))
		case ast.PathName:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(string(el))
		}
	}
	return b.String()
}

// recoverPanic turns a panic in a resolver into an internal error; the
// stack goes to the log, not to the client.
func recoverPanic(logger *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		logger.ErrorContext(ctx, "panic in resolver", "panic", fmt.Sprint(p),
			"request_id", domain.RequestID(ctx), "stack", string(debug.Stack()))
		return &domain.Error{Code: domain.CodeInternal, Message: "internal error"}
	}
}
