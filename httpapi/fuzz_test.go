package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

var knownCodes = map[string]bool{
	"UNAUTHENTICATED": true, "FORBIDDEN": true, "NOT_FOUND": true, "BAD_USER_INPUT": true, "CONFLICT": true,
	"GRAPHQL_PARSE_FAILED": true, "GRAPHQL_VALIDATION_FAILED": true, "QUERY_TOO_COMPLEX": true,
	"SERVICE_UNAVAILABLE": true,
}

// check asserts what every response must be: no 5xx, a JSON body, and
// every error with a known code (never an internal one for bad input).
func check(t *testing.T, rec *httptest.ResponseRecorder, input string) {
	if rec.Code >= 500 {
		t.Fatalf("HTTP %d for %q: %s", rec.Code, input, rec.Body)
	}
	var out struct {
		Errors []struct {
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("HTTP %d for %q: body is not JSON: %s", rec.Code, input, rec.Body)
	}
	for _, e := range out.Errors {
		if code, _ := e.Extensions["code"].(string); !knownCodes[code] {
			t.Fatalf("error code %q for %q: %s", code, input, rec.Body)
		}
	}
}

// FuzzRequestBody: any POST body gets a well-formed answer.
func FuzzRequestBody(f *testing.F) {
	a := newAPI(f)
	for _, s := range []string{`{"query":"{ provinces { id name } }"}`, `{"query":"{ awards(first: 5) { totalCount } }"}`,
		`[{"query":"{ __typename }"}]`, `{"query":1}`, `{"query":"{ __typename }","variables":"x"}`, `{bad`, ``, `null`,
		`{"query":"mutation($in: AwardInput!) { createAward(input: $in) { id } }","variables":{"in":{"provinceId":"lang-son"}}}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		a.h.ServeHTTP(rec, req)
		check(t, rec, body)
	})
}

// FuzzQuery: any query text (through the parser, the validator and the
// limits) gets a well-formed answer.
func FuzzQuery(f *testing.F) {
	a := newAPI(f)
	for _, s := range []string{`{ provinces { id successor { id successor { id } } } }`, `query Q($y: Int) { awards(filter: {year: $y}) { totalCount } }`,
		`{ a: __typename b: __typename }`, `fragment A on Query { ...A } { ...A }`, `{ __schema { types { name } } }`,
		`{ movements(filter: {search: "nông thôn"}) { edges { node { title } } } }`, `{ award(id: "zzz") { id } }`,
		`{ provinces(activeOn: "2025-13-01") { id } }`, `{ __typename @skip(if: true) }`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, query string) {
		body, _ := json.Marshal(map[string]string{"query": query})
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		a.h.ServeHTTP(rec, req)
		check(t, rec, query)
	})
}
