package httpapi

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/rs/cors"
)

// corsHeaders are the request headers a browser client may send: the
// protocol's own, and what Apollo Client and urql add.
var corsHeaders = []string{
	"Authorization", "Content-Type", "Accept", "X-Request-Id",
	"Apollo-Require-Preflight", "X-Apollo-Operation-Name",
	"Apollographql-Client-Name", "Apollographql-Client-Version",
	"GraphQL-Preflight",
}

// withCORS answers preflights (204) and marks responses readable by the
// allowed origins: each of origins exactly and, with localhost, any
// http://localhost:<port> and http://127.0.0.1:<port>. Bearer tokens are
// headers, not cookies: no credentials mode.
func withCORS(origins []string, localhost bool, next http.Handler) http.Handler {
	return cors.New(cors.Options{
		// Always a func: rs/cors allows every origin when given none.
		AllowOriginFunc:  OriginAllowed(origins, localhost),
		AllowedMethods:   []string{http.MethodGet, http.MethodPost},
		AllowedHeaders:   corsHeaders,
		ExposedHeaders:   []string{"X-Request-Id", "Retry-After", "WWW-Authenticate", "Content-Disposition"},
		MaxAge:           600,
		AllowCredentials: false,
	}).Handler(next)
}

// OriginAllowed is the CORS_ORIGINS rule: each of origins exactly and,
// with localhost, any http://localhost:<port> and http://127.0.0.1:<port>.
// The WebSocket upgrade of subscriptions checks the same rule.
func OriginAllowed(origins []string, localhost bool) func(origin string) bool {
	exact := map[string]bool{}
	for _, o := range origins {
		exact[strings.ToLower(strings.TrimSuffix(o, "/"))] = true
	}
	return func(origin string) bool {
		return exact[strings.ToLower(origin)] || (localhost && isLocalOrigin(origin))
	}
}

// isLocalOrigin reports whether origin is http://localhost:<port> or
// http://127.0.0.1:<port>.
func isLocalOrigin(origin string) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Scheme != "http" || u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" {
		return false
	}
	if h := u.Hostname(); h != "localhost" && h != "127.0.0.1" {
		return false
	}
	p, err := strconv.Atoi(u.Port())
	return err == nil && p > 0 && p < 65536
}

// ParseOrigin checks one entry of CORS_ORIGINS (scheme://host[:port], no
// path) and returns it in the form browsers send.
func ParseOrigin(s string) (string, bool) {
	s = strings.TrimSuffix(strings.TrimSpace(s), "/")
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		u.Path != "" || u.RawQuery != "" || u.Fragment != "" || strings.Contains(s, "*") {
		return "", false
	}
	return strings.ToLower(s), true
}
