package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/thidua/thidua/auth"
	"github.com/thidua/thidua/dbtest"
	"github.com/thidua/thidua/service"
)

// inlineEnv is the GraphQL endpoint over a store with its read model (the
// embedded server's default), keeping no answers (RESPONSE_CACHE=off:
// every request runs the executor), with n awards of lang-son, half of
// them in a movement; post sends a request as an editor of lang-son.
func inlineEnv(t *testing.T, n int) (post func(body string, hdr ...string) *httptest.ResponseRecorder) {
	t.Helper()
	if !dbtest.ReadModel() {
		t.Skip("READ_MODEL=off: no read model, so no query of the read model runs inline")
	}
	ctx := t.Context()
	store, refs := seededStore(t)
	svc := &service.Service{Store: store, Catalog: refs, Now: time.Now}
	h := NewHandler(&Resolver{Service: svc, Catalog: refs, Now: time.Now},
		HandlerConfig{Logger: slog.New(slog.DiscardHandler), MaxUploadBytes: 1 << 20, NoResponseCache: true})
	p := &auth.Principal{Subject: "u-1", Roles: map[string]auth.Role{"lang-son": auth.Editor}}
	post = func(body string, hdr ...string) *httptest.ResponseRecorder {
		t.Helper()
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req.WithContext(auth.WithPrincipal(ctx, p)))
		return rec
	}
	gql := func(q string, vars map[string]any) map[string]any {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
		var out map[string]any
		if err := json.Unmarshal(post(string(body)).Body.Bytes(), &out); err != nil || out["errors"] != nil {
			t.Fatalf("%s: %v %v", q, out, err)
		}
		return out
	}
	m := gql(`mutation { createMovement(input: {title: "Thi đua chuyển đổi số", scope: PROVINCE, kind: ANNUAL, provinceId: "lang-son", startYear: 2024}) { id } }`, nil)
	movement := m["data"].(map[string]any)["createMovement"].(map[string]any)["id"]
	for i := range n {
		in := map[string]any{"provinceId": "lang-son", "awardTypeId": "bang-khen-chu-tich-tinh", "authority": "PROVINCE_CHAIR",
			"recipient": map[string]any{"kind": "INDIVIDUAL", "name": fmt.Sprintf("Nguyễn Văn Thử %d", i), "position": "Chuyên viên"},
			"year":      2024, "status": "PROPOSED"}
		if i%2 == 0 {
			in["movementId"] = movement
		}
		gql(`mutation($in: AwardInput!) { createAward(input: $in) { id } }`, map[string]any{"in": in})
	}
	return post
}

const inlinePage = `{ awards(first: 50, filter: {provinceId: "lang-son"}) { totalCount edges { cursor node {
  id year status class recipient { name position organization } province { id name }
  awardType { id name } movement { id title province { id } } %s } } } }`

