package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/thidua/thidua/auth"
	"github.com/thidua/thidua/httpapi"
)

type okPinger struct{}

func (okPinger) Ping(context.Context) error { return nil }

// stubGraphQL answers every request it reaches with {"data":{}} and
// remembers the last one.
type stubGraphQL struct {
	mu    sync.Mutex
	calls int
	last  *http.Request
	body  string
}

func (s *stubGraphQL) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.calls++
	s.last, s.body = r, string(b)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"data":{}}`))
}

func (s *stubGraphQL) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// stubDeps is the HTTP surface with stand-ins for GraphQL and the reports.
func stubDeps(t *testing.T, gql http.Handler) httpapi.Deps {
	t.Helper()
	verifier, err := auth.NewVerifier(auth.VerifierConfig{Secret: secret, Issuer: "thidua", Audience: "thidua",
		Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return httpapi.Deps{
		GraphQL: gql,
		Exports: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			_, _ = w.Write([]byte("a,b\n"))
		}),
		Verifier: verifier, DB: okPinger{}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Playground: true, RequestTimeout: 5 * time.Second, MaxBodyBytes: 1 << 10,
	}
}

func serve(h http.Handler, method, target, remote string, body string, hdr map[string]string) *httptest.ResponseRecorder {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	if remote != "" {
		req.RemoteAddr = remote
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func errorCode(t *testing.T, w *httptest.ResponseRecorder) (code, msg string) {
	t.Helper()
	var out struct {
		Errors []gqlError `json:"errors"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || len(out.Errors) == 0 {
		t.Fatalf("status %d, body is not a GraphQL error: %s", w.Code, w.Body)
	}
	c, _ := out.Errors[0].Extensions["code"].(string)
	return c, out.Errors[0].Message
}

const postQuery = `{"query":"{ provinces { id } }"}`

var jsonPost = map[string]string{"Content-Type": "application/json"}

// Preflights are answered 204 for the allowed origins, with the methods,
// headers and max age; other origins get no CORS headers; the real
// responses carry Access-Control-Allow-Origin.
func TestCORS(t *testing.T) {
	preflight := func(h http.Handler, path, origin string) *httptest.ResponseRecorder {
		return serve(h, http.MethodOptions, path, "", "", map[string]string{
			"Origin": origin, "Access-Control-Request-Method": "POST",
			// As browsers send it: lower case, sorted.
			"Access-Control-Request-Headers": "apollo-require-preflight,authorization,content-type,x-apollo-operation-name",
		})
	}
	dev := stubDeps(t, &stubGraphQL{})
	dev.CORSLocalhost = true
	h := httpapi.New(dev)
	for _, origin := range []string{"http://localhost:5173", "http://127.0.0.1:3000"} {
		for _, path := range []string{"/graphql", "/reports/awards.csv"} {
			w := preflight(h, path, origin)
			if w.Code != http.StatusNoContent {
				t.Errorf("preflight %s from %s: %d, want 204", path, origin, w.Code)
			}
			if got := w.Header().Get("Access-Control-Allow-Origin"); got != origin {
				t.Errorf("preflight %s from %s: Allow-Origin %q", path, origin, got)
			}
			if got := w.Header().Get("Access-Control-Allow-Methods"); !strings.Contains(got, "POST") {
				t.Errorf("Allow-Methods %q", got)
			}
			allowed := strings.ToLower(w.Header().Get("Access-Control-Allow-Headers"))
			for _, want := range []string{"authorization", "content-type", "apollo-require-preflight", "x-apollo-operation-name"} {
				if !strings.Contains(allowed, want) {
					t.Errorf("Allow-Headers %q lacks %s", allowed, want)
				}
			}
			if got := w.Header().Get("Access-Control-Max-Age"); got != "600" {
				t.Errorf("Max-Age %q", got)
			}
			if got := w.Header().Get("Access-Control-Allow-Credentials"); got != "" {
				t.Errorf("Allow-Credentials %q: no credentials mode", got)
			}
		}
	}
	w := serve(h, http.MethodPost, "/graphql", "", postQuery, map[string]string{"Content-Type": "application/json", "Origin": "http://localhost:5173"})
	if w.Code != 200 || w.Header().Get("Access-Control-Allow-Origin") != "http://localhost:5173" {
		t.Errorf("POST from localhost: %d, Allow-Origin %q", w.Code, w.Header().Get("Access-Control-Allow-Origin"))
	}
	if !strings.Contains(w.Header().Get("Access-Control-Expose-Headers"), "Retry-After") {
		t.Errorf("Expose-Headers %q lacks Retry-After", w.Header().Get("Access-Control-Expose-Headers"))
	}
	for _, origin := range []string{"https://evil.example", "http://localhost", "http://localhost.evil.example:80", "https://localhost:5173", "null"} {
		w := preflight(h, "/graphql", origin)
		if got := w.Header().Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("preflight from %s allowed (%q)", origin, got)
		}
	}
	// An OPTIONS that is not a preflight is still refused.
	if w := serve(h, http.MethodOptions, "/graphql", "", "", nil); w.Code != http.StatusMethodNotAllowed {
		t.Errorf("plain OPTIONS: %d, want 405", w.Code)
	}

	// Production: exactly the listed origins, no localhost.
	prod := stubDeps(t, &stubGraphQL{})
	prod.CORSOrigins = []string{"https://app.example.org"}
	h = httpapi.New(prod)
	if w := preflight(h, "/graphql", "https://app.example.org"); w.Code != 204 || w.Header().Get("Access-Control-Allow-Origin") != "https://app.example.org" {
		t.Errorf("listed origin: %d %q", w.Code, w.Header().Get("Access-Control-Allow-Origin"))
	}
	for _, origin := range []string{"http://localhost:5173", "https://app.example.org.evil.example", "http://app.example.org"} {
		if got := preflight(h, "/graphql", origin).Header().Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("production allowed %s", origin)
		}
	}
	// None configured: none allowed (rs/cors would allow all if given none).
	h = httpapi.New(stubDeps(t, &stubGraphQL{}))
	if got := preflight(h, "/graphql", "https://app.example.org").Header().Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("no origins configured, yet %q allowed", got)
	}
}

