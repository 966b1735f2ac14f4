package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/httpapi"
)

// wsExec is the executor of one WebSocket connection's operations. Each is
// counted against the rate limits of HTTP (httpapi.AllowOperation) before
// it is parsed; a refused one ends with the protocol's error message for
// it, and the connection goes on.
type wsExec struct {
	graphql.GraphExecutor

	mu      sync.Mutex
	refused map[*graphql.OperationContext]*gqlerror.Error
}

func newWSExec(exec graphql.GraphExecutor) *wsExec {
	return &wsExec{GraphExecutor: exec, refused: map[*graphql.OperationContext]*gqlerror.Error{}}
}

func (e *wsExec) CreateOperationContext(ctx context.Context, params *graphql.RawParams) (*graphql.OperationContext, gqlerror.List) {
	err := httpapi.AllowOperation(ctx)
	if err == nil {
		return e.GraphExecutor.CreateOperationContext(ctx, params)
	}
	// The transport answers an error of CreateOperationContext with a
	// result and complete; a refusal is the protocol's error message, which
	// only DispatchOperation can send. The operation is recorded as refused
	// here and refused there.
	code := domain.ErrorCode(err)
	oc := &graphql.OperationContext{RawQuery: params.Query, OperationName: params.OperationName,
		RecoverFunc: graphql.DefaultRecover}
	e.mu.Lock()
	e.refused[oc] = &gqlerror.Error{Message: err.Error(), Extensions: map[string]any{"code": string(code)}}
	e.mu.Unlock()
	return oc, nil
}

func (e *wsExec) DispatchOperation(ctx context.Context, oc *graphql.OperationContext) (graphql.ResponseHandler, context.Context) {
	e.mu.Lock()
	err, refused := e.refused[oc]
	delete(e.refused, oc)
	e.mu.Unlock()
	if refused {
		addSubscriptionError(ctx, err)
		return func(context.Context) *graphql.Response { return nil }, ctx
	}
	return e.GraphExecutor.DispatchOperation(ctx, oc)
}

// closeInvalid is graphql-transport-ws's close code for a message the
// server cannot accept.
const closeInvalid = 4400

// utf8Conn refuses a message that is not UTF-8, as the HTTP surface refuses
// such a body (Go's JSON decoder would turn it into U+FFFD without a
// word): a subscribe gets the protocol's error message with BAD_USER_INPUT
// and is not run; any other message closes the connection with 4400.
type utf8Conn struct{ conn wsConn }

// wsConn is a WebSocket connection that takes read limits and deadlines.
type wsConn interface {
	transport.WebsocketConn
	transport.WebsocketReadLimiter
	transport.WebsocketReadDeadliner
}

var (
	_ transport.WebsocketReadLimiter   = utf8Conn{}
	_ transport.WebsocketReadDeadliner = utf8Conn{}
)

const notUTF8 = "the message is not valid UTF-8"

func (c utf8Conn) NextReader() (int, io.Reader, error) {
	for {
		typ, r, err := c.conn.NextReader()
		if err != nil || r == nil {
			return typ, r, err
		}
		b, err := io.ReadAll(r)
		if err != nil {
			return typ, nil, err
		}
		if utf8.Valid(b) {
			return typ, bytes.NewReader(b), nil
		}
		var m struct {
			Type string `json:"type"`
			ID   string `json:"id"`
		}
		if json.Unmarshal(b, &m) == nil && m.Type == "subscribe" && m.ID != "" {
			payload, _ := json.Marshal([]*gqlerror.Error{{Message: notUTF8,
				Extensions: map[string]any{"code": string(domain.CodeInvalid)}}})
			_ = c.conn.WriteJSON(struct {
				ID      string          `json:"id"`
				Type    string          `json:"type"`
				Payload json.RawMessage `json:"payload"`
			}{m.ID, "error", payload})
			continue
		}
		_ = c.conn.WriteClose(closeInvalid, notUTF8)
		return typ, nil, errors.New(notUTF8)
	}
}

func (c utf8Conn) Close() error                              { return c.conn.Close() }
func (c utf8Conn) WriteJSON(v any) error                     { return c.conn.WriteJSON(v) }
func (c utf8Conn) WriteClose(code int, message string) error { return c.conn.WriteClose(code, message) }
func (c utf8Conn) Subprotocol() string                       { return c.conn.Subprotocol() }
func (c utf8Conn) SetReadLimit(limit int64)                  { c.conn.SetReadLimit(limit) }
func (c utf8Conn) SetReadDeadline(t time.Time) error         { return c.conn.SetReadDeadline(t) }
