// Package httpapi is thidua's HTTP surface: every route in one place, and
// the middleware each passes through (request id, metrics, panic recovery,
// CORS, caching headers, rate limits, request deadline, body limit, UTF-8
// check, authentication).
package httpapi

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/thidua/thidua/auth"
	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/playground"
)

// Pinger tells whether the database answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Deps are what the HTTP surface needs.
type Deps struct {
	GraphQL        http.Handler // the GraphQL endpoint
	Exports        http.Handler // CSV and Excel reports under /reports/ (nil: none)
	Verifier       *auth.Verifier
	DB             Pinger
	Logger         *slog.Logger
	Playground     bool
	RequestTimeout time.Duration
	MaxBodyBytes   int64
	// MaxUploadBytes bounds a multipart request (a file upload, the GraphQL
	// multipart request convention) instead of MaxBodyBytes.
	MaxUploadBytes int64
	// Uploads bound the uploads in progress at once (upload.go).
	Uploads UploadLimits
	// Files serves attachments under /files/ (nil: none).
	Files http.Handler
	// CORSOrigins are the origins (exact) browsers may call the API from;
	// CORSLocalhost also allows any http://localhost:<port> and
	// http://127.0.0.1:<port> (development).
	CORSOrigins   []string
	CORSLocalhost bool
	// AddressLimit limits requests per client address, SubjectLimit per
	// token subject; the zero value is no limit.
	AddressLimit, SubjectLimit RateLimit
	// MaxConnectionsPerAddress caps the WebSocket connections one client
	// address holds open at once (0: no cap).
	MaxConnectionsPerAddress int
	// Registry receives the HTTP metrics and is served at /metrics; nil:
	// a new one with the Go and process collectors.
	Registry *prometheus.Registry
}

// New returns the handler of every route.
func New(d Deps) http.Handler {
	reg := d.Registry
	if reg == nil {
		reg = NewRegistry()
	}
	m := newMetrics(reg)

	mux := http.NewServeMux()
	route := func(pattern, name string, h http.Handler) {
		mux.Handle(pattern, m.instrument(name, h))
	}
	authn := auth.Middleware(d.Verifier, d.Logger)
	byAddress := newLimiter(d.AddressLimit)
	bySubject := newLimiter(d.SubjectLimit)
	// api is what every API and report response passes through, outermost
	// first: CORS (so that refusals are readable by the page), headers,
	// the limit per address, the deadline.
	api := func(timeout time.Duration, h http.Handler) http.Handler {
		return withCORS(d.CORSOrigins, d.CORSLocalhost, noStore(limitBy(byAddress, clientAddress, withTimeout(timeout, h))))
	}
	// The token is verified before the body is read: only a signed-in
	// caller's upload may be larger than MaxBodyBytes.
	gql := api(d.RequestTimeout, graphqlHTTP(authn(limitUploads(d.Uploads, limitBody(d.MaxBodyBytes, d.MaxUploadBytes, validUTF8(
		limitBy(bySubject, tokenSubject, d.GraphQL)))))))
	// A WebSocket upgrade is a long-lived connection, not a GraphQL-over-HTTP
	// request: no deadline, body limit, protocol rules or caching headers;
	// the token comes in connection_init (a header, if any, is checked).
	// The upgrade counts as a request; each operation over the connection
	// then counts as one too (withOperationLimits), and an address holds at
	// most MaxConnectionsPerAddress connections.
	ws := limitBy(byAddress, clientAddress, limitConnections(newConnLimit(d.MaxConnectionsPerAddress), clientAddress,
		authn(limitBy(bySubject, tokenSubject, withOperationLimits(byAddress, bySubject, d.GraphQL)))))
	route("/graphql", "graphql", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isWebSocketUpgrade(r) {
			// The upgrader lifts the server's connection deadlines once it
			// hijacks the connection (TestSubscriptionThroughTheService).
			ws.ServeHTTP(w, r)
			return
		}
		gql.ServeHTTP(w, r)
	}))
	if d.Files != nil {
		route("/files/", "files", api(d.RequestTimeout*4, authn(limitBy(bySubject, tokenSubject, d.Files))))
	}
	if d.Exports != nil {
		// Every method reaches the reports handler: CORS answers preflights,
		// and the handler answers any method but GET and HEAD with a JSON 405.
		route("/reports/", "reports", api(d.RequestTimeout*4, authn(limitBy(bySubject, tokenSubject, d.Exports))))
	}
	route("GET /healthz", "healthz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	}))
	route("GET /readyz", "readyz", ready(d.DB, d.Logger))
	route("GET /metrics", "metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	if d.Playground {
		route("GET /{$}", "playground", playground.Page())
		route("GET /playground/", "playground_assets", playground.Assets())
	}
	return requestID(recoverPanics(d.Logger, mux))
}

