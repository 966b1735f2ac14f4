package httpapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/thidua/thidua/auth"
	"github.com/thidua/thidua/catalog"
	"github.com/thidua/thidua/dbtest"
	"github.com/thidua/thidua/graph"
	"github.com/thidua/thidua/repository"
	"github.com/thidua/thidua/seed"
	"github.com/thidua/thidua/service"
)

// subAPI is the GraphQL endpoint with subscriptions over a fresh database,
// its service publishing to bus. Tokens are checked against the wall clock
// (subToken), so that they can expire during a test.
type subAPI struct {
	*api
	bus    *service.Bus
	wsURL  string
	client *http.Client // dials the connections (nil: the default)
}

func newSubAPI(t *testing.T, conf func(*graph.SubscriptionConfig)) *subAPI {
	t.Helper()
	ctx := context.Background()
	store := dbtest.Store(t, repository.WithClock(func() time.Time { return now }))
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
	verifier, err := auth.NewVerifier(auth.VerifierConfig{Secret: secret, Issuer: "thidua", Audience: "thidua"})
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	sc := graph.SubscriptionConfig{Verifier: verifier}
	if conf != nil {
		conf(&sc)
	}
	hc := graph.HandlerConfig{Introspection: true, ComplexityLimit: 5000, Limits: graph.DefaultLimits, Logger: logger,
		Subscriptions: sc}
	clock := func() time.Time { return now }
	bus := service.NewBus(0)
	t.Cleanup(bus.Close)
	svc := &service.Service{Store: store, Catalog: refs, Now: clock, Events: bus}
	res := &graph.Resolver{Service: svc, Catalog: refs, Now: clock}
	mux := http.NewServeMux()
	mux.Handle("/graphql", auth.Middleware(verifier, logger)(graph.NewHandler(res, hc)))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &subAPI{api: &api{t: t, h: mux, srv: srv, store: store, refs: refs}, bus: bus,
		wsURL: "ws" + strings.TrimPrefix(srv.URL, "http") + "/graphql"}
}

