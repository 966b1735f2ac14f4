package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/thidua/thidua/dbtest"
	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/repository"
)

// A write's outcome never depends on the client (issue 16): a client that
// goes away while its mutation runs — a closed tab, an aborted fetch, a cut
// link — cancels the request's context. For every kind of write below and
// at every database command the write sends (the fault points: the
// request is cancelled the moment the command is handed to the server,
// while it runs there), the test then checks that
//   - the read model the service answers from equals a fresh load of the
//     database (a second store on the same database), and
//   - the audit trail holds exactly one ACCEPTED entry when the database
//     changed (naming the changed record at its stored version), and none
//     when it did not.

// cutter cuts the running request at the armed command: the n-th command
// of the request's database since arming. The command's message is held
// back from the server (holdingConn) and the request is cancelled, so the
// client gives up while the command has not yet run; the message reaches
// the server once the next command has finished (or after a pause, if
// none comes): the server applies a write its client no longer waits for,
// as it does when a link is cut while a slow command runs.
type cutter struct {
	mu     sync.Mutex
	db     string
	armed  bool
	n, at  int
	cancel context.CancelFunc
	// hold, when set, holds the next message written and cancels.
	hold    func() (release <-chan struct{})
	release chan struct{}
	holding bool
}

func (c *cutter) started(_ context.Context, e *event.CommandStartedEvent) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.armed || e.DatabaseName != c.db {
		return
	}
	c.n++
	if c.n == c.at && c.cancel != nil {
		c.holding = true
	}
}

// finished releases a held message once a later command has finished.
func (c *cutter) finished(_ context.Context, e *event.CommandFinishedEvent) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e.DatabaseName == c.db && c.release != nil && !c.holding {
		close(c.release)
		c.release = nil
	}
}

// take is called by a connection about to write a message: it returns a
// channel to wait on before the message may go, or nil.
func (c *cutter) take() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.holding {
		return nil
	}
	c.holding = false
	rel := make(chan struct{})
	c.release = rel
	c.cancel()
	go func() { // no later command: let it go after a pause
		time.Sleep(300 * time.Millisecond)
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.release == rel {
			close(rel)
			c.release = nil
		}
	}()
	return rel
}

func (c *cutter) arm(at int, cancel context.CancelFunc) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.armed, c.n, c.at, c.cancel = true, 0, at, cancel
}

func (c *cutter) disarm() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.armed, c.holding = false, false
	return c.n
}

// holdingConn is a connection to the server whose writes the cutter may
// hold back; a close waits for a held message to have gone.
type holdingConn struct {
	net.Conn
	c    *cutter
	sent sync.WaitGroup
}

func (h *holdingConn) Write(b []byte) (int, error) {
	rel := h.c.take()
	if rel == nil {
		return h.Conn.Write(b)
	}
	msg := append([]byte(nil), b...)
	h.sent.Add(1)
	go func() {
		defer h.sent.Done()
		<-rel
		_, _ = h.Conn.Write(msg)
	}()
	return len(b), nil
}

func (h *holdingConn) Close() error {
	go func() {
		h.sent.Wait()
		time.Sleep(50 * time.Millisecond) // the server reads the message before the end of the stream
		_ = h.Conn.Close()
	}()
	return nil
}

type holdingDialer struct{ c *cutter }

func (d holdingDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	conn, err := (&net.Dialer{}).DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	return &holdingConn{Conn: conn, c: d.c}, nil
}

// cut runs a GraphQL request through the handler (in-process, so that the
// cancellation is exactly where the cutter puts it) and returns the number
// of commands it sent; at 0 nothing is cancelled.
func (a *api) cut(c *cutter, tok, query string, vars map[string]any, at int) int {
	a.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body)).WithContext(ctx)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok)
	c.arm(at, cancel)
	a.h.ServeHTTP(httptest.NewRecorder(), req)
	return c.disarm()
}