// API and report responses, refusals included, are no-store and nosniff;
// the playground's assets may be cached.
func TestAPIResponsesAreNotCached(t *testing.T) {
	h := httpapi.New(stubDeps(t, &stubGraphQL{}))
	cases := []struct {
		name, method, target, body string
		hdr                        map[string]string
		status                     int
	}{
		{"POST", http.MethodPost, "/graphql", postQuery, jsonPost, 200},
		{"GET", http.MethodGet, "/graphql?query=%7Bprovinces%7Bid%7D%7D", "", nil, 200},
		{"bad token", http.MethodPost, "/graphql", postQuery, map[string]string{"Content-Type": "application/json", "Authorization": "Bearer nope"}, 401},
		{"too large", http.MethodPost, "/graphql", `{"query":"` + strings.Repeat("x", 2<<10) + `"}`, jsonPost, 413},
		{"method", http.MethodDelete, "/graphql", "", nil, 405},
		{"report", http.MethodGet, "/reports/awards.csv", "", nil, 200},
	}
	for _, c := range cases {
		w := serve(h, c.method, c.target, "", c.body, c.hdr)
		if w.Code != c.status {
			t.Errorf("%s: %d, want %d", c.name, w.Code, c.status)
		}
		if got := w.Header().Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", c.name, got)
		}
		if got := w.Header().Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q, want nosniff", c.name, got)
		}
	}
	if got := serve(h, http.MethodGet, "/playground/playground.css", "", "", nil).Header().Get("Cache-Control"); got == "no-store" {
		t.Errorf("playground assets are no-store")
	}
}