// subToken is a token valid for ttl from now, by the wall clock.
func subToken(t testing.TB, roles map[string]string, ttl time.Duration) string {
	t.Helper()
	tok, err := auth.Issue(auth.IssueConfig{Secret: secret, Issuer: "thidua", Audience: "thidua",
		Subject: "u-sub", Roles: roles, TTL: ttl, Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

type wsMessage struct {
	Type    string          `json:"type"`
	ID      string          `json:"id,omitempty"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// wsClient speaks graphql-transport-ws; what the server sends arrives on
// msgs, which closes with the connection (closeErr then says how).
type wsClient struct {
	t        *testing.T
	name     string
	c        *websocket.Conn
	msgs     chan wsMessage
	closeErr error
}

// dialWS opens a connection without initialising it.
func (a *subAPI) dialWS(t *testing.T, name string, header http.Header) (*wsClient, *http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, res, err := websocket.Dial(ctx, a.wsURL, &websocket.DialOptions{
		Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: header, HTTPClient: a.client})
	if err != nil {
		return nil, res, err
	}
	w := &wsClient{t: t, name: name, c: c, msgs: make(chan wsMessage, 100)}
	t.Cleanup(func() { _ = c.CloseNow() })
	go func() {
		defer close(w.msgs)
		for {
			_, b, err := c.Read(context.Background())
			if err != nil {
				w.closeErr = err
				return
			}
			var m wsMessage
			if err := json.Unmarshal(b, &m); err != nil {
				w.closeErr = err
				return
			}
			if m.Type == "ping" {
				_ = w.send(wsMessage{Type: "pong"})
				continue
			}
			w.msgs <- m
		}
	}()
	return w, res, nil
}

// connect opens and initialises a connection as the holder of tok ("":
// anonymous).
func (a *subAPI) connect(t *testing.T, name, tok string) *wsClient {
	t.Helper()
	w, _, err := a.dialWS(t, name, nil)
	if err != nil {
		t.Fatalf("%s: dial: %v", name, err)
	}
	w.init(tok)
	if m := w.next(2 * time.Second); m.Type != "connection_ack" {
		t.Fatalf("%s: got %+v, want connection_ack", name, m)
	}
	return w
}

func (w *wsClient) send(m wsMessage) error {
	b, _ := json.Marshal(m)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return w.c.Write(ctx, websocket.MessageText, b)
}

func (w *wsClient) init(tok string) {
	payload := map[string]any{}
	if tok != "" {
		payload["Authorization"] = "Bearer " + tok
	}
	b, _ := json.Marshal(payload)
	if err := w.send(wsMessage{Type: "connection_init", Payload: b}); err != nil {
		w.t.Fatalf("%s: connection_init: %v", w.name, err)
	}
}

func (w *wsClient) subscribe(id, query string, vars map[string]any) {
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err := w.send(wsMessage{Type: "subscribe", ID: id, Payload: b}); err != nil {
		w.t.Fatalf("%s: subscribe: %v", w.name, err)
	}
}

// next returns the next message; a closed connection or the timeout fails
// the test.
func (w *wsClient) next(timeout time.Duration) wsMessage {
	w.t.Helper()
	select {
	case m, ok := <-w.msgs:
		if !ok {
			w.t.Fatalf("%s: connection closed: %v", w.name, w.closeErr)
		}
		return m
	case <-time.After(timeout):
		w.t.Fatalf("%s: nothing within %v", w.name, timeout)
	}
	return wsMessage{}
}

// closed waits for the connection to close and returns its close status.
func (w *wsClient) closed(timeout time.Duration) websocket.StatusCode {
	w.t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case m, ok := <-w.msgs:
			if !ok {
				return websocket.CloseStatus(w.closeErr)
			}
			w.t.Logf("%s: before close: %s %s %s", w.name, m.Type, m.ID, m.Payload)
		case <-deadline:
			w.t.Fatalf("%s: still open after %v", w.name, timeout)
		}
	}
}

// change decodes a next message's payload as data.<field>.
func change(t *testing.T, m wsMessage, field string) map[string]any {
	t.Helper()
	if m.Type != "next" {
		t.Fatalf("got %s %s, want next", m.Type, m.Payload)
	}
	var p struct {
		Data   map[string]map[string]any `json:"data"`
		Errors []gqlError                `json:"errors"`
	}
	if err := json.Unmarshal(m.Payload, &p); err != nil || len(p.Errors) > 0 {
		t.Fatalf("payload %s: %v", m.Payload, err)
	}
	return p.Data[field]
}

// waitSubscribers waits until the bus holds n subscriptions (a subscribe
// message is handled asynchronously).
func (a *subAPI) waitSubscribers(t *testing.T, n int) {
	t.Helper()
	for deadline := time.Now().Add(3 * time.Second); a.bus.Subscribers() != n; {
		if time.Now().After(deadline) {
			t.Fatalf("%d subscribers, want %d", a.bus.Subscribers(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

const awardChanged = `subscription($p: ID) { awardChanged(provinceId: $p) { op id award { id status province { id } } } }`

// Each subscriber receives, in order, the award changes it may see at the
// moment of the change: an anonymous one and a neighbouring province's
// viewer never see lang-son's proposal (nor its deletion), lang-son's
// viewer does, and everyone sees a conferred award within a second.
func TestSubscriptionVisibility(t *testing.T) {
	t.Parallel()
	a := newSubAPI(t, nil)
	editor := subToken(t, map[string]string{"lang-son": "editor"}, time.Hour)
	anon := a.connect(t, "anonymous", "")
	caoBang := a.connect(t, "cao-bang viewer", subToken(t, map[string]string{"cao-bang": "viewer"}, time.Hour))
	langSon := a.connect(t, "lang-son viewer", subToken(t, map[string]string{"lang-son": "viewer"}, time.Hour))
	filtered := a.connect(t, "lang-son viewer, cao-bang only", subToken(t, map[string]string{"lang-son": "viewer"}, time.Hour))
	for _, w := range []*wsClient{anon, caoBang, langSon} {
		w.subscribe("1", awardChanged, nil)
	}
	filtered.subscribe("1", awardChanged, map[string]any{"p": "cao-bang"})
	a.waitSubscribers(t, 4)

	// A proposal: lang-son's viewer (its owner's) sees it, within a second.
	id := get(a.ok(editor, createAward, map[string]any{"in": awardInput("lang-son")}), "createAward", "id").(string)
	wrote := time.Now()
	c := change(t, langSon.next(time.Second), "awardChanged")
	if time.Since(wrote) > time.Second {
		t.Errorf("the change arrived %v after the write", time.Since(wrote))
	}
	if c["op"] != "CREATED" || c["id"] != id || get(c, "award", "status") != "PROPOSED" || get(c, "award", "province", "id") != "lang-son" {
		t.Errorf("lang-son viewer got %v", c)
	}
	// Its deletion: lang-son's viewer is told, with no record.
	a.ok(editor, deleteAward, map[string]any{"id": id, "v": 1})
	c = change(t, langSon.next(time.Second), "awardChanged")
	if c["op"] != "DELETED" || c["id"] != id || c["award"] != nil {
		t.Errorf("lang-son viewer got %v, want the deletion", c)
	}

	// A conferred award is public: the first change the others receive is
	// this one, so they never received the proposal or its deletion.
	conferred := with(awardInput("lang-son"), "status", "CONFERRED",
		"decision", map[string]any{"number": "1234/QĐ-CTN", "date": "2022-09-01"})
	id2 := get(a.ok(editor, createAward, map[string]any{"in": conferred}), "createAward", "id").(string)
	wrote = time.Now()
	for _, w := range []*wsClient{anon, caoBang, langSon} {
		c := change(t, w.next(time.Second), "awardChanged")
		if c["op"] != "CREATED" || c["id"] != id2 || get(c, "award", "status") != "CONFERRED" {
			t.Errorf("%s got %v, want the conferred award (and nothing before it)", w.name, c)
		}
	}
	if time.Since(wrote) > time.Second {
		t.Errorf("the changes arrived %v after the write", time.Since(wrote))
	}
	// The filter: a subscriber to cao-bang's awards heard of none of these.
	caoBangAward := with(conferred, "provinceId", "cao-bang")
	a.ok(subToken(t, map[string]string{"cao-bang": "editor"}, time.Hour), createAward, map[string]any{"in": caoBangAward})
	if c := change(t, filtered.next(time.Second), "awardChanged"); get(c, "award", "province", "id") != "cao-bang" {
		t.Errorf("filtered subscriber got %v, want only cao-bang's award", c)
	}
}

// A period review and its province reports are visible as the review is:
// an unpublished review, and the reports to it, reach the cluster's
// viewers only; a published review's reports reach everyone.
func TestSubscriptionProvinceReportFollowsReview(t *testing.T) {
	t.Parallel()
	a := newSubAPI(t, nil)
	star := subToken(t, map[string]string{"*": "editor"}, time.Hour)
	published := get(a.ok("", `{ periodReviews { edges { node { id } } } }`, nil), "periodReviews", "edges", 0, "node", "id")
	anon := a.connect(t, "anonymous", "")
	langSon := a.connect(t, "lang-son viewer", subToken(t, map[string]string{"lang-son": "viewer"}, time.Hour))
	cluster := a.connect(t, "* viewer", subToken(t, map[string]string{"*": "viewer"}, time.Hour))
	const reviews = `subscription { periodReviewChanged { op id periodReview { published } } }`
	const reports = `subscription { provinceReportChanged { op reviewId provinceId report { province { id } version } } }`
	for _, w := range []*wsClient{anon, langSon, cluster} {
		w.subscribe("reviews", reviews, nil)
		w.subscribe("reports", reports, nil)
	}
	a.waitSubscribers(t, 6)

	draft := get(a.ok(star, `mutation($in: PeriodReviewInput!) { createPeriodReview(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"kind": "PHASE", "year": 2022, "period": "giai đoạn thử", "date": "2022-10-01", "hostProvinceId": "son-la", "published": false}}),
		"createPeriodReview", "id")
	const submit = `mutation($r: ID!) { submitProvinceReport(reviewId: $r, provinceId: "lang-son", values: [{indicatorId: "grdp-growth", value: 7.1}]) { version } }`
	a.ok(star, submit, map[string]any{"r": draft})
	a.ok(star, submit, map[string]any{"r": published})

	// The cluster's viewer sees all three changes, in order.
	if m := cluster.next(time.Second); m.ID != "reviews" || change(t, m, "periodReviewChanged")["id"] != draft {
		t.Errorf("* viewer: got %s %s, want the draft review", m.ID, m.Payload)
	}
	for _, r := range []any{draft, published} {
		m := cluster.next(time.Second)
		if c := change(t, m, "provinceReportChanged"); m.ID != "reports" || c["reviewId"] != r || c["op"] != "CREATED" ||
			get(c, "report", "province", "id") != "lang-son" {
			t.Errorf("* viewer: got %s %s, want the report to %v", m.ID, m.Payload, r)
		}
	}
	// The others' first change is the report to the published review.
	for _, w := range []*wsClient{anon, langSon} {
		m := w.next(time.Second)
		if c := change(t, m, "provinceReportChanged"); m.ID != "reports" || c["reviewId"] != published {
			t.Errorf("%s: got %s %s, want only the report to the published review", w.name, m.ID, m.Payload)
		}
	}
}

// A subscriber whose token expires has its connection, and so its
// subscription, ended (4403, as for a refused token).
func TestSubscriptionEndsWhenTokenExpires(t *testing.T) {
	t.Parallel()
	a := newSubAPI(t, nil)
	w := a.connect(t, "short token", subToken(t, map[string]string{"lang-son": "viewer"}, 2*time.Second))
	w.subscribe("1", awardChanged, nil)
	a.waitSubscribers(t, 1)
	start := time.Now()
	if code := w.closed(5 * time.Second); code != 4403 {
		t.Errorf("closed with %d (%v), want 4403", code, w.closeErr)
	}
	if time.Since(start) > 3*time.Second {
		t.Errorf("ended %v after subscribing to a 2 s token", time.Since(start))
	}
	a.waitSubscribers(t, 0)
}

// A token that fails verification closes the connection with 4403.
func TestSubscriptionRefusesBadToken(t *testing.T) {
	t.Parallel()
	a := newSubAPI(t, nil)
	w, _, err := a.dialWS(t, "bad token", nil)
	if err != nil {
		t.Fatal(err)
	}
	w.init("not-a-token")
	if code := w.closed(3 * time.Second); code != 4403 {
		t.Errorf("closed with %d (%v), want 4403", code, w.closeErr)
	}
}

// The N+1th subscription of a connection is refused with the protocol's
// error message; the first N go on.
func TestSubscriptionLimitPerConnection(t *testing.T) {
	t.Parallel()
	a := newSubAPI(t, func(c *graph.SubscriptionConfig) { c.MaxSubscriptionsPerConnection = 2 })
	w := a.connect(t, "anonymous", "")
	w.subscribe("1", awardChanged, nil)
	w.subscribe("2", awardChanged, nil)
	a.waitSubscribers(t, 2)
	w.subscribe("3", awardChanged, nil)
	m := w.next(2 * time.Second)
	if m.Type != "error" || m.ID != "3" || !strings.Contains(string(m.Payload), "RATE_LIMITED") ||
		!strings.Contains(string(m.Payload), "limit is 2") {
		t.Fatalf("got %s %s %s, want an error for subscription 3", m.Type, m.ID, m.Payload)
	}
	// Completing one frees its place.
	if err := w.send(wsMessage{Type: "complete", ID: "1"}); err != nil {
		t.Fatal(err)
	}
	a.waitSubscribers(t, 1)
	w.subscribe("4", awardChanged, nil)
	a.waitSubscribers(t, 2)
}

// Over MaxConnections a connection is closed with 1013 (try again later).
func TestSubscriptionConnectionLimit(t *testing.T) {
	t.Parallel()
	a := newSubAPI(t, func(c *graph.SubscriptionConfig) { c.MaxConnections = 1 })
	a.connect(t, "first", "")
	w, _, err := a.dialWS(t, "second", nil)
	if err != nil {
		t.Fatal(err)
	}
	w.init("")
	if code := w.closed(3 * time.Second); code != 1013 {
		t.Errorf("closed with %d (%v), want 1013", code, w.closeErr)
	}
}

// A browser page of another origin may not open a connection; one allowed
// by the rule (and the development default, localhost) may.
func TestSubscriptionOrigin(t *testing.T) {
	t.Parallel()
	a := newSubAPI(t, nil)
	_, res, err := a.dialWS(t, "evil", http.Header{"Origin": {"https://evil.example"}})
	if err == nil || res == nil || res.StatusCode != http.StatusForbidden {
		t.Errorf("foreign origin: %v %v, want 403", res, err)
	}
	a.connect(t, "localhost", "") // no Origin: not a browser
	if _, _, err := a.dialWS(t, "localhost page", http.Header{"Origin": {"http://localhost:5173"}}); err != nil {
		t.Errorf("localhost origin refused: %v", err)
	}
}

// The bus never makes the writer wait: a subscriber that does not read is
// dropped once its buffer is full, and its stream ends with the reason.
func TestSubscriptionSlowSubscriberIsDropped(t *testing.T) {
	t.Parallel()
	bus := service.NewBus(4)
	slow := bus.Subscribe(nil, "award", nil)
	e := service.Event{Kind: "award", Op: "UPDATED", Published: true, Owner: "lang-son"}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 100 {
			bus.Publish(context.Background(), e)
		}
	}()
	select {
	case <-done:
	case <-time.After(time.Second):
		t.Fatal("Publish waits for a subscriber that does not read")
	}
	n := 0
	for range slow.Events() {
		n++
	}
	if n != 4 || !errors.Is(slow.Err(), service.ErrSlowSubscriber) || bus.Subscribers() != 0 {
		t.Errorf("received %d, err %v, %d subscribers; want 4, ErrSlowSubscriber, 0", n, slow.Err(), bus.Subscribers())
	}
}