// NewRegistry returns a metrics registry with the Go and process collectors.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

func ready(db Pinger, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := db.Ping(ctx); err != nil {
			logger.WarnContext(ctx, "not ready", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("database unavailable\n"))
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
}

// saneRequestID reports whether a client's X-Request-Id may be kept: 1 to
// 64 of A-Z, a-z, 0-9, '.', '_' and '-'.
func saneRequestID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for i := range len(id) {
		switch c := id[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// requestID takes a sane X-Request-Id from the client or makes one, and
// puts it in the context and the response.
func requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if !saneRequestID(id) {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(domain.WithRequestID(r.Context(), id)))
	})
}

// recoverPanics keeps a panic outside the GraphQL executor from killing the
// process or leaking its text.
func recoverPanics(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				logger.ErrorContext(r.Context(), "panic", "panic", fmt.Sprint(p),
					"request_id", domain.RequestID(r.Context()), "stack", string(debug.Stack()))
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = w.Write([]byte(`{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}`))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// isWebSocketUpgrade reports whether r asks to become a WebSocket.
func isWebSocketUpgrade(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.EqualFold(r.Header.Get("Upgrade"), "websocket") &&
		headerHasToken(r.Header.Values("Connection"), "upgrade")
}

func headerHasToken(values []string, token string) bool {
	for _, v := range values {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// Header values shared by every response (net/http copies them, nothing
// here modifies them): set without an allocation each.
var noStoreValue, nosniffValue = []string{"no-store"}, []string{"nosniff"}

// noStore marks a response as private to this request, and its type as
// final: answers depend on the caller's token and change with every write.
func noStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["Cache-Control"], h["X-Content-Type-Options"] = noStoreValue, nosniffValue
		next.ServeHTTP(w, r)
	})
}

// validUTF8 refuses a body or query string that is not UTF-8, which Go's
// JSON decoder would otherwise turn into U+FFFD without a word. It runs
// after limitBody, which has read the body into memory.
func validUTF8(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !queryIsUTF8(r.URL.RawQuery) {
			writeError(w, domain.CodeInvalid, "the query string is not valid UTF-8")
			return
		}
		if r.Body != nil && r.Body != http.NoBody && !isMultipart(r) { // files are bytes
			// limitBody has read the body into memory: checked there,
			// not read (and copied) again.
			mb, read := r.Body.(*memBody)
			var body []byte
			if read {
				body = mb.raw
			} else {
				var err error
				if body, err = io.ReadAll(r.Body); err != nil {
					writeError(w, domain.CodeInvalid, "the request body could not be read")
					return
				}
			}
			if !utf8.Valid(body) {
				writeError(w, domain.CodeInvalid, "the request body is not valid UTF-8")
				return
			}
			if !read {
				r.Body = newMemBody(body)
			}
		}
		next.ServeHTTP(w, r)
	})
}

// queryIsUTF8 reports whether a raw query string, and every key and value
// once unescaped, is UTF-8.
func queryIsUTF8(raw string) bool {
	if !utf8.ValidString(raw) {
		return false
	}
	for _, part := range strings.FieldsFunc(raw, func(r rune) bool { return r == '&' || r == ';' }) {
		for _, s := range strings.SplitN(part, "=", 2) {
			u, err := url.QueryUnescape(s)
			if err == nil && !utf8.ValidString(u) {
				return false
			}
		}
	}
	return true
}

