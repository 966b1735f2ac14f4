package main

import (
	"context"
	"encoding/json"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// Through the real service: a subscription over graphql-transport-ws on
// /graphql outlives the HTTP server's read and write timeouts (REQUEST_TIMEOUT
// 1 s gives a write timeout of 11 s; the read timeout is 15 s), and sees a
// change within a second of its write.
func TestSubscriptionThroughTheService(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATA_DIR": t.TempDir(), "LOG_LEVEL": "error", "REQUEST_TIMEOUT": "1s"}
	cmd, base := serve(t, env)
	defer func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() }()
	viewer, editor := devToken(t, env, "lang-son=viewer"), devToken(t, env, "lang-son=editor")

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := dialGraphQLWS(ctx, t, base)
	send := func(v any) {
		b, _ := json.Marshal(v)
		if err := c.Write(ctx, websocket.MessageText, b); err != nil {
			t.Fatal(err)
		}
	}
	msgs := make(chan map[string]any, 10)
	go func() {
		defer close(msgs)
		for {
			_, b, err := c.Read(ctx)
			if err != nil {
				return
			}
			var m map[string]any
			_ = json.Unmarshal(b, &m)
			if m["type"] == "ping" {
				send(map[string]any{"type": "pong"})
				continue
			}
			msgs <- m
		}
	}()
	next := func(within time.Duration) map[string]any {
		select {
		case m, ok := <-msgs:
			if !ok {
				t.Fatal("the connection closed")
			}
			return m
		case <-time.After(within):
			t.Fatalf("nothing within %v", within)
		}
		return nil
	}
	send(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + viewer}})
	if m := next(5 * time.Second); m["type"] != "connection_ack" {
		t.Fatalf("got %v, want connection_ack", m)
	}
	send(map[string]any{"type": "subscribe", "id": "1", "payload": map[string]any{
		"query": `subscription { awardChanged(provinceId: "lang-son") { op id award { status recipient { name } } } }`}})
	time.Sleep(16 * time.Second) // past both server timeouts
	t0 := time.Now()
	_, code, _, err := post(base, editor, `mutation { createAward(input: {provinceId: "lang-son", awardTypeId: "giay-khen",
	  authority: UNIT_HEAD, year: 2025, status: PROPOSED, recipient: {kind: INDIVIDUAL, name: "Vi Thị Hoa"}}) { id } }`)
	if err != nil || code != "" {
		t.Fatalf("create: %q %v", code, err)
	}
	m := next(time.Second)
	if m["type"] != "next" || !strings.Contains(strings.ToLower(string(mustJSON(m))), "vi thị hoa") {
		t.Fatalf("got %v", m)
	}
	t.Logf("the event arrived %v after the write, 16 s into the subscription", time.Since(t0).Round(time.Millisecond))
}

// dialGraphQLWS opens a graphql-transport-ws connection to the service's
// /graphql, closed when the test ends.
func dialGraphQLWS(ctx context.Context, t *testing.T, base string) *websocket.Conn {
	t.Helper()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.CloseNow() })
	return c
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