// A subscription the bus ends (a dropped slow subscriber, the bus closed)
// ends with the protocol's error message, not a silent complete.
func TestSubscriptionEndedByBusReportsError(t *testing.T) {
	t.Parallel()
	a := newSubAPI(t, nil)
	w := a.connect(t, "anonymous", "")
	w.subscribe("1", awardChanged, nil)
	a.waitSubscribers(t, 1)
	a.bus.Close()
	if m := w.next(2 * time.Second); m.Type != "error" || m.ID != "1" || !strings.Contains(string(m.Payload), "subscribe again") {
		t.Errorf("got %s %s %s, want an error for subscription 1", m.Type, m.ID, m.Payload)
	}
}

// Dossiers reach their province's viewers (and "*"'s), never anonymous
// callers or another province's.
func TestSubscriptionDossierVisibility(t *testing.T) {
	t.Parallel()
	a := newSubAPI(t, nil)
	editor := subToken(t, map[string]string{"lang-son": "editor"}, time.Hour)
	anon := a.connect(t, "anonymous", "")
	caoBang := a.connect(t, "cao-bang viewer", subToken(t, map[string]string{"cao-bang": "viewer"}, time.Hour))
	langSon := a.connect(t, "lang-son viewer", subToken(t, map[string]string{"lang-son": "viewer"}, time.Hour))
	star := a.connect(t, "* viewer", subToken(t, map[string]string{"*": "viewer"}, time.Hour))
	const q = `subscription { dossierChanged { op id dossier { status province { id } } } }`
	for _, w := range []*wsClient{anon, caoBang, langSon, star} {
		w.subscribe("1", q, nil)
	}
	a.waitSubscribers(t, 4)
	in := map[string]any{"provinceId": "lang-son", "kind": "REGULAR", "authority": "PROVINCE_CHAIR", "year": 2025,
		"title": "Đề nghị", "proposingUnit": "Sở Nội vụ", "recipients": []any{}}
	id := get(a.ok(editor, `mutation($in: DossierInput!) { createDossier(input: $in) { id } }`, map[string]any{"in": in}), "createDossier", "id")
	for _, w := range []*wsClient{langSon, star} {
		if c := change(t, w.next(time.Second), "dossierChanged"); c["op"] != "CREATED" || c["id"] != id || get(c, "dossier", "status") != "DRAFT" {
			t.Errorf("%s got %v", w.name, c)
		}
	}
	// Cao Bằng's viewer's first message is Cao Bằng's own dossier, so it
	// never heard of Lạng Sơn's; the anonymous caller heard of neither.
	in["provinceId"] = "cao-bang"
	other := get(a.ok(subToken(t, map[string]string{"cao-bang": "editor"}, time.Hour),
		`mutation($in: DossierInput!) { createDossier(input: $in) { id } }`, map[string]any{"in": in}), "createDossier", "id")
	if c := change(t, caoBang.next(time.Second), "dossierChanged"); c["id"] != other {
		t.Errorf("cao-bang viewer got %v, want only its own dossier %v", c, other)
	}
	select {
	case m := <-anon.msgs:
		t.Errorf("the anonymous subscriber was told of a dossier: %+v", m)
	default:
	}
}
