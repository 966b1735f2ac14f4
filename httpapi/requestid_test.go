package httpapi

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/thidua/thidua/domain"
)

// A client's sane X-Request-Id is kept (in the response and the context);
// any other is replaced by 16 random hex digits.
func TestRequestID(t *testing.T) {
	made := regexp.MustCompile(`^[0-9a-f]{16}$`)
	for _, c := range []struct {
		sent string
		kept bool
	}{
		{"abc-DEF_1.2", true}, {strings.Repeat("a", 64), true},
		{"", false}, {strings.Repeat("a", 65), false}, {"a b", false}, {"a/b", false}, {"ả", false}, {"a\x00", false},
	} {
		var inCtx string
		h := requestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { inCtx = domain.RequestID(r.Context()) }))
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		if c.sent != "" {
			req.Header.Set("X-Request-Id", c.sent)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		got := rec.Header().Get("X-Request-Id")
		if got != inCtx {
			t.Errorf("%q: response says %q, context %q", c.sent, got, inCtx)
		}
		if c.kept && got != c.sent || !c.kept && !made.MatchString(got) {
			t.Errorf("%q: id %q (kept: %v)", c.sent, got, c.kept)
		}
	}
}
