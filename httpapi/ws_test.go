package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/thidua/thidua/auth"
	"github.com/thidua/thidua/graph"
	"github.com/thidua/thidua/httpapi"
)

// onTestClock checks WebSocket tokens' expiry against the tests' clock.
func onTestClock(c *graph.HandlerConfig) { c.Subscriptions.Now = func() time.Time { return now } }

// overWS is the API's WebSocket endpoint, dialled from ip (a loopback
// address: 127.0.0.1, 127.0.0.2, … all reach the test server).
func (a *api) overWS(ip string) *subAPI {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return &subAPI{api: a, wsURL: "ws" + strings.TrimPrefix(a.srv.URL, "http") + "/graphql",
		client: &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}}
}

// results reads what the server sends for the given operation ids until
// each has ended (complete or error), and a little more, so that an answer
// sent twice is seen.
func (w *wsClient) results(ids ...string) map[string][]wsMessage {
	w.t.Helper()
	got := map[string][]wsMessage{}
	open := len(ids)
	quiet := time.After(time.Hour)
	for {
		select {
		case m, ok := <-w.msgs:
			if !ok {
				w.t.Fatalf("%s: connection closed: %v", w.name, w.closeErr)
			}
			got[m.ID] = append(got[m.ID], m)
			if len(got[m.ID]) > 50 {
				w.t.Fatalf("%s: operation %s answered %d times", w.name, m.ID, len(got[m.ID]))
			}
			if m.Type == "complete" || m.Type == "error" {
				if open--; open == 0 {
					quiet = time.After(200 * time.Millisecond)
				}
			}
		case <-quiet:
			return got
		case <-time.After(5 * time.Second):
			w.t.Fatalf("%s: %d of %d operations still open: %v", w.name, open, len(ids), got)
		}
	}
}

// kinds lists the message types, in order.
func kinds(ms []wsMessage) string {
	var k []string
	for _, m := range ms {
		k = append(k, m.Type)
	}
	return strings.Join(k, " ")
}

// Queries and mutations over graphql-transport-ws get one result and
// complete: the reference cache answered `{ __typename }` and
// `{ provinces { id } }` again and again (hundreds of thousands of
// messages a second) in production.
func TestWebSocketQueryAnsweredOnce(t *testing.T) {
	t.Parallel()
	a := newAPIWith(t, func(c *graph.HandlerConfig) { c.Introspection = false })
	w := a.overWS("127.0.0.1").connect(t, "anonymous", "")
	ops := map[string]string{
		"typename": `{ __typename }`, "provinces": `{ provinces { id } }`, "again": `{ provinces { id } }`,
		"awards": `{ awards { totalCount } }`, "mutation": createAward,
	}
	vars := map[string]any{"in": awardInput("lang-son")}
	for _, round := range []string{"first", "cached"} {
		var ids []string
		for id, q := range ops {
			w.subscribe(id, q, vars)
			ids = append(ids, id)
		}
		got := w.results(ids...)
		for _, id := range ids {
			if k := kinds(got[id]); k != "next complete" {
				t.Errorf("%s %s: %s, want next complete", round, id, k)
			}
		}
	}
}

