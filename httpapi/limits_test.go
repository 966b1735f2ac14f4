package httpapi_test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/thidua/thidua/graph"
)

func nested(depth int) string {
	// provinces { successor { successor { ... id } } }
	q := "id"
	for i := 0; i < depth-1; i++ {
		q = "successor { " + q + " }"
	}
	return "{ provinces { " + q + " } }"
}

func aliases(n int) string {
	var b strings.Builder
	b.WriteString("{ ")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "a%d: __typename ", i)
	}
	b.WriteString("}")
	return b.String()
}

// Every limit refuses before any resolver runs, with its code; just under
// it, the query runs.
func TestQueryLimits(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	cases := []struct {
		name, query string
		code        string // "" = allowed
	}{
		{"depth 10", nested(9), ""},
		{"depth 11", nested(10), "QUERY_TOO_COMPLEX"},
		{"depth through fragments", `query { provinces { ...A } } fragment A on Province { successor { ...B } }
		  fragment B on Province { successor { successor { successor { successor { successor { successor { successor { successor { id } } } } } } } } }`, "QUERY_TOO_COMPLEX"},
		{"fragment cycle", `query { provinces { ...A } } fragment A on Province { successor { ...B } } fragment B on Province { successor { ...A } }`, "GRAPHQL_VALIDATION_FAILED"},
		{"introspection by its root field", `query IntrospectionQuery { __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } }`, ""},
		{"a deep query named like introspection", `query IntrospectionQuery { provinces { ...IntrospectionFragment } } fragment IntrospectionFragment on Province { ` + strings.TrimPrefix(strings.TrimSuffix(nested(12), " } }"), "{ provinces { ") + ` }`, "QUERY_TOO_COMPLEX"},
		{"15 aliases", aliases(15), ""},
		{"16 aliases, __typename counted", aliases(16), "QUERY_TOO_COMPLEX"},
		{"11 directives", `{ ` + strings.Repeat(`__typename @include(if: true) `, 11) + `}`, "QUERY_TOO_COMPLEX"},
		{"too many tokens", `{ ` + strings.Repeat(`__typename `, 3001) + `}`, "GRAPHQL_VALIDATION_FAILED"},
		{"too long", `{ __typename }` + strings.Repeat(" ", 16<<10), "GRAPHQL_VALIDATION_FAILED"},
		{"page over 100", `{ awards(first: 500) { totalCount } }`, "BAD_USER_INPUT"},
		{"complexity: 100 × 100", `{ awards(first: 100) { edges { node { id year status citation legalBasis recipient { name position organization kind }
		  province { id name isoCode } awardType { id name form } movement { id title scope } decision { number date } } } }
		  m: movements(first: 100) { edges { node { id title scope kind launchedBy description startYear endYear province { id name } } } }
		  r: periodReviews(first: 100) { edges { node { id kind year date theme location summary { provincesReported } } } } }`, "QUERY_TOO_COMPLEX"},
	}
	for _, c := range cases {
		r := a.do("", c.query, nil)
		if r.code() != c.code {
			t.Errorf("%s: code %q (%v), want %q", c.name, r.code(), r.Errors, c.code)
		}
	}
}