// withTimeout gives every request a deadline that reaches each database
// call; its timer is started only if something waits (lazyDeadline).
func withTimeout(d time.Duration, next http.Handler) http.Handler {
	if d <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := newLazyDeadline(r.Context(), d)
		defer ctx.stop()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// limitBody reads at most n bytes of the body; a larger body is refused
// with 413 before anything else reads it, chunked or not. A signed-in
// caller's multipart body (an upload) may be upload bytes and 1 MiB more,
// and is not read here but bounded as it is read.
func limitBody(n, upload int64, next http.Handler) http.Handler {
	if n <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := n
		uploading := isMultipart(r) && upload > 0 && auth.FromContext(r.Context()) != nil
		if uploading {
			// Only signed-in callers upload (authn ran before).
			n = upload + 1<<20 // the file, and the operations and map fields
		}
		if r.ContentLength > n {
			tooLarge(w, n)
			return
		}
		if uploading {
			// An upload is read as it goes (the GraphQL endpoint reads
			// its files only for a command that may store them, and then
			// to temporary files): never into memory here.
			r.Body = http.MaxBytesReader(w, r.Body, n)
		} else if r.Body != nil && r.Body != http.NoBody {
			body, err := readSized(http.MaxBytesReader(w, r.Body, n), r.ContentLength)
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				tooLarge(w, n)
				return
			}
			if err != nil {
				writeError(w, domain.CodeInvalid, "the request body could not be read")
				return
			}
			r.Body = newMemBody(body)
		}
		next.ServeHTTP(w, r)
	})
}

// memBody is a request body read into memory (by limitBody).
type memBody struct {
	*bytes.Reader
	raw []byte
}

func newMemBody(raw []byte) *memBody { return &memBody{Reader: bytes.NewReader(raw), raw: raw} }

func (*memBody) Close() error { return nil }

// Unread is the whole body when none of it has been read yet (nil
// otherwise): the GraphQL transport takes it without copying.
func (b *memBody) Unread() []byte {
	if b.Len() != len(b.raw) {
		return nil
	}
	return b.raw
}

// readSized reads r to its end into one buffer of the announced size (the
// Content-Length, when known: no growing and copying as io.ReadAll does).
func readSized(r io.Reader, size int64) ([]byte, error) {
	if size <= 0 {
		return io.ReadAll(r)
	}
	buf := make([]byte, 0, size+1) // +1: the read that finds the end needs no new buffer
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// isMultipart reports whether a request is a multipart upload.
func isMultipart(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	if ct == "application/json" || ct == "" {
		return false // the usual case, without parsing
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "multipart/form-data"
}

func tooLarge(w http.ResponseWriter, n int64) {
	writeError(w, domain.CodeTooLarge, fmt.Sprintf("request body over %d bytes", n))
}

// writeError answers a request refused before it reaches GraphQL, with the
// status the error table gives its code.
func writeError(w http.ResponseWriter, code domain.Code, msg string) { Refuse(w, code, msg) }

// graphqlHTTP enforces the GraphQL-over-HTTP rules gqlgen leaves open:
// only GET and POST (405 with Allow), a JSON body for POST (415), a
// response type the client accepts (406), and no mutation over GET (405
// with Allow: POST).
func graphqlHTTP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodPost:
		default:
			w.Header().Set("Allow", "GET, POST")
			writeError(w, domain.CodeMethodNotAllowed, "use GET or POST")
			return
		}
		if !acceptable(r.Header.Values("Accept")) {
			writeError(w, domain.CodeNotAcceptable,
				"accept application/graphql-response+json or application/json")
			return
		}
		if ct := r.Header.Get("Content-Type"); r.Method == http.MethodPost && ct != "application/json" { // the usual one, unparsed
			mt, _, err := mime.ParseMediaType(ct)
			if err != nil || mt != "application/json" && mt != "multipart/form-data" {
				writeError(w, domain.CodeUnsupportedType, "send the request as application/json (multipart/form-data for file uploads)")
				return
			}
		}
		if r.Method == http.MethodGet && isMutation(r.URL.Query().Get("query"), r.URL.Query().Get("operationName")) {
			w.Header().Set("Allow", "POST")
			writeError(w, domain.CodeMethodNotAllowed, "mutations are sent with POST")
			return
		}
		sw := &specWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		sw.finish()
	})
}

