package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/thidua/thidua/auth"
)

// The hostile soak (-hostile): beside the legitimate clients, each on an
// address of its own, attackers on other loopback addresses (127.0.2.x,
// all on this machine) do what issue 17 measured, for the whole run:
//   - WebSocket floods: anonymous connections running queries and refused
//     mutations over graphql-transport-ws as fast as they are answered;
//   - a connection hog: one address opening 200 connections with 20
//     subscriptions each (its cap lets some through);
//   - uploads: a signed-in viewer with no right to attach sending 16 at
//     once of 20 MiB each, again and again;
//   - amplifiers: anonymous queries of 2,900 unknown fields;
//   - refused writes over HTTP by a viewer.
//
// Every attacker's loop ends with the run; connections are bounded. The
// legitimate clients' latencies and the process's memory are what the run
// reports.

type hostileStats struct {
	wsOps, wsNext, wsComplete, wsRateLimited, wsOther atomic.Int64
	hogOpen, hogRefused                               atomic.Int64
	uploads, uploadRefused, uploadOther               atomic.Int64
	amplify, amplifyBytes                             atomic.Int64
	refusedWrites                                     atomic.Int64
}

func (h *hostileStats) String() string {
	return fmt.Sprintf("hostile: WebSocket operations %d (next %d, complete %d, RATE_LIMITED %d, other %d); hog connections open %d, refused %d; "+
		"uploads %d (refused %d, other %d); 2,900-field queries %d (%d bytes answered); refused writes %d",
		h.wsOps.Load(), h.wsNext.Load(), h.wsComplete.Load(), h.wsRateLimited.Load(), h.wsOther.Load(),
		h.hogOpen.Load(), h.hogRefused.Load(), h.uploads.Load(), h.uploadRefused.Load(), h.uploadOther.Load(),
		h.amplify.Load(), h.amplifyBytes.Load(), h.refusedWrites.Load())
}

// from is an HTTP client whose connections come from the loopback address
// ip (Linux answers the whole 127.0.0.0/8 on lo).
func from(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 10 * time.Second}
	return &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 64}}
}

func issue(subject string, roles map[string]string) string {
	tok, err := auth.Issue(auth.IssueConfig{Secret: []byte(secret), Issuer: "thidua", Audience: "thidua",
		Subject: subject, Roles: roles, TTL: 24 * time.Hour, Now: time.Now()})
	must(err)
	return tok
}

func runHostile(ctx context.Context, base string, h *hostileStats) *sync.WaitGroup {
	var wg sync.WaitGroup
	goN := func(n int, f func(i int)) {
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) { defer wg.Done(); f(i) }(i)
		}
	}
	ws := "ws" + strings.TrimPrefix(base, "http") + "/graphql"
	viewer := issue("hostile-viewer", map[string]string{"lang-son": "viewer"})
	// WebSocket floods: 4 addresses, 5 operations in flight on each.
	goN(4, func(i int) { wsFlood(ctx, from(fmt.Sprintf("127.0.2.%d", 1+i)), ws, viewer, h) })
	// The hog: one address, 200 connections × 20 subscriptions.
	goN(1, func(int) { wsHog(ctx, from("127.0.2.10"), ws, h) })
	// Uploads: 16 at once, 20 MiB each, by a viewer.
	up := from("127.0.2.20")
	goN(16, func(int) {
		for ctx.Err() == nil {
			upload(ctx, up, base, viewer, 20<<20, h)
		}
	})
	// Amplifiers and refused writes.
	amp := from("127.0.2.30")
	goN(2, func(int) {
		q := "{" + strings.Repeat(" a", 2900) + " }"
		for ctx.Err() == nil {
			n := post(ctx, amp, base, "", q)
			h.amplify.Add(1)
			h.amplifyBytes.Add(int64(n))
		}
	})
	ref := from("127.0.2.40")
	goN(2, func(int) {
		for ctx.Err() == nil {
			post(ctx, ref, base, viewer, `mutation { deleteAward(id: "6b0a00000000000000000000", expectedVersion: 1) }`)
			h.refusedWrites.Add(1)
		}
	})
	return &wg
}

// post sends a query and returns the size of the answer.
func post(ctx context.Context, hc *http.Client, base, tok, query string) int {
	body, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := hc.Do(req)
	if err != nil {
		return 0
	}
	defer res.Body.Close()
	n, _ := io.Copy(io.Discard, res.Body)
	if res.StatusCode == http.StatusTooManyRequests {
		pause(ctx, res)
	}
	return int(n)
}

// pause honours a Retry-After, as a client that retries would (briefly).
func pause(ctx context.Context, res *http.Response) {
	select {
	case <-ctx.Done():
	case <-time.After(100 * time.Millisecond):
	}
}

type wsMsg struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

func wsOpen(ctx context.Context, hc *http.Client, url, tok string) (*websocket.Conn, error) {
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(dctx, url, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}, HTTPClient: hc})
	if err != nil {
		return nil, err
	}
	c.SetReadLimit(1 << 20)
	init := map[string]any{"type": "connection_init", "payload": map[string]any{}}
	if tok != "" {
		init["payload"] = map[string]any{"Authorization": "Bearer " + tok}
	}
	b, _ := json.Marshal(init)
	if err := c.Write(dctx, websocket.MessageText, b); err != nil {
		_ = c.CloseNow()
		return nil, err
	}
	return c, nil
}

