package httpapi_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/thidua/thidua/graph"
)

// What a front-end's client reaches for: persisted queries, node refetch,
// @defer.

func TestAutomaticPersistedQueries(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	q := `{ provinces { id } }`
	sum := sha256.Sum256([]byte(q))
	ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(sum[:])}}
	post := func(body map[string]any) *response {
		raw, _ := json.Marshal(body)
		req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/graphql", bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/json")
		return decode(t, req)
	}
	if r := post(map[string]any{"extensions": ext}); r.code() != "PERSISTED_QUERY_NOT_FOUND" {
		t.Fatalf("an unknown hash: %+v", r)
	}
	if r := post(map[string]any{"query": q, "extensions": ext}); len(r.Errors) > 0 || get(r.Data, "provinces", 0, "id") == nil {
		t.Fatalf("the query with its hash: %+v", r)
	}
	if r := post(map[string]any{"extensions": ext}); len(r.Errors) > 0 || get(r.Data, "provinces", 0, "id") == nil {
		t.Errorf("the hash alone, after: %+v", r)
	}
	rawExt, _ := json.Marshal(ext)
	req, _ := http.NewRequest(http.MethodGet, a.srv.URL+"/graphql?extensions="+url.QueryEscape(string(rawExt)), nil)
	if r := decode(t, req); len(r.Errors) > 0 || get(r.Data, "provinces", 0, "id") == nil {
		t.Errorf("the hash alone over GET: %+v", r)
	}
	bad := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": strings.Repeat("0", 64)}}
	if r := post(map[string]any{"query": q, "extensions": bad}); len(r.Errors) == 0 {
		t.Errorf("a query whose hash does not match: %+v", r)
	}
}

func decode(t *testing.T, req *http.Request) *response {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Data   map[string]any `json:"data"`
		Errors []gqlError     `json:"errors"`
	}
	raw, _ := io.ReadAll(res.Body)
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("response %d is not JSON: %s", res.StatusCode, raw)
	}
	return &response{Status: res.StatusCode, Data: out.Data, Errors: out.Errors}
}

func TestNodeRefetch(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	langSon := token(t, map[string]string{"lang-son": "editor"})
	proposal := get(a.ok(langSon, createAward, map[string]any{"in": awardInput("lang-son")}), "createAward", "id")
	review := get(a.ok("", `{ periodReviews { edges { node { id } } } }`, nil), "periodReviews", "edges", 0, "node", "id")
	const q = `query($id: ID!) { node(id: $id) { __typename id ... on Award { status } ... on Province { name } ... on PeriodReview { date } } }`
	for _, tt := range []struct {
		tok      string
		id       any
		typename any
	}{
		{langSon, proposal, "Award"},
		{"", proposal, nil}, // a proposal is not the public's
		{token(t, map[string]string{"cao-bang": "viewer"}), proposal, nil},
		{"", "lang-son", "Province"},
		{"", "huan-chuong-lao-dong", "AwardType"},
		{"", "grdp-growth", "Indicator"},
		{"", "mien-nui-bien-gioi-phia-bac", "Cluster"},
		{"", review, "PeriodReview"},
		{"", "62d74580a39e8924171872d5", "Movement"},
		{"", "0123456789abcdef01234567", nil},
		{"", "no-such-thing", nil},
	} {
		d := a.ok(tt.tok, q, map[string]any{"id": tt.id})
		if got := get(d, "node", "__typename"); got != tt.typename {
			t.Errorf("node(%v): %v, want %v", tt.id, d["node"], tt.typename)
		}
		if tt.typename != nil && get(d, "node", "id") != tt.id {
			t.Errorf("node(%v) has id %v", tt.id, get(d, "node", "id"))
		}
	}
}

func TestDeferOverMultipart(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	body := `{"query":"{ provinces { id } ... @defer { awardTypes { id } } }"}`
	req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "multipart/mixed;deferSpec=20220824, application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	// One answer, then the closing boundary: gqlgen resolves the deferred
	// fragment with the rest (no hasNext), and the reference cache used to
	// answer again and again until the deadline.
	if !strings.HasPrefix(res.Header.Get("Content-Type"), "multipart/mixed") || !strings.HasSuffix(strings.TrimSpace(string(raw)), "-----") ||
		strings.Count(string(raw), "huan-chuong-lao-dong") != 1 {
		t.Errorf("a deferred query: %d %s\n%s", res.StatusCode, res.Header.Get("Content-Type"), raw)
	}
}