// specWriter adjusts gqlgen's error responses to the GraphQL-over-HTTP
// spec: a request that fails to parse or validate gets 200 when the
// response is application/json (legacy clients read the errors from the
// body), and a 4xx application/graphql-response+json body has no "data".
type specWriter struct {
	http.ResponseWriter
	buf     *bytes.Buffer // the body of a response to rewrite
	status  int
	written bool
}

func (w *specWriter) WriteHeader(code int) {
	if w.written {
		return
	}
	w.written = true
	if code == http.StatusOK {
		w.ResponseWriter.WriteHeader(code) // nothing to adjust
		return
	}
	mt, _, _ := mime.ParseMediaType(w.Header().Get("Content-Type"))
	switch {
	case code == http.StatusUnprocessableEntity && mt == "application/json":
		code = http.StatusOK
	case code >= 400 && code < 500 && mt == "application/graphql-response+json":
		w.buf, w.status = &bytes.Buffer{}, code
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *specWriter) Write(b []byte) (int, error) {
	if !w.written {
		w.WriteHeader(http.StatusOK)
	}
	if w.buf != nil {
		return w.buf.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

func (w *specWriter) finish() {
	if w.buf == nil {
		return
	}
	body := w.buf.Bytes()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err == nil {
		if _, ok := m["data"]; ok {
			delete(m, "data")
			if b, err := json.Marshal(m); err == nil {
				body = b
			}
		}
	}
	w.Header().Del("Content-Length")
	w.ResponseWriter.WriteHeader(w.status)
	_, _ = w.ResponseWriter.Write(body)
}

func (w *specWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush sends what is written so far (multipart/mixed responses stream
// @defer parts); a response held for rewriting is sent by finish.
func (w *specWriter) Flush() {
	if !w.written {
		w.WriteHeader(http.StatusOK)
	}
	if w.buf == nil {
		_ = http.NewResponseController(w.ResponseWriter).Flush()
	}
}

// acceptable reports whether an Accept header admits a JSON response.
func acceptable(values []string) bool {
	if len(values) == 0 {
		return true
	}
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil {
				continue
			}
			switch mt {
			case "application/graphql-response+json", "application/json", "application/*", "*/*":
				return true
			}
		}
	}
	return false
}

// isMutation reports whether the operation a GET would run is a mutation.
func isMutation(query, operationName string) bool {
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		return false // gqlgen reports the syntax error
	}
	for _, op := range doc.Operations {
		if (operationName == "" || op.Name == operationName) && op.Operation == ast.Mutation {
			return true
		}
	}
	return false
}

type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "thidua_http_requests_total", Help: "HTTP requests by route and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "thidua_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

func (m *metrics) instrument(route string, next http.Handler) http.Handler {
	// The route's series, and its 200s', looked up once rather than by
	// their labels at every request.
	duration, ok := m.duration.WithLabelValues(route), m.requests.WithLabelValues(route, "200")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(sw, r)
		if sw.code == http.StatusOK {
			ok.Inc()
		} else {
			m.requests.WithLabelValues(route, strconv.Itoa(sw.code)).Inc()
		}
		duration.Observe(time.Since(start).Seconds())
	})
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Hijack hands the connection to a WebSocket upgrader that asks the writer
// itself rather than through http.ResponseController.
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, rw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err == nil {
		w.code = http.StatusSwitchingProtocols
	}
	return c, rw, err
}

// Flush passes on to the connection (streamed responses).
func (w *statusWriter) Flush() { _ = http.NewResponseController(w.ResponseWriter).Flush() }