// goroutinesCreated is the process's count of goroutines ever started.
func goroutinesCreated() uint64 {
	s := []metrics.Sample{{Name: "/sched/goroutines-created:goroutines"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// A page read from memory runs on the request's goroutine, and answers
// what the executor answers with its goroutines: the same page with one
// more field that is not read from memory (legalBasis: not one of
// cachedFields) runs as gqlgen wrote it, one goroutine per award and more.
func TestInlinePageRunsOnTheRequestsGoroutine(t *testing.T) {
	const n = 30
	post := inlineEnv(t, n)
	run := func(extra string) (map[string]any, uint64) {
		body, _ := json.Marshal(map[string]any{"query": fmt.Sprintf(inlinePage, extra)})
		post(string(body)) // warm: the read model's first load, the query's parse
		before := goroutinesCreated()
		rec := post(string(body))
		created := goroutinesCreated() - before
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || out["errors"] != nil {
			t.Fatalf("%s: %v", rec.Body.String(), err)
		}
		return out, created
	}
	inline, inlineCreated := run("")
	executed, executedCreated := run("legalBasis")
	edges := executed["data"].(map[string]any)["awards"].(map[string]any)["edges"].([]any)
	for _, e := range edges {
		delete(e.(map[string]any)["node"].(map[string]any), "legalBasis")
	}
	a, _ := json.Marshal(inline)
	b, _ := json.Marshal(executed)
	if !bytes.Equal(a, b) {
		t.Errorf("inline:\n%s\nexecuted with goroutines:\n%s", a, b)
	}
	if len(edges) != n {
		t.Errorf("%d awards, want %d", len(edges), n)
	}
	// Other tests of the package run beside this one and start their own.
	if inlineCreated >= n/2 || executedCreated < n {
		t.Errorf("goroutines started: %d inline, %d executed; want under %d and at least %d", inlineCreated, executedCreated, n/2, n)
	}
}

// A @defer'd field of an inline query is delivered later, as gqlgen does.
func TestInlineQueryDefers(t *testing.T) {
	post := inlineEnv(t, 3)
	rec := post(`{"query":"{ awards(first: 5, filter: {provinceId: \"lang-son\"}) { edges { node { id ... @defer(label: \"m\") { movement { title } } } } } }"}`,
		"Accept", "multipart/mixed;deferSpec=20220824, application/json")
	raw, _ := io.ReadAll(rec.Body)
	if !strings.HasPrefix(rec.Header().Get("Content-Type"), "multipart/mixed") ||
		strings.Count(string(raw), `"label":"m"`) != 3 || strings.Count(string(raw), "Thi đua chuyển đổi số") != 2 {
		t.Errorf("%d %s\n%s", rec.Code, rec.Header().Get("Content-Type"), raw)
	}
}

// Inline, a panic in an element or a field is that element's or field's
// error and null, as with gqlgen's goroutines.
func TestInlinePanics(t *testing.T) {
	recovered := func(_ context.Context, err any) error { return fmt.Errorf("recovered: %v", err) }
	ctx := graphql.WithOperationContext(context.Background(), &graphql.OperationContext{
		RecoverFunc:        recovered,
		ResolverMiddleware: func(ctx context.Context, next graphql.Resolver) (any, error) { return next(ctx) },
		RootResolverMiddleware: func(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
			return next(ctx)
		},
	})
	ctx = withInline(graphql.WithResponseContext(ctx, graphql.DefaultErrorPresenter, recovered))
	arr := marshalSlice(ctx, 3, 0, false, func(ctx context.Context, i int) graphql.Marshaler {
		if i == 1 {
			panic("element")
		}
		return graphql.MarshalInt(i)
	})
	if arr[0] == graphql.Null || arr[1] != graphql.Null || arr[2] == graphql.Null {
		t.Errorf("elements: %v", arr)
	}
	out := graphql.NewFieldSet([]graphql.CollectedField{{}, {}})
	oc := graphql.GetOperationContext(ctx)
	resolveRootField(ctx, out, oc, 0, true, true, func(context.Context) graphql.Marshaler { panic("root") })
	resolveField(ctx, out, graphql.CollectedField{}, oc, &graphql.DeferredGroup{Context: ctx}, 1, true, false,
		func(context.Context) graphql.Marshaler { return graphql.MarshalString("ok") })
	if out.Values[0] != graphql.Null || out.Invalids != 1 || out.Values[1] == graphql.Null {
		t.Errorf("fields: %v, %d invalid", out.Values, out.Invalids)
	}
	errs := graphql.GetErrors(ctx)
	if len(errs) != 2 || errs[0].Message != "recovered: element" || errs[0].Path.String() != "[1]" || errs[1].Message != "recovered: root" {
		t.Errorf("errors: %v", errs)
	}
}

// An object's JSON is gqlgen's: fields in order, a repeated alias once
// (its first value), an alias that is not a name escaped.
func TestObjectJSON(t *testing.T) {
	var fields []graphql.CollectedField
	for _, a := range []string{"id", "_n2", "id", "tên \"x\"", "z"} {
		fields = append(fields, graphql.CollectedField{Field: &ast.Field{Alias: a}})
	}
	out := graphql.NewFieldSet(fields)
	for i := range fields {
		out.Values[i] = graphql.MarshalInt(i)
	}
	out.Values[4] = graphql.Null
	var want, got bytes.Buffer
	out.MarshalGQL(&want)
	objectJSON{fields, out}.MarshalGQL(&got)
	if got.String() != want.String() || !json.Valid(got.Bytes()) {
		t.Errorf("%s, want %s", got.String(), want.String())
	}
}