// Over the limit of an address, or of a token's subject, a request is 429
// with Retry-After; other addresses and subjects are not affected.
func TestRateLimits(t *testing.T) {
	gql := &stubGraphQL{}
	d := stubDeps(t, gql)
	d.AddressLimit = httpapi.RateLimit{RPS: 0.5, Burst: 3}
	h := httpapi.New(d)
	post := func(remote, tok string) *httptest.ResponseRecorder {
		hdr := map[string]string{"Content-Type": "application/json"}
		if tok != "" {
			hdr["Authorization"] = "Bearer " + tok
		}
		return serve(h, http.MethodPost, "/graphql", remote, postQuery, hdr)
	}
	for i := 0; i < 3; i++ {
		if w := post("192.0.2.1:1000", ""); w.Code != 200 {
			t.Fatalf("request %d: %d", i+1, w.Code)
		}
	}
	w := post("192.0.2.1:1001", "")
	if w.Code != http.StatusTooManyRequests {
		t.Fatalf("4th request: %d, want 429", w.Code)
	}
	if ra, err := strconv.Atoi(w.Header().Get("Retry-After")); err != nil || ra < 1 || ra > 2 {
		t.Errorf("Retry-After %q, want 1 or 2 (seconds)", w.Header().Get("Retry-After"))
	}
	if code, msg := errorCode(t, w); code != "RATE_LIMITED" || msg == "" {
		t.Errorf("429 body: %s %q", code, msg)
	}
	if w.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("429 without no-store")
	}
	if w := post("192.0.2.2:1000", ""); w.Code != 200 {
		t.Errorf("another address: %d", w.Code)
	}
	// IPv6: a host's whole /64 is one client.
	for i := 0; i < 3; i++ {
		post("[2001:db8:1:1::1]:1000", "")
	}
	if w := post("[2001:db8:1:1::2]:1000", ""); w.Code != 429 {
		t.Errorf("same /64: %d, want 429", w.Code)
	}
	if w := post("[2001:db8:1:2::1]:1000", ""); w.Code != 200 {
		t.Errorf("another /64: %d", w.Code)
	}
	if n := gql.count(); n != 8 {
		t.Errorf("GraphQL saw %d requests, want 8", n)
	}

	// Per subject, whatever the address.
	d = stubDeps(t, &stubGraphQL{})
	d.SubjectLimit = httpapi.RateLimit{RPS: 0.5, Burst: 2}
	h = httpapi.New(d)
	issue := func(sub string) string {
		tok, err := auth.Issue(auth.IssueConfig{Secret: secret, Issuer: "thidua", Audience: "thidua",
			Subject: sub, Roles: map[string]string{"lang-son": "viewer"}, TTL: time.Hour, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	a, b := issue("u-a"), issue("u-b")
	post("192.0.2.10:1", a)
	post("192.0.2.11:1", a)
	if w := post("192.0.2.12:1", a); w.Code != 429 || w.Header().Get("Retry-After") == "" {
		t.Errorf("subject over its limit from a third address: %d, Retry-After %q", w.Code, w.Header().Get("Retry-After"))
	}
	if w := post("192.0.2.12:1", b); w.Code != 200 {
		t.Errorf("another subject: %d", w.Code)
	}
	for i := 0; i < 5; i++ {
		if w := post("192.0.2.12:1", ""); w.Code != 200 {
			t.Errorf("anonymous request %d limited by subject: %d", i, w.Code)
		}
	}
	// Reports count too.
	if w := serve(h, http.MethodGet, "/reports/awards.csv", "192.0.2.13:1", "", map[string]string{"Authorization": "Bearer " + a}); w.Code != 429 {
		t.Errorf("report over the subject's limit: %d", w.Code)
	}
}

// A body or query string that is not UTF-8 is refused before GraphQL sees it.
func TestNonUTF8Refused(t *testing.T) {
	gql := &stubGraphQL{}
	h := httpapi.New(stubDeps(t, gql))
	cases := []struct {
		name, method, target, body string
	}{
		{"body", http.MethodPost, "/graphql", "{\"query\":\"{ province(id: \\\"lang-son\xff\\\") { id } }\"}"},
		{"overlong body", http.MethodPost, "/graphql", "{\"query\":\"{ provinces { id } }\", \"x\": \"\xc0\xaf\"}"},
		{"escaped query", http.MethodGet, "/graphql?query=%7B%20province(id%3A%20%22a%FF%22)%20%7B%20id%20%7D%20%7D", ""},
		{"escaped variables", http.MethodGet, "/graphql?query=%7Bprovinces%7Bid%7D%7D&variables=%7B%22a%22%3A%22%ED%A0%80%22%7D", ""},
		{"raw query", http.MethodGet, "/graphql?query=\xff", ""},
	}
	for _, c := range cases {
		req := httptest.NewRequest(c.method, "/graphql", strings.NewReader(c.body))
		if c.method == http.MethodGet {
			req = httptest.NewRequest(c.method, "/graphql", nil)
			req.URL.RawQuery = c.target[strings.Index(c.target, "?")+1:]
		}
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 400 {
			t.Errorf("%s: %d, want 400", c.name, w.Code)
			continue
		}
		if code, msg := errorCode(t, w); code != "BAD_USER_INPUT" || !strings.Contains(msg, "UTF-8") {
			t.Errorf("%s: %s %q", c.name, code, msg)
		}
	}
	if n := gql.count(); n != 0 {
		t.Errorf("GraphQL saw %d requests that are not UTF-8", n)
	}
	w := serve(h, http.MethodPost, "/graphql", "", `{"query":"{ province(id: \"lạng-sơn\") { id } }"}`, jsonPost)
	if w.Code != 200 || !strings.Contains(gql.body, "lạng-sơn") {
		t.Errorf("valid UTF-8: %d, GraphQL got %q", w.Code, gql.body)
	}
}

// A WebSocket upgrade on GET /graphql reaches the GraphQL handler as sent:
// headers intact, no deadline, no protocol refusals, no caching headers,
// and the connection can be hijacked.
func TestWebSocketUpgradeReachesGraphQL(t *testing.T) {
	type seen struct {
		hdr         http.Header
		deadline    bool
		respHeaders http.Header
		hijackErr   error
	}
	got := make(chan seen, 1)
	d := stubDeps(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, dl := r.Context().Deadline()
		s := seen{hdr: r.Header.Clone(), deadline: dl, respHeaders: w.Header().Clone()}
		hj, ok := w.(http.Hijacker)
		if !ok {
			s.hijackErr = http.ErrNotSupported
			got <- s
			http.Error(w, "no hijack", 500)
			return
		}
		conn, rw, err := hj.Hijack()
		s.hijackErr = err
		got <- s
		if err != nil {
			return
		}
		defer conn.Close()
		_, _ = rw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
			"Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n")
		_ = rw.Flush()
	}))
	d.RequestTimeout = time.Millisecond
	d.MaxBodyBytes = 1
	d.CORSLocalhost = true
	srv := httptest.NewServer(httpapi.New(d))
	defer srv.Close()

	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/graphql", nil)
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "websocket")
	req.Header.Set("Sec-WebSocket-Version", "13")
	req.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	req.Header.Set("Sec-WebSocket-Protocol", "graphql-transport-ws")
	req.Header.Set("Origin", "http://localhost:5173")
	req.Header.Set("Accept", "text/html") // 406 for a GraphQL-over-HTTP request
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusSwitchingProtocols {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("upgrade: %d %s", res.StatusCode, b)
	}
	var s seen
	select {
	case s = <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("the GraphQL handler never saw the upgrade")
	}
	if s.hijackErr != nil {
		t.Fatalf("hijack: %v", s.hijackErr)
	}
	for k, want := range map[string]string{"Upgrade": "websocket", "Connection": "Upgrade", "Sec-Websocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
		"Sec-Websocket-Protocol": "graphql-transport-ws", "Sec-Websocket-Version": "13", "Origin": "http://localhost:5173"} {
		if g := s.hdr.Get(k); g != want {
			t.Errorf("header %s: %q, want %q", k, g, want)
		}
	}
	if s.deadline {
		t.Error("the upgrade has a request deadline")
	}
	for _, k := range []string{"Cache-Control", "Access-Control-Allow-Origin"} {
		if v := s.respHeaders.Get(k); v != "" {
			t.Errorf("the upgrade's response already has %s: %q", k, v)
		}
	}

	// A bad token in a header is still refused; the upgrade is not a way around auth.
	req.Header.Set("Authorization", "Bearer nope")
	res2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res2.Body.Close()
	if res2.StatusCode != 401 {
		t.Errorf("upgrade with a bad token: %d, want 401", res2.StatusCode)
	}
}
