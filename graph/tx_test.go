package graph

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/thidua/thidua/auth"
	"github.com/thidua/thidua/catalog"
	"github.com/thidua/thidua/dbtest"
	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/repository"
	"github.com/thidua/thidua/seed"
	"github.com/thidua/thidua/service"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// txHandler is the GraphQL endpoint over a store that behaves as MongoDB's
// transactions do (repository.TxDouble), for an editor of lang-son.
func txHandler(t *testing.T, double func(*repository.TxDouble)) (do func(q string, vars map[string]any) map[string]any, d *repository.TxDouble) {
	do, d, _ = txEnv(t, double)
	return do, d
}

// seededStore is a store of the test's own database with the founding
// data, and its catalogue.
func seededStore(t *testing.T, opts ...repository.Option) (*repository.Store, *catalog.Cache) {
	t.Helper()
	store := dbtest.Store(t, opts...)
	if err := seed.Load(t.Context(), store); err != nil {
		t.Fatal(err)
	}
	refs, err := catalog.New(t.Context(), store)
	if err != nil {
		t.Fatal(err)
	}
	return store, refs
}

func txEnv(t *testing.T, double func(*repository.TxDouble)) (do func(q string, vars map[string]any) map[string]any, d *repository.TxDouble, post func(req *http.Request) map[string]any) {
	t.Helper()
	ctx := t.Context()
	store, refs := seededStore(t, repository.WithoutReadModel()) // every read goes to the server, with its session
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
	post = func(req *http.Request) map[string]any {
		t.Helper()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req.WithContext(auth.WithPrincipal(ctx, p)))
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s: %v", rec.Body.String(), err)
		}
		return out
	}
	return func(q string, vars map[string]any) map[string]any {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		return post(req)
	}, d, post
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

// A transaction run again (after a transient error) reads its upload again:
// the first run drained it.
func TestRetriedAttachReadsItsUploadAgain(t *testing.T) {
	do, d, post := txEnv(t, func(d *repository.TxDouble) { d.Retries = 1 })
	pid := "lang-son"
	ctx := auth.WithPrincipal(t.Context(), &auth.Principal{Subject: "u-1", Roles: map[string]auth.Role{"lang-son": auth.Editor}})
	svc := &service.Service{Store: d.Store, Catalog: mustCatalog(t, d.Store), Now: time.Now}
	dos, err := svc.CreateDossier(ctx, domain.DossierInput{ProvinceID: &pid, Kind: domain.KindRegular, Authority: "PROVINCE_CHAIR",
		Year: 2025, Title: "Hồ sơ", ProposingUnit: "Sở Nội vụ", Letter: &domain.DecisionInput{Number: "1/TTr", Date: "2026-11-01"},
		Recipients: []domain.DossierRecipientInput{{Recipient: &domain.RecipientInput{Kind: "INDIVIDUAL", Name: "Vi Văn Sơn"},
			AwardTypeID: "bang-khen-chu-tich-tinh", Achievement: "Thành tích"}}})
	if err != nil {
		t.Fatal(err)
	}
	_ = do
	pdf := "%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("operations", `{"query":"mutation($id: ID!, $f: Upload!) { attachFile(recordId: $id, file: $f) { id size } }","variables":{"id":"`+dos.ID+`","f":null}}`)
	_ = mw.WriteField("map", `{"0":["variables.f"]}`)
	fw, _ := mw.CreateFormFile("0", "to-trinh.pdf")
	_, _ = fw.Write([]byte(pdf))
	_ = mw.Close()
	req := httptest.NewRequest(http.MethodPost, "/graphql", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	r := post(req)
	if r["errors"] != nil {
		t.Fatalf("attachFile run twice: %v", r["errors"])
	}
	if d.Runs != 2 {
		t.Errorf("the callback ran %d times, want 2", d.Runs)
	}
	got, _ := json.Marshal(r["data"])
	if !strings.Contains(string(got), fmt.Sprintf(`"size":%d`, len(pdf))) {
		t.Errorf("attached %s, want %d bytes", got, len(pdf))
	}
}

func mustCatalog(t *testing.T, s *repository.Store) *catalog.Cache {
	t.Helper()
	refs, err := catalog.New(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	return refs
}