// snapshot is every record of the read model's lists, as JSON by id.
func snapshot(t testing.TB, s *repository.Store) map[string]string {
	t.Helper()
	ctx := context.Background()
	all := domain.Access{All: true}
	out := map[string]string{}
	for _, err := range []error{
		collect(out, "award", func(r domain.Award) string { return r.ID }, func(p domain.PageArgs) (*domain.Page[domain.Award], error) {
			return s.Awards(ctx, domain.AwardFilter{}, all, p)
		}),
		collect(out, "movement", func(r domain.Movement) string { return r.ID }, func(p domain.PageArgs) (*domain.Page[domain.Movement], error) {
			return s.Movements(ctx, domain.MovementFilter{}, all, p)
		}),
		collect(out, "dossier", func(r domain.Dossier) string { return r.ID }, func(p domain.PageArgs) (*domain.Page[domain.Dossier], error) {
			return s.Dossiers(ctx, domain.DossierFilter{}, all, p)
		}),
		collect(out, "decision", func(r domain.DecisionRecord) string { return r.ID }, func(p domain.PageArgs) (*domain.Page[domain.DecisionRecord], error) {
			return s.Decisions(ctx, domain.DecisionFilter{}, all, p)
		}),
		collect(out, "honoree", func(r domain.Honoree) string { return r.ID }, func(p domain.PageArgs) (*domain.Page[domain.Honoree], error) {
			return s.Honorees(ctx, domain.HonoreeFilter{}, all, p)
		}),
		collect(out, "review", func(r domain.PeriodReview) string { return r.ID }, func(p domain.PageArgs) (*domain.Page[domain.PeriodReview], error) {
			return s.PeriodReviews(ctx, domain.ReviewFilter{}, all, p)
		}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// collect puts every record of a list into out as JSON, keyed kind:id.
func collect[T any](out map[string]string, kind string, id func(T) string, list func(domain.PageArgs) (*domain.Page[T], error)) error {
	return domain.EachPage(list, func(items []T) (bool, error) {
		for _, r := range items {
			b, _ := json.Marshal(r)
			out[kind+":"+id(r)] = string(b)
		}
		return true, nil
	})
}

// fresh is the database as a new process would load it.
func fresh(t testing.TB, a *api) map[string]string {
	t.Helper()
	ctx := context.Background()
	s, err := repository.Open(ctx, dbtest.URI(), a.store.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	return snapshot(t, s)
}

// settled is the database once the server has finished whatever it was
// sent (a command whose client went away may still be running there).
func settled(t testing.TB, a *api) map[string]string {
	t.Helper()
	prev := fresh(t, a)
	for i := 0; i < 20; i++ {
		time.Sleep(20 * time.Millisecond)
		next := fresh(t, a)
		if reflect.DeepEqual(prev, next) {
			return next
		}
		prev = next
	}
	return prev
}

func accepted(t testing.TB, a *api) []domain.AuditEntry {
	t.Helper()
	var out []domain.AuditEntry
	err := domain.EachPage(func(p domain.PageArgs) (*domain.Page[domain.AuditEntry], error) {
		return a.store.AuditLog(context.Background(), domain.AuditFilter{Outcome: "ACCEPTED"}, domain.Access{All: true}, p)
	}, func(items []domain.AuditEntry) (bool, error) {
		out = append(out, items...)
		return true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func diffKeys(a, b map[string]string) []string {
	var out []string
	for k, v := range a {
		if b[k] != v {
			out = append(out, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	return out
}

// A write kind: prepare makes what it needs (uncut) and returns the
// mutation to cut.
type writeKind struct {
	name    string
	prepare func(a *api) (tok, query string, vars map[string]any)
}

func TestCutRequestsKeepReadModelAndAuditTrue(t *testing.T) {
	if !dbtest.Embedded() {
		// Its expectations (the read model, the decision's journal, one
		// command per write) are FerretDB's; on a replica set the writes
		// are transactions (graph: TestUnknownCommit*, repository:
		// TestCommit*).
		t.Skip("written against the embedded FerretDB's write paths")
	}
	c := &cutter{}
	a := newAPI(t, repository.WithMonitor(&event.CommandMonitor{Started: c.started,
		Succeeded: func(ctx context.Context, e *event.CommandSucceededEvent) { c.finished(ctx, &e.CommandFinishedEvent) },
		Failed:    func(ctx context.Context, e *event.CommandFailedEvent) { c.finished(ctx, &e.CommandFinishedEvent) }}),
		func(_ *repository.Store, o *options.ClientOptions) { o.SetDialer(holdingDialer{c}) })
	c.db = a.store.Name()
	editor := token(t, map[string]string{"lang-son": "editor"})
	vetter := token(t, map[string]string{"lang-son": "vetter"})
	decider := token(t, map[string]string{"lang-son": "decider"})

	newAward := func(a *api) string {
		return get(a.ok(editor, createAward, map[string]any{"in": awardInput("lang-son")}), "createAward", "id").(string)
	}
	const movementQ = `mutation($in: MovementInput!) { createMovement(input: $in) { id } }`
	movement := map[string]any{"title": "Phong trào thử", "scope": "PROVINCE", "kind": "ANNUAL", "provinceId": "lang-son", "startYear": 2024}
	newMovement := func(a *api) string {
		return get(a.ok(editor, movementQ, map[string]any{"in": movement}), "createMovement", "id").(string)
	}
	dossier := func() map[string]any {
		in := dossierInput("")
		in["recipients"] = in["recipients"].([]any)[1:] // written-out recipients only
		return in
	}
	newDossier := func(a *api) string {
		return get(a.ok(editor, `mutation($in: DossierInput!) { createDossier(input: $in) { id } }`,
			map[string]any{"in": dossier()}), "createDossier", "id").(string)
	}
	move := func(a *api, tok, op, id string, v int) {
		a.ok(tok, fmt.Sprintf(`mutation { %s(id: %q, expectedVersion: %d) { id } }`, op, id, v), nil)
	}

	kinds := []writeKind{
		{"createAward", func(a *api) (string, string, map[string]any) {
			return editor, createAward, map[string]any{"in": awardInput("lang-son")}
		}},
		{"updateAward", func(a *api) (string, string, map[string]any) {
			id := newAward(a)
			return editor, `mutation($id: ID!, $in: AwardInput!) { updateAward(id: $id, input: $in, expectedVersion: 1) { id version } }`,
				map[string]any{"id": id, "in": with(awardInput("lang-son"), "citation", "Đã sửa")}
		}},
		{"deleteAward", func(a *api) (string, string, map[string]any) {
			return editor, `mutation($id: ID!) { deleteAward(id: $id, expectedVersion: 1) }`, map[string]any{"id": newAward(a)}
		}},
		{"createMovement", func(a *api) (string, string, map[string]any) {
			return editor, movementQ, map[string]any{"in": movement}
		}},
		{"updateMovement", func(a *api) (string, string, map[string]any) {
			return editor, `mutation($id: ID!, $in: MovementInput!) { updateMovement(id: $id, input: $in, expectedVersion: 1) { id } }`,
				map[string]any{"id": newMovement(a), "in": with(movement, "title", "Phong trào đã sửa")}
		}},
		{"deleteMovement", func(a *api) (string, string, map[string]any) {
			return editor, `mutation($id: ID!) { deleteMovement(id: $id, expectedVersion: 1) }`, map[string]any{"id": newMovement(a)}
		}},
		{"saveHonoree", func(a *api) (string, string, map[string]any) {
			return editor, `mutation($in: HonoreeInput!) { saveHonoree(input: $in, expectedVersion: 0) { id } }`,
				map[string]any{"in": map[string]any{"provinceId": "lang-son", "key": fmt.Sprintf("K-%d", time.Now().UnixNano()),
					"kind": "INDIVIDUAL", "name": "Nguyễn Thị Hoa"}}
		}},
		{"createDossier", func(a *api) (string, string, map[string]any) {
			return editor, `mutation($in: DossierInput!) { createDossier(input: $in) { id } }`, map[string]any{"in": dossier()}
		}},
		{"submitDossier", func(a *api) (string, string, map[string]any) {
			return editor, `mutation($id: ID!) { submitDossier(id: $id, expectedVersion: 1) { id } }`, map[string]any{"id": newDossier(a)}
		}},
		{"deleteDossier", func(a *api) (string, string, map[string]any) {
			return editor, `mutation($id: ID!) { deleteDossier(id: $id, expectedVersion: 1) }`, map[string]any{"id": newDossier(a)}
		}},
		{"recordDecision", func(a *api) (string, string, map[string]any) {
			id := newDossier(a)
			move(a, editor, "submitDossier", id, 1)
			move(a, vetter, "vetDossier", id, 2)
			return decider, `mutation($in: CommendationDecisionInput!) { recordDecision(input: $in, expectedVersion: 3) { id } }`,
				map[string]any{"in": map[string]any{"dossierId": id, "number": fmt.Sprintf("%d/QĐ-UBND", time.Now().UnixNano()%100000),
					"date": "2026-11-20", "issuedBy": "Ủy ban nhân dân tỉnh Lạng Sơn",
					"signer": map[string]any{"name": "Hồ Tiến Thiệu", "position": "Chủ tịch"}}}
		}},
	}
	for _, k := range kinds {
		cutEach(t, a, c, k, func(at, steps int, before map[string]string, entries int) {
			after := settled(t, a)
			if served := snapshot(t, a.store); !reflect.DeepEqual(served, after) {
				t.Errorf("%s cut at command %d of %d: the read model differs from the database in %v",
					k.name, at, steps, diffKeys(served, after))
			}
			changed := diffKeys(before, after)
			newEntries := len(accepted(t, a)) - entries
			switch {
			case len(changed) > 0 && newEntries != 1:
				t.Errorf("%s cut at command %d of %d: the database changed (%v) with %d ACCEPTED entries, want 1",
					k.name, at, steps, changed, newEntries)
			case len(changed) == 0 && newEntries != 0:
				t.Errorf("%s cut at command %d of %d: nothing changed but %d ACCEPTED entries were written",
					k.name, at, steps, newEntries)
			}
		})
	}
}

// cutEach runs the write kind k once uncut to count its commands, then once
// cut at each, calling check after each cut run.
func cutEach(t *testing.T, a *api, c *cutter, k writeKind, check func(at, steps int, before map[string]string, entries int)) {
	t.Helper()
	tok, q, vars := k.prepare(a)
	steps := a.cut(c, tok, q, vars, 0)
	if steps == 0 {
		t.Fatalf("%s sent no command", k.name)
	}
	for at := 1; at <= steps; at++ {
		tok, q, vars := k.prepare(a)
		before := settled(t, a)
		entries := len(accepted(t, a))
		a.cut(c, tok, q, vars, at)
		check(at, steps, before, entries)
	}
}
