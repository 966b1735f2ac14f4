package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/thidua/thidua/auth"
	"github.com/thidua/thidua/catalog"
	"github.com/thidua/thidua/dbtest"
	"github.com/thidua/thidua/repository"
	"github.com/thidua/thidua/seed"
	"github.com/thidua/thidua/service"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// txHandler is the GraphQL endpoint over a store that behaves as MongoDB's
// transactions do (repository.TxDouble), for an editor of lang-son.
func txHandler(t *testing.T, double func(*repository.TxDouble)) (do func(q string, vars map[string]any) map[string]any, d *repository.TxDouble) {
	t.Helper()
	ctx := t.Context()
	store := dbtest.Store(t, repository.WithoutReadModel()) // every read goes to the server, with its session
	if err := seed.Load(ctx, store); err != nil {
		t.Fatal(err)
	}
	refs, err := catalog.New(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	d = &repository.TxDouble{Store: store}
	if double != nil {
		double(d)
	}
	svc := &service.Service{Store: d, Catalog: refs, Now: time.Now}
	if !svc.Transactional() {
		t.Fatal("the double is not transactional")
	}
	h := NewHandler(&Resolver{Service: svc, Catalog: refs, Now: time.Now}, HandlerConfig{Logger: slog.New(slog.DiscardHandler), MaxUploadBytes: 1 << 20})
	p := &auth.Principal{Subject: "u-1", Roles: map[string]auth.Role{"lang-son": auth.Editor, "*": auth.Editor}}
	return func(q string, vars map[string]any) map[string]any {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body)).WithContext(auth.WithPrincipal(ctx, p))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s: %v", rec.Body.String(), err)
		}
		return out
	}, d
}

// A mutation's result's child fields are read after the commit, outside
// the transaction: on MongoDB its session has ended by then, and a field
// read with it fails ("ended session was used").
func TestMutationChildFieldsOutsideTheTransaction(t *testing.T) {
	do, d := txHandler(t, nil)
	defer func() { t.Logf("runs %d", d.Runs) }()
	r := do(`mutation { createMovement(input: {title: "Thi đua", scope: PROVINCE, kind: ANNUAL, provinceId: "lang-son"}) { id } }`, nil)
	if r["errors"] != nil {
		t.Fatal(r["errors"])
	}
	mid := r["data"].(map[string]any)["createMovement"].(map[string]any)["id"].(string)
	r = do(`mutation($m: ID) { createAward(input: {provinceId: "lang-son", awardTypeId: "giay-khen", movementId: $m,
	  authority: UNIT_HEAD, year: 2025, status: PROPOSED, recipient: {kind: INDIVIDUAL, name: "Vi Thị Hoa"}}) { id movement { id title } } }`,
		map[string]any{"m": mid})
	if r["errors"] != nil {
		t.Fatalf("createAward { movement }: %v", r["errors"])
	}
	got, _ := json.Marshal(r["data"])
	if !strings.Contains(string(got), mid) {
		t.Errorf("createAward's movement: %s, want %s", got, mid)
	}
}

var _ = context.Background
