package auth

import (
	"github.com/thidua/thidua/domain"

	"log/slog"
	"net/http"
	"strings"
)

// Middleware verifies the bearer token, if any, and puts the principal in
// the request context. A request without Authorization is anonymous; one
// with a token that fails verification is refused with 401.
func Middleware(v *Verifier, logger *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := r.Header.Get("Authorization")
			if h == "" {
				next.ServeHTTP(w, r)
				return
			}
			scheme, token, ok := strings.Cut(h, " ")
			if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
				refuse(w, r, logger, "authorization header is not a bearer token")
				return
			}
			p, err := v.Verify(r.Context(), strings.TrimSpace(token))
			if err != nil {
				refuse(w, r, logger, err.Error())
				return
			}
			next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
		})
	}
}

var unauthenticatedBody = `{"errors":[{"message":"invalid or expired token","extensions":{"code":"` + string(domain.CodeUnauthenticated) + `"}}]}`

func refuse(w http.ResponseWriter, r *http.Request, logger *slog.Logger, why string) {
	logger.InfoContext(r.Context(), "token refused", "reason", why, "path", r.URL.Path)
	w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(domain.CodeUnauthenticated.HTTPStatus())
	_, _ = w.Write([]byte(unauthenticatedBody))
}