// wsFlood runs queries and refused mutations over one connection, five in
// flight, until the run ends (reconnecting if the server closes it).
func wsFlood(ctx context.Context, hc *http.Client, url, tok string, h *hostileStats) {
	for ctx.Err() == nil {
		c, err := wsOpen(ctx, hc, url, tok)
		if err != nil {
			pauseFor(ctx, time.Second)
			continue
		}
		slots := make(chan struct{}, 5)
		done := make(chan struct{})
		go func() { // reader: frees a slot on each complete or error
			defer close(done)
			for {
				_, b, err := c.Read(ctx)
				if err != nil {
					return
				}
				var m wsMsg
				_ = json.Unmarshal(b, &m)
				switch m.Type {
				case "next":
					h.wsNext.Add(1)
				case "complete":
					h.wsComplete.Add(1)
					<-slots
				case "error":
					if strings.Contains(string(m.Payload), "RATE_LIMITED") {
						h.wsRateLimited.Add(1)
					} else {
						h.wsOther.Add(1)
					}
					<-slots
				case "ping":
					_ = c.Write(ctx, websocket.MessageText, []byte(`{"type":"pong"}`))
				}
			}
		}()
		for n := 0; ctx.Err() == nil; n++ {
			select {
			case slots <- struct{}{}:
			case <-done:
			case <-ctx.Done():
			}
			if ctx.Err() != nil {
				break
			}
			select {
			case <-done:
			default:
				q := `{ __typename provinces { id } }`
				if n%3 == 0 {
					q = `mutation { deleteAward(id: "6b0a00000000000000000000", expectedVersion: 1) }`
				}
				b, _ := json.Marshal(map[string]any{"id": fmt.Sprint(n), "type": "subscribe", "payload": map[string]any{"query": q}})
				if err := c.Write(ctx, websocket.MessageText, b); err == nil {
					h.wsOps.Add(1)
					continue
				}
			}
			break
		}
		_ = c.CloseNow()
		<-done
	}
}

// wsHog holds as many connections with 20 subscriptions each as the
// server lets one address have, up to 200, trying again for refused ones.
func wsHog(ctx context.Context, hc *http.Client, url string, h *hostileStats) {
	var conns []*websocket.Conn
	defer func() {
		for _, c := range conns {
			_ = c.CloseNow()
		}
	}()
	for ctx.Err() == nil {
		if len(conns) >= 200 {
			pauseFor(ctx, time.Second)
			continue
		}
		c, err := wsOpen(ctx, hc, url, "")
		if err != nil {
			h.hogRefused.Add(1)
			pauseFor(ctx, 200*time.Millisecond)
			continue
		}
		for i := 0; i < 20; i++ {
			b, _ := json.Marshal(map[string]any{"id": fmt.Sprint(i), "type": "subscribe",
				"payload": map[string]any{"query": `subscription { awardChanged { kind award { id } } }`}})
			_ = c.Write(ctx, websocket.MessageText, b)
		}
		go func() { // drain
			for {
				if _, _, err := c.Read(ctx); err != nil {
					return
				}
			}
		}()
		conns = append(conns, c)
		h.hogOpen.Store(int64(len(conns)))
	}
}

// upload sends one multipart attachFile of size bytes, generated as it is
// sent (the attacker holds no copy).
func upload(ctx context.Context, hc *http.Client, base, tok string, size int, h *hostileStats) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		_ = mw.WriteField("operations", `{"query":"mutation($f: Upload!) { attachFile(recordId: \"6b0a00000000000000000000\", file: $f) { id } }","variables":{"f":null}}`)
		_ = mw.WriteField("map", `{"0":["variables.f"]}`)
		part, err := mw.CreateFormFile("0", "ho-so.pdf")
		if err == nil {
			_, _ = part.Write([]byte("%PDF-1.4\n"))
			chunk := make([]byte, 64<<10)
			for sent := 0; sent < size; sent += len(chunk) {
				if _, err = part.Write(chunk); err != nil {
					break
				}
			}
		}
		_ = mw.Close()
		_ = pw.CloseWithError(err)
	}()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/graphql", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := hc.Do(req)
	h.uploads.Add(1)
	if err != nil {
		_ = pr.CloseWithError(err)
		h.uploadOther.Add(1)
		return
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	_ = pr.Close()
	if res.StatusCode == http.StatusTooManyRequests || res.StatusCode == http.StatusServiceUnavailable ||
		strings.Contains(string(b), `"code":"NOT_FOUND"`) || strings.Contains(string(b), `"code":"FORBIDDEN"`) {
		h.uploadRefused.Add(1)
		if res.StatusCode != http.StatusOK {
			pause(ctx, res)
		}
		return
	}
	h.uploadOther.Add(1)
	fmt.Fprintf(os.Stderr, "hostile upload: %d %s\n", res.StatusCode, b)
}

func pauseFor(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