// In production: no "did you mean" for any kind of name, and introspection
// is a validation failure, not an internal error in the log.
func TestProductionEdges(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	a := newAPIWith(t, func(hc *graph.HandlerConfig) {
		hc.Introspection = false
		hc.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	})
	for _, q := range []string{
		`{ awards(frist: 1) { totalCount } }`,                                         // an argument
		`{ awards(filter: {status: CONFERED}) { totalCount } }`,                       // an enum value
		`{ awards(filter: {provinceID: "lang-son"}) { totalCount } }`,                 // an input field
		`{ provinces { nmae } }`,                                                      // a field
		`query($f: AwardFilte) { awards(filter: $f) { totalCount } }`,                 // a type
		`{ awards(filter: {status: CONFERED}) { totalCount edges { node { id } } } }`, // twice
	} {
		r := a.do("", q, nil)
		if len(r.Errors) == 0 {
			t.Errorf("%s: accepted", q)
			continue
		}
		for _, e := range r.Errors {
			if strings.Contains(e.Message, "Did you mean") {
				t.Errorf("%s: %q suggests", q, e.Message)
			}
		}
	}
	r := a.do("", `{ __schema { types { name } } }`, nil)
	if r.code() != "GRAPHQL_VALIDATION_FAILED" || r.Data != nil {
		t.Errorf("introspection in production: %+v", r)
	}
	if r := a.do("", `{ provinces { id __typename } }`, nil); len(r.Errors) > 0 {
		t.Errorf("__typename is not introspection: %v", r.Errors)
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("logged at ERROR: %s", logs.String())
	}
}

// A hidden movement cannot be confirmed by filtering on it; refusals on a
// stored record are filed under its own province; anonymous refusals are
// counted, not written.
func TestEdgesOfVisibilityAndAudit(t *testing.T) {
	t.Parallel()
	var anonymous atomic.Int64
	a := newAPIWith(t, func(hc *graph.HandlerConfig) {
		hc.AnonymousRefusal = func(string) { anonymous.Add(1) }
	})
	langSon := token(t, map[string]string{"lang-son": "editor"})
	draft := get(a.ok(langSon, `mutation { createMovement(input: {title: "Bản nháp", scope: PROVINCE, kind: ANNUAL,
	  provinceId: "lang-son", published: false}) { id } }`, nil), "createMovement", "id")
	a.ok(langSon, createAward, map[string]any{"in": with(awardInput("lang-son"), "status", "CONFERRED", "movementId", draft,
		"decision", map[string]any{"number": "5/QĐ-CTN", "date": "2023-01-05"})})
	const byMovement = `query($m: ID!) { awards(filter: {movementId: $m}) { totalCount edges { node { id } } } t: awardTallies(by: [YEAR], filter: {movementId: $m}) { count } }`
	if d := a.ok("", byMovement, map[string]any{"m": draft}); get(d, "awards", "totalCount") != 0.0 || len(get(d, "t").([]any)) != 0 {
		t.Errorf("an anonymous filter on a hidden movement: %v", d)
	}
	if d := a.ok(langSon, byMovement, map[string]any{"m": draft}); get(d, "awards", "totalCount") != 1.0 {
		t.Errorf("the owner's filter on its draft: %v", d)
	}
	// Deleting a hidden draft: absent, not "referred to by awards".
	if r := a.do(token(t, map[string]string{"cao-bang": "editor"}), `mutation($id: ID!) { deleteMovement(id: $id, expectedVersion: 1) }`,
		map[string]any{"id": draft}); r.code() != "NOT_FOUND" {
		t.Errorf("cao-bang deleting lang-son's hidden draft: %v", r.Errors)
	}

	award := get(a.ok(langSon, createAward, map[string]any{"in": with(awardInput("lang-son"), "status", "CONFERRED",
		"decision", map[string]any{"number": "6/QĐ-CTN", "date": "2023-01-05"})}), "createAward", "id")
	caoBang := token(t, map[string]string{"cao-bang": "editor"})
	a.do(caoBang, updateAward, map[string]any{"id": award, "v": 1, "in": with(awardInput("cao-bang"), "status", "CONFERRED",
		"decision", map[string]any{"number": "6/QĐ-CTN", "date": "2023-01-05"})})
	a.do(caoBang, deleteAward, map[string]any{"id": award, "v": 1})
	d := a.ok(token(t, map[string]string{"*": "admin"}), `query($id: ID!) { auditLog(filter: {recordId: $id}) { edges { node { operation outcome province { id } } } } }`,
		map[string]any{"id": award})
	for _, e := range get(d, "auditLog", "edges").([]any) {
		if get(e, "node", "province", "id") != "lang-son" {
			t.Errorf("an entry on lang-son's award filed under %v: %v", get(e, "node", "province", "id"), e)
		}
	}
	if n := len(get(d, "auditLog", "edges").([]any)); n != 3 {
		t.Errorf("%d entries on the award, want 3 (create, refused move, refused delete)", n)
	}
	d = a.ok(token(t, map[string]string{"cao-bang": "admin"}), `{ auditLog(first: 100) { edges { node { recordId } } } }`, nil)
	for _, e := range get(d, "auditLog", "edges").([]any) {
		if get(e, "node", "recordId") == award {
			t.Errorf("cao-bang's admin sees lang-son's award id through a refused move")
		}
	}

	before, _ := a.audit()
	for i := 0; i < 20; i++ {
		a.do("", createAward, map[string]any{"in": awardInput("lang-son")})
	}
	if after, _ := a.audit(); after != before || anonymous.Load() != 20 {
		t.Errorf("20 anonymous refusals: %d audit entries written, %d counted", after-before, anonymous.Load())
	}
}
