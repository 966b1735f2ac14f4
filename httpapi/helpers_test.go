package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/thidua/thidua/auth"
	"github.com/thidua/thidua/catalog"
	"github.com/thidua/thidua/dbtest"
	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/export"
	"github.com/thidua/thidua/graph"
	"github.com/thidua/thidua/httpapi"
	"github.com/thidua/thidua/repository"
	"github.com/thidua/thidua/seed"
	"github.com/thidua/thidua/service"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var (
	secret = []byte("test-secret-test-secret-test-secret")
	now    = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
)

// api is the whole HTTP surface over a fresh database with the founding data.
type api struct {
	t     testing.TB
	h     http.Handler
	srv   *httptest.Server
	store *repository.Store
	refs  *catalog.Cache
	svc   *service.Service
}

func newAPI(t testing.TB, opts ...repository.Option) *api {
	t.Helper()
	return newAPIWith(t, nil, opts...)
}

// newAPIWith is newAPI with the GraphQL handler's configuration changed.
func newAPIWith(t testing.TB, conf func(*graph.HandlerConfig), opts ...repository.Option) *api {
	t.Helper()
	return newAPIDeps(t, conf, nil, opts...)
}

// newAPIDeps is newAPIWith with the HTTP surface's dependencies changed too.
func newAPIDeps(t testing.TB, conf func(*graph.HandlerConfig), deps func(*httpapi.Deps), opts ...repository.Option) *api {
	t.Helper()
	ctx := context.Background()
	store := dbtest.Store(t, append(opts, repository.WithClock(func() time.Time { return now }))...)
	if err := seed.Load(ctx, store); err != nil {
		t.Fatal(err)
	}
	if err := store.Migrate(ctx, seed.Migrations()...); err != nil {
		t.Fatal(err)
	}
	refs, err := catalog.New(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := auth.NewVerifier(auth.VerifierConfig{Secret: secret, Issuer: "thidua", Audience: "thidua",
		Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	hc := graph.HandlerConfig{Introspection: true, ComplexityLimit: 5000, Limits: graph.DefaultLimits, Logger: logger,
		MaxUploadBytes: 1 << 20}
	hc.Subscriptions.Verifier = verifier
	if conf != nil {
		conf(&hc)
	}
	clock := func() time.Time { return now }
	limits := domain.DefaultFileLimits()
	limits.MaxBytes = 1 << 20
	svc := &service.Service{Store: store, Catalog: refs, Now: clock, Events: service.NewBus(0), FileLimits: &limits}
	res := &graph.Resolver{Service: svc, Catalog: refs, Now: clock}
	d := httpapi.Deps{
		Exports:  export.Handler(svc, logger),
		GraphQL:  graph.NewHandler(res, hc),
		Verifier: verifier, DB: store, Logger: logger, Playground: true,
		// Generous: CI's second run answers lists from the database
		// (READ_MODEL=off), on two cores shared with the other packages.
		RequestTimeout: 20 * time.Second, MaxBodyBytes: 64 << 10,
		Files: httpapi.FileHandler(svc.OpenFile, httpapi.WriteError(logger)), MaxUploadBytes: limits.MaxBytes,
	}
	if deps != nil {
		deps(&d)
	}
	h := httpapi.New(d)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &api{t: t, h: h, srv: srv, store: store, refs: refs, svc: svc}
}

// token returns a bearer token with roles such as "lang-son=editor".
func token(t testing.TB, roles map[string]string) string {
	t.Helper()
	tok, err := auth.Issue(auth.IssueConfig{Secret: secret, Issuer: "thidua", Audience: "thidua",
		Subject: "u-test", Name: "Người Thử", Roles: roles, TTL: time.Hour, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

type response struct {
	Status int
	Data   map[string]any
	Errors []gqlError
}

func (r *response) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

func (r *response) field() string {
	if len(r.Errors) == 0 {
		return ""
	}
	f, _ := r.Errors[0].Extensions["field"].(string)
	return f
}

// do posts a GraphQL request as the caller holding tok ("" for anonymous).
func (a *api) do(tok, query string, vars map[string]any) *response {
	a.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Data   map[string]any `json:"data"`
		Errors []gqlError     `json:"errors"`
	}
	raw, _ := io.ReadAll(res.Body)
	if err := json.Unmarshal(raw, &out); err != nil {
		a.t.Fatalf("response %d is not JSON: %s", res.StatusCode, raw)
	}
	return &response{Status: res.StatusCode, Data: out.Data, Errors: out.Errors}
}

// ok runs a request that must succeed and returns its data.
func (a *api) ok(tok, query string, vars map[string]any) map[string]any {
	a.t.Helper()
	r := a.do(tok, query, vars)
	if len(r.Errors) > 0 {
		a.t.Fatalf("unexpected errors: %+v", r.Errors)
	}
	return r.Data
}

// get walks a decoded JSON value by keys and indexes.
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

// count returns how many awards a `*` viewer sees.
func (a *api) countAwards() int {
	a.t.Helper()
	d := a.ok(token(a.t, map[string]string{"*": "viewer"}), `{ awards { totalCount } }`, nil)
	return int(get(d, "awards", "totalCount").(float64))
}

const createAward = `mutation($in: AwardInput!) { createAward(input: $in) { id version status legalBasis province { id } } }`

// awardInput is a valid award of province p; change returns a modified copy.
func awardInput(p string) map[string]any {
	return map[string]any{
		"provinceId": p, "awardTypeId": "huan-chuong-lao-dong", "class": "THIRD", "authority": "PRESIDENT",
		"recipient": map[string]any{"kind": "INDIVIDUAL", "name": "Nguyễn Văn An", "position": "Chủ tịch", "organization": "UBND xã"},
		"year":      2022, "status": "PROPOSED",
	}
}

func with(in map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range in {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
			continue
		}
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}