// Every operation over a WebSocket counts against the limits of HTTP: per
// address, and per subject once connection_init names one. A refused one
// is an error message (RATE_LIMITED) and the connection goes on.
func TestWebSocketRateLimits(t *testing.T) {
	t.Parallel()
	a := newAPIDeps(t, onTestClock, func(d *httpapi.Deps) {
		d.AddressLimit = httpapi.RateLimit{RPS: 2, Burst: 6}
		d.SubjectLimit = httpapi.RateLimit{RPS: 2, Burst: 3}
	})
	// run sends n operations and counts how many ran and how many were
	// refused.
	run := func(w *wsClient, n int, query string, vars map[string]any) (ran, refused int) {
		t.Helper()
		var ids []string
		for i := range n {
			id := fmt.Sprint(w.name, i)
			w.subscribe(id, query, vars)
			ids = append(ids, id)
		}
		for id, ms := range w.results(ids...) {
			switch k := kinds(ms); {
			case k == "next complete":
				ran++
			case k == "error" && strings.Contains(string(ms[0].Payload), `"code":"RATE_LIMITED"`) &&
				strings.Contains(string(ms[0].Payload), "retry in"):
				refused++
			default:
				t.Errorf("%s: %s %s", id, k, ms[0].Payload)
			}
		}
		return ran, refused
	}

	// Anonymous, by address: the upgrade took one of the six.
	anon := a.overWS("127.0.0.3").connect(t, "anonymous", "") // countAwards reads from 127.0.0.1
	if ran, refused := run(anon, 20, `{ __typename }`, nil); ran != 5 || refused != 15 {
		t.Errorf("anonymous: %d ran, %d refused; want 5 and 15", ran, refused)
	}
	time.Sleep(600 * time.Millisecond) // a token back
	if ran, _ := run(anon, 1, `{ __typename }`, nil); ran != 1 {
		t.Error("anonymous: the connection is not usable after a refusal")
	}

	// Signed in, by subject (another address, whose bucket is full): an
	// editor's writes stop at the subject's burst, and nothing more is
	// written.
	before := a.countAwards()
	// Its own subject: countAwards reads as u-test.
	tok, err := auth.Issue(auth.IssueConfig{Secret: secret, Issuer: "thidua", Audience: "thidua",
		Subject: "u-ws-editor", Roles: map[string]string{"lang-son": "editor"}, TTL: time.Hour, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	editor := a.overWS("127.0.0.2").connect(t, "editor", tok)
	if ran, refused := run(editor, 10, createAward, map[string]any{"in": awardInput("lang-son")}); ran != 3 || refused != 7 {
		t.Errorf("editor: %d ran, %d refused; want 3 and 7", ran, refused)
	}
	if got := a.countAwards(); got != before+3 {
		t.Errorf("%d awards, want %d", got, before+3)
	}
}

// One address holds at most MaxConnectionsPerAddress connections; other
// addresses, and a signed-in viewer among them, still connect.
func TestWebSocketConnectionsPerAddress(t *testing.T) {
	t.Parallel()
	a := newAPIDeps(t, onTestClock, func(d *httpapi.Deps) { d.MaxConnectionsPerAddress = 3 })
	greedy := a.overWS("127.0.0.1")
	var held []*wsClient
	for i := range 3 {
		held = append(held, greedy.connect(t, fmt.Sprint("greedy ", i), ""))
	}
	_, res, err := greedy.dialWS(t, "greedy 3", nil)
	if err == nil || res == nil || res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("a fourth connection from one address: %v %v, want 429", res, err)
	}
	other := a.overWS("127.0.0.2")
	other.connect(t, "another address", "")
	viewer := other.connect(t, "viewer", token(t, map[string]string{"*": "viewer"}))
	viewer.subscribe("1", `{ provinces { id } }`, nil)
	if k := kinds(viewer.results("1")["1"]); k != "next complete" {
		t.Errorf("viewer: %s", k)
	}
	// A closed connection frees its place.
	_ = held[0].c.Close(websocket.StatusNormalClosure, "")
	for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		w, _, err := greedy.dialWS(t, "greedy again", nil)
		if err == nil {
			_ = w.c.CloseNow()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the place of a closed connection is not freed: %v", err)
		}
	}
}

// A message that is not UTF-8 is refused, as such a body over HTTP is: a
// subscribe gets an error (BAD_USER_INPUT) and is not run; the connection
// goes on.
func TestWebSocketRefusesInvalidUTF8(t *testing.T) {
	t.Parallel()
	a := newAPIWith(t, onTestClock)
	before := a.countAwards()
	w := a.overWS("127.0.0.1").connect(t, "editor", token(t, map[string]string{"lang-son": "editor"}))
	in, _ := json.Marshal(awardInput("lang-son"))
	payload := `{"query":` + mustJSON(createAward) + `,"variables":{"in":` +
		strings.Replace(string(in), "Nguyễn Văn An", "Nguy\xff\xfen", 1) + `}}`
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := w.c.Write(ctx, websocket.MessageText, []byte(`{"type":"subscribe","id":"bad","payload":`+payload+`}`)); err != nil {
		t.Fatal(err)
	}
	got := w.results("bad")["bad"]
	if k := kinds(got); k != "error" || !strings.Contains(string(got[0].Payload), `"code":"BAD_USER_INPUT"`) {
		t.Errorf("invalid UTF-8: %s %s", k, got[0].Payload)
	}
	w.subscribe("ok", `{ __typename }`, nil)
	if k := kinds(w.results("ok")["ok"]); k != "next complete" {
		t.Errorf("after the refusal: %s", k)
	}
	if got := a.countAwards(); got != before {
		t.Errorf("%d awards, want %d: the refused message was run", got, before)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