func TestHTTPRules(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	do := func(method, path, ctype, accept, body string) (*http.Response, string) {
		req, _ := http.NewRequest(method, a.srv.URL+path, strings.NewReader(body))
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return res, string(raw)
	}
	q := `{"query":"{ __typename }"}`
	res, _ := do("GET", "/graphql?query=mutation%7BdeleteAward(id:%22x%22,expectedVersion:1)%7D", "", "", "")
	if res.StatusCode != 405 || res.Header.Get("Allow") != "POST" {
		t.Errorf("mutation over GET: %d Allow %q", res.StatusCode, res.Header.Get("Allow"))
	}
	if res, _ := do("GET", "/graphql?query=%7B__typename%7D", "", "", ""); res.StatusCode != 200 {
		t.Errorf("query over GET: %d", res.StatusCode)
	}
	// Refusals of the protocol carry codes of their own (the error table),
	// not BAD_USER_INPUT: the input was never read.
	if res, body := do("POST", "/graphql", "text/plain", "", q); res.StatusCode != 415 || !strings.Contains(body, `"UNSUPPORTED_MEDIA_TYPE"`) {
		t.Errorf("text/plain body: %d %s, want 415 UNSUPPORTED_MEDIA_TYPE", res.StatusCode, body)
	}
	if res, body := do("POST", "/graphql", "application/json", "text/html", q); res.StatusCode != 406 || !strings.Contains(body, `"NOT_ACCEPTABLE"`) {
		t.Errorf("Accept: text/html: %d %s, want 406 NOT_ACCEPTABLE", res.StatusCode, body)
	}
	if res, _ := do("POST", "/graphql", "application/json; charset=utf-8", "application/graphql-response+json", q); res.StatusCode != 200 ||
		!strings.HasPrefix(res.Header.Get("Content-Type"), "application/graphql-response+json") {
		t.Errorf("graphql-response+json: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if res, body := do("POST", "/reports/awards.csv", "application/json", "", "{}"); res.StatusCode != 405 ||
		!strings.Contains(body, `"METHOD_NOT_ALLOWED"`) || res.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST to a report: %d %s", res.StatusCode, body)
	}
	if res, body := do("DELETE", "/graphql", "", "", ""); res.StatusCode != 405 || !strings.Contains(res.Header.Get("Allow"), "POST") ||
		!strings.Contains(body, `"METHOD_NOT_ALLOWED"`) {
		t.Errorf("DELETE: %d %s", res.StatusCode, body)
	}
	if res, body := do("POST", "/graphql", "application/json", "", `[`+q+`,`+q+`]`); res.StatusCode == 200 && !strings.Contains(body, `"errors"`) {
		t.Errorf("a JSON array batch was served: %s", body)
	}
	big := `{"query":"{ __typename }","variables":{"x":"` + strings.Repeat("a", 70<<10) + `"}}`
	if res, body := do("POST", "/graphql", "application/json", "", big); res.StatusCode != 413 || !strings.Contains(body, `"PAYLOAD_TOO_LARGE"`) {
		t.Errorf("70 KiB body: %d %s, want 413 PAYLOAD_TOO_LARGE", res.StatusCode, body)
	}
	// The same without a Content-Length (chunked).
	req, _ := http.NewRequest("POST", a.srv.URL+"/graphql", io.MultiReader(strings.NewReader(big)))
	req.Header.Set("Content-Type", "application/json")
	req.ContentLength = -1
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 413 {
		t.Errorf("70 KiB chunked body: %d, want 413", res.StatusCode)
	}
}

// The playground's example query costs under half the default complexity
// limit (5000): it runs with a limit of 2500.
func TestPlaygroundQueryUnderHalfTheComplexityLimit(t *testing.T) {
	t.Parallel()
	js, err := os.ReadFile("../playground/playground.js")
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, m := range regexp.MustCompile(`(?m)^\s*'(.*)',?$`).FindAllStringSubmatch(string(js), -1) {
		lines = append(lines, strings.ReplaceAll(m[1], `\'`, `'`))
	}
	query := strings.Join(lines, "\n")
	if !strings.Contains(query, "query Review2022") {
		t.Fatalf("could not read the example query from playground.js: %q", query)
	}
	a := newAPIWith(t, func(c *graph.HandlerConfig) { c.ComplexityLimit = 2500 })
	a.ok("", query, nil)
	b := newAPIWith(t, func(c *graph.HandlerConfig) { c.ComplexityLimit = 50 })
	if r := b.do("", query, nil); r.code() != "QUERY_TOO_COMPLEX" {
		t.Errorf("with a limit of 50: %v (the complexity limit is not applied?)", r.Errors)
	}
}
